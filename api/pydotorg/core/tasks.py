"""SAQ: the queue, the job functions and the worker.

Jobs run with explicit timeouts and retries. ``pydotorg worker`` runs ``create_worker``; the test
session runs the same worker in-process so jobs (mail, rebuild) really execute.
"""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any, cast

import structlog
from prometheus_client import Counter, Histogram
from redis.asyncio import Redis
from saq import CronJob, Queue, Worker
from saq.queue.redis import RedisQueue
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.changes import Change
from pydotorg.core.db import create_engine
from pydotorg.core.mail import Mailer, create_mailer
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

JOBS_TOTAL = Counter("pydotorg_jobs_total", "SAQ jobs processed", ["function", "status"])
JOB_SECONDS = Histogram("pydotorg_job_seconds", "SAQ job duration", ["function"])

SITE_CURSOR_KEY = "pydotorg:site:published_cursor"


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


async def site_rebuild(ctx: dict[str, Any]) -> dict[str, int]:
    """``site.rebuild``: bring the published site up to the change feed.

    The static-site builder (site issue) publishes and records the cursor it reached under
    ``SITE_CURSOR_KEY``. This job reports how far the feed is ahead of that cursor, which is
    what the builder consumes; it never advances the cursor itself.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    queue: Queue = ctx["queue"]
    raw = await queue.redis.get(SITE_CURSOR_KEY)  # type: ignore[attr-defined]
    published = int(raw or 0)
    async with sessionmaker() as session:
        head = int(await session.scalar(select(func.coalesce(func.max(Change.cursor), 0))) or 0)
        pending = int(await session.scalar(select(func.count()).where(Change.cursor > published)) or 0)
    log.info("site_rebuild", published_cursor=published, head_cursor=head, pending=pending)
    return {"published_cursor": published, "head_cursor": head, "pending": pending}


JOB_FUNCTIONS: list[tuple[str, Callable[..., Awaitable[Any]]]] = [
    ("mail.send", send_mail),
    ("site.rebuild", site_rebuild),
]


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


# --- worker ----------------------------------------------------------------------------------


def create_worker(
    settings: Settings,
    *,
    queue: Queue | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    mailer: Mailer | None = None,
    cron_jobs: list[CronJob] | None = None,
) -> Worker:
    queue = queue or create_queue(settings)
    owned_engine = sessionmaker is None

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

    async def shutdown(ctx: dict[str, Any]) -> None:
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

    return Worker(
        queue,
        functions=cast(Any, JOB_FUNCTIONS),
        cron_jobs=cron_jobs or [],
        concurrency=4,
        startup=startup,
        shutdown=shutdown,
        before_process=before_process,
        after_process=after_process,
        timers={"schedule": 1, "worker_info": 10, "sweep": 30, "abort": 1},
    )
