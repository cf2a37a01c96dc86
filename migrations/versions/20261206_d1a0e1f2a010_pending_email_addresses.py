"""pending e-mail addresses: unique only among verified addresses

Revision ID: d1a0e1f2a010
Revises: c9ff08ad0009
Create Date: 2026-12-06 14:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1a0e1f2a010"
down_revision: str | None = "c9ff08ad0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Lookups by address keep an index; uniqueness moves to the verified rows (allauth's model:
    # a pending address never blocks anyone). Built before the old index goes, so no moment
    # is without one.
    op.create_index(
        "ix_email_addresses_email_lower",
        "email_addresses",
        [sa.literal_column("lower(email)")],
        unique=False,
    )
    op.create_index(
        "uq_email_addresses_verified_email",
        "email_addresses",
        [sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("verified"),
    )
    op.drop_index("uq_email_addresses_email_lower", table_name="email_addresses")


def downgrade() -> None:
    # The old rule allows one row per address: keep a verified row, else the oldest.
    op.execute(
        """
        DELETE FROM email_addresses AS e
        USING email_addresses AS keep
        WHERE lower(e.email) = lower(keep.email)
          AND e.id <> keep.id
          AND NOT e.verified
          AND (keep.verified OR keep.id < e.id)
        """
    )
    op.create_index(
        "uq_email_addresses_email_lower",
        "email_addresses",
        [sa.literal_column("lower(email)")],
        unique=True,
    )
    op.drop_index("uq_email_addresses_verified_email", table_name="email_addresses")
    op.drop_index("ix_email_addresses_email_lower", table_name="email_addresses")
