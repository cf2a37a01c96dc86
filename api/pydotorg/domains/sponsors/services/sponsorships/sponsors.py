"""A user's sponsors and python.org's sponsor edit page: the fields (not the name), the contacts
(1-5, at least one primary) and the logos."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import add_after_commit
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, visible_or_404
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Upload
from pydotorg.domains.sponsors.models import (
    CHANGE_SPONSOR,
    IN_PROGRESS,
    Sponsor,
    SponsorContact,
    Sponsorship,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.placements import sponsor_contacts
from pydotorg.domains.sponsors.services.sponsorships.dashboard import visible_to
from pydotorg.domains.sponsors.services.sponsorships.rules import (
    Logos,
    clean_sponsor_values,
    contacts_errors,
    make_contact,
    sponsor_fields_errors,
    store_logos,
    verified_emails,
)


async def my_sponsors(tx: AsyncSession, principal: Principal) -> list[tuple[Sponsor, bool]]:
    """The sponsors the caller is a contact of (step 2's chooser), each with whether it has an
    application in progress (then it cannot apply again)."""
    in_progress = (
        select(Sponsorship.id)
        .where(Sponsorship.sponsor_id == Sponsor.id, Sponsorship.status.in_(IN_PROGRESS))
        .exists()
    )
    rows = await tx.execute(
        select(Sponsor, in_progress)
        .where(
            Sponsor.id.in_(
                select(SponsorContact.sponsor_id).where(SponsorContact.user_id == principal.user_id)
            )
        )
        .order_by(Sponsor.name, Sponsor.id)
    )
    return [(sponsor, bool(busy)) for sponsor, busy in rows]


async def get_sponsor(tx: AsyncSession, principal: Principal, sponsor_id: int) -> Sponsor:
    """A sponsor of one of the caller's visible sponsorships (python.org's edit page), or any with
    ``sponsors.change_sponsor``; 404 otherwise."""
    stmt = select(Sponsor).where(Sponsor.id == sponsor_id)
    if not principal.has_perm(CHANGE_SPONSOR):
        stmt = stmt.where(Sponsor.id.in_(select(Sponsorship.sponsor_id).where(visible_to(principal))))
    return visible_or_404(await tx.scalar(stmt), f"No sponsor with id {sponsor_id}.")


async def update_sponsor(
    tx: AsyncSession, principal: Principal, sponsor: Sponsor, data: Mapping[str, Any]
) -> Sponsor:
    """python.org's ``SponsorUpdateForm``: the sponsor's fields (not its name) and its contacts.
    A ``contacts`` list is the whole set: listed ids are changed, entries without id added, the
    others deleted. A contact whose address changes keeps its account link only if the address
    is still that account's; a new address that is the caller's verified one links the caller."""
    values = clean_sponsor_values({k: v for k, v in data.items() if k != "contacts"})
    errors = sponsor_fields_errors(values, "")
    contacts = data.get("contacts")
    existing = {c.id: c for c in await sponsor_contacts(tx, sponsor.id)}
    if contacts is not None:
        errors.update(contacts_errors(contacts))
        for index, contact in enumerate(contacts):
            if contact.get("id") is not None and contact["id"] not in existing:
                errors[f"contacts[{index}].id"] = [f"The sponsor has no contact with id {contact['id']}."]
        ids = [c["id"] for c in contacts if c.get("id") is not None]
        if len(ids) != len(set(ids)):
            errors["contacts"] = ["A contact is listed twice."]
    if errors:
        raise ValidationFailed(errors)
    changed = assign_changed(sponsor, values)
    if contacts is not None:
        emails = await verified_emails(tx, principal.user_id)
        kept = {c["id"] for c in contacts if c.get("id") is not None}
        for contact_id, contact in existing.items():
            if contact_id not in kept:
                await tx.delete(contact)
        for entry in contacts:
            fresh = make_contact(sponsor.id, entry, emails, principal.user_id)
            if entry.get("id") is None:
                tx.add(fresh)
                changed = True
                continue
            contact = existing[entry["id"]]
            user_id = contact.user_id if contact.email.lower() == fresh.email.lower() else fresh.user_id
            changed |= assign_changed(
                contact,
                {
                    "name": fresh.name,
                    "email": fresh.email,
                    "phone": fresh.phone,
                    "primary": fresh.primary,
                    "administrative": fresh.administrative,
                    "accounting": fresh.accounting,
                    "user_id": user_id,
                },
            )
        changed |= bool(set(existing) - kept)
    await tx.flush()
    if changed:
        await _audit_sponsor_if_staff(tx, principal, sponsor, "sponsor.update")
    return sponsor


async def _audit_sponsor_if_staff(
    tx: AsyncSession, principal: Principal, sponsor: Sponsor, action: str
) -> None:
    """A change made through ``sponsors.change_sponsor`` (not as the sponsor) is a staff write."""
    if not principal.has_perm(CHANGE_SPONSOR):
        return
    mine = await tx.scalar(
        select(Sponsorship.id).where(Sponsorship.sponsor_id == sponsor.id, visible_to(principal)).limit(1)
    )
    if mine is None:
        await audit.record(tx, principal, action, object_kind="sponsor", object_id=sponsor.id)


async def replace_logo(
    tx: AsyncSession, principal: Principal, sponsor: Sponsor, logo: str, upload: Upload, storage: Storage
) -> Sponsor:
    """A new web, white or print logo (named after the sponsor); the one it replaces is removed
    after the commit."""
    old = getattr(sponsor, logo)
    stored = await store_logos(tx, sponsor, Logos(**{logo: upload}), storage)
    try:
        await tx.flush()
        await _audit_sponsor_if_staff(tx, principal, sponsor, "sponsor.logo")
    except BaseException:
        for name in stored:
            await storage.delete(name)
        raise
    if old:
        add_after_commit(tx, functools.partial(storage.delete, old))
    return sponsor
