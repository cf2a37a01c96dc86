"""Event suggestions (python.org's ``/events/submit/`` form): checked, stored for staff, and
mailed to the events team after the commit.

python.org sent the mail *from* the submitter's address; we send it from our own address with
the submitter as ``Reply-To`` (mail claiming to come from arbitrary domains fails SPF/DMARC).
Line breaks in single-line fields are refused before anything is stored, so no field can add a
header (python.org answered "Invalid header found." for the same input).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from saq import Queue
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.mail import Mailer, build_message
from pydotorg.core.tasks import mail_after_commit
from pydotorg.domains.events.models import EventSubmission
from pydotorg.domains.events.services import url_errors
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
