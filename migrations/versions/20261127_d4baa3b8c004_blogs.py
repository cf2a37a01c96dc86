"""blogs

Revision ID: d4baa3b8c004
Revises: c3a9a2a7b003
Create Date: 2026-11-27 10:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "d4baa3b8c004"
down_revision: str | None = "c3a9a2a7b003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
