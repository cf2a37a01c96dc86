"""SAQ plumbing and the platform's jobs: the queue, ``mail.send``, ``site.rebuild`` and
``site.daily``, and the site watch.

Jobs run with explicit timeouts and retries. The worker itself is composed in
``pydotorg.worker`` (these jobs and every domain's), as ``app.py`` composes the controllers;
nothing here knows a domain.

Publishing recovers by itself. A running ``site.rebuild`` heartbeats its SAQ job; the worker's
site watch (on start-up, then every ``site_watch_seconds``) replaces a rebuild whose heartbeat
stopped (its worker died) and enqueues a rebuild whenever the change feed's head is past the
published cursor and none is queued (edits committed while Redis was down, a lost enqueue).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, cast

import structlog
from prometheus_client import Counter, Gauge, Histogram
from redis.asyncio import Redis
from saq import CronJob, Queue
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.utils import now as saq_now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.changes import (
    REBUILD_JOB,
    REBUILD_KEY,
    REBUILD_REQUESTS_KEY,
    bump_data_version,
    enqueue_rebuild,
    latest_cursor,
)
from pydotorg.core.db import add_after_commit
from pydotorg.core.mail import Mailer
from pydotorg.core.site_status import (
    LAST_BUILD_KEY,
    load_json,
    published_cursor,
    read_build_report,
    record_failure,
    record_success,
)
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

SITE_SKIPPED = Gauge(
    "pydotorg_site_skipped_outputs", "Outputs the last site build could not write and left out"
)
SITE_UNPUBLISHED = Gauge(
    "pydotorg_site_unpublished_changes", "Change-feed entries after the published cursor (site watch)"
)
SITE_RECOVERIES = Counter(
    "pydotorg_site_recoveries_total",
    "Rebuilds the site watch enqueued by itself (catch_up: behind the feed; dead_build: a rebuild "
    "whose worker stopped)",
    ["reason"],
)
SITE_BUILDS = Counter(
    "pydotorg_site_builds_total",
    "Site builds by outcome: published, failed, or purge_failed (published, but the CDN purge failed: "
    "the next build purges again)",
    ["outcome"],
)
for _outcome in ("published", "failed", "purge_failed"):
    SITE_BUILDS.labels(_outcome)  # exported at 0 from the start: a first failure shows in increase()
SITE_BUILD_SECONDS = Histogram(
    "pydotorg_site_build_seconds",
    "Duration of the site builds that published, as the builder timed them (last-build.json), by mode",
    ["mode"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600),
)
SITE_BUILD_PHASE_SECONDS = Gauge(
    "pydotorg_site_build_phase_seconds", "Each phase of the last published site build", ["phase"]
)
SITE_LAST_PUBLISH = Gauge(
    "pydotorg_site_last_publish_timestamp_seconds",
    "When the last site build that published finished (Unix time; from Redis, so shared by workers)",
)
# The builder's exit status when it published but could not purge the CDN (sitebuilder.build).
PURGE_FAILED_EXIT = 3


class PurgeFailed(RuntimeError):
    """The build published, but its CDN purge failed; the next build purges again."""


def create_queue(settings: Settings) -> Queue:
    if not settings.redis_url:
        raise RuntimeError("PYDOTORG_REDIS_URL is not set (run `pydotorg dev up` for a local one)")
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=10)
    return RedisQueue(redis, name=settings.queue_name)


# --- job functions ---------------------------------------------------------------------------


async def send_mail(ctx: dict[str, Any], *, message: str) -> None:
    """``mail.send``: deliver one message (RFC 5322 text) through the configured mailer."""
    parsed = email.message_from_string(message, policy=email.policy.default)
    mailer: Mailer = ctx["mailer"]
    await mailer.send(cast(EmailMessage, parsed))


async def site_rebuild(ctx: dict[str, Any]) -> dict[str, Any]:
    """``site.rebuild``: an incremental build from the saved cursor, published and purged.

    The build runs in its own process (Pelican keeps process-wide state) with a hard timeout; a
    failure raises, so SAQ retries it, and the builder's cursor stays where it was. While this job
    runs, new enqueues with the same key are no-ops, so after each build the job compares the
    built cursor with the head of the change feed and builds again if changes arrived meanwhile.
    """
    settings: Settings = ctx["settings"]
    queue: Queue = ctx["queue"]
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    if not settings.site_api_key:
        log.warning("site_rebuild_skipped", reason="PYDOTORG_SITE_API_KEY is not set")
        return {"built": False, "reason": "PYDOTORG_SITE_API_KEY is not set"}
    settings.site_dir.mkdir(parents=True, exist_ok=True)
    summaries = []
    redis = queue.redis  # type: ignore[attr-defined]
    job: Job | None = ctx.get("job")
    heartbeat = asyncio.create_task(_heartbeat(job)) if job is not None else None
    try:
        for _ in range(MAX_CATCH_UP_BUILDS):
            ctx["rebuild_requests_seen"] = int(await redis.get(REBUILD_REQUESTS_KEY) or 0)
            try:
                line, cursor = await _run_build(settings, ctx.get("builders"))
            except Exception as exc:
                SITE_BUILDS.labels("purge_failed" if isinstance(exc, PurgeFailed) else "failed").inc()
                await record_failure(redis, str(exc), _utcnow())
                raise
            summaries.append(line)
            report = read_build_report(settings.site_dir)
            _observe_build(report)
            await record_success(redis, cursor, report, _utcnow())
            async with sessionmaker() as session:
                head = await latest_cursor(session)
            SITE_UNPUBLISHED.set(max(head - cursor, 0))
            if cursor >= head:
                break
    finally:
        if heartbeat is not None:
            heartbeat.cancel()
    log.info("site_rebuild", summaries=summaries)
    return {"built": True, "summary": summaries[-1], "builds": len(summaries)}


def _observe_build(report: dict[str, Any] | None) -> None:
    """The metrics of a build that published, from its report (``last-build.json``)."""
    SITE_BUILDS.labels("published").inc()
    SITE_LAST_PUBLISH.set(datetime.now(UTC).timestamp())
    report = report or {}
    SITE_SKIPPED.set(len(report.get("skipped") or []))
    seconds = report.get("seconds")
    if isinstance(seconds, int | float):
        SITE_BUILD_SECONDS.labels(str(report.get("mode") or "unknown")).observe(seconds)
    for phase, phase_seconds in (report.get("phase_seconds") or {}).items():
        if isinstance(phase_seconds, int | float):
            SITE_BUILD_PHASE_SECONDS.labels(phase).set(phase_seconds)


MAX_CATCH_UP_BUILDS = 5
HEARTBEAT_EVERY_SECONDS = 1.0
# After a rebuild failed (all its retries), the site watch waits this long before trying again.
RETRY_FAILED_AFTER_SECONDS = 60


def _utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def _heartbeat(job: Job) -> None:
    """Touch the job while it runs (SAQ's ``touched``): a job whose heartbeat is older than its
    ``heartbeat`` seconds belongs to a worker that died (``check_site``)."""
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)
        try:
            await job.update()
        except Exception as exc:  # Redis away for a moment: the next beat may get through
            log.warning("site_rebuild_heartbeat_failed", error=str(exc))


async def check_site(ctx: dict[str, Any]) -> str | None:
    """One look by the site watch: replace a rebuild whose worker died, or enqueue one when the
    published site is behind the change feed and no rebuild is waiting or running. Returns why it
    enqueued a rebuild ("dead_build", "catch_up"), or None."""
    settings: Settings = ctx["settings"]
    queue: Queue = ctx["queue"]
    redis = queue.redis  # type: ignore[attr-defined]
    async with ctx["sessionmaker"]() as session:
        head = await latest_cursor(session)
    published = await published_cursor(redis, settings.site_dir)
    SITE_UNPUBLISHED.set(max(head - (published or 0), 0))
    # Another worker's publish, or one from before this worker started, counts too.
    finished_at = (await load_json(redis, LAST_BUILD_KEY) or {}).get("finished_at")
    if isinstance(finished_at, str):
        with contextlib.suppress(ValueError):
            SITE_LAST_PUBLISH.set(datetime.fromisoformat(finished_at).timestamp())
    job = await queue.job(REBUILD_KEY)
    if job is not None and job.status in (Status.ACTIVE, Status.ABORTING) and job.stuck:
        # Its worker stopped heartbeating (killed, or its host gone): SAQ would wait for the job's
        # timeout. Finish it so the coalescing key is free, and build again.
        await queue.finish(job, Status.ABORTED, error="site watch: the rebuild's worker stopped")
        reason = "dead_build"
    elif _rebuild_pending(job) or (published is not None and published >= head):
        return None
    else:
        reason = "catch_up"
    await enqueue_rebuild(queue, count=False)
    SITE_RECOVERIES.labels(reason).inc()
    log.warning("site_rebuild_recovery", reason=reason, head=head, published=published)
    return reason


def _rebuild_pending(job: Job | None) -> bool:
    """A rebuild is running, waiting for a worker or for its retry, or failed a moment ago."""
    if job is None:
        return False
    if job.status in (Status.ACTIVE, Status.ABORTING, Status.NEW, Status.QUEUED):
        return True
    return job.status == Status.FAILED and saq_now() - job.completed < RETRY_FAILED_AFTER_SECONDS * 1000


async def rebuild_at_start(ctx: dict[str, Any]) -> bool:
    """A rebuild when the worker starts, unless one is already on its way: the builder re-renders
    every page when the deployed theme or builder code differs from what built the published
    site (its hashes include the theme version), and finds nothing to do otherwise. A deploy of
    a new theme therefore goes live without waiting for the next edit. True when it enqueued."""
    queue: Queue = ctx["queue"]
    if _rebuild_pending(await queue.job(REBUILD_KEY)):
        return False
    await enqueue_rebuild(queue, count=False)
    log.info("site_rebuild_at_start")
    return True


async def watch_site(ctx: dict[str, Any], every: float) -> None:
    """A rebuild at start-up (``rebuild_at_start``), then ``check_site`` at once and every
    ``every`` seconds; an outage (Redis, PostgreSQL) only skips a look."""
    try:
        await rebuild_at_start(ctx)
    except Exception as exc:
        log.warning("site_watch_failed", error=str(exc))
    while True:
        try:
            await check_site(ctx)
        except Exception as exc:
            log.warning("site_watch_failed", error=str(exc))
        await asyncio.sleep(every)


class Builders:
    """Starts the site builds (``python -m sitebuilder.build``: Pelican keeps process-wide state,
    so each build is its own process) and keeps the next one started, loaded and waiting for
    "go" on stdin (``--wait``), so an edit's rebuild does not wait for Python and Pelican to load."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._spare: asyncio.subprocess.Process | None = None

    async def _start(self) -> asyncio.subprocess.Process:
        settings = self.settings
        env = {
            **os.environ,
            "PYDOTORG_SITE_API_KEY": settings.site_api_key,
            "PYDOTORG_SITE_URL": settings.site_url,
        }
        command = ["--api", settings.site_api_url, "--out", str(settings.site_dir)]
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sitebuilder.build",
            "--wait",
            *command,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def take(self) -> asyncio.subprocess.Process:
        spare, self._spare = self._spare, None
        if spare is None or spare.returncode is not None:
            spare = await self._start()
        return spare

    async def prepare(self) -> None:
        if self._spare is None or self._spare.returncode is not None:
            self._spare = await self._start()

    async def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is None or spare.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            spare.kill()
        await spare.wait()


async def _run_build(settings: Settings, builders: Builders | None = None) -> tuple[str, int]:
    owned = builders is None
    builders = builders or Builders(settings)
    process = await builders.take()
    if not owned:
        # The next build's process loads while this one builds (it waits for this build to
        # finish before it reads the saved state): an edit made meanwhile does not wait for it.
        await builders.prepare()
    try:
        stdout, stderr = await asyncio.wait_for(
            process.communicate(b"go\n"), timeout=settings.site_build_timeout_seconds
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError("site build timed out") from None
    except asyncio.CancelledError:
        # Aborted or shut down: the build stops with the job (its publish is atomic, and the
        # saved cursor only moves after a complete publish).
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise
    finally:
        if not owned:
            await builders.prepare()  # (when the one started above is gone already)
    if process.returncode == PURGE_FAILED_EXIT:
        raise PurgeFailed(f"site build published, but its purge failed: {stderr.decode()[-500:]}")
    if process.returncode != 0:
        raise RuntimeError(f"site build failed: {stderr.decode()[-500:]}")
    line = stdout.decode().strip().splitlines()[-1] if stdout.strip() else ""
    cursor = line.rsplit("cursor ", 1)[-1].split(",")[0] if "cursor " in line else ""
    if not (cursor.isascii() and cursor.isdigit()):
        raise RuntimeError(f"unexpected build output: {line!r}")
    return line, int(cursor)


async def site_daily(ctx: dict[str, Any]) -> dict[str, Any]:
    """``site.daily``: a rebuild once a day, even with no writes, so pages that depend on the date
    (upcoming/past events, "New" jobs) move on; the builder re-reads those on a new day."""
    await enqueue_rebuild(ctx["queue"])
    return {"enqueued": REBUILD_JOB}


site_daily.__qualname__ = "site.daily"  # SAQ enqueues a cron job under its function's __qualname__

# The platform's jobs; ``pydotorg.worker`` adds every domain's.
JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    ("mail.send", send_mail),
    ("site.rebuild", site_rebuild),
    ("site.daily", site_daily),
)
CRON_JOBS: tuple[CronJob[Any], ...] = (
    CronJob(site_daily, cron="5 0 * * *", timeout=60, retries=3),  # 00:05 UTC
)


async def announce_changes(settings: Settings) -> None:
    """After a write outside the API (a CLI command): refresh the API's caches and queue a site
    rebuild (best effort: the site watch catches up if this fails)."""
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    queue = create_queue(settings)
    try:
        await bump_data_version(redis)
        await enqueue_rebuild(queue)
    finally:
        await redis.aclose()
        with contextlib.suppress(Exception):
            await queue.disconnect()


def mail_after_commit(
    session: AsyncSession, queue: Queue | None, mailer: Mailer, message: EmailMessage
) -> None:
    """Queue ``message`` once the session's transaction commits; a rollback sends nothing."""

    async def send() -> None:
        await enqueue_mail(queue, mailer, message)

    add_after_commit(session, send)


async def enqueue_mail(queue: Queue | None, mailer: Mailer, message: EmailMessage) -> None:
    """Queue a message; if the queue is unreachable, deliver it now so it is not lost."""
    if queue is not None:
        try:
            await queue.enqueue(
                "mail.send",
                message=message.as_string(),
                timeout=60,
                retries=5,
                retry_delay=10.0,
                retry_backoff=True,
            )
            return
        except Exception as exc:
            log.warning("mail_enqueue_failed", error=str(exc))
    await mailer.send(message)
