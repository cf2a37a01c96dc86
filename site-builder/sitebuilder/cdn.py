"""The CDN in front of the static site: what the builder purges after it publishes.

``FastlyCDN`` speaks Fastly's purge API (soft purges by default, see deploy/fastly/README.md);
``LoggingCDN`` only logs and records, for development and tests. ``create_cdn`` picks one
from the builder's settings (``PYDOTORG_FASTLY_*``, sitebuilder/settings.py).
"""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import structlog

from sitebuilder.settings import BuilderSettings

log = structlog.get_logger(__name__)

MAX_KEYS_PER_REQUEST = 256  # Fastly's limit for one multi-key purge
MAX_KEY_LENGTH = 1024  # bytes, Fastly's limit for one surrogate key

T = TypeVar("T")


class PurgeError(RuntimeError):
    """Fastly refused a purge, or could not be reached after every attempt."""

    def __init__(self, message: str, *, target: str, status: int | None = None) -> None:
        super().__init__(message)
        self.target = target
        self.status = status


class CDN(Protocol):
    async def purge_urls(self, urls: Sequence[str]) -> None: ...
    async def purge_keys(self, keys: Sequence[str]) -> None: ...
    async def sync_redirects(self, entries: Mapping[str, Mapping[str, Any]]) -> None: ...


MAX_DICTIONARY_OPS = 1000  # Fastly's batch limit for dictionary item updates


