"""Optimistic concurrency on /api/v3/: ``If-Match`` on writes, ``412 Precondition Failed``, and
the new ``ETag`` on a successful write (issue 20; RFC 9110 13.1.1 and 13.2). docs/api/concurrency.md
tells clients how to use it.

``IfMatchMiddleware`` sits in the app's middleware list just inside ``AuthMiddleware``: the route is
resolved and the caller known. Core knows no domain; everything is derived from the routes.

- **The record a write is about** (its *target*): the write's own URL if it has a ``GET`` route
  (the record itself; a collection for a create); otherwise the nearest ancestor URL with a ``GET``
  route whose template ends in a path parameter (``POST /api/v3/pages/7/publish`` is about
  ``/api/v3/pages/7``). A URL with neither has no representation.
- **Order.** The write's own guards run first (``authorize_connection``). If they refuse, the
  request goes on untouched and the handler refuses it as it does without the header (401, 403):
  preconditions are evaluated only after the normal request checks (RFC 9110 13.2.1), so a caller
  without the right learns nothing from a 412 it would not learn from a 401 or 403.
- **Evaluation.** The target is read by calling its ``GET`` route in process, as the same caller
  (the authenticated principal of the write, the same headers minus the conditional ones and
  ``Accept-Encoding``), beneath the access log, the metrics, the HTTP cache and the authentication
  middleware: no second request line, nothing counted, no extra authentication. Its tag is the one
  ``core/httpcache`` gives that answer (the handler's own ``ETag``, else ``entity_tag`` of the body).
  ``If-Match`` matches by strong comparison (``W/`` tags never match); the ``-gzip`` and ``-br`` tags
  of the same body match too; ``*`` matches any readable record. A target that is not a readable 200 for this
  caller (missing, hidden, no ``GET``) matches nothing: 412, never the write's 404, so a 412 does
  not tell a record that exists but is hidden from one that does not.
- **412** carries the API's error body naming the problem and, when the record is readable, its
  current ``ETag``. Nothing is written: the handler never runs.
- **Serialization.** A write with ``If-Match`` holds a Redis lock on its target (``SET NX PX``) from
  before the read until its answer is sent, so two such writes with the same tag cannot both pass:
  the second reads the first one's result and gets a 412. Writes without ``If-Match`` take no lock
  and may still interleave with a conditional one. Redis down: 503 (core/availability.py).
- **New tag.** A 200 answer of ``PUT``/``PATCH``/``POST`` whose target is a record and whose JSON
  body is exactly what ``GET`` of the record now answers gets that ``ETag`` (one more in-process
  read, compared byte for byte, so a body that is not the record never gets a tag it does not have).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

import structlog
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Schema,
)
from litestar.routes import HTTPRoute
from litestar.types import (
    ASGIApp,
    HTTPRequestEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)
from litestar.utils.path import normalize_path
from litestar.utils.scope.state import ScopeState

from pydotorg.core.availability import RETRY_AFTER_SECONDS, V3_DETAIL, is_unavailable
from pydotorg.core.httpcache import (
    ENTITY_TAG,
    MAX_BODY,
    entity_tag,
    header_value,
    is_json,
    response_start,
)

log = structlog.get_logger(__name__)

V3_PREFIX = "/api/v3/"
WRITES = frozenset({"PUT", "PATCH", "DELETE", "POST"})
TAGGED_WRITES = frozenset({"PUT", "PATCH", "POST"})
LOCK_PREFIX = "ifmatch:"
LOCK_TTL_MS = 30_000  # longer than any write; a crashed process's lock expires by itself
LOCK_WAIT_SECONDS = 10.0
CHANGED = (
    "Precondition failed: the record changed since it was read (If-Match does not match its current "
    "ETag). Read it again and retry."
)
UNREADABLE = (
    "Precondition failed: there is no current record at this URL that you can read, so If-Match cannot match."
)
BUSY = "Another conditional write to this record is still running; try again later."
# Request headers the internal read leaves out: the conditions are the write's, and the tag is the
# plain body's (the -gzip and -br ones are derived from it).
_NOT_READ = frozenset(
    {
        b"if-match",
        b"if-none-match",
        b"if-modified-since",
        b"if-unmodified-since",
        b"if-range",
        b"range",
        b"content-type",
        b"content-length",
        b"transfer-encoding",
        b"accept-encoding",
    }
)
# Scope keys the internal read copies; everything else (Litestar's per-connection state, Advanced
# Alchemy's session slot, the routing result) is its own.
_COPIED = (
    "type",
    "asgi",
    "http_version",
    "scheme",
    "server",
    "client",
    "root_path",
    "extensions",
    "app",
    "litestar_app",
    "user",
    "auth",
    "session",
)
_UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a write's ``If-Match`` is evaluated against."""

    path: str
    query: bytes
    route: HTTPRoute
    handler: Any
    params: dict[str, Any]
    template: str
    record: bool  # its template ends in a path parameter


