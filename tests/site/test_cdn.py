"""The CDN interface: FastlyCDN against a local fake of Fastly's purge API over real HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from sitebuilder.cdn import (
    MAX_DICTIONARY_OPS,
    MAX_KEYS_PER_REQUEST,
    FastlyCDN,
    LoggingCDN,
    PurgeError,
    create_cdn,
    purge_targets,
    surrogate_keys,
)
from sitebuilder.settings import BuilderSettings
from tests.helpers import Receive, Scope, Send, serve_asgi

API_KEY = "fastly-test-token"
SERVICE = "SRVtest123"
DICTIONARY = "DICTredirects1"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeFastly:
    """Answers PURGE <any path> and POST /service/<id>/purge[/<key>] as Fastly documents;
    ``script`` holds (status, headers) answers to give first, ``always`` one to give forever."""

    requests: list[Seen] = field(default_factory=list)
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    always: int | None = None
    delay: float = 0.0
    inflight: int = 0
    max_inflight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    dictionary: dict[str, str] = field(default_factory=dict)  # the edge dictionary DICTIONARY

    def reset(self) -> None:
        with self.lock:
            self.dictionary.clear()
            self.requests.clear()
            self.script.clear()
            self.always = None
            self.delay = 0.0
            self.max_inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        with self.lock:
            self.requests.append(Seen(scope["method"], scope["path"], headers, body))
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            scripted = self.script.pop(0) if self.script else None
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            status, extra, payload = self.answer(scope["method"], scope["path"], headers, body, scripted)
        finally:
            with self.lock:
                self.inflight -= 1
        content = json.dumps(payload).encode()
        out = [("content-type", "application/json"), ("content-length", str(len(content))), *extra.items()]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in out],
            }
        )
        await send({"type": "http.response.body", "body": content})

    def answer(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        scripted: tuple[int, dict[str, str]] | None,
    ) -> tuple[int, dict[str, str], Any]:
        if scripted is not None:
            return scripted[0], scripted[1], {"msg": f"scripted {scripted[0]}"}
        if self.always is not None:
            return self.always, {}, {"msg": "Provided credentials are missing or invalid"}
        if headers.get("fastly-key") != API_KEY:
            return 401, {}, {"msg": "Provided credentials are missing or invalid"}
        if method == "PURGE":
            return 200, {}, {"status": "ok", "id": f"purge-{len(self.requests)}"}
        items = f"/service/{SERVICE}/dictionary/{DICTIONARY}/items"
        if path == items and method == "GET":
            return 200, {}, [{"item_key": k, "item_value": v} for k, v in sorted(self.dictionary.items())]
        if path == items and method == "PATCH":  # Fastly's batch update: all ops or none
            ops = json.loads(body)["items"]
            if len(ops) > MAX_DICTIONARY_OPS:
                return 400, {}, {"msg": "too many items"}
            if any(op["op"] == "delete" and op["item_key"] not in self.dictionary for op in ops):
                return 404, {}, {"msg": "Record not found"}
            for op in ops:
                if op["op"] == "upsert":
                    self.dictionary[op["item_key"]] = op["item_value"]
                else:
                    del self.dictionary[op["item_key"]]
            return 200, {}, {"status": "ok"}
        prefix = f"/service/{SERVICE}/purge"
        if method == "POST" and path.startswith(prefix + "/"):
            return 200, {}, {"status": "ok", "id": "purge-key"}
        if method == "POST" and path == prefix:
            keys = json.loads(body)["surrogate_keys"]
            if len(keys) > MAX_KEYS_PER_REQUEST:
                return 400, {}, {"msg": "too many keys"}
            return 200, {}, {k: f"id-{k}" for k in keys}
        return 404, {}, {"msg": "Record not found"}


@dataclass
class Server:
    fake: FakeFastly
    url: str


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    fake = FakeFastly()
    with serve_asgi(fake) as url:
        yield Server(fake, url)


@pytest.fixture
def fake(server: Server) -> Iterator[FakeFastly]:
    server.fake.reset()
    yield server.fake
    server.fake.reset()


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def cdn(server: Server, fake: FakeFastly) -> AsyncIterator[FastlyCDN]:
    fastly = FastlyCDN(API_KEY, SERVICE, api_url=server.url, backoff=0.01)
    fastly.sleep = Sleeps()
    yield fastly
    await fastly.aclose()


# --- URL purges -----------------------------------------------------------------------------------


async def test_purge_urls(cdn: FastlyCDN, server: Server, fake: FakeFastly) -> None:
    urls = [f"{server.url}/downloads/", f"{server.url}/jobs/feed.rss", f"{server.url}/"]
    await cdn.purge_urls(urls)
    assert sorted((r.method, r.path) for r in fake.requests) == [
        ("PURGE", "/"),
        ("PURGE", "/downloads/"),
        ("PURGE", "/jobs/feed.rss"),
    ]
    for request in fake.requests:
        assert request.headers["fastly-key"] == API_KEY
        assert request.headers["fastly-soft-purge"] == "1"
        assert request.body == b""
    assert cdn.sleep == []


async def test_purge_urls_dedupes(cdn: FastlyCDN, server: Server, fake: FakeFastly) -> None:
    url = f"{server.url}/about/"
    await cdn.purge_urls([url, url, f"{server.url}/psf/", url, ""])
    assert sorted(r.path for r in fake.requests) == ["/about/", "/psf/"]
    await cdn.purge_urls([])
    assert len(fake.requests) == 2


async def test_hard_purge_has_no_soft_header(server: Server, fake: FakeFastly) -> None:
    async with FastlyCDN(API_KEY, SERVICE, api_url=server.url, soft=False) as hard:
        await hard.purge_urls([f"{server.url}/events/"])
        await hard.purge_keys(["section-events"])
        await hard.purge_keys(["html", "feed"])
    assert len(fake.requests) == 3
    for request in fake.requests:
        assert request.headers["fastly-key"] == API_KEY
        assert "fastly-soft-purge" not in request.headers


async def test_url_purges_run_concurrently_within_the_bound(server: Server, fake: FakeFastly) -> None:
    fake.delay = 0.05
    async with FastlyCDN(API_KEY, SERVICE, api_url=server.url, concurrency=3) as fastly:
        await fastly.purge_urls([f"{server.url}/page-{i}/" for i in range(12)])
    assert len(fake.requests) == 12
    assert 1 < fake.max_inflight <= 3


async def test_bad_urls_are_refused_before_any_request(cdn: FastlyCDN, fake: FakeFastly) -> None:
    with pytest.raises(ValueError, match="absolute"):
        await cdn.purge_urls(["/downloads/"])
    with pytest.raises(TypeError):
        await cdn.purge_urls("https://www.python.org/")
    assert fake.requests == []


# --- surrogate keys -------------------------------------------------------------------------------


async def test_purge_one_key(cdn: FastlyCDN, fake: FakeFastly) -> None:
    await cdn.purge_keys(["section-downloads"])
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", f"/service/{SERVICE}/purge/section-downloads")
    assert request.headers["fastly-key"] == API_KEY
    assert request.headers["fastly-soft-purge"] == "1"


async def test_purge_many_keys_in_batches_of_256(cdn: FastlyCDN, fake: FakeFastly) -> None:
    keys = [f"release-{i}" for i in range(600)]
    await cdn.purge_keys([*keys, *keys[:10]])  # duplicates are sent once
    assert [(r.method, r.path) for r in fake.requests] == [("POST", f"/service/{SERVICE}/purge")] * 3
    batches = [r.json()["surrogate_keys"] for r in fake.requests]
    assert [len(b) for b in batches] == [256, 256, 88]
    assert [k for b in batches for k in b] == keys
    for request in fake.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["fastly-key"] == API_KEY
        assert request.headers["fastly-soft-purge"] == "1"


async def test_duplicate_keys_make_one_single_key_purge(cdn: FastlyCDN, fake: FakeFastly) -> None:
    await cdn.purge_keys(["site", "site"])
    assert [r.path for r in fake.requests] == [f"/service/{SERVICE}/purge/site"]


async def test_bad_key_is_refused(cdn: FastlyCDN, fake: FakeFastly) -> None:
    with pytest.raises(ValueError, match="surrogate key"):
        await cdn.purge_keys(["two words", "site"])
    assert fake.requests == []


# --- failures -------------------------------------------------------------------------------------


async def test_retries_503_then_succeeds(cdn: FastlyCDN, server: Server, fake: FakeFastly) -> None:
    fake.script = [(503, {}), (503, {})]
    await cdn.purge_urls([f"{server.url}/downloads/"])
    assert [r.path for r in fake.requests] == ["/downloads/"] * 3
    assert cdn.sleep == [0.01, 0.02]  # exponential backoff


async def test_retry_after_is_respected(cdn: FastlyCDN, fake: FakeFastly) -> None:
    fake.script = [(429, {"Retry-After": "7"}), (500, {})]
    await cdn.purge_keys(["section-jobs"])
    assert len(fake.requests) == 3
    assert cdn.sleep == [7.0, 0.02]


async def test_gives_up_after_attempts(cdn: FastlyCDN, fake: FakeFastly) -> None:
    fake.always = 503
    with pytest.raises(PurgeError) as info:
        await cdn.purge_keys(["section-jobs"])
    assert info.value.status == 503
    assert "section-jobs" in str(info.value) and "503" in str(info.value) and "3 attempts" in str(info.value)
    assert len(fake.requests) == 3


async def test_401_raises_at_once(server: Server, fake: FakeFastly) -> None:
    async with FastlyCDN("wrong-key", SERVICE, api_url=server.url, backoff=0.01) as fastly:
        url = f"{server.url}/downloads/"
        with pytest.raises(PurgeError) as info:
            await fastly.purge_urls([url])
        assert info.value.status == 401
        assert url in str(info.value) and "401" in str(info.value)
        assert len(fake.requests) == 1
        with pytest.raises(PurgeError, match=r"surrogate keys a, b, c \(\+1 more\).*401"):
            await fastly.purge_keys(["a", "b", "c", "d"])
        assert len(fake.requests) == 2


async def test_first_failure_stops_the_url_purges(server: Server, fake: FakeFastly) -> None:
    fake.always = 403
    async with FastlyCDN(API_KEY, SERVICE, api_url=server.url, concurrency=2) as fastly:
        with pytest.raises(PurgeError):
            await fastly.purge_urls([f"{server.url}/p{i}/" for i in range(50)])
    assert len(fake.requests) <= 4


async def test_connection_errors_are_retried_then_raise() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fastly = FastlyCDN(API_KEY, SERVICE, api_url=f"http://127.0.0.1:{port}", attempts=2)
    sleeps = Sleeps()
    fastly.sleep = sleeps
    try:
        with pytest.raises(PurgeError, match="ConnectError") as info:
            await fastly.purge_keys(["site"])
    finally:
        await fastly.aclose()
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert sleeps == [0.5]


# --- the logging CDN, the factory, helpers --------------------------------------------------------


async def test_logging_cdn_records() -> None:
    cdn = LoggingCDN()
    await cdn.purge_urls(["https://www.python.org/", "https://www.python.org/", "https://www.python.org/a/"])
    await cdn.purge_keys(["site", "section-jobs", "site"])
    assert cdn.purged == [
        ("url", "https://www.python.org/"),
        ("url", "https://www.python.org/a/"),
        ("key", "site"),
        ("key", "section-jobs"),
    ]


async def test_create_cdn() -> None:
    # The API's own variables are ignored by the builder's settings (the environment is shared).
    base = {"PYDOTORG_SECRET_KEY": "x" * 40, "PYDOTORG_STORAGE_BACKEND": "s3"}
    assert isinstance(create_cdn(BuilderSettings.from_env(base)), LoggingCDN)
    half = {**base, "PYDOTORG_FASTLY_API_KEY": "k"}
    assert isinstance(create_cdn(BuilderSettings.from_env(half)), LoggingCDN)
    full = {**half, "PYDOTORG_FASTLY_SERVICE_ID": "svc"}
    fastly = create_cdn(BuilderSettings.from_env(full))
    assert isinstance(fastly, FastlyCDN)
    assert (fastly.service_id, fastly.soft, fastly.api_url) == ("svc", True, "https://api.fastly.com")
    assert fastly.redirects_dictionary_id == ""
    await fastly.aclose()
    custom = create_cdn(
        BuilderSettings.from_env(
            {
                **full,
                "PYDOTORG_FASTLY_API_URL": "http://127.0.0.1:9/",
                "PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID": "dict",
            }
        )
    )
    assert isinstance(custom, FastlyCDN)
    assert (custom.api_url, custom.redirects_dictionary_id) == ("http://127.0.0.1:9", "dict")
    await custom.aclose()


def test_builder_settings_read_the_shared_environment() -> None:
    settings = BuilderSettings.from_env(
        {"PYDOTORG_SITE_API_KEY": "key", "PYDOTORG_SITE_URL": "https://staging.python.org", "OTHER": "x"}
    )
    assert (settings.site_api_key, settings.site_url) == ("key", "https://staging.python.org")
    assert BuilderSettings.from_env({}) == BuilderSettings()
    assert BuilderSettings().site_url == "https://www.python.org"


def test_surrogate_keys_match_the_origin() -> None:
    assert surrogate_keys("index.html") == ["site", "html", "section-root"]
    assert surrogate_keys("downloads/release/python-3140/index.html") == ["site", "html", "section-downloads"]
    assert surrogate_keys("jobs/feed.rss") == ["site", "feed", "section-jobs"]
    assert surrogate_keys("sitemap.xml") == ["site", "xml", "section-root"]
    assert surrogate_keys("static/css/style.css") == ["site", "static", "section-static"]
    assert surrogate_keys("robots.txt") == ["site", "other", "section-root"]


def test_purge_targets() -> None:
    assert purge_targets(
        "https://www.python.org/", ["index.html", "downloads/index.html", "jobs/feed.rss"]
    ) == [
        "https://www.python.org/index.html",
        "https://www.python.org/",
        "https://www.python.org/downloads/index.html",
        "https://www.python.org/downloads/",
        "https://www.python.org/jobs/feed.rss",
    ]


def test_purge_plan_urls_or_the_site_key() -> None:
    from sitebuilder.build import MAX_URL_PURGES, purge_plan

    few = ["/downloads/", "/downloads/release/python-3145/"]
    assert purge_plan(few).urls == few and purge_plan(few).keys == []
    many = [f"/p{i}/" for i in range(MAX_URL_PURGES + 1)]
    assert purge_plan(many).urls == [] and purge_plan(many).keys == ["site"]
    assert purge_plan(few, site_changed=True).keys == ["site"]


# --- the edge dictionary of data redirects ------------------------------------------------------


async def test_redirect_dictionary_follows_redirects_json(server: Server, fake: FakeFastly) -> None:
    """The dictionary is made equal to _redirects.json: changed and new items upserted, gone
    ones deleted, unchanged ones left alone; batches stay within Fastly's limit; no purge header."""
    fastly = FastlyCDN(API_KEY, SERVICE, api_url=server.url, redirects_dictionary_id=DICTIONARY)
    fake.dictionary.update({"/old/": "301 /elsewhere/", "/same/": "302 /x/", "/stale/": "410 "})
    entries = {
        "/same/": {"location": "/x/", "status": 302},
        "/old/": {"location": "/new/", "status": 301},
        "/gone-page/": {"location": "", "status": 410},
        "/downloads/latest/python3/": {"location": "/downloads/release/python-3145/", "status": 302},
    }
    try:
        await fastly.sync_redirects(entries)
        assert fake.dictionary == {
            "/same/": "302 /x/",
            "/old/": "301 /new/",
            "/gone-page/": "410 ",
            "/downloads/latest/python3/": "302 /downloads/release/python-3145/",
        }
        patch = next(r for r in fake.requests if r.method == "PATCH")
        ops = {(op["op"], op["item_key"]) for op in patch.json()["items"]}
        assert ops == {
            ("upsert", "/old/"),
            ("upsert", "/gone-page/"),
            ("upsert", "/downloads/latest/python3/"),
            ("delete", "/stale/"),
        }
        assert "fastly-soft-purge" not in patch.headers
        fake.requests.clear()
        await fastly.sync_redirects(entries)  # nothing to change: one read, no write
        assert [r.method for r in fake.requests] == ["GET"]
        many = {f"/r{i}/": {"location": f"/t{i}/", "status": 301} for i in range(MAX_DICTIONARY_OPS + 5)}
        await fastly.sync_redirects(many)
        patches = [r for r in fake.requests if r.method == "PATCH"]
        assert [len(p.json()["items"]) for p in patches] == [MAX_DICTIONARY_OPS, 9]
        assert fake.dictionary == {k: f"301 {v['location']}" for k, v in many.items()}
        with pytest.raises(ValueError, match="cannot be an edge-dictionary item"):
            await fastly.sync_redirects({"/a b/": {"location": "/x/", "status": 301}})
    finally:
        await fastly.aclose()


async def test_redirect_dictionary_is_optional(server: Server, fake: FakeFastly) -> None:
    fastly = FastlyCDN(API_KEY, SERVICE, api_url=server.url)
    try:
        await fastly.sync_redirects({"/old/": {"location": "/new/", "status": 301}})
    finally:
        await fastly.aclose()
    assert fake.requests == []  # the origin's meta-refresh pages stay the answer
