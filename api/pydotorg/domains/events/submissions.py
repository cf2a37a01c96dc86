"""Event suggestions (python.org's ``/events/submit/`` form): checked, stored for staff, and
mailed to the events team after the commit.

python.org sent the mail *from* the submitter's address; we send it from our own address with
the submitter as ``Reply-To`` (mail claiming to come from arbitrary domains fails SPF/DMARC).
Line breaks in single-line fields are refused before anything is stored, so no field can add a
header (python.org answered "Invalid header found." for the same input).

Moderation (python.org had none: staff retyped suggestions in the admin): an editor accepts a
suggestion once, which creates an event from it in the calendar they choose, public or a draft; or
declines it with a note. Either way the submitter is mailed, and the suggestion keeps who decided,
when, and the event it became.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from typing import Any

from litestar.exceptions import NotFoundException
from saq import Queue
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ConflictException, ValidationFailed
from pydotorg.core.mail import Mailer, build_message
from pydotorg.core.tasks import mail_after_commit
from pydotorg.domains.events.models import (
    ACCEPTED,
    DECLINED,
    PENDING,
    Calendar,
    EventLocation,
    EventSubmission,
)
from pydotorg.domains.events.queries import event_url
from pydotorg.domains.events.services import calendar_by_slug, load_event, save_event, url_errors
from pydotorg.settings import Settings

SINGLE_LINE = (
    "event_name",
    "event_type",
    "python_focus",
    "expected_attendees",
    "location",
    "recurrence",
    "link",
)
LABELS = (
    ("Name", "event_name"),
    ("Type", "event_type"),
    ("Focus", "python_focus"),
    ("Approximate Number of Attendees", "expected_attendees"),
    ("Location", "location"),
    ("Recurrence", "recurrence"),
    ("Link", "link"),
)


@dataclass(frozen=True)
class Submitter:
    user_id: int
    username: str
    email: str


def _errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if isinstance(value, str) and not value.strip():
            errors[name] = ["This field is required."]
    for name in SINGLE_LINE:
        value = values.get(name, "")
        if name not in errors and any(ch in value for ch in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
            errors[name] = [
                "Invalid header found." if name == "event_name" else "Line breaks are not allowed."
            ]
    if "link" not in errors and (msgs := url_errors(values.get("link"))):
        errors["link"] = msgs
    if values["date_to"] < values["date_from"]:
        errors["date_to"] = ["The end date is before the start date."]
    return errors


def _message(submission: EventSubmission, submitter: Submitter, settings: Settings) -> EmailMessage:
    lines = ["The following event was submitted for approval:", ""]
    for label, name in LABELS[:5]:
        lines.append(f"{label}: {getattr(submission, name)}")
    lines.append(f"Date: {submission.date_from.isoformat()} - {submission.date_to.isoformat()}")
    for label, name in LABELS[5:]:
        lines.append(f"{label}: {getattr(submission, name)}")
    lines += [
        f"Submitted by: {submitter.username} <{submitter.email}>",
        "",
        "Description:",
        submission.description,
    ]
    return build_message(
        to=[settings.events_to_email],
        subject=f'New event submission: "{submission.event_name}"',
        body="\n".join(lines) + "\n",
        from_email=settings.default_from_email,
        reply_to=submitter.email or None,
    )


def clean_submission(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values, stripped, or ``ValidationFailed`` naming each bad field."""
    values = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    values["description"] = data["description"]  # kept as typed, line breaks and all
    if errors := _errors(values):
        raise ValidationFailed(errors)
    return values


async def submit_event(
    session: AsyncSession,
    values: Mapping[str, Any],
    submitter: Submitter,
    *,
    settings: Settings,
    mailer: Mailer,
    queue: Queue | None,
) -> EventSubmission:
    """Store a suggestion checked by ``clean_submission`` and mail it after the commit."""
    submission = EventSubmission(creator_id=submitter.user_id, submitter_email=submitter.email, **values)
    try:
        message = _message(submission, submitter, settings)
    except ValueError:  # the mail library refuses a header value; never reached after _errors
        raise ValidationFailed({"event_name": ["Invalid header found."]}) from None
    session.add(submission)
    await session.flush()

    mail_after_commit(session, queue, mailer, message)
    return submission


# --- moderation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decider:
    """The editor deciding, and what sending the submitter's mail needs."""

    user_id: int
    username: str
    settings: Settings
    mailer: Mailer
    queue: Queue | None


