"""The configuration of a year: programs, packages, legal clauses, benefits with their links, the
current year, and the feature configurations (one row per polymorphic pair; the feature columns
are shared with ``sponsorships.convert_feature``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert

from pydotorg.core.changes import Change
from pydotorg.core.importing import ImportContext, RowError, sync_links
from pydotorg.domains.sponsors.importers.values import (
    change_kind,
    choice_field,
    claim,
    date_field,
    int_field,
    kind_of,
    nullable_field,
    nullable_int_field,
    path_field,
    reference,
    text_field,
    year_field,
)
from pydotorg.domains.sponsors.models import (
    ASSET_FEATURE_KINDS,
    EMAIL_TARGETABLE,
    LOGO_PLACEMENT,
    LOGO_PLACES,
    PROVIDED_ASSET_KINDS,
    PROVIDED_FILE,
    PROVIDED_TEXT,
    PUBLISHERS,
    RELATED_TO,
    REQUIRED_ASSET_KINDS,
    REQUIRED_IMG,
    REQUIRED_RESPONSE,
    REQUIRED_TEXT,
    TIERED_BENEFIT,
    BenefitFeatureConfiguration,
    LegalClause,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_conflicts,
    benefit_legal_clauses,
    benefit_packages,
)

# python.org's child models of both feature families, and the kind each becomes.
_FEATURE_MODELS = {
    "logoplacement": LOGO_PLACEMENT,
    "tieredbenefit": TIERED_BENEFIT,
    "emailtargetable": EMAIL_TARGETABLE,
    "requiredimgasset": REQUIRED_IMG,
    "requiredtextasset": REQUIRED_TEXT,
    "requiredresponseasset": REQUIRED_RESPONSE,
    "providedtextasset": PROVIDED_TEXT,
    "providedfileasset": PROVIDED_FILE,
}
CONFIGURATION_KINDS = {f"sponsors.{model}configuration": kind for model, kind in _FEATURE_MODELS.items()}
FEATURE_KINDS = {f"sponsors.{model}": kind for model, kind in _FEATURE_MODELS.items()}

# Every feature column with the value a kind that does not use it holds: each row names them all,
# so a row whose kind changed keeps nothing of its old kind.
_FEATURE_BLANK: dict[str, Any] = {
    "publisher": None,
    "logo_place": None,
    "link_to_sponsors_page": False,
    "describe_as_sponsor": False,
    "package_id": None,
    "quantity": None,
    "display_label": "",
    "related_to": None,
    "internal_name": None,
    "label": "",
    "help_text": "",
    "due_date": None,
    "min_width": None,
    "max_width": None,
    "min_height": None,
    "max_height": None,
    "max_length": None,
    "shared": False,
    "shared_text": "",
    "shared_file": "",
}


async def convert_program(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "order": int_field(fields, "order", default=0),
        "name": text_field(fields, "name", 64, required=True),
        "description": nullable_field(fields, "description"),
    }


async def convert_package(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    slug, year = text_field(fields, "slug", 64, required=True), year_field(fields)
    await claim(ctx, SponsorshipPackage, {"slug": slug, "year": year}, int(pk), "slug and year")
    return {
        "id": int(pk),
        "order": int_field(fields, "order", default=0),
        "name": text_field(fields, "name", 64, required=True),
        "sponsorship_amount": int_field(fields, "sponsorship_amount"),
        "advertise": bool(fields.get("advertise", False)),
        "logo_dimension": int_field(fields, "logo_dimension", default=175),
        "slug": slug,
        "year": year,
        "allow_a_la_carte": bool(fields.get("allow_a_la_carte", True)),
    }


async def convert_legal_clause(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "order": int_field(fields, "order", default=0),
        "internal_name": text_field(fields, "internal_name", 1024, required=True),
        "clause": text_field(fields, "clause", required=True),
        "notes": text_field(fields, "notes"),
    }


async def convert_benefit(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "order": int_field(fields, "order", default=0),
        "name": text_field(fields, "name", 1024, required=True),
        "description": nullable_field(fields, "description"),
        "program_id": await reference(
            ctx, SponsorshipProgram, fields.get("program"), "program", required=True
        ),
        **{
            name: bool(fields.get(name, False))
            for name in ("package_only", "new", "unavailable", "standalone")
        },
        "internal_description": text_field(fields, "internal_description"),
        "internal_value": nullable_int_field(fields, "internal_value"),
        "capacity": nullable_int_field(fields, "capacity"),
        "soft_capacity": bool(fields.get("soft_capacity", False)),
        "year": year_field(fields),
    }


def symmetric_conflicts(objects: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Each benefit's conflicts completed with the benefits that list it (Django stores both
    directions of a symmetrical many-to-many; a hand-made dump may hold one)."""
    listed_by: dict[Any, set[Any]] = defaultdict(set)
    for obj in objects:
        for other in (obj.get("fields") or {}).get("conflicts") or []:
            listed_by[other].add(obj.get("pk"))
    out: list[Mapping[str, Any]] = []
    for obj in objects:
        fields = dict(obj.get("fields") or {})
        fields["conflicts"] = sorted({*(fields.get("conflicts") or []), *listed_by.get(obj.get("pk"), ())})
        out.append({**obj, "fields": fields})
    return out


