"""Minutes rules: one meeting per date, sanitized rendering, python.org's title and URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.domains.minutes.models import Minutes

EARLIEST = dt.date(1990, 1, 1)  # the PSF's records start in 2001; anything older is a typo


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
        stmt = select(Minutes.id).where(Minutes.date == day)
        if minutes is not None:
            stmt = stmt.where(Minutes.id != minutes.id)
        if await session.scalar(stmt):
            raise ValidationFailed({"date": ["Minutes with this date already exists."]})
    if minutes is None:
        minutes = Minutes(
            **{"content": "", "content_markup_type": "restructuredtext", "is_published": False, **values}
        )
    else:
        for key, value in values.items():
            if getattr(minutes, key) != value:
                setattr(minutes, key, value)
    html = render(minutes.content or "", minutes.content_markup_type)
    if minutes.content_html != html:
        minutes.content_html = html
    session.add(minutes)
    await session.flush()
    return minutes
