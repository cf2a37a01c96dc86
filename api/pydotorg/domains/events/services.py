"""Event rules: calendars, categories, locations and events (with their rules) written as the
API and the importers need them — slugs, URL checks, calendar membership, sanitized
descriptions, and the change-feed rule that a change to an event's rules or categories is
reported as a change of the event.

Deletes go through the ORM, so the feed reports every record that disappears or changes with
them (a calendar's events, categories and locations; events that lose a category or venue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from pydotorg.core.db import slugify, utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.events.models import (
    ADD_EVENT,
    CHANGE_EVENT,
    Calendar,
    Event,
    EventCategory,
    EventLocation,
    EventSubmission,
    OccurringRule,
    RecurringRule,
    event_category_links,
)
from pydotorg.domains.events.schedule import MAX_DURATION, as_utc, in_range, parse_duration

MARKUP_TYPES = ("restructuredtext", "markdown", "html", "text")
URL_SCHEMES = ("http", "https")
Errors = dict[str, list[str]]


# --- shared checks -------------------------------------------------------------------------


def url_errors(value: str | None) -> list[str]:
    """An optional http(s) URL with a host: the one link rule (core/urls.py)."""
    if value is None or value == "":
        return []
    if http_url_errors(value):
        return ["Enter a valid http:// or https:// URL."]
    return []


def instant_errors(value: datetime) -> list[str]:
    if not in_range(value):
        return ["Must be between 1900-01-01 and 2999-12-31 (UTC)."]
    return []


def render_description(text: str, markup_type: str) -> str:
    return render(text or "", "text" if markup_type == "plain" else markup_type)


async def calendar_by_slug(session: AsyncSession, slug: str) -> Calendar | None:
    return await session.scalar(select(Calendar).where(Calendar.slug == slug))


async def _calendar(session: AsyncSession, slug: str | None, errors: Errors) -> Calendar | None:
    if slug is None:
        return None
    calendar = await calendar_by_slug(session, slug)
    if calendar is None:
        errors["calendar"] = [f"No calendar with slug {slug!r}."]
    return calendar


async def touch_events(session: AsyncSession, event_ids: Iterable[int]) -> None:
    """Report events whose rules, categories or venue changed without a column of their own."""
    ids = sorted(set(event_ids))
    if not ids:
        return
    now = utcnow()
    for event in await session.scalars(select(Event).where(Event.id.in_(ids))):
        event.updated = now


# --- calendars -----------------------------------------------------------------------------

CALENDAR_URL_FIELDS = ("url", "rss", "embed", "twitter")


async def get_calendar(session: AsyncSession, calendar_id: int) -> Calendar:
    return await get_visible_or_404(session, Calendar, calendar_id, f"No calendar with id {calendar_id}.")


async def list_calendars(
    session: AsyncSession, *, limit: int, offset: int, slug: str | None = None
) -> tuple[list[Calendar], ListMeta]:
    stmt = select(Calendar).order_by(Calendar.name, Calendar.id)
    if slug is not None:
        stmt = stmt.where(Calendar.slug == slug)
    return await paginate(session, stmt, limit, offset)


async def save_calendar(
    session: AsyncSession, data: Mapping[str, Any], calendar: Calendar | None = None
) -> Calendar:
    values = dict(data)
    errors: Errors = {}
    if calendar is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:50]
        if not values["slug"]:
            errors["slug"] = ["Enter a slug: the name has no letters or digits to make one from."]
    if values.get("slug"):
        await ensure_unique(
            session,
            Calendar,
            "slug",
            values["slug"],
            "Calendar with this slug already exists.",
            exclude=calendar,
            errors=errors,
        )
    for name in CALENDAR_URL_FIELDS:
        if name in values and (msgs := url_errors(values[name])):
            errors[name] = msgs
    if errors:
        raise ValidationFailed(errors)
    for name in CALENDAR_URL_FIELDS:  # python.org stores an empty URL as NULL
        if name in values and not values[name]:
            values[name] = None
    if calendar is None:
        calendar = Calendar(**values)
        session.add(calendar)
    else:
        assign_changed(calendar, values)
    await session.flush()
    return calendar


async def delete_calendar(session: AsyncSession, calendar: Calendar) -> None:
    """The calendar with its events, categories and locations, each reported as deleted."""
    for event in await session.scalars(select(Event).where(Event.calendar_id == calendar.id)):
        await session.delete(event)
    await session.flush()
    for category in await session.scalars(
        select(EventCategory).where(EventCategory.calendar_id == calendar.id)
    ):
        await delete_category(session, category)
    for location in await session.scalars(
        select(EventLocation).where(EventLocation.calendar_id == calendar.id)
    ):
        await delete_location(session, location)
    await session.delete(calendar)
    await session.flush()


# --- categories and locations --------------------------------------------------------------


async def get_category(session: AsyncSession, category_id: int) -> EventCategory:
    return await get_visible_or_404(
        session,
        EventCategory,
        EventCategory.id == category_id,
        f"No event category with id {category_id}.",
        options=[joinedload(EventCategory.calendar)],
    )


async def list_categories(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    calendar: str | None = None,
    slug: str | None = None,
) -> tuple[list[EventCategory], ListMeta]:
    stmt = (
        select(EventCategory)
        .options(joinedload(EventCategory.calendar))
        .order_by(EventCategory.name, EventCategory.id)
    )
    if calendar is not None:
        stmt = stmt.where(EventCategory.calendar.has(Calendar.slug == calendar))
    if slug is not None:
        stmt = stmt.where(EventCategory.slug == slug)
    return await paginate(session, stmt, limit, offset)


async def save_category(
    session: AsyncSession, data: Mapping[str, Any], category: EventCategory | None = None
) -> EventCategory:
    values = dict(data)
    errors: Errors = {}
    if "calendar" in values:
        values["calendar"] = await _calendar(session, values["calendar"], errors)
    if category is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:200]
        if not values["slug"]:
            errors["slug"] = ["Enter a slug: the name has no letters or digits to make one from."]
    if values.get("slug"):
        await ensure_unique(
            session,
            EventCategory,
            "slug",
            values["slug"],
            "Event category with this slug already exists.",
            exclude=category,
            errors=errors,
        )
    if errors:
        raise ValidationFailed(errors)
    if category is None:
        category = EventCategory(**values)
        session.add(category)
    else:
        assign_changed(category, values)
    await session.flush()
    return category


async def delete_category(session: AsyncSession, category: EventCategory) -> None:
    linked = await session.scalars(
        select(event_category_links.c.event_id).where(event_category_links.c.category_id == category.id)
    )
    await touch_events(session, list(linked))
    await session.delete(category)
    await session.flush()


async def get_location(session: AsyncSession, location_id: int) -> EventLocation:
    return await get_visible_or_404(
        session,
        EventLocation,
        EventLocation.id == location_id,
        f"No event location with id {location_id}.",
        options=[joinedload(EventLocation.calendar)],
    )


async def list_locations(
    session: AsyncSession, *, limit: int, offset: int, calendar: str | None = None
) -> tuple[list[EventLocation], ListMeta]:
    stmt = (
        select(EventLocation)
        .options(joinedload(EventLocation.calendar))
        .order_by(EventLocation.name, EventLocation.id)
    )
    if calendar is not None:
        stmt = stmt.where(EventLocation.calendar.has(Calendar.slug == calendar))
    return await paginate(session, stmt, limit, offset)


async def save_location(
    session: AsyncSession, data: Mapping[str, Any], location: EventLocation | None = None
) -> EventLocation:
    values = dict(data)
    errors: Errors = {}
    if "calendar" in values:
        values["calendar"] = await _calendar(session, values["calendar"], errors)
    if "url" in values and (msgs := url_errors(values["url"])):
        errors["url"] = msgs
    if errors:
        raise ValidationFailed(errors)
    if "url" in values and not values["url"]:
        values["url"] = None
    if location is None:
        location = EventLocation(**values)
        session.add(location)
    else:
        assign_changed(location, values)
    await session.flush()
    return location


async def delete_location(session: AsyncSession, location: EventLocation) -> None:
    """Events at the venue keep existing without one (python.org deleted them with it)."""
    for event in await session.scalars(select(Event).where(Event.venue_id == location.id)):
        event.venue_id = None
    await session.flush()
    await session.delete(location)
    await session.flush()


# --- events --------------------------------------------------------------------------------

EVENT_DEFAULTS: dict[str, Any] = {
    "uid": None,
    "description": "",
    "description_markup_type": "restructuredtext",
    "featured": False,
    "is_published": True,
}


async def load_event(session: AsyncSession, event_id: int) -> Event | None:
    """An event with everything its read shape needs."""
    return await session.scalar(select(Event).where(Event.id == event_id).options(*EVENT_LOAD))


def can_see_drafts(principal: Principal | None) -> bool:
    """Staff, or whoever may add or change events, see draft (unpublished) events."""
    return (
        principal is not None
        and principal.is_active
        and (principal.is_staff or principal.has_any(ADD_EVENT, CHANGE_EVENT))
    )


async def get_event(
    session: AsyncSession, event_id: int, calendar: str | None = None, *, drafts: bool = True
) -> Event:
    """An event (with everything its read shape needs); 404 when there is none, when it is a
    draft and ``drafts`` is false, or when ``calendar`` is given and the event is in another one."""
    event = visible_or_404(
        await load_event(session, event_id),
        f"No event with id {event_id}.",
        None if drafts else lambda e: e.is_published,
    )
    if calendar is not None and event.calendar.slug != calendar:
        raise NotFoundException(f"No event with id {event_id} in calendar {calendar!r}.")
    return event


async def list_submissions(
    session: AsyncSession, *, limit: int, offset: int, status: str | None = None
) -> tuple[list[EventSubmission], ListMeta]:
    """Event suggestions, newest first; only those with ``status`` when given."""
    stmt = select(EventSubmission).order_by(EventSubmission.created.desc(), EventSubmission.id.desc())
    if status is not None:
        stmt = stmt.where(EventSubmission.status == status)
    return await paginate(session, stmt, limit, offset)


EVENT_LOAD = (
    joinedload(Event.calendar),
    joinedload(Event.venue),
    selectinload(Event.categories),
    selectinload(Event.occurring_rule),
    selectinload(Event.recurring_rules),
)


def occurring_errors(rule: Mapping[str, Any]) -> list[str]:
    out = []
    for name in ("dt_start", "dt_end"):
        if instant_errors(rule[name]):
            out.append(f"{name} must be between 1900-01-01 and 2999-12-31 (UTC).")
    if not out and as_utc(rule["dt_end"]) < as_utc(rule["dt_start"]):
        out.append("dt_end must not be before dt_start.")
    return out


def recurring_values(rule: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A rule's stored values (``duration`` parsed into ``duration_internal``) and problems."""
    out: list[str] = []
    for name in ("begin", "finish"):
        if instant_errors(rule[name]):
            out.append(f"{name} must be between 1900-01-01 and 2999-12-31 (UTC).")
    if not out and as_utc(rule["finish"]) < as_utc(rule["begin"]):
        out.append("finish must not be before begin.")
    duration = str(rule.get("duration", "15 min"))
    internal = timedelta(0)
    try:
        internal = parse_duration(duration)
    except TypeError:
        out.append(f"duration {duration!r} is not a valid time interval (e.g. '2 hours', '1 day').")
    else:
        if not timedelta(0) <= internal <= MAX_DURATION:
            out.append("duration must be between 0 and 366 days.")
    values = {
        "begin": as_utc(rule["begin"]) if not out else rule["begin"],
        "finish": as_utc(rule["finish"]) if not out else rule["finish"],
        "duration": duration.strip(),
        "duration_internal": internal,
        "interval": int(rule.get("interval", 1)),
        "frequency": int(rule.get("frequency", 2)),
        "all_day": bool(rule.get("all_day", False)),
    }
    return values, out


