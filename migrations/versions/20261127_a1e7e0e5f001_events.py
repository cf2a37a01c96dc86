"""events

Revision ID: a1e7e0e5f001
Revises: 19cb62141935
Create Date: 2026-11-27 10:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "a1e7e0e5f001"
down_revision: str | None = "19cb62141935"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
