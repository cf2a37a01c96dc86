"""HTTP caching on the API: entity tags and ``304 Not Modified``, brotli and gzip, ``Cache-Control``,
``Vary``, and ``HEAD`` wherever ``GET`` is (issue 17, items 3 and 4).

Two ASGI middlewares, because Litestar routes a request before any app middleware sees it (a
``HEAD`` on a GET-only route is a 405 from the router) and its CORS layer, also outside the app
middleware, replaces ``Vary`` with ``Origin``:

- ``HeadMiddleware`` wraps the whole app (``app.asgi_handler``): a ``HEAD`` is routed, authenticated,
  throttled and answered as the ``GET`` it asks about, and leaves without its body (the headers,
  ``Content-Length`` included, are the GET's, as Django sends them). It also puts back the ``Vary``
  of API answers after CORS.
- ``HttpCacheMiddleware`` sits in the app's middleware list inside ``RequestContextMiddleware``
  (whose ``no-store`` default then applies only where nothing here chose a ``Cache-Control``) and
  outside authentication and the legacy routers' response cache. For a 200 answer to a ``GET``
  under ``/api/`` whose JSON body arrives in one piece (every ``Response`` Litestar sends; a
  streamed body passes through) and is at most ``MAX_BODY`` bytes, it adds a strong ``ETag`` (the
  SHA-256 of the body, unless the handler set one), compresses it with brotli or gzip, whichever
  ``Accept-Encoding`` weighs higher, when it is at least ``COMPRESS_MIN_BYTES`` long, and answers
  ``304`` itself when ``If-None-Match`` matches the representation it would send. A 200 to a
  ``GET`` without a ``Cache-Control`` of its handler's gets ``PRIVATE`` when the request carries
  credentials (``Authorization``, the session cookie) or the answer sets a cookie, ``PUBLIC``
  otherwise; every API answer varies by ``VARY``.

The tag of a compressed answer is the tag of the plain body with ``-gzip`` or ``-br`` inside the
quotes: a strong tag per representation, as RFC 9110 asks (both codings are deterministic here:
fixed level or quality, no timestamp).
A client that stored one representation and now negotiates the other gets a 200.

Writes use these tags too: ``core/preconditions.py`` honours ``If-Match`` on /api/v3/ writes by
comparing it with the tag ``entity_tag`` gives the record's current ``GET`` answer (either form).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from typing import cast

import brotli
from litestar import Litestar
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

from pydotorg.core.lru import ByteLRU
from pydotorg.settings import Settings

API_PREFIX = "/api/"
MAX_BODY = 4 * 1024 * 1024
COMPRESS_MIN_BYTES = 1024
GZIP_LEVEL = 6
# Brotli's quality for answers made per request: 4 is 30 % smaller than gzip -6 on the release
# lists for about 3x its CPU (11, the default, takes seconds on 1 MB); compressed once per tag.
BROTLI_QUALITY = 4
CODINGS = (b"br", b"gzip")  # preferred first on equal weights
# Anonymous reads: browsers revalidate every time (a 304 when nothing changed); a shared cache may
# keep the answer a minute. Fastly passes /api/ today (deploy/fastly/snippets/recv.vcl), so only
# browsers act on it until the VCL caches the API.
PUBLIC = "public, max-age=0, s-maxage=60"
PRIVATE = "private, no-cache"
# Every API answer may differ by these request headers (the caller, its session, gzip or not).
VARY = ("Authorization", "Cookie", "Accept-Encoding")
ENTRY_OVERHEAD = 128  # bytes counted per compressed answer kept, besides its key and body

ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')
# Headers a 304 does not repeat: they describe the body it does not carry (RFC 9110 15.4.5).
_NOT_IN_304 = frozenset({b"content-length", b"content-type", b"content-encoding"})

RawHeaders = list[tuple[bytes, bytes]]


def entity_tag(body: bytes) -> bytes:
    """A strong entity tag for ``body``: 128 bits of its SHA-256, base64url, quoted."""
    digest = hashlib.sha256(body).digest()[:16]
    return b'"' + base64.urlsafe_b64encode(digest).rstrip(b"=") + b'"'


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag`` (RFC 9110 13.1.2): ``*``, or any tag of the list
    by weak comparison (``W/`` ignored on both sides)."""
    if if_none_match.strip() == "*":
        return True
    current = ENTITY_TAG.fullmatch(etag.strip())
    if current is None:
        return False
    return any(tag == current.group(1) for tag in ENTITY_TAG.findall(if_none_match))


