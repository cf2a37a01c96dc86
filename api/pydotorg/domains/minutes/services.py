"""Minutes rules: who sees drafts, one meeting per date, sanitized rendering, python.org's title
and URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.domains.minutes.models import CHANGE_MINUTES, Minutes

EARLIEST = dt.date(1990, 1, 1)  # the PSF's records start in 2001; anything older is a typo


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_MINUTES)


async def get_minutes(session: AsyncSession, minutes_id: int, principal: Principal | None) -> Minutes:
    """Minutes the caller may see (published ones, or any for editors); else 404."""
    return await get_visible_or_404(
        session,
        Minutes,
        minutes_id,
        f"No minutes with id {minutes_id}.",
        visible=lambda m: m.is_published or can_see_drafts(principal),
    )


async def minutes_of(session: AsyncSession, day: dt.date, principal: Principal | None) -> Minutes:
    """The minutes of the meeting on ``day``, if the caller may see them; else 404."""
    return await get_visible_or_404(
        session,
        Minutes,
        Minutes.date == day,
        f"No minutes for {day.isoformat()}.",
        visible=lambda m: m.is_published or can_see_drafts(principal),
    )


async def list_minutes(
    session: AsyncSession, principal: Principal | None, *, limit: int, offset: int, year: int | None = None
) -> tuple[list[Minutes], ListMeta]:
    """Minutes newest first; drafts only for editors."""
    stmt = select(Minutes).order_by(Minutes.date.desc(), Minutes.id.desc())
    if not can_see_drafts(principal):
        stmt = stmt.where(Minutes.is_published)
    if year is not None:
        stmt = stmt.where(extract("year", Minutes.date) == year)
    return await paginate(session, stmt, limit, offset)


def title(day: dt.date) -> str:
    """python.org's ``str``: "PSF Meeting Minutes <Month DD, YYYY>"."""
    return f"PSF Meeting Minutes {day:%B %d, %Y}"


def url(day: dt.date) -> str:
    return f"/psf/records/board/minutes/{day.isoformat()}/"


async def save_minutes(
    session: AsyncSession, data: Mapping[str, Any], minutes: Minutes | None = None
) -> Minutes:
    values = dict(data)
    if "date" in values:
        day = values["date"]
        if not EARLIEST <= day <= dt.date(2999, 12, 31):
            raise ValidationFailed({"date": [f"Enter a meeting date from {EARLIEST.isoformat()} on."]})
        await ensure_unique(
            session, Minutes, "date", day, "Minutes with this date already exists.", exclude=minutes
        )
    if minutes is None:
        minutes = Minutes(
            **{"content": "", "content_markup_type": "restructuredtext", "is_published": False, **values}
        )
    else:
        assign_changed(minutes, values)
    assign_changed(minutes, {"content_html": render(minutes.content or "", minutes.content_markup_type)})
    session.add(minutes)
    await session.flush()
    return minutes
