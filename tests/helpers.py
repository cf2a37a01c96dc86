"""Shared test helpers: callers with real credentials, fingerprints of what a call can change
(tables, media files, the job queue) and the permission-matrix check every domain uses."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.changes import REBUILD_KEY, REBUILD_REQUESTS_KEY, SEARCH_KEY, SEARCH_REQUESTS_KEY
from pydotorg.core.db import transaction
from pydotorg.domains.users import services as users
from pydotorg.domains.users.models import UserPermission
from pydotorg.models import metadata
from pydotorg.settings import Settings

PASSWORD = "a-long-test-password"

# Columns that legitimately change when a refused request authenticates (bookkeeping).
IGNORED_COLUMNS = {("api_keys", "last_used")}
# auth_sessions: every login writes one. The search tables: only the search.index job writes
# them, in the background, after any test's writes (never a request), so they change under a
# test whenever the session's worker runs.
IGNORED_TABLES = {"auth_sessions", "search_cursors", "search_documents", "search_words"}


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


@dataclass(frozen=True)
class Multipart:
    """A multipart request body (an upload): ``files`` as httpx takes them, plus form fields."""

    files: Mapping[str, Any]
    data: Mapping[str, str] = field(default_factory=dict)


Request = tuple[str, str, Any]

# What a call may leave behind besides table rows: stored media files (``media:<name>``) and queued
# SAQ jobs (``queue:<job key>``, plus the coalesced rebuild's request counter).
MEDIA = "media"
QUEUE = "queue"


def media_fingerprint(root: Path) -> dict[str, str]:
    """sha256 of every stored media file, by its storage name: a file added, removed or rewritten
    shows up as a changed key."""
    out: dict[str, str] = {}
    if not root.is_dir():
        return out
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[f"{MEDIA}:{path.relative_to(root).as_posix()}"] = digest
    return out


# When the queue was looked at (ms, the clock SAQ stamps ``queued`` with): a job record that appears
# later but was queued before the call began is an earlier test's job the worker finished (and so
# re-saved) meanwhile, not the call's doing.
QUEUE_TAKEN_AT = f"{QUEUE}:taken-at"


async def queue_fingerprint(redis: Redis, queue_name: str) -> dict[str, str]:
    """Every SAQ job record of the queue (by when it was queued), and the request counters. A
    job's record outlives its run (SAQ keeps it for the job's ``ttl``, 600 s by default), so a job
    the in-process test worker already ran is still seen as new. The coalesced rebuild is seen
    through its request counter, which every write's enqueue bumps: its job record is also
    re-queued by the worker itself (catching up after a build), which is no call's doing. The same
    holds for the coalesced search.index run (the worker's search watch queues it too)."""
    out: dict[str, str] = {QUEUE_TAKEN_AT: str(int(time.time() * 1000))}
    coalesced = {f"saq:job:{queue_name}:{REBUILD_KEY}", f"saq:job:{queue_name}:{SEARCH_KEY}"}
    keys = [
        raw.decode()
        async for raw in redis.scan_iter(match=f"saq:job:{queue_name}:*", count=500)
        if raw.decode() not in coalesced
    ]
    for key, raw in zip(keys, await redis.mget(keys) if keys else [], strict=True):
        if raw is not None:
            out[f"{QUEUE}:{key}"] = str(json.loads(raw).get("queued", 0))
    out[f"{QUEUE}:rebuild-requests"] = str(int(await redis.get(REBUILD_REQUESTS_KEY) or 0))
    out[f"{QUEUE}:search-requests"] = str(int(await redis.get(SEARCH_REQUESTS_KEY) or 0))
    return out


class StateProbe:
    """Fingerprints of everything a call can change: every table, the media files and the job
    queue (the last two when the app's settings are known)."""

    def __init__(self, conn: asyncpg.Connection, settings: Settings | None) -> None:
        self.conn = conn
        self.settings = settings
        self.redis: Redis | None = None

    async def __aenter__(self) -> StateProbe:
        if self.settings is not None and self.settings.redis_url:
            self.redis = Redis.from_url(self.settings.redis_url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.redis is not None:
            await self.redis.aclose()

    async def fingerprint(self) -> dict[str, str]:
        out = await db_fingerprint(self.conn)
        if self.settings is not None:
            out.update(media_fingerprint(self.settings.media_dir))
        if self.redis is not None and self.settings is not None:
            out.update(await queue_fingerprint(self.redis, self.settings.queue_name))
        return out


def _job_key(key: str) -> bool:
    return key.startswith(f"{QUEUE}:saq:job:")


def state_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The keys that differ. A job record that expired or was swept is not a change of the call;
    a table or a media file that went is. A job is judged by its record's presence, and a record
    that appears is the call's only if it was queued after ``before`` was taken."""
    since = int(before.get(QUEUE_TAKEN_AT, "0"))

    def changed(k: str) -> bool:
        if k == QUEUE_TAKEN_AT or before.get(k) == after.get(k):
            return False
        if _job_key(k):
            return k not in before and k in after and int(after[k]) >= since
        return not (k.startswith(f"{QUEUE}:") and k not in after)

    return sorted(k for k in before.keys() | after.keys() if changed(k))


def _category(key: str) -> str:
    return key.split(":", 1)[0] if ":" in key else key


def _app_settings(client: Any) -> Settings | None:
    state = getattr(getattr(client, "app", None), "state", None)
    settings = getattr(state, "settings", None) if state is not None else None
    return settings if isinstance(settings, Settings) else None


Changed = Callable[[str, httpx.Response], Awaitable[Any] | Any] | Iterable[str]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def check_permission_matrix(
    client: httpx.AsyncClient | Any,
    conn: asyncpg.Connection,
    callers: Mapping[str, Caller],
    expected: Mapping[str, int],
    request: Callable[[str], Awaitable[Request]] | Request,
    *,
    changed: Changed | None = None,
    settings: Settings | None = None,
) -> dict[str, httpx.Response]:
    """Call the endpoint as each caller; assert the status, and that a refused call (4xx) left
    everything unchanged: every table, the stored media files and the job queue (the last two
    found through the app's settings, or ``settings``). ``request`` may be a callable that
    prepares a fresh target per caller (for deletes) and returns ``(method, url, body)``; the
    body is JSON, or a ``Multipart`` for uploads.

    An allowed write (2xx) must have changed something, unless an earlier allowed caller sent the
    identical request. ``changed`` says more precisely what it must have done: either names
    (tables, ``"media"``, ``"queue"``) each of which the call must have changed, or a callable
    ``(caller name, response)`` (sync or async) that asserts the stored result."""
    settings = settings or _app_settings(client)
    responses: dict[str, httpx.Response] = {}
    failures = []
    allowed_before: set[tuple[str, str, str]] = set()
    async with StateProbe(conn, settings) as probe:
        for name, status in expected.items():
            caller = callers[name]
            method, url, body = await request(name) if callable(request) else request
            sent = (method, url, repr(body))
            before = await probe.fingerprint()
            kwargs: dict[str, Any] = {"headers": caller.headers}
            if isinstance(body, Multipart):
                kwargs["files"] = dict(body.files)
                if body.data:
                    kwargs["data"] = dict(body.data)
            elif body is not None:
                kwargs["json"] = body
            response = await client.request(method, url, **kwargs)
            responses[name] = response
            if response.status_code != status:
                failures.append(
                    f"{name}: expected {status}, got {response.status_code} {response.text[:200]}"
                )
                continue
            if status >= 400:
                diff = state_changes(before, await probe.fingerprint())
                if diff:
                    failures.append(f"{name}: refused with {status} but changed {diff}")
            elif changed is not None:
                failures += await _check_changed(name, response, changed, before, probe)
            elif (
                # The first allowed write must change something; an identical repeat by another
                # allowed caller may find nothing left to change.
                method.upper() in WRITE_METHODS
                and sent not in allowed_before
                and not state_changes(before, await probe.fingerprint())
            ):
                failures.append(f"{name}: allowed {method} {url} changed nothing")
            if status < 400:
                allowed_before.add(sent)
    assert not failures, "permission matrix:\n" + "\n".join(failures)
    return responses


async def _check_changed(
    name: str, response: httpx.Response, changed: Changed, before: Mapping[str, str], probe: StateProbe
) -> list[str]:
    if callable(changed):
        try:
            result = changed(name, response)
            if inspect.isawaitable(result):
                await result
        except AssertionError as exc:
            return [f"{name}: allowed, but the stored result is wrong: {exc}"]
        return []
    diff = {_category(k) for k in state_changes(before, await probe.fingerprint())}
    missing = sorted(set(changed) - diff)
    return [f"{name}: allowed, but did not change {missing} (changed: {sorted(diff)})"] if missing else []


async def wait_for_mail(mailer: Any, count: int = 1, wait_seconds: float = 5.0) -> list[Any]:
    """Wait until the worker has delivered ``count`` messages to the memory outbox."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + wait_seconds
    while len(mailer.outbox) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"expected {count} mail(s), outbox has {len(mailer.outbox)}")
        await asyncio.sleep(0.02)
    return list(mailer.outbox)


async def assert_no_more_mail(mailer: Any, count: int, within: float = 1.0) -> list[Any]:
    """Assert the outbox holds exactly ``count`` messages and that no other arrives within
    ``within`` seconds (the time the in-process worker needs to deliver a queued one). It
    watches the outbox up to that deadline and fails as soon as an extra message shows up."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if len(mailer.outbox) > count:
            extra = [f"{m['To']}: {m['Subject']}" for m in list(mailer.outbox)[count:]]
            raise AssertionError(f"expected {count} mail(s), more arrived: {extra}")
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.02)
    assert len(mailer.outbox) == count, f"expected {count} mail(s), outbox has {len(mailer.outbox)}"
    return list(mailer.outbox)


def token_from_mail(message: Any) -> str:
    """The signed token in a verification or reset mail (the line after the link's '?token=')."""
    import re

    body = message.get_content()
    match = re.search(r"\?token=([A-Za-z0-9_.\-]+)", body)
    assert match, body
    return match.group(1)


# The ASGI callables of the small local servers the tests run (a Fastly API, an S3 proxy).
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


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


@asynccontextmanager
async def running_worker(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], mailer: Any
) -> AsyncIterator[Any]:
    """A real SAQ worker for ``settings`` (its own ``queue_name``) in this event loop; yields its
    queue, so a test can ``apply`` a job (``site.rebuild``) and read the result."""
    import asyncio

    from pydotorg.core.tasks import create_queue
    from pydotorg.worker import create_worker

    queue = create_queue(settings)
    worker = create_worker(settings, queue=queue, sessionmaker=sessionmaker, mailer=mailer)
    await queue.connect()
    task = asyncio.create_task(worker.start())
    await asyncio.sleep(0.5)  # SAQ sweeps at start-up; a job dequeued in that instant is swept
    try:
        yield queue
    finally:
        await worker.stop()
        task.cancel()
        await queue.disconnect()
