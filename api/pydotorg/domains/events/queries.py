"""Reading events: python.org's upcoming/past querysets as SQL, list filters, a stable order,
and the read shapes with each event's next and previous occurrence.

``upcoming`` is python.org's ``Event.objects.for_datetime``: an occurring rule that starts after
the instant, or a recurring rule that finishes after it. ``past`` is ``until_datetime``: an
occurring rule that ended before it, or a recurring rule that began before it. Both are written
as ``EXISTS`` subqueries, so an event with several rules is listed once (python.org's OR-join
repeated it, appendix B.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select

from pydotorg.domains.events import schemas
from pydotorg.domains.events.models import (
    Calendar,
    Event,
    EventCategory,
    EventLocation,
    OccurringRule,
    RecurringRule,
    event_category_links,
)
from pydotorg.domains.events.schedule import Occurrence, as_utc, next_occurrence, previous_occurrence
from pydotorg.domains.events.services import EVENT_LOAD

Order = Literal["start", "-start", "id"]


def upcoming(at: datetime) -> ColumnElement[bool]:
    return occurs_between(after=at)


def past(at: datetime) -> ColumnElement[bool]:
    occurring = exists().where(OccurringRule.event_id == Event.id, OccurringRule.dt_end < at)
    recurring = exists().where(RecurringRule.event_id == Event.id, RecurringRule.begin < at)
    return or_(occurring, recurring)


def occurs_between(after: datetime | None = None, before: datetime | None = None) -> ColumnElement[bool]:
    """Events with a start in the open interval: the occurring rule's start, or a recurring
    rule whose span reaches into it (``finish`` after ``after``, ``begin`` before ``before``)."""
    occurring: list[ColumnElement[bool]] = [OccurringRule.event_id == Event.id]
    recurring: list[ColumnElement[bool]] = [RecurringRule.event_id == Event.id]
    if after is not None:
        occurring.append(OccurringRule.dt_start > after)
        recurring.append(RecurringRule.finish > after)
    if before is not None:
        occurring.append(OccurringRule.dt_start < before)
        recurring.append(RecurringRule.begin < before)
    return or_(exists().where(and_(*occurring)), exists().where(and_(*recurring)))


def start_key() -> Any:
    """What "start" sorts by: the occurring rule's start, else the first recurring begin."""
    occurring = select(OccurringRule.dt_start).where(OccurringRule.event_id == Event.id)
    recurring = select(func.min(RecurringRule.begin)).where(RecurringRule.event_id == Event.id)
    return func.coalesce(occurring.scalar_subquery(), recurring.scalar_subquery())


@dataclass(frozen=True)
class EventFilter:
    calendar: str | None = None
    category: str | None = None
    location: int | None = None
    featured: bool | None = None
    upcoming: bool | None = None
    past: bool | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    uid: str | None = None
    q: str | None = None
    order: Order = "-start"
    published: bool | None = None
    drafts: bool = False  # the caller sees draft events (services.can_see_drafts)


def event_list_stmt(f: EventFilter, at: datetime) -> Select[Any]:
    stmt = select(Event).options(*EVENT_LOAD)
    if not f.drafts:
        stmt = stmt.where(Event.is_published)
    if f.published is not None:
        stmt = stmt.where(Event.is_published == f.published)
    if f.calendar is not None:
        stmt = stmt.where(
            Event.calendar_id == select(Calendar.id).where(Calendar.slug == f.calendar).scalar_subquery()
        )
    if f.category is not None:
        stmt = stmt.where(
            exists().where(
                event_category_links.c.event_id == Event.id,
                event_category_links.c.category_id == EventCategory.id,
                EventCategory.slug == f.category,
            )
        )
    if f.location is not None:
        stmt = stmt.where(Event.venue_id == f.location)
    if f.featured is not None:
        stmt = stmt.where(Event.featured == f.featured)
    if f.upcoming is not None:
        stmt = stmt.where(upcoming(at) if f.upcoming else not_(upcoming(at)))
    if f.past is not None:
        stmt = stmt.where(past(at) if f.past else not_(past(at)))
    if f.starts_after is not None or f.starts_before is not None:
        stmt = stmt.where(occurs_between(f.starts_after, f.starts_before))
    if f.uid is not None:
        stmt = stmt.where(Event.uid == f.uid)
    if f.q:
        stmt = stmt.where(Event.title.icontains(f.q, autoescape=True))
    if f.order == "id":
        return stmt.order_by(Event.id)
    key = start_key()
    if f.order == "start":
        return stmt.order_by(key.asc().nulls_last(), Event.id)
    return stmt.order_by(key.desc().nulls_last(), Event.id.desc())


