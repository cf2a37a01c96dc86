"""PostgreSQL or Redis down (issue 12, item 5): every API answers 503 with ``Retry-After`` and a
JSON body in its own error shape, never a 500; the app recovers without a restart; and without
Redis the log-in limit still holds (counted per process).

The database outage is real: a scratch database built by the migrations, whose connections are
then refused (``ALTER DATABASE ... ALLOW_CONNECTIONS false``) and whose open sessions are
terminated, then allowed again. A server that is not there at all is an app pointed at a closed
port."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from pydotorg.app import create_app
from pydotorg.core.availability import DRF_DETAIL, RETRY_AFTER_SECONDS, TASTYPIE_DETAIL, V3_DETAIL
from pydotorg.core.db import create_engine, transaction
from pydotorg.core.mail import MemoryMailer
from pydotorg.core.migrate import upgrade
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.users.services import create_api_key
from pydotorg.settings import Settings
from tests.helpers import PASSWORD, make_actors

CLOSED_PORT = "127.0.0.1:1"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def assert_unavailable(response: Any, shape: str) -> None:
    assert response.status_code == 503, (response.request.url, response.status_code, response.text[:300])
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"].startswith("application/json")
    expected = {
        "v1": {"error_message": TASTYPIE_DETAIL},
        "v2": {"detail": DRF_DETAIL},
        "v3": {"status_code": 503, "detail": V3_DETAIL},
    }[shape]
    assert response.json() == expected


class Scratch(msgspec.Struct):
    settings: Settings
    name: str
    admin_url: str


@pytest.fixture
async def scratch(servers: tuple[str, str], settings: Settings) -> AsyncIterator[Scratch]:
    """A database of its own (built by the migrations) that the test may take down."""
    admin_url, _ = servers
    name = f"pydotorg_outage_{os.getpid()}"
    admin = await asyncpg.connect(_plain(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    await upgrade(url)
    yield Scratch(msgspec.structs.replace(settings, database_url=url), name, admin_url)
    admin = await asyncpg.connect(_plain(admin_url))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _allow_connections(scratch: Scratch, allowed: bool) -> None:
    admin = await asyncpg.connect(_plain(scratch.admin_url))
    try:
        await admin.execute(f'ALTER DATABASE "{scratch.name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", scratch.name
            )
    finally:
        await admin.close()


async def test_database_outage_is_503_everywhere_and_recovers(scratch: Scratch, clean: None) -> None:
    engine = create_engine(scratch.settings)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        actors = await make_actors(sessionmaker, scratch.settings)
        staff = await actors.create("outage-staff", staff=True)
        async with transaction(sessionmaker) as s:
            _, key = await create_api_key(s, staff.user_id, "k", key="k" * 40)
            await downloads.save_os(s, {"name": "Windows"})
    finally:
        await engine.dispose()
    v1_staff = {"Authorization": f"ApiKey outage-staff:{key}"}
    v2_staff = {"Authorization": f"Token {key}"}
    app = create_app(scratch.settings, mailer=MemoryMailer(), configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:

        async def calls(suffix: str) -> dict[str, Any]:
            """One read and one authenticated write per API (the legacy reads' cache is keyed on
            the query string, so each round asks for a new one)."""
            return {
                "v3 read": await client.get("/api/v3/downloads/os/"),
                "v3 write": await client.post(
                    "/api/v3/downloads/os/", json={"name": f"OS {suffix}"}, headers=actors["root"].headers
                ),
                "v1 read": await client.get(f"/api/v1/downloads/os/?name=x{suffix}"),
                "v1 write": await client.post(
                    "/api/v1/downloads/os/", json={"name": f"v1 {suffix}"}, headers=v1_staff
                ),
                "v2 read": await client.get(f"/api/v2/downloads/os/?name=x{suffix}"),
                "v2 write": await client.post(
                    "/api/v2/downloads/os/", json={"name": f"v2 {suffix}"}, headers=v2_staff
                ),
            }

        before = await calls("before")
        assert {k: r.status_code for k, r in before.items()} == {
            "v3 read": 200,
            "v3 write": 201,
            "v1 read": 200,
            "v1 write": 201,
            "v2 read": 200,
            "v2 write": 201,
        }

        await _allow_connections(scratch, False)
        try:
            for round_ in ("down1", "down2"):  # the pool's dead connections, then fresh connects
                for name, response in (await calls(round_)).items():
                    assert_unavailable(response, name[:2])
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
        finally:
            await _allow_connections(scratch, True)

        # Back without a restart: every call works again and the writes are stored.
        after = await calls("after")
        assert {k: r.status_code for k, r in after.items()} == {k: r.status_code for k, r in before.items()}
        assert (await client.get("/readyz")).status_code == 200
        # Connections killed while the server stays up: the pool notices and reconnects.
        admin = await asyncpg.connect(_plain(scratch.admin_url))
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", scratch.name
            )
        finally:
            await admin.close()
        for path in (
            "/api/v3/downloads/os/",
            "/api/v1/downloads/os/?name=killed",
            "/api/v2/downloads/os/?name=k",
        ):
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text)
    conn = await asyncpg.connect(_plain(scratch.settings.database_url))
    try:
        names = {r["name"] for r in await conn.fetch("SELECT name FROM downloads_os")}
    finally:
        await conn.close()
    written = {f"{p} {s}" for p in ("OS", "v1", "v2") for s in ("before", "after")}
    assert names == {"Windows", *written}, names


async def test_no_database_server_is_503(settings: Settings) -> None:
    down = msgspec.structs.replace(
        settings, database_url=f"postgresql+asyncpg://postgres@{CLOSED_PORT}/pydotorg"
    )
    app = create_app(down, mailer=MemoryMailer(), configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        assert_unavailable(await client.get("/api/v3/downloads/releases/"), "v3")
        assert_unavailable(await client.get("/api/v3/pages/"), "v3")
        r = await client.post("/api/v3/auth/login", json={"login": "root", "password": PASSWORD})
        assert_unavailable(r, "v3")
        # A bearer token is looked up in the database by the auth middleware, before any handler.
        r = await client.post(
            "/api/v3/downloads/os/", json={"name": "X"}, headers={"Authorization": "Bearer x"}
        )
        assert_unavailable(r, "v3")
        assert_unavailable(await client.get("/api/v1/downloads/release/?limit=5"), "v1")
        assert_unavailable(await client.get("/api/v1/downloads/release_file/1/"), "v1")
        assert_unavailable(await client.get("/api/v2/downloads/release/"), "v2")
        r = await client.get("/api/v2/pages/page/", headers={"Authorization": "Token abc"})
        assert_unavailable(r, "v2")
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503


async def test_redis_down_keeps_the_api_up_and_the_login_limit_on(
    settings: Settings, actors: Any, db_conn: asyncpg.Connection
) -> None:
    no_redis = msgspec.structs.replace(
        settings, redis_url=f"redis://{CLOSED_PORT}/0", rate_limit_login="4/3600"
    )
    mailer = MemoryMailer()
    app = create_app(no_redis, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        # Log-in works (the database is up) ...
        r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        r = await client.get("/api/v3/users/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["username"] == "ordinary"
        # ... and the limit still trips: 4 attempts per window from one address, then 429.
        for _ in range(3):
            r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": "wrong"})
            assert r.status_code == 401, r.text
        r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
        assert r.status_code == 429, r.text
        assert int(r.headers["retry-after"]) >= 1
        # Another address has its own count.
        r = await client.post(
            "/api/v3/auth/login",
            json={"login": "ordinary", "password": PASSWORD},
            headers={"Fastly-Client-IP": "192.0.2.7"},
        )
        # The test client's peer is not a trusted proxy, so the header is ignored: still limited.
        assert r.status_code == 429

        # Nothing else needs Redis to answer: a password reset still mails (delivered at once
        # when the queue is down), writes are stored, the legacy reads answer uncached.
        r = await client.post("/api/v3/auth/password/reset", json={"email": "ordinary@example.org"})
        assert r.status_code == 202, r.text
        assert any("ordinary@example.org" in str(m["To"]) for m in mailer.outbox)
        r = await client.post(
            "/api/v3/downloads/os/", json={"name": "Plan 9"}, headers=actors["root"].headers
        )
        assert r.status_code == 201, r.text
        assert await db_conn.fetchval("SELECT count(*) FROM downloads_os WHERE name = 'Plan 9'") == 1
        for path in ("/api/v1/downloads/os/", "/api/v2/downloads/os/", "/api/v3/downloads/os/"):
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text)
            assert "Plan 9" in r.text
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("error")
