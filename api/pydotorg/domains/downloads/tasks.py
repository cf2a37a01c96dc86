"""SAQ jobs of the downloads domain: ``downloads.refresh_release_cycle`` (hourly by cron, or on
demand), which stores the PEPs release-cycle data (``release_cycle.py``).

``pydotorg.worker`` composes ``JOB_FUNCTIONS`` and ``CRON_JOBS`` into the worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from saq import CronJob

from pydotorg.domains.downloads import release_cycle

REFRESH_RELEASE_CYCLE = "downloads.refresh_release_cycle"
# Hourly (python.org cached the data an hour), away from the other jobs' minutes.
REFRESH_CRON = "23 * * * *"


async def refresh_release_cycle(ctx: dict[str, Any]) -> dict[str, Any]:
    """Fetch the release-cycle data and store what changed. A failed fetch is logged and
    reported in the result, not raised: the stored copy stays and the next hour tries again."""
    queue = ctx.get("queue")
    return await release_cycle.refresh(
        ctx["sessionmaker"], ctx["settings"], redis=getattr(queue, "redis", None), queue=queue
    )


# SAQ enqueues a cron job under its function's ``__qualname__``: give it the job's name.
refresh_release_cycle.__qualname__ = REFRESH_RELEASE_CYCLE

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    (REFRESH_RELEASE_CYCLE, refresh_release_cycle),
)
CRON_JOBS: tuple[CronJob[Any], ...] = (
    # The fetch has its own timeout (release_cycle_timeout_seconds); the job's covers the write.
    CronJob(refresh_release_cycle, cron=REFRESH_CRON, timeout=60, retries=2),
)
