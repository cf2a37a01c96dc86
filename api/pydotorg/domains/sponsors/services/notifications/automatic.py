"""The notifications other sponsors services send after their writes (new application,
rejection, contract sent) and the required-asset deadline reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.mail import Attachment
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import (
    REJECTED,
    REQUIRED_ASSET_KINDS,
    REQUIRED_IMG,
    REQUIRED_RESPONSE,
    BenefitFeature,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
)
from pydotorg.domains.sponsors.services.notifications.messages import (
    RULE,
    SIGNATURE,
    assets_url,
    dashboard_url,
    day,
    level_name,
    load_sponsorship_mail,
    queue_mail,
    staff_url,
    summary,
    verified_emails,
)

DEFAULT_DUE_DAYS = 7

# --- the automatic notifications -----------------------------------------------------------------


async def notify_new_application(tx: AsyncSession, mail: MailContext, sponsorship_id: int) -> list[str]:
    """A new application: the PSF is told (with the staff link), and the applicant thanked.
    Returns the applicant's addresses the thanks goes to (the finished page names them)."""
    data = await load_sponsorship_mail(tx, sponsorship_id)
    s = data.sponsorship
    to_psf = (
        f"{data.sponsor_name} applied to sponsor the PSF"
        f"{f' ({level_name(s, data.package)} package)' if level_name(s, data.package) else ''}.\n\n"
        f"Review it (staff): {staff_url(mail, s.id)}\n\n{RULE}\n\n{summary(data)}"
    )
    queue_mail(
        tx,
        mail,
        [mail.settings.sponsorship_notification_to_email],
        f"New sponsorship application from {data.sponsor_name}",
        to_psf,
    )
    if s.for_modified_package:
        next_step = (
            "We will contact you within 2 business days to discuss finalizing your customized "
            "sponsorship package."
        )
    else:
        next_step = "We will send you a contract reflecting the details of your sponsorship."
    assets = ""
    if data.required_assets:
        links = "\n".join(f"- {f.label}: {assets_url(mail, s.id, f.id)}" for f in data.required_assets)
        assets = (
            "One or more of the benefits you selected need more information from you. These are "
            f"the required assets, with links to submit them:\n\n{links}\n\n"
        )
    to_applicant = (
        f"Dear {data.sponsor_name},\n\n"
        f"Thank you for submitting your sponsorship application. {next_step}\n\n"
        "You can review your full application and the list of benefits you will receive below, "
        f"and follow it at {dashboard_url(mail, s.id)}\n\n"
        f"{assets}{SIGNATURE}\n{RULE}\n\n{summary(data)}"
    )
    applicants = await verified_emails(tx, s)
    queue_mail(
        tx,
        mail,
        applicants,
        "Thank you for applying to sponsor the Python Software Foundation",
        to_applicant,
    )
    return applicants


async def notify_rejection(tx: AsyncSession, mail: MailContext, sponsorship_id: int) -> None:
    """A rejected application: the PSF's record of it, and a courteous word to the applicant."""
    data = await load_sponsorship_mail(tx, sponsorship_id)
    s = data.sponsorship
    rejected_on = day(s.rejected_on or utcnow().date())
    to_psf = (
        f"The sponsorship application from {data.sponsor_name} was rejected on {rejected_on}.\n\n"
        f"Staff view: {staff_url(mail, s.id)}\n\n{RULE}\n\n{summary(data)}"
    )
    queue_mail(
        tx,
        mail,
        [mail.settings.sponsorship_notification_to_email],
        f"Sponsorship application from {data.sponsor_name} rejected",
        to_psf,
    )
    to_applicant = (
        f"Dear {data.sponsor_name},\n\n"
        "Thank you for your interest in sponsoring the Python Software Foundation. After "
        "reviewing your sponsorship application, we are unable to accept it as submitted.\n\n"
        "If you would like to discuss the decision or a different sponsorship, please reply "
        f"to this message or write to {mail.settings.sponsorship_notification_from_email}; we "
        "will be glad to help.\n\n"
        f"{SIGNATURE}\n{RULE}\n\n{summary(data)}"
    )
    queue_mail(
        tx,
        mail,
        await verified_emails(tx, s),
        "Your application to sponsor the Python Software Foundation",
        to_applicant,
    )


