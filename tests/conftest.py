"""The test session: real PostgreSQL and Redis (embedded unless PYDOTORG_TEST_DATABASE_URL /
PYDOTORG_TEST_REDIS_URL name servers), a database built by running the migrations, the real
app over ASGI, and a real SAQ worker in the same event loop so queued jobs (mail) execute.

Every test starts from empty tables (TRUNCATE ... RESTART IDENTITY) and an empty Redis db.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.app import create_app
from pydotorg.core import authcache
from pydotorg.core.changes import VERSION_KEY, invalidate_local
from pydotorg.core.db import create_engine
from pydotorg.core.mail import MemoryMailer
from pydotorg.core.migrate import upgrade
from pydotorg.core.tasks import create_queue
from pydotorg.dev import embedded
from pydotorg.models import metadata
from pydotorg.settings import Settings
from pydotorg.worker import create_worker
from tests.helpers import Actors, make_actors
from tests.site.demo_site import demo_site  # noqa: F401  (the session's demo site, for whole-site checks)

REPO = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("PYDOTORG_TEST_STATE_DIR", REPO / ".state" / "test"))


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """argon2id with minimal cost in tests (the production parameters are argon2-cffi's
    defaults); hashes are still real argon2id and verify the same way."""
    from argon2 import PasswordHasher

    from pydotorg.core import passwords

    original = passwords._argon2
    passwords._argon2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._argon2 = original


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[str, str]]:
    """(admin database URL, redis URL), started for this session when not given."""
    db_url = os.environ.get("PYDOTORG_TEST_DATABASE_URL")
    redis_url = os.environ.get("PYDOTORG_TEST_REDIS_URL")
    if db_url and redis_url:
        yield db_url, redis_url
        return
    already = embedded.status(STATE_DIR) is not None
    services = embedded.up(STATE_DIR)
    try:
        yield services.database_url, services.redis_url
    finally:
        if not already:
            embedded.down(STATE_DIR)


@pytest.fixture(scope="session")
async def test_database(servers: tuple[str, str]) -> AsyncIterator[str]:
    """A fresh database for this session (and xdist worker), built by the migrations."""
    admin_url, _ = servers
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"pydotorg_test_{worker}_{os.getpid()}"
    base = admin_url.rsplit("/", 1)[0]
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = f"{base}/{name}"
    await upgrade(url)
    yield url
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(test_database: str, servers: tuple[str, str]) -> Settings:
    _, redis_url = servers
    redis_db = 1 + (int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % 14)
    return Settings(
        environment="test",
        secret_key="test-secret-key-" + "x" * 40,
        database_url=test_database,
        redis_url=redis_url.rsplit("/", 1)[0] + f"/{redis_db}",
        mail_backend="memory",
        state_dir=STATE_DIR,
        site_url="https://www.python.org",
        log_json=False,
        log_level="WARNING",
        trusted_proxies=("10.0.0.0/8",),
        search_generation_seconds=0,  # a test searches right after it indexes
        # No search watch in the session's worker: its reads between tests would race the
        # TRUNCATE of the next test's clean-up. Tests call check_search themselves.
        search_watch_seconds=0,
    ).validated()


@pytest.fixture(scope="session")
def mailer() -> MemoryMailer:
    return MemoryMailer()


@pytest.fixture(scope="session")
async def app(settings: Settings, mailer: MemoryMailer) -> Litestar:
    return create_app(settings, mailer=mailer, configure_logs=False)


@pytest.fixture(scope="session")
async def _client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def client(clean: None, _client: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    _client.cookies.clear()
    return _client


@pytest.fixture(scope="session")
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture(scope="session")
async def worker(
    app: Litestar,
    settings: Settings,
    mailer: MemoryMailer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Any]:
    # The app runs in the test client's own event loop (a portal thread), so the worker gets
    # its own queue connection in this loop.
    queue = create_queue(settings)
    w = create_worker(settings, queue=queue, sessionmaker=sessionmaker, mailer=mailer)
    await queue.connect()
    task = asyncio.create_task(w.start())
    yield w
    await w.stop()
    task.cancel()
    await queue.disconnect()


@pytest.fixture(scope="session")
async def _db_conn(test_database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(_plain(test_database))
    yield conn
    await conn.close()


@pytest.fixture
async def clean(_db_conn: asyncpg.Connection, settings: Settings, mailer: MemoryMailer) -> None:
    """Empty tables, Redis db and outbox: every test that touches the database starts here."""
    redis = Redis.from_url(settings.redis_url)
    try:
        # A job an earlier test queued that the worker is running now (a mail on its way) finishes
        # first, so it cannot land in this test's outbox; jobs not yet started go with the flush.
        active = f"saq:{settings.queue_name}:active"
        for _ in range(250):
            if not await redis.llen(active):
                break
            await asyncio.sleep(0.02)
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        # A job still running past the wait reads tables the TRUNCATE locks in another order; when
        # PostgreSQL breaks that deadlock by cancelling the TRUNCATE, it runs again.
        for attempt in range(5):
            try:
                await _db_conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                break
            except asyncpg.exceptions.DeadlockDetectedError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.1)
        await redis.flushdb()
        # A new data version, so no cached legacy response from an earlier test can be served.
        await redis.set(VERSION_KEY, uuid.uuid4().int % 10**15)
    finally:
        await redis.aclose()
    invalidate_local()
    authcache.invalidate_local()  # the TRUNCATE went behind the app's back
    mailer.outbox.clear()


class _RawConnection:
    """The test's own connection. SQL it sends goes behind the app's back, so each ``execute``
    also drops the app's cached credential answers, as the same change made through the app
    would (core/authcache.py)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._conn.execute(*args, **kwargs)
        finally:
            authcache.invalidate_local()


@pytest.fixture
async def db_conn(clean: None, _db_conn: asyncpg.Connection) -> Any:
    return _RawConnection(_db_conn)


@pytest.fixture
async def actors(clean: None, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> Actors:
    return await make_actors(sessionmaker, settings)