def _coding_weights(accept_encoding: str) -> tuple[dict[str, float], float | None]:
    """``Accept-Encoding`` as weights by coding (``x-gzip`` is ``gzip``; a bad weight is 0) and the
    weight of ``*`` (None when absent)."""
    named: dict[str, float] = {}
    anything: float | None = None
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if coding == "x-gzip":
            coding = "gzip"
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        if coding == "*":
            anything = weight
        elif coding:
            named[coding] = max(named.get(coding, weight), weight)
    return named, anything


def choose_coding(accept_encoding: str) -> bytes | None:
    """The content coding to send (RFC 9110 12.5.3): ``br`` or ``gzip``, whichever the client
    weighs higher (``br`` on a tie: smaller at the same cost once compressed); a coding the client
    names counts before ``*``; None when neither has a weight above 0."""
    named, anything = _coding_weights(accept_encoding)
    best: bytes | None = None
    best_weight = 0.0
    for coding in CODINGS:
        weight = named.get(coding.decode(), anything)
        if weight is not None and weight > best_weight:
            best, best_weight = coding, weight
    return best


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip at all (named or through ``*``, weight above 0)."""
    named, anything = _coding_weights(accept_encoding)
    weight = named.get("gzip", anything)
    return weight is not None and weight > 0


def coded_tag(etag: bytes, coding: bytes | None) -> bytes:
    """The strong tag of ``etag``'s body sent with ``coding``: ``-gzip`` or ``-br`` inside the
    quotes, as Apache names them (each representation has its own strong tag)."""
    return etag if coding is None else etag[:-1] + b"-" + coding + b'"'


def compress(body: bytes, coding: bytes) -> bytes:
    """``body`` in ``coding``, deterministically (the tag names the bytes): gzip at a fixed level
    without a timestamp, brotli at a fixed quality."""
    if coding == b"br":
        return cast("bytes", brotli.compress(body, quality=BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def merge_vary(headers: RawHeaders, names: tuple[str, ...] = VARY) -> RawHeaders:
    """``headers`` with one ``Vary`` holding its own names and ``names`` (a ``*`` stays alone)."""
    existing: list[str] = []
    rest: RawHeaders = []
    for name, value in headers:
        if name.lower() == b"vary":
            existing.extend(v.strip() for v in value.decode("latin-1").split(",") if v.strip())
        else:
            rest.append((name, value))
    if "*" in existing:
        return [*rest, (b"vary", b"*")]
    seen = {v.lower() for v in existing}
    merged = existing + [n for n in names if n.lower() not in seen]
    return [*rest, (b"vary", ", ".join(merged).encode("latin-1"))]


def header_value(headers: RawHeaders, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _replace(headers: RawHeaders, **values: bytes) -> RawHeaders:
    """``headers`` with each ``name=value`` set once (``_`` in a name is ``-``)."""
    names = {k.replace("_", "-").encode(): v for k, v in values.items()}
    kept = [(k, v) for k, v in headers if k.lower() not in names]
    return kept + list(names.items())


def is_json(content_type: bytes | None) -> bool:
    media = (content_type or b"").split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


class _Compressed:
    """Compressed bodies by (path, strong tag, coding), bounded in bytes: an answer served again
    (the legacy routers serve the same bytes from their cache) is compressed once per coding."""

    def __init__(self, max_bytes: int) -> None:
        self.lru: ByteLRU[tuple[str, bytes, bytes], bytes] = ByteLRU(max_bytes)

    def get(self, path: str, etag: bytes, body: bytes, coding: bytes) -> bytes:
        key = (path, etag, coding)
        found = self.lru.get(key)
        if found is not None:
            return found
        compressed = compress(body, coding)
        self.lru.put(key, compressed, len(compressed) + len(path) + len(etag) + ENTRY_OVERHEAD)
        return compressed


class HttpCacheMiddleware:
    """ETag, 304, compression, ``Cache-Control`` and ``Vary`` on API answers (see the module doc)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.session_cookie = settings.session_cookie_name
        self.compressed = _Compressed(settings.compressed_cache_bytes)

    def _credentialed(self, authorization: str, cookie: str) -> bool:
        if authorization.strip():
            return True
        return any(part.split("=", 1)[0].strip() == self.session_cookie for part in cookie.split(";"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        request: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            name = name.lower()
            joiner = "; " if name == b"cookie" else ", "
            text = value.decode("latin-1")
            request[name] = f"{request[name]}{joiner}{text}" if name in request else text
        credentialed = self._credentialed(request.get(b"authorization", ""), request.get(b"cookie", ""))
        reading = cast("HTTPScope", scope)["method"] == "GET"  # a HEAD arrives as its GET (HeadMiddleware)
        held: RawHeaders | None = None  # a 200's headers, until its body shows how it comes

        async def respond(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = merge_vary(list(message.get("headers", [])))
                if reading and message["status"] == 200:
                    held = self._cache_control(headers, credentialed)
                    return
                await send(response_start(message["status"], headers))
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            headers, held = held, None
            body = message.get("body", b"")
            if (
                message.get("more_body", False)
                or len(body) > MAX_BODY
                or not is_json(header_value(headers, b"content-type"))
            ):
                await send(response_start(200, headers))
                await send(message)
                return
            await self._answer(scope["path"], request, headers, body, send)

        await self.app(scope, receive, respond)

    def _cache_control(self, headers: RawHeaders, credentialed: bool) -> RawHeaders:
        if header_value(headers, b"cache-control") is not None:
            return headers  # the handler's choice (e.g. /api/v3/search: public, max-age=60)
        private = credentialed or header_value(headers, b"set-cookie") is not None
        return _replace(headers, cache_control=(PRIVATE if private else PUBLIC).encode())

    async def _answer(
        self, path: str, request: dict[bytes, str], headers: RawHeaders, body: bytes, send: Send
    ) -> None:
        etag = header_value(headers, b"etag") or entity_tag(body)
        encoded = header_value(headers, b"content-encoding") is not None
        coding = (
            None
            if encoded or len(body) < COMPRESS_MIN_BYTES
            else choose_coding(request.get(b"accept-encoding", ""))
        )
        if coding is not None:
            if etag.startswith(b"W/"):  # a weak tag does not name the bytes: nothing to reuse
                body = compress(body, coding)
            else:
                body = self.compressed.get(path, etag, body, coding)
            etag = coded_tag(etag, coding)
            headers = _replace(headers, content_encoding=coding, content_length=str(len(body)).encode())
        headers = _replace(headers, etag=etag)
        if_none_match = request.get(b"if-none-match")
        if if_none_match is not None and none_match(if_none_match, etag.decode("latin-1")):
            await send(response_start(304, [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]))
            await send(_body(b""))
            return
        await send(response_start(200, headers))
        await send(_body(body))


def response_start(status: int, headers: RawHeaders) -> HTTPResponseStartEvent:
    return {"type": "http.response.start", "status": status, "headers": headers}


def _body(body: bytes) -> HTTPResponseBodyEvent:
    return {"type": "http.response.body", "body": body, "more_body": False}


class HeadMiddleware:
    """Wraps the whole app, before routing (see the module doc): ``HEAD`` is its ``GET`` without
    the body; API answers get their ``Vary`` back after CORS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        http = cast("HTTPScope", scope)
        head = http["method"] == "HEAD"
        api = http["path"].startswith(API_PREFIX)
        if not head and not api:
            await self.app(scope, receive, send)
            return
        if head:
            # A copy: the server reads the method from its own scope to know that a HEAD answer
            # carries no body (uvicorn would otherwise wait for Content-Length bytes).
            scope = {**http, "method": "GET"}

        async def respond(message: Message) -> None:
            if message["type"] == "http.response.start" and api:
                message = response_start(message["status"], merge_vary(list(message.get("headers", []))))
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, respond)


def install_head_middleware(app: Litestar) -> None:
    """Put ``HeadMiddleware`` in front of ``app``'s router and CORS (``create_app`` calls this)."""
    app.asgi_handler = HeadMiddleware(app.asgi_handler)
