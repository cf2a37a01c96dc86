"""moderation: event suggestions are accepted or declined; events may be drafts; change rows name
their actor and the fields they changed

Revision ID: a7b8c9d0e016
Revises: c6f5d7e8a015
Create Date: 2026-12-11 09:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a7b8c9d0e016"
down_revision: str | None = "c6f5d7e8a015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Constant defaults: PostgreSQL adds these columns without rewriting the tables.
    # Every existing event is public (python.org had no draft events).
    op.add_column(
        "events", sa.Column("is_published", sa.Boolean(), server_default=sa.text("true"), nullable=False)
    )
    op.create_index(op.f("ix_events_is_published"), "events", ["is_published"], unique=False)
    op.add_column(
        "event_submissions",
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
    )
    op.add_column("event_submissions", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("event_submissions", sa.Column("decided_by_id", sa.Integer(), nullable=True))
    op.add_column("event_submissions", sa.Column("event_id", sa.Integer(), nullable=True))
    op.add_column(
        "event_submissions", sa.Column("decision_note", sa.Text(), server_default="", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_event_submissions_status"),
        "event_submissions",
        "status IN ('pending', 'accepted', 'declined')",
    )
    op.create_foreign_key(
        op.f("fk_event_submissions_decided_by_id_users"),
        "event_submissions",
        "users",
        ["decided_by_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_event_submissions_event_id_events"),
        "event_submissions",
        "events",
        ["event_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_event_submissions_status"), "event_submissions", ["status"], unique=False)
    op.create_index(
        op.f("ix_event_submissions_decided_by_id"), "event_submissions", ["decided_by_id"], unique=False
    )
    op.create_index(op.f("ix_event_submissions_event_id"), "event_submissions", ["event_id"], unique=False)

    # No foreign key on actor_id: core knows no domain, and the username in ``actor`` keeps the
    # history readable after the account is deleted.
    op.add_column("changes", sa.Column("actor_id", sa.Integer(), nullable=True))
    op.add_column("changes", sa.Column("actor", sa.String(length=150), server_default="", nullable=False))
    op.add_column(
        "changes",
        sa.Column(
            "fields",
            postgresql.ARRAY(sa.String(length=100)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
    )
    op.create_index("ix_changes_record", "changes", ["domain", "kind", "object_id", "cursor"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_changes_record", table_name="changes")
    op.drop_column("changes", "fields")
    op.drop_column("changes", "actor")
    op.drop_column("changes", "actor_id")
    op.drop_index(op.f("ix_event_submissions_event_id"), table_name="event_submissions")
    op.drop_index(op.f("ix_event_submissions_decided_by_id"), table_name="event_submissions")
    op.drop_index(op.f("ix_event_submissions_status"), table_name="event_submissions")
    op.drop_constraint(op.f("fk_event_submissions_event_id_events"), "event_submissions", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_event_submissions_decided_by_id_users"), "event_submissions", type_="foreignkey"
    )
    op.drop_constraint(op.f("ck_event_submissions_status"), "event_submissions", type_="check")
    op.drop_column("event_submissions", "decision_note")
    op.drop_column("event_submissions", "event_id")
    op.drop_column("event_submissions", "decided_by_id")
    op.drop_column("event_submissions", "decided_at")
    op.drop_column("event_submissions", "status")
    op.drop_index(op.f("ix_events_is_published"), table_name="events")
    op.drop_column("events", "is_published")
