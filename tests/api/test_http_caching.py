"""HTTP caching on the API (issue 17, items 3 and 4; ``core/httpcache.py``): strong entity tags and
``304 Not Modified`` on /api/v3/ and the legacy reads, ``Cache-Control`` by caller, ``Vary``, gzip,
``HEAD`` wherever ``GET`` is, and the legacy response cache bounded in bytes whatever the query
string carries."""

# ruff: noqa: F811  (the ``dl`` fixture, imported, is every test's argument)

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import brotli
import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from pydotorg.app import create_app
from pydotorg.core import httpcache
from pydotorg.core.changes import VERSION_KEY
from pydotorg.core.httpcache import PRIVATE, PUBLIC, HeadMiddleware
from pydotorg.legacy.middleware import LegacyReadMiddleware, ResponseCache
from pydotorg.settings import Settings
from tests.api.test_query_counts import statements
from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import PASSWORD, serve_asgi

V3_LIST = "/api/v3/downloads/releases"
V2_LIST = "/api/v2/downloads/release/"
V1_LIST = "/api/v1/downloads/release/"
LISTS = (V3_LIST, V2_LIST, V1_LIST)
PLAIN = {"Accept-Encoding": "identity"}
ORIGIN = "https://www.python.org"
# Headers that differ between any two answers whatever they are.
PER_REQUEST = {"x-request-id", "date"}


@pytest.fixture(scope="module")
async def http_app(settings: Settings, mailer: Any) -> Litestar:
    """The app as ``create_app`` builds it, with ``HeadMiddleware`` installed in front of it as
    ``create_app`` will do (one line, see the report), throttles high enough for 1,000 requests
    and an allowed origin for CORS."""
    roomy = msgspec.structs.replace(
        settings,
        v1_throttle="100000/3600",
        v2_throttle_anon="100000/86400",
        v2_throttle_user="100000/86400",
        allowed_origins=(ORIGIN,),
    )
    app = create_app(roomy, mailer=mailer, configure_logs=False)
    if not isinstance(app.asgi_handler, HeadMiddleware):
        httpcache.install_head_middleware(app)
    return app


