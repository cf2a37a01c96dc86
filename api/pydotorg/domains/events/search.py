"""Events and calendars in search (python.org's ``EventIndex`` and ``CalendarIndex``).

Every event has a page, so every event is indexed: title, calendar, venue and description;
boosted 0.9 once past, 1.2 when featured, 1.1 otherwise (python.org's order: a past featured
event is past), and a little more the sooner an upcoming one starts. Calendars carry python.org's
boost of 4. The date shown is the event's start."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, html_text
from pydotorg.domains.events.models import Calendar, Event, EventLocation
from pydotorg.domains.events.queries import start_key, upcoming


def event_boost(*, is_upcoming: bool, featured: bool, start: datetime | None, now: datetime) -> float:
    """python.org's boosts, plus up to 0.1 for an upcoming event, the more the sooner it starts
    (half of it a year ahead), so that among events alike the next one comes first (the daily
    job moves it along)."""
    if not is_upcoming:
        return 0.9
    soon = 0.0
    if start is not None and start > now:
        soon = 0.1 / (1 + (start - now) / timedelta(days=365))
    return round((1.2 if featured else 1.1) + soon, 6)


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
            boost=event_boost(is_upcoming=bool(e.upcoming), featured=e.featured, start=e.start, now=now),
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
