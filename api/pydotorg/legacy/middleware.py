"""Throttling and response caching for GETs on the legacy APIs, without a round trip per request.

The legacy read endpoints are what release tooling and PSF sites poll. Their answers change only
when the data does, so a rendered response is kept in process memory, tagged with the data
version. A background task per process, every ``SYNC_INTERVAL`` seconds, reads the version (a
Redis counter every committed write bumps) and adds this process's request counts to the shared
fixed-window throttle counters (``INCRBY``), reading back the totals of all processes. The hot
path touches only memory: it counts the request locally, compares the known total with the limit,
and serves a cached body when the version matches.

Consequences, chosen on purpose: a write is visible at once in the process that made it and
within ``SYNC_INTERVAL`` in the others; a throttle may let through up to ``SYNC_INTERVAL`` worth
of extra requests from other processes. Staff callers are never served from the cache. Without
Redis nothing is cached and throttling is per process.

A route open only to holders of a permission names it in its handler's ``opt[ROUTE_PERMISSION]``
(the v2 sponsor endpoints): callers without it go straight to the handler, which refuses them
(DRF checks permissions before throttles), and those with it share the cached answer.

The cache is bounded in bytes (``settings.legacy_cache_bytes``) and keyed by the path and the part
of the query string the route's handler reads (``query_rules()``, by operation id): parameters a
handler ignores do not make new entries, and a request whose parameters the handler would echo
(Tastypie's ``next``/``previous`` links keep every parameter) or that this module does not know is
answered without the cache. A cached answer carries its ``ETag`` (``core.httpcache``), so serving
it again hashes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from pydotorg.core import changes
from pydotorg.core.changes import VERSION_KEY
from pydotorg.core.httpcache import PRIVATE, entity_tag
from pydotorg.core.lru import ByteLRU
from pydotorg.core.permissions import Principal
from pydotorg.core.ratelimit import peer_ip
from pydotorg.core.revalidate import not_modified, tagging
from pydotorg.legacy import v1, v2
from pydotorg.settings import Settings, parse_rate

log = structlog.get_logger(__name__)

SYNC_INTERVAL = 0.05
MAX_AGE = 30.0
MAX_BODY = 4 * 1024 * 1024
VALIDATOR_BYTES = 1024 * 1024


ENTRY_OVERHEAD = 256  # bytes counted per entry besides its key, headers and body
ROUTE_PERMISSION = "legacy_permission"


class SharedCounters:
    """Process-local view of the Redis data version and throttle counters (see module doc)."""

    def __init__(self) -> None:
        self.version: bytes | None = None
        self.pending: dict[str, int] = defaultdict(int)
        self.inflight: dict[str, int] = {}  # counts being sent to Redis right now
        self.known: dict[str, int] = {}
        self.expiry: dict[str, int] = {}
        self.task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def __deepcopy__(self, memo: Any) -> SharedCounters:  # shared, never copied with the app
        return self

    def ensure_running(self, redis: Redis) -> None:
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop = loop
            self.task = loop.create_task(self._run(redis))

    def hit(self, key: str, window: int) -> int:
        self.pending[key] += 1
        self.expiry[key] = window + 1
        return self.known.get(key, 0) + self.inflight.get(key, 0) + self.pending[key]

    async def _run(self, redis: Redis) -> None:
        failures = 0
        while True:
            try:
                await self.sync(redis)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.version = None  # freshness unknown: stop serving from the cache
                failures += 1
                if failures in (1, 100) or failures % 1000 == 0:
                    log.warning("legacy_sync_failed", error=str(exc), failures=failures)
            await asyncio.sleep(SYNC_INTERVAL)

    async def sync(self, redis: Redis) -> None:
        pending, self.pending = self.pending, defaultdict(int)
        self.inflight = dict(pending)
        keys = list(pending)
        try:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.get(VERSION_KEY)
                for key in keys:
                    pipe.incrby(key, pending[key])
                    pipe.expire(key, self.expiry.get(key, 3600))
                results = await pipe.execute()
        except BaseException:
            for key, count in pending.items():  # keep the counts for the next attempt
                self.pending[key] += count
            self.inflight = {}
            raise
        self.version = results[0] or b"0"
        now_keys = set(keys)
        for i, key in enumerate(keys):
            self.known[key] = int(results[1 + 2 * i])
        self.inflight = {}
        # Forget windows that ended (their keys carry the window start).
        for key in list(self.known):
            if key not in now_keys and key not in self.pending:
                window_start = int(key.rsplit(":", 1)[1])
                if window_start + self.expiry.get(key, 3600) < time.time():
                    self.known.pop(key, None)
                    self.expiry.pop(key, None)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task
            self.task = None


Entry = tuple[bytes, float, list[Any], bytes]


class ResponseCache:
    """Rendered answers by key, least recently used first out, at most ``max_bytes`` in all
    (core.lru); an answer of another data version, or older than ``MAX_AGE``, is dropped when
    asked for."""

    def __init__(self, max_bytes: int) -> None:
        self.lru: ByteLRU[tuple[str, str], Entry] = ByteLRU(max_bytes)

    @property
    def entries(self) -> Mapping[tuple[str, str], Entry]:
        return self.lru.entries

    @property
    def size(self) -> int:
        return self.lru.size

    @staticmethod
    def cost(key: tuple[str, str], entry: Entry) -> int:
        _, _, headers, body = entry
        return (
            len(key[0])
            + len(key[1])
            + len(body)
            + sum(len(name) + len(value) for name, value in headers)
            + ENTRY_OVERHEAD
        )

    def get(self, key: tuple[str, str], version: bytes) -> tuple[list[Any], bytes] | None:
        entry = self.lru.get(key)
        if entry is None:
            return None
        entry_version, stored, headers, body = entry
        if entry_version != version or time.monotonic() - stored > MAX_AGE:
            self.lru.pop(key)
            return None
        return headers, body

    def put(self, key: tuple[str, str], version: bytes, headers: list[Any], body: bytes) -> None:
        entry = (version, time.monotonic(), headers, body)
        self.lru.put(key, entry, self.cost(key, entry))


# --- what a route reads of the query string -----------------------------------------------------

QueryRule = Callable[[list[tuple[str, str]], str], "str | None"]


def _ignored(params: list[tuple[str, str]], query: str) -> str | None:
    """Detail, set, schema and index routes: the query string changes nothing."""
    return ""


def _last_values(names: tuple[str, ...], *, blank_is_absent: bool, others_refused: bool) -> QueryRule:
    """A DRF filter set or serializer: the last value of each name it reads; a blank value is no
    filter when ``blank_is_absent``; other parameters are ignored, or answered with a 400 (never
    cached) when ``others_refused``."""

    def rule(params: list[tuple[str, str]], query: str) -> str | None:
        if others_refused and any(name not in names for name, _ in params):
            return None
        values = dict(params)
        read = [(n, values[n]) for n in names if n in values and (values[n] or not blank_is_absent)]
        return urlencode(read)

    return rule


def _tastypie_list(fields: tuple[str, ...]) -> QueryRule:
    """Tastypie echoes every parameter into ``meta.next``/``previous``: cache the query as it is,
    and only when each parameter is one the resource reads (paging, the format, a field filter)."""
    known = frozenset(fields)

    def rule(params: list[tuple[str, str]], query: str) -> str | None:
        for name, _ in params:
            if name not in ("limit", "offset", "format") and name.split("__", 1)[0] not in known:
                return None
        return query

    return rule


@cache
def query_rules() -> dict[str, QueryRule]:
    """By operation id: the routes of ``legacy/v1.py``, ``legacy/v2.py`` and
    ``legacy/sponsors.py`` (``placement_filters``, ``asset_filters``). A route missing here is
    cached only when its query string is empty."""
    rules: dict[str, QueryRule] = {"v1_index": _ignored, "v2_root": _ignored}
    for name, resource in v1.RESOURCES.items():
        op = name.replace("/", "_")
        rules[f"v1_{op}_list"] = _tastypie_list(resource.fields)
        for kind in ("schema", "set", "detail"):
            rules[f"v1_{op}_{kind}"] = _ignored
        rules[f"v2_{op}_detail"] = _ignored
        if name in v2.STRICT:
            strict = tuple(v2.STRICT[name])
            rules[f"v2_{op}_list"] = _last_values(strict, blank_is_absent=True, others_refused=True)
        elif name in v2.SIMPLE:
            simple = tuple(v2.SIMPLE[name])
            rules[f"v2_{op}_list"] = _last_values(simple, blank_is_absent=True, others_refused=False)
    rules["v2_sponsors_logo_placement"] = _last_values(
        ("publisher", "flight", "year"), blank_is_absent=True, others_refused=False
    )
    rules["v2_sponsors_sponsorship_assets"] = _last_values(
        ("internal_name", "list_empty"), blank_is_absent=False, others_refused=False
    )
    return rules


def query_key(scope: Scope) -> str | None:
    """The cache key's query part for this request, or ``None``: answer it without the cache."""
    query = scope.get("query_string", b"").decode("latin-1")
    if not query:
        return ""
    handler = scope.get("route_handler")
    rule = query_rules().get(getattr(handler, "operation_id", None) or "")
    if rule is None:
        return None
    return rule(parse_qsl(query, keep_blank_values=True), query)


