from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ConfigError, ModelArtefactError
from tradestack.ml.algorithms import evaluate, train
from tradestack.ml.artefacts import load_artefact, save_artefact, sha256_file
from tradestack.ml.dataset import build_dataset, time_split
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label


def _split(frame: BarFrame) -> tuple:
    ds = build_dataset(
        frame, FeatureSet.parse("ret_1,ret_5,sma_ratio_5_20,rsi_14"), Label("sign", 3)
    )
    return time_split(ds, 0.25)


@pytest.mark.parametrize("algorithm", ["logreg", "random_forest", "lightgbm"])
def test_a_saved_model_loads_and_predicts_the_same(
    frame: BarFrame, tmp_path: Path, algorithm: str
) -> None:
    train_ds, test_ds = _split(frame)
    params = {"n_estimators": 20} if algorithm != "logreg" else {}
    model = train(algorithm, params, train_ds.X, train_ds.y)
    p = model.predict_proba(test_ds.X)
    assert p.shape == (len(test_ds),) and ((p >= 0) & (p <= 1)).all()
    assert model.predict_one(test_ds.X[0]) == pytest.approx(p[0])
    metrics = evaluate(model, test_ds.X, test_ds.y)
    assert set(metrics) >= {"accuracy", "log_loss", "auc", "hit_rate"}
    info = save_artefact(model, tmp_path)
    loaded = load_artefact(
        info.path, fmt=info.format, checksum=info.checksum, algorithm=algorithm,
        n_features=train_ds.X.shape[1],
    )  # fmt: skip
    np.testing.assert_allclose(loaded.predict_proba(test_ds.X), p)


def test_a_changed_byte_is_refused_with_one_line(frame: BarFrame, tmp_path: Path) -> None:
    train_ds, _ = _split(frame)
    info = save_artefact(train("logreg", {}, train_ds.X, train_ds.y), tmp_path)
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    info.path.write_bytes(bytes(data))
    with pytest.raises(ModelArtefactError) as caught:
        load_artefact(info.path, fmt=info.format, checksum=info.checksum, algorithm="logreg",
                      n_features=4)  # fmt: skip
    assert "checksum" in str(caught.value) and "\n" not in str(caught.value)


def test_pickle_loads_only_with_trust(tmp_path: Path, frame: BarFrame) -> None:
    train_ds, _ = _split(frame)
    model = train("logreg", {}, train_ds.X, train_ds.y)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model.estimator))
    args = {"fmt": "pickle", "checksum": sha256_file(path), "algorithm": "logreg", "n_features": 4}
    with pytest.raises(ModelArtefactError, match="--trust"):
        load_artefact(path, **args)
    trusted = load_artefact(path, **args, trust=True)
    np.testing.assert_allclose(trusted.predict_proba(train_ds.X), model.predict_proba(train_ds.X))


def test_unknown_algorithm_and_single_class_labels_are_config_errors() -> None:
    X = np.zeros((10, 2))
    with pytest.raises(ConfigError):
        train("xgboost", {}, X, np.r_[np.zeros(5), np.ones(5)])
    with pytest.raises(ConfigError):
        train("logreg", {}, X, np.zeros(10))


def test_torch_mlp_trains_saves_and_loads(frame: BarFrame, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is the optional ml-torch extra")
    train_ds, test_ds = _split(frame)
    model = train("mlp_torch", {"epochs": 30, "hidden": 8}, train_ds.X, train_ds.y)
    p = model.predict_proba(test_ds.X)
    info = save_artefact(model, tmp_path)
    assert info.format == "torch"
    loaded = load_artefact(info.path, fmt="torch", checksum=info.checksum, algorithm="mlp_torch",
                           n_features=train_ds.X.shape[1])  # fmt: skip
    np.testing.assert_allclose(loaded.predict_proba(test_ds.X), p, rtol=1e-6)