@dataclass(frozen=True, slots=True)
class Read:
    status: int  # 200: the caller can read it (it has a current representation)
    body: bytes
    etag: bytes | None  # the tag core/httpcache gives it: a JSON 200 of at most MAX_BODY bytes


def if_match(header: str, etag: bytes | None, *, exists: bool | None = None) -> bool:
    """Whether ``If-Match`` holds for the current tag ``etag`` (RFC 9110 13.1.1): ``*`` when there
    is a current representation (``exists``; by default, when there is a tag), else some listed tag
    equal to it by strong comparison; the ``-gzip`` and ``-br`` tags of the same body count as the
    same tag."""
    if header.strip() == "*":
        return etag is not None if exists is None else exists
    if etag is None:
        return False
    text = etag.decode("latin-1")
    variants = {text, text[:-1] + '-gzip"', text[:-1] + '-br"'}
    for match in ENTITY_TAG.finditer(header):
        if not match.group(0).startswith("W/") and match.group(1) in variants:
            return True
    return False


ROUTES_STATE_KEY = "precondition_routes"


def _routes(app: Litestar) -> dict[int, HTTPRoute]:
    """The HTTP route of each route handler, by the handler's id (built once per app, kept in its
    state: a Litestar app takes no weak reference)."""
    found: dict[int, HTTPRoute] | None = app.state.get(ROUTES_STATE_KEY)
    if found is None:
        routes = [r for r in app.routes if isinstance(r, HTTPRoute)]
        found = {id(handler): route for route in routes for handler in route.route_handlers}
        app.state[ROUTES_STATE_KEY] = found
    return found


def resolve_target(app: Litestar, path: str, query: bytes) -> Target | None:
    """The write's target (see the module doc), or None when nothing there can be read."""
    candidate = normalize_path(path)
    own = True
    while candidate.startswith(V3_PREFIX) and len(candidate) > len(V3_PREFIX):
        try:
            _, handler, resolved, params, template = app.asgi_router.handle_routing(
                path=candidate, method="GET"
            )
        except (NotFoundException, MethodNotAllowedException):
            pass
        else:
            route = _routes(app).get(id(handler))
            record = template.rstrip("/").endswith("}")
            if route is None or not (own or record):
                return None
            return Target(resolved, query if own else b"", route, handler, params, template, record)
        own = False
        candidate = candidate.rsplit("/", 1)[0]
    return None


