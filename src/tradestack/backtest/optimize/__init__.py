"""Parameter search: grid and Bayesian (optuna), walk-forward, local processes or a shared study."""
