"""No N+1 on the list endpoints (issue 17, item 2): the statements a list sends to PostgreSQL do
not grow with its rows. Each list is read with 5 and with 25 releases, files and pages (nothing
served from the legacy response cache), counting every statement the app sends through the ORM's
engine and the read pool (core/reads.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.app import create_app
from pydotorg.core.db import transaction
from pydotorg.domains.downloads.models import OS, Release, ReleaseFile
from pydotorg.domains.pages.models import Page
from pydotorg.settings import Settings

LISTS = (
    "/api/v1/downloads/release/?limit=1000",
    "/api/v1/downloads/release_file/?limit=1000",
    "/api/v1/downloads/os/?limit=1000",
    "/api/v1/pages/page/?limit=1000",
    "/api/v1/downloads/release_file/?release__name=Python+3.0.1",
    "/api/v2/downloads/release/",
    "/api/v2/downloads/release_file/",
    "/api/v2/downloads/release_file/?release=1",
    "/api/v2/downloads/os/",
    "/api/v2/pages/page/",
    "/api/v3/downloads/releases?limit=1000",
    "/api/v3/downloads/files?limit=1000",
    "/api/v3/downloads/os",
    "/api/v3/downloads/landing",
    "/api/v3/pages?limit=1000",
)
SMALL, LARGE = 5, 25
# A list is one statement, or two (a count, a check that a filtered relation exists, the
# download landing's few fixed reads); never one per row.
MOST = 6


@pytest.fixture(scope="module")
async def counted_app(settings: Settings, mailer: Any) -> Litestar:
    uncached = msgspec.structs.replace(
        settings,
        legacy_cache_bytes=0,
        v1_throttle="100000/3600",
        v2_throttle_anon="100000/86400",
        v2_throttle_user="100000/86400",
    )
    return create_app(uncached, mailer=mailer, configure_logs=False)


@pytest.fixture
async def counted(clean: None, counted_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=counted_app, base_url="http://testserver.local") as c:
        yield c


@contextmanager
def statements(app: Litestar) -> Iterator[list[str]]:
    """Every statement the app sends while the block runs."""
    sent: list[str] = []
    engine = app.state.engine.sync_engine
    reads = app.state.reads

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    fetch, fetchval = reads.fetch, reads.fetchval

    async def counted_fetch(sql: str, *args: Any) -> Any:
        sent.append(sql)
        return await fetch(sql, *args)

    async def counted_fetchval(sql: str, *args: Any) -> Any:
        sent.append(sql)
        return await fetchval(sql, *args)

    event.listen(engine, "before_cursor_execute", on_execute)
    reads.fetch, reads.fetchval = counted_fetch, counted_fetchval
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        del reads.fetch, reads.fetchval


async def _add(sessionmaker: async_sessionmaker[AsyncSession], start: int, count: int) -> None:
    """Releases ``Python 3.0.<n>`` with one file each, and a page each."""
    async with transaction(sessionmaker) as s:
        os = await s.get(OS, 1)
        if os is None:
            os = OS(name="Windows", slug="windows")
            s.add(os)
            await s.flush()
        for n in range(start, start + count):
            release = Release(
                name=f"Python 3.0.{n}",
                slug=f"python-30{n}",
                is_published=True,
                release_date=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=n),
            )
            s.add(release)
            await s.flush()
            s.add(
                ReleaseFile(
                    name=f"Windows installer {n}",
                    slug=f"windows-installer-{n}",
                    os_id=os.id,
                    release_id=release.id,
                    url=f"https://www.python.org/ftp/python/3.0.{n}/python-3.0.{n}.exe",
                )
            )
            s.add(Page(title=f"Page {n}", path=f"page-{n}", content="<p>Hi</p>", content_markup_type="html"))


async def _count(client: AsyncTestClient[Litestar], app: Litestar, path: str) -> int:
    with statements(app) as sent:
        r = await client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return len(sent)


async def test_list_statements_do_not_grow_with_rows(
    counted: AsyncTestClient[Litestar], counted_app: Litestar, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _add(sessionmaker, 1, SMALL)
    small = {path: await _count(counted, counted_app, path) for path in LISTS}
    await _add(sessionmaker, 1 + SMALL, LARGE - SMALL)
    large = {path: await _count(counted, counted_app, path) for path in LISTS}
    # The rows really are there (every list reads them).
    body = (await counted.get("/api/v2/downloads/release/")).json()
    assert len(body) == LARGE
    assert (await counted.get("/api/v3/pages?limit=1000")).json()["meta"]["total"] == LARGE
    grew = {path: (small[path], large[path]) for path in LISTS if large[path] != small[path]}
    assert not grew, f"statements grow with rows (5 rows, 25 rows): {grew}"
    too_many = {path: n for path, n in large.items() if n > MOST}
    assert not too_many, f"more than {MOST} statements for one list: {too_many}"
    assert all(n >= 1 for n in large.values()), large  # the counting itself sees the reads


async def test_hot_legacy_reads_are_one_statement(
    counted: AsyncTestClient[Litestar], counted_app: Litestar, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The reads the release tooling, PyPI and mirrors poll send one statement each: rows and
    total together, no session, no transaction."""
    await _add(sessionmaker, 1, 3)
    for path in (
        "/api/v1/downloads/release/?name=Python+3.0.2",
        "/api/v1/downloads/release/?limit=20",
        "/api/v2/downloads/release/",
        "/api/v2/downloads/release_file/?release=2",
        "/api/v3/downloads/releases",
    ):
        with statements(counted_app) as sent:
            r = await counted.get(path)
        assert r.status_code == 200
        # ?release=2 checks that the release exists first (DRF's choice validation): two.
        expected = 2 if "release=2" in path else 1
        assert len(sent) == expected, (path, sent)
        assert not any(s.strip().upper().startswith(("BEGIN", "COMMIT")) for s in sent)
