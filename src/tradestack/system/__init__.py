"""The one wiring place: traders built from their spec in every mode and shape."""
