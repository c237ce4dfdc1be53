"""Model files in safe formats, each with a sha256 checked before anything is deserialised.

scikit-learn models go to skops (only an allow-list of types loads), LightGBM to its native
text file, torch to a weights-only state dict. Pickle and joblib run code while loading, so
they load only with an explicit ``trust=True`` and their checksum recorded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tradestack.errors import ModelArtefactError
from tradestack.ml.algorithms import TrainedModel

FORMATS = ("skops", "lightgbm", "torch", "pickle", "joblib")
MANIFEST = "model.json"
_FILE = {"skops": "model.skops", "lightgbm": "model.txt", "torch": "model.pt",
         "pickle": "model.pkl", "joblib": "model.joblib"}  # fmt: skip
# types a tradestack-trained sklearn model holds; anything else in a file is refused
_SKOPS_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "builtins.", "collections.")


@dataclass(frozen=True)
class ArtefactInfo:
    path: Path
    checksum: str
    format: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def format_for(algorithm: str) -> str:
    return {"lightgbm": "lightgbm", "mlp_torch": "torch"}.get(algorithm, "skops")


def save_artefact(model: TrainedModel, directory: Path) -> ArtefactInfo:
    """Write the model under ``directory`` in its algorithm's safe format."""
    directory.mkdir(parents=True, exist_ok=True)
    fmt = format_for(model.algorithm)
    path = directory / _FILE[fmt]
    if fmt == "lightgbm":
        model.booster.save_model(str(path))
    elif fmt == "torch":
        import torch

        state = model.estimator
        torch.save(
            {
                "net": state["net"].state_dict(),
                "mean": torch.tensor(state["mean"]),
                "std": torch.tensor(state["std"]),
                "hidden": state["hidden"],
            },
            path,
        )
    else:
        import skops.io as sio

        sio.dump(model.estimator, path)
    return ArtefactInfo(path, sha256_file(path), fmt)


def load_artefact(
    path: Path,
    *,
    fmt: str,
    checksum: str,
    algorithm: str,
    n_features: int,
    trust: bool = False,
) -> TrainedModel:
    """Verify the checksum, then deserialise; any mismatch or refusal is ModelArtefactError."""
    if not path.is_file():
        raise ModelArtefactError(f"model file {path} is missing")
    actual = sha256_file(path)
    if actual != checksum:
        raise ModelArtefactError(
            f"model file {path} has checksum {actual[:12]}..., "
            f"expected {checksum[:12]}...; refusing it"
        )
    try:
        if fmt == "lightgbm":
            import lightgbm as lgb

            booster = lgb.Booster(model_file=str(path))
            if booster.num_feature() != n_features:
                raise ModelArtefactError(
                    f"model file {path} expects {booster.num_feature()} features, not {n_features}"
                )
            return TrainedModel(algorithm, {}, None, n_features, booster)
        if fmt == "torch":
            return TrainedModel(algorithm, {}, _load_torch(path, n_features), n_features)
        if fmt == "skops":
            return TrainedModel(algorithm, {}, _load_skops(path), n_features)
        if fmt in ("pickle", "joblib"):
            return TrainedModel(algorithm, {}, _load_trusted(path, fmt, trust), n_features)
    except ModelArtefactError:
        raise
    except Exception as exc:  # any reader failure on a damaged file is one line, not a traceback
        raise ModelArtefactError(f"model file {path} could not be read: {exc}") from exc
    raise ModelArtefactError(f"unknown model format {fmt!r}; known: {', '.join(FORMATS)}")


def _load_skops(path: Path) -> Any:
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    refused = [t for t in untrusted if not t.startswith(_SKOPS_TRUSTED_PREFIXES)]
    if refused:
        raise ModelArtefactError(f"model file {path} holds untrusted types: {', '.join(refused)}")
    return sio.load(path, trusted=untrusted)


def _load_torch(path: Path, n_features: int) -> dict[str, Any]:
    import torch

    from tradestack.ml.torch_mlp import build

    data = torch.load(path, weights_only=True)
    net = build(n_features, int(data["hidden"]))
    net.load_state_dict(data["net"])
    net.eval()
    return {"net": net, "mean": data["mean"].numpy(), "std": data["std"].numpy(),
            "hidden": int(data["hidden"])}  # fmt: skip


def _load_trusted(path: Path, fmt: str, trust: bool) -> Any:
    if not trust:
        raise ModelArtefactError(
            f"{fmt} file {path} can run code when loaded; pass --trust if you know its origin"
        )
    if fmt == "joblib":
        import joblib

        return joblib.load(path)
    import pickle

    with path.open("rb") as handle:
        return pickle.load(handle)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=_json_default))
    return path


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelArtefactError(f"model manifest {path} is missing or unreadable") from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