async def link_benefit(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> int:
    """The benefit's packages, legal clauses and conflicts (both directions)."""
    benefit = int(pk)
    packages = {
        await reference(ctx, SponsorshipPackage, v, "package", required=True)
        for v in fields.get("packages") or []
    }
    clauses = {
        await reference(ctx, LegalClause, v, "legal clause", required=True)
        for v in fields.get("legal_clauses") or []
    }
    conflicts = {
        await reference(ctx, SponsorshipBenefit, v, "conflicting benefit", required=True)
        for v in fields.get("conflicts") or []
    }
    changed = await sync_links(ctx, benefit_packages, "benefit_id", benefit, "package_id", packages)
    changed += await sync_links(ctx, benefit_legal_clauses, "benefit_id", benefit, "legal_clause_id", clauses)
    changed += await sync_links(ctx, benefit_conflicts, "benefit_id", benefit, "conflicting_id", conflicts)
    # A conflicting benefit outside this import gets the other direction here (imported ones
    # were completed by symmetric_conflicts and sync their own).
    imported = ctx.seen[SponsorshipBenefit.__tablename__]
    held = ctx.links[(benefit_conflicts.name, "benefit_id")]
    for other in conflicts - imported:
        changed += await sync_links(
            ctx, benefit_conflicts, "benefit_id", other, "conflicting_id", held[other] | {benefit}
        )
    if changed:  # what the benefit offers changed even when its own row did not
        domain, kind = change_kind(SponsorshipBenefit)
        await ctx.session.execute(
            insert(Change), {"domain": domain, "kind": kind, "object_id": str(benefit), "action": "updated"}
        )
    return changed


async def convert_current_year(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """python.org's singleton, whatever its pk, is our row 1."""
    others = ctx.seen[SponsorshipCurrentYear.__tablename__ + ":pk"] - {pk}
    if others:
        raise RowError(f"there is one current year; row {sorted(others, key=str)[0]} is it already")
    ctx.seen[SponsorshipCurrentYear.__tablename__ + ":pk"].add(pk)
    return {"id": 1, "year": year_field(fields, required=True)}


async def feature_columns(
    pk: Any, fields: Mapping[str, Any], ctx: ImportContext, kinds: Mapping[str, str], family: str
) -> dict[str, Any]:
    """The columns every kind shares, from a merged configuration or feature row."""
    kind = kind_of(pk, fields, kinds, family)
    row: dict[str, Any] = {**_FEATURE_BLANK, "kind": kind}
    if kind == LOGO_PLACEMENT:
        row |= {
            "publisher": choice_field(fields, "publisher", PUBLISHERS),
            "logo_place": choice_field(fields, "logo_place", LOGO_PLACES),
            "link_to_sponsors_page": bool(fields.get("link_to_sponsors_page", False)),
            "describe_as_sponsor": bool(fields.get("describe_as_sponsor", False)),
        }
    elif kind == TIERED_BENEFIT:
        row |= {
            "package_id": await reference(
                ctx, SponsorshipPackage, fields.get("package"), "package", required=True
            ),
            "quantity": int_field(fields, "quantity"),
            "display_label": text_field(fields, "display_label", 32),
        }
    elif kind in ASSET_FEATURE_KINDS:
        row |= {
            "related_to": choice_field(fields, "related_to", RELATED_TO),
            "internal_name": text_field(fields, "internal_name", 128, required=True),
            "label": text_field(fields, "label", 256, required=True),
            "help_text": text_field(fields, "help_text", 256),
        }
    if kind in REQUIRED_ASSET_KINDS:
        row["due_date"] = date_field(fields, "due_date")
    if kind == REQUIRED_IMG:
        for axis in ("width", "height"):
            low, high = int_field(fields, f"min_{axis}"), int_field(fields, f"max_{axis}")
            if high < low:
                raise RowError(f"max_{axis} {high} is below min_{axis} {low}")
            row |= {f"min_{axis}": low, f"max_{axis}": high}
    elif kind == REQUIRED_TEXT:
        row["max_length"] = nullable_int_field(fields, "max_length", minimum=1)
    elif kind in PROVIDED_ASSET_KINDS:
        row["shared"] = bool(fields.get("shared", False))
        if kind == PROVIDED_TEXT:
            row["shared_text"] = text_field(fields, "shared_text")
        else:
            row["shared_file"] = path_field(fields, "shared_file")
    return row


async def convert_configuration(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    row = await feature_columns(pk, fields, ctx, CONFIGURATION_KINDS, "benefit feature configuration")
    if row["internal_name"] is not None:  # python.org's uniq_*_asset_cfg
        where = {"kind": row["kind"], "internal_name": row["internal_name"]}
        await claim(ctx, BenefitFeatureConfiguration, where, int(pk), "kind and internal_name")
    benefit = await reference(ctx, SponsorshipBenefit, fields.get("benefit"), "benefit", required=True)
    return {"id": int(pk), "benefit_id": benefit, **row}