async def _pending(session: AsyncSession, submission_id: int) -> EventSubmission:
    """The suggestion, locked until the commit so two editors cannot both decide it."""
    submission = await session.scalar(
        select(EventSubmission).where(EventSubmission.id == submission_id).with_for_update()
    )
    if submission is None:
        raise NotFoundException(f"No event suggestion with id {submission_id}.")
    if submission.status != PENDING:
        raise ConflictException(f"This suggestion was already {submission.status}.")
    return submission


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


async def _venue_id(session: AsyncSession, calendar: Calendar, name: str) -> int | None:
    """The calendar's location of that name (as the iCal import finds them), made if missing."""
    name = name.strip()[:255]
    if not name:
        return None
    found = await session.scalar(
        select(EventLocation.id)
        .where(EventLocation.calendar_id == calendar.id, EventLocation.name == name)
        .order_by(EventLocation.id)
        .limit(1)
    )
    if found is not None:
        return found
    location = EventLocation(calendar_id=calendar.id, name=name)
    session.add(location)
    await session.flush()
    return location.id


def _event_description(submission: EventSubmission) -> str:
    """The suggestion's text, then its link (events have no link field of their own)."""
    return f"{submission.description.rstrip()}\n\nMore information: {submission.link}\n"


def _decision_message(
    submission: EventSubmission, decider: Decider, subject: str, lines: list[str]
) -> EmailMessage | None:
    if not submission.submitter_email:  # the account had no address
        return None
    body = "\n".join(["Hello,", "", *lines, "", "Thank you,", decider.username, "The python.org events team"])
    return build_message(
        to=[submission.submitter_email],
        subject=subject,
        body=body + "\n",
        from_email=decider.settings.default_from_email,
        reply_to=decider.settings.events_to_email or None,
    )


async def accept_submission(
    session: AsyncSession, submission_id: int, *, calendar: str, publish: bool, decider: Decider
) -> EventSubmission:
    """Create the suggested event in ``calendar`` (a draft unless ``publish``): its title, the
    description with the link, the location as its venue and the dates as one all-day occurrence;
    its creator is the submitter. Then mark the suggestion accepted and mail the submitter."""
    submission = await _pending(session, submission_id)
    found = await calendar_by_slug(session, calendar)
    if found is None:
        raise ValidationFailed({"calendar": [f"No calendar with slug {calendar!r}."]})
    event = await save_event(
        session,
        {
            "calendar": found.slug,
            "title": submission.event_name[:200],
            "description": _event_description(submission),
            "description_markup_type": "text",
            "venue_id": await _venue_id(session, found, submission.location),
            "is_published": publish,
            # The submitter is the event's creator; the editor is who last changed it.
            "creator_id": submission.creator_id,
            "occurring_rule": {
                "dt_start": _midnight(submission.date_from),
                "dt_end": _midnight(submission.date_to),
                "all_day": True,
            },
        },
    )
    submission.status = ACCEPTED
    submission.decided_at = utcnow()
    submission.decided_by_id = decider.user_id
    submission.event_id = event.id
    await session.flush()

    loaded = await load_event(session, event.id)
    assert loaded is not None
    url = f"{decider.settings.site_url.rstrip('/')}{event_url(loaded)}"
    when = (
        f"It is published at:\n\n    {url}"
        if publish
        else f"It will appear at this address once the events team publishes it:\n\n    {url}"
    )
    message = _decision_message(
        submission,
        decider,
        f'Your event suggestion was accepted: "{submission.event_name}"',
        [
            f'Thank you for suggesting "{submission.event_name}". It has been added to the',
            f"{found.name} calendar.",
            "",
            when,
        ],
    )
    if message is not None:
        mail_after_commit(session, decider.queue, decider.mailer, message)
    return submission


async def decline_submission(
    session: AsyncSession, submission_id: int, *, note: str, decider: Decider
) -> EventSubmission:
    """Mark the suggestion declined with ``note`` and mail the submitter the note."""
    submission = await _pending(session, submission_id)
    submission.status = DECLINED
    submission.decided_at = utcnow()
    submission.decided_by_id = decider.user_id
    submission.decision_note = note
    await session.flush()
    lines = [
        f'Thank you for suggesting "{submission.event_name}". The events team has decided not to',
        "list it on python.org.",
    ]
    if note.strip():
        lines += ["", "Their note:", "", note.strip()]
    message = _decision_message(
        submission, decider, f'Your event suggestion was declined: "{submission.event_name}"', lines
    )
    if message is not None:
        mail_after_commit(session, decider.queue, decider.mailer, message)
    return submission
