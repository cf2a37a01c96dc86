"""What every part of the account services shares: the call ``Context`` and queueing a
message for after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.mail import Mailer, build_message
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.tasks import mail_after_commit
from pydotorg.settings import Settings


@dataclass
class Context:
    """What a service call needs besides the session: settings, mail, the queue and the rate
    limiter (for limits that depend on the account rather than on the request)."""

    settings: Settings
    mailer: Mailer
    queue: Any = None
    limiter: RateLimiter | None = None


def _queue_mail(
    session: AsyncSession,
    ctx: Context,
    *,
    to: str,
    subject: str,
    body: str,
    from_email: str | None = None,
    reply_to: str | None = None,
) -> None:
    """Queue a message once the transaction commits (nothing is sent for a rolled-back write)."""
    message = build_message(
        to=[to],
        subject=subject,
        body=body,
        from_email=from_email or ctx.settings.default_from_email,
        reply_to=reply_to,
    )

    mail_after_commit(session, ctx.queue, ctx.mailer, message)
