from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.events import Event
from tradestack.errors import ConflictError, ModelArtefactError, NotFoundError
from tradestack.ml.algorithms import train
from tradestack.ml.dataset import build_dataset
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label
from tradestack.ml.registry import ModelRegistry
from tradestack.storage.database import Database
from tradestack.storage.tables import events


async def _three_versions(registry: ModelRegistry, frame: BarFrame) -> None:
    ds = build_dataset(frame, FeatureSet.parse("ret_1,rsi_14"), Label("sign", 2))
    model = train("logreg", {}, ds.X, ds.y)
    for _ in range(3):
        await registry.register(model, ds, "m1", metrics={"accuracy": 0.5})


async def test_versions_promote_and_rollback_to_the_previous_production(
    database: Database, tmp_path: Path, frame: BarFrame
) -> None:
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    registry = ModelRegistry(database, tmp_path, publish)
    await _three_versions(registry, frame)
    assert [r.version for r in await registry.list("m1")] == [1, 2, 3]
    assert (await registry.get("m1")).version == 3  # no production yet: newest
    await registry.promote("m1", 1)
    await registry.promote("m1", 3)
    stages = {r.version: r.stage for r in await registry.list()}
    assert stages == {1: "archived", 2: "candidate", 3: "production"}
    assert (await registry.get("m1@production")).version == 3
    assert (await registry.get("m1")).version == 3
    assert (await registry.get("m1@v2")).stage == "candidate"

    back = await registry.rollback("m1")
    assert back.version == 1 and back.stage == "production"
    assert (await registry.get("m1@3")).stage == "archived"
    assert [e.event_type for e in published] == ["model.promoted"] * 2 + ["model.rolled_back"]
    async with database.read() as conn:
        audit = (await conn.execute(select(events.c.event_type))).scalars().all()
    assert audit.count("model.promoted") == 2 and audit.count("model.rolled_back") == 1
    with pytest.raises(ConflictError):
        await registry.rollback("m1")  # v1 had no production before it


async def test_a_refused_promotion_changes_no_stage(
    database: Database, tmp_path: Path, frame: BarFrame
) -> None:
    registry = ModelRegistry(database, tmp_path)
    await _three_versions(registry, frame)
    await registry.promote("m1", 2)
    with pytest.raises(NotFoundError):
        await registry.promote("m1", 9)
    with pytest.raises(ConflictError):
        await registry.promote("m1", 2)
    assert [r.stage for r in await registry.list("m1")] == ["candidate", "production", "candidate"]


async def test_delete_refuses_production_unless_forced(
    database: Database, tmp_path: Path, frame: BarFrame
) -> None:
    registry = ModelRegistry(database, tmp_path)
    await _three_versions(registry, frame)
    await registry.promote("m1", 3)
    with pytest.raises(ConflictError):
        await registry.delete("m1", 3)
    await registry.delete("m1", 2)
    assert not (tmp_path / "models" / "m1" / "2").exists()
    await registry.delete("m1", 3, force=True)
    assert [r.version for r in await registry.list("m1")] == [1]


async def test_load_verifies_the_file_and_refuses_a_corrupt_one(
    database: Database, tmp_path: Path, frame: BarFrame
) -> None:
    registry = ModelRegistry(database, tmp_path)
    await _three_versions(registry, frame)
    loaded = await registry.load("m1@v1")
    x = loaded.feature_set.latest(frame)
    assert 0.0 <= loaded.predict_one(x) <= 1.0
    path = tmp_path / "models" / loaded.record.artefact_path
    assert (path.parent / "model.json").is_file()
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ModelArtefactError, match="checksum"):
        await registry.load("m1@v1")
