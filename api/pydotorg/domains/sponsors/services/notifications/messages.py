"""What every sponsor mail shares: the template variables, who "the applicant" is (python.org's
``Sponsorship.verified_emails``), the sponsorship summary, the links, and queueing from the
sponsors address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from litestar.exceptions import NotFoundException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.mail import Attachment
from pydotorg.domains.mailing import services as mailing
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import (
    APPROVED,
    FINALIZED,
    REQUIRED_ASSET_KINDS,
    TIERED_BENEFIT,
    BenefitFeature,
    Sponsor,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services.placements import level_name, sponsor_contacts
from pydotorg.domains.users.models import EmailAddress, User

CONTACT_TYPES = ("primary", "administrative", "accounting", "manager")
DEFAULT_DUE_DAYS = 7
SIGNATURE = "Thank you,\n\nThe PSF Sponsorship Team\nPython Software Foundation\n"
RULE = "-" * 72

# --- what a sponsorship's mail needs -------------------------------------------------------------


def day(value: date | None) -> str:
    return f"{value.strftime('%B')} {value.day}, {value.year}" if value is not None else ""


def template_context(
    sponsorship: Sponsorship, sponsor: Sponsor | None, package: SponsorshipPackage | None
) -> dict[str, str]:
    """The variables a template may use (python.org's ``SponsorEmailNotificationTemplate``)."""
    return {
        "sponsor_name": sponsor.name if sponsor is not None else "",
        "sponsorship_level": level_name(sponsorship, package),
        "sponsorship_start_date": day(sponsorship.start_date),
        "sponsorship_end_date": day(sponsorship.end_date),
        "sponsorship_status": sponsorship.status,
    }


async def verified_emails(tx: AsyncSession, sponsorship: Sponsorship) -> list[str]:
    """python.org's ``Sponsorship.verified_emails``: the submitter's address, then each contact
    address that is a verified address of an account, each once (case-insensitively)."""
    addresses: list[str] = []
    if sponsorship.submitted_by_id is not None:
        submitter = await tx.get(User, sponsorship.submitted_by_id)
        if submitter is not None and submitter.email:
            addresses.append(submitter.email)
    contacts = await sponsor_contacts(tx, sponsorship.sponsor_id)
    if contacts:
        # Compared as PostgreSQL's lower() compares (the verified-address index is on it).
        lowered = {c.email.lower() for c in contacts if c.email}
        verified = set(
            await tx.scalars(
                select(func.lower(EmailAddress.email)).where(
                    EmailAddress.verified.is_(True), func.lower(EmailAddress.email).in_(lowered)
                )
            )
        )
        addresses += [c.email for c in contacts if c.email.lower() in verified]
    return mailing.unique_addresses(addresses)


@dataclass
class SponsorshipMail:
    """One sponsorship with what its mails say."""

    sponsorship: Sponsorship
    sponsor: Sponsor | None
    package: SponsorshipPackage | None
    submitter: User | None
    contacts: list[SponsorContact]
    benefits: list[SponsorBenefit]
    features: list[BenefitFeature] = field(default_factory=list)

    @property
    def sponsor_name(self) -> str:
        return self.sponsor.name if self.sponsor is not None else f"sponsorship {self.sponsorship.id}"

    def benefit_name(self, benefit: SponsorBenefit) -> str:
        name = benefit.name
        for feature in self.features:
            if feature.sponsor_benefit_id == benefit.id and feature.kind == TIERED_BENEFIT:
                name = f"{name} ({feature.display_label or feature.quantity})"
        return name

    @property
    def required_assets(self) -> list[BenefitFeature]:
        return [f for f in self.features if f.kind in REQUIRED_ASSET_KINDS]


async def load_sponsorship_mail(tx: AsyncSession, sponsorship_id: int) -> SponsorshipMail:
    sponsorship = await tx.get(Sponsorship, sponsorship_id)
    if sponsorship is None:
        raise NotFoundException(f"No sponsorship with id {sponsorship_id}.")
    benefits = list(
        await tx.scalars(
            select(SponsorBenefit)
            .where(SponsorBenefit.sponsorship_id == sponsorship.id)
            .order_by(SponsorBenefit.order, SponsorBenefit.id)
        )
    )
    features = list(
        await tx.scalars(
            select(BenefitFeature)
            .where(BenefitFeature.sponsor_benefit_id.in_([b.id for b in benefits]))
            .order_by(BenefitFeature.id)
        )
    )
    return SponsorshipMail(
        sponsorship=sponsorship,
        sponsor=await tx.get(Sponsor, sponsorship.sponsor_id) if sponsorship.sponsor_id else None,
        package=await tx.get(SponsorshipPackage, sponsorship.package_id) if sponsorship.package_id else None,
        submitter=await tx.get(User, sponsorship.submitted_by_id) if sponsorship.submitted_by_id else None,
        contacts=await sponsor_contacts(tx, sponsorship.sponsor_id),
        benefits=benefits,
        features=features,
    )


def site(mail: MailContext) -> str:
    return mail.settings.site_url.rstrip("/")


def dashboard_url(mail: MailContext, sponsorship_id: int) -> str:
    """The sponsorship's dashboard page (python.org's ``/users/sponsorships/<pk>/``; a static
    site has one page for every sponsorship, which reads ``?id=``)."""
    return f"{site(mail)}/users/sponsorships/detail/?id={sponsorship_id}"


def assets_url(mail: MailContext, sponsorship_id: int, feature_id: int | None = None) -> str:
    """python.org's ``user_edit_url``: the required-assets form, at one asset when given."""
    query = f"&required_asset={feature_id}" if feature_id is not None else ""
    return f"{site(mail)}/users/sponsorships/assets/?id={sponsorship_id}{query}"


def staff_url(mail: MailContext, sponsorship_id: int) -> str:
    return f"{site(mail)}/api/v3/sponsors/sponsorships/{sponsorship_id}"


def fee_text(sponsorship: Sponsorship) -> str:
    customised = sponsorship.for_modified_package and sponsorship.status not in (APPROVED, FINALIZED)
    if sponsorship.sponsorship_fee is None or customised:
        return "to be agreed (customised package)"
    return f"${sponsorship.sponsorship_fee:,}"


def summary(data: SponsorshipMail) -> str:
    """The full sponsorship (python.org's ``full_sponsorship`` partial, written out)."""
    s, sponsor = data.sponsorship, data.sponsor
    package = level_name(s, data.package) or "none (benefits chosen one by one)"
    if s.for_modified_package:
        package += " (customised)"
    lines = [
        "SPONSORSHIP",
        f"  Sponsor:      {data.sponsor_name}",
        f"  Year:         {s.year or ''}",
        f"  Package:      {package}",
        f"  Fee:          {fee_text(s)}",
        f"  Status:       {s.status}",
        f"  Applied on:   {day(s.applied_on)}",
    ]
    if s.start_date or s.end_date:
        lines.append(f"  Period:       {day(s.start_date)} to {day(s.end_date)}")
    if data.submitter is not None:
        lines.append(f"  Submitted by: {data.submitter.username} <{data.submitter.email}>")
    if sponsor is not None:
        address = ", ".join(
            part
            for part in (
                sponsor.mailing_address_line_1,
                sponsor.mailing_address_line_2,
                sponsor.city,
                sponsor.state,
                sponsor.postal_code,
                sponsor.country,
            )
            if part
        )
        lines += ["", "SPONSOR", f"  Name:         {sponsor.name}"]
        lines += [f"  Website:      {sponsor.landing_page_url}"] if sponsor.landing_page_url else []
        lines += [f"  Phone:        {sponsor.primary_phone}"] if sponsor.primary_phone else []
        lines += [f"  Address:      {address}"] if address else []
        if sponsor.description:
            lines += ["  Description:", *(f"    {line}" for line in sponsor.description.splitlines())]
        for contact in data.contacts:
            roles = ", ".join(t for t in CONTACT_TYPES if getattr(contact, t)) or "contact"
            lines.append(f"  Contact:      {contact.name} <{contact.email}> ({roles})")
    lines += ["", "BENEFITS"]
    lines += [f"  - {b.program_name} - {data.benefit_name(b)}" for b in data.benefits] or ["  (none)"]
    return "\n".join(lines) + "\n"


def queue_mail(
    tx: AsyncSession,
    mail: MailContext,
    to: Sequence[str],
    subject: str,
    text: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    mailing.queue_email(
        tx,
        mail,
        to=to,
        subject=subject,
        text=text,
        from_email=mail.settings.sponsorship_notification_from_email,
        attachments=attachments,
    )
