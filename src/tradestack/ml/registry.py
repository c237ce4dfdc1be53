"""The model registry: versions in the ``models`` table, files under ``$TRADESTACK_HOME/models``.

Stage changes (promote, rollback) run in one transaction and write an audit row to
``events``; with a ``publish`` callable they also go out on the bus as ``model.promoted``
and ``model.rolled_back``. Performance per version goes to ``model_performance`` with
scope="model", name=<model name>, strategy="<name>@v<version>" (no extra column).
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.events import Event
from tradestack.errors import ConflictError, NotFoundError
from tradestack.ml.algorithms import TrainedModel
from tradestack.ml.artefacts import load_artefact, save_artefact, write_manifest
from tradestack.ml.dataset import Dataset
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label
from tradestack.ml.records import LoadedModel, ModelRecord, ModelRef, parse_ref
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import insert_events
from tradestack.storage.tables import events, models

Publish = Callable[[Event], Awaitable[None]]
_SOURCE = "model-registry"


def _record(row: Any) -> ModelRecord:
    return ModelRecord(**{c: getattr(row, c) for c in models.c.keys()})  # noqa: SIM118


def _stamp(ts: int) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


class ModelRegistry:
    def __init__(self, database: Database, home: Path, publish: Publish | None = None) -> None:
        self._db = database
        self._root = Path(home) / "models"
        self._publish = publish

    async def register(
        self,
        trained: TrainedModel,
        dataset: Dataset,
        name: str,
        *,
        metrics: dict[str, float] | None = None,
        notes: str | None = None,
    ) -> ModelRecord:
        """Store a new candidate version (max + 1) with its files and manifest."""
        parse_ref(name)  # validates the name
        async with self._db.transaction() as conn:
            current = await conn.execute(
                select(func.max(models.c.version)).where(models.c.name == name)
            )
            version = int(current.scalar_one() or 0) + 1
            directory = self._root / name / str(version)
            if directory.exists():
                shutil.rmtree(directory)  # left by a registration that did not commit
            info = save_artefact(trained, directory)
            row = {
                "name": name,
                "version": version,
                "algorithm": trained.algorithm,
                "feature_specs": list(dataset.feature_set.specs),
                "feature_hash": dataset.feature_set.fingerprint,
                "label": dataset.label.to_dict(),
                "symbol": dataset.symbol,
                "timeframe": dataset.timeframe,
                "dataset_start": _stamp(dataset.ts[0]) if len(dataset) else None,
                "dataset_end": _stamp(dataset.ts[-1]) if len(dataset) else None,
                "dataset_fingerprint": dataset.fingerprint,
                "metrics": dict(metrics or {}),
                "artefact_path": str(info.path.relative_to(self._root)),
                "artefact_checksum": info.checksum,
                "artefact_format": info.format,
                "trusted": False,
                "stage": "candidate",
                "created_at": datetime.now(UTC),
                "promoted_at": None,
                "notes": notes,
            }
            result = await conn.execute(models.insert().values(**row))
            record = ModelRecord(id=int(result.inserted_primary_key[0]), **row)
            write_manifest(directory, {**record.to_json(), "params": trained.params})
        return record

    async def list(self, name: str | None = None) -> list[ModelRecord]:
        query = select(models).order_by(models.c.name, models.c.version)
        if name is not None:
            query = query.where(models.c.name == name)
        async with self._db.read() as conn:
            return [_record(r) for r in (await conn.execute(query)).all()]

    async def get(self, ref: str | ModelRef) -> ModelRecord:
        parsed = parse_ref(ref) if isinstance(ref, str) else ref
        async with self._db.read() as conn:
            return await self._get(conn, parsed)

    async def _get(self, conn: AsyncConnection, ref: ModelRef) -> ModelRecord:
        query = select(models).where(models.c.name == ref.name)
        if ref.version is not None:
            query = query.where(models.c.version == ref.version)
        elif ref.stage is not None:
            query = query.where(models.c.stage == ref.stage)
        rows = (await conn.execute(query.order_by(models.c.version.desc()))).all()
        if not rows:
            what = f"@v{ref.version}" if ref.version else (f"@{ref.stage}" if ref.stage else "")
            raise NotFoundError(f"no model {ref.name}{what}")
        if ref.version is None and ref.stage is None:
            prod = [r for r in rows if r.stage == "production"]
            return _record(prod[0] if prod else rows[0])
        return _record(rows[0])

    async def load(self, ref: str | ModelRef, *, trust: bool = False) -> LoadedModel:
        """The model's verified files; a changed byte is a ModelArtefactError, never a guess."""
        record = await self.get(ref)
        feature_set = FeatureSet.from_specs(record.feature_specs)
        trained = load_artefact(
            self._root / record.artefact_path,
            fmt=record.artefact_format,
            checksum=record.artefact_checksum,
            algorithm=record.algorithm,
            n_features=len(feature_set.specs),
            trust=trust or record.trusted,
        )
        return LoadedModel(record, feature_set, Label.from_dict(record.label), trained)

    async def promote(self, name: str, version: int) -> ModelRecord:
        """Make ``version`` production; the old production becomes archived in the same step."""
        async with self._db.transaction() as conn:
            target = await self._get(conn, ModelRef(name, version=version))
            if target.stage == "production":
                raise ConflictError(f"{target.ref} is already in production")
            previous = await self._production(conn, name)
            record = await self._set_production(conn, target, previous)
            event = self._event("model.promoted", record, previous)
            await insert_events(conn, [event])
        await self._announce(event)
        return record

    async def rollback(self, name: str) -> ModelRecord:
        """Production goes back to the version that was production before it."""
        async with self._db.transaction() as conn:
            current = await self._production(conn, name)
            if current is None:
                raise ConflictError(f"{name} has no production version to roll back")
            previous = await self._previous_production(conn, name, current)
            if previous is None:
                raise ConflictError(f"{name} has no earlier production version to roll back to")
            record = await self._set_production(conn, previous, current)
            event = self._event("model.rolled_back", record, current)
            await insert_events(conn, [event])
        await self._announce(event)
        return record

    async def delete(self, name: str, version: int, *, force: bool = False) -> ModelRecord:
        async with self._db.transaction() as conn:
            record = await self._get(conn, ModelRef(name, version=version))
            if record.stage == "production" and not force:
                raise ConflictError(
                    f"{record.ref} is in production; promote another or use --force"
                )
            await conn.execute(delete(models).where(models.c.id == record.id))
            await insert_events(conn, [self._event("model.deleted", record, None)])
        shutil.rmtree(self._root / name / str(version), ignore_errors=True)
        return record

    async def _production(self, conn: AsyncConnection, name: str) -> ModelRecord | None:
        query = select(models).where(models.c.name == name, models.c.stage == "production")
        row = (await conn.execute(query)).first()
        return _record(row) if row is not None else None

    async def _previous_production(
        self, conn: AsyncConnection, name: str, current: ModelRecord
    ) -> ModelRecord | None:
        """The production before ``current``, replaying the audit trail as a stack.

        A promotion pushes its version, a rollback pops one, a deletion removes one; so two
        rollbacks in a row walk back two promotions instead of toggling between versions.
        """
        query = (
            select(events.c.event_type, events.c.payload)
            .where(
                events.c.event_type.in_(("model.promoted", "model.rolled_back", "model.deleted"))
            )
            .order_by(events.c.ts)
        )
        stack: list[int] = []
        for kind, payload in (await conn.execute(query)).all():
            if payload.get("name") != name:
                continue
            version = int(payload["version"])
            if kind == "model.promoted":
                stack.append(version)
            elif kind == "model.rolled_back" and stack:
                stack.pop()
            elif kind == "model.deleted":
                stack = [v for v in stack if v != version]
        if len(stack) < 2 or stack[-1] != current.version:
            return None
        return await self._get(conn, ModelRef(name, version=stack[-2]))

    async def _set_production(
        self, conn: AsyncConnection, target: ModelRecord, previous: ModelRecord | None
    ) -> ModelRecord:
        now = datetime.now(UTC)
        if previous is not None:
            await conn.execute(
                update(models).where(models.c.id == previous.id).values(stage="archived")
            )
        await conn.execute(
            update(models)
            .where(models.c.id == target.id)
            .values(stage="production", promoted_at=now)
        )
        row = (await conn.execute(select(models).where(models.c.id == target.id))).one()
        return _record(row)

    def _event(self, kind: str, record: ModelRecord, previous: ModelRecord | None) -> Event:
        payload = {
            "name": record.name,
            "version": record.version,
            "algorithm": record.algorithm,
            "previous_version": previous.version if previous is not None else None,
        }
        return Event.create(kind, payload, source_service=_SOURCE)

    async def _announce(self, event: Event) -> None:
        if self._publish is not None:
            await self._publish(event)