async def notify_contract_sent(
    tx: AsyncSession,
    mail: MailContext,
    sponsorship_id: int,
    pdf: bytes,
    filename: str = "Contract.pdf",
) -> None:
    """A contract was sent: the PSF receives the statement of work as a PDF attachment."""
    data = await load_sponsorship_mail(tx, sponsorship_id)
    body = (
        f"The contract (statement of work) for the {data.sponsor_name} sponsorship was sent for "
        f"signature; the PDF is attached.\n\nStaff view: {staff_url(mail, sponsorship_id)}\n\n"
        f"{RULE}\n\n{summary(data)}"
    )
    queue_mail(
        tx,
        mail,
        [mail.settings.sponsorship_notification_to_email],
        f"Statement of work for {data.sponsor_name} sent",
        body,
        [Attachment(filename, pdf, "application/pdf")],
    )


def _asset_is_empty(feature: BenefitFeature, asset: SponsorAsset | None) -> bool:
    if asset is None:
        return True
    if feature.kind == REQUIRED_IMG:
        return not asset.file
    if feature.kind == REQUIRED_RESPONSE:
        return not asset.response
    return not asset.text


async def pending_assets_due(tx: AsyncSession, due_date: date) -> dict[int, list[BenefitFeature]]:
    """Sponsorships (not rejected) with a required asset due on ``due_date`` whose value is still
    empty, each with those assets. python.org reminded every sponsorship with an asset due that
    day, fulfilled or not and whatever its status."""
    rows = (
        await tx.execute(
            select(BenefitFeature, Sponsorship)
            .join(SponsorBenefit, SponsorBenefit.id == BenefitFeature.sponsor_benefit_id)
            .join(Sponsorship, Sponsorship.id == SponsorBenefit.sponsorship_id)
            .where(
                BenefitFeature.kind.in_(REQUIRED_ASSET_KINDS),
                BenefitFeature.due_date == due_date,
                Sponsorship.status != REJECTED,
            )
            .order_by(Sponsorship.id, BenefitFeature.id)
        )
    ).all()
    pending: dict[int, list[BenefitFeature]] = {}
    for feature, sponsorship in rows:
        owner = (
            SponsorAsset.sponsor_id == sponsorship.sponsor_id
            if feature.related_to == "sponsor"
            else SponsorAsset.sponsorship_id == sponsorship.id
        )
        asset = await tx.scalar(
            select(SponsorAsset).where(owner, SponsorAsset.internal_name == feature.internal_name)
        )
        if _asset_is_empty(feature, asset):
            pending.setdefault(sponsorship.id, []).append(feature)
    return pending


async def notify_asset_deadline(
    tx: AsyncSession,
    mail: MailContext,
    sponsorship_id: int,
    *,
    days: int,
    due_date: date,
    assets: Sequence[BenefitFeature] = (),
) -> None:
    """The reminder: required assets are due in ``days`` days (on ``due_date``)."""
    data = await load_sponsorship_mail(tx, sponsorship_id)
    listed = assets or data.required_assets
    links = "\n".join(f"- {f.label}: {assets_url(mail, sponsorship_id, f.id)}" for f in listed)
    body = (
        f"Hello {data.sponsor_name} team,\n\n"
        f"Your sponsorship needs one or more assets from you by {day(due_date)} so that we can "
        f"fulfill your benefits:\n\n{links}\n\n"
        f"You can submit them through the following link:\n\n{assets_url(mail, sponsorship_id)}\n\n"
        f"{SIGNATURE}"
    )
    queue_mail(
        tx,
        mail,
        await verified_emails(tx, data.sponsorship),
        f"[Action Required] PSF Sponsor deadline approaching in {days} days",
        body,
    )


async def check_assets_due(
    tx: AsyncSession, mail: MailContext, *, days: int = DEFAULT_DUE_DAYS, today: date | None = None
) -> list[int]:
    """python.org's ``check_sponsorship_assets_due_date``: remind every sponsorship with a
    required asset due exactly ``days`` days from ``today`` and still empty. Returns their ids."""
    due_date = (today or utcnow().date()) + timedelta(days=days)
    pending = await pending_assets_due(tx, due_date)
    for sponsorship_id, assets in pending.items():
        await notify_asset_deadline(tx, mail, sponsorship_id, days=days, due_date=due_date, assets=assets)
    return list(pending)
