"""nominations: election kinds, elections, nominees and nominations

Revision ID: e2b1f3a4c011
Revises: d1a0e1f2a010
Create Date: 2026-12-06 17:45:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b1f3a4c011"
down_revision: str | None = "d1a0e1f2a010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "election_kinds",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("accent_color", sa.String(length=7), nullable=False),
        sa.Column("nomination_form", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "nomination_form IN ('board', 'packaging_council')",
            name=op.f("ck_election_kinds_nomination_form"),
        ),
        sa.CheckConstraint("accent_color ~ '^#[0-9a-fA-F]{6}$'", name=op.f("ck_election_kinds_accent_color")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_kinds")),
        sa.UniqueConstraint("name", name=op.f("uq_election_kinds_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_election_kinds_slug")),
    )
    op.create_table(
        "elections",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=True),
        sa.Column("nominations_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nominations_close_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("hide_previous_service", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["election_kinds.id"],
            name=op.f("fk_elections_kind_id_election_kinds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elections")),
        sa.UniqueConstraint("slug", name=op.f("uq_elections_slug")),
    )
    op.create_index(op.f("ix_elections_date"), "elections", ["date"], unique=False)
    op.create_index(op.f("ix_elections_kind_id"), "elections", ["kind_id"], unique=False)
    op.create_table(
        "nominees",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_nominees_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nominees_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominees")),
        sa.UniqueConstraint("user_id", "election_id", name=op.f("uq_nominees_user_id_election_id")),
    )
    op.create_index(op.f("ix_nominees_election_id"), "nominees", ["election_id"], unique=False)
    op.create_index(op.f("ix_nominees_user_id"), "nominees", ["user_id"], unique=False)
    op.create_index(op.f("ix_nominees_slug"), "nominees", ["slug"], unique=False)
    op.create_table(
        "nominations",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=True),
        sa.Column("email", sa.String(length=1024), nullable=True),
        sa.Column("previous_board_service", sa.String(length=1024), nullable=True),
        sa.Column("employer", sa.String(length=1024), nullable=True),
        sa.Column("other_affiliations", sa.String(length=2048), nullable=True),
        sa.Column("nomination_statement", sa.Text(), nullable=False),
        sa.Column("nomination_statement_html", sa.Text(), nullable=False),
        sa.Column("nominator_id", sa.Integer(), nullable=True),
        sa.Column("nominee_id", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("coc_acknowledged", sa.Boolean(), nullable=False),
        sa.Column("mission_alignment", sa.Boolean(), nullable=False),
        sa.Column("eligibility_confirmed", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_nominations_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominator_id"],
            ["users.id"],
            name=op.f("fk_nominations_nominator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["nominees.id"],
            name=op.f("fk_nominations_nominee_id_nominees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    op.create_index(op.f("ix_nominations_election_id"), "nominations", ["election_id"], unique=False)
    op.create_index(op.f("ix_nominations_nominator_id"), "nominations", ["nominator_id"], unique=False)
    op.create_index(op.f("ix_nominations_nominee_id"), "nominations", ["nominee_id"], unique=False)


def downgrade() -> None:
    op.drop_table("nominations")
    op.drop_table("nominees")
    op.drop_table("elections")
    op.drop_table("election_kinds")
