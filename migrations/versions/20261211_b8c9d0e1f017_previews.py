"""previews: private, expiring draft previews (docs/previews.md)

Revision ID: b8c9d0e1f017
Revises: a7b8c9d0e016
Create Date: 2026-12-11 12:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b8c9d0e1f017"
down_revision: str | None = "a7b8c9d0e016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "previews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_previews_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_previews")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_previews_token_hash")),
    )
    op.create_index(op.f("ix_previews_user_id"), "previews", ["user_id"], unique=False)
    op.create_index(op.f("ix_previews_expires_at"), "previews", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_previews_expires_at"), table_name="previews")
    op.drop_index(op.f("ix_previews_user_id"), table_name="previews")
    op.drop_table("previews")
