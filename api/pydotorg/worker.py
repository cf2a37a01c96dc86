"""The SAQ worker: ``create_worker(settings)`` composes the platform's jobs (``core.tasks``) and
every domain's (``domains/<name>/tasks.py``: ``JOB_FUNCTIONS`` and ``CRON_JOBS``), as ``app.py``
composes the controllers.

``pydotorg worker`` runs it; the test session runs the same worker in-process so jobs (mail,
rebuild) really execute. Adding a domain's jobs means one more line in each tuple below.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, cast

from prometheus_client import Counter, Histogram
from saq import CronJob, Queue, Worker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core import tasks
from pydotorg.core.changes import (
    REBUILD_JOB,
    REBUILD_REQUESTS_KEY,
    SEARCH_JOB,
    SEARCH_REQUESTS_KEY,
    enqueue_rebuild,
    enqueue_search_index,
)
from pydotorg.core.db import create_engine
from pydotorg.core.mail import Mailer, create_mailer
from pydotorg.core.search import SearchEngine
from pydotorg.core.search import create_engine as create_search_engine
from pydotorg.core.search import indexing as search_indexing
from pydotorg.core.tasks import Builders, create_queue, watch_site
from pydotorg.domains.blogs import tasks as blogs_tasks
from pydotorg.domains.downloads import tasks as downloads_tasks
from pydotorg.domains.events import tasks as events_tasks
from pydotorg.domains.jobs import tasks as jobs_tasks
from pydotorg.domains.previews import tasks as previews_tasks
from pydotorg.domains.sponsors import tasks as sponsors_tasks
from pydotorg.indexes import SEARCH_SOURCES
from pydotorg.settings import Settings

JOBS_TOTAL = Counter("pydotorg_jobs_total", "SAQ jobs processed", ["function", "status"])
JOB_SECONDS = Histogram("pydotorg_job_seconds", "SAQ job duration", ["function"])

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    *tasks.JOB_FUNCTIONS,
    *search_indexing.JOB_FUNCTIONS,
    *jobs_tasks.JOB_FUNCTIONS,
    *blogs_tasks.JOB_FUNCTIONS,
    *events_tasks.JOB_FUNCTIONS,
    *sponsors_tasks.JOB_FUNCTIONS,
    *downloads_tasks.JOB_FUNCTIONS,
    *previews_tasks.JOB_FUNCTIONS,
)

# Periodic jobs (SAQ cron): the platform's and each domain's.
CRON_JOBS: tuple[CronJob[Any], ...] = (
    *tasks.CRON_JOBS,
    *search_indexing.CRON_JOBS,
    *jobs_tasks.CRON_JOBS,
    *blogs_tasks.CRON_JOBS,
    *events_tasks.CRON_JOBS,
    *sponsors_tasks.CRON_JOBS,
    *downloads_tasks.CRON_JOBS,
    *previews_tasks.CRON_JOBS,
)


# Coalesced jobs (one key): the function, where the job notes the request count it started from,
# the request counter, and how to enqueue it again.
SWEEP_SECONDS = 30  # how often SAQ looks for jobs a dead worker left
COALESCED = (
    (REBUILD_JOB, "rebuild_requests_seen", REBUILD_REQUESTS_KEY, enqueue_rebuild),
    (SEARCH_JOB, "search_requests_seen", SEARCH_REQUESTS_KEY, enqueue_search_index),
)


def create_worker(
    settings: Settings,
    *,
    queue: Queue | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    mailer: Mailer | None = None,
    cron_jobs: Collection[CronJob[Any]] | None = None,
    search_engine: SearchEngine | None = None,
) -> Worker:
    queue = queue or create_queue(settings)
    owned_engine = sessionmaker is None
    if cron_jobs is None:
        # Every domain's periodic jobs; none under test settings, where wall-clock jobs would fire
        # into unrelated tests (tests enqueue them by name).
        cron_jobs = [] if settings.environment == "test" else CRON_JOBS

    async def startup(ctx: dict[str, Any]) -> None:
        if owned_engine:
            engine = create_engine(settings)
            ctx["engine"] = engine
            ctx["sessionmaker"] = async_sessionmaker(engine, expire_on_commit=False)
        else:
            ctx["sessionmaker"] = sessionmaker
        ctx["mailer"] = mailer or create_mailer(settings)
        ctx["settings"] = settings
        ctx["queue"] = queue
        ctx["builders"] = Builders(settings)
        if settings.site_api_key:
            # Loaded and waiting before the first change, as after every build (tasks.Builders).
            await ctx["builders"].prepare()
        ctx["search_engine"] = search_engine or create_search_engine(settings)
        ctx["search_sources"] = SEARCH_SOURCES
        if settings.search_watch_seconds > 0:
            ctx["search_watch"] = asyncio.create_task(
                search_indexing.watch_search(ctx, settings.search_watch_seconds)
            )
        if settings.site_api_key and settings.site_watch_seconds > 0:
            ctx["site_watch"] = asyncio.create_task(watch_site(ctx, settings.site_watch_seconds))
        # SAQ's first sweep runs while the worker takes its first job, and can take that job (in the
        # active list, not yet marked active) for one a dead worker left: it aborts it and retries
        # it after the retry delay, and edits coalesced into it waited 5 s (seen in make bench
        # whenever a worker started with a rebuild queued). Sweeping here, before any job is taken,
        # still finishes what a dead worker left, and its lock makes SAQ skip that first sweep.
        await queue.sweep(lock=SWEEP_SECONDS)

    async def shutdown(ctx: dict[str, Any]) -> None:
        for name in ("site_watch", "search_watch"):
            watch = ctx.get(name)
            if watch is not None:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
        engine_ = ctx.get("search_engine")
        if engine_ is not None and search_engine is None:
            await engine_.aclose()
        builders = ctx.get("builders")
        if builders is not None:
            await builders.close()
        engine = ctx.get("engine")
        if engine is not None:
            await engine.dispose()

    async def before_process(ctx: dict[str, Any]) -> None:
        ctx["started"] = time.perf_counter()

    async def after_process(ctx: dict[str, Any]) -> None:
        job = ctx.get("job")
        if job is None:
            return
        JOBS_TOTAL.labels(job.function, job.status.value if job.status else "unknown").inc()
        started = ctx.get("started")
        if started is not None:
            JOB_SECONDS.labels(job.function).observe(time.perf_counter() - started)
        # The job is finished (SAQ accepts its key again): a request that came in after it last
        # started, and was dropped as a duplicate, gets its run now.
        for function, seen_key, requests_key, enqueue in COALESCED:
            seen = ctx.get(seen_key)
            if job.function == function and seen is not None:
                requested = int(await queue.redis.get(requests_key) or 0)  # type: ignore[attr-defined]
                if requested > seen:
                    await enqueue(queue, count=False)

    return Worker(
        queue,
        functions=cast(Any, JOB_FUNCTIONS),
        cron_jobs=cron_jobs,
        concurrency=4,
        startup=startup,
        shutdown=shutdown,
        before_process=before_process,
        after_process=after_process,
        timers={"schedule": 1, "worker_info": 10, "sweep": SWEEP_SECONDS, "abort": 1},
    )
