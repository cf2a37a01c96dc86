"""``/api/v3/events/``: calendars, categories, locations, events (with their rules) and event
suggestions. Everything python.org shows publicly is public to read (draft events only to staff and
event editors); writes need the named ``events.*`` permissions; suggestions need an account, only
staff read them, and accepting or declining one needs ``events.add_event``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import (
    Principal,
    login_required,
    permission_required,
    principal_of,
    require_principal,
    staff_required,
)
from pydotorg.core.previews import Loaded, PreviewKind
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
from pydotorg.domains.events.submissions import (
    Decider,
    Submitter,
    accept_submission,
    clean_submission,
    decline_submission,
    submit_event,
)
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
        request: Request[Any, Any, Any],
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
        is_published: Annotated[
            bool | None, Parameter(description="false: draft events (staff and event editors see them)")
        ] = None,
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
            published=is_published,
            drafts=svc.can_see_drafts(principal_of(request)),
        )
        rows, meta = await paginate(tx, queries.event_list_stmt(filters, now), limit, offset)
        return schemas.EventList(data=[queries.event_read(e, now) for e in rows], meta=meta)

    @get("/{event_id:int}", operation_id="events_read", summary="One event")
    async def read_event(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        event_id: PK,
        calendar: Annotated[
            SlugQuery, Parameter(description="404 unless the event belongs to this calendar")
        ] = None,
        at: Annotated[datetime | None, Parameter(description="the instant for the occurrences")] = None,
    ) -> schemas.EventRead:
        now = _instant("at", at) or utcnow()
        drafts = svc.can_see_drafts(principal_of(request))
        return queries.event_read(await svc.get_event(tx, event_id, calendar, drafts=drafts), now)

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


async def _usernames(tx: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await tx.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {user_id: username for user_id, username in rows}


def submission_read(s: EventSubmission, deciders: dict[int, str]) -> schemas.EventSubmissionRead:
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
        status=s.status,  # type: ignore[arg-type]  # the table's CHECK keeps it to SubmissionStatus
        decided_at=s.decided_at,
        decided_by=deciders.get(s.decided_by_id) if s.decided_by_id is not None else None,
        event_id=s.event_id,
        decision_note=s.decision_note,
    )


async def _read_one(tx: AsyncSession, s: EventSubmission) -> schemas.EventSubmissionRead:
    return submission_read(s, await _usernames(tx, {s.decided_by_id}))


def _decider(request: Request[Any, Any, Any]) -> Decider:
    principal = require_principal(request)
    state = request.app.state
    return Decider(
        user_id=principal.user_id,
        username=principal.username,
        settings=state.settings,
        mailer=state.mailer,
        queue=state.queue,
    )


SubmissionId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


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
        return await _read_one(tx, submission)

    @get(
        "/",
        operation_id="events_submissions_list",
        summary="Event suggestions, newest first, by moderation status (staff or events.view_submission)",
        guards=[_staff_or_submission_reader],
    )
    async def list_submissions(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: Annotated[
            schemas.SubmissionStatus | None, Parameter(description="only suggestions with this status")
        ] = None,
    ) -> schemas.EventSubmissionList:
        rows, meta = await svc.list_submissions(tx, limit=limit, offset=offset, status=status)
        deciders = await _usernames(tx, {s.decided_by_id for s in rows})
        return schemas.EventSubmissionList(data=[submission_read(s, deciders) for s in rows], meta=meta)

    @post(
        "/{submission_id:int}/accept",
        operation_id="events_submissions_accept",
        summary="Accept a pending suggestion: create its event in a calendar and mail the submitter "
        "(events.add_event)",
        guards=[permission_required(ADD_EVENT)],
        status_code=200,
    )
    async def accept(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        submission_id: SubmissionId,
        data: JSONBody[schemas.SubmissionAccept],
    ) -> schemas.EventSubmissionRead:
        submission = await accept_submission(
            tx, submission_id, calendar=data.calendar, publish=data.publish, decider=_decider(request)
        )
        return await _read_one(tx, submission)

    @post(
        "/{submission_id:int}/decline",
        operation_id="events_submissions_decline",
        summary="Decline a pending suggestion with a note mailed to the submitter (events.add_event)",
        guards=[permission_required(ADD_EVENT)],
        status_code=200,
    )
    async def decline(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        submission_id: SubmissionId,
        data: JSONBody[schemas.SubmissionDecline],
    ) -> schemas.EventSubmissionRead:
        submission = await decline_submission(tx, submission_id, note=data.note, decider=_decider(request))
        return await _read_one(tx, submission)


ROUTE_HANDLERS = [
    CalendarsController,
    CategoriesController,
    LocationsController,
    SubmissionsController,
    EventsController,
]


async def _preview(
    session: AsyncSession, principal: Principal, event_id: int, changes: dict[str, Any] | None
) -> Loaded:
    """An event as its public read will answer once published (the stored event), as of the start
    of today, when the site builder reads events (sitebuilder/sections/events.py)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    event = await svc.get_event(session, event_id)
    return msgspec.structs.replace(queries.event_read(event, today), is_published=True), {}


PREVIEWS = (PreviewKind("event", CHANGE_EVENT, _preview),)
