"""The job board's periodic SAQ jobs: expiry and the monthly report (python.org's ``expire_jobs``
and ``jobs_monthly_report`` commands, which its Celery beat ran from a database schedule).

``pydotorg.worker`` adds ``JOB_FUNCTIONS`` to the worker and ``CRON_JOBS`` to its schedule. SAQ
enqueues a cron job under its function's ``__qualname__``, so each function is given the same
name it is registered under; ``queue.enqueue("jobs.expire")`` and the schedule run one job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import structlog
from saq import CronJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction, utcnow
from pydotorg.core.tasks import enqueue_mail
from pydotorg.domains.jobs import mail, services

log = structlog.get_logger(__name__)

REPORT_DAY_OF_MONTH = 27
REPORT_SENT_KEY = "pydotorg:jobs:monthly_report:{month}"
REPORT_SENT_TTL = 40 * 24 * 3600  # seconds: outlives the month it marks


async def expire(ctx: dict[str, Any]) -> dict[str, Any]:
    """``jobs.expire``: approved listings past ``expires`` become ``expired``. The writes go to the
    change feed and, after commit, a coalesced ``site.rebuild`` is enqueued, so the listing's
    page disappears and is purged."""
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    queue = ctx.get("queue")
    async with transaction(sessionmaker, redis=getattr(queue, "redis", None), queue=queue) as session:
        expired = await services.expire_jobs(session)
    if expired:
        log.info("jobs_expired", ids=expired)
    return {"expired": expired}


async def monthly_report(ctx: dict[str, Any], *, today: str | None = None) -> dict[str, Any]:
    """``jobs.monthly_report``: counts by status of the listings created this month and last
    month, mailed to ``PYDOTORG_JOBS_REPORT_RECIPIENTS``. Scheduled hourly on the 27th so a worker
    that was down at the first run still sends it; a Redis key makes it once per month."""
    day = date.fromisoformat(today) if today else utcnow().date()
    month = services.month_start(day)
    queue = ctx.get("queue")
    redis = getattr(queue, "redis", None)
    key = REPORT_SENT_KEY.format(month=month.isoformat()[:7])
    if redis is not None and not await redis.set(key, "1", nx=True, ex=REPORT_SENT_TTL):
        return {"sent": False, "reason": "already sent this month"}
    previous = services.previous_month(day)
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    try:
        async with sessionmaker() as session:
            current_counts = await services.status_counts(session, month, services.next_month(day))
            previous_counts = await services.status_counts(session, previous, month)
        message = mail.monthly_report(ctx["settings"], month, current_counts, previous, previous_counts)
        await enqueue_mail(queue, ctx["mailer"], message)
    except BaseException:
        if redis is not None:  # let the next scheduled run try again
            await redis.delete(key)
        raise
    return {"sent": True, "month": month.isoformat()[:7]}


expire.__qualname__ = "jobs.expire"
monthly_report.__qualname__ = "jobs.monthly_report"

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    ("jobs.expire", expire),
    ("jobs.monthly_report", monthly_report),
)

CRON_JOBS: tuple[CronJob[Any], ...] = (
    # Public visibility ends at ``expires`` already; this makes the static pages follow soon after.
    CronJob(expire, cron="*/10 * * * *", timeout=300, retries=3),
    CronJob(monthly_report, cron=f"0 * {REPORT_DAY_OF_MONTH} * *", timeout=120, retries=3),
)
