"""Staff notifications: a stored template or an ad-hoc message to chosen contact types of chosen
sponsorships; only sponsorships holding an e-mail targetable benefit receive (appendix B.12)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.domains.mailing import services as mailing
from pydotorg.domains.mailing.services import MailContext, RenderedEmail
from pydotorg.domains.sponsors.models import (
    EMAIL_TARGETABLE,
    BenefitFeature,
    Sponsor,
    SponsorBenefit,
    SponsorEmailTemplate,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.notifications.messages import (
    CONTACT_TYPES,
    template_context,
)
from pydotorg.domains.sponsors.services.placements import contacts_of

# --- staff notifications -------------------------------------------------------------------------


@dataclass
class PlannedMessage:
    sponsorship_id: int
    sponsor_name: str
    to: list[str]
    rendered: RenderedEmail


@dataclass
class SkippedSponsorship:
    sponsorship_id: int
    sponsor_name: str
    reason: str


@dataclass
class NotificationPlan:
    notification: str  # the template's internal name, or "custom: <subject>"
    contact_types: list[str]
    recipients: list[PlannedMessage] = field(default_factory=list)
    skipped: list[SkippedSponsorship] = field(default_factory=list)
    sent: int = 0


NOT_TARGETABLE = "It holds no e-mail targetable benefit."
NO_CONTACTS = "Its sponsor has no contact of the chosen types."
NO_SPONSOR = "It has no sponsor."


async def _source(tx: AsyncSession, values: Mapping[str, Any]) -> tuple[str, str, str]:
    template_id, subject, content = values.get("template_id"), values.get("subject"), values.get("content")
    if template_id is not None:
        if subject is not None or content is not None:
            raise ValidationFailed(
                {"template_id": ["Give a template_id or a subject and content, not both."]}
            )
        template = await tx.get(SponsorEmailTemplate, template_id)
        if template is None:
            raise ValidationFailed({"template_id": [f"No e-mail template with id {template_id}."]})
        return template.internal_name, template.subject, template.content
    missing = {name: ["This field is required without a template_id."] for name in ("subject", "content")}
    given = {"subject": subject, "content": content}
    errors = {name: message for name, message in missing.items() if not given[name]}
    if errors:
        raise ValidationFailed(errors)
    assert subject is not None and content is not None
    mailing.validate(subject, content)
    return f"custom: {subject}", subject, content


def _skip_reason(targetable: bool, sponsor: Sponsor | None, to: list[str]) -> str | None:
    if not targetable:
        return NOT_TARGETABLE
    if sponsor is None:
        return NO_SPONSOR
    return None if to else NO_CONTACTS


async def plan_notification(tx: AsyncSession, values: Mapping[str, Any]) -> NotificationPlan:
    """Exactly who would receive what: one message per sponsorship, to its sponsor's contacts of
    the chosen types; sponsorships without an e-mail targetable benefit or without such contacts
    are listed as skipped. ``send_notification`` sends this same plan."""
    name, subject, content = await _source(tx, values)
    types = [t for t in CONTACT_TYPES if t in set(values["contact_types"])]
    ids = sorted(set(values["sponsorship_ids"]))
    found = {s.id: s for s in await tx.scalars(select(Sponsorship).where(Sponsorship.id.in_(ids)))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        listed = ", ".join(str(i) for i in unknown)
        raise ValidationFailed({"sponsorship_ids": [f"No sponsorship with id {listed}."]})
    targetable = set(
        await tx.scalars(
            select(SponsorBenefit.sponsorship_id)
            .join(BenefitFeature, BenefitFeature.sponsor_benefit_id == SponsorBenefit.id)
            .where(SponsorBenefit.sponsorship_id.in_(ids), BenefitFeature.kind == EMAIL_TARGETABLE)
        )
    )
    # Each sponsor, package and contact list read once for the whole selection.
    sponsor_ids = {s.sponsor_id for s in found.values() if s.sponsor_id is not None}
    package_ids = {s.package_id for s in found.values() if s.package_id is not None}
    sponsors = {s.id: s for s in await tx.scalars(select(Sponsor).where(Sponsor.id.in_(sponsor_ids)))}
    packages = {
        p.id: p
        for p in await tx.scalars(select(SponsorshipPackage).where(SponsorshipPackage.id.in_(package_ids)))
    }
    contacts_by_sponsor = await contacts_of(tx, sponsor_ids)
    plan = NotificationPlan(notification=name, contact_types=types)
    for sponsorship_id in ids:
        sponsorship = found[sponsorship_id]
        sponsor = sponsors.get(sponsorship.sponsor_id) if sponsorship.sponsor_id else None
        sponsor_name = sponsor.name if sponsor is not None else ""
        contacts = contacts_by_sponsor.get(sponsor.id, []) if sponsor is not None else []
        to = mailing.unique_addresses([c.email for c in contacts if any(getattr(c, t) for t in types)])
        reason = _skip_reason(sponsorship_id in targetable, sponsor, to)
        if reason is not None:
            plan.skipped.append(SkippedSponsorship(sponsorship_id, sponsor_name, reason))
            continue
        package = packages.get(sponsorship.package_id) if sponsorship.package_id else None
        rendered = mailing.render(subject, content, template_context(sponsorship, sponsor, package))
        plan.recipients.append(PlannedMessage(sponsorship_id, sponsor_name, to, rendered))
    return plan


async def send_notification(
    tx: AsyncSession, principal: Principal, mail: MailContext, values: Mapping[str, Any]
) -> NotificationPlan:
    """Queue the plan's messages (after commit) and leave python.org's log entry on each
    sponsorship that receives one."""
    plan = await plan_notification(tx, values)
    for message in plan.recipients:
        mailing.queue_email(
            tx,
            mail,
            to=message.to,
            subject=message.rendered.subject,
            text=message.rendered.text,
            html_body=mailing.html_document(message.rendered.html, title=message.rendered.subject),
            from_email=mail.settings.sponsorship_notification_from_email,
        )
        await audit.record(
            tx,
            principal,
            "sponsorship.notify",
            object_kind="sponsorship",
            object_id=message.sponsorship_id,
            sponsorship_id=message.sponsorship_id,
            message=(
                f"Notification '{plan.notification}' was sent to contacts: {', '.join(plan.contact_types)}"
            ),
        )
    plan.sent = len(plan.recipients)
    return plan
