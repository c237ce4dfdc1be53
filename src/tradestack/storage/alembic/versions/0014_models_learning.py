"""models and learning samples: the model registry and every live prediction

Per-version model performance uses the existing ``model_performance`` table
with scope="model", name=<model name> and strategy="<name>@v<version>".

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

tables_created = ("models", "learning_samples")
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "models",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("feature_specs", sa.JSON(), nullable=False),
        sa.Column("feature_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("dataset_start", ts, nullable=True),
        sa.Column("dataset_end", ts, nullable=True),
        sa.Column("dataset_fingerprint", sa.String(64), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artefact_path", sa.Text(), nullable=False),
        sa.Column("artefact_checksum", sa.String(64), nullable=False),
        sa.Column("artefact_format", sa.String(16), nullable=False),
        sa.Column("trusted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("promoted_at", ts, nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_models_name_version")),
    )
    op.create_index(op.f("ix_models_stage"), "models", ["stage"])
    op.create_table(
        "learning_samples",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("trader_id", sa.String(64), nullable=True),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("ts", ts, nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("prediction", sa.Float(), nullable=False),
        sa.Column("outcome", sa.Float(), nullable=True),
        sa.Column("realised_at", ts, nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_samples")),
        sa.UniqueConstraint(
            "model",
            "version",
            "symbol",
            "timeframe",
            "ts",
            "trader_id",
            name=op.f("uq_learning_samples_model_version_symbol_timeframe_ts_trader_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("learning_samples")
    op.drop_index(op.f("ix_models_stage"), table_name="models")
    op.drop_table("models")
