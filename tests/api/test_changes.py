"""The change feed: written with the change, in commit order, read by staff or the builder's
permission; each committed burst enqueues one coalesced site.rebuild."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.changes import REBUILD_KEY, SEARCH_KEY
from tests.helpers import PASSWORD, check_permission_matrix


async def _feed(client: Any, headers: dict[str, str], after: int = 0) -> dict[str, Any]:
    r = await client.get(f"/api/v3/changes?after={after}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_writes_append_changes_in_order(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    start = (await _feed(client, root))["meta"]["latest"]
    assert start == 3  # the three users created by the fixture

    r = await client.patch("/api/v3/users/me", json={"first_name": "Ada"}, headers=actors["ordinary"].headers)
    assert r.status_code == 200
    r = await client.post(
        "/api/v3/users/me/membership",
        headers=actors["staffer"].headers,
        json={
            "legal_name": "S",
            "preferred_name": "S",
            "email_address": "s@example.org",
            "city": "c",
            "region": "r",
            "country": "NL",
            "postal_code": "1",
            "psf_code_of_conduct": True,
        },
    )
    assert r.status_code == 201, r.text
    feed = await _feed(client, root, after=start)
    rows = [(c["domain"], c["kind"], c["id"], c["action"]) for c in feed["data"]]
    assert rows == [
        ("users", "user", str(actors["ordinary"].user_id), "updated"),
        ("users", "membership", "1", "created"),
    ]
    cursors = [c["cursor"] for c in feed["data"]]
    assert cursors == sorted(cursors) and cursors[0] > start
    assert feed["meta"]["next"] == cursors[-1] == feed["meta"]["latest"]
    # Paging by cursor.
    page = await _feed(client, root, after=cursors[0])
    assert [c["cursor"] for c in page["data"]] == cursors[1:]

    r = await client.delete("/api/v3/users/me/membership", headers=actors["staffer"].headers)
    assert r.status_code == 204
    last = (await _feed(client, root, after=cursors[-1]))["data"]
    assert [(c["kind"], c["action"]) for c in last] == [("membership", "deleted")]


async def test_bookkeeping_and_refused_writes_add_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    before = await db_conn.fetchval("SELECT count(*) FROM changes")
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
    assert r.status_code == 200  # last_login changed: bookkeeping, not content
    r = await client.patch(
        "/api/v3/users/me", json={"username": "Staffer"}, headers=actors["ordinary"].headers
    )
    assert r.status_code == 409  # rolled back
    r = await client.patch("/api/v3/users/me", json={}, headers=actors["ordinary"].headers)
    assert r.status_code == 200  # nothing changed
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == before


async def test_feed_permission_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("builder", permissions=("site.read_changes",))
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 200, "builder": 200, "root": 200},
        ("GET", "/api/v3/changes?after=0", None),
    )


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "limit=0", "limit=100000"])
async def test_feed_rejects_bad_parameters(client: Any, actors: Any, query: str) -> None:
    r = await client.get(f"/api/v3/changes?{query}", headers=actors["root"].headers)
    assert r.status_code == 400


@pytest.fixture
async def idle_queue_client(settings: Any, mailer: Any) -> AsyncIterator[Any]:
    """An app whose queue no worker listens to, so queued jobs stay visible."""
    quiet = msgspec.structs.replace(settings, queue_name="idle-test-queue")
    app = create_app(quiet, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app) as c:
        yield c, app


async def test_rebuild_is_enqueued_once_per_burst(idle_queue_client: Any, actors: Any, settings: Any) -> None:
    client, _app = idle_queue_client
    from pydotorg.core.tasks import create_queue

    for name in ("A", "B", "C"):
        r = await client.patch(
            "/api/v3/users/me", json={"first_name": name}, headers=actors["ordinary"].headers
        )
        assert r.status_code == 200
    queue = create_queue(msgspec.structs.replace(settings, queue_name="idle-test-queue"))
    try:
        job = await queue.job(REBUILD_KEY)
        assert job is not None and job.function == "site.rebuild"
        assert job.status.value == "queued"
        search = await queue.job(SEARCH_KEY)
        assert search is not None and search.function == "search.index"
        assert search.status.value == "queued"
        assert await queue.count("queued") == 2  # three writes, one rebuild and one indexing run
    finally:
        await queue.disconnect()


async def test_write_succeeds_when_redis_is_down(
    settings: Any, mailer: Any, actors: Any, db_conn: Any
) -> None:
    down = msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:9/0")
    app = create_app(down, mailer=mailer, configure_logs=False)
    before = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    async with AsyncTestClient(app=app) as client:
        r = await client.patch(
            "/api/v3/users/me", json={"last_name": "Lovelace"}, headers=actors["ordinary"].headers
        )
        assert r.status_code == 200, r.text
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"].startswith("error")
    assert await db_conn.fetchval("SELECT last_name FROM users WHERE username='ordinary'") == "Lovelace"
    assert await db_conn.fetchval("SELECT max(cursor) FROM changes") == before + 1


async def test_rebuild_job_without_builder_key_does_not_build(client: Any, actors: Any, worker: Any) -> None:
    result = await worker.queue.apply("site.rebuild", timeout=10)
    assert result == {"built": False, "reason": "PYDOTORG_SITE_API_KEY is not set"}


async def test_request_dropped_while_a_rebuild_finishes_gets_its_own_rebuild(
    settings: Any, sessionmaker: Any, mailer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SAQ drops an enqueue whose key is still running. A write that commits after the job's last
    look at the change feed (but before SAQ marks it finished) must still get a rebuild."""
    import asyncio

    from pydotorg.core import tasks
    from pydotorg.core.changes import REBUILD_REQUESTS_KEY, enqueue_rebuild
    from pydotorg.worker import create_worker

    builds: list[int] = []
    # No site watch: this test counts the rebuilds the job itself asks for.
    job_settings = msgspec.structs.replace(
        settings, site_api_key="k", queue_name="race-test-queue", site_watch_seconds=0
    )
    queue = tasks.create_queue(job_settings)

    async def fake_build(_settings: Any, _builders: Any = None) -> tuple[str, int]:
        builds.append(len(builds))
        return f"incremental build: 0 written, cursor {len(builds)}", len(builds)

    async def head_then_a_write(_session: Any) -> int:
        if len(builds) == 1:
            await enqueue_rebuild(queue)  # committed "now": counted, then dropped (job running)
        return len(builds)  # the build is caught up with the feed it saw

    monkeypatch.setattr(tasks, "_run_build", fake_build)
    monkeypatch.setattr(tasks, "latest_cursor", head_then_a_write)
    worker = create_worker(job_settings, queue=queue, sessionmaker=sessionmaker, mailer=mailer)
    await queue.connect()
    await queue.redis.delete(REBUILD_REQUESTS_KEY)
    task = asyncio.create_task(worker.start())
    try:
        await asyncio.sleep(0.5)
        await enqueue_rebuild(queue)
        deadline = asyncio.get_running_loop().time() + 10
        while len(builds) < 2:
            assert asyncio.get_running_loop().time() < deadline, f"only {len(builds)} build(s)"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert len(builds) == 2  # one follow-up rebuild, not a loop
    finally:
        await worker.stop()
        task.cancel()
        await queue.disconnect()


