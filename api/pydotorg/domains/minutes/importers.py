"""Django fixtures -> board minutes (``minutes.minutes``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import render
from pydotorg.domains.minutes.models import Minutes
from pydotorg.domains.minutes.services import EARLIEST

MARKUPS = {"restructuredtext", "markdown", "html", "text"}


async def convert_minutes(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    try:
        day = dt.date.fromisoformat(str(fields.get("date") or ""))
    except ValueError:
        raise RowError(f"date {fields.get('date')!r} is not a YYYY-MM-DD date") from None
    if day < EARLIEST:
        raise RowError(f"date {day} is before {EARLIEST}")
    # One meeting per date (the page's URL): a second row for a date is reported, not imported.
    other = await ctx.session.scalar(select(Minutes.id).where(Minutes.date == day, Minutes.id != int(pk)))
    if other is not None or day in ctx.seen["minutes.date"]:
        raise RowError(f"minutes for {day} already exist")
    ctx.seen["minutes.date"].add(day)
    markup = (
        "text"
        if fields.get("content_markup_type") == "plain"
        else str(fields.get("content_markup_type") or "restructuredtext")
    )
    if markup not in MARKUPS:
        raise RowError(f"content_markup_type {markup!r} is not one of {sorted(MARKUPS)}")
    content = str(fields.get("content") or "")
    return {
        "id": int(pk),
        "date": day,
        "content": content,
        "content_markup_type": markup,
        "content_html": render(content, markup),
        "is_published": bool(fields.get("is_published", False)),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("minutes.minutes", Minutes.__table__, convert_minutes, ("minutes", "minutes"), order=20),
)
