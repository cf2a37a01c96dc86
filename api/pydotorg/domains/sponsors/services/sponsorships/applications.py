"""Step 2 of an application and python.org's ``Sponsorship.new``: an existing sponsor of the caller or
a new one (fields, contacts, logos), the sponsorship and its benefit copies, all in the request's one
transaction. The database's partial unique index on in-progress sponsorships turns a second,
concurrent application into the same 400 as the ordinary check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.storage import Storage
from pydotorg.domains.sponsors.models import (
    APPLIED,
    IN_PROGRESS,
    Sponsor,
    SponsorContact,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services.sponsorships.benefits import copy_benefits
from pydotorg.domains.sponsors.services.sponsorships.rules import (
    SPONSORS_EMAIL,
    STANDALONE_NAME,
    STANDALONE_SLUG,
    Logos,
    clean_sponsor_values,
    contacts_errors,
    in_progress_message,
    make_contact,
    refuse,
    sponsor_fields_errors,
    store_logos,
    verified_emails,
)
from pydotorg.domains.sponsors.services.sponsorships.selection import validate_selection


async def _my_sponsor(tx: AsyncSession, principal: Principal, sponsor_id: int) -> Sponsor:
    sponsor = await tx.scalar(
        select(Sponsor).where(
            Sponsor.id == sponsor_id,
            Sponsor.id.in_(
                select(SponsorContact.sponsor_id).where(SponsorContact.user_id == principal.user_id)
            ),
        )
    )
    if sponsor is None:
        raise refuse("sponsor_id", "Select a valid choice. That choice is not one of the available choices.")
    return sponsor


async def _has_in_progress(tx: AsyncSession, sponsor_id: int) -> bool:
    return bool(
        await tx.scalar(
            select(Sponsorship.id)
            .where(Sponsorship.sponsor_id == sponsor_id, Sponsorship.status.in_(IN_PROGRESS))
            .limit(1)
        )
    )


async def _standalone_package(tx: AsyncSession, year: int) -> SponsorshipPackage:
    """The year's "Standalone Only" package (amount 0), made the first time it is needed."""
    condition = (SponsorshipPackage.slug == STANDALONE_SLUG, SponsorshipPackage.year == year)
    package = await tx.scalar(select(SponsorshipPackage).where(*condition))
    if package is not None:
        return package
    try:
        async with tx.begin_nested():
            package = SponsorshipPackage(
                name=STANDALONE_NAME, slug=STANDALONE_SLUG, year=year, sponsorship_amount=0
            )
            tx.add(package)
    except IntegrityError:  # made by a simultaneous application
        package = await tx.scalar(select(SponsorshipPackage).where(*condition))
        if package is None:
            raise
    return package


async def create_application(
    tx: AsyncSession,
    principal: Principal,
    data: Mapping[str, Any],
    logos: Logos,
    storage: Storage,
    *,
    contact_email: str = SPONSORS_EMAIL,
) -> Sponsorship:
    """Step 2 and python.org's ``Sponsorship.new``. Everything is checked before anything is
    written; the logos are stored last and removed again if the transaction fails here.
    ``contact_email`` is the address the in-progress refusal tells the sponsor to write to."""
    selection = await validate_selection(tx, data)
    sponsor_id, new_sponsor = data.get("sponsor_id"), data.get("sponsor")
    if (sponsor_id is None) == (new_sponsor is None):
        raise refuse(
            "sponsor", "Choose one of your sponsors (sponsor_id) or describe a new sponsor (sponsor)."
        )
    if sponsor_id is not None:
        if logos.given():
            raise refuse(
                next(iter(logos.given())),
                "Logos come with a new sponsor; change an existing sponsor's logos on its page.",
            )
        sponsor = await _my_sponsor(tx, principal, sponsor_id)
        if await _has_in_progress(tx, sponsor.id):
            raise refuse("sponsor_id", in_progress_message(sponsor, contact_email))
    elif new_sponsor is not None:
        values = clean_sponsor_values({k: v for k, v in dict(new_sponsor).items() if k != "contacts"})
        contacts = list(new_sponsor["contacts"])
        errors = sponsor_fields_errors(values, "sponsor.")
        if not values.get("name"):
            errors["sponsor.name"] = ["This field is required."]
        errors.update(contacts_errors(contacts, "sponsor.contacts"))
        if logos.web_logo is None:
            errors["web_logo"] = ["This field is required."]
        if errors:
            raise ValidationFailed(errors)
        sponsor = Sponsor(**values)
        tx.add(sponsor)
        await tx.flush()
        emails = await verified_emails(tx, principal.user_id)
        tx.add_all(make_contact(sponsor.id, c, emails, principal.user_id) for c in contacts)

    package = selection.package
    if package is None and not selection.chosen["benefit_ids"] and not selection.chosen["a_la_carte_ids"]:
        package = await _standalone_package(tx, selection.year)
        selection.customized = True  # a package without these benefits: every one is added
    for_modified_package = package is None or selection.customized
    sponsorship = Sponsorship(
        submitted_by_id=principal.user_id,
        sponsor_id=sponsor.id,
        status=APPLIED,
        level_name_old=package.name if package is not None else "",
        package_id=package.id if package is not None else None,
        sponsorship_fee=package.sponsorship_amount if package is not None else None,
        for_modified_package=for_modified_package,
        year=selection.year,
        applied_on=utcnow().date(),
    )
    try:
        async with tx.begin_nested():
            tx.add(sponsorship)
    except IntegrityError as exc:  # another application of this sponsor got in first
        if "uq_sponsorships_sponsor_in_progress" not in str(exc.orig):
            raise
        raise refuse("sponsor_id", in_progress_message(sponsor, contact_email)) from None
    package_ids = selection.package_benefit_ids if selection.package is not None else set()
    await copy_benefits(
        tx,
        sponsorship,
        selection.benefits,
        added_by_user=lambda b: for_modified_package and b.id not in package_ids,
    )
    if new_sponsor is not None:
        stored = await store_logos(tx, sponsor, logos, storage)
        try:
            await tx.flush()
        except BaseException:
            for name in stored:
                await storage.delete(name)
            raise
    return sponsorship
