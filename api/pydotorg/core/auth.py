"""Authentication middleware: one place that turns credentials into a ``Principal``.

Accepted credentials, per API generation:

* ``/api/v3/`` and the rest: ``Authorization: Bearer <token or API key>``, ``ApiKey
  <username>:<key>``, ``Token <key>``, or the browser session cookie (with a CSRF header on
  unsafe methods). An unknown scheme or a bad credential is a 401.
* ``/api/v1/`` (Tastypie): only ``ApiKey <username>:<key>``; no header means a guest; a
  malformed header, unknown user, wrong key or inactive user is a 401 with an empty body;
  ``username``/``api_key`` in the query string or form body is a 401. Cookies are ignored.
* ``/api/v2/`` (DRF): only ``Token <key>``; other schemes are ignored (anonymous), bad tokens
  get DRF's 401 ``{"detail": ...}`` bodies. Cookies are ignored.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import utcnow
from pydotorg.core.permissions import Principal
from pydotorg.core.tokens import digest
from pydotorg.domains.users.models import (
    ApiKey,
    AuthSession,
    GroupPermission,
    User,
    UserPermission,
    user_groups,
)
from pydotorg.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
_QUERY_CREDENTIALS = frozenset({"api_key", "apikey", "access_token"})


class _Reject(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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


async def _by_api_key(session: AsyncSession, key: str, *, username: str | None = None) -> User:
    stmt = (
        select(User, ApiKey.id)
        .join(ApiKey, ApiKey.user_id == User.id)
        .where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise _Reject("Invalid API key.")
    user, key_id = row
    if username is not None and user.username.lower() != username.lower():
        raise _Reject("Invalid API key.")
    if not user.is_active:
        raise _Reject("User inactive or deleted.")
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used=utcnow()))
    return user


async def _by_session(session: AsyncSession, token: str, kind: str) -> tuple[User, AuthSession]:
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
        raise _Reject("Invalid or expired token.")
    user, auth_session = row
    if not user.is_active:
        raise _Reject("User inactive or deleted.")
    return user, auth_session


async def _bearer(session: AsyncSession, value: str) -> Principal:
    """A log-in token, or any API key (personal keys start with ``pdo_``)."""
    if not value.startswith("pdo_"):
        try:
            user, auth = await _by_session(session, value, "token")
        except _Reject as exc:
            if exc.detail != "Invalid or expired token.":
                raise
        else:
            return await load_principal(session, user, method="token", session_id=auth.id)
    user = await _by_api_key(session, value)
    return await load_principal(session, user, method="apikey")


def _split_scheme(header: str) -> tuple[str, str]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), rest.strip()


class AuthMiddleware:
    """ASGI middleware placed on every route (see ``app.py``)."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessionmaker = sessionmaker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        sessionmaker = self.sessionmaker
        path: str = scope["path"]
        headers = Headers.from_scope(scope)
        if path.startswith("/api/v1/"):
            await self._legacy_v1(scope, receive, send, headers, sessionmaker)
        elif path.startswith("/api/v2/"):
            await self._legacy_v2(scope, receive, send, headers, sessionmaker)
        else:
            await self._modern(scope, receive, send, headers, sessionmaker, settings)

    async def _modern(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: Headers,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        authorization = headers.get("authorization")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if _QUERY_CREDENTIALS & query.keys():
            raise NotAuthorizedException("Credentials are not accepted in the query string.")
        principal: Principal | None = None
        if authorization is not None:
            scheme, value = _split_scheme(authorization)
            try:
                async with sessionmaker() as session:
                    if scheme == "bearer" and value:
                        principal = await _bearer(session, value)
                    elif scheme == "apikey":
                        username, key = _parse_apikey(value)
                        user = await _by_api_key(session, key, username=username)
                        principal = await load_principal(session, user, method="tastypie")
                    elif scheme == "token" and value and " " not in value:
                        user = await _by_api_key(session, value)
                        principal = await load_principal(session, user, method="drf")
                    else:
                        raise _Reject("Unsupported or malformed Authorization header.")
                    await session.commit()
            except _Reject as exc:
                raise NotAuthorizedException(exc.detail) from None
        else:
            cookie = _cookie(headers, settings.session_cookie_name)
            if cookie:
                async with sessionmaker() as session:
                    try:
                        user, auth = await _by_session(session, cookie, "cookie")
                    except _Reject:
                        user = None
                    if user is not None:
                        principal = await load_principal(
                            session,
                            user,
                            method="cookie",
                            session_id=auth.id,
                            csrf_token=auth.csrf_token,
                        )
            if principal is not None and scope.get("method", "GET") not in SAFE_METHODS:
                sent = headers.get(CSRF_HEADER, "")
                if not sent or not hmac.compare_digest(sent, principal.csrf_token):
                    raise PermissionDeniedException("CSRF token missing or incorrect.")
        scope["user"] = principal
        scope["auth"] = principal.method if principal else None
        await self.app(scope, receive, send)

    async def _legacy_v1(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: Headers,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if {"username", "api_key"} & query.keys():
            await _raw(send, 401, b"", "text/html; charset=utf-8")
            return
        checked = await _check_form_body(scope, receive, headers)
        if checked is None:
            await _raw(send, 401, b"", "text/html; charset=utf-8")
            return
        receive = checked
        principal: Principal | None = None
        authorization = headers.get("authorization")
        if authorization:
            scheme, value = _split_scheme(authorization)
            try:
                if scheme != "apikey":
                    raise _Reject("not an ApiKey header")
                username, key = _parse_apikey(value)
                async with sessionmaker() as session:
                    user = await _by_api_key(session, key, username=username)
                    principal = await load_principal(session, user, method="tastypie")
                    await session.commit()
            except _Reject:
                await _raw(send, 401, b"", "text/html; charset=utf-8")
                return
        scope["user"] = principal
        scope["auth"] = principal.method if principal else None
        await self.app(scope, receive, send)

    async def _legacy_v2(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: Headers,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        principal: Principal | None = None
        authorization = headers.get("authorization", "")
        parts = authorization.split()
        if parts and parts[0].lower() == "token":
            detail = None
            if len(parts) == 1:
                detail = "Invalid token header. No credentials provided."
            elif len(parts) > 2:
                detail = "Invalid token header. Token string should not contain spaces."
            else:
                try:
                    async with sessionmaker() as session:
                        user = await _by_api_key(session, parts[1])
                        principal = await load_principal(session, user, method="drf")
                        await session.commit()
                except _Reject as exc:
                    detail = exc.detail if exc.detail.startswith("User inactive") else "Invalid token."
            if detail is not None:
                body = msgspec.json.encode({"detail": detail})
                await _raw(send, 401, body, "application/json", www_authenticate="Token")
                return
        scope["user"] = principal
        scope["auth"] = principal.method if principal else None
        await self.app(scope, receive, send)


def _parse_apikey(value: str) -> tuple[str, str]:
    if value.count(":") != 1:
        raise _Reject("Malformed ApiKey header.")
    username, key = value.split(":", 1)
    if not username or not key or " " in value:
        raise _Reject("Malformed ApiKey header.")
    return username, key


def _cookie(headers: Headers, name: str) -> str | None:
    for raw in headers.getall("cookie", []):
        for part in raw.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name and value:
                return value
    return None


async def _check_form_body(scope: Scope, receive: Receive, headers: Headers) -> Receive | None:
    """Tastypie refuses ``username``/``api_key`` in a form body; returns None to refuse.

    The body is read and replayed to the application unchanged.
    """
    content_type = headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return receive
    chunks: list[bytes] = []
    more = True
    while more:
        message: dict[str, Any] = dict(await receive())
        chunks.append(bytes(message.get("body", b"")))
        more = bool(message.get("more_body", False))
    body = b"".join(chunks)
    fields = dict(parse_qsl(body.decode("latin-1")))
    if {"username", "api_key"} & fields.keys():
        return None
    replayed = False

    async def replay() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _raw(
    send: Send, status: int, body: bytes, content_type: str, *, www_authenticate: str = ""
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if www_authenticate:
        headers.append((b"www-authenticate", www_authenticate.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
