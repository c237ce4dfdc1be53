"""record rows imported from older systems in legacy_records

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created = ("legacy_records",)
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()


def upgrade() -> None:
    op.create_table(
        "legacy_records",
        sa.Column("source_table", sa.String(length=64), nullable=False),
        sa.Column("original_id", sa.String(length=128), nullable=False),
        sa.Column("target_table", sa.String(length=64), nullable=False),
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("import_id", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_table", "original_id", name=op.f("pk_legacy_records")),
    )
    with op.batch_alter_table("legacy_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legacy_records_target_table"), ["target_table"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("legacy_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legacy_records_target_table"))
    op.drop_table("legacy_records")
