"""search: the PostgreSQL engine's documents (weighted tsvector, GIN), its word list for typo
correction (pg_trgm), and each engine's cursor on the change feed

Revision ID: b5e4c6d7f014
Revises: a4d3b5c6e013
Create Date: 2026-12-06 22:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b5e4c6d7f014"
down_revision: str | None = "a4d3b5c6e013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner may
    # create it, as on managed PostgreSQL services.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_cursors",
        sa.Column("engine", sa.String(length=120), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("engine", name=op.f("pk_search_cursors")),
    )
    op.create_table(
        "search_documents",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("boost", sa.Float(), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_key", sa.Float(), nullable=False),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, keywords), 'B') || setweight(to_tsvector('english'::regconfig, text), 'C')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    op.create_index(
        "ix_search_documents_tsv", "search_documents", ["tsv"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_search_documents_type", "search_documents", ["type"], unique=False)
    op.create_table(
        "search_words",
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_words")),
    )
    op.create_index(
        "ix_search_words_trgm",
        "search_words",
        ["word"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_search_words_trgm",
        table_name="search_words",
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    op.drop_table("search_words")
    op.drop_index("ix_search_documents_type", table_name="search_documents")
    op.drop_index("ix_search_documents_tsv", table_name="search_documents", postgresql_using="gin")
    op.drop_table("search_documents")
    op.drop_table("search_cursors")
