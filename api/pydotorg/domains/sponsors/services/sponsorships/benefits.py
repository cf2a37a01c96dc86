"""A sponsorship's copies of benefits (python.org's ``SponsorBenefit.new_copy`` and
``reset_attributes``), the features each benefit's configurations give it, the assets those
features read and write, and the ``reset_sponsorship_benefits`` command as a service."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from litestar.exceptions import NotFoundException
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.records import assign_changed
from pydotorg.domains.sponsors.models import (
    ASSET_KIND_OF_FEATURE,
    TIERED_BENEFIT,
    BenefitFeature,
    BenefitFeatureConfiguration,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipPackage,
    benefit_packages,
)
from pydotorg.domains.sponsors.services.sponsorships.rules import program_names, refuse

# The columns a feature copies from its configuration (the kind and every per-kind column).
FEATURE_COLUMNS = tuple(
    c.key for c in BenefitFeature.__table__.columns if c.key not in ("id", "sponsor_benefit_id")
)


@dataclass
class AssetOwners:
    """The assets a sponsorship's features point at, found or made once per internal name."""

    sponsorship: Sponsorship
    made: dict[tuple[str, str], SponsorAsset] = field(default_factory=dict)

    async def ensure(self, tx: AsyncSession, related_to: str, internal_name: str, kind: str) -> None:
        """An asset ``internal_name`` on the sponsor (``related_to == "sponsor"``; one a former
        sponsorship made is reused) or on the sponsorship, made if it does not exist."""
        on_sponsor = related_to == "sponsor"
        if on_sponsor and self.sponsorship.sponsor_id is None:
            return  # no sponsor to hold it (python.org could not have one either)
        key = (related_to, internal_name)
        if key in self.made:
            return
        owner: ColumnElement[bool] = (
            SponsorAsset.sponsor_id == self.sponsorship.sponsor_id
            if on_sponsor
            else SponsorAsset.sponsorship_id == self.sponsorship.id
        )
        found = await tx.scalar(
            select(SponsorAsset).where(owner, SponsorAsset.internal_name == internal_name)
        )
        if found is None:
            found = SponsorAsset(
                uuid=uuid_module.uuid4(),
                kind=kind,
                internal_name=internal_name,
                sponsor_id=self.sponsorship.sponsor_id if on_sponsor else None,
                sponsorship_id=None if on_sponsor else self.sponsorship.id,
            )
            tx.add(found)
        self.made[key] = found


async def _configurations(
    tx: AsyncSession, benefit_ids: Iterable[int]
) -> dict[int, list[BenefitFeatureConfiguration]]:
    out: dict[int, list[BenefitFeatureConfiguration]] = {}
    ids = list(benefit_ids)
    if ids:
        rows = await tx.scalars(
            select(BenefitFeatureConfiguration)
            .where(BenefitFeatureConfiguration.benefit_id.in_(ids))
            .order_by(BenefitFeatureConfiguration.id)
        )
        for cfg in rows:
            out.setdefault(cfg.benefit_id, []).append(cfg)
    return out


async def _add_features(
    tx: AsyncSession,
    sponsor_benefit: SponsorBenefit,
    configurations: Sequence[BenefitFeatureConfiguration],
    owners: AssetOwners,
) -> None:
    """One feature per configuration (a tiered one only when the sponsorship's package is the
    configuration's), and the asset each asset feature reads and writes."""
    for cfg in configurations:
        if cfg.kind == TIERED_BENEFIT and cfg.package_id != owners.sponsorship.package_id:
            continue
        tx.add(
            BenefitFeature(
                sponsor_benefit_id=sponsor_benefit.id, **{c: getattr(cfg, c) for c in FEATURE_COLUMNS}
            )
        )
        asset_kind = ASSET_KIND_OF_FEATURE.get(cfg.kind)
        if asset_kind is not None and cfg.related_to and cfg.internal_name:
            await owners.ensure(tx, cfg.related_to, cfg.internal_name, asset_kind)


