"""Django fixtures -> events (``events.calendar``, ``events.eventcategory``,
``events.eventlocation``, ``events.event``, ``events.occurringrule``, ``events.recurringrule``,
``events.alarm``).

Rules are upserted on keys that start with ``event_id`` (``ModelImport.key``), so the runner
reports the *event* as changed when one of its rules changes: rules have no change-feed kind of
their own. An event's categories (a many-to-many field inside the event's fixture row) are
linked while the event row is converted; the link's reference to the event is checked at
commit, after the runner has inserted the event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pydotorg.core.changes import Change
from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.events.models import (
    Alarm,
    Calendar,
    Event,
    EventCategory,
    EventLocation,
    OccurringRule,
    RecurringRule,
    event_category_links,
)
from pydotorg.domains.events.schedule import MAX_DURATION, in_range, parse_duration
from pydotorg.domains.events.services import MARKUP_TYPES, render_description

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
# Django's serialisation of a DurationField: "[-D ]HH:MM:SS[.ffffff]".
DJANGO_DURATION = re.compile(
    r"^(?:(?P<days>-?\d+) )?(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d)(?:\.(?P<us>\d{1,6}))?$"
)


def _checked_link(value: str | None, name: str) -> str | None:
    """The site's one link rule (core/urls.py): a row with a link a browser would misread is
    reported and skipped, as the API refuses it."""
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


def _text(fields: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = str(fields.get(name) or "")
    if required and not value:
        raise RowError(f"{name} is empty")
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _optional(fields: Mapping[str, Any], name: str, limit: int) -> str | None:
    return _text(fields, name, limit) or None


def _link(fields: Mapping[str, Any], name: str, limit: int) -> str | None:
    return _checked_link(_optional(fields, name, limit), name)


def _slug(fields: Mapping[str, Any], limit: int) -> str:
    slug = _text(fields, "slug", limit, required=True)
    if not SLUG_RE.match(slug):
        raise RowError(f"slug {slug!r} is not a slug")
    return slug


async def _unique(ctx: ImportContext, table: Any, where: Mapping[str, Any], pk: int, what: str) -> None:
    """No other row (stored, or earlier in this import) holds the same values."""
    value = tuple(where.values())
    claimed, pairs = ctx.seen[f"{table.name}:{what}"], ctx.seen[f"{table.name}:{what}:pk"]
    if value in claimed and (value, pk) not in pairs:
        raise RowError(f"{what} {where} is used by another row of this import")
    claimed.add(value)
    pairs.add((value, pk))
    stmt = select(table.c.id).where(table.c.id != pk, *(table.c[k] == v for k, v in where.items()))
    if (other := await ctx.session.scalar(stmt)) is not None:
        raise RowError(f"{what} {where} is already used by row {other}")


def _instant(fields: Mapping[str, Any], name: str) -> Any:
    value = parse_dt(fields.get(name))
    if value is None:
        raise RowError(f"{name} is missing")
    if not in_range(value):
        raise RowError(f"{name} {value.isoformat()} is outside 1900-2999")
    return value


def _audit(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
    }


async def _users(fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


async def convert_calendar(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    slug = _slug(fields, 50)
    await _unique(ctx, Calendar.__table__, {"slug": slug}, int(pk), "slug")
    return {
        "id": int(pk),
        "name": _text(fields, "name", 100),
        "slug": slug,
        "description": _optional(fields, "description", 255),
        **{name: _link(fields, name, 200) for name in ("url", "rss", "embed", "twitter")},
        **_audit(fields),
        **await _users(fields, ctx),
    }


async def convert_category(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    slug = _slug(fields, 200)
    await _unique(ctx, EventCategory.__table__, {"slug": slug}, int(pk), "slug")
    return {
        "id": int(pk),
        "name": _text(fields, "name", 200),
        "slug": slug,
        "calendar_id": await ctx.require(Calendar.__table__, fields.get("calendar"), "calendar"),
    }


async def convert_location(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "name": _text(fields, "name", 255),
        "address": _optional(fields, "address", 255),
        "url": _link(fields, "url", 200),
        "calendar_id": await ctx.require(Calendar.__table__, fields.get("calendar"), "calendar"),
    }


async def convert_event(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    event_id = int(pk)
    calendar_id = await ctx.require(Calendar.__table__, fields.get("calendar"), "calendar")
    if calendar_id is None:
        raise RowError("calendar is missing")
    uid = _optional(fields, "uid", 200)
    if uid is not None:
        await _unique(ctx, Event.__table__, {"calendar_id": calendar_id, "uid": uid}, event_id, "uid")
    markup = str(fields.get("description_markup_type") or "restructuredtext")
    markup = "text" if markup == "plain" else markup
    if markup not in MARKUP_TYPES:
        raise RowError(f"description_markup_type {markup!r} is not one of {sorted(MARKUP_TYPES)}")
    description = str(fields.get("description") or "")
    categories = []
    for category in fields.get("categories") or []:
        categories.append(await ctx.require(EventCategory.__table__, category, "category"))
    row = {
        "id": event_id,
        "uid": uid,
        "title": _text(fields, "title", 200),
        "calendar_id": calendar_id,
        "description": description,
        "description_markup_type": markup,
        "description_html": render_description(description, markup),
        "venue_id": await ctx.require(EventLocation.__table__, fields.get("venue"), "venue"),
        "featured": bool(fields.get("featured", False)),
        **_audit(fields),
        **await _users(fields, ctx),
    }
    await _link_categories(ctx, event_id, {c for c in categories if c is not None})
    return row


async def _link_categories(ctx: ImportContext, event_id: int, wanted: set[int]) -> None:
    links = event_category_links.c
    current = set(await ctx.session.scalars(select(links.category_id).where(links.event_id == event_id)))
    if current == wanted:
        return
    if current - wanted:
        await ctx.session.execute(
            delete(event_category_links).where(
                links.event_id == event_id, links.category_id.in_(current - wanted)
            )
        )
    if wanted - current:
        await ctx.session.execute(
            pg_insert(event_category_links).on_conflict_do_nothing(),
            [{"event_id": event_id, "category_id": c} for c in sorted(wanted - current)],
        )
    await ctx.session.execute(
        insert(Change),
        [{"domain": "events", "kind": "event", "object_id": str(event_id), "action": "updated"}],
    )


async def convert_occurring(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    dt_start, dt_end = _instant(fields, "dt_start"), _instant(fields, "dt_end")
    if dt_end < dt_start:
        raise RowError("dt_end is before dt_start")
    return {
        "id": int(pk),
        "event_id": await ctx.require(Event.__table__, fields.get("event"), "event"),
        "dt_start": dt_start,
        "dt_end": dt_end,
        "all_day": bool(fields.get("all_day", False)),
    }


def _duration(fields: Mapping[str, Any]) -> timedelta:
    """python.org re-parses the text on every save; the stored value is the fallback."""
    try:
        return parse_duration(str(fields.get("duration") or ""))
    except TypeError:
        pass
    match = DJANGO_DURATION.match(str(fields.get("duration_internal") or ""))
    if not match:
        raise RowError(f"duration {fields.get('duration')!r} is not a valid time interval")
    parts = match.groupdict()
    return timedelta(
        days=int(parts["days"] or 0),
        hours=int(parts["h"]),
        minutes=int(parts["m"]),
        seconds=int(parts["s"]),
        microseconds=int((parts["us"] or "0").ljust(6, "0")),
    )


async def convert_recurring(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    begin, finish = _instant(fields, "begin"), _instant(fields, "finish")
    if finish < begin:
        raise RowError("finish is before begin")
    duration = _duration(fields)
    if not timedelta(0) <= duration <= MAX_DURATION:
        raise RowError("duration is not between 0 and 366 days")
    interval, frequency = int(fields.get("interval", 1)), int(fields.get("frequency", 2))
    if not 1 <= interval <= 32767:
        raise RowError(f"interval {interval} is not between 1 and 32767")
    if frequency not in (0, 1, 2, 3):
        raise RowError(f"frequency {frequency} is not one of 0, 1, 2, 3")
    return {
        "id": int(pk),
        "event_id": await ctx.require(Event.__table__, fields.get("event"), "event"),
        "begin": begin,
        "finish": finish,
        "duration": _text(fields, "duration", 50) or "15 min",
        "duration_internal": duration,
        "interval": interval,
        "frequency": frequency,
        "all_day": bool(fields.get("all_day", False)),
    }


async def convert_alarm(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    trigger = int(fields.get("trigger", 24))
    if not 0 <= trigger <= 32767:
        raise RowError(f"trigger {trigger} is not between 0 and 32767")
    return {
        "id": int(pk),
        "event_id": await ctx.require(Event.__table__, fields.get("event"), "event"),
        "trigger": trigger,
        **_audit(fields),
        **await _users(fields, ctx),
    }


EVENT = ("events", "event")
# Keyed by event: the runner's change rows then name the event whose rule changed.


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("events.calendar", Calendar.__table__, convert_calendar, ("events", "calendar"), order=30),
    ModelImport(
        "events.eventcategory", EventCategory.__table__, convert_category, ("events", "category"), order=31
    ),
    ModelImport(
        "events.eventlocation", EventLocation.__table__, convert_location, ("events", "location"), order=31
    ),
    ModelImport("events.event", Event.__table__, convert_event, EVENT, order=32),
    ModelImport(
        "events.occurringrule", OccurringRule.__table__, convert_occurring, EVENT, order=33, key=("event_id",)
    ),
    ModelImport(
        "events.recurringrule",
        RecurringRule.__table__,
        convert_recurring,
        EVENT,
        order=33,
        key=("event_id", "id"),
    ),
    ModelImport("events.alarm", Alarm.__table__, convert_alarm, order=33),
)
