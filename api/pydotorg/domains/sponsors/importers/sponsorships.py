"""Sponsors and what they hold: sponsors, contacts, sponsorships, their copies of benefits, the
features made from the configurations, assets (one row per polymorphic pair, the generic owner as
two columns), contracts and the staff's e-mail templates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, RowError, parse_dt
from pydotorg.domains.sponsors.importers.configuration import FEATURE_KINDS, feature_columns
from pydotorg.domains.sponsors.importers.values import (
    PATH_LIMIT,
    choice_field,
    claim,
    content_type_label,
    date_field,
    int_field,
    kind_of,
    link_field,
    nullable_field,
    nullable_int_field,
    optional_field,
    path_field,
    reference,
    text_field,
    year_field,
)
from pydotorg.domains.sponsors.models import (
    CONTRACT_STATUSES,
    FILE_ASSET,
    IMG_ASSET,
    IN_PROGRESS,
    RESPONSE_ASSET,
    RESPONSES,
    SPONSORSHIP_STATUSES,
    TEXT_ASSET,
    Contract,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipPackage,
    SponsorshipProgram,
)

# python.org's GenericAsset subclasses, and the kind each becomes.
ASSET_KINDS = {
    "sponsors.imgasset": IMG_ASSET,
    "sponsors.textasset": TEXT_ASSET,
    "sponsors.fileasset": FILE_ASSET,
    "sponsors.responseasset": RESPONSE_ASSET,
}
# The field holding the storage path of the image and file assets.
FILE_FIELDS = {IMG_ASSET: "image", FILE_ASSET: "file"}


async def convert_sponsor(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    countries = {}
    for name in ("country", "country_of_incorporation"):
        code = text_field(fields, name, 2).upper()
        if code and not (len(code) == 2 and code.isalpha()):
            raise RowError(f"{name} {code!r} is not an ISO 3166 alpha-2 code")
        countries[name] = code
    return {
        "id": int(pk),
        "name": text_field(fields, "name", 100, required=True),
        "description": text_field(fields, "description"),
        "landing_page_url": link_field(fields, "landing_page_url"),
        "twitter_handle": nullable_field(fields, "twitter_handle", 32),
        "linked_in_page_url": link_field(fields, "linked_in_page_url"),
        "web_logo": path_field(fields, "web_logo"),
        "white_logo": optional_field(fields, "white_logo", PATH_LIMIT),
        "print_logo": optional_field(fields, "print_logo", PATH_LIMIT),
        "primary_phone": text_field(fields, "primary_phone", 32),
        "mailing_address_line_1": text_field(fields, "mailing_address_line_1", 128),
        "mailing_address_line_2": text_field(fields, "mailing_address_line_2", 128),
        "city": text_field(fields, "city", 64),
        "state": text_field(fields, "state", 64),
        "postal_code": text_field(fields, "postal_code", 64),
        "country": countries["country"],
        "country_of_incorporation": countries["country_of_incorporation"] or None,
        "state_of_incorporation": nullable_field(fields, "state_of_incorporation", 64),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


async def convert_contact(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    email = text_field(fields, "email", 256, required=True)
    if "@" not in email:
        raise RowError(f"email {email[:100]!r} is not an e-mail address")
    return {
        "id": int(pk),
        "sponsor_id": await reference(ctx, Sponsor, fields.get("sponsor"), "sponsor", required=True),
        "user_id": await ctx.user_id(fields.get("user")),
        **{
            name: bool(fields.get(name, False))
            for name in ("primary", "administrative", "accounting", "manager")
        },
        "name": text_field(fields, "name", 100, required=True),
        "email": email,
        "phone": text_field(fields, "phone", 32),
    }


def referenced_first(field: str) -> Callable[[list[Mapping[str, Any]]], list[Mapping[str, Any]]]:
    """Order rows so the row a self-reference ``field`` points at is converted first."""

    def prepare(objects: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        by_pk = {obj.get("pk"): obj for obj in objects}
        out: list[Mapping[str, Any]] = []
        placed: set[Any] = set()
        for obj in objects:
            chain, pk = [], obj.get("pk")
            while pk in by_pk and pk not in placed and pk not in chain:
                chain.append(pk)
                pk = (by_pk[pk].get("fields") or {}).get(field)
            for pk in reversed(chain):
                placed.add(pk)
                out.append(by_pk[pk])
        return out

    return prepare


async def convert_sponsorship(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    sponsorship_id = int(pk)
    status = choice_field(fields, "status", SPONSORSHIP_STATUSES)
    sponsor = await reference(ctx, Sponsor, fields.get("sponsor"), "sponsor")
    if sponsor is not None and status in IN_PROGRESS:  # one application in progress per sponsor
        in_progress = Sponsorship.__table__.c.status.in_(IN_PROGRESS)
        what = "application in progress of sponsor"
        await claim(ctx, Sponsorship, {"sponsor_id": sponsor}, sponsorship_id, what, in_progress)
    start, end = date_field(fields, "start_date"), date_field(fields, "end_date")
    if start is not None and end is not None and start >= end:
        raise RowError("start_date is not before end_date")
    renewal = fields.get("renewal")
    row = {
        "id": sponsorship_id,
        "submitted_by_id": await ctx.user_id(fields.get("submited_by")),
        "sponsor_id": sponsor,
        "status": status,
        "locked": bool(fields.get("locked", False)),
        "start_date": start,
        "end_date": end,
        **{name: date_field(fields, name) for name in ("approved_on", "rejected_on", "finalized_on")},
        "year": year_field(fields),
        "for_modified_package": bool(fields.get("for_modified_package", False)),
        "level_name_old": text_field(fields, "level_name_old", 64),
        "package_id": await reference(ctx, SponsorshipPackage, fields.get("package"), "package"),
        "sponsorship_fee": nullable_int_field(fields, "sponsorship_fee"),
        "overlapped_by_id": await reference(
            ctx, Sponsorship, fields.get("overlapped_by"), "overlapping sponsorship"
        ),
        "renewal": None if renewal is None else bool(renewal),
    }
    # Left out when the dump lacks it: "today" on insert, kept on later runs.
    if (applied_on := date_field(fields, "applied_on")) is not None:
        row["applied_on"] = applied_on
    return row


async def convert_sponsor_benefit(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "order": int_field(fields, "order", default=0),
        "sponsorship_id": await reference(
            ctx, Sponsorship, fields.get("sponsorship"), "sponsorship", required=True
        ),
        "sponsorship_benefit_id": await reference(
            ctx, SponsorshipBenefit, fields.get("sponsorship_benefit"), "benefit"
        ),
        "program_name": text_field(fields, "program_name", 1024),
        "name": text_field(fields, "name", 1024, required=True),
        "description": text_field(fields, "description"),
        "program_id": await reference(ctx, SponsorshipProgram, fields.get("program"), "program"),
        "benefit_internal_value": nullable_int_field(fields, "benefit_internal_value"),
        "added_by_user": bool(fields.get("added_by_user", False)),
        "standalone": bool(fields.get("standalone", False)),
    }


async def convert_feature(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    row = await feature_columns(pk, fields, ctx, FEATURE_KINDS, "benefit feature")
    sponsor_benefit = await reference(
        ctx, SponsorBenefit, fields.get("sponsor_benefit"), "sponsor benefit", required=True
    )
    return {"id": int(pk), "sponsor_benefit_id": sponsor_benefit, **row}


async def _owner(fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, int | None]:
    """A generic foreign key to a sponsor or a sponsorship as our two owner columns."""
    value = fields.get("content_type")
    named = content_type_label(value)
    if named is None:
        raise RowError(
            f"content_type {value!r} is not a natural key; dump with --natural-foreign "
            "(['sponsors', 'sponsor'] or ['sponsors', 'sponsorship'])"
        )
    owners = {
        "sponsors.sponsor": (Sponsor, "sponsor_id"),
        "sponsors.sponsorship": (Sponsorship, "sponsorship_id"),
    }
    if named not in owners:
        raise RowError(f"content_type {named} is neither sponsors.sponsor nor sponsors.sponsorship")
    model, column = owners[named]
    owner = await reference(ctx, model, fields.get("object_id"), named.split(".")[1], required=True)
    return {"sponsor_id": None, "sponsorship_id": None, column: owner}


async def convert_asset(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    asset_id = int(pk)
    kind = kind_of(pk, fields, ASSET_KINDS, "generic asset")
    try:
        asset_uuid = uuid.UUID(str(fields.get("uuid")))
    except ValueError:
        raise RowError(f"uuid {fields.get('uuid')!r} is not a UUID") from None
    owner = await _owner(fields, ctx)
    internal_name = text_field(fields, "internal_name", 128, required=True)
    await claim(ctx, SponsorAsset, {"uuid": asset_uuid}, asset_id, "uuid")
    held_by = {k: v for k, v in owner.items() if v is not None}
    await claim(
        ctx, SponsorAsset, {**held_by, "internal_name": internal_name}, asset_id, "owner and internal_name"
    )
    response = fields.get("response") if kind == RESPONSE_ASSET else None
    if response is not None and response not in RESPONSES:
        raise RowError(f"response {response!r} is not one of {', '.join(RESPONSES)}")
    return {
        "id": asset_id,
        "uuid": asset_uuid,
        "kind": kind,
        **owner,
        "internal_name": internal_name,
        "text": text_field(fields, "text") if kind == TEXT_ASSET else "",
        "file": path_field(fields, FILE_FIELDS[kind]) if kind in FILE_FIELDS else "",
        "response": response,
    }


async def convert_contract(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    sponsorship = await reference(ctx, Sponsorship, fields.get("sponsorship"), "sponsorship")
    if sponsorship is not None:
        await claim(ctx, Contract, {"sponsorship_id": sponsorship}, int(pk), "sponsorship")
    row = {
        "id": int(pk),
        "status": choice_field(fields, "status", CONTRACT_STATUSES),
        "revision": int_field(fields, "revision", default=0),
        **{name: path_field(fields, name) for name in ("document", "document_docx", "signed_document")},
        "sponsorship_id": sponsorship,
        "sponsor_info": text_field(fields, "sponsor_info"),
        "sponsor_contact": text_field(fields, "sponsor_contact"),
        "benefits_list": text_field(fields, "benefits_list"),
        "legal_clauses": text_field(fields, "legal_clauses"),
        "sent_on": date_field(fields, "sent_on"),
    }
    for name in ("created_on", "last_update"):  # left out when missing: "today", then kept
        if (day := date_field(fields, name)) is not None:
            row[name] = day
    return row


async def convert_email_template(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    row = {
        "id": int(pk),
        "internal_name": text_field(fields, "internal_name", 128, required=True),
        "subject": text_field(fields, "subject", 128, required=True),
        "content": text_field(fields, "content"),
    }
    for name in ("created_at", "updated_at"):  # left out when missing: "now", then kept
        if (when := parse_dt(fields.get(name))) is not None:
            row[name] = when
    return row
