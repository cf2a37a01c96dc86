"""Authentication middleware: one place that turns credentials into a ``Principal``.

The middleware knows the forms credentials take, not where they are kept: ``app.py`` gives it
the lookups (``domains.users.credentials``) and the legacy rules (``legacy.credentials``).

* ``/api/v3/`` and the rest: ``Authorization: <scheme> <value>`` with one of the ``schemes`` it
  is given (``Bearer <token or API key>``, and the legacy ``ApiKey <username>:<key>`` and
  ``Token <key>``), or the browser session cookie (with a CSRF header on unsafe methods). An
  unknown scheme or a bad credential is a 401; credentials in the query string are refused.
* A path under one of the ``prefixes`` (``/api/v1/``, ``/api/v2/``) is authenticated by that
  prefix's own rules, which may answer with their API generation's own 401 (``Refused``).

Every lookup goes through ``AuthMiddleware.resolve``: what a credential resolved to (principal,
anonymous or rejection) is kept in the process's ``AuthCache`` for a few seconds, so a repeated
credential opens no database session; a credential whose use is recorded (an API key) is written
at most once a minute (``core/authcache.py``).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn, cast
from urllib.parse import parse_qsl

import structlog
from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.authcache import MISSING, AuthCache
from pydotorg.core.changes import Actor, acting_as
from pydotorg.core.permissions import Principal
from pydotorg.core.tokens import digest
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
UNSUPPORTED = "Unsupported or malformed Authorization header."
_QUERY_CREDENTIALS = frozenset({"api_key", "apikey", "access_token"})


class CredentialRejected(Exception):
    """A credential that names no active user; ``detail`` says why (the 401's detail)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def reject_unsupported() -> NoReturn:
    raise CredentialRejected(UNSUPPORTED)


@dataclass(eq=False)  # exceptions stay hashable
class Refused(Exception):
    """A prefix's rules answer the request themselves (a legacy API's own 401 shape)."""

    status: int
    body: bytes
    content_type: str
    www_authenticate: str = ""


# Writes a stored credential's use: (session, when, skip the row if already written since).
RecordUse = Callable[[AsyncSession, datetime, datetime], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Usage:
    """A stored credential whose use is recorded (an API key's ``last_used``); ``key`` names it
    for the once-per-interval throttle."""

    key: Hashable
    record: RecordUse


@dataclass(frozen=True, slots=True)
class Identified:
    """What a lookup found: the principal, when the credential stops working by itself (a
    session's end: the cache keeps it no longer) and the use to record, if any."""

    principal: Principal
    expires: datetime | None = None
    usage: Usage | None = None


@dataclass(frozen=True, slots=True)
class _Rejection:
    detail: str


# ``Authorization: <scheme> <value>`` -> who it names (raises CredentialRejected). Lookups only
# read; the middleware records the use and caches the answer.
SchemeLookup = Callable[[AsyncSession, str], Awaitable[Identified]]
# The session cookie's value -> who it names, or None (anonymous).
CookieLookup = Callable[[AsyncSession, str], Awaitable[Identified | None]]
# How a prefix's rules run a lookup: ``resolve(kind, lookup, value)``, cached under ``kind`` (the
# scheme's name: one kind, one lookup); raises CredentialRejected.
Resolve = Callable[[str, SchemeLookup, str], Awaitable[Principal]]
# A path prefix's own rules: the principal (or None) and the ``receive`` to pass on (a rule may
# read the body and replay it); raises Refused to answer the request itself.
PrefixRules = Callable[[Scope, Receive, Headers, Resolve], Awaitable[tuple[Principal | None, Receive]]]


def split_scheme(header: str) -> tuple[str, str]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), rest.strip()


class AuthMiddleware:
    """ASGI middleware placed on every route (see ``app.py``)."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        schemes: Mapping[str, SchemeLookup],
        cookie: CookieLookup,
        prefixes: Mapping[str, PrefixRules],
        cache: AuthCache,
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.schemes = schemes
        self.cookie = cookie
        self.prefixes = prefixes
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers.from_scope(scope)
        for prefix, rules in self.prefixes.items():
            if path.startswith(prefix):
                try:
                    principal, receive = await rules(scope, receive, headers, self.resolve)
                except Refused as refused:
                    await send_raw(
                        send,
                        refused.status,
                        refused.body,
                        refused.content_type,
                        www_authenticate=refused.www_authenticate,
                    )
                    return
                break
        else:
            principal = await self._authenticate(scope, headers)
        scope["user"] = principal
        scope["auth"] = principal.method if principal else None
        # The change feed names who made each change this request writes (core/changes.py).
        with acting_as(Actor(principal.user_id, principal.username) if principal else None):
            await self.app(scope, receive, send)

    async def _authenticate(self, scope: Scope, headers: Headers) -> Principal | None:
        authorization = headers.get("authorization")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if _QUERY_CREDENTIALS & query.keys():
            raise NotAuthorizedException("Credentials are not accepted in the query string.")
        principal: Principal | None = None
        if authorization is not None:
            scheme, value = split_scheme(authorization)
            lookup = self.schemes.get(scheme)
            try:
                if lookup is None:
                    reject_unsupported()
                principal = await self.resolve(scheme, lookup, value)
            except CredentialRejected as exc:
                raise NotAuthorizedException(exc.detail) from None
            return principal
        cookie = _cookie(headers, self.settings.session_cookie_name)
        if cookie:
            found = await self._identify("cookie", self.cookie, cookie)
            principal = found.principal if found else None
        if principal is not None and scope.get("method", "GET") not in SAFE_METHODS:
            sent = headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent, principal.csrf_token):
                raise PermissionDeniedException("CSRF token missing or incorrect.")
        return principal

    async def resolve(self, kind: str, lookup: SchemeLookup, value: str) -> Principal:
        """The principal ``value`` names (raises CredentialRejected), from the cache if fresh."""
        found = await self._identify(kind, lookup, value)
        if found is None:  # a scheme lookup never answers "anonymous"
            raise CredentialRejected(UNSUPPORTED)
        return found.principal

    async def _identify(
        self, kind: str, lookup: Callable[[AsyncSession, str], Awaitable[Identified | None]], value: str
    ) -> Identified | None:
        cache = self.cache
        key = (kind, digest(value))
        # Read before the lookup: an answer found while a change commits is kept under the
        # generation that change makes stale.
        generation = await cache.generation()
        cached = cache.get(key, generation)
        if cached is MISSING:
            async with self.sessionmaker() as session:
                try:
                    found = await lookup(session, value)
                except CredentialRejected as exc:
                    cache.put(key, generation, _Rejection(exc.detail))
                    raise
                if found is not None and found.usage is not None:
                    when = cache.use_due(found.usage.key)
                    if when is not None:
                        await found.usage.record(session, when, when - cache.use_interval)
                        await session.commit()
            cache.put(key, generation, found, expires=found.expires if found else None)
            return found
        if isinstance(cached, _Rejection):
            raise CredentialRejected(cached.detail)
        identified = cast("Identified | None", cached)
        if identified is not None and identified.usage is not None:
            await self._record_use(identified.usage)
        return identified

    async def _record_use(self, usage: Usage) -> None:
        when = self.cache.use_due(usage.key)
        if when is None:
            return
        try:
            async with self.sessionmaker() as session:
                await usage.record(session, when, when - self.cache.use_interval)
                await session.commit()
        except (SQLAlchemyError, OSError) as exc:  # bookkeeping: the request does not need it
            log.warning("credential_use_not_recorded", error=str(exc))


def _cookie(headers: Headers, name: str) -> str | None:
    for raw in headers.getall("cookie", []):
        for part in raw.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name and value:
                return value
    return None


async def send_raw(
    send: Send, status: int, body: bytes, content_type: str, *, www_authenticate: str = ""
) -> None:
    """Answer without the application (a refused legacy credential)."""
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if www_authenticate:
        headers.append((b"www-authenticate", www_authenticate.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
