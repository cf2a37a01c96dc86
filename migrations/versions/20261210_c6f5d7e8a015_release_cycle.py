"""downloads: the PEPs release-cycle data (one row per feature series)

Revision ID: c6f5d7e8a015
Revises: b5e4c6d7f014
Create Date: 2026-12-10 12:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6f5d7e8a015"
down_revision: str | None = "b5e4c6d7f014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "downloads_release_cycle",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("branch", sa.String(length=100), nullable=False),
        sa.Column("pep", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("first_release", sa.String(length=40), nullable=False),
        sa.Column("end_of_life", sa.String(length=40), nullable=False),
        sa.Column("release_manager", sa.String(length=200), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_downloads_release_cycle")),
    )


def downgrade() -> None:
    op.drop_table("downloads_release_cycle")
