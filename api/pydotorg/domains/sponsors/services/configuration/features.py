"""Feature configurations of the eight kinds, each kind with its own fields, validated per kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, delete_record, ensure_unique, get_visible_or_404
from pydotorg.domains.sponsors.models import (
    EMAIL_TARGETABLE,
    LOGO_PLACEMENT,
    PROVIDED_FILE,
    PROVIDED_TEXT,
    REQUIRED_IMG,
    REQUIRED_RESPONSE,
    REQUIRED_TEXT,
    TIERED_BENEFIT,
    BenefitFeatureConfiguration,
    SponsorshipBenefit,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services.configuration.rules import (
    audit_write,
    changed_message,
    require_configuration,
)

# --- feature configurations ------------------------------------------------------------------

_ASSET = ("related_to", "internal_name", "label", "help_text")
# The fields each kind takes (python.org's configuration subclasses), and those it requires.
FEATURE_FIELDS: dict[str, tuple[str, ...]] = {
    LOGO_PLACEMENT: ("publisher", "logo_place", "link_to_sponsors_page", "describe_as_sponsor"),
    TIERED_BENEFIT: ("package_id", "quantity", "display_label"),
    EMAIL_TARGETABLE: (),
    REQUIRED_IMG: (*_ASSET, "due_date", "min_width", "max_width", "min_height", "max_height"),
    REQUIRED_TEXT: (*_ASSET, "due_date", "max_length"),
    REQUIRED_RESPONSE: (*_ASSET, "due_date"),
    PROVIDED_TEXT: (*_ASSET, "shared", "shared_text"),
    PROVIDED_FILE: (*_ASSET, "shared"),
}
REQUIRED_FEATURE_FIELDS: dict[str, tuple[str, ...]] = {
    LOGO_PLACEMENT: ("publisher", "logo_place"),
    TIERED_BENEFIT: ("package_id", "quantity"),
    EMAIL_TARGETABLE: (),
    REQUIRED_IMG: (
        "related_to",
        "internal_name",
        "label",
        "min_width",
        "max_width",
        "min_height",
        "max_height",
    ),
    REQUIRED_TEXT: ("related_to", "internal_name", "label"),
    REQUIRED_RESPONSE: ("related_to", "internal_name", "label"),
    PROVIDED_TEXT: ("related_to", "internal_name", "label"),
    PROVIDED_FILE: ("related_to", "internal_name", "label"),
}
# What a read shows per kind: its fields, plus the shared file of a provided file (uploaded
# elsewhere, not written through these routes).
FEATURE_READ_FIELDS = {**FEATURE_FIELDS, PROVIDED_FILE: (*FEATURE_FIELDS[PROVIDED_FILE], "shared_file")}


async def list_feature_configurations(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    benefit_id: int | None = None,
    kind: str | None = None,
) -> tuple[list[BenefitFeatureConfiguration], ListMeta]:
    require_configuration(principal)
    stmt = select(BenefitFeatureConfiguration).order_by(
        BenefitFeatureConfiguration.benefit_id, BenefitFeatureConfiguration.id
    )
    if benefit_id is not None:
        stmt = stmt.where(BenefitFeatureConfiguration.benefit_id == benefit_id)
    if kind is not None:
        stmt = stmt.where(BenefitFeatureConfiguration.kind == kind)
    return await paginate(session, stmt, limit, offset)


async def get_feature_configuration(
    session: AsyncSession, config_id: int, principal: Principal | None
) -> BenefitFeatureConfiguration:
    require_configuration(principal)
    return await get_visible_or_404(
        session, BenefitFeatureConfiguration, config_id, f"No feature configuration with id {config_id}."
    )


async def _check_feature(
    session: AsyncSession,
    kind: str,
    benefit_id: int,
    values: Mapping[str, Any],
    config: BenefitFeatureConfiguration | None,
) -> None:
    errors: dict[str, list[str]] = {}
    for name in values:
        if name not in FEATURE_FIELDS[kind]:
            errors[name] = [f"A {kind} configuration has no {name}."]
    merged = {
        f: values.get(f, getattr(config, f) if config is not None else None) for f in FEATURE_FIELDS[kind]
    }
    for name in REQUIRED_FEATURE_FIELDS[kind]:
        if merged[name] is None:
            errors.setdefault(name, []).append(f"A {kind} configuration requires {name}.")
    benefit = await session.get(SponsorshipBenefit, benefit_id)
    if benefit is None:
        errors["benefit_id"] = [f"No sponsorship benefit with id {benefit_id}."]
    if kind == TIERED_BENEFIT and merged["package_id"] is not None:
        package = await session.get(SponsorshipPackage, merged["package_id"])
        if package is None:
            errors.setdefault("package_id", []).append(
                f"No sponsorship package with id {merged['package_id']}."
            )
        elif benefit is not None and package.year != benefit.year:
            errors.setdefault("package_id", []).append(
                f"The package is not of the benefit's year {benefit.year}."
            )
    if kind == REQUIRED_IMG:
        for low, high, what in (("min_width", "max_width", "width"), ("min_height", "max_height", "height")):
            if merged[low] is not None and merged[high] is not None and merged[high] < merged[low]:
                errors.setdefault(high, []).append(f"Max {what} must be greater than min {what}.")
    if errors:
        raise ValidationFailed(errors)
    if "internal_name" in values:
        await ensure_unique(
            session,
            BenefitFeatureConfiguration,
            "internal_name",
            values["internal_name"],
            f"A {kind} configuration with this internal_name already exists.",
            exclude=config,
            scope=[BenefitFeatureConfiguration.kind == kind],
        )


async def save_feature_configuration(
    session: AsyncSession, values: Mapping[str, Any], config: BenefitFeatureConfiguration | None = None
) -> BenefitFeatureConfiguration:
    """``kind`` and ``benefit_id`` are given on creation and stay; each kind takes its own fields."""
    values = dict(values)
    kind = values.pop("kind") if config is None else config.kind
    benefit_id = values.pop("benefit_id") if config is None else config.benefit_id
    await _check_feature(session, kind, benefit_id, values, config)
    if config is None:
        config = BenefitFeatureConfiguration(kind=kind, benefit_id=benefit_id, **values)
        session.add(config)
        await session.flush()
        await audit_write(
            session, None, "feature_configuration.create", "feature_configuration", config.id, kind
        )
    else:
        assign_changed(config, values)
        await session.flush()
        await audit_write(
            session,
            None,
            "feature_configuration.update",
            "feature_configuration",
            config.id,
            changed_message(values),
        )
    return config


async def delete_feature_configuration(session: AsyncSession, config: BenefitFeatureConfiguration) -> None:
    """Features already made from it stay on their sponsorships."""
    config_id, kind = config.id, config.kind
    await delete_record(session, config)
    await audit_write(session, None, "feature_configuration.delete", "feature_configuration", config_id, kind)
