"""What the application and the sponsor pages share: python.org's limits and directories, the
400 helper, ISO 3166 countries, the caller's verified addresses, the rules of a sponsor's fields and
contacts, and storing a sponsor's logos under names that never come from the upload."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.storage import Storage, safe_name
from pydotorg.core.uploads import Upload
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    FINALIZED,
    Sponsor,
    SponsorContact,
    SponsorshipProgram,
)
from pydotorg.domains.users.models import EmailAddress

# python.org's SPONSORSHIP_NOTIFICATION_FROM_EMAIL default (the API passes the setting's value).
SPONSORS_EMAIL = "sponsors@python.org"
STANDALONE_SLUG, STANDALONE_NAME = "standalone-only", "Standalone Only"
VISIBLE_STATUSES = (APPLIED, APPROVED, FINALIZED)

# Uploads. Logos and required images are raster images (python.org's ImageField, read by Pillow),
# SVG too for logos (the logo walls use SVG as it is); print logos as python.org's validator.
LOGO_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg"})
PRINT_LOGO_TYPES = frozenset({"eps", "epsf", "epsi", "svg", "png"})
ASSET_IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
MAX_LOGO_BYTES = 3 * 1024 * 1024
MAX_ASSET_IMAGE_BYTES = 5 * 1024 * 1024
LOGO_DIRECTORIES = {
    "web_logo": "sponsor_web_logos",
    "white_logo": "sponsor_white_logos",
    "print_logo": "sponsor_print_logos",
}
ASSET_DIRECTORY = "sponsors-app-assets"


def refuse(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed({field_name: [message]})


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name (IANA's table, shipped in the tzdata package)."""
    table = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            out[code.strip()] = name.strip()
    return out


def country_errors(code: str | None) -> list[str]:
    if code is None or code.upper() in countries():
        return []
    return [f"{code} is not an ISO 3166-1 country code."]


async def program_names(tx: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    rows = await tx.execute(
        select(SponsorshipProgram.id, SponsorshipProgram.name).where(SponsorshipProgram.id.in_(list(ids)))
    )
    return {program_id: name for program_id, name in rows}


# --- sponsors, contacts and logos --------------------------------------------------------------


@dataclass(frozen=True)
class Logos:
    web_logo: Upload | None = None
    white_logo: Upload | None = None
    print_logo: Upload | None = None

    def given(self) -> dict[str, Upload]:
        return {
            k: v
            for k, v in (
                ("web_logo", self.web_logo),
                ("white_logo", self.white_logo),
                ("print_logo", self.print_logo),
            )
            if v is not None
        }


async def verified_emails(tx: AsyncSession, user_id: int) -> set[str]:
    """The caller's verified addresses, lower-cased (what a contact's e-mail is matched to)."""
    rows = await tx.scalars(
        select(EmailAddress.email).where(EmailAddress.user_id == user_id, EmailAddress.verified.is_(True))
    )
    return {e.lower() for e in rows}


def contacts_errors(contacts: Sequence[Mapping[str, Any]], prefix: str = "contacts") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not contacts:
        errors[prefix] = ["You have to enter at least one contact"]
    elif len(contacts) > 5:
        errors[prefix] = ["Please submit at most 5 contacts."]
    elif not any(c.get("primary") for c in contacts):
        errors[prefix] = ["You have to mark at least one contact as the primary one."]
    for index, contact in enumerate(contacts):
        for name in ("name", "email", "phone"):
            if not str(contact.get(name) or "").strip():
                errors[f"{prefix}[{index}].{name}"] = ["This field is required."]
    return errors


def sponsor_fields_errors(values: Mapping[str, Any], prefix: str) -> dict[str, list[str]]:
    """URLs through core/urls.py, countries against ISO 3166, required fields not blank."""
    errors: dict[str, list[str]] = {}
    for name in ("landing_page_url", "linked_in_page_url"):
        value = values.get(name)
        if value and (problems := http_url_errors(value, max_length=200)):
            errors[f"{prefix}{name}"] = problems
    for name in ("country", "country_of_incorporation"):
        if name in values and (problems := country_errors(values[name])):
            errors[f"{prefix}{name}"] = problems
    for name in ("primary_phone", "mailing_address_line_1", "city", "postal_code", "country"):
        if name in values and not str(values[name] or "").strip():
            errors[f"{prefix}{name}"] = ["This field is required."]
    return errors


def clean_sponsor_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if name in ("country", "country_of_incorporation"):
                value = value.upper()
        if (
            name
            in (
                "landing_page_url",
                "linked_in_page_url",
                "twitter_handle",
                "country_of_incorporation",
                "state_of_incorporation",
            )
            and value == ""
        ):
            value = None
        out[name] = value
    return out


def make_contact(sponsor_id: int, data: Mapping[str, Any], emails: set[str], user_id: int) -> SponsorContact:
    email = str(data["email"]).strip()
    return SponsorContact(
        sponsor_id=sponsor_id,
        user_id=user_id if email.lower() in emails else None,
        name=str(data["name"]).strip(),
        email=email,
        phone=str(data["phone"]).strip(),
        primary=bool(data.get("primary")),
        administrative=bool(data.get("administrative")),
        accounting=bool(data.get("accounting")),
    )


async def store_logos(tx: AsyncSession, sponsor: Sponsor, logos: Logos, storage: Storage) -> list[str]:
    """Store each given logo under a name made from the sponsor's name (never the uploaded file's
    name) and set it on the sponsor; the names stored, so a failure can remove them."""
    stored: list[str] = []
    base = slugify(sponsor.name)[:60] or f"sponsor-{sponsor.id}"
    for name, upload in logos.given().items():
        path = await storage.save(
            safe_name(LOGO_DIRECTORIES[name], f"{base}.{upload.extension}"), upload.content
        )
        stored.append(path)
        setattr(sponsor, name, path)
    return stored


def in_progress_message(sponsor: Sponsor, contact_email: str = SPONSORS_EMAIL) -> str:
    """python.org's refusal of a sponsor with an application in progress."""
    return (
        f"The sponsor {sponsor.name} already have open Sponsorship applications. "
        f"Get in contact with {contact_email} to discuss."
    )
