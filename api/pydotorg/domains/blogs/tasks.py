"""SAQ: ``blogs.import_feeds``, run every 30 minutes by the worker's cron (python.org ran
``update_blogs`` from its Celery beat schedule, kept in its database)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from saq import CronJob

from pydotorg.domains.blogs.feeds import import_feeds

IMPORT_JOB = "blogs.import_feeds"
IMPORT_CRON = "*/30 * * * *"


async def import_feeds_job(ctx: dict[str, Any], *, force: bool = False) -> dict[str, Any]:
    """Import every feed and refresh the related blogs. A feed that fails is logged and
    reported in the result, not raised: the others are stored, and the next run retries it."""
    queue = ctx["queue"]
    report = await import_feeds(
        ctx["sessionmaker"],
        ctx["settings"],
        force=force,
        redis=getattr(queue, "redis", None),
        queue=queue,
    )
    return report.summary()


# SAQ enqueues a cron job under its function's ``__qualname__``: give it the job's name.
import_feeds_job.__qualname__ = IMPORT_JOB

# Composed into the worker by ``pydotorg.worker``.
JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = ((IMPORT_JOB, import_feeds_job),)
CRON_JOBS: tuple[CronJob[Any], ...] = (CronJob(import_feeds_job, cron=IMPORT_CRON, timeout=900, retries=2),)