async def save_event(session: AsyncSession, data: Mapping[str, Any], event: Event | None = None) -> Event:
    """Create or change an event with its rules as one document. ``event`` must come from
    ``load_event``. Anything that changes (columns, categories, rules) reports the event."""
    values = dict(data)
    errors: Errors = {}
    calendar: Calendar | None = event.calendar if event is not None else None
    if "calendar" in values:
        slug = values.pop("calendar")
        calendar = await calendar_by_slug(session, slug)
        if calendar is None:
            errors["calendar"] = [f"No calendar with slug {slug!r}."]
    calendar_id = calendar.id if calendar is not None else None

    venue: EventLocation | None = event.venue if event is not None else None
    if "venue_id" in values:
        venue = None
        if values["venue_id"] is not None:
            venue = await session.get(EventLocation, values["venue_id"])
            if venue is None:
                errors["venue_id"] = [f"No location with id {values['venue_id']}."]
    if venue is not None and calendar_id is not None and venue.calendar_id not in (None, calendar_id):
        errors["venue_id"] = ["The location belongs to another calendar."]

    categories: list[EventCategory] = list(event.categories) if event is not None else []
    if "categories" in values:
        slugs = list(dict.fromkeys(values.pop("categories")))
        found = {
            c.slug: c
            for c in await session.scalars(select(EventCategory).where(EventCategory.slug.in_(slugs)))
        }
        if missing := [s for s in slugs if s not in found]:
            errors["categories"] = [f"No category with slug {', '.join(map(repr, missing))}."]
        categories = [found[s] for s in slugs if s in found]
    if calendar_id is not None and any(c.calendar_id not in (None, calendar_id) for c in categories):
        errors.setdefault("categories", []).append("A category belongs to another calendar.")

    uid = values.get("uid", event.uid if event is not None else None)
    if uid is not None and calendar_id is not None:
        await ensure_unique(
            session,
            Event,
            "uid",
            uid,
            "Event with this calendar and uid already exists.",
            exclude=event,
            scope=[Event.calendar_id == calendar_id],
            errors=errors,
        )

    occurring = _fields(values.pop("occurring_rule", ...))
    if occurring not in (None, ...) and (msgs := occurring_errors(occurring)):
        errors["occurring_rule"] = msgs

    recurring = values.pop("recurring_rules", None)
    if recurring is not None:
        recurring = [_fields(rule) for rule in recurring]
    rule_values: list[tuple[int | None, dict[str, Any]]] = []
    if recurring is not None:
        known = {r.id for r in event.recurring_rules} if event is not None else set()
        for index, rule in enumerate(recurring):
            stored, msgs = recurring_values(rule)
            if rule.get("id") is not None and rule["id"] not in known:
                msgs.append(f"id {rule['id']} is not one of this event's recurring rules.")
            if msgs:
                errors[f"recurring_rules[{index}]"] = msgs
            rule_values.append((rule.get("id"), stored))
        ids = [i for i, _ in rule_values if i is not None]
        if len(ids) != len(set(ids)):
            errors["recurring_rules"] = ["A rule id appears more than once."]
    if event is None and calendar is None and "calendar" not in errors:
        errors["calendar"] = ["This field is required."]
    if errors:
        raise ValidationFailed(errors)
    assert calendar is not None

    values.pop("venue_id", None)
    columns = {**(EVENT_DEFAULTS if event is None else {}), **values}
    columns["calendar_id"] = calendar.id
    columns["venue_id"] = venue.id if venue is not None else None
    markup = columns.get("description_markup_type", event.description_markup_type if event else "")
    text = columns.get("description", event.description if event else "")
    columns["description_html"] = render_description(text, markup)

    if event is None:
        event = Event(**columns)
        event.calendar = calendar
        event.venue = venue
        event.categories = categories
        if occurring not in (None, ...):
            event.occurring_rule = OccurringRule(**_occurring_columns(occurring))
        event.recurring_rules = [RecurringRule(**stored) for _, stored in rule_values]
        session.add(event)
        await session.flush()
        return event

    changed = assign_changed(event, columns)
    if event.calendar is not calendar:
        event.calendar = calendar
    if event.venue is not venue:
        event.venue = venue
    if {c.id for c in event.categories} != {c.id for c in categories}:
        event.categories = categories
        changed = True
    if occurring is not ...:
        changed |= _replace_occurring(event, occurring)
    if recurring is not None:
        changed |= _replace_recurring(event, rule_values)
    if changed:
        event.updated = utcnow()  # rules and links have no feed entry of their own
    await session.flush()
    return event