@pytest.fixture(scope="module")
async def _http(http_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=http_app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def http(clean: None, _http: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    _http.cookies.clear()
    return _http


def _sha_tag(body: bytes) -> str:
    return '"' + base64.urlsafe_b64encode(hashlib.sha256(body).digest()[:16]).rstrip(b"=").decode() + '"'


def _vary(response: Any) -> list[str]:
    return [v.strip().lower() for value in response.headers.get_list("vary") for v in value.split(",")]


async def _raw(client: Any, method: str, url: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The answer and its body as sent (httpx would decompress it)."""
    async with client.stream(method, url, headers=headers) as r:
        return r, b"".join([chunk async for chunk in r.aiter_raw()])


def _legacy_cache(app: Litestar, path: str) -> ResponseCache:
    """The response cache of the legacy middleware in front of ``path``'s GET handler."""
    layer: Any = app.asgi_router.handle_routing(path=path.rstrip("/"), method="GET")[0]
    for _ in range(50):
        if isinstance(layer, LegacyReadMiddleware):
            return layer.cache
        layer = layer.app
    raise AssertionError(f"no LegacyReadMiddleware in front of {path}")


async def _settled(app: Litestar) -> None:
    """Wait until this process knows the data version Redis holds (after a legacy request has
    started its reader). The middlewares read it every few milliseconds; under load a read can
    come late, and a tag remembered just before it would be for the old version (the next
    revalidation then builds the answer)."""
    layer: Any = app.asgi_router.handle_routing(path=V1_LIST.rstrip("/"), method="GET")[0]
    while not isinstance(layer, LegacyReadMiddleware):
        layer = layer.app
    redis = Redis.from_url(app.state.settings.redis_url)  # the app's client lives on its own loop
    try:
        for _ in range(500):
            if layer.counters.version is not None and layer.counters.version == (
                await redis.get(VERSION_KEY) or b"0"
            ):
                return
            await asyncio.sleep(0.01)
    finally:
        await redis.aclose()
    raise AssertionError("the data version never settled")


# --- ETag and 304 ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
async def test_strong_etag_is_stable_and_matching_if_none_match_is_304(
    http: Any, dl: Fixture, url: str
) -> None:
    first = await http.get(url, headers=PLAIN)
    second = await http.get(url, headers=PLAIN)
    assert first.status_code == second.status_code == 200, first.text
    assert "Python 3.10.19" in first.text
    assert first.content == second.content
    etag = first.headers["etag"]
    assert etag == second.headers["etag"] == _sha_tag(first.content)  # strong: no W/
    assert "content-encoding" not in first.headers

    r = await http.get(url, headers={**PLAIN, "If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == etag
    assert r.headers["cache-control"] == PUBLIC
    assert {"authorization", "cookie", "accept-encoding"} <= set(_vary(r))
    assert "content-type" not in r.headers and "content-length" not in r.headers


async def test_a_write_changes_the_tag_and_the_old_tag_gets_the_new_body(http: Any, dl: Fixture) -> None:
    before = await http.get(V2_LIST, headers=PLAIN)
    etag = before.headers["etag"]
    assert (await http.get(V2_LIST, headers={**PLAIN, "If-None-Match": etag})).status_code == 304

    created = await http.post(
        V2_LIST,
        headers={**dl.staff_v2, **PLAIN},
        json={"name": "Python 3.14.0", "version": 3, "is_published": True},
    )
    assert created.status_code == 201, created.text

    after = await http.get(V2_LIST, headers={**PLAIN, "If-None-Match": etag})
    assert after.status_code == 200
    assert "Python 3.14.0" in [item["name"] for item in after.json()]
    assert after.headers["etag"] == _sha_tag(after.content) != etag
    v3 = await http.get(V3_LIST, headers=PLAIN)
    assert "Python 3.14.0" in v3.text


@pytest.mark.parametrize("accept", ["identity", "gzip", "br"])
async def test_staff_revalidation_is_answered_from_the_remembered_tag(
    http: Any, http_app: Litestar, dl: Fixture, accept: str
) -> None:
    """Staff answers are never cached, but a staff client's ``If-None-Match`` is answered 304
    from the tag the answer had at this data version, without building it again; a write, by
    anyone, makes the old tag get the new answer; a user's tag is not a staff tag."""
    headers = {**dl.staff_v1, "Accept-Encoding": accept}
    url = V1_LIST + "?limit=50"
    await http.get(url, headers=headers)
    await _settled(http_app)
    first = await http.get(url, headers=headers)
    assert first.status_code == 200 and first.headers["cache-control"] == PRIVATE
    etag = first.headers["etag"]
    assert etag.endswith('-gzip"') == (accept == "gzip") and etag.endswith('-br"') == (accept == "br")
    # Revalidated: a 304, and not one statement sent to the database for it.
    with statements(http_app) as sent:
        again = await http.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert sent == []
    assert again.headers["etag"] == etag and again.headers["cache-control"] == PRIVATE
    assert {"authorization", "accept-encoding"} <= set(_vary(again))
    # Another encoding's tag is not this representation's.
    plain_tag = etag.replace('-gzip"', '"').replace('-br"', '"')
    for other in {plain_tag, plain_tag[:-1] + '-gzip"', plain_tag[:-1] + '-br"'} - {etag}:
        assert (await http.get(url, headers={**headers, "If-None-Match": other})).status_code == 200
    # An anonymous answer (published releases only) has another tag; staff do not get its 304.
    anonymous = await http.get(url, headers={"Accept-Encoding": accept})
    drafts_differ = anonymous.content != first.content
    if drafts_differ:
        r = await http.get(url, headers={**headers, "If-None-Match": anonymous.headers["etag"]})
        assert r.status_code == 200
    created = await http.post(
        V2_LIST,
        headers={**dl.staff_v2, **PLAIN},
        json={"name": "Python 3.14.1", "version": 3, "is_published": True},
    )
    assert created.status_code == 201, created.text
    after = await http.get(url, headers={**headers, "If-None-Match": etag})
    assert after.status_code == 200
    assert "Python 3.14.1" in [o["name"] for o in after.json()["objects"]]
    assert after.headers["etag"] != etag


@pytest.mark.parametrize("accept", ["identity", "br"])
async def test_v3_revalidation_is_answered_from_the_remembered_tag(
    http: Any, http_app: Litestar, dl: Fixture, accept: str
) -> None:
    """/api/v3/ reads that opt in (core/revalidate.py): a caller's ``If-None-Match`` is a 304 from
    the tag its answer had at this data version, without a statement; tags are per caller's
    rights (a user does not get the staff answer's 304); a write makes the old tag get the new
    answer."""
    staff = {
        "Authorization": dl.staff_v2["Authorization"].replace("Token ", "Bearer "),
        "Accept-Encoding": accept,
    }
    user = {
        "Authorization": dl.user_v2["Authorization"].replace("Token ", "Bearer "),
        "Accept-Encoding": accept,
    }
    url = V3_LIST + "?limit=50"
    await http.get(V1_LIST, headers=PLAIN)
    await _settled(http_app)
    first = await http.get(url, headers=staff)
    assert first.status_code == 200 and first.headers["cache-control"] == PRIVATE
    etag = first.headers["etag"]
    assert etag.endswith('-br"') == (accept == "br")
    with statements(http_app) as sent:
        again = await http.get(url, headers={**staff, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert sent == []
    assert again.headers["etag"] == etag and again.headers["cache-control"] == PRIVATE
    assert {"authorization", "accept-encoding"} <= set(_vary(again))
    # A user sees no drafts: the staff answer's tag is not its 304 when the answers differ.
    mine = await http.get(url, headers=user)
    assert mine.status_code == 200
    if mine.content != first.content:
        r = await http.get(url, headers={**user, "If-None-Match": etag})
        assert r.status_code == 200 and r.content == mine.content
    # Anonymous callers are remembered too, and their 304 stays public.
    anonymous = await http.get(url, headers={"Accept-Encoding": accept})
    with statements(http_app) as sent:
        r = await http.get(
            url, headers={"Accept-Encoding": accept, "If-None-Match": anonymous.headers["etag"]}
        )
    assert r.status_code == 304 and sent == [] and r.headers["cache-control"] == PUBLIC
    # A write, by anyone: the old tag gets the new answer.
    created = await http.post(
        V2_LIST,
        headers={**dl.staff_v2, **PLAIN},
        json={"name": "Python 3.14.1", "version": 3, "is_published": True},
    )
    assert created.status_code == 201, created.text
    after = await http.get(url, headers={**staff, "If-None-Match": etag})
    assert after.status_code == 200
    assert "Python 3.14.1" in [o["name"] for o in after.json()["data"]]
    assert after.headers["etag"] != etag


async def test_if_none_match_forms(http: Any, dl: Fixture) -> None:
    etag = (await http.get(V2_LIST, headers=PLAIN)).headers["etag"]
    other = '"0123456789abcdefghijkl"'
    for header, status in (
        (etag, 304),
        (f"W/{etag}", 304),  # weak comparison: W/ is ignored
        (f"{other}, W/{etag}", 304),
        (f"{other},{etag}", 304),
        ("*", 304),
        (other, 200),
        (f"W/{other}", 200),
        (etag[:-1] + '-gzip"', 200),  # the gzipped representation's tag: not this one
        (etag[:-1] + '-br"', 200),
        ("not a tag", 200),
        ("", 200),
    ):
        r = await http.get(V2_LIST, headers={**PLAIN, "If-None-Match": header})
        assert r.status_code == status, header
        assert r.headers["etag"] == etag
        if status == 200:
            assert "Python 3.10.19" in r.text


async def test_no_etag_or_304_for_a_post(http: Any, dl: Fixture, db_conn: Any) -> None:
    r = await http.post(
        "/api/v2/downloads/os/",
        headers={**dl.staff_v2, **PLAIN, "If-None-Match": "*"},
        json={"name": "Plan 9"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Plan 9" and "etag" not in r.headers
    assert await db_conn.fetchval("SELECT slug FROM downloads_os WHERE name = 'Plan 9'") == "plan-9"
    assert r.headers["cache-control"] == "no-store"  # not a read: the API's default


async def test_errors_get_no_etag_and_stay_uncacheable(http: Any, dl: Fixture) -> None:
    r = await http.get("/api/v2/downloads/release/999999/", headers={**PLAIN, "If-None-Match": "*"})
    assert r.status_code == 404 and r.json() == {"detail": "No Release matches the given query."}
    assert "etag" not in r.headers and r.headers["cache-control"] == "no-store"
    assert {"authorization", "cookie", "accept-encoding"} <= set(_vary(r))


# --- Cache-Control and Vary --------------------------------------------------------------------


async def test_credentials_make_answers_private(
    http: Any, dl: Fixture, actors: Any, settings: Settings
) -> None:
    anonymous = await http.get(V3_LIST, headers=PLAIN)
    assert anonymous.headers["cache-control"] == PUBLIC

    for headers in (actors["ordinary"].headers, dl.user_v2):
        url = V2_LIST if headers is dl.user_v2 else V3_LIST
        r = await http.get(url, headers={**headers, **PLAIN})
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == PRIVATE
        assert {"authorization", "cookie", "accept-encoding"} <= set(_vary(r))
        again = await http.get(url, headers={**headers, **PLAIN, "If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == PRIVATE

    login = await http.post(
        "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
    )
    assert login.status_code == 200, login.text
    assert login.headers["cache-control"] == "no-store"  # not a read: the API's default
    assert settings.session_cookie_name in http.cookies
    me = await http.get("/api/v3/users/me", headers=PLAIN)
    assert me.json()["username"] == "ordinary" and me.headers["cache-control"] == PRIVATE
    r = await http.get(V3_LIST, headers=PLAIN)
    assert r.status_code == 200 and r.headers["cache-control"] == PRIVATE
    http.cookies.clear()
    # The session cookie alone makes the answer private, whatever else the browser sends.
    r = await http.get(V3_LIST, headers={**PLAIN, "Cookie": f"theme=dark; {settings.session_cookie_name}=x"})
    assert r.headers["cache-control"] == PRIVATE
    r = await http.get(V3_LIST, headers={**PLAIN, "Cookie": "theme=dark"})
    assert r.headers["cache-control"] == PUBLIC


async def test_a_handlers_cache_control_is_kept(http: Any, dl: Fixture) -> None:
    r = await http.get("/api/v3/search", params={"q": "python"}, headers=PLAIN)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "public, max-age=60"
    assert r.headers["etag"] == _sha_tag(r.content)


async def test_vary_survives_cors(http: Any, dl: Fixture) -> None:
    r = await http.get(V2_LIST, headers={**PLAIN, "Origin": ORIGIN})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert len(r.headers.get_list("vary")) == 1
    assert set(_vary(r)) == {"origin", "authorization", "cookie", "accept-encoding"}


# --- compression -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("accept", "coding"),
    [("br;q=0.5, gzip;q=1", "gzip"), ("x-gzip", "gzip"), ("gzip, deflate, br", "br"), ("br", "br")],
)
async def test_compressed_when_asked_and_large(
    http: Any, dl: Fixture, url: str, accept: str, coding: str
) -> None:
    plain = await http.get(url, headers=PLAIN)
    assert len(plain.content) > httpcache.COMPRESS_MIN_BYTES
    r, raw = await _raw(http, "GET", url, {"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == coding
    assert int(r.headers["content-length"]) == len(raw) < len(plain.content)
    assert (gzip.decompress(raw) if coding == "gzip" else brotli.decompress(raw)) == plain.content
    assert r.headers["etag"] == plain.headers["etag"][:-1] + f'-{coding}"'
    assert "accept-encoding" in _vary(r) and "accept-encoding" in _vary(plain)
    # The same bytes again (the compressed copy is kept), and its own tag revalidates.
    again, raw_again = await _raw(http, "GET", url, {"Accept-Encoding": coding})
    assert raw_again == raw and again.headers["etag"] == r.headers["etag"]
    cached, body = await _raw(
        http, "GET", url, {"Accept-Encoding": coding, "If-None-Match": r.headers["etag"]}
    )
    assert cached.status_code == 304 and body == b""
    assert "content-encoding" not in cached.headers


async def test_no_compression_unless_asked_or_when_small(http: Any, dl: Fixture) -> None:
    for accept in ("identity", "gzip;q=0", "zstd", "*;q=0", "gzip;q=0, br;q=0, *", "deflate"):
        r, raw = await _raw(http, "GET", V2_LIST, {"Accept-Encoding": accept})
        assert "content-encoding" not in r.headers, accept
        assert msgspec.json.decode(raw)[0]["resource_uri"].startswith("https://www.python.org/api/v2/")
    r, raw = await _raw(http, "GET", V2_LIST, {"Accept-Encoding": "*"})
    assert r.headers["content-encoding"] == "br"
    r, raw = await _raw(http, "GET", V2_LIST, {"Accept-Encoding": "br;q=0, *"})
    assert r.headers["content-encoding"] == "gzip"
    for coding in ("gzip", "br"):
        small, raw = await _raw(http, "GET", "/api/v2/downloads/os/?name=Linux", {"Accept-Encoding": coding})
        assert "content-encoding" not in small.headers
        assert [os["name"] for os in msgspec.json.decode(raw)] == ["Linux"]
        assert small.headers["etag"] == _sha_tag(raw)


# --- HEAD --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("accept", ["identity", "gzip"])
async def test_head_answers_like_get_without_a_body(http: Any, dl: Fixture, url: str, accept: str) -> None:
    got, body = await _raw(http, "GET", url, {"Accept-Encoding": accept})
    head, nothing = await _raw(http, "HEAD", url, {"Accept-Encoding": accept})
    assert got.status_code == head.status_code == 200
    assert body and nothing == b""
    assert int(head.headers["content-length"]) == len(body)

    def comparable(response: Any) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in response.headers.multi_items() if k not in PER_REQUEST)

    assert comparable(head) == comparable(got)
    revalidated = await http.head(
        url, headers={"Accept-Encoding": accept, "If-None-Match": got.headers["etag"]}
    )
    assert revalidated.status_code == 304


async def test_head_is_throttled_and_authenticated_as_its_get(http: Any, dl: Fixture) -> None:
    # An unpublished release is visible to staff only: the HEAD is answered for its caller.
    hidden = f"/api/v2/downloads/release/{dl.releases['Python 9.7.2']}/"
    assert (await http.head(hidden)).status_code == 404
    staff = await http.head(hidden, headers=dl.staff_v2)
    assert staff.status_code == 200 and staff.headers["cache-control"] == PRIVATE
    bad = await http.head(V2_LIST, headers={"Authorization": "Token nope"})
    assert bad.status_code == 401 and bad.content == b""


# --- the legacy cache's memory -----------------------------------------------------------------


async def _until_cached(client: Any, cache: ResponseCache, url: str) -> None:
    """The legacy cache serves once its process has read the data version (a background task)."""
    for _ in range(200):
        assert (await client.get(url, headers=PLAIN)).status_code == 200
        if cache.entries:
            return
    raise AssertionError("the legacy cache never stored an answer")


async def test_junk_query_parameters_leave_the_cache_unchanged(
    http: Any, http_app: Litestar, dl: Fixture
) -> None:
    cache = _legacy_cache(http_app, V2_LIST)
    await _until_cached(http, cache, V2_LIST)
    size, keys = cache.size, list(cache.entries)
    expected = (await http.get(V2_LIST, headers=PLAIN)).content
    for i in range(1000):
        r = await http.get(f"{V2_LIST}?junk{i}=x&utm_source={i}", headers=PLAIN)
        assert r.status_code == 200
        if i % 250 == 0:
            assert r.content == expected
    assert cache.size == size and list(cache.entries) == keys

    # A parameter the endpoint reads still selects its own answer (and entry).
    linux = await http.get("/api/v2/downloads/release/?name=Python+3.8.20&junk=1", headers=PLAIN)
    assert [r["name"] for r in linux.json()] == ["Python 3.8.20"]


async def test_tastypie_echoes_unknown_parameters_so_they_are_not_cached(
    http: Any, http_app: Litestar, dl: Fixture
) -> None:
    cache = _legacy_cache(http_app, V1_LIST)
    await _until_cached(http, cache, V1_LIST)
    size = cache.size
    for i in range(300):
        r = await http.get(f"{V1_LIST}?limit=2&junk={i}", headers=PLAIN)
        assert r.status_code == 200
        assert f"junk={i}&" in r.json()["meta"]["next"]  # each answer is its own
    assert cache.size == size
    paged = await http.get(f"{V1_LIST}?limit=2&offset=2", headers=PLAIN)
    assert paged.json()["meta"]["offset"] == 2 and cache.size > size  # known parameters are cached


def test_response_cache_is_bounded_in_bytes() -> None:
    cache = ResponseCache(max_bytes=10_000)
    headers = [(b"content-type", b"application/json")]
    for i in range(100):
        cache.put(("/api/v2/x/", str(i)), b"1", headers, b"x" * 1000)
        assert cache.size <= 10_000
        assert cache.size == sum(cache.cost(key, entry) for key, entry in cache.entries.items())
    assert 5 <= len(cache.entries) < 10
    assert cache.get(("/api/v2/x/", "99"), b"1") == (headers, b"x" * 1000)
    assert cache.get(("/api/v2/x/", "0"), b"1") is None  # the oldest went first
    cache.put(("/api/v2/x/", "big"), b"1", headers, b"x" * 20_000)  # larger than the whole cache
    assert ("/api/v2/x/", "big") not in cache.entries
    cache.put(("/api/v2/x/", "99"), b"1", headers, b"y" * 10)  # replacing an entry frees its bytes
    assert cache.size == sum(cache.cost(key, entry) for key, entry in cache.entries.items())
    assert cache.get(("/api/v2/x/", "99"), b"2") is None  # another data version: gone
    assert ("/api/v2/x/", "99") not in cache.entries


# --- the parsers -------------------------------------------------------------------------------


def test_accept_encoding_and_if_none_match_parsing() -> None:
    assert httpcache.accepts_gzip("gzip, deflate, br")
    assert httpcache.accepts_gzip("GZIP;Q=0.001")
    assert httpcache.accepts_gzip("x-gzip")
    assert httpcache.accepts_gzip("br, *;q=0.1")
    assert not httpcache.accepts_gzip("")
    assert not httpcache.accepts_gzip("gzip;q=0, *")
    assert not httpcache.accepts_gzip("gzip;q=oops")
    assert not httpcache.accepts_gzip("identity, br")
    assert httpcache.choose_coding("gzip, deflate, br, zstd") == b"br"  # a browser's
    assert httpcache.choose_coding("gzip;q=1.0, br;q=0.9") == b"gzip"
    assert httpcache.choose_coding("BR;Q=0.2, *;q=0.5") == b"gzip"  # named br below *, gzip via *
    assert httpcache.choose_coding("gzip, deflate") == b"gzip"  # requests without brotli
    assert httpcache.choose_coding("identity") is None
    assert httpcache.choose_coding("") is None
    assert httpcache.choose_coding("br;q=oops, gzip;q=0") is None
    assert httpcache.none_match('"a,b", "c"', '"a,b"')  # a comma may sit inside a tag
    assert not httpcache.none_match('"a,b", "c"', '"a"')
    assert httpcache.none_match(" * ", '"z"')
    assert httpcache.none_match('W/"z"', 'W/"z"')
    assert httpcache.entity_tag(b"{}") == _sha_tag(b"{}").encode()


async def test_head_through_a_real_server(
    settings: Settings,
    mailer: Any,
    clean: None,
    dl: Fixture,
    caplog: Any,
) -> None:
    """Over uvicorn, not the test client: the server decides from its own scope whether an answer
    carries a body, so ``HEAD`` must leave that scope alone (rewriting its method to ``GET`` made
    uvicorn wait for Content-Length bytes and log every HEAD as a server error)."""
    app = create_app(settings, mailer=mailer, configure_logs=False)
    paths = [
        "/api/v3/downloads/releases",
        f"/api/v2/downloads/release/{dl.releases['Python 3.10.19']}/",
        "/api/v3/nonexistent",
    ]
    with caplog.at_level("ERROR"), serve_asgi(app, lifespan="on") as url:
        async with httpx.AsyncClient(base_url=url) as client:
            for path in paths:
                got = await client.get(path)
                head = await client.head(path)
                assert head.status_code == got.status_code, path
                assert head.content == b""
                assert head.headers["content-length"] == got.headers["content-length"], path
                again = await client.get(path)  # the same kept-alive connection still answers
                assert again.status_code == got.status_code
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert not errors, errors
