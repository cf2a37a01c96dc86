"""redirects and flags

Revision ID: c9ff08ad0009
Revises: b8eef7fc0008
Create Date: 2026-11-27 12:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9ff08ad0009"
down_revision: str | None = "b8eef7fc0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "redirects",
        sa.Column("old_path", sa.String(length=200), nullable=False),
        sa.Column("new_path", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirects")),
        sa.UniqueConstraint("old_path", name=op.f("uq_redirects_old_path")),
    )
    op.create_table(
        "feature_flags",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("everyone", sa.Boolean(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column("testing", sa.Boolean(), nullable=False),
        sa.Column("superusers", sa.Boolean(), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("authenticated", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("rollout", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_flags")),
        sa.UniqueConstraint("name", name=op.f("uq_feature_flags_name")),
    )
    op.create_table(
        "feature_flag_groups",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["feature_flags.id"],
            name=op.f("fk_feature_flag_groups_flag_id_feature_flags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_feature_flag_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flag_id", "group_id", name=op.f("pk_feature_flag_groups")),
    )
    op.create_table(
        "feature_flag_users",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["feature_flags.id"],
            name=op.f("fk_feature_flag_users_flag_id_feature_flags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feature_flag_users_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("flag_id", "user_id", name=op.f("pk_feature_flag_users")),
    )


def downgrade() -> None:
    op.drop_table("feature_flag_users")
    op.drop_table("feature_flag_groups")
    op.drop_table("feature_flags")
    op.drop_table("redirects")
