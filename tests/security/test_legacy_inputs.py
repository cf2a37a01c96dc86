"""Bad input on the legacy APIs (issue 12, items 6 and 10): Tastypie's and DRF's answers, never a
5xx, nothing stored.

The fuzz run sends every filter field x lookup x odd value (and odd ``limit``/``offset``) to every
v1 and v2 list endpoint in a loop inside a few tests, so thousands of requests run in seconds; each
answer must be a 200 in the API's list shape or a 400 in its error shape."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.mail import MemoryMailer
from pydotorg.legacy import v1
from pydotorg.legacy.resources import RESOURCES
from pydotorg.settings import Settings
from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (the fixture)
from tests.helpers import db_fingerprint

LOOKUPS = (
    "",
    "exact",
    "iexact",
    "isnull",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
    "startswith",
    "istartswith",
    "endswith",
    "contains",
    "icontains",
    "year",
    "month",
    "day",
    "week_day",
    "regex",
    "search",
    "bogus",
)
ODD_VALUES = (
    "",
    "abc",
    "%00",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "-1",
    "0",
    "9" * 30,
    "1.5",
    "true",
    "False",
    "ünï€😀",
    "³",  # str.isdigit() says yes, int() says no: found by schemathesis as a 500
    "[]",
    "1,abc,",
    ",",
    " ",
    "'; --",
    "2024-13-45",
    "2024-01-01T00:00:00",
    "/api/v1/downloads/os/1/",
    "/api/v1/downloads/os/99999999999/",
    "https://www.python.org/api/v2/downloads/release/1/",
)
PAGING = ("", "abc", "-1", "0", "1", "9" * 30, "1e3", "\x00", "1.5", " 5", "+3")


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def _filter_names(version: str, resource_name: str) -> tuple[list[str], list[str]]:
    """(names swept with every odd value, names tried with every lookup only): the resource's
    fields and those a relation may be filtered by take every value; the related resource's
    other fields, and parameters that are no field at all, only need their refusal checked."""
    resource = RESOURCES[resource_name]
    full = ["id", "pk", *resource.fields]
    brief = ["spam", "resource_uri"]
    for field in resource.relations:
        target = RESOURCES[resource.relations[field].target]
        filterable = set(v1.FILTERING[target.name])
        full += [f"{field}__{sub}" for sub in ("id", "pk", *sorted(filterable))]
        brief += [f"{field}__{sub}" for sub in ("spam", *target.fields) if sub not in filterable]
    if version == "v2":
        full += ["description__contains", "keywords__icontains"]
        brief += ["format", "limit", "offset"]
    return full, brief


def fuzz_table(version: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(resource, query pairs). Every name gets every lookup with one odd value (rotating, so
    each value meets each kind of lookup somewhere); the names in the full sweep also get every
    odd value bare (``exact``) and four more each with ``isnull``, ``in`` and ``gt``; v1 also gets
    odd ``limit`` and ``offset`` pairs."""
    turn = itertools.cycle(ODD_VALUES)
    for resource_name in RESOURCES:
        full, brief = _filter_names(version, resource_name)
        for name in (*full, *brief):
            for lookup in LOOKUPS:
                yield resource_name, [(f"{name}__{lookup}" if lookup else name, next(turn))]
        for name in full:
            for value in ODD_VALUES:
                yield resource_name, [(name, value)]
            for lookup in ("isnull", "in", "gt"):
                for _ in range(4):
                    yield resource_name, [(f"{name}__{lookup}", next(turn))]
        if version == "v1":
            for limit, offset in itertools.chain(
                zip(PAGING, itertools.cycle(PAGING[3:])), zip(itertools.cycle(PAGING[:4]), PAGING)
            ):
                yield resource_name, [("limit", limit), ("offset", offset)]


def _check_v1(resource: str, pairs: list[tuple[str, str]], response: Any) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code} {response.text[:200]}"
    if response.status_code == 200:
        body = response.json()
        ok = set(body) == {"meta", "objects"} and isinstance(body["objects"], list)
        return None if ok else f"200 but not a Tastypie list: {response.text[:200]}"
    if response.status_code == 400:
        body = response.json()
        ok = isinstance(body, dict) and list(body) == ["error"] and isinstance(body["error"], str)
        return None if ok else f"400 but not Tastypie's error shape: {response.text[:200]}"
    return f"unexpected {response.status_code}"