def _admitted(scope: Scope, principal: Principal | None) -> bool:
    """Whether the route lets the caller in: staff and holders of the permission its handler
    names in ``opt[ROUTE_PERMISSION]``; everyone on other routes."""
    handler = scope.get("route_handler")
    required = handler.opt.get(ROUTE_PERMISSION) if handler is not None else None
    if required is None:
        return True
    return (
        principal is not None and principal.is_active and (principal.is_staff or principal.has_perm(required))
    )


class LegacyReadMiddleware:
    """Placed on the /api/v1/ and /api/v2/ routers (after authentication)."""

    def __init__(self, app: ASGIApp, settings: Settings, version: str, counters: SharedCounters) -> None:
        self.app = app
        self.settings = settings
        self.version = version
        self.counters = counters
        self.cache = ResponseCache(settings.legacy_cache_bytes)
        # Staff answers are never cached, but their entity tags are: (path, query) -> (data
        # version, tag of the plain body, body length). A staff client revalidating gets its
        # 304 without the answer being rebuilt (VALIDATOR_BYTES, a few thousand answers).
        self.validators: ByteLRU[tuple[str, str], tuple[bytes, bytes, int]] = ByteLRU(VALIDATOR_BYTES)
        self.computing: dict[tuple[str, ...], asyncio.Future[tuple[list[Any], bytes] | None]] = {}
        self.v1 = parse_rate(settings.v1_throttle)
        self.v2_anon = parse_rate(settings.v2_throttle_anon)
        self.v2_user = parse_rate(settings.v2_throttle_user)

    def _bucket(self, scope: Scope, principal: Principal | None) -> tuple[str, int, int]:
        if self.version == "v1":
            who = f"user:{principal.username.lower()}" if principal else f"ip:{peer_ip(scope, self.settings)}"
            return f"rl:v1:{who}", *self.v1
        if principal is None:
            return f"rl:v2-anon:ip:{peer_ip(scope, self.settings)}", *self.v2_anon
        return f"rl:v2-user:user:{principal.user_id}", *self.v2_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        self.counters.ensure_running(scope["app"].state.redis)
        principal = scope.get("user")
        principal = principal if isinstance(principal, Principal) else None
        if not _admitted(scope, principal):
            await self.app(scope, receive, send)
            return
        bucket, limit, window = self._bucket(scope, principal)
        now = int(time.time())
        start = now - now % window
        if self.counters.hit(f"{bucket}:{start}", window) > limit:
            await self._throttled(send, max(start + window - now, 1))
            return
        staff = principal is not None and principal.is_active and principal.is_staff
        shared = self.counters.version
        query = query_key(scope)
        if staff and shared is not None and query is not None:
            version = shared + b"/" + str(changes.LOCAL_WRITES[0]).encode()
            await self._revalidated(scope, receive, send, (scope["path"], query), version)
            return
        if staff or shared is None or query is None or self.cache.lru.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        version = shared + b"/" + str(changes.LOCAL_WRITES[0]).encode()
        cache_key = (scope["path"], query)
        cached = self.cache.get(cache_key, version)
        if cached is None and (pending := self.computing.get((*cache_key, version.decode()))) is not None:
            cached = await asyncio.shield(pending)  # one computation per key; the others wait for it
        if cached is not None:
            headers, body = cached
            await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        flight = (*cache_key, version.decode())
        future: asyncio.Future[tuple[list[Any], bytes] | None] = asyncio.get_running_loop().create_future()
        self.computing[flight] = future
        try:
            await self._capture(scope, receive, send, cache_key, version)
        finally:
            self.computing.pop(flight, None)
            if not future.done():
                future.set_result(self.cache.get(cache_key, version))

    async def _revalidated(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, str], version: bytes
    ) -> None:
        """A staff read: ``304`` at once when ``If-None-Match`` names the tag this answer had at
        this data version (as ``core/httpcache.py`` would send it: ``-br`` or ``-gzip`` when it
        would compress), else the handler, whose answer's tag is remembered. Staff answers depend on
        the data and the request alone (every staff caller sees the same), so the tag of one
        staff caller's answer is every staff caller's."""
        if await not_modified(scope, send, self.validators.get(key), version, PRIVATE.encode()):
            return

        def remember(tag: bytes, length: int) -> None:
            self.validators.put(key, (version, tag, length), len(key[0]) + len(key[1]) + 128)

        await self.app(scope, receive, tagging(send, remember))

    async def _capture(
        self, scope: Scope, receive: Receive, send: Send, cache_key: tuple[str, str], version: bytes
    ) -> None:
        status = 0
        headers: list[Any] = []
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal status, headers, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and size <= MAX_BODY:
                body = message.get("body", b"")
                chunks.append(body)
                size += len(body)
                if not message.get("more_body", False) and status == 200 and size <= MAX_BODY:
                    whole = b"".join(chunks)
                    cacheable = [h for h in headers if h[0].lower() != b"set-cookie"]
                    if not any(h[0].lower() == b"etag" for h in cacheable):
                        cacheable.append((b"etag", entity_tag(whole)))
                    self.cache.put(cache_key, version, cacheable, whole)
            await send(message)

        await self.app(scope, receive, capture)

    async def _throttled(self, send: Send, wait: int) -> None:
        if self.version == "v1":
            body = b""
            content_type = b"text/html; charset=utf-8"
        else:
            unit = "second" if wait == 1 else "seconds"
            body = msgspec.json.encode(
                {"detail": f"Request was throttled. Expected available in {wait} {unit}."}
            )
            content_type = b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
