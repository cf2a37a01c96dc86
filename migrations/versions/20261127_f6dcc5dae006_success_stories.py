"""success stories and companies

Revision ID: f6dcc5dae006
Revises: e5cbb4c9d005
Create Date: 2026-11-27 11:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6dcc5dae006"
down_revision: str | None = "e5cbb4c9d005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("about_markup_type", sa.String(length=30), nullable=False),
        sa.Column("about_html", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("url", sa.String(length=200), nullable=True),
        sa.Column("logo", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("slug", name=op.f("uq_companies_slug")),
    )
    op.create_table(
        "story_categories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_story_categories_slug")),
    )
    op.create_table(
        "stories",
        sa.Column("company_name", sa.String(length=500), nullable=False),
        sa.Column("company_url", sa.String(length=200), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=500), nullable=False),
        sa.Column("author_email", sa.String(length=100), nullable=True),
        sa.Column("pull_quote", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_markup_type", sa.String(length=30), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("image", sa.String(length=400), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("last_modified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["story_categories.id"],
            name=op.f("fk_stories_category_id_story_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_stories_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_stories_creator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["last_modified_by_id"],
            ["users.id"],
            name=op.f("fk_stories_last_modified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_stories_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        sa.UniqueConstraint("slug", name=op.f("uq_stories_slug")),
    )
    op.create_index(op.f("ix_stories_category_id"), "stories", ["category_id"], unique=False)
    op.create_index(op.f("ix_stories_company_id"), "stories", ["company_id"], unique=False)
    op.create_index(op.f("ix_stories_created"), "stories", ["created"], unique=False)
    op.create_index(op.f("ix_stories_is_published"), "stories", ["is_published"], unique=False)
    op.create_index(op.f("ix_stories_submitted_by_id"), "stories", ["submitted_by_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stories_submitted_by_id"), table_name="stories")
    op.drop_index(op.f("ix_stories_is_published"), table_name="stories")
    op.drop_index(op.f("ix_stories_created"), table_name="stories")
    op.drop_index(op.f("ix_stories_company_id"), table_name="stories")
    op.drop_index(op.f("ix_stories_category_id"), table_name="stories")
    op.drop_table("stories")
    op.drop_table("story_categories")
    op.drop_table("companies")