async def test_daily_job_requests_a_rebuild(client: Any, worker: Any) -> None:
    from pydotorg.core.changes import REBUILD_REQUESTS_KEY
    from pydotorg.worker import CRON_JOBS

    assert any(c.cron == "5 0 * * *" and c.function.__qualname__ == "site.daily" for c in CRON_JOBS)
    before = int(await worker.queue.redis.get(REBUILD_REQUESTS_KEY) or 0)
    assert await worker.queue.apply("site.daily", timeout=10) == {"enqueued": "site.rebuild"}
    assert int(await worker.queue.redis.get(REBUILD_REQUESTS_KEY) or 0) == before + 1


async def test_the_next_build_process_waits_loaded(settings: Any, tmp_path: Any) -> None:
    """The worker keeps one ``sitebuilder.build --wait`` process started: it loads, then waits for
    "go"; handed out once, a new one replaces it; closed (EOF or kill) it builds nothing."""
    import asyncio

    import msgspec

    from pydotorg.core.tasks import Builders

    out = tmp_path / "origin"
    builders = Builders(
        msgspec.structs.replace(
            settings, site_api_key="k", site_api_url="http://127.0.0.1:9", site_origin_dir=str(out)
        )
    )
    await builders.prepare()
    spare = builders._spare
    assert spare is not None
    await asyncio.sleep(1.0)
    assert spare.returncode is None  # loaded and waiting, not building
    assert await builders.take() is spare and builders._spare is None
    stdout, _ = await spare.communicate(b"")  # EOF instead of "go": exits without building
    assert spare.returncode == 0 and stdout == b""
    assert not (out / "current").exists()
    await builders.prepare()
    replacement = builders._spare
    assert replacement is not None and replacement is not spare
    await builders.close()
    assert replacement.returncode is not None and builders._spare is None