def dictionary_items(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``_redirects.json`` as edge-dictionary items: path -> "<status> <location>" ("410 " for
    gone), the form deploy/fastly/snippets/data-redirects-recv.vcl splits."""
    items: dict[str, str] = {}
    for path, entry in entries.items():
        status, location = int(entry["status"]), str(entry.get("location") or "")
        if not path.startswith("/") or any(c.isspace() for c in path + location):
            raise ValueError(f"redirect {path!r} -> {location!r} cannot be an edge-dictionary item")
        items[path] = f"{status} {location}"
    return items


def surrogate_keys(path: str) -> list[str]:
    """The surrogate keys the origin attaches to a published file (``downloads/index.html``),
    as deploy/origin/nginx.conf computes them: ``site``, the file kind, ``section-<segment>``."""
    path = path.lstrip("/")
    if path.startswith("static/"):
        kind = "static"
    elif path.endswith(".html"):
        kind = "html"
    elif path.endswith((".rss", ".atom", ".ics")):
        kind = "feed"
    elif path.endswith(".xml"):
        kind = "xml"
    else:
        kind = "other"
    section = path.split("/", 1)[0] if "/" in path else "root"
    return ["site", kind, f"section-{section}"]


def _unique(values: Sequence[str], what: str) -> list[str]:
    if isinstance(values, str):  # a lone string is a Sequence[str] of characters
        raise TypeError(f"expected a sequence of {what}s, got the string {values!r}")
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"cannot purge {url!r}: not an absolute http(s) URL")
    return url


def _check_key(key: str) -> str:
    if any(ch.isspace() for ch in key) or len(key.encode()) > MAX_KEY_LENGTH:
        raise ValueError(f"invalid surrogate key {key!r}: no whitespace, at most {MAX_KEY_LENGTH} bytes")
    return key


async def run_bounded(items: Sequence[T], run: Callable[[T], Awaitable[None]], concurrency: int) -> None:
    """``run`` every item with at most ``concurrency`` in flight; the first failure cancels the
    rest and is raised as itself (not wrapped in an ExceptionGroup)."""
    if not items:
        return
    pending = iter(items)

    async def worker() -> None:
        for item in pending:
            await run(item)

    error: Exception | None = None
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(items))):
                group.create_task(worker())
    except ExceptionGroup as failures:
        error = failures.exceptions[0]
        if len(failures.exceptions) > 1:
            error.add_note(f"({len(failures.exceptions) - 1} more concurrent failures)")
    if error is not None:
        raise error


class LoggingCDN:
    """Development stand-in: logs every purge and records it in ``purged`` (and the redirect
    dictionary it would hold in ``redirects``)."""

    def __init__(self) -> None:
        self.purged: list[tuple[str, str]] = []
        self.redirects: dict[str, str] = {}

    async def sync_redirects(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        self.redirects = dictionary_items(entries)
        log.info("cdn.redirects", items=len(self.redirects))

    async def purge_urls(self, urls: Sequence[str]) -> None:
        for url in _unique(urls, "URL"):
            log.info("cdn.purge", kind="url", target=url)
            self.purged.append(("url", url))

    async def purge_keys(self, keys: Sequence[str]) -> None:
        for key in _unique(keys, "surrogate key"):
            log.info("cdn.purge", kind="key", target=key)
            self.purged.append(("key", key))


class FastlyCDN:
    """Purges at Fastly over its HTTP API: ``PURGE <url>`` for URLs,
    ``POST /service/<id>/purge[/<key>]`` for surrogate keys.

    Connection errors, 429 and 5xx answers are retried with exponential backoff (a
    ``Retry-After`` header, capped at ``max_retry_after``, replaces the computed delay); any
    other non-2xx answer raises ``PurgeError`` at once.
    """

    max_retry_after = 60.0  # seconds

    def __init__(
        self,
        api_key: str,
        service_id: str,
        *,
        api_url: str = "https://api.fastly.com",
        soft: bool = True,
        client: httpx.AsyncClient | None = None,
        attempts: int = 3,
        backoff: float = 0.5,
        timeout: float = 10,
        concurrency: int = 8,
        redirects_dictionary_id: str = "",
    ) -> None:
        if not api_key or not service_id:
            raise ValueError("FastlyCDN needs an API key and a service id")
        if attempts < 1 or concurrency < 1:
            raise ValueError("attempts and concurrency must be at least 1")
        self.api_url = api_url.rstrip("/")
        self.service_id = service_id
        self.soft = soft
        self.attempts = attempts
        self.backoff = backoff
        self.concurrency = concurrency
        self.redirects_dictionary_id = redirects_dictionary_id
        self._api_key = api_key
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # replaceable in tests

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> FastlyCDN:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _headers(self, *, purge: bool = True) -> dict[str, str]:
        headers = {"Fastly-Key": self._api_key, "Accept": "application/json"}
        if self.soft and purge:
            headers["Fastly-Soft-Purge"] = "1"
        return headers

    async def sync_redirects(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Make the edge dictionary of data redirects (``/downloads/latest/…``, stored
        redirects) equal ``entries``: read what it holds, then upsert and delete the difference
        in batches. Without a dictionary id the origin's meta-refresh pages stay the answer."""
        if not self.redirects_dictionary_id:
            log.info("cdn.redirects.skipped", reason="no redirects dictionary configured")
            return
        wanted = dictionary_items(entries)
        service = quote(self.service_id, safe="")
        dictionary = quote(self.redirects_dictionary_id, safe="")
        base = f"{self.api_url}/service/{service}/dictionary/{dictionary}"
        response = await self._send("GET", f"{base}/items", target="the redirect dictionary", purge=False)
        held = {str(i["item_key"]): str(i["item_value"]) for i in response.json()}
        ops: list[dict[str, str]] = [
            {"op": "upsert", "item_key": key, "item_value": value}
            for key, value in sorted(wanted.items())
            if held.get(key) != value
        ]
        ops += [{"op": "delete", "item_key": key} for key in sorted(set(held) - set(wanted))]
        for start in range(0, len(ops), MAX_DICTIONARY_OPS):
            chunk = ops[start : start + MAX_DICTIONARY_OPS]
            await self._send(
                "PATCH", f"{base}/items", target="the redirect dictionary", json={"items": chunk}, purge=False
            )
        log.info("cdn.redirects", items=len(wanted), changed=len(ops))

    async def purge_urls(self, urls: Sequence[str]) -> None:
        targets = [_check_url(u) for u in _unique(urls, "URL")]

        async def purge(url: str) -> None:
            response = await self._send("PURGE", url, target=url)
            log.info("cdn.purge", kind="url", target=url, soft=self.soft, purge_id=_purge_id(response))

        await run_bounded(targets, purge, self.concurrency)

    async def purge_keys(self, keys: Sequence[str]) -> None:
        targets = [_check_key(k) for k in _unique(keys, "surrogate key")]
        base = f"{self.api_url}/service/{quote(self.service_id, safe='')}/purge"
        if len(targets) == 1:
            key = targets[0]
            response = await self._send(
                "POST", f"{base}/{quote(key, safe='')}", target=f"surrogate key {key}"
            )
            log.info("cdn.purge", kind="key", target=key, soft=self.soft, purge_id=_purge_id(response))
            return
        for start in range(0, len(targets), MAX_KEYS_PER_REQUEST):
            chunk = targets[start : start + MAX_KEYS_PER_REQUEST]
            shown = ", ".join(chunk[:3]) + (f" (+{len(chunk) - 3} more)" if len(chunk) > 3 else "")
            await self._send("POST", base, target=f"surrogate keys {shown}", json={"surrogate_keys": chunk})
            log.info("cdn.purge", kind="keys", count=len(chunk), first=chunk[0], soft=self.soft)

    async def _send(
        self, method: str, url: str, *, target: str, json: Any = None, purge: bool = True
    ) -> httpx.Response:
        failure: httpx.Response | httpx.TransportError | None = None
        for attempt in range(self.attempts):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                if isinstance(failure, httpx.Response):
                    delay = _retry_after(failure, delay, self.max_retry_after)
                await self.sleep(delay)
            try:
                response = await self._client.request(
                    method, url, headers=self._headers(purge=purge), json=json
                )
            except httpx.TransportError as exc:
                failure = exc
                log.warning("cdn.purge.retry", target=target, error=f"{type(exc).__name__}: {exc}")
                continue
            if response.is_success:
                return response
            status = response.status_code
            if status != 429 and status < 500:
                raise PurgeError(
                    f"Fastly purge of {target} refused: HTTP {status}{_detail(response)}",
                    target=target,
                    status=status,
                )
            failure = response
            log.warning("cdn.purge.retry", target=target, status=status)
        if isinstance(failure, httpx.Response):
            raise PurgeError(
                f"Fastly purge of {target} failed after {self.attempts} attempts: "
                f"HTTP {failure.status_code}{_detail(failure)}",
                target=target,
                status=failure.status_code,
            )
        raise PurgeError(
            f"Fastly purge of {target} failed after {self.attempts} attempts: "
            f"{type(failure).__name__}: {failure}",
            target=target,
        ) from failure


def _retry_after(response: httpx.Response, default: float, cap: float) -> float:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), cap)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = (body.get("msg") or body.get("detail")) if isinstance(body, dict) else None
    return f" ({message})" if message else ""


def _purge_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("id") if isinstance(body, dict) else None


def create_cdn(settings: BuilderSettings) -> CDN:
    """Fastly when the settings carry its API key and service id, else the logging CDN."""
    if settings.fastly_api_key and settings.fastly_service_id:
        return FastlyCDN(
            settings.fastly_api_key,
            settings.fastly_service_id,
            api_url=settings.fastly_api_url,
            redirects_dictionary_id=settings.fastly_redirects_dictionary_id,
        )
    return LoggingCDN()


def purge_targets(base_url: str, paths: Iterable[str]) -> list[str]:
    """Public URLs to purge for published files: ``downloads/index.html`` purges both
    ``{base}/downloads/index.html`` and the directory URL ``{base}/downloads/``."""
    base = base_url.rstrip("/")
    urls: list[str] = []
    for path in paths:
        path = path.lstrip("/")
        urls.append(f"{base}/{quote(path)}")
        if path == "index.html" or path.endswith("/index.html"):
            urls.append(f"{base}/{quote(path[: -len('index.html')])}")
    return list(dict.fromkeys(urls))
