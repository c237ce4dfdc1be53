"""assistant confirmations: proposed writes waiting for a person's answer

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created = ("assistant_confirmations",)
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()


def upgrade() -> None:
    op.create_table(
        "assistant_confirmations",
        sa.Column("confirmation_id", sa.String(32), nullable=False),
        sa.Column("tool", sa.String(64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("params_hash", sa.String(64), nullable=False),
        sa.Column("required_role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("confirmation_id", name=op.f("pk_assistant_confirmations")),
    )
    op.create_index(
        op.f("ix_assistant_confirmations_status"), "assistant_confirmations", ["status"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assistant_confirmations_status"), table_name="assistant_confirmations")
    op.drop_table("assistant_confirmations")
