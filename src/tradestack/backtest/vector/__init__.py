"""The vectorised engine: array signals and one compiled loop for positions, fills and trades."""
