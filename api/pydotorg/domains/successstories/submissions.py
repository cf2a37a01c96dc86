"""Success story submissions (python.org's ``/success-stories/create/``): stored unpublished for
the PSF staff, and mailed to them after the commit.

The mail comes from our address with the author in ``Reply-To``, as python.org sent it. Line
breaks in one-line fields are refused before anything is stored, and the e-mail pattern admits a
single address, so no field can add a header or a recipient.
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
from pydotorg.domains.successstories import services as svc
from pydotorg.domains.successstories.models import Story
from pydotorg.settings import Settings

# python.org's form tells submitters that Markdown "is strongly preferred"; we render it as such.
SUBMISSION_MARKUP = "markdown"


@dataclass(frozen=True)
class Submitter:
    user_id: int
    username: str


def _message(story: Story, submitter: Submitter, settings: Settings) -> EmailMessage:
    name = (story.name.splitlines() or [story.name])[0]
    body = "\n".join(
        [
            f"Name: {story.name}",
            f"Company name: {story.company_name}",
            f"Company URL: {story.company_url}",
            f"Category: {story.category.name}",
            f"Author: {story.author}",
            f"Author email: {story.author_email or ''}",
            f"Submitted by: {submitter.username}",
            "Pull quote:",
            "",
            story.pull_quote,
            "",
            "Content:",
            "",
            story.content,
            "",
            f"Review: /api/v3/success-stories/{story.id} (publish with PATCH is_published=true)",
        ]
    )
    return build_message(
        to=[settings.success_stories_to_email],
        subject=f"New success story submission: {name}",
        body=body + "\n",
        from_email=settings.default_from_email,
        reply_to=story.author_email or None,
    )


async def submit_story(
    session: AsyncSession,
    values: Mapping[str, Any],
    submitter: Submitter,
    *,
    settings: Settings,
    mailer: Mailer,
    queue: Queue | None,
) -> Story:
    """Store a submission checked by ``services.check_submission``; mail it after the commit."""
    story = await svc.save_story(
        session,
        {
            **values,
            "content_markup_type": SUBMISSION_MARKUP,
            "is_published": False,
            "featured": False,
            "submitted_by_id": submitter.user_id,
        },
    )
    try:
        message = _message(story, submitter, settings)
    except ValueError:  # the mail library refused a header value; never reached after the checks
        raise ValidationFailed({"name": ["Invalid header found."]}) from None

    mail_after_commit(session, queue, mailer, message)
    return story
