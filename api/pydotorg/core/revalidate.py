"""``304 Not Modified`` without running the handler, for `/api/v3/` reads that opt in (issue 17).

``core/httpcache.py`` answers ``If-None-Match`` after the handler has built the body and hashed it,
so a revalidation costs as much as a fresh answer. A read whose answer depends only on the request,
on what the caller may see and on data that goes through the change feed can do better: this
middleware (after authentication) remembers, per (caller, path, query string), the entity tag the
answer had at the current data version, and answers a matching ``If-None-Match`` at once, without a
database statement. It is a cache of validators, never of answers: a 200 is built every time.

A route opts in with ``opt={REVALIDATE: True}`` on its handler, which says that its answer is a
function of the request, the caller's rights and the change-fed data alone (no clock, no per-user
data outside the feed). The caller's part of the key is its rights (``Principal``'s user, flags
and permissions), so a grant or a revocation is a new key even when no content changed. The data
version is the one the legacy response cache trusts (``VERSION_KEY`` in Redis, read every few
milliseconds in the background, plus this process's own writes), so a write anywhere is seen here
within that interval, and at once in the process that made it. Without Redis nothing is
remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from pydotorg.core import changes
from pydotorg.core.httpcache import (
    COMPRESS_MIN_BYTES,
    PRIVATE,
    PUBLIC,
    choose_coding,
    coded_tag,
    entity_tag,
    none_match,
)
from pydotorg.core.lru import ByteLRU
from pydotorg.core.permissions import Principal

REVALIDATE = "revalidate"
VALIDATOR_BYTES = 1024 * 1024
ENTRY_OVERHEAD = 160  # bytes counted per remembered tag besides its path and query

Caller = tuple[int, bool, bool, frozenset[str]] | None
Key = tuple[Caller, str, bytes]
Validator = tuple[bytes, bytes, int]  # (data version, tag of the plain body, body length)


class DataVersion(Protocol):
    """The process's view of the shared data version (``legacy.middleware.SharedCounters``)."""

    version: bytes | None

    def ensure_running(self, redis: Redis) -> None: ...


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _caller(principal: Any) -> Caller:
    if not isinstance(principal, Principal) or not principal.is_active:
        return None
    return (principal.user_id, principal.is_staff, principal.is_superuser, principal.permissions)


class RevalidateMiddleware:
    """Placed after authentication; acts only on GETs of handlers with ``opt[REVALIDATE]``."""

    def __init__(self, app: ASGIApp, counters: DataVersion) -> None:
        self.app = app
        self.counters = counters
        # (caller, path, query) -> (data version, tag of the plain body, body length)
        self.tags: ByteLRU[Key, Validator] = ByteLRU(VALIDATOR_BYTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or handler is None
            or not handler.opt.get(REVALIDATE)
        ):
            await self.app(scope, receive, send)
            return
        self.counters.ensure_running(scope["app"].state.redis)
        shared = self.counters.version
        if shared is None:  # freshness unknown (Redis down or not read yet)
            await self.app(scope, receive, send)
            return
        version = shared + b"/" + str(changes.LOCAL_WRITES[0]).encode()
        caller = _caller(scope.get("user"))
        key: Key = (caller, scope["path"], scope.get("query_string", b""))
        credentialed = caller is not None or bool(
            _header(scope, b"authorization") or _header(scope, b"cookie")
        )
        # As core/httpcache decides it for a 200: any credential makes the answer private.
        cache_control = (PRIVATE if credentialed else PUBLIC).encode()
        if await not_modified(scope, send, self.tags.get(key), version, cache_control):
            return

        def remember(tag: bytes, length: int) -> None:
            self.tags.put(key, (version, tag, length), len(key[1]) + len(key[2]) + ENTRY_OVERHEAD)

        await self.app(scope, receive, tagging(send, remember))


async def not_modified(
    scope: Scope, send: Send, known: Validator | None, version: bytes, cache_control: bytes
) -> bool:
    """Answer ``304`` when ``If-None-Match`` names the tag the answer had at this data version
    (``known``), in the form core/httpcache would send it (``-br``/``-gzip`` when it would
    compress); True when it did."""
    if_none_match = _header(scope, b"if-none-match")
    if known is None or known[0] != version or if_none_match is None:
        return False
    _, tag, length = known
    coding = choose_coding(_header(scope, b"accept-encoding") or "") if length >= COMPRESS_MIN_BYTES else None
    sent = coded_tag(tag, coding)
    if not none_match(if_none_match, sent.decode("latin-1")):
        return False
    headers = [(b"etag", sent), (b"cache-control", cache_control)]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    return True


def tagging(send: Send, remember: Callable[[bytes, int], None]) -> Send:
    """``send`` for the handler: a ``200`` sent in one piece without an ``ETag`` gets its tag
    (``entity_tag``, so core/httpcache hashes nothing more), and ``remember(tag, length)`` is told."""
    start: list[Any] | None = None

    async def tagged(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start" and message["status"] == 200:
            start = list(message.get("headers", []))
            return
        if start is not None and message["type"] == "http.response.body":
            headers, start = start, None
            body = message.get("body", b"")
            if not message.get("more_body", False) and not any(h[0].lower() == b"etag" for h in headers):
                tag = entity_tag(body)
                headers.append((b"etag", tag))
                remember(tag, len(body))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(message)

    return tagged
