"""SAQ jobs of the events domain: ``events.import_ics`` (hourly by cron, or on demand).

``pydotorg.worker`` composes ``JOB_FUNCTIONS`` and ``CRON_JOBS`` into the worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from saq import CronJob

from pydotorg.domains.events.ical import import_calendars

IMPORT_ICS = "events.import_ics"
IMPORT_TIMEOUT_SECONDS = 900


async def import_ics(
    ctx: dict[str, Any], *, calendar: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Fetch and import every calendar's iCal feed (or one, by slug). A failing calendar is
    reported in the result and does not stop the others; the next run tries again."""
    queue = ctx.get("queue")
    results = await import_calendars(
        ctx["sessionmaker"],
        calendar_slug=calendar,
        force=force,
        redis=getattr(queue, "redis", None),
        queue=queue,
    )
    return {"calendars": [r.as_dict() for r in results]}


# SAQ enqueues a cron job under its function's ``__qualname__``: give it the job's name.
import_ics.__qualname__ = IMPORT_ICS

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = ((IMPORT_ICS, import_ics),)
CRON_JOBS: tuple[CronJob[Any], ...] = (
    # Hourly, a few minutes past so it does not meet other top-of-the-hour work.
    CronJob(import_ics, cron="7 * * * *", timeout=IMPORT_TIMEOUT_SECONDS, retries=2),
)
