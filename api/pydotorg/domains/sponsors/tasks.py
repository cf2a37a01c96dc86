"""The sponsors' SAQ jobs: the required-asset deadline reminder (python.org's
``check_sponsorship_assets_due_date`` command, which was meant to be scheduled daily), and the
PyCon voucher codes (python.org's ``create_pycon_vouchers_for_sponsors``; no schedule: the staff
enqueue ``sponsors.create_pycon_vouchers`` with ``year=`` or run ``pydotorg sponsors
pycon-vouchers YEAR``).

``pydotorg.worker`` adds ``JOB_FUNCTIONS`` to the worker and ``CRON_JOBS`` to its schedule; SAQ
enqueues a cron job under its function's ``__qualname__``, so the function carries the name it is
registered under. ``pydotorg sponsors check-assets-due`` runs the same check by hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import structlog
from saq import CronJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction, utcnow
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.services import notifications, vouchers

log = structlog.get_logger(__name__)

REMINDER_SENT_KEY = "pydotorg:sponsors:assets_due:{day}:{days}"
REMINDER_SENT_TTL = 3 * 24 * 3600  # seconds: outlives the day it marks


async def run_assets_due_check(
    sessionmaker: async_sessionmaker[AsyncSession], mail: MailContext, *, days: int, today: date
) -> list[int]:
    """Remind the sponsorships with an empty required asset due ``days`` days after ``today``;
    the mails are queued once the transaction commits. Returns their ids."""
    async with transaction(sessionmaker) as tx:
        notified = await notifications.check_assets_due(tx, mail, days=days, today=today)
    if notified:
        log.info("sponsors_assets_due_reminded", sponsorships=notified, days=days)
    return notified


async def check_assets_due(
    ctx: dict[str, Any], *, days: int = notifications.DEFAULT_DUE_DAYS, today: str | None = None
) -> dict[str, Any]:
    """``sponsors.check_assets_due``: the daily reminder. A Redis key makes it once per day, so a
    retry or a second worker does not remind twice; a failure clears the key for the next run."""
    day = date.fromisoformat(today) if today else utcnow().date()
    queue = ctx.get("queue")
    redis = getattr(queue, "redis", None)
    key = REMINDER_SENT_KEY.format(day=day.isoformat(), days=days)
    if redis is not None and not await redis.set(key, "1", nx=True, ex=REMINDER_SENT_TTL):
        return {"sent": False, "reason": "already checked today"}
    mail = MailContext(settings=ctx["settings"], mailer=ctx["mailer"], queue=queue)
    try:
        notified = await run_assets_due_check(ctx["sessionmaker"], mail, days=days, today=day)
    except BaseException:
        if redis is not None:
            await redis.delete(key)
        raise
    due = (day + timedelta(days=days)).isoformat()
    return {"sent": True, "due_date": due, "sponsorships": notified}


check_assets_due.__qualname__ = "sponsors.check_assets_due"


async def create_pycon_vouchers(ctx: dict[str, Any], *, year: int) -> dict[str, Any]:
    """``sponsors.create_pycon_vouchers``: store a PyCon promo code in every finalized
    sponsorship's empty voucher asset of ``year``. The result lists each asset's outcome and
    names an outage; missing PyCon settings fail the job with ``VoucherSettingsError``."""
    report = await vouchers.create_vouchers(ctx["sessionmaker"], ctx["settings"], year=int(year))
    return report.as_dict()


create_pycon_vouchers.__qualname__ = "sponsors.create_pycon_vouchers"

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    ("sponsors.check_assets_due", check_assets_due),
    ("sponsors.create_pycon_vouchers", create_pycon_vouchers),
)

CRON_JOBS: tuple[CronJob[Any], ...] = (
    # Hourly: a worker that was down at the first run of the day still reminds; the key makes it
    # once a day.
    CronJob(check_assets_due, cron="15 * * * *", timeout=300, retries=3),
)
