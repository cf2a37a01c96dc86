"""Events: calendars, categories, locations, events and their time rules (inventory 1.9), the
stored event suggestions, and the per-calendar state of the iCal import.

Calendars, categories, locations and events are in the change feed. Occurring and recurring
rules, alarms and category links are not recorded on their own: a write that changes them
bumps the event's ``updated`` in the same flush, so the feed reports the event (``services``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Interval,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, ContentManageable, IntPK, NameSlug, utcnow
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
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

# dateutil's frequency constants, python.org's RecurringRule.FREQ_CHOICES.
YEARLY, MONTHLY, WEEKLY, DAILY = 0, 1, 2, 3
FREQUENCIES = {YEARLY: "year(s)", MONTHLY: "month(s)", WEEKLY: "week(s)", DAILY: "day(s)"}
DEFAULT_DURATION = timedelta(minutes=15)

# An event suggestion's moderation status.
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
SUBMISSION_STATUSES = (PENDING, ACCEPTED, DECLINED)


class Calendar(IntPK, ContentManageable, Base):
    """A calendar (``python-events``, ``python-user-group``); ``url`` is its iCal feed."""

    __tablename__ = "event_calendars"
    __change_domain__ = "events"
    __change_kind__ = "calendar"

    url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rss: Mapped[str | None] = mapped_column(String(200), nullable=True)
    embed: Mapped[str | None] = mapped_column(String(200), nullable=True)
    twitter: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(String(255), nullable=True)


class EventCategory(IntPK, NameSlug, Base):
    __tablename__ = "event_categories"
    __change_domain__ = "events"
    __change_kind__ = "category"

    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_calendars.id", ondelete="CASCADE"), nullable=True, index=True
    )

    calendar: Mapped[Calendar | None] = relationship(lazy="raise")


class EventLocation(IntPK, Base):
    __tablename__ = "event_locations"
    __change_domain__ = "events"
    __change_kind__ = "location"

    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_calendars.id", ondelete="CASCADE"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(255), index=True)
    address: Mapped[str | None] = mapped_column(String(255), nullable=True)
    url: Mapped[str | None] = mapped_column(String(200), nullable=True)

    calendar: Mapped[Calendar | None] = relationship(lazy="raise")


# The event side is deferred so the fixture importer can link categories while converting an
# event row, before the runner inserts it (same transaction; checked at commit).
event_category_links = Table(
    "event_category_links",
    Base.metadata,
    Column("event_id", Integer, primary_key=True),
    Column(
        "category_id",
        ForeignKey("event_categories.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    ForeignKeyConstraint(
        ["event_id"], ["events.id"], ondelete="CASCADE", deferrable=True, initially="DEFERRED"
    ),
)


class Event(IntPK, ContentManageable, Base):
    __tablename__ = "events"
    __change_domain__ = "events"
    __change_kind__ = "event"
    __table_args__ = (UniqueConstraint("calendar_id", "uid"),)

    uid: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("event_calendars.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    description_html: Mapped[str] = mapped_column(Text, default="")
    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_locations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    featured: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # A draft (an accepted suggestion not yet published) is seen by editors only.
    is_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"), index=True)

    calendar: Mapped[Calendar] = relationship(lazy="raise")
    venue: Mapped[EventLocation | None] = relationship(lazy="raise")
    categories: Mapped[list[EventCategory]] = relationship(
        secondary=event_category_links,
        lazy="raise",
        order_by="EventCategory.name",
        passive_deletes=True,
    )
    occurring_rule: Mapped[OccurringRule | None] = relationship(
        lazy="raise", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )
    recurring_rules: Mapped[list[RecurringRule]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RecurringRule.id",
    )


class OccurringRule(IntPK, Base):
    """The single occurrence of an event (at most one per event)."""

    __tablename__ = "event_occurring_rules"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    dt_start: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    dt_end: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)


class RecurringRule(IntPK, Base):
    """A repetition (dateutil rrule: ``frequency``, ``interval`` from ``begin`` until ``finish``);
    each occurrence lasts ``duration_internal``, parsed from the human text ``duration``."""

    __tablename__ = "event_recurring_rules"
    __table_args__ = (
        # The fixture importer upserts on (event_id, id) so it can report the event as changed.
        UniqueConstraint("event_id", "id"),
        CheckConstraint("frequency IN (0, 1, 2, 3)", name="frequency"),
        CheckConstraint("interval >= 1", name="interval"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    begin: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finish: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    duration: Mapped[str] = mapped_column(String(50), default="15 min")
    duration_internal: Mapped[timedelta] = mapped_column(Interval, default=DEFAULT_DURATION)
    interval: Mapped[int] = mapped_column(SmallInteger, default=1)
    frequency: Mapped[int] = mapped_column(SmallInteger, default=WEEKLY)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)


class Alarm(IntPK, ContentManageable, Base):
    """python.org's alarm ("hours before the event occurs"); kept for the data, never sent
    (python.org never sent them either, appendix B.16)."""

    __tablename__ = "event_alarms"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[int] = mapped_column(SmallInteger, default=24)


class EventSubmission(IntPK, Base):
    """An event suggested through ``POST /api/v3/events/submissions`` (python.org only mailed
    them); mailed to the events team and kept for staff. Private: not in the change feed."""

    __tablename__ = "event_submissions"
    __table_args__ = (CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status"),)

    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    submitter_email: Mapped[str] = mapped_column(String(254), default="")
    event_name: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    python_focus: Mapped[str] = mapped_column(String(200))
    expected_attendees: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(255))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    recurrence: Mapped[str] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Moderation: an editor accepts (an Event is created from it) or declines (with a note), once.
    status: Mapped[str] = mapped_column(String(20), default=PENDING, server_default=PENDING, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True, index=True
    )
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")


class CalendarFeed(Base):
    """What the iCal import last saw for a calendar: validators for a conditional GET, the body's
    digest, and the outcome. Bookkeeping, kept out of ``event_calendars`` so a fetch never looks
    like a content change."""

    __tablename__ = "event_calendar_feeds"

    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("event_calendars.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(200), default="")
    etag: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    imported_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(500), default="")
