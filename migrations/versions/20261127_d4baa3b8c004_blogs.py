"""blogs

Revision ID: d4baa3b8c004
Revises: c3a9a2a7b003
Create Date: 2026-11-27 10:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d4baa3b8c004"
down_revision: str | None = "c3a9a2a7b003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blog_feed_aggregates",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "feed_ids",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{}'::integer[]"),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_feed_aggregates")),
        sa.UniqueConstraint("slug", name=op.f("uq_blog_feed_aggregates_slug")),
    )
    op.create_table(
        "blog_feeds",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website_url", sa.String(length=500), nullable=False),
        sa.Column("feed_url", sa.String(length=500), nullable=False),
        sa.Column("last_import", sa.DateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.String(length=500), nullable=False),
        sa.Column("last_modified", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_feeds")),
        sa.UniqueConstraint("feed_url", name=op.f("uq_blog_feeds_feed_url")),
    )
    op.create_table(
        "blog_entries",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("summary_html", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("pub_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["blog_feeds.id"],
            name=op.f("fk_blog_entries_feed_id_blog_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_entries")),
        sa.UniqueConstraint("feed_id", "url", name=op.f("uq_blog_entries_feed_id_url")),
    )
    op.create_index(op.f("ix_blog_entries_pub_date"), "blog_entries", ["pub_date"], unique=False)
    op.create_table(
        "blog_related_blogs",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("feed_url", sa.String(length=500), nullable=False),
        sa.Column("blog_url", sa.String(length=500), nullable=False),
        sa.Column("blog_name", sa.String(length=200), nullable=False),
        sa.Column("last_entry_published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_entry_title", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("last_modified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_blog_related_blogs_creator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_modified_by_id"],
            ["users.id"],
            name=op.f("fk_blog_related_blogs_last_modified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_related_blogs")),
    )
    op.create_index(op.f("ix_blog_related_blogs_created"), "blog_related_blogs", ["created"], unique=False)
    op.create_index(
        op.f("ix_blog_related_blogs_last_entry_published"),
        "blog_related_blogs",
        ["last_entry_published"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_blog_related_blogs_last_entry_published"), table_name="blog_related_blogs")
    op.drop_index(op.f("ix_blog_related_blogs_created"), table_name="blog_related_blogs")
    op.drop_table("blog_related_blogs")
    op.drop_index(op.f("ix_blog_entries_pub_date"), table_name="blog_entries")
    op.drop_table("blog_entries")
    op.drop_table("blog_feeds")
    op.drop_table("blog_feed_aggregates")
