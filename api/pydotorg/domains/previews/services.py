"""Previews: tokens, the rows, and clean-up. The draft data itself is made by the controller from
each domain's own read shape (``controllers.draft_source``)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.domains.previews.models import PENDING, Preview

TOKEN_BYTES = 32  # 256 bits
RENDER_JOB = "previews.render"
CLEANUP_JOB = "previews.cleanup"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    session: AsyncSession,
    *,
    user_id: int,
    record_type: str,
    record_id: int,
    source: dict[str, Any],
    ttl_seconds: int,
) -> tuple[Preview, str]:
    """A new pending preview and its token (returned once, never stored)."""
    token = new_token()
    now = utcnow()
    preview = Preview(
        token_hash=token_hash(token),
        user_id=user_id,
        record_type=record_type,
        record_id=record_id,
        status=PENDING,
        source=source,
        created=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    session.add(preview)
    await session.flush()
    return preview, token


def live(preview: Preview | None, now: datetime | None = None) -> Preview:
    """The preview while it has not expired; 404 otherwise (as for a token never issued)."""
    if preview is None or preview.expires_at <= (now or utcnow()):
        raise NotFoundException("No such preview (it may have expired).")
    return preview


async def by_token(session: AsyncSession, token: str) -> Preview:
    return live(await session.scalar(select(Preview).where(Preview.token_hash == token_hash(token))))


async def by_id(session: AsyncSession, preview_id: int) -> Preview:
    return live(await session.get(Preview, preview_id))


async def delete_expired(session: AsyncSession) -> int:
    result = await session.execute(delete(Preview).where(Preview.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