# --- read shapes ---------------------------------------------------------------------------


def calendar_page(slug: str) -> str:
    return f"/events/{slug}/"


def event_url(event: Event) -> str:
    return f"/events/{event.calendar.slug}/{event.id}/"


def occurrence_read(o: Occurrence | None) -> schemas.OccurrenceRead | None:
    if o is None:
        return None
    return schemas.OccurrenceRead(
        dt_start=o.dt_start, dt_end=o.dt_end, all_day=o.all_day, single_day=o.single_day
    )


def event_read(e: Event, at: datetime) -> schemas.EventRead:
    rule = e.occurring_rule
    occurring = Occurrence(as_utc(rule.dt_start), as_utc(rule.dt_end), rule.all_day) if rule else None
    return schemas.EventRead(
        id=e.id,
        uid=e.uid,
        title=e.title,
        calendar_id=e.calendar_id,
        calendar=e.calendar.slug,
        url=event_url(e),
        description=e.description,
        description_markup_type=e.description_markup_type,
        description_html=e.description_html,
        featured=e.featured,
        is_published=e.is_published,
        venue=(
            schemas.VenueRef(id=e.venue.id, name=e.venue.name, address=e.venue.address, url=e.venue.url)
            if e.venue is not None
            else None
        ),
        categories=[schemas.CategoryRef(id=c.id, slug=c.slug, name=c.name) for c in e.categories],
        occurring_rule=occurrence_read(occurring),
        recurring_rules=[
            schemas.RecurringRuleRead(
                id=r.id,
                begin=r.begin,
                finish=r.finish,
                duration=r.duration,
                duration_seconds=r.duration_internal.total_seconds(),
                interval=r.interval,
                frequency=r.frequency,
                all_day=r.all_day,
            )
            for r in e.recurring_rules
        ],
        next_occurrence=occurrence_read(next_occurrence(rule, e.recurring_rules, at)),
        previous_occurrence=occurrence_read(previous_occurrence(rule, e.recurring_rules, at)),
        created=e.created,
        updated=e.updated,
    )


def calendar_read(c: Calendar) -> schemas.CalendarRead:
    return schemas.CalendarRead(
        id=c.id,
        name=c.name,
        slug=c.slug,
        description=c.description,
        url=c.url,
        rss=c.rss,
        embed=c.embed,
        twitter=c.twitter,
        page_url=calendar_page(c.slug),
        created=c.created,
        updated=c.updated,
    )


def category_read(c: EventCategory) -> schemas.CategoryRead:
    calendar_slug = c.calendar.slug if c.calendar is not None else None
    return schemas.CategoryRead(
        id=c.id,
        name=c.name,
        slug=c.slug,
        calendar_id=c.calendar_id,
        calendar=calendar_slug,
        page_url=f"/events/{calendar_slug}/categories/{c.slug}/" if calendar_slug else None,
    )


def location_read(loc: EventLocation) -> schemas.LocationRead:
    calendar_slug = loc.calendar.slug if loc.calendar is not None else None
    return schemas.LocationRead(
        id=loc.id,
        name=loc.name,
        address=loc.address,
        url=loc.url,
        calendar_id=loc.calendar_id,
        calendar=calendar_slug,
        page_url=f"/events/{calendar_slug}/locations/{loc.id}/" if calendar_slug else None,
    )
