"""``/api/v3/events/``: calendars, categories, locations, events (with their rules) and event
suggestions. Everything python.org shows publicly is public to read; writes need the named
``events.*`` permissions; suggestions need an account, and only staff read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import (
    login_required,
    permission_required,
    register,
    require_principal,
    staff_required,
)
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.schemas import given_fields
from pydotorg.domains.events import queries, schemas
from pydotorg.domains.events import services as svc
from pydotorg.domains.events.models import Calendar, Event, EventCategory, EventLocation, EventSubmission
from pydotorg.domains.events.schedule import as_utc, in_range
from pydotorg.domains.events.submissions import Submitter, clean_submission, submit_event
from pydotorg.domains.users.models import User

ADD_CALENDAR = register("events.add_calendar", "Can add calendars")
CHANGE_CALENDAR = register("events.change_calendar", "Can change calendars")
DELETE_CALENDAR = register("events.delete_calendar", "Can delete calendars (with their events)")
ADD_CATEGORY = register("events.add_eventcategory", "Can add event categories")
CHANGE_CATEGORY = register("events.change_eventcategory", "Can change event categories")
DELETE_CATEGORY = register("events.delete_eventcategory", "Can delete event categories")
ADD_LOCATION = register("events.add_eventlocation", "Can add event locations")
CHANGE_LOCATION = register("events.change_eventlocation", "Can change event locations")
DELETE_LOCATION = register("events.delete_eventlocation", "Can delete event locations")
ADD_EVENT = register("events.add_event", "Can add events (with their rules)")
CHANGE_EVENT = register("events.change_event", "Can change events (with their rules)")
DELETE_EVENT = register("events.delete_event", "Can delete events")
VIEW_SUBMISSION = register("events.view_submission", "Can read event suggestions")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugQuery = Annotated[str | None, Parameter(max_length=200)]
Instant = Annotated[datetime | None, Parameter(description="ISO 8601; without an offset it is UTC")]


def _instant(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not in_range(value):
        raise ValidationFailed({name: ["Must be between 1900-01-01 and 2999-12-31 (UTC)."]})
    return as_utc(value)


def _staff_or_submission_reader(connection: Any, handler: Any) -> None:
    try:
        staff_required(connection, handler)
    except Exception:
        permission_required(VIEW_SUBMISSION)(connection, handler)


# --- calendars -----------------------------------------------------------------------------


async def _calendar(tx: AsyncSession, calendar_id: int) -> Calendar:
    calendar = await tx.get(Calendar, calendar_id)
    if calendar is None:
        raise NotFoundException(f"No calendar with id {calendar_id}.")
    return calendar


class CalendarsController(Controller):
    path = "/api/v3/events/calendars"
    tags = ["events"]

    @get("/", operation_id="events_calendars_list", summary="Calendars (python.org's /events/calendars/)")
    async def list_calendars(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        slug: SlugQuery = None,
    ) -> schemas.CalendarList:
        stmt = select(Calendar).order_by(Calendar.name, Calendar.id)
        if slug is not None:
            stmt = stmt.where(Calendar.slug == slug)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.CalendarList(data=[queries.calendar_read(c) for c in rows], meta=meta)

    @get("/{calendar_id:int}", operation_id="events_calendars_read", summary="One calendar")
    async def read_calendar(self, tx: AsyncSession, calendar_id: PK) -> schemas.CalendarRead:
        return queries.calendar_read(await _calendar(tx, calendar_id))

    @post(
        "/",
        operation_id="events_calendars_create",
        summary="Add a calendar",
        guards=[permission_required(ADD_CALENDAR)],
    )
    async def create_calendar(self, tx: AsyncSession, data: schemas.CalendarCreate) -> schemas.CalendarRead:
        return queries.calendar_read(await svc.save_calendar(tx, given_fields(data)))

    @patch(
        "/{calendar_id:int}",
        operation_id="events_calendars_update",
        summary="Change a calendar",
        guards=[permission_required(CHANGE_CALENDAR)],
    )
    async def update_calendar(
        self, tx: AsyncSession, calendar_id: PK, data: schemas.CalendarUpdate
    ) -> schemas.CalendarRead:
        calendar = await _calendar(tx, calendar_id)
        return queries.calendar_read(await svc.save_calendar(tx, given_fields(data), calendar))

    @delete(
        "/{calendar_id:int}",
        operation_id="events_calendars_delete",
        summary="Delete a calendar with its events, categories and locations",
        guards=[permission_required(DELETE_CALENDAR)],
    )
    async def delete_calendar(self, tx: AsyncSession, calendar_id: PK) -> None:
        await svc.delete_calendar(tx, await _calendar(tx, calendar_id))


# --- categories ----------------------------------------------------------------------------


async def _category(tx: AsyncSession, category_id: int) -> EventCategory:
    category = await tx.scalar(
        select(EventCategory)
        .where(EventCategory.id == category_id)
        .options(joinedload(EventCategory.calendar))
    )
    if category is None:
        raise NotFoundException(f"No event category with id {category_id}.")
    return category


class CategoriesController(Controller):
    path = "/api/v3/events/categories"
    tags = ["events"]

    @get("/", operation_id="events_categories_list", summary="Event categories by name")
    async def list_categories(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        calendar: SlugQuery = None,
        slug: SlugQuery = None,
    ) -> schemas.CategoryList:
        stmt = (
            select(EventCategory)
            .options(joinedload(EventCategory.calendar))
            .order_by(EventCategory.name, EventCategory.id)
        )
        if calendar is not None:
            stmt = stmt.where(EventCategory.calendar.has(Calendar.slug == calendar))
        if slug is not None:
            stmt = stmt.where(EventCategory.slug == slug)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.CategoryList(data=[queries.category_read(c) for c in rows], meta=meta)

    @get("/{category_id:int}", operation_id="events_categories_read", summary="One event category")
    async def read_category(self, tx: AsyncSession, category_id: PK) -> schemas.CategoryRead:
        return queries.category_read(await _category(tx, category_id))

    @post(
        "/",
        operation_id="events_categories_create",
        summary="Add an event category",
        guards=[permission_required(ADD_CATEGORY)],
    )
    async def create_category(self, tx: AsyncSession, data: schemas.CategoryCreate) -> schemas.CategoryRead:
        return queries.category_read(await svc.save_category(tx, given_fields(data)))

    @patch(
        "/{category_id:int}",
        operation_id="events_categories_update",
        summary="Change an event category",
        guards=[permission_required(CHANGE_CATEGORY)],
    )
    async def update_category(
        self, tx: AsyncSession, category_id: PK, data: schemas.CategoryUpdate
    ) -> schemas.CategoryRead:
        category = await _category(tx, category_id)
        return queries.category_read(await svc.save_category(tx, given_fields(data), category))

    @delete(
        "/{category_id:int}",
        operation_id="events_categories_delete",
        summary="Delete an event category (events lose it)",
        guards=[permission_required(DELETE_CATEGORY)],
    )
    async def delete_category(self, tx: AsyncSession, category_id: PK) -> None:
        await svc.delete_category(tx, await _category(tx, category_id))


# --- locations -----------------------------------------------------------------------------


async def _location(tx: AsyncSession, location_id: int) -> EventLocation:
    location = await tx.scalar(
        select(EventLocation)
        .where(EventLocation.id == location_id)
        .options(joinedload(EventLocation.calendar))
    )
    if location is None:
        raise NotFoundException(f"No event location with id {location_id}.")
    return location


class LocationsController(Controller):
    path = "/api/v3/events/locations"
    tags = ["events"]

    @get("/", operation_id="events_locations_list", summary="Event locations (venues) by name")
    async def list_locations(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        calendar: SlugQuery = None,
    ) -> schemas.LocationList:
        stmt = (
            select(EventLocation)
            .options(joinedload(EventLocation.calendar))
            .order_by(EventLocation.name, EventLocation.id)
        )
        if calendar is not None:
            stmt = stmt.where(EventLocation.calendar.has(Calendar.slug == calendar))
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.LocationList(data=[queries.location_read(loc) for loc in rows], meta=meta)

    @get("/{location_id:int}", operation_id="events_locations_read", summary="One event location")
    async def read_location(self, tx: AsyncSession, location_id: PK) -> schemas.LocationRead:
        return queries.location_read(await _location(tx, location_id))

    @post(
        "/",
        operation_id="events_locations_create",
        summary="Add an event location",
        guards=[permission_required(ADD_LOCATION)],
    )
    async def create_location(self, tx: AsyncSession, data: schemas.LocationCreate) -> schemas.LocationRead:
        return queries.location_read(await svc.save_location(tx, given_fields(data)))

    @patch(
        "/{location_id:int}",
        operation_id="events_locations_update",
        summary="Change an event location",
        guards=[permission_required(CHANGE_LOCATION)],
    )
    async def update_location(
        self, tx: AsyncSession, location_id: PK, data: schemas.LocationUpdate
    ) -> schemas.LocationRead:
        location = await _location(tx, location_id)
        return queries.location_read(await svc.save_location(tx, given_fields(data), location))

    @delete(
        "/{location_id:int}",
        operation_id="events_locations_delete",
        summary="Delete an event location (its events stay, without a venue)",
        guards=[permission_required(DELETE_LOCATION)],
    )
    async def delete_location(self, tx: AsyncSession, location_id: PK) -> None:
        await svc.delete_location(tx, await _location(tx, location_id))


# --- events --------------------------------------------------------------------------------


async def _event(tx: AsyncSession, event_id: int) -> Event:
    event = await svc.load_event(tx, event_id)
    if event is None:
        raise NotFoundException(f"No event with id {event_id}.")
    return event


class EventsController(Controller):
    path = "/api/v3/events"
    tags = ["events"]

    @get(
        "/",
        operation_id="events_list",
        summary="Events, filtered; each with its next and previous occurrence",
    )
    async def list_events(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        calendar: Annotated[SlugQuery, Parameter(description="calendar slug")] = None,
        category: Annotated[SlugQuery, Parameter(description="category slug")] = None,
        location: Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="venue id")] = None,
        featured: bool | None = None,
        upcoming: Annotated[
            bool | None,
            Parameter(description="true: an occurrence starts after `at` (python.org's for_datetime)"),
        ] = None,
        past: Annotated[
            bool | None,
            Parameter(description="true: an occurrence ended before `at` (python.org's until_datetime)"),
        ] = None,
        starts_after: Instant = None,
        starts_before: Instant = None,
        at: Annotated[
            datetime | None, Parameter(description="the instant for upcoming/past and occurrences")
        ] = None,
        uid: Annotated[str | None, Parameter(max_length=200)] = None,
        q: Annotated[str | None, Parameter(max_length=200, description="words in the title")] = None,
        order: Annotated[
            queries.Order, Parameter(description="start (oldest first), -start (python.org's order), id")
        ] = "-start",
    ) -> schemas.EventList:
        now = _instant("at", at) or utcnow()
        filters = queries.EventFilter(
            calendar=calendar,
            category=category,
            location=location,
            featured=featured,
            upcoming=upcoming,
            past=past,
            starts_after=_instant("starts_after", starts_after),
            starts_before=_instant("starts_before", starts_before),
            uid=uid,
            q=q,
            order=order,
        )
        rows, meta = await paginate(tx, queries.event_list_stmt(filters, now), limit, offset)
        return schemas.EventList(data=[queries.event_read(e, now) for e in rows], meta=meta)

    @get("/{event_id:int}", operation_id="events_read", summary="One event")
    async def read_event(
        self,
        tx: AsyncSession,
        event_id: PK,
        calendar: Annotated[
            SlugQuery, Parameter(description="404 unless the event belongs to this calendar")
        ] = None,
        at: Annotated[datetime | None, Parameter(description="the instant for the occurrences")] = None,
    ) -> schemas.EventRead:
        now = _instant("at", at) or utcnow()
        event = await _event(tx, event_id)
        if calendar is not None and event.calendar.slug != calendar:
            raise NotFoundException(f"No event with id {event_id} in calendar {calendar!r}.")
        return queries.event_read(event, now)

    @post(
        "/",
        operation_id="events_create",
        summary="Add an event with its occurring and recurring rules",
        guards=[permission_required(ADD_EVENT)],
    )
    async def create_event(self, tx: AsyncSession, data: schemas.EventCreate) -> schemas.EventRead:
        event = await svc.save_event(tx, given_fields(data))
        return queries.event_read(await _event(tx, event.id), utcnow())

    @patch(
        "/{event_id:int}",
        operation_id="events_update",
        summary="Change an event; rules given replace the event's rules",
        guards=[permission_required(CHANGE_EVENT)],
    )
    async def update_event(
        self, tx: AsyncSession, event_id: PK, data: schemas.EventUpdate
    ) -> schemas.EventRead:
        event = await svc.save_event(tx, given_fields(data), await _event(tx, event_id))
        return queries.event_read(event, utcnow())

    @delete(
        "/{event_id:int}",
        operation_id="events_delete",
        summary="Delete an event",
        guards=[permission_required(DELETE_EVENT)],
    )
    async def delete_event(self, tx: AsyncSession, event_id: PK) -> None:
        await svc.delete_event(tx, await _event(tx, event_id))


# --- suggestions ---------------------------------------------------------------------------


def submission_read(s: EventSubmission) -> schemas.EventSubmissionRead:
    return schemas.EventSubmissionRead(
        id=s.id,
        created=s.created,
        creator_id=s.creator_id,
        submitter_email=s.submitter_email,
        event_name=s.event_name,
        event_type=s.event_type,
        python_focus=s.python_focus,
        expected_attendees=s.expected_attendees,
        location=s.location,
        date_from=s.date_from,
        date_to=s.date_to,
        recurrence=s.recurrence,
        link=s.link,
        description=s.description,
    )


class SubmissionsController(Controller):
    path = "/api/v3/events/submissions"
    tags = ["events"]

    @post(
        "/",
        operation_id="events_submissions_create",
        summary="Suggest an event (mailed to the events team)",
        guards=[login_required],
    )
    async def submit(
        self, request: Request[Any, Any, Any], tx: AsyncSession, data: schemas.EventSubmissionCreate
    ) -> schemas.EventSubmissionRead:
        state = request.app.state
        values = clean_submission(given_fields(data))
        # Counted once the suggestion is valid: a typo must not use up the budget.
        limiter: RateLimiter = state.rate_limiter
        await limiter.check(request, "event_submission", state.settings.rate_limit_event_submission)
        principal = require_principal(request)
        user = await tx.get(User, principal.user_id)
        submitter = Submitter(
            user_id=principal.user_id, username=principal.username, email=user.email if user else ""
        )
        submission = await submit_event(
            tx,
            values,
            submitter,
            settings=state.settings,
            mailer=state.mailer,
            queue=state.queue,
        )
        return submission_read(submission)

    @get(
        "/",
        operation_id="events_submissions_list",
        summary="Event suggestions, newest first (staff or events.view_submission)",
        guards=[_staff_or_submission_reader],
    )
    async def list_submissions(
        self, tx: AsyncSession, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.EventSubmissionList:
        stmt = select(EventSubmission).order_by(EventSubmission.created.desc(), EventSubmission.id.desc())
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.EventSubmissionList(data=[submission_read(s) for s in rows], meta=meta)


ROUTE_HANDLERS = [
    CalendarsController,
    CategoriesController,
    LocationsController,
    SubmissionsController,
    EventsController,
]
