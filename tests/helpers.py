"""Shared test helpers: callers with real credentials, a database fingerprint and the
permission-matrix check every domain uses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction
from pydotorg.domains.users import services as users
from pydotorg.domains.users.models import UserPermission
from pydotorg.models import metadata
from pydotorg.settings import Settings

PASSWORD = "a-long-test-password"

# Columns that legitimately change when a refused request authenticates (bookkeeping).
IGNORED_COLUMNS = {("api_keys", "last_used")}
IGNORED_TABLES = {"auth_sessions"}


@dataclass
class Caller:
    name: str
    user_id: int | None = None
    username: str | None = None
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class Actors:
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    callers: dict[str, Caller] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Caller:
        return self.callers[name]

    async def create(
        self,
        name: str,
        *,
        staff: bool = False,
        superuser: bool = False,
        permissions: tuple[str, ...] = (),
        password: str = PASSWORD,
        active: bool = True,
    ) -> Caller:
        async with transaction(self.sessionmaker) as s:
            user = await users.create_user(
                s,
                username=name,
                email=f"{name}@example.org",
                password=password,
                is_staff=staff,
                is_superuser=superuser,
                email_verified=True,
            )
            user.is_active = active
            s.add_all(UserPermission(user_id=user.id, permission=p) for p in permissions)
            ctx = users.Context(settings=self.settings, mailer=None)  # type: ignore[arg-type]
            token, _ = await users.open_session(s, ctx, user, "token")
            caller = Caller(name=name, user_id=user.id, username=name, token=token)
        self.callers[name] = caller
        return caller


async def make_actors(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> Actors:
    actors = Actors(sessionmaker, settings)
    actors.callers["anonymous"] = Caller("anonymous")
    await actors.create("ordinary")
    await actors.create("staffer", staff=True)
    await actors.create("root", superuser=True)
    return actors


async def db_fingerprint(conn: asyncpg.Connection) -> dict[str, str]:
    """md5 of every table's rows (minus bookkeeping columns): equal means nothing changed."""
    out: dict[str, str] = {}
    for table in metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        cols = [c.name for c in table.columns if (table.name, c.name) not in IGNORED_COLUMNS]
        col_sql = ", ".join(f'"{c}"' for c in cols)
        out[table.name] = await conn.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM (SELECT {col_sql} FROM "{table.name}") t'
        )
    return out


Request = tuple[str, str, Any]


async def check_permission_matrix(
    client: httpx.AsyncClient | Any,
    conn: asyncpg.Connection,
    callers: Mapping[str, Caller],
    expected: Mapping[str, int],
    request: Callable[[str], Awaitable[Request]] | Request,
) -> dict[str, httpx.Response]:
    """Call the endpoint as each caller; assert the status, and that a refused call (4xx)
    left every table unchanged. ``request`` may be a callable that prepares a fresh target
    per caller (for deletes) and returns ``(method, url, json)``."""
    responses: dict[str, httpx.Response] = {}
    failures = []
    for name, status in expected.items():
        caller = callers[name]
        method, url, body = await request(name) if callable(request) else request
        before = await db_fingerprint(conn)
        kwargs: dict[str, Any] = {"headers": caller.headers}
        if body is not None:
            kwargs["json"] = body
        response = await client.request(method, url, **kwargs)
        responses[name] = response
        if response.status_code != status:
            failures.append(f"{name}: expected {status}, got {response.status_code} {response.text[:200]}")
            continue
        if status >= 400:
            after = await db_fingerprint(conn)
            changed = sorted(t for t in before if before[t] != after[t])
            if changed:
                failures.append(f"{name}: refused with {status} but changed {changed}")
    assert not failures, "permission matrix:\n" + "\n".join(failures)
    return responses


async def wait_for_mail(mailer: Any, count: int = 1, wait_seconds: float = 5.0) -> list[Any]:
    """Wait until the worker has delivered ``count`` messages to the memory outbox."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + wait_seconds
    while len(mailer.outbox) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"expected {count} mail(s), outbox has {len(mailer.outbox)}")
        await asyncio.sleep(0.02)
    return list(mailer.outbox)


def token_from_mail(message: Any) -> str:
    """The signed token in a verification or reset mail (the line after the link's '?token=')."""
    import re

    body = message.get_content()
    match = re.search(r"\?token=([A-Za-z0-9_.\-]+)", body)
    assert match, body
    return match.group(1)


@contextmanager
def serve_asgi(app: Any, *, lifespan: str = "off") -> Iterator[str]:
    """Serve an ASGI app (a fake peer, or the API itself) with uvicorn in a background thread on
    a free 127.0.0.1 port; yields its base URL. The real HTTP clients then talk to it."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan=lifespan, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def run_import_django(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``pydotorg import-django ARGS`` as an operator runs it, against the test database."""
    env = {
        **os.environ,
        "PYDOTORG_DATABASE_URL": settings.database_url,
        "PYDOTORG_ENVIRONMENT": "test",
        "PYDOTORG_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "pydotorg.cli", "import-django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