def _fields(value: Any) -> Any:
    """A nested request struct as a mapping (``given_fields`` converts only the top level)."""
    return msgspec.structs.asdict(value) if isinstance(value, msgspec.Struct) else value


def _occurring_columns(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "dt_start": as_utc(rule["dt_start"]),
        "dt_end": as_utc(rule["dt_end"]),
        "all_day": bool(rule.get("all_day", False)),
    }


def _replace_occurring(event: Event, rule: Mapping[str, Any] | None) -> bool:
    current = event.occurring_rule
    if rule is None:
        if current is None:
            return False
        event.occurring_rule = None
        return True
    if current is None:
        event.occurring_rule = OccurringRule(**_occurring_columns(rule))
        return True
    return assign_changed(current, _occurring_columns(rule))


def _replace_recurring(event: Event, rules: Sequence[tuple[int | None, dict[str, Any]]]) -> bool:
    existing = {r.id: r for r in event.recurring_rules}
    kept: list[RecurringRule] = []
    changed = False
    for rule_id, stored in rules:
        if rule_id is not None:
            rule = existing[rule_id]
            changed |= assign_changed(rule, stored)
        else:
            rule = RecurringRule(**stored)
            changed = True
        kept.append(rule)
    if {r.id for r in kept if r.id is not None} != set(existing):
        changed = True
    if changed:
        event.recurring_rules = kept
    return changed


async def delete_event(session: AsyncSession, event: Event) -> None:
    await session.delete(event)
    await session.flush()
