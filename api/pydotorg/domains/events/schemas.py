"""/api/v3/events/ shapes: calendars, categories, locations, events (with their rules as one
document) and event suggestions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import SLUG_PATTERN

EventMarkup = Literal["restructuredtext", "markdown", "html", "text"]
Frequency = Literal[0, 1, 2, 3]  # yearly, monthly, weekly, daily (dateutil's constants)
SlugPattern = SLUG_PATTERN
CalendarSlug = Annotated[str, Meta(min_length=1, max_length=50, pattern=SlugPattern)]
CategorySlug = Annotated[str, Meta(min_length=1, max_length=200, pattern=SlugPattern)]
Name100 = Annotated[str, Meta(min_length=1, max_length=100)]
Name200 = Annotated[str, Meta(min_length=1, max_length=200)]
Name255 = Annotated[str, Meta(min_length=1, max_length=255)]
Text255 = Annotated[str, Meta(max_length=255)]
Url = Annotated[str, Meta(max_length=200)]
Uid = Annotated[str, Meta(min_length=1, max_length=200)]
LongText = Annotated[str, Meta(max_length=1_000_000)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Duration = Annotated[str, Meta(min_length=1, max_length=50)]
Interval = Annotated[int, Meta(ge=1, le=1000)]


# --- reads ---------------------------------------------------------------------------------


class CalendarRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    description: str | None
    url: str | None  # the iCal feed (python.org's field name)
    rss: str | None
    embed: str | None
    twitter: str | None
    page_url: str  # the calendar's page on the site: /events/<slug>/
    created: datetime
    updated: datetime


class CategoryRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    calendar_id: int | None
    calendar: str | None  # slug
    page_url: str | None  # /events/<calendar>/categories/<slug>/


class LocationRead(msgspec.Struct):
    id: int
    name: str
    address: str | None
    url: str | None  # the venue's own website
    calendar_id: int | None
    calendar: str | None
    page_url: str | None  # /events/<calendar>/locations/<id>/


class CategoryRef(msgspec.Struct):
    id: int
    slug: str
    name: str


class VenueRef(msgspec.Struct):
    id: int
    name: str
    address: str | None
    url: str | None


class OccurrenceRead(msgspec.Struct):
    dt_start: datetime
    dt_end: datetime
    all_day: bool
    single_day: bool


class RecurringRuleRead(msgspec.Struct):
    id: int
    begin: datetime
    finish: datetime
    duration: str
    duration_seconds: float
    interval: int
    frequency: int
    all_day: bool


class EventRead(msgspec.Struct):
    id: int
    uid: str | None
    title: str
    calendar_id: int
    calendar: str  # slug
    url: str  # python.org's event page: /events/<calendar>/<id>/
    description: str
    description_markup_type: str
    description_html: str
    featured: bool
    is_published: bool  # false: a draft, seen by editors only
    venue: VenueRef | None
    categories: list[CategoryRef]
    occurring_rule: OccurrenceRead | None
    recurring_rules: list[RecurringRuleRead]
    next_occurrence: OccurrenceRead | None
    previous_occurrence: OccurrenceRead | None
    created: datetime
    updated: datetime


class CalendarList(msgspec.Struct):
    data: list[CalendarRead]
    meta: ListMeta


class CategoryList(msgspec.Struct):
    data: list[CategoryRead]
    meta: ListMeta


class LocationList(msgspec.Struct):
    data: list[LocationRead]
    meta: ListMeta


class EventList(msgspec.Struct):
    data: list[EventRead]
    meta: ListMeta


# --- writes --------------------------------------------------------------------------------


class CalendarCreate(Input):
    name: Name100
    slug: CalendarSlug | UnsetType = UNSET  # default: slugified name
    description: Text255 | None = None
    url: Url | None = None
    rss: Url | None = None
    embed: Url | None = None
    twitter: Url | None = None


class CalendarUpdate(Input):
    name: Name100 | UnsetType = UNSET
    slug: CalendarSlug | UnsetType = UNSET
    description: Text255 | UnsetType | None = UNSET
    url: Url | UnsetType | None = UNSET
    rss: Url | UnsetType | None = UNSET
    embed: Url | UnsetType | None = UNSET
    twitter: Url | UnsetType | None = UNSET


class CategoryCreate(Input):
    name: Name200
    slug: CategorySlug | UnsetType = UNSET  # default: slugified name
    calendar: CalendarSlug | None = None


class CategoryUpdate(Input):
    name: Name200 | UnsetType = UNSET
    slug: CategorySlug | UnsetType = UNSET
    calendar: CalendarSlug | UnsetType | None = UNSET


class LocationCreate(Input):
    name: Name255
    address: Text255 | None = None
    url: Url | None = None
    calendar: CalendarSlug | None = None


class LocationUpdate(Input):
    name: Name255 | UnsetType = UNSET
    address: Text255 | UnsetType | None = UNSET
    url: Url | UnsetType | None = UNSET
    calendar: CalendarSlug | UnsetType | None = UNSET


class OccurringRuleInput(Input):
    dt_start: datetime
    dt_end: datetime
    all_day: bool = False


class RecurringRuleInput(Input):
    """A repetition. ``id`` keeps an existing rule (and its id) when the list is replaced."""

    begin: datetime
    finish: datetime
    duration: Duration = "15 min"
    interval: Interval = 1
    frequency: Frequency = 2
    all_day: bool = False
    id: Id | None = None


class EventCreate(Input):
    title: Name200
    calendar: CalendarSlug
    uid: Uid | None = None
    description: LongText = ""
    description_markup_type: EventMarkup = "restructuredtext"
    venue_id: Id | None = None
    categories: Annotated[list[CategorySlug], Meta(max_length=100)] = msgspec.field(default_factory=list)
    featured: bool = False
    is_published: bool = True
    occurring_rule: OccurringRuleInput | None = None
    recurring_rules: Annotated[list[RecurringRuleInput], Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )


class EventUpdate(Input):
    """Fields left out stay as they are; ``occurring_rule`` and ``recurring_rules`` replace
    what the event had (``null`` / ``[]`` remove them)."""

    title: Name200 | UnsetType = UNSET
    calendar: CalendarSlug | UnsetType = UNSET
    uid: Uid | UnsetType | None = UNSET
    description: LongText | UnsetType = UNSET
    description_markup_type: EventMarkup | UnsetType = UNSET
    venue_id: Id | UnsetType | None = UNSET
    categories: Annotated[list[CategorySlug], Meta(max_length=100)] | UnsetType = UNSET
    featured: bool | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET
    occurring_rule: OccurringRuleInput | UnsetType | None = UNSET
    recurring_rules: Annotated[list[RecurringRuleInput], Meta(max_length=100)] | UnsetType = UNSET


# --- suggestions ---------------------------------------------------------------------------

Line200 = Annotated[str, Meta(min_length=1, max_length=200)]


class EventSubmissionCreate(Input):
    """python.org's ``EventForm``: every field is required."""

    event_name: Line200
    event_type: Line200
    python_focus: Line200
    expected_attendees: Annotated[str, Meta(min_length=1, max_length=100)]
    location: Name255
    date_from: date
    date_to: date
    recurrence: Line200
    link: Annotated[str, Meta(min_length=1, max_length=200)]
    description: Annotated[str, Meta(min_length=1, max_length=10_000)]


SubmissionStatus = Literal["pending", "accepted", "declined"]


class EventSubmissionRead(msgspec.Struct):
    id: int
    created: datetime
    creator_id: int | None
    submitter_email: str
    event_name: str
    event_type: str
    python_focus: str
    expected_attendees: str
    location: str
    date_from: date
    date_to: date
    recurrence: str
    link: str
    description: str
    status: SubmissionStatus
    decided_at: datetime | None
    decided_by: str | None  # the deciding editor's username (null: pending, or the account is gone)
    event_id: int | None  # the event an accepted suggestion became (null once that event is deleted)
    decision_note: str


class SubmissionAccept(Input):
    """Accept a suggestion: an event is created from it in ``calendar``, public when ``publish``."""

    calendar: CalendarSlug
    publish: bool = False


class SubmissionDecline(Input):
    """Decline a suggestion; ``note`` is mailed to the submitter and kept with it."""

    note: Annotated[str, Meta(max_length=5_000)] = ""


class EventSubmissionList(msgspec.Struct):
    data: list[EventSubmissionRead]
    meta: ListMeta
