"""Credential lookup: the users, sessions, log-in tokens and API keys behind a credential, and
the ``Principal`` they make (with the user's permissions, direct and through groups).

``core.auth`` dispatches on the credential's form and calls these (``app.py`` wires them);
``legacy.credentials`` calls them for the Tastypie and DRF header forms. They only read: the
middleware caches what they answer and records an API key's use through ``record_api_key_use``
at most once a minute; ``invalidation`` makes those answers stale when what they read changes.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.auth import CredentialRejected, Identified, Usage, reject_unsupported
from pydotorg.core.permissions import Principal
from pydotorg.core.tokens import digest
from pydotorg.domains.users.invalidation import NOT_AUTH_STATE
from pydotorg.domains.users.models import (
    ApiKey,
    AuthSession,
    GroupPermission,
    User,
    UserPermission,
    user_groups,
)

INVALID_API_KEY = "Invalid API key."
INVALID_TOKEN = "Invalid or expired token."
INACTIVE = "User inactive or deleted."


async def load_principal(
    session: AsyncSession,
    user: User,
    *,
    method: str,
    session_id: int | None = None,
    csrf_token: str = "",
) -> Principal:
    perms: set[str] = set()
    if user.is_active and not user.is_superuser:
        direct = select(UserPermission.permission).where(UserPermission.user_id == user.id)
        via_groups = (
            select(GroupPermission.permission)
            .join(user_groups, user_groups.c.group_id == GroupPermission.group_id)
            .where(user_groups.c.user_id == user.id)
        )
        perms = set(await session.scalars(direct.union(via_groups)))
    return Principal(
        user_id=user.id,
        username=user.username,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_active=user.is_active,
        permissions=frozenset(perms),
        method=method,
        session_id=session_id,
        csrf_token=csrf_token,
    )


async def user_by_api_key(
    session: AsyncSession, key: str, *, username: str | None = None
) -> tuple[User, int]:
    """The active owner of an unrevoked API key (whose name must match ``username`` when given)
    and the key's id. Raises ``CredentialRejected``."""
    stmt = (
        select(User, ApiKey.id)
        .join(ApiKey, ApiKey.user_id == User.id)
        .where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise CredentialRejected(INVALID_API_KEY)
    user, key_id = row
    if username is not None and user.username.lower() != username.lower():
        raise CredentialRejected(INVALID_API_KEY)
    if not user.is_active:
        raise CredentialRejected(INACTIVE)
    return user, key_id


async def record_api_key_use(session: AsyncSession, when: datetime, since: datetime, *, key_id: int) -> None:
    """``last_used = when``, unless another process wrote it at or after ``since``. Bookkeeping:
    it does not change what the key resolves to (``NOT_AUTH_STATE``)."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, or_(ApiKey.last_used.is_(None), ApiKey.last_used < since))
        .values(last_used=when)
        .execution_options(**{NOT_AUTH_STATE: True})
    )


async def api_key_principal(
    session: AsyncSession, key: str, *, method: str, username: str | None = None
) -> Identified:
    user, key_id = await user_by_api_key(session, key, username=username)
    return Identified(
        await load_principal(session, user, method=method),
        # Throttled by the key's digest, not its id: ids can be reused (a restored database).
        usage=Usage(("api_key", digest(key)), partial(record_api_key_use, key_id=key_id)),
    )


async def user_by_session(session: AsyncSession, token: str, kind: str) -> tuple[User, AuthSession]:
    """The active user of an unexpired, unrevoked session of ``kind`` (token or cookie)."""
    stmt = (
        select(User, AuthSession)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_hash == digest(token),
            AuthSession.kind == kind,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires > func.now(),
        )
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise CredentialRejected(INVALID_TOKEN)
    user, auth_session = row
    if not user.is_active:
        raise CredentialRejected(INACTIVE)
    return user, auth_session


async def bearer(session: AsyncSession, value: str) -> Identified:
    """``Authorization: Bearer``: a log-in token, or any API key (personal keys start with
    ``pdo_``)."""
    if not value:
        reject_unsupported()
    if not value.startswith("pdo_"):
        try:
            user, auth = await user_by_session(session, value, "token")
        except CredentialRejected as exc:
            if exc.detail != INVALID_TOKEN:
                raise
        else:
            principal = await load_principal(session, user, method="token", session_id=auth.id)
            return Identified(principal, expires=auth.expires)
    return await api_key_principal(session, value, method="apikey")


async def cookie(session: AsyncSession, value: str) -> Identified | None:
    """The browser session cookie; an unknown or expired one is no principal (anonymous)."""
    try:
        user, auth = await user_by_session(session, value, "cookie")
    except CredentialRejected:
        return None
    principal = await load_principal(
        session, user, method="cookie", session_id=auth.id, csrf_token=auth.csrf_token
    )
    return Identified(principal, expires=auth.expires)