def _check_v2(resource: str, pairs: list[tuple[str, str]], response: Any) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code} {response.text[:200]}"
    if response.status_code == 200:
        return None if isinstance(response.json(), list) else f"200 but not a list: {response.text[:200]}"
    if response.status_code == 400:
        body = response.json()
        ok = isinstance(body, dict) and all(
            isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body.values()
        )
        return None if ok and body else f"400 but not DRF's error shape: {response.text[:200]}"
    return f"unexpected {response.status_code}"


@pytest.fixture
async def fuzz_client(settings: Settings, dl: Fixture) -> AsyncIterator[AsyncTestClient[Litestar]]:  # noqa: F811
    """The real app with the legacy throttles opened up (thousands of calls from one address)."""
    loose = msgspec.structs.replace(
        settings, v1_throttle="1000000/3600", v2_throttle_anon="1000000/3600", v2_throttle_user="1000000/3600"
    )
    app = create_app(loose, mailer=MemoryMailer(), configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        yield client


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_filter_fuzz_never_5xx(fuzz_client: Any, dl: Fixture, db_conn: Any, version: str) -> None:  # noqa: F811
    check = _check_v1 if version == "v1" else _check_v2
    staff = dl.staff_v1 if version == "v1" else dl.staff_v2
    before = await db_fingerprint(db_conn)
    failures: list[str] = []
    gate = asyncio.Semaphore(6)  # a few calls in flight: the app serves them concurrently

    async def call(index: int, resource: str, pairs: list[tuple[str, str]]) -> None:
        # Staff see drafts (another query path); every tenth call is made as staff.
        headers = staff if index % 10 == 0 else {}
        async with gate:
            response = await fuzz_client.get(f"/api/{version}/{resource}/?{_query(pairs)}", headers=headers)
        if (problem := check(resource, pairs, response)) is not None:
            failures.append(f"{resource} {pairs!r:.120}: {problem}")

    table = list(fuzz_table(version))
    await asyncio.gather(*(call(i, resource, pairs) for i, (resource, pairs) in enumerate(table)))
    count = len(table)
    assert count > 2000
    assert not failures, f"{len(failures)} of {count} calls failed:\n" + "\n".join(failures[:40])
    assert await db_fingerprint(db_conn) == before


async def test_detail_and_set_keys_never_5xx(fuzz_client: Any, dl: Fixture) -> None:  # noqa: F811
    """Odd primary keys on the detail, ``set/`` (v1) and ``.json`` (v2) routes: 404 or a
    normal answer, never a 5xx."""
    failures = []
    keys = [*ODD_VALUES[1:], "1.json", "1;2", ";;", "0", str(2**31), str(2**63), "-0"]
    for resource, key in itertools.product(RESOURCES, keys):
        quoted = quote(key, safe="")
        for url in (
            f"/api/v1/{resource}/{quoted}/",
            f"/api/v1/{resource}/set/{quoted}/",
            f"/api/v2/{resource}/{quoted}/",
        ):
            r = await fuzz_client.get(url)
            if r.status_code >= 500 or r.status_code not in (200, 400, 401, 404):
                failures.append(f"{url}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures[:40])


# --- item 6: the exact answers --------------------------------------------------------------

MISMATCHED = {"error": "Invalid resource lookup data provided (mismatched type)."}


async def test_v1_isnull_on_relations(client: Any, dl: Fixture) -> None:  # noqa: F811
    for query in (
        "os__isnull=abc",
        "release__isnull=x",
        "os__isnull=",
        "os__isnull=%00",
        "release__isnull=2",
    ):
        r = await client.get(f"/api/v1/downloads/release_file/?{query}")
        assert r.status_code == 400, (query, r.text)
        assert r.json() == MISMATCHED, query
    r = await client.get("/api/v1/downloads/release_file/?os__isnull=true")
    assert r.status_code == 200 and r.json()["objects"] == []
    r = await client.get("/api/v1/downloads/release_file/?release__isnull=false&limit=0")
    assert r.status_code == 200 and len(r.json()["objects"]) == len(dl.files)


async def test_v1_previous_page_as_tastypie(client: Any, dl: Fixture) -> None:  # noqa: F811
    """Tastypie's paginator: ``previous`` is null when ``offset - limit < 0``."""
    cases = [
        ("limit=5000&offset=590", 1000, 590, None),
        ("limit=5000&offset=5", 1000, 5, None),
        ("limit=3&offset=2", 3, 2, None),
        ("limit=3&offset=3", 3, 3, "/api/v1/downloads/release/?limit=3&offset=0"),
        ("limit=2&offset=5", 2, 5, "/api/v1/downloads/release/?limit=2&offset=3"),
    ]
    for query, limit, offset, previous in cases:
        r = await client.get(f"/api/v1/downloads/release/?{query}")
        meta = r.json()["meta"]
        assert (meta["limit"], meta["offset"], meta["previous"]) == (limit, offset, previous), query


async def test_v1_method_not_allowed_as_tastypie(client: Any, dl: Fixture, db_conn: Any) -> None:  # noqa: F811
    """``method_check``: 405, the allowed methods as the body and in ``Allow``, comma-separated."""
    before = await db_fingerprint(db_conn)
    pk = dl.os["linux"]
    cases = [
        ("PUT", f"/api/v1/downloads/os/{pk}/", "GET,DELETE"),
        ("PATCH", f"/api/v1/downloads/os/{pk}/", "GET,DELETE"),
        ("POST", f"/api/v1/downloads/os/{pk}/", "GET,DELETE"),
        ("PUT", "/api/v1/downloads/os/", "GET,POST"),
        ("PATCH", "/api/v1/pages/page/", "GET,POST"),
        ("DELETE", "/api/v1/downloads/release/", "GET,POST"),
        ("PUT", "/api/v1/downloads/release_file/", "GET,POST,DELETE"),
        ("POST", "/api/v1/downloads/os/schema/", "GET"),
        ("DELETE", f"/api/v1/downloads/os/set/{pk}/", "GET"),
    ]
    for method, url, allowed in cases:
        r = await client.request(method, url, json={"name": "x"}, headers=dl.staff_v1)
        assert r.status_code == 405, (method, url, r.text)
        assert r.text == allowed and r.headers["allow"] == allowed, (method, url)
        assert r.headers["content-type"].startswith("text/html"), (method, url)
    assert await db_fingerprint(db_conn) == before


DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"name": ' + DEEP + b"}"
BAD_UTF8 = b'{"name": "\xff\xfe"}'


async def test_v1_undecodable_bodies_are_400(client: Any, dl: Fixture, db_conn: Any) -> None:  # noqa: F811
    before = await db_fingerprint(db_conn)
    for resource in RESOURCES:
        for body in (DEEP, DEEP_OBJECT, BAD_UTF8, b"{", b"\xff"):
            r = await client.post(
                f"/api/v1/{resource}/",
                content=body,
                headers={**dl.staff_v1, "Content-Type": "application/json"},
            )
            assert r.status_code == 400, (resource, body[:20], r.status_code, r.text[:200])
            assert r.json() == {"error": "Request is not valid JSON."}
    assert await db_fingerprint(db_conn) == before


async def test_v2_undecodable_bodies_are_400(client: Any, dl: Fixture, db_conn: Any) -> None:  # noqa: F811
    before = await db_fingerprint(db_conn)
    targets = [
        ("POST", "/api/v2/downloads/os/"),
        ("PUT", f"/api/v2/downloads/os/{dl.os['linux']}/"),
        ("PATCH", f"/api/v2/downloads/release/{dl.releases['Python 2.7.5']}/"),
        ("POST", "/api/v2/downloads/release_file/"),
    ]
    for (method, url), body in itertools.product(targets, (DEEP, DEEP_OBJECT, BAD_UTF8, b"{")):
        r = await client.request(
            method, url, content=body, headers={**dl.staff_v2, "Content-Type": "application/json"}
        )
        assert r.status_code == 400, (method, url, body[:20], r.status_code, r.text[:200])
        detail = r.json()["detail"]
        assert list(r.json()) == ["detail"] and detail.startswith("JSON parse error - "), detail
    assert await db_fingerprint(db_conn) == before


async def test_v2_unique_messages_name_the_model(client: Any, dl: Fixture, db_conn: Any) -> None:  # noqa: F811
    r = await client.post("/api/v2/downloads/os/", json={"name": "Windows"}, headers=dl.staff_v2)
    assert r.status_code == 400
    assert r.json() == {"slug": ["Operating System with this slug already exists."]}
    r = await client.post("/api/v2/downloads/release/", json={"name": "Python 2.7.5"}, headers=dl.staff_v2)
    assert r.status_code == 400
    assert r.json() == {"slug": ["Release with this slug already exists."]}
    existing = await db_conn.fetchrow("SELECT url, slug FROM downloads_release_files LIMIT 1")
    body = {
        "name": "Another",
        "os": f"/api/v2/downloads/os/{dl.os['linux']}/",
        "release": f"/api/v2/downloads/release/{dl.releases['Python 2.7.5']}/",
        "url": existing["url"],
        "slug": existing["slug"],
    }
    r = await client.post("/api/v2/downloads/release_file/", json=body, headers=dl.staff_v2)
    assert r.status_code == 400
    assert r.json() == {
        "slug": ["Release File with this slug already exists."],
        "url": ["Release File with this URL already exists."],
    }
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 3


async def test_v2_release_file_validator_order(client: Any, dl: Fixture, db_conn: Any) -> None:  # noqa: F811
    """DRF: field errors first; then the (os, release) unique-set validator of the
    download-button constraint; only then ``validate()`` with the model's URL rules."""
    before = await db_fingerprint(db_conn)
    windows = f"/api/v2/downloads/os/{dl.os['windows']}/"
    release = f"/api/v2/downloads/release/{dl.releases['Python 2.7.5']}/"
    url = "/api/v2/downloads/release_file/"
    # A second download button for Windows/2.7.5 with a URL off python.org: the unique set wins.
    body = {"name": "Other", "os": windows, "release": release, "url": "https://evil.example/x.msi"}
    r = await client.post(url, json={**body, "download_button": True}, headers=dl.staff_v2)
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["The fields os, release must make a unique set."]}
    # Without the button the URL rule speaks.
    r = await client.post(url, json=body, headers=dl.staff_v2)
    assert r.status_code == 400
    assert r.json() == {"url": ["Release file URLs must begin with 'https://www.python.org/'."]}
    # A field error (a missing name) comes before both.
    r = await client.post(url, json={**body, "name": "", "download_button": True}, headers=dl.staff_v2)
    assert r.status_code == 400 and r.json() == {"name": ["This field may not be blank."]}
    assert await db_fingerprint(db_conn) == before
    # v1 keeps Tastypie's behaviour (the model's full_clean: every problem at once).
    r = await client.post(
        "/api/v1/downloads/release_file/",
        json={
            "name": "Other",
            "os": f"/api/v1/downloads/os/{dl.os['windows']}/",
            "release": f"/api/v1/downloads/release/{dl.releases['Python 2.7.5']}/",
            "url": "https://evil.example/x.msi",
            "download_button": True,
        },
        headers=dl.staff_v1,
    )
    assert r.status_code == 400 and set(r.json()["downloads/release_file"]) == {"url", "download_button"}
    assert FTP.startswith("https://www.python.org/")


def test_fuzz_table_covers_every_declared_filter() -> None:
    """The table is generated from the resources, so a new filter is fuzzed without editing it."""
    for version in ("v1", "v2"):
        keys = {pairs[0][0] for _, pairs in fuzz_table(version)}
        for resource, filtering in v1.FILTERING.items():
            for field in filtering:
                assert field in keys and f"{field}__isnull" in keys, (version, resource, field)
        assert "os__slug__in" in keys and "release__name__isnull" in keys


async def test_v3_undecodable_bodies_are_client_errors_in_the_log(client: Any, actors: Any) -> None:
    """A body msgspec cannot decode is the client's error: 400, logged as a warning without a
    traceback, never as ``unhandled_exception``."""
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        for body in (DEEP, DEEP_OBJECT, BAD_UTF8):
            r = await client.post(
                "/api/v3/downloads/os/",
                content=body,
                headers={**actors["root"].headers, "Content-Type": "application/json"},
            )
            assert r.status_code == 400, r.text
            assert r.json()["detail"].startswith("JSON is malformed")
    assert not [e for e in logs if e["log_level"] in ("error", "critical")], logs
    warnings = [e for e in logs if e["event"] == "undecodable_body"]
    assert len(warnings) == 3 and all(e["log_level"] == "warning" and "exc_info" not in e for e in warnings)
