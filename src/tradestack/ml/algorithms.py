"""Training algorithms by name; each gives a TrainedModel with a fast single-row path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradestack.errors import ConfigError


def _require(module: str, extra: str) -> None:
    try:
        __import__(module)
    except ImportError as exc:
        raise ConfigError(
            f"{module} is not installed; install tradestack[{extra}] to use this algorithm"
        ) from exc


@dataclass
class TrainedModel:
    """A fitted estimator plus what it needs to answer P(positive class) quickly."""

    algorithm: str
    params: dict[str, Any]
    estimator: Any
    n_features: int
    booster: Any = field(default=None, repr=False)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64).reshape(-1, self.n_features)
        if self.booster is not None:
            return np.asarray(self.booster.predict(X), dtype=np.float64)
        if self.algorithm == "mlp_torch":
            from tradestack.ml.torch_mlp import predict_proba

            return predict_proba(self.estimator, X)
        proba = self.estimator.predict_proba(X)
        classes = list(self.estimator.classes_)
        if 1.0 in classes:
            return np.asarray(proba[:, classes.index(1.0)], dtype=np.float64)
        return np.zeros(X.shape[0])

    def predict_one(self, x: np.ndarray) -> float:
        """One row: the LightGBM booster skips the sklearn wrapper's checks."""
        row = np.asarray(x, dtype=np.float64).reshape(1, self.n_features)
        if self.booster is not None:
            return float(self.booster.predict(row, num_threads=1)[0])
        return float(self.predict_proba(row)[0])


def _logreg(params: Mapping[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(**{"max_iter": 1000, **params}))


def _random_forest(params: Mapping[str, Any]) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    defaults = {"n_estimators": 200, "min_samples_leaf": 20, "n_jobs": 1, "random_state": 0}
    return RandomForestClassifier(**{**defaults, **params})


def _lightgbm(params: Mapping[str, Any]) -> Any:
    _require("lightgbm", "ml")
    from lightgbm import LGBMClassifier

    defaults = {"n_estimators": 100, "learning_rate": 0.05, "num_leaves": 15,
                "n_jobs": 1, "verbose": -1, "random_state": 0}  # fmt: skip
    return LGBMClassifier(**{**defaults, **params})


_SKLEARN: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "logreg": _logreg,
    "random_forest": _random_forest,
    "lightgbm": _lightgbm,
}

ALGORITHMS: tuple[str, ...] = ("logreg", "random_forest", "lightgbm", "mlp_torch")


def train(
    name: str, params: Mapping[str, Any] | None, X: np.ndarray, y: np.ndarray
) -> TrainedModel:
    """Fit ``name`` on ``X, y`` (labels 0/1); unknown names and bad params are ConfigErrors."""
    params = dict(params or {})
    if name not in ALGORITHMS:
        raise ConfigError(f"unknown algorithm {name!r}; choose one of {', '.join(ALGORITHMS)}")
    if len(np.unique(y)) < 2:
        raise ConfigError("the training labels hold a single class; widen the range or label")
    if name == "mlp_torch":
        _require("torch", "ml-torch")
        from tradestack.ml.torch_mlp import fit

        return TrainedModel(name, params, fit(params, X, y), X.shape[1])
    _require("sklearn", "ml")
    try:
        estimator = _SKLEARN[name](params)
        estimator.fit(X, y)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} could not train: {str(exc).splitlines()[0]}") from exc
    booster = estimator.booster_ if name == "lightgbm" else None
    return TrainedModel(name, params, estimator, X.shape[1], booster)


def evaluate(model: TrainedModel, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy, log loss, AUC and hit rate (accuracy of the calls it makes with p != 0.5)."""
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    p = model.predict_proba(X)
    calls = (p > 0.5).astype(np.float64)
    decided = p != 0.5
    metrics = {
        "accuracy": float(accuracy_score(y, calls)),
        "log_loss": float(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7), labels=[0.0, 1.0])),
        "auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan"),
        "hit_rate": float((calls[decided] == y[decided]).mean()) if decided.any() else 0.0,
        "test_rows": float(len(y)),
    }
    return metrics
