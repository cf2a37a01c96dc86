"""Authentication middleware: one place that turns credentials into a ``Principal``.

The middleware knows the forms credentials take, not where they are kept: ``app.py`` gives it
the lookups (``domains.users.credentials``) and the legacy rules (``legacy.credentials``).

* ``/api/v3/`` and the rest: ``Authorization: <scheme> <value>`` with one of the ``schemes`` it
  is given (``Bearer <token or API key>``, and the legacy ``ApiKey <username>:<key>`` and
  ``Token <key>``), or the browser session cookie (with a CSRF header on unsafe methods). An
  unknown scheme or a bad credential is a 401; credentials in the query string are refused.
* A path under one of the ``prefixes`` (``/api/v1/``, ``/api/v2/``) is authenticated by that
  prefix's own rules, which may answer with their API generation's own 401 (``Refused``).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import parse_qsl

from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.permissions import Principal
from pydotorg.settings import Settings

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


# ``Authorization: <scheme> <value>`` -> the principal (raises CredentialRejected). The
# middleware commits the session afterwards (a lookup may record the credential's use).
SchemeLookup = Callable[[AsyncSession, str], Awaitable[Principal]]
# The session cookie's value -> the principal, or None (anonymous).
CookieLookup = Callable[[AsyncSession, str], Awaitable[Principal | None]]
# A path prefix's own rules: the principal (or None) and the ``receive`` to pass on (a rule may
# read the body and replay it); raises Refused to answer the request itself.
PrefixRules = Callable[
    [Scope, Receive, Headers, async_sessionmaker[AsyncSession]],
    Awaitable[tuple[Principal | None, Receive]],
]


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
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.schemes = schemes
        self.cookie = cookie
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers.from_scope(scope)
        for prefix, rules in self.prefixes.items():
            if path.startswith(prefix):
                try:
                    principal, receive = await rules(scope, receive, headers, self.sessionmaker)
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
                async with self.sessionmaker() as session:
                    principal = await lookup(session, value)
                    await session.commit()
            except CredentialRejected as exc:
                raise NotAuthorizedException(exc.detail) from None
            return principal
        cookie = _cookie(headers, self.settings.session_cookie_name)
        if cookie:
            async with self.sessionmaker() as session:
                principal = await self.cookie(session, cookie)
        if principal is not None and scope.get("method", "GET") not in SAFE_METHODS:
            sent = headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent, principal.csrf_token):
                raise PermissionDeniedException("CSRF token missing or incorrect.")
        return principal


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
