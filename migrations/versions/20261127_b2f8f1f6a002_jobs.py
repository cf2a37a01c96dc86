"""jobs

Revision ID: b2f8f1f6a002
Revises: a1e7e0e5f001
Create Date: 2026-11-27 10:00:01+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "b2f8f1f6a002"
down_revision: str | None = "a1e7e0e5f001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
