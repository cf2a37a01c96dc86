"""API keys: creating, listing and revoking an account's keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core import tokens
from pydotorg.core.db import utcnow
from pydotorg.core.records import get_visible_or_404
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import ApiKey


async def create_api_key(
    session: AsyncSession,
    user_id: int,
    name: str,
    *,
    key: str | None = None,
    origin: str = "personal",
) -> tuple[ApiKey, str]:
    key = key or tokens.new_api_key()
    api_key = ApiKey(user_id=user_id, name=name, prefix=key[:12], key_hash=tokens.digest(key), origin=origin)
    session.add(api_key)
    await session.flush()
    return api_key, key


async def list_api_keys(session: AsyncSession, user_id: int) -> list[schemas.ApiKeyRead]:
    keys = await session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id))
    return [
        schemas.ApiKeyRead(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            origin=k.origin,
            created=k.created,
            last_used=k.last_used,
            revoked_at=k.revoked_at,
        )
        for k in keys
    ]


async def revoke_api_key(session: AsyncSession, user_id: int, key_id: int) -> None:
    key = await get_visible_or_404(
        session, ApiKey, (ApiKey.id == key_id) & (ApiKey.user_id == user_id), f"No API key with id {key_id}."
    )
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    await session.flush()
