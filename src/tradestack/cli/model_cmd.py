"""``tradestack model``: train, list, show, promote, roll back, delete and predict."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tradestack.cli.database import parse_bound, run_with_database
from tradestack.cli.output import console
from tradestack.cli.progress import progress_bar
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.ml.records import ModelRecord
from tradestack.storage.database import Database

app = typer.Typer(help="Machine-learning models: train, register, promote and predict.")
JsonOption = typer.Option(False, "--json", help="Print JSON.")
_METRICS = ("accuracy", "log_loss", "auc", "hit_rate")


def _registry(db: Database, settings: Settings) -> Any:
    from tradestack.ml.registry import ModelRegistry

    return ModelRegistry(db, settings.home)


def _params(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ConfigError(
            f"--params {text!r} is not JSON, e.g. '{{\"n_estimators\": 200}}'"
        ) from None
    if not isinstance(value, dict):
        raise ConfigError("--params must be a JSON object")
    return value


@app.command("train")
def train_cmd(
    name: str = typer.Argument(..., help="Model name; each training adds a version."),
    symbol: str = typer.Option(..., "--symbol", "-s"),
    timeframe: str = typer.Option(..., "--timeframe", "-t"),
    features: str = typer.Option(
        "default", "--features", "--feature-set", help="Comma-separated specs, or 'default'."
    ),
    label: str = typer.Option(
        "sign:1", "--label", help="sign:H, threshold:H:X, triple_barrier:H:TP:SL"
    ),
    algorithm: str = typer.Option("lightgbm", "--algorithm", "-a"),
    params: str | None = typer.Option(None, "--params", help="Algorithm parameters as JSON."),
    test_fraction: float = typer.Option(0.2, "--test-fraction"),
    embargo: int = typer.Option(0, "--embargo", help="Extra bars left out after the purge gap."),
    start: str | None = typer.Option(None, "--start", help="ISO date or time (UTC)."),
    end: str | None = typer.Option(None, "--end", help="Last day (inclusive) or time."),
    as_json: bool = JsonOption,
    config: ConfigOption = None,
) -> None:
    """Train on stored bars, score the held-out split and register a candidate version."""
    from tradestack.ml.algorithms import evaluate, train
    from tradestack.ml.dataset import build_dataset, load_frame, time_split
    from tradestack.ml.features import FeatureSet
    from tradestack.ml.labels import Label

    settings = settings_from(config)
    feature_set, target = FeatureSet.parse(features), Label.parse(label)
    options = _params(params)
    window = parse_bound(start, "--start"), parse_bound(end, "--end", end=True)

    async def go(db: Database) -> tuple[ModelRecord, dict[str, float]]:
        with progress_bar() as progress:
            progress.begin(4, f"training {name}")
            frame = await load_frame(db, symbol, timeframe, *window)
            ds = build_dataset(frame, feature_set, target)
            train_ds, test_ds = time_split(ds, test_fraction, embargo=embargo)
            progress.advance(1)
            model = train(algorithm, options, train_ds.X, train_ds.y)
            progress.advance(1)
            metrics = evaluate(model, test_ds.X, test_ds.y)
            metrics["train_rows"] = float(len(train_ds))
            progress.advance(1)
            record = await _registry(db, settings).register(model, ds, name, metrics=metrics)
            progress.advance(1)
        return record, metrics

    record, metrics = run_with_database(settings, go)
    if as_json:
        console.print_json(data=record.to_json())
        return
    figures = ", ".join(f"{k} {metrics[k]:.4f}" for k in _METRICS)
    console.print(f"trained {record.ref} ({record.algorithm}, {record.stage}): {figures}")


@app.command("list")
def list_cmd(
    name: str | None = typer.Argument(None), as_json: bool = JsonOption, config: ConfigOption = None
) -> None:
    """Every model version with its stage and test metrics."""
    settings = settings_from(config)
    records = run_with_database(settings, lambda db: _registry(db, settings).list(name))
    if as_json:
        console.print_json(data=[r.to_json() for r in records])
        return
    table = Table("name", "version", "stage", "algorithm", "symbol", "timeframe", *_METRICS)
    for r in records:
        table.add_row(
            r.name, str(r.version), r.stage, r.algorithm, r.symbol, r.timeframe,
            *(_fmt(r.metrics.get(k)) for k in _METRICS),
        )  # fmt: skip
    console.print(table if records else "no models")


@app.command("show")
def show_cmd(ref: str, as_json: bool = JsonOption, config: ConfigOption = None) -> None:
    """One version: NAME (production, else newest), NAME@stage or NAME@vN."""
    settings = settings_from(config)
    record = run_with_database(settings, lambda db: _registry(db, settings).get(ref))
    if as_json:
        console.print_json(data=record.to_json())
        return
    for key, value in record.to_json().items():
        console.print(f"{key}: {value}")


@app.command("promote")
def promote_cmd(name: str, version: int, config: ConfigOption = None) -> None:
    """Make a version production; the previous production is archived in the same step."""
    settings = settings_from(config)
    record = run_with_database(settings, lambda db: _registry(db, settings).promote(name, version))
    console.print(f"{record.ref} is production")


@app.command("rollback")
def rollback_cmd(name: str, config: ConfigOption = None) -> None:
    """Put the previous production version back."""
    settings = settings_from(config)
    record = run_with_database(settings, lambda db: _registry(db, settings).rollback(name))
    console.print(f"rolled back: {record.ref} is production")


@app.command("delete")
def delete_cmd(
    name: str,
    version: int,
    force: bool = typer.Option(False, "--force", help="Delete even the production version."),
    config: ConfigOption = None,
) -> None:
    """Remove a version and its files."""
    settings = settings_from(config)
    registry = lambda db: _registry(db, settings).delete(name, version, force=force)  # noqa: E731
    record = run_with_database(settings, registry)
    console.print(f"deleted {record.ref}")


@app.command("predict")
def predict_cmd(
    ref: str,
    data: Path = typer.Option(..., "--data", help="CSV of bars: timestamp, open, ..., volume."),
    trust: bool = typer.Option(False, "--trust", help="Allow pickle/joblib model files."),
    as_json: bool = JsonOption,
    config: ConfigOption = None,
) -> None:
    """P(up) for every bar of the file (null during the feature warm-up)."""
    from tradestack.domain.bar_frame import BarFrame
    from tradestack.marketdata.providers.files import read_bar_file

    settings = settings_from(config)
    loaded = run_with_database(settings, lambda db: _registry(db, settings).load(ref, trust=trust))
    record = loaded.record
    frames = list(read_bar_file(data, symbol=record.symbol, timeframe=record.timeframe))
    if not frames:
        raise ConfigError(f"{data} holds no bars")
    frame = BarFrame.concat(frames).sorted()
    X = loaded.feature_set.compute(frame)
    ready = ~(X != X).any(axis=1)
    proba = [float("nan")] * len(frame)
    if ready.any():
        for i, p in zip(ready.nonzero()[0], loaded.predict_proba(X[ready]), strict=True):
            proba[int(i)] = float(p)
    rows = [
        {"ts": int(t), "model": record.ref, "probability": None if math.isnan(p) else p}
        for t, p in zip(frame.ts.tolist(), proba, strict=True)
    ]
    if as_json:
        console.print_json(data=rows)
        return
    for row in rows:
        console.print(f"{row['ts']} {_fmt(row['probability'])}")


def _fmt(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.4f}"