class IfMatchMiddleware:
    """``If-Match`` on /api/v3/ writes (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(V3_PREFIX):
            await self.app(scope, receive, send)
            return
        http = cast("HTTPScope", scope)
        method = http["method"]
        if method not in WRITES:
            await self.app(scope, receive, send)
            return
        condition = ", ".join(v.decode("latin-1") for k, v in http["headers"] if k.lower() == b"if-match")
        if not condition:
            # Unconditional: as before, and no read after it. That read runs while the write's
            # own session still holds its connection (Advanced Alchemy closes it as the answer
            # leaves the app): every write would need two pooled connections at once, and a
            # burst of them could exhaust the pool. A client that chains edits sends If-Match.
            await self.app(scope, receive, send)
            return
        try:
            await http["route_handler"].authorize_connection(ASGIConnection(scope))
        except HTTPException:
            await self.app(scope, receive, send)  # refused as without the header (401, 403)
            return
        app: Litestar = http["litestar_app"]
        target = resolve_target(app, http["path"], http["query_string"])
        if target is None:
            await _send_error(send, 412, UNREADABLE)
            return
        redis = app.state.redis
        key = f"{LOCK_PREFIX}{target.path}"
        token = secrets.token_hex(8)
        try:
            locked = await _acquire(redis, key, token)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("if_match_lock_unavailable", path=target.path, error=repr(exc)[:200])
            await _send_error(send, 503, V3_DETAIL, retry_after=True)
            return
        if not locked:
            await _send_error(send, 503, BUSY, retry_after=True)
            return
        try:
            current = await read(http, target)
            if current is None:  # PostgreSQL unreachable during the read
                await _send_error(send, 503, V3_DETAIL, retry_after=True)
                return
            if not if_match(condition, current.etag, exists=current.status == 200):
                detail = CHANGED if current.status == 200 else UNREADABLE
                await _send_error(send, 412, detail, etag=current.etag)
                return
            await self._write(http, receive, send, target)
        finally:
            try:
                await redis.eval(_UNLOCK, 1, key, token)
            except Exception as exc:  # the lock expires by itself
                log.warning("if_match_unlock_failed", path=target.path, error=repr(exc)[:200])

    async def _write(self, scope: HTTPScope, receive: Receive, send: Send, target: Target | None) -> None:
        """Run the write; a 200 whose JSON body is the record's current representation gets its
        ``ETag``."""
        if scope["method"] not in TAGGED_WRITES:
            await self.app(scope, receive, send)
            return
        if target is None:
            target = resolve_target(scope["litestar_app"], scope["path"], scope["query_string"])
        if target is None or not target.record:
            await self.app(scope, receive, send)
            return
        record = target
        held: HTTPResponseStartEvent | None = None

        async def respond(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 200:
                held = cast("HTTPResponseStartEvent", message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            start, held = held, None
            headers: RawHeaders = list(start.get("headers", []))
            body = message.get("body", b"")
            if (
                not message.get("more_body", False)
                and len(body) <= MAX_BODY
                and is_json(header_value(headers, b"content-type"))
                and header_value(headers, b"etag") is None
            ):
                try:
                    now = await read(scope, record)
                except Exception as exc:  # committed already: answer it, without a tag
                    log.warning("etag_after_write_failed", path=record.path, error=repr(exc)[:200])
                    now = None
                if now is not None and now.etag is not None and now.body == body:
                    headers.append((b"etag", now.etag))
            await send(response_start(start["status"], headers))
            await send(message)

        await self.app(scope, receive, respond)


async def _acquire(redis: Any, key: str, token: str) -> bool:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.005
    while True:
        if await redis.set(key, token, nx=True, px=LOCK_TTL_MS):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


async def read(scope: HTTPScope, target: Target) -> Read | None:
    """``GET`` of ``target`` in process as the caller of ``scope``; None when a backing service is
    unreachable."""
    app: Litestar = scope["litestar_app"]
    inner: dict[str, Any] = {k: scope[k] for k in _COPIED if k in scope}  # type: ignore[literal-required]
    inner.update(
        method="GET",
        path=target.path,
        raw_path=target.path.encode(),
        query_string=target.query,
        headers=[(k, v) for k, v in scope["headers"] if k.lower() not in _NOT_READ],
        state={},
        route_handler=target.handler,
        path_params=target.params,
        path_template=target.template,
    )
    ScopeState.from_scope(
        cast("Scope", inner)
    ).exception_handlers = target.handler.resolve_exception_handlers()
    status = 500
    headers: RawHeaders = []
    chunks: list[bytes] = []
    closed = False

    async def collect(message: Message) -> None:
        nonlocal status, headers, closed
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
            await _before_send(app, message, inner)
            closed = True
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    async def nothing() -> HTTPRequestEvent:
        return {"type": "http.request", "body": b"", "more_body": False}

    try:
        await target.route.handle(cast("HTTPScope", inner), nothing, collect)
    except HTTPException as exc:  # 401/403/404 from the read's guards or handler
        status = exc.status_code
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("if_match_read_unavailable", path=target.path, error=repr(exc)[:200])
        return None
    finally:
        if not closed:  # the session Advanced Alchemy opened for the read
            await _before_send(app, {"type": "http.response.start", "status": status, "headers": []}, inner)
    body = b"".join(chunks)
    if status != 200 or len(body) > MAX_BODY or not is_json(header_value(headers, b"content-type")):
        return Read(status, body, None)
    return Read(status, body, header_value(headers, b"etag") or entity_tag(body))


async def _before_send(app: Litestar, message: Message, scope: dict[str, Any]) -> None:
    for hook in app.before_send:
        await hook(message, cast("Scope", scope))


async def _send_error(
    send: Send, status: int, detail: str, *, etag: bytes | None = None, retry_after: bool = False
) -> None:
    body = json.dumps({"status_code": status, "detail": detail}).encode()
    headers: RawHeaders = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if etag is not None:
        headers.append((b"etag", etag))
    if retry_after:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    await send(response_start(status, headers))
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _error_schema() -> Schema:
    """The API's error body (core/errors.py), as Litestar describes its own 400."""
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["detail", "status_code"],
        properties={
            "status_code": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING),
            "extra": Schema(type=[OpenAPIType.NULL, OpenAPIType.OBJECT, OpenAPIType.ARRAY]),
        },
        examples=[{"status_code": 412, "detail": CHANGED}],
    )


def declare_preconditions(openapi: Any) -> None:
    """Every /api/v3/ write operation of ``openapi`` takes ``If-Match`` and may answer 412
    (``create_app`` calls this once the schema is built)."""
    paths = getattr(openapi, "paths", None) or {}
    for path, item in paths.items():
        if not path.startswith(V3_PREFIX):
            continue
        for method in ("put", "patch", "delete", "post"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            parameters = list(operation.parameters or [])
            if not any(getattr(p, "name", "").lower() == "if-match" for p in parameters):
                parameters.append(
                    Parameter(
                        name="If-Match",
                        param_in="header",
                        required=False,
                        schema=Schema(type=OpenAPIType.STRING),
                        description=(
                            "Write only if the record's current ETag is one of these (or `*`: it "
                            "exists); otherwise 412. See docs/api/concurrency.md."
                        ),
                    )
                )
            operation.parameters = parameters
            responses = dict(operation.responses or {})
            responses.setdefault(
                "412",
                OpenAPIResponse(
                    description=(
                        "Precondition failed: the record changed since it was read (or cannot be "
                        "read); ETag gives its current tag when there is one. Nothing was written."
                    ),
                    headers={"ETag": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING))},
                    content={"application/json": OpenAPIMediaType(schema=_error_schema())},
                ),
            )
            operation.responses = responses
