"""Registry rows, model references (``name@production``, ``name@v3``) and loaded models."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from tradestack.errors import ConfigError
from tradestack.ml.algorithms import TrainedModel
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label

STAGES = ("candidate", "production", "archived")
_REF = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:@(?P<sel>[A-Za-z0-9]+))?$")


@dataclass(frozen=True)
class ModelRecord:
    """One version of a named model, as the ``models`` table holds it."""

    id: int
    name: str
    version: int
    algorithm: str
    feature_specs: list[str]
    feature_hash: str
    label: dict[str, Any]
    symbol: str
    timeframe: str
    dataset_start: datetime | None
    dataset_end: datetime | None
    dataset_fingerprint: str
    metrics: dict[str, float]
    artefact_path: str
    artefact_checksum: str
    artefact_format: str
    trusted: bool
    stage: str
    created_at: datetime
    promoted_at: datetime | None
    notes: str | None

    @property
    def ref(self) -> str:
        return f"{self.name}@v{self.version}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("dataset_start", "dataset_end", "created_at", "promoted_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


@dataclass(frozen=True)
class ModelRef:
    """``name`` alone means production if there is one, else the newest version."""

    name: str
    stage: str | None = None
    version: int | None = None


def parse_ref(text: str) -> ModelRef:
    m = _REF.match(text.strip())
    if m is None:
        raise ConfigError(f"bad model reference {text!r}; use NAME, NAME@production or NAME@v3")
    name, sel = m.group("name"), m.group("sel")
    if sel is None:
        return ModelRef(name)
    if sel in STAGES:
        return ModelRef(name, stage=sel)
    digits = sel[1:] if sel[:1] in ("v", "V") else sel
    if digits.isdigit():
        return ModelRef(name, version=int(digits))
    raise ConfigError(f"bad model reference {text!r}; after @ put a stage or a version like v3")


@dataclass
class LoadedModel:
    """A verified model ready to predict, with the feature set it was trained on."""

    record: ModelRecord
    feature_set: FeatureSet
    label: Label
    model: TrainedModel

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(X)

    def predict_one(self, x: np.ndarray) -> float:
        return self.model.predict_one(x)
