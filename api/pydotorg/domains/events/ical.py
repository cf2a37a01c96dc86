"""Import calendars' iCal feeds (python.org's ``import_ics_calendars`` / ``ICSImporter``).

For every calendar with a ``url``: fetch it with httpx (timeout, size cap, conditional GET with
the ETag / Last-Modified seen last time), parse it with ``icalendar`` and upsert each VEVENT by
its ``UID`` within the calendar: title from ``SUMMARY``, description from ``DESCRIPTION`` as
sanitized HTML, venue found or created by the ``LOCATION`` text, and the occurring rule from
``DTSTART``/``DTEND``. All-day events (``DTSTART`` a date) store their last day: iCal's
``DTEND`` is exclusive. A VEVENT that cannot be read is logged and skipped; the others still
import. Events are never deleted. Writes happen only where something differs, so an unchanged
feed writes nothing and adds nothing to the change feed.

Deliberate differences from python.org (docs/decisions.md): the UID is unique per calendar,
not across calendars; a VEVENT without ``LOCATION`` imports without a venue (python.org skipped
it); all-day means "``DTSTART`` is a date" (python.org also marked timed events of 24 hours or
more as all-day and cut a day off their end); ``DURATION`` is honoured when ``DTEND`` is absent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import icalendar
import structlog
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import pydotorg.domains.users.models  # noqa: F401  (the users table, for the creators' foreign keys in a worker or the CLI)
from pydotorg.core.db import transaction, utcnow
from pydotorg.core.records import assign_changed
from pydotorg.domains.events.models import Calendar, CalendarFeed, Event, EventLocation, OccurringRule
from pydotorg.domains.events.schedule import as_utc, in_range
from pydotorg.domains.events.services import render_description

log = structlog.get_logger(__name__)

FETCH_TIMEOUT_SECONDS = 30.0
MAX_FEED_BYTES = 20 * 1024 * 1024
USER_AGENT = "python.org events importer (+https://www.python.org/events/)"
IMPORT_LOCK = 0x65766E74  # "evnt": with the calendar id, one import of a calendar at a time


class BrokenEvent(ValueError):
    """A VEVENT that cannot be imported; the message says why."""


@dataclass
class CalendarResult:
    calendar: str
    status: str  # "imported", "not modified", "unchanged", "failed"
    events: int = 0  # VEVENTs in the feed
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar,
            "status": self.status,
            "events": self.events,
            "created": self.created,
            "updated": self.updated,
            "skipped": list(self.skipped),
            "error": self.error,
        }


# --- fetching ------------------------------------------------------------------------------


@dataclass
class Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


async def fetch(
    client: httpx.AsyncClient, url: str, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """GET ``url``; with the validators of the last fetch it may answer 304 (``Fetched(304)``)."""
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            return Fetched(304)
        if response.status_code != 200:
            raise httpx.HTTPStatusError(
                f"{url} answered {response.status_code}", request=response.request, response=response
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_FEED_BYTES:
                raise ValueError(f"{url} is larger than {MAX_FEED_BYTES} bytes")
            chunks.append(chunk)
        return Fetched(
            200,
            b"".join(chunks),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )


# --- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedEvent:
    uid: str
    title: str
    description: str
    location: str | None
    dt_start: datetime
    dt_end: datetime
    all_day: bool


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):  # a property given twice: python.org's icalendar took the first
        value = value[0]
    return str(value)


def _instant(component: Any, name: str) -> date | datetime | None:
    prop = component.get(name)
    if prop is None:
        return None
    value = prop.dt
    if not isinstance(value, date):
        raise BrokenEvent(f"{name} is not a date or date-time")
    return value


def parse_vevent(component: Any) -> ParsedEvent:
    for name, problem in getattr(component, "errors", ()) or ():
        if name in {"UID", "SUMMARY", "DTSTART", "DTEND", "DURATION"}:
            raise BrokenEvent(f"{name}: {problem}")
    uid = (_text(component, "UID") or "").strip()
    if not uid:
        raise BrokenEvent("no UID")
    if len(uid) > 200:
        raise BrokenEvent("UID longer than 200 characters")
    title = _text(component, "SUMMARY")
    if title is None:
        raise BrokenEvent("no SUMMARY")
    start = _instant(component, "DTSTART")
    if start is None:
        raise BrokenEvent("no DTSTART")
    all_day = not isinstance(start, datetime)
    dt_start = as_utc(start)
    end = _instant(component, "DTEND")
    if end is not None:
        dt_end = as_utc(end)
    elif component.get("DURATION") is not None and isinstance(component["DURATION"].dt, timedelta):
        dt_end = dt_start + component["DURATION"].dt
    else:
        dt_end = dt_start + timedelta(days=1) if all_day else dt_start  # RFC 5545, 3.6.1
    if all_day:
        dt_end = max(dt_start, dt_end - timedelta(days=1))  # DTEND is exclusive
    if not (in_range(dt_start) and in_range(dt_end)):
        raise BrokenEvent("DTSTART or DTEND outside 1900-2999")
    if dt_end < dt_start:
        raise BrokenEvent("DTEND before DTSTART")
    location = (_text(component, "LOCATION") or "").strip()
    return ParsedEvent(
        uid=uid,
        title=title.strip()[:200] or "(no title)",
        description=_text(component, "DESCRIPTION") or "",
        location=location[:255] or None,
        dt_start=dt_start,
        dt_end=dt_end,
        all_day=all_day,
    )


def parse_feed(body: bytes) -> list[Any]:
    """The VEVENT components of a feed; a feed that is not iCalendar at all raises ValueError."""
    parsed = icalendar.Calendar.from_ical(body)
    if isinstance(parsed, list):  # several VCALENDARs in one body
        return [c for cal in parsed for c in cal.walk("VEVENT")]
    return list(parsed.walk("VEVENT"))


# --- storing -------------------------------------------------------------------------------


class CalendarImport:
    """Upserts one calendar's events inside the caller's transaction."""

    def __init__(self, session: AsyncSession, calendar: Calendar) -> None:
        self.session = session
        self.calendar = calendar
        self.venues: dict[str, int] = {}

    async def venue_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self.venues:
            found = await self.session.scalar(
                select(EventLocation.id)
                .where(EventLocation.calendar_id == self.calendar.id, EventLocation.name == name)
                .order_by(EventLocation.id)
                .limit(1)
            )
            if found is None:
                location = EventLocation(calendar_id=self.calendar.id, name=name)
                self.session.add(location)
                await self.session.flush()
                found = location.id
            self.venues[name] = found
        return self.venues[name]

    async def upsert(self, parsed: ParsedEvent) -> str:
        """Returns "created", "updated" or "unchanged"."""
        columns = {
            "title": parsed.title,
            "venue_id": await self.venue_id(parsed.location),
            "description": parsed.description,
            "description_markup_type": "html",
            "description_html": render_description(parsed.description, "html"),
        }
        rule = {"dt_start": parsed.dt_start, "dt_end": parsed.dt_end, "all_day": parsed.all_day}
        event = await self.session.scalar(
            select(Event).where(Event.calendar_id == self.calendar.id, Event.uid == parsed.uid)
        )
        if event is None:
            event = Event(calendar_id=self.calendar.id, uid=parsed.uid, featured=False, **columns)
            self.session.add(event)
            await self.session.flush()
            self.session.add(OccurringRule(event_id=event.id, **rule))
            await self.session.flush()
            return "created"
        # Read before writing: a query would autoflush a half-made change into its own feed row.
        current = await self.session.scalar(select(OccurringRule).where(OccurringRule.event_id == event.id))
        changed = assign_changed(event, columns)
        if current is None:
            self.session.add(OccurringRule(event_id=event.id, **rule))
            changed = True
        else:
            changed |= assign_changed(current, rule)
        if changed:
            event.updated = utcnow()  # the rule has no feed entry of its own
            await self.session.flush()
            return "updated"
        return "unchanged"


async def import_feed(session: AsyncSession, calendar: Calendar, body: bytes, result: CalendarResult) -> None:
    """Import a feed's VEVENTs into ``calendar`` (in the session's transaction)."""
    components = parse_feed(body)
    result.events = len(components)
    importer = CalendarImport(session, calendar)
    seen: set[str] = set()
    for component in components:
        try:
            if component.get("RECURRENCE-ID") is not None:
                raise BrokenEvent("changes one instance of a repeating event (RECURRENCE-ID)")
            parsed = parse_vevent(component)
            if parsed.uid in seen:
                raise BrokenEvent("the UID appeared earlier in the feed")
            seen.add(parsed.uid)
            async with session.begin_nested():
                outcome = await importer.upsert(parsed)
        except (BrokenEvent, KeyError, ValueError, TypeError, OverflowError, DBAPIError) as exc:
            uid = _text(component, "UID") or "?"
            result.skipped.append(f"{uid}: {exc}")
            log.warning("ical_event_skipped", calendar=calendar.slug, uid=uid, reason=str(exc))
            importer.venues.clear()  # a rolled-back savepoint may have taken a new venue with it
            continue
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1


# --- the job -------------------------------------------------------------------------------


async def import_calendar(
    sessionmaker: async_sessionmaker[AsyncSession],
    calendar_id: int,
    *,
    client: httpx.AsyncClient,
    force: bool = False,
    redis: Any = None,
    queue: Any = None,
) -> CalendarResult:
    """Fetch one calendar's feed (outside any transaction), then import it in one transaction."""
    async with sessionmaker() as session:
        calendar = await session.get(Calendar, calendar_id)
        if calendar is None or not calendar.url:
            return CalendarResult(str(calendar_id), "failed", error="calendar has no url")
        slug, url = calendar.slug, calendar.url
        feed = await session.get(CalendarFeed, calendar_id)
        known = feed is not None and feed.url == url and not force
        etag = feed.etag if known and feed is not None else None
        last_modified = feed.last_modified if known and feed is not None else None
    result = CalendarResult(slug, "imported")
    fetched: Fetched | None = None
    try:
        fetched = await fetch(client, url, etag, last_modified)
    except (httpx.HTTPError, ValueError) as exc:
        result.status, result.error = "failed", str(exc) or type(exc).__name__
        log.warning("ical_fetch_failed", calendar=slug, error=result.error)

    async with transaction(sessionmaker, redis=redis, queue=queue) as session:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k, :c)"), {"k": IMPORT_LOCK, "c": calendar_id}
        )
        calendar = await session.get(Calendar, calendar_id)
        if calendar is None:
            return CalendarResult(slug, "failed", error="the calendar was deleted meanwhile")
        feed = await session.get(CalendarFeed, calendar_id)
        if feed is None:
            feed = CalendarFeed(calendar_id=calendar_id, url=url)
            session.add(feed)
        feed.checked_at = utcnow()
        if fetched is None:
            feed.status = f"failed: {result.error}"[:500]
            return result
        if fetched.status == 304:
            result.status = feed.status = "not modified"
            return result
        digest = hashlib.sha256(fetched.body).hexdigest()
        unchanged = not force and feed.url == url and feed.content_sha256 == digest
        feed.url = url
        feed.etag = fetched.etag[:500] if fetched.etag else None
        feed.last_modified = fetched.last_modified[:100] if fetched.last_modified else None
        if unchanged:
            result.status = feed.status = "unchanged"
            return result
        try:
            await import_feed(session, calendar, fetched.body, result)
        except ValueError as exc:  # not iCalendar at all
            result.status, result.error = "failed", f"not an iCalendar feed: {exc}"
            feed.status = result.error[:500]
            feed.content_sha256 = None
            return result
        feed.content_sha256 = digest
        feed.imported_at = utcnow()
        feed.status = (
            f"imported {result.events} events ({result.created} new, {result.updated} changed, "
            f"{len(result.skipped)} skipped)"
        )
    return result


async def import_calendars(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    calendar_slug: str | None = None,
    force: bool = False,
    redis: Any = None,
    queue: Any = None,
    client_factory: Callable[[], httpx.AsyncClient] = http_client,
) -> list[CalendarResult]:
    """Every calendar with a feed URL (or the one named), one transaction each."""
    async with sessionmaker() as session:
        stmt = select(Calendar.id, Calendar.slug, Calendar.url).order_by(Calendar.id)
        if calendar_slug is not None:
            stmt = stmt.where(Calendar.slug == calendar_slug)
        rows = list((await session.execute(stmt)).all())
    if calendar_slug is not None and not rows:
        raise LookupError(f"no calendar with slug {calendar_slug!r}")
    results: list[CalendarResult] = []
    async with client_factory() as client:
        for calendar_id, slug, url in rows:
            if not url:
                if calendar_slug is not None:
                    results.append(CalendarResult(slug, "failed", error="calendar has no url"))
                continue
            results.append(
                await import_calendar(
                    sessionmaker, calendar_id, client=client, force=force, redis=redis, queue=queue
                )
            )
    for r in results:
        log.info("ical_import", **r.as_dict())
    return results
