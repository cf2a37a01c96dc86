"""The PEPs release-cycle data (inventory 1.8 "Integrations", 4.2 "Template tags / EOL data"):
``downloads.refresh_release_cycle`` fetching python.org's saved ``release-cycle.json`` from a local
server (never the internet), storing it, writing only what changed (and so the change feed naming
exactly the series that moved), keeping the last good copy on a timeout, a 500, bad JSON or the
wrong shape (and logging it); ``GET /api/v3/downloads/release-cycle``; every v3 release's
end-of-life information; and the landing's "Active Python Releases" rows computed by python.org's
rules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from structlog.testing import capture_logs

from pydotorg import worker as composed
from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.domains.downloads import release_cycle, tasks
from pydotorg.domains.downloads.services import save_release
from pydotorg.settings import Settings
from tests.helpers import running_worker, serve_asgi

CYCLE_BYTES = (PYTHON_ORG_DATA / "release-cycle.json").read_bytes()
CYCLE = json.loads(CYCLE_BYTES)


@dataclass
class CycleServer:
    """Serves ``body`` at /release-cycle.json; /slow answers after ``delay`` seconds, /error is a
    500, /html is not JSON, /shape is JSON of the wrong shape."""

    body: bytes = CYCLE_BYTES
    delay: float = 2.0
    requests: list[str] = field(default_factory=list)
    url: str = ""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        path = scope["path"]
        self.requests.append(path)
        status, body = 200, self.body
        if path == "/slow":
            await asyncio.sleep(self.delay)
        elif path == "/error":
            status, body = 500, b'{"detail": "boom"}'
        elif path == "/html":
            body = b"<!doctype html><title>Not JSON</title>"
        elif path == "/shape":
            body = json.dumps({"3.14": {"branch": "3.14", "pep": "seven hundred"}}).encode()
        elif path != "/release-cycle.json":
            status, body = 404, b"{}"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def peps() -> Iterator[CycleServer]:
    server = CycleServer()
    with serve_asgi(server) as url:
        server.url = url
        yield server


def local(settings: Settings, server: CycleServer, path: str = "/release-cycle.json") -> Settings:
    return msgspec.structs.replace(
        settings, release_cycle_url=server.url + path, release_cycle_timeout_seconds=0.5
    )


async def cycle_rows(db_conn: Any) -> dict[str, dict[str, Any]]:
    rows = await db_conn.fetch("SELECT * FROM downloads_release_cycle")
    return {r["version"]: dict(r) for r in rows}


async def feed(db_conn: Any) -> list[tuple[str, str, str, str]]:
    rows = await db_conn.fetch("SELECT domain, kind, object_id, action FROM changes ORDER BY cursor")
    return [tuple(r) for r in rows]


async def add_release(
    sessionmaker: Any, name: str, *, when: str, published: bool = True, **extra: Any
) -> int:
    word = name.split()[1]
    version = int(word.split(".")[0]) if word[0].isdigit() else 100
    async with transaction(sessionmaker) as s:
        release = await save_release(
            s,
            {
                "name": name,
                "version": version,
                "is_published": published,
                "release_date": datetime.fromisoformat(when).replace(tzinfo=UTC),
                **extra,
            },
        )
        return release.id


async def test_refresh_stores_serves_and_writes_only_changes(
    client: Any, sessionmaker: Any, db_conn: Any, settings: Settings, peps: CycleServer
) -> None:
    result = await release_cycle.refresh(sessionmaker, local(settings, peps))
    assert result["status"] == "stored" and result["series"] == 19
    assert sorted(result["created"]) == sorted(CYCLE) and result["updated"] == result["deleted"] == []
    rows = await cycle_rows(db_conn)
    assert set(rows) == set(CYCLE)
    for version, entry in CYCLE.items():
        assert {k: rows[version][k] for k in entry} == entry
    assert await feed(db_conn) == [("downloads", "release_cycle", v, "created") for v in sorted(CYCLE)]

    r = await client.get("/api/v3/downloads/release-cycle")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "public, max-age=0, s-maxage=60"
    body = r.json()
    assert body["meta"] == {"total": 19, "limit": 100, "offset": 0}
    versions = [row["version"] for row in body["data"]]
    assert versions[:3] == ["3.16", "3.15", "3.14"] and versions[-4:] == ["3.1", "3.0", "2.7", "2.6"]
    first = {k: v for k, v in body["data"][0].items() if k not in {"version", "updated"}}
    assert first == CYCLE["3.16"]
    page = (await client.get("/api/v3/downloads/release-cycle?limit=2&offset=1")).json()
    assert [row["version"] for row in page["data"]] == ["3.15", "3.14"] and page["meta"]["total"] == 19

    # The same data again: not one row written, nothing in the change feed.
    before, changes = await cycle_rows(db_conn), await feed(db_conn)
    again = await release_cycle.refresh(sessionmaker, local(settings, peps))
    assert (again["created"], again["updated"], again["deleted"]) == ([], [], [])
    assert await cycle_rows(db_conn) == before and await feed(db_conn) == changes


async def test_one_series_reaching_end_of_life_is_one_change(
    client: Any, sessionmaker: Any, db_conn: Any, settings: Settings, peps: CycleServer
) -> None:
    await release_cycle.refresh(sessionmaker, local(settings, peps))
    before = await cycle_rows(db_conn)
    cursor = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    moved = json.loads(CYCLE_BYTES)
    moved["3.10"].update(status="end-of-life", end_of_life="2026-10-04")
    del moved["2.6"]  # a series the data stops listing is deleted
    peps.body = json.dumps(moved).encode()
    result = await release_cycle.refresh(sessionmaker, local(settings, peps))
    assert (result["created"], result["updated"], result["deleted"]) == ([], ["3.10"], ["2.6"])
    assert await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1 ORDER BY cursor", cursor
    ) == [("downloads", "release_cycle", "2.6", "deleted"), ("downloads", "release_cycle", "3.10", "updated")]
    after = await cycle_rows(db_conn)
    assert after["3.10"]["status"] == "end-of-life" and after["3.10"]["end_of_life"] == "2026-10-04"
    assert after["3.10"]["updated"] > before["3.10"]["updated"]
    assert {v: r for v, r in after.items() if v != "3.10"} == {
        v: r for v, r in before.items() if v not in {"3.10", "2.6"}
    }


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/slow", "ReadTimeout"),
        ("/error", "answered 500"),
        ("/html", "not JSON"),
        ("/shape", "not release-cycle data"),
        ("/missing", "answered 404"),
    ],
)
async def test_failed_fetch_keeps_the_last_good_copy_and_is_logged(
    sessionmaker: Any, db_conn: Any, settings: Settings, peps: CycleServer, path: str, error: str
) -> None:
    await release_cycle.refresh(sessionmaker, local(settings, peps))
    before, changes = await cycle_rows(db_conn), await feed(db_conn)
    with capture_logs() as logs:
        result = await release_cycle.refresh(sessionmaker, local(settings, peps, path))
    assert result["status"] == "failed" and result["url"] == peps.url + path
    assert error in result["error"] or error in str(logs)
    failures = [e for e in logs if e["event"] == "release_cycle_fetch_failed"]
    assert len(failures) == 1 and failures[0]["log_level"] == "warning"
    assert failures[0]["url"] == peps.url + path
    assert await cycle_rows(db_conn) == before and await feed(db_conn) == changes


async def test_empty_or_disabled_fetch_writes_nothing(
    sessionmaker: Any, db_conn: Any, settings: Settings, peps: CycleServer
) -> None:
    peps.body = b"{}"  # would empty the table: refused like any other bad answer
    result = await release_cycle.refresh(sessionmaker, local(settings, peps))
    assert result["status"] == "failed" and "no series" in result["error"]
    off = msgspec.structs.replace(settings, release_cycle_url="")
    assert await release_cycle.refresh(sessionmaker, off) == {"status": "disabled"}
    assert await cycle_rows(db_conn) == {} and await feed(db_conn) == []
    assert peps.requests == ["/release-cycle.json"]


async def test_the_job_runs_in_the_worker_hourly(
    sessionmaker: Any, db_conn: Any, settings: Settings, mailer: Any, peps: CycleServer
) -> None:
    assert (tasks.REFRESH_RELEASE_CYCLE, tasks.refresh_release_cycle) in composed.JOB_FUNCTIONS
    [cron] = [c for c in composed.CRON_JOBS if c.function is tasks.refresh_release_cycle]
    assert cron.cron == "23 * * * *" and cron.timeout and cron.retries
    assert tasks.refresh_release_cycle.__qualname__ == "downloads.refresh_release_cycle"
    own = msgspec.structs.replace(local(settings, peps), queue_name="test-release-cycle")
    async with running_worker(own, sessionmaker, mailer) as queue:
        result = await queue.apply("downloads.refresh_release_cycle", timeout=30)
    assert result["status"] == "stored" and len(result["created"]) == 19
    assert len(await cycle_rows(db_conn)) == 19


async def test_releases_carry_end_of_life_information(
    client: Any, sessionmaker: Any, db_conn: Any, settings: Settings, peps: CycleServer
) -> None:
    ids = {
        name: await add_release(sessionmaker, name, when=when)
        for name, when in (
            ("Python 2.7.5", "2013-05-12"),
            ("Python 2.5.6", "2011-05-26"),  # a Python 2 series the data does not list
            ("Python 3.8.20", "2024-09-06"),
            ("Python 3.10.19", "2025-10-09"),
            ("Python install manager 25.0", "2025-06-01"),
        )
    }
    expected_without_data = {name: (False, None) for name in ids}  # python.org: API failure -> no warning
    expected = {
        "Python 2.7.5": (True, "2020-01-01"),
        "Python 2.5.6": (True, None),
        "Python 3.8.20": (True, "2024-10-07"),
        "Python 3.10.19": (False, None),  # "security"
        "Python install manager 25.0": (False, None),
    }

    async def seen() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        listed = (await client.get("/api/v3/downloads/releases")).json()["data"]
        by_list = {r["name"]: (r["is_eol"], r["end_of_life"]) for r in listed}
        by_id, by_detail = {}, {}
        for name, rid in ids.items():
            one = (await client.get(f"/api/v3/downloads/releases/{rid}")).json()
            by_id[name] = (one["is_eol"], one["end_of_life"])
            detail = (await client.get(f"/api/v3/downloads/releases/slug/{one['slug']}")).json()["release"]
            by_detail[name] = (detail["is_eol"], detail["end_of_life"])
        return by_list, by_id, by_detail

    assert await seen() == (expected_without_data,) * 3
    await release_cycle.refresh(sessionmaker, local(settings, peps))
    assert await seen() == (expected,) * 3


async def test_landing_active_releases_follow_python_org(
    client: Any, sessionmaker: Any, settings: Settings, peps: CycleServer
) -> None:
    assert (await client.get("/api/v3/downloads/landing")).json()["active_releases"] == []  # no data
    await release_cycle.refresh(sessionmaker, local(settings, peps))
    await add_release(sessionmaker, "Python 3.14.2", when="2025-12-05", is_latest=True)
    await add_release(sessionmaker, "Python 3.9.24", when="2025-10-09")
    newest_39 = await add_release(sessionmaker, "Python 3.9.25", when="2025-10-31")
    await add_release(sessionmaker, "Python 3.9.26", when="2025-12-01", published=False)  # a draft
    await add_release(sessionmaker, "Python 3.8.20", when="2024-09-06")

    def rows(body: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (
                r["version"],
                r["status"],
                r["first_release"],
                r["end_of_life"],
                r["pep"],
                r["last_release"] and r["last_release"]["id"],
            )
            for r in body["active_releases"]
        ]

    stable = [
        ("3.14", "bugfix", "2025-10-07", "2030-10", 745, None),
        ("3.13", "bugfix", "2024-10-07", "2029-10", 719, None),
        ("3.12", "security", "2023-10-02", "2028-10", 693, None),
        ("3.11", "security", "2022-10-24", "2027-10", 664, None),
        ("3.10", "security", "2021-10-04", "2026-10", 619, None),
        # Only the newest end-of-life series, with its newest published release (3.8 and 2.7 not).
        ("3.9", "end-of-life", "2020-10-05", "2025-10-31", 596, newest_39),
    ]
    landing = (await client.get("/api/v3/downloads/landing")).json()
    # 3.16 ("feature") and 3.15 ("prerelease") have no published release yet: not shown.
    assert rows(landing) == stable
    last = landing["active_releases"][-1]["last_release"]
    assert (last["version_number"], last["url"]) == ("3.9.25", "/downloads/release/python-3925/")

    # The first alpha of 3.15 is published: the series appears, as a pre-release, date planned.
    await add_release(sessionmaker, "Python 3.15.0a1", when="2025-10-14", pre_release=True)
    landing = (await client.get("/api/v3/downloads/landing")).json()
    assert rows(landing) == [("3.15", "pre-release", "2026-10-01 (planned)", "2031-10", 790, None), *stable]