async def test_an_aborted_jobs_marker_does_not_hold_back_the_next_rebuild(settings: Any) -> None:
    """SAQ refuses a job key for 5 s after it aborted a job with that key (a sweep when a worker
    starts); a write then must still get its rebuild at once, not when the marker expires."""
    from pydotorg.core import tasks
    from pydotorg.core.changes import (
        ABORT_MARKER,
        REBUILD_KEY,
        SEARCH_KEY,
        enqueue_rebuild,
        enqueue_search_index,
    )

    name = f"abort-marker-{os.getpid()}-{time.time_ns()}"  # a queue of its own, empty
    queue = tasks.create_queue(msgspec.structs.replace(settings, queue_name=name))
    await queue.connect()
    try:
        for queued, (key, enqueue) in enumerate(
            ((REBUILD_KEY, enqueue_rebuild), (SEARCH_KEY, enqueue_search_index)), 1
        ):
            await queue.redis.set(ABORT_MARKER + key, "swept", ex=5)
            await enqueue(queue)
            job = await queue.job(key)
            assert job is not None and job.status.value == "queued", key
            assert not await queue.redis.exists(ABORT_MARKER + key)
            assert await queue.count("queued") == queued
            # A job on its way keeps the key (coalescing), and a marker is then left alone.
            await queue.redis.set(ABORT_MARKER + key, "aborting", ex=5)
            await enqueue(queue)
            assert await queue.redis.exists(ABORT_MARKER + key)
            assert await queue.count("queued") == queued
    finally:
        await queue.redis.delete(ABORT_MARKER + REBUILD_KEY, ABORT_MARKER + SEARCH_KEY)
        leftovers = [k async for k in queue.redis.scan_iter(match=f"saq:*{name}*")]
        if leftovers:
            await queue.redis.delete(*leftovers)
        await queue.disconnect()


async def test_a_worker_starting_with_a_rebuild_queued_runs_it_once_at_once(
    settings: Any, sessionmaker: Any, mailer: Any, monkeypatch: Any
) -> None:
    """A rebuild queued while no worker ran (edits during a deploy) is taken when a worker starts:
    SAQ's start-up sweep must not take it for a dead worker's job, abort it and retry it after the
    retry delay (an edit then waited 5 s)."""
    import asyncio

    from pydotorg.core import tasks
    from pydotorg.core.changes import enqueue_rebuild
    from pydotorg.worker import create_worker

    builds: list[float] = []

    async def fake_build(_settings: Any, _builders: Any = None) -> tuple[str, int]:
        builds.append(asyncio.get_running_loop().time())
        return "incremental build: 0 written, cursor 0", 0

    async def caught_up(_session: Any) -> int:
        return 0

    monkeypatch.setattr(tasks, "_run_build", fake_build)
    monkeypatch.setattr(tasks, "latest_cursor", caught_up)
    name = f"startup-sweep-{os.getpid()}-{time.time_ns()}"
    job_settings = msgspec.structs.replace(settings, site_api_key="k", queue_name=name, site_watch_seconds=0)
    queue = tasks.create_queue(job_settings)
    await queue.connect()
    # Widen the window the race needs: a taken job stays in the active list, not yet marked
    # active, for a moment (on a loaded machine the worker's start-up gives it that moment).
    dequeue = queue.dequeue

    async def slow_dequeue(*args: Any, **kwargs: Any) -> Any:
        job = await dequeue(*args, **kwargs)
        if job is not None:
            await asyncio.sleep(0.3)
        return job

    monkeypatch.setattr(queue, "dequeue", slow_dequeue)
    # ... and SAQ's periodic sweep look a moment later than the worker's first take (its order at
    # start-up is not fixed: make bench hit it at every worker start).
    sweep = queue.sweep

    async def late_sweep(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.15)
        return await sweep(*args, **kwargs)

    monkeypatch.setattr(queue, "sweep", late_sweep)
    try:
        await enqueue_rebuild(queue)
        worker = create_worker(job_settings, queue=queue, sessionmaker=sessionmaker, mailer=mailer)
        started = asyncio.get_running_loop().time()
        task = asyncio.create_task(worker.start())
        try:
            while not builds:
                assert asyncio.get_running_loop().time() - started < 3, "no build 3 s after the start"
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)
            job = await queue.job(REBUILD_KEY)
            assert job is not None and job.status.value == "complete" and job.attempts == 1
            assert len(builds) == 1
        finally:
            await worker.stop()
            task.cancel()
    finally:
        leftovers = [k async for k in queue.redis.scan_iter(match=f"saq:*{name}*")]
        if leftovers:
            await queue.redis.delete(*leftovers)
        await queue.disconnect()
