"""The job board's mail (inventory 3.13): what python.org's ``apps/jobs/listeners.py`` and the
monthly report command sent, written anew, each message queued as a ``mail.send`` job after the
transaction that caused it commits.

The approval message states the real listing period (``PYDOTORG_JOB_EXPIRY_DAYS``) and the date
the listing ends; python.org's said "30 days" while listings stayed up for 90 (appendix B.7).
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.mail import Mailer, build_message
from pydotorg.core.tasks import mail_after_commit
from pydotorg.domains.jobs.models import STATUSES, Job
from pydotorg.settings import Settings

GUIDELINES_PATH = "/community/jobs/howto/"
DONATIONS_PATH = "/psf/donations/"
DESCRIPTION_WORDS = 50
_WHITESPACE = re.compile(r"\s+")
UNFOLDED = email.policy.default.clone(max_line_length=None)


@dataclass
class MailContext:
    """What sending needs besides the session: settings, the mailer and the queue."""

    settings: Settings
    mailer: Mailer
    queue: Any = None


def _day(value: datetime | date | None) -> str:
    return value.strftime("%d %B %Y") if value is not None else ""


def _job_url(settings: Settings, job: Job) -> str:
    return f"{settings.site_url.rstrip('/')}/jobs/{job.id}/"


def _api_url(settings: Settings, job: Job) -> str:
    return f"{settings.site_url.rstrip('/')}/api/v3/jobs/{job.id}"


def _first_words(text: str, count: int) -> str:
    """Django's ``truncatewords``: the first ``count`` words, then an ellipsis if cut."""
    words = _WHITESPACE.split(text.strip())
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _message(settings: Settings, to: list[str], subject: str, body: str) -> EmailMessage:
    # A recipient may appear twice (the contact is also the board address): send once.
    unique = list(dict.fromkeys(address for address in to if address))
    message = build_message(to=unique, subject=subject, body=body, from_email=settings.jobs_from_email)
    # Python folds a long all-ASCII subject by moving the whole value to a continuation line, and
    # the mail.send job's parser then reads it back with a leading space. Our headers stay well
    # under RFC 5322's 998 characters, so they are written unfolded.
    message.policy = UNFOLDED
    return message


def submitted(settings: Settings, job: Job, category_name: str) -> EmailMessage:
    contact = f"{job.contact} <{job.email}>" if job.contact else job.email
    body = (
        "The following job was submitted for approval:\n\n"
        f"Title:    {job.job_title}\n"
        f"Company:  {job.company_name}\n\n"
        f"Posted:   {_day(job.created)}\n"
        f"Category: {category_name}\n"
        f"Contact:  {contact}\n\n"
        "Description:\n"
        f"{_first_words(job.description, DESCRIPTION_WORDS)}\n\n"
        "To view and review (as a job board moderator):\n\n"
        f"API: {_api_url(settings, job)}\n"
        "Review queue: GET /api/v3/jobs/review\n"
    )
    return _message(
        settings, [settings.jobs_board_email], f"Job Submitted for Approval: {job.display_name}", body
    )


def approved(settings: Settings, job: Job, reviewer_name: str) -> EmailMessage:
    days = settings.job_expiry_days
    body = (
        f"Dear {job.contact or 'Job Submitter'},\n\n"
        "Thank you for choosing to list your vacancy on the PSF Python Job Board.\n\n"
        "Your listing is now active and available to view at:\n\n"
        f"    {_job_url(settings, job)}\n\n"
        f"It will stay on the job board for {days} days, until {_day(job.expires)}.\n\n"
        "If you notice any errors in the listing, please notify the Job Board\n"
        f"team as soon as possible at {settings.jobs_board_email}.\n\n"
        "To keep the job board fresh and active for job seekers, we'd appreciate if\n"
        "you'd let us know as soon as possible when the position is filled so we can\n"
        "remove your listing.\n\n"
        "Good luck in filling your position,\n\n"
        f"{reviewer_name}\n"
        "Python Job Board\n\n"
        "PS: Please consider a donation to the non-profit Python Software Foundation\n"
        "(PSF) which runs the Python Job Board, directly supports Python and helps\n"
        "build the community of Python programmers. Donations are tax-deductible\n"
        "in the US. For more details or to donate, go to:\n\n"
        f"{settings.site_url.rstrip('/')}{DONATIONS_PATH}\n"
    )
    return _message(
        settings, [job.email, settings.jobs_board_email], "Python Job Board: Job entry approved", body
    )


def rejected(settings: Settings, job: Job, reviewer_name: str) -> EmailMessage:
    site = settings.site_url.rstrip("/")
    body = (
        f"Dear {job.contact or 'Job Submitter'},\n\n"
        "Thank you for choosing to list your vacancy on the PSF Python Job Board.\n\n"
        "Unfortunately, your listing does not comply with our Job Board listing\n"
        f"guidelines (see {site}{GUIDELINES_PATH}). If possible,\n"
        "please update your listing and resubmit the request.\n\n"
        f"You can view and edit your listing at {site}/jobs/mine/.\n\n"
        f"If you have questions, please contact the Job Board Team at {settings.jobs_board_email}.\n\n"
        "Many thanks,\n"
        f"{reviewer_name}\n"
        "Python Job Board\n"
    )
    return _message(
        settings,
        [job.email, settings.jobs_board_email],
        "Python Job Board: Job entry could not be accepted",
        body,
    )


def comment_posted(
    settings: Settings, job: Job, comment: str, *, by_owner: bool, commenter_name: str, owner_name: str
) -> EmailMessage:
    """python.org's two variants: the owner writes to the board; a moderator writes to both."""
    summary = (
        f"Title:    {job.job_title}\n"
        f"Company:  {job.company_name}\n"
        f"URL:      {_job_url(settings, job)}\n"
        f"Posted:   {_day(job.created)}\n\n"
        "--- Comment: ---\n\n"
        f"{comment}\n\n"
    )
    if by_owner:
        body = (
            "Dear Python Job Board Admin,\n\n"
            "There is a new review comment available for a job posting.\n\n"
            f"{summary}--\nKind regards,\n{commenter_name}\n"
        )
        to = [settings.jobs_board_email]
    else:
        body = (
            f"Dear {owner_name},\n\n"
            "There is a new review comment available for your job posting.\n\n"
            f"{summary}--\nKind regards,\n{commenter_name}\nPython Job Board\n"
        )
        to = [settings.jobs_board_email, job.email]
    return _message(settings, to, f"Python Job Board: Review comment for: {job.display_name}", body)


def monthly_report(
    settings: Settings,
    month: date,
    current: Mapping[str, int],
    previous_month: date,
    previous: Mapping[str, int],
) -> EmailMessage:
    def section(title: str, counts: Mapping[str, int]) -> str:
        lines = [f"{title}: {sum(counts.values())} submissions"]
        lines += [f"    {status:<9} {counts.get(status, 0)}" for status in STATUSES]
        return "\n".join(lines)

    label = month.strftime("%B %Y")
    body = (
        f"Python Job Board report for {label} (listings created in each month, by current status).\n\n"
        f"{section(label, current)}\n\n"
        f"{section(previous_month.strftime('%B %Y'), previous)}\n"
    )
    recipients = [a.strip() for a in settings.jobs_report_recipients.split(",") if a.strip()]
    return _message(settings, recipients, f"Monthly Jobs Report for {label}", body)


def send_after_commit(session: AsyncSession, ctx: MailContext, message: EmailMessage) -> None:
    """Queue ``message`` once the current transaction commits; a rollback sends nothing."""

    mail_after_commit(session, ctx.queue, ctx.mailer, message)
