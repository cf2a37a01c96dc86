"""A preview: who asked for it, of which record, the draft data the site builder renders (readable
with the builder's key only) and, once rendered, the page. Only the SHA-256 of the token is kept:
the token itself is in the private URL the editor was given, and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK, utcnow

PENDING = "pending"
READY = "ready"
FAILED = "failed"
STATUSES = (PENDING, READY, FAILED)


class Preview(IntPK, Base):
    """Not in the change feed: a preview is never published."""

    __tablename__ = "previews"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    # The draft as the builder's public reads would get it once published (``source``), and
    # the rendered page.
    source: Mapped[dict[str, Any]] = mapped_column(JSONB)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
