"""The permission-matrix helper itself: a refused call that stored a file or queued a job, or an
allowed call that changed nothing it should have, fails the matrix. Probe routes mounted on the
real app do exactly that."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar, Request, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from pydotorg.app import create_app
from pydotorg.core.changes import enqueue_rebuild
from pydotorg.core.storage import Storage
from pydotorg.core.tasks import create_queue
from tests.helpers import MEDIA, QUEUE, Multipart, StateProbe, check_permission_matrix, state_changes


@post("/probe/queues-then-refuses", status_code=200)
async def queues_then_refuses(request: Request[Any, Any, Any]) -> None:
    await request.app.state.queue.enqueue("mail.send", message="To: x@example.org\n\nhello\n")
    raise PermissionDeniedException("refused")


@post("/probe/requests-a-rebuild-then-refuses", status_code=200)
async def requests_a_rebuild_then_refuses(request: Request[Any, Any, Any]) -> None:
    await enqueue_rebuild(request.app.state.queue)
    raise PermissionDeniedException("refused")


@post("/probe/stores-then-refuses", status_code=200)
async def stores_then_refuses(request: Request[Any, Any, Any], storage: NamedDependency[Storage]) -> None:
    await storage.save("probe/leftover.txt", b"left behind")
    raise PermissionDeniedException("refused")


@post("/probe/changes-nothing", status_code=200)
async def changes_nothing() -> dict[str, str]:
    return {"ok": "yes"}


@pytest.fixture
async def probe_client(clean: None, settings: Any, mailer: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(
        settings,
        mailer=mailer,
        configure_logs=False,
        extra_route_handlers=[
            queues_then_refuses,
            requests_a_rebuild_then_refuses,
            stores_then_refuses,
            changes_nothing,
        ],
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


async def test_a_refused_call_that_queues_a_job_fails(probe_client: Any, actors: Any, db_conn: Any) -> None:
    with pytest.raises(AssertionError, match=r"refused with 403 but changed \['queue:saq:job:"):
        await check_permission_matrix(
            probe_client,
            db_conn,
            actors.callers,
            {"ordinary": 403},
            ("POST", "/probe/queues-then-refuses", None),
        )


async def test_a_refused_call_that_requests_a_rebuild_fails(
    probe_client: Any, actors: Any, db_conn: Any
) -> None:
    with pytest.raises(AssertionError, match=r"refused with 403 but changed \['queue:rebuild-requests'\]"):
        await check_permission_matrix(
            probe_client,
            db_conn,
            actors.callers,
            {"ordinary": 403},
            ("POST", "/probe/requests-a-rebuild-then-refuses", None),
        )


async def test_a_refused_call_that_stores_a_file_fails(
    probe_client: Any, actors: Any, db_conn: Any, settings: Any
) -> None:
    try:
        with pytest.raises(AssertionError, match=r"refused with 403 but changed \['media:probe/leftover"):
            await check_permission_matrix(
                probe_client,
                db_conn,
                actors.callers,
                {"ordinary": 403},
                (
                    "POST",
                    "/probe/stores-then-refuses",
                    Multipart(files={"file": ("a.txt", b"a", "text/plain")}),
                ),
            )
    finally:
        for path in (settings.media_dir / "probe").glob("*"):
            path.unlink()


async def test_an_allowed_write_that_changes_nothing_fails(
    probe_client: Any, actors: Any, db_conn: Any
) -> None:
    with pytest.raises(AssertionError, match="root: allowed POST /probe/changes-nothing changed nothing"):
        await check_permission_matrix(
            probe_client, db_conn, actors.callers, {"root": 200}, ("POST", "/probe/changes-nothing", None)
        )


async def test_an_allowed_call_must_change_what_it_names(
    probe_client: Any, actors: Any, db_conn: Any
) -> None:
    with pytest.raises(AssertionError, match=r"allowed, but did not change \['pages'\]"):
        await check_permission_matrix(
            probe_client,
            db_conn,
            actors.callers,
            {"root": 200},
            ("POST", "/probe/changes-nothing", None),
            changed=("pages",),
        )

    def wrong(name: str, response: Any) -> None:
        assert response.json() == {"ok": "no"}, "read back something else"

    with pytest.raises(AssertionError, match="stored result is wrong: read back something else"):
        await check_permission_matrix(
            probe_client,
            db_conn,
            actors.callers,
            {"root": 200},
            ("POST", "/probe/changes-nothing", None),
            changed=wrong,
        )


async def test_the_probe_sees_tables_files_and_jobs(db_conn: Any, settings: Any) -> None:
    queue = create_queue(settings)
    async with StateProbe(db_conn, settings) as probe:
        before = await probe.fingerprint()
        await db_conn.execute("INSERT INTO nav_trees (alias, title) VALUES ('probe', 'Probe')")
        (settings.media_dir / "probe").mkdir(parents=True, exist_ok=True)
        (settings.media_dir / "probe" / "file.txt").write_bytes(b"x")
        try:
            await queue.enqueue("mail.send", message="To: x@example.org\n\nhello\n")
            after = await probe.fingerprint()
        finally:
            (settings.media_dir / "probe" / "file.txt").unlink()
            await queue.disconnect()
    changed = state_changes(before, after)
    assert "nav_trees" in changed
    assert f"{MEDIA}:probe/file.txt" in changed
    assert any(k.startswith(f"{QUEUE}:saq:job:{settings.queue_name}:") for k in changed), changed
    # A job record that expires is not a change the call made; a file that goes is.
    assert state_changes(after, before) == sorted(k for k in changed if not k.startswith(f"{QUEUE}:saq:"))


async def test_a_job_queued_before_the_call_is_not_the_calls(db_conn: Any, settings: Any) -> None:
    """The worker re-saves the record of a job it finishes: one an earlier test queued, running
    across the Redis flush, appears during the next call without being its doing."""
    queue = create_queue(settings)
    redis = Redis.from_url(settings.redis_url)
    try:
        job = await queue.enqueue("mail.send", message="To: x@example.org\n\nhello\n")
        assert job is not None
        key = f"saq:job:{settings.queue_name}:{job.key}"
        record = await redis.get(key)
        assert record is not None
        await redis.delete(key)  # the flush between tests
        async with StateProbe(db_conn, settings) as probe:
            before = await probe.fingerprint()
            await redis.set(key, record)  # the worker finishing it
            after = await probe.fingerprint()
            assert f"{QUEUE}:{key}" in after
            assert state_changes(before, after) == []
            later = await queue.enqueue("mail.send", message="To: y@example.org\n\nhello\n")
            assert later is not None
            assert state_changes(before, await probe.fingerprint()) == [
                f"{QUEUE}:saq:job:{settings.queue_name}:{later.key}"
            ]
    finally:
        await redis.aclose()
        await queue.disconnect()