async def copy_benefits(
    tx: AsyncSession,
    sponsorship: Sponsorship,
    benefits: Sequence[SponsorshipBenefit],
    *,
    added_by_user: Callable[[SponsorshipBenefit], bool],
) -> list[SponsorBenefit]:
    """python.org's ``SponsorBenefit.new_copy`` for each benefit, in order: the copy, its
    features and their assets."""
    programs = await program_names(tx, {b.program_id for b in benefits})
    configurations = await _configurations(tx, (b.id for b in benefits))
    owners = AssetOwners(sponsorship)
    start = int(
        await tx.scalar(
            select(func.coalesce(func.max(SponsorBenefit.order), -1)).where(
                SponsorBenefit.sponsorship_id == sponsorship.id
            )
        )
        or -1
    )
    copies = []
    for position, benefit in enumerate(benefits, start=start + 1):
        copy = SponsorBenefit(
            order=position,
            sponsorship_id=sponsorship.id,
            sponsorship_benefit_id=benefit.id,
            program_name=programs.get(benefit.program_id, ""),
            name=benefit.name,
            description=benefit.description or "",
            program_id=benefit.program_id,
            benefit_internal_value=benefit.internal_value,
            added_by_user=added_by_user(benefit) or benefit.standalone,
            standalone=benefit.standalone,
        )
        tx.add(copy)
        copies.append(copy)
    await tx.flush()
    for copy, benefit in zip(copies, benefits, strict=True):
        await _add_features(tx, copy, configurations.get(benefit.id, []), owners)
    await tx.flush()
    return copies


async def reset_benefit_copy(tx: AsyncSession, copy: SponsorBenefit, benefit: SponsorshipBenefit) -> None:
    """python.org's ``SponsorBenefit.reset_attributes``: copy the benefit's fields again and make
    its features anew from the benefit's configurations (assets that exist are kept)."""
    sponsorship = await tx.get(Sponsorship, copy.sponsorship_id)
    if sponsorship is None:
        raise NotFoundException(f"No sponsorship with id {copy.sponsorship_id}.")
    programs = await program_names(tx, [benefit.program_id])
    assign_changed(
        copy,
        {
            "sponsorship_benefit_id": benefit.id,
            "program_name": programs.get(benefit.program_id, ""),
            "name": benefit.name,
            "description": benefit.description or "",
            "program_id": benefit.program_id,
            "benefit_internal_value": benefit.internal_value,
            "standalone": benefit.standalone,
            "added_by_user": copy.added_by_user or benefit.standalone,
        },
    )
    for feature in await tx.scalars(
        select(BenefitFeature).where(BenefitFeature.sponsor_benefit_id == copy.id)
    ):
        await tx.delete(feature)
    await tx.flush()
    configurations = await _configurations(tx, [benefit.id])
    await _add_features(tx, copy, configurations.get(benefit.id, []), AssetOwners(sponsorship))
    await tx.flush()


@dataclass(frozen=True)
class ResetResult:
    sponsorship_id: int
    year: int
    removed: int
    added: int


async def reset_sponsorship_benefits(
    tx: AsyncSession, sponsorship: Sponsorship, *, update_year: bool = False
) -> ResetResult:
    """python.org's ``reset_sponsorship_benefits``: delete the sponsorship's own assets and its
    benefits (with their features) and copy again every benefit of its package of the year (the
    package's year with ``update_year``, which also moves the sponsorship to it). Sponsor-level
    assets stay: they belong to the sponsor across years."""
    if sponsorship.package_id is None:
        raise refuse("package", "The sponsorship has no package to take benefits from.")
    package = await tx.get(SponsorshipPackage, sponsorship.package_id)
    year = sponsorship.year
    if update_year and package is not None and package.year is not None:
        year = package.year
    templates = list(
        await tx.scalars(
            select(SponsorshipBenefit)
            .join(benefit_packages, benefit_packages.c.benefit_id == SponsorshipBenefit.id)
            .where(benefit_packages.c.package_id == sponsorship.package_id, SponsorshipBenefit.year == year)
            .order_by(SponsorshipBenefit.order, SponsorshipBenefit.id)
        )
    )
    if not templates:
        raise refuse("package", f"The package has no benefits for {year}.")
    assign_changed(sponsorship, {"year": year})
    for asset in await tx.scalars(select(SponsorAsset).where(SponsorAsset.sponsorship_id == sponsorship.id)):
        await tx.delete(asset)
    old = list(
        await tx.scalars(select(SponsorBenefit).where(SponsorBenefit.sponsorship_id == sponsorship.id))
    )
    if old:
        for feature in await tx.scalars(
            select(BenefitFeature).where(BenefitFeature.sponsor_benefit_id.in_([b.id for b in old]))
        ):
            await tx.delete(feature)
        for copy in old:
            await tx.delete(copy)
    await tx.flush()
    await copy_benefits(tx, sponsorship, templates, added_by_user=lambda _: False)
    return ResetResult(sponsorship.id, year or 0, len(old), len(templates))
