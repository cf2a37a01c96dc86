"""Events and calendars in search (python.org's ``EventIndex`` and ``CalendarIndex``).

Every published event has a page, so every published event is indexed: title, calendar, venue and description;
boosted 0.9 once past, 1.2 when featured, 1.1 otherwise (python.org's order: a past featured
event is past); among events alike the next one comes first. Calendars carry python.org's boost
of 4. The date shown is the event's start."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, html_text
from pydotorg.domains.events.models import Calendar, Event, EventLocation
from pydotorg.domains.events.queries import start_key, upcoming


def event_boost(*, is_upcoming: bool, featured: bool) -> float:
    """python.org's: past events 0.9; upcoming ones 1.2 when featured, else 1.1."""
    if not is_upcoming:
        return 0.9
    return 1.2 if featured else 1.1


# Ties between events go to the next one: upcoming events order from the soonest (their order is
# above every past event's), past ones from the most recent.
UPCOMING = 4_000_000_000.0


def event_order(start: datetime | None, *, is_upcoming: bool) -> float:
    if start is None:
        return 0.0
    return UPCOMING - start.timestamp() if is_upcoming else start.timestamp()


async def load_events(
    session: AsyncSession, ids: Collection[int] | None, now: datetime
) -> list[SearchDocument]:
    stmt = (
        select(
            Event.id,
            Event.title,
            Event.description_html,
            Event.featured,
            Calendar.slug.label("calendar_slug"),
            Calendar.name.label("calendar_name"),
            EventLocation.name.label("venue"),
            EventLocation.address.label("address"),
            start_key().label("start"),
            upcoming(now).label("upcoming"),
        )
        .join(Calendar, Calendar.id == Event.calendar_id)
        .outerjoin(EventLocation, EventLocation.id == Event.venue_id)
    )
    stmt = stmt.where(Event.is_published)  # a draft event has no page yet
    if ids is not None:
        stmt = stmt.where(Event.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("event", e.id),
            type="event",
            title=clean(e.title),
            url=f"/events/{e.calendar_slug}/{e.id}/",
            keywords=clean(f"{e.venue or ''} {e.address or ''} {e.calendar_name}"),
            text=html_text(e.description_html),
            boost=event_boost(is_upcoming=bool(e.upcoming), featured=e.featured),
            order=event_order(e.start, is_upcoming=bool(e.upcoming)),
            date=e.start,
            detail=clean(e.venue),
        )
        for e in await session.execute(stmt)
    ]


async def load_calendars(
    session: AsyncSession, ids: Collection[int] | None, now: datetime
) -> list[SearchDocument]:
    stmt = select(Calendar.id, Calendar.name, Calendar.slug, Calendar.description)
    if ids is not None:
        stmt = stmt.where(Calendar.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("calendar", c.id),
            type="calendar",
            title=clean(c.name),
            url=f"/events/{c.slug}/",
            keywords=f"calendar events /events/{c.slug}/",
            text=clean(c.description),
            boost=4.0,
        )
        for c in await session.execute(stmt)
    ]


SOURCES = (
    SearchSource(
        type="event",
        label="Events",
        watches={("events", "event"): "self", ("events", "calendar"): "all", ("events", "location"): "all"},
        load=load_events,
        time_dependent=True,
        order=30,
    ),
    SearchSource(
        type="calendar",
        label="Calendars",
        watches={("events", "calendar"): "self"},
        load=load_calendars,
        order=20,
    ),
)
