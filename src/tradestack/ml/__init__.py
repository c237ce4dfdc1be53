"""Machine learning: features, labels, datasets, training, safe artefacts and a model registry."""
