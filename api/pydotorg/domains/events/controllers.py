"""``/api/v3/events/``: calendars, categories, locations, events (with their rules) and event
suggestions. Everything python.org shows publicly is public to read; writes need the named
``events.*`` permissions; suggestions need an account, and only staff read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import (
    login_required,
    permission_required,
    require_principal,
    staff_required,
)
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.schemas import given_fields
from pydotorg.domains.events import queries, schemas
from pydotorg.domains.events import services as svc
from pydotorg.domains.events.models import (
    ADD_CALENDAR,
    ADD_CATEGORY,
    ADD_EVENT,
    ADD_LOCATION,
    CHANGE_CALENDAR,
    CHANGE_CATEGORY,
    CHANGE_EVENT,
    CHANGE_LOCATION,
    DELETE_CALENDAR,
    DELETE_CATEGORY,
    DELETE_EVENT,
    DELETE_LOCATION,
    VIEW_SUBMISSION,
    EventSubmission,
)
from pydotorg.domains.events.schedule import as_utc, in_range
from pydotorg.domains.events.submissions import Submitter, clean_submission, submit_event
from pydotorg.domains.users.models import User

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


# --- calendars, categories, locations -------------------------------------------------------

CalendarsController = content_controller(
    "CalendarsController",
    ContentRoutes(
        path="/api/v3/events/calendars",
        tag="events",
        prefix="events_calendars",
        id_name="calendar_id",
        summaries={
            "list": "Calendars (python.org's /events/calendars/)",
            "read": "One calendar",
            "create": "Add a calendar",
            "update": "Change a calendar",
            "delete": "Delete a calendar with its events, categories and locations",
        },
        add=ADD_CALENDAR,
        change=CHANGE_CALENDAR,
        remove=DELETE_CALENDAR,
        read_schema=schemas.CalendarRead,
        create_schema=schemas.CalendarCreate,
        update_schema=schemas.CalendarUpdate,
        list_schema=schemas.CalendarList,
        to_read=queries.calendar_read,
        get=svc.get_calendar,
        find=svc.list_calendars,
        save=svc.save_calendar,
        remove_record=svc.delete_calendar,
        filters=[("slug", SlugQuery)],
        per_caller=False,
    ),
)

CategoriesController = content_controller(
    "CategoriesController",
    ContentRoutes(
        path="/api/v3/events/categories",
        tag="events",
        prefix="events_categories",
        id_name="category_id",
        summaries={
            "list": "Event categories by name",
            "read": "One event category",
            "create": "Add an event category",
            "update": "Change an event category",
            "delete": "Delete an event category (events lose it)",
        },
        add=ADD_CATEGORY,
        change=CHANGE_CATEGORY,
        remove=DELETE_CATEGORY,
        read_schema=schemas.CategoryRead,
        create_schema=schemas.CategoryCreate,
        update_schema=schemas.CategoryUpdate,
        list_schema=schemas.CategoryList,
        to_read=queries.category_read,
        get=svc.get_category,
        find=svc.list_categories,
        save=svc.save_category,
        remove_record=svc.delete_category,
        filters=[("calendar", SlugQuery), ("slug", SlugQuery)],
        per_caller=False,
    ),
)

LocationsController = content_controller(
    "LocationsController",
    ContentRoutes(
        path="/api/v3/events/locations",
        tag="events",
        prefix="events_locations",
        id_name="location_id",
        summaries={
            "list": "Event locations (venues) by name",
            "read": "One event location",
            "create": "Add an event location",
            "update": "Change an event location",
            "delete": "Delete an event location (its events stay, without a venue)",
        },
        add=ADD_LOCATION,
        change=CHANGE_LOCATION,
        remove=DELETE_LOCATION,
        read_schema=schemas.LocationRead,
        create_schema=schemas.LocationCreate,
        update_schema=schemas.LocationUpdate,
        list_schema=schemas.LocationList,
        to_read=queries.location_read,
        get=svc.get_location,
        find=svc.list_locations,
        save=svc.save_location,
        remove_record=svc.delete_location,
        filters=[("calendar", SlugQuery)],
        per_caller=False,
    ),
)


# --- events --------------------------------------------------------------------------------


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
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        calendar: Annotated[SlugQuery, Parameter(description="calendar slug")] = None,
        category: Annotated[SlugQuery, Parameter(description="category slug")] = None,
        location: Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="venue id")] = None,
        featured: FromQuery[bool | None] = None,
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
        tx: NamedDependency[AsyncSession],
        event_id: PK,
        calendar: Annotated[
            SlugQuery, Parameter(description="404 unless the event belongs to this calendar")
        ] = None,
        at: Annotated[datetime | None, Parameter(description="the instant for the occurrences")] = None,
    ) -> schemas.EventRead:
        now = _instant("at", at) or utcnow()
        return queries.event_read(await svc.get_event(tx, event_id, calendar), now)

    @post(
        "/",
        operation_id="events_create",
        summary="Add an event with its occurring and recurring rules",
        guards=[permission_required(ADD_EVENT)],
    )
    async def create_event(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.EventCreate]
    ) -> schemas.EventRead:
        event = await svc.save_event(tx, given_fields(data))
        return queries.event_read(await svc.get_event(tx, event.id), utcnow())

    @patch(
        "/{event_id:int}",
        operation_id="events_update",
        summary="Change an event; rules given replace the event's rules",
        guards=[permission_required(CHANGE_EVENT)],
    )
    async def update_event(
        self, tx: NamedDependency[AsyncSession], event_id: PK, data: JSONBody[schemas.EventUpdate]
    ) -> schemas.EventRead:
        event = await svc.save_event(tx, given_fields(data), await svc.get_event(tx, event_id))
        return queries.event_read(event, utcnow())

    @delete(
        "/{event_id:int}",
        operation_id="events_delete",
        summary="Delete an event",
        guards=[permission_required(DELETE_EVENT)],
    )
    async def delete_event(self, tx: NamedDependency[AsyncSession], event_id: PK) -> None:
        await svc.delete_event(tx, await svc.get_event(tx, event_id))


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
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.EventSubmissionCreate],
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
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.EventSubmissionList:
        rows, meta = await svc.list_submissions(tx, limit=limit, offset=offset)
        return schemas.EventSubmissionList(data=[submission_read(s) for s in rows], meta=meta)


ROUTE_HANDLERS = [
    CalendarsController,
    CategoriesController,
    LocationsController,
    SubmissionsController,
    EventsController,
]
