"""Cloning a year's configuration to a new year (python.org's ``clone()`` methods and
``CloneSponsorshipYearUseCase``)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from litestar.exceptions import NotFoundException
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.records import ensure_unique
from pydotorg.domains.sponsors.models import (
    TIERED_BENEFIT,
    BenefitFeatureConfiguration,
    LegalClause,
    SponsorshipBenefit,
    SponsorshipPackage,
    benefit_conflicts,
    benefit_legal_clauses,
    benefit_packages,
)
from pydotorg.domains.sponsors.services.configuration.features import FEATURE_READ_FIELDS
from pydotorg.domains.sponsors.services.configuration.rules import audit_write, linked_ids, replace_links

# --- cloning a year --------------------------------------------------------------------------


@dataclass
class ClonedYear:
    source_year: int
    target_year: int
    packages: list[int] = field(default_factory=list)
    benefits: list[int] = field(default_factory=list)
    legal_clauses: list[int] = field(default_factory=list)
    feature_configurations: list[int] = field(default_factory=list)


async def configured_years(session: AsyncSession) -> set[int]:
    """The years some benefit or package belongs to (python.org's clone form's choices)."""
    benefit_years = await session.scalars(
        select(SponsorshipBenefit.year).distinct().where(SponsorshipBenefit.year.is_not(None))
    )
    package_years = await session.scalars(
        select(SponsorshipPackage.year).distinct().where(SponsorshipPackage.year.is_not(None))
    )
    return {y for y in benefit_years if y is not None} | {y for y in package_years if y is not None}


def _moved_date(day: date, year: int) -> date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return day.replace(year=year, day=28)
    return day.replace(year=year)


class _Cloner:
    """python.org's ``SponsorshipPackage.clone``, ``SponsorshipBenefit.clone``,
    ``LegalClause.clone`` and ``BenefitFeatureConfiguration.clone`` for one target year."""

    def __init__(self, session: AsyncSession, principal: Principal, source: int, target: int) -> None:
        self.session = session
        self.principal = principal
        self.result = ClonedYear(source, target)
        self.message = f"Cloned from {source} sponsorship application config"

    async def package(self, package: SponsorshipPackage) -> SponsorshipPackage:
        """Get or create the package with the same slug in the target year."""
        target = self.result.target_year
        found = await self.session.scalar(
            select(SponsorshipPackage).where(
                SponsorshipPackage.slug == package.slug, SponsorshipPackage.year == target
            )
        )
        if found is not None:
            return found
        clone = SponsorshipPackage(
            slug=package.slug,
            year=target,
            name=package.name,
            sponsorship_amount=package.sponsorship_amount,
            advertise=package.advertise,
            logo_dimension=package.logo_dimension,
            order=package.order,
            allow_a_la_carte=package.allow_a_la_carte,
        )
        self.session.add(clone)
        await self.session.flush()
        self.result.packages.append(clone.id)
        await audit_write(self.session, self.principal, "year.clone", "package", clone.id, self.message)
        return clone

    async def benefit(self, benefit: SponsorshipBenefit) -> SponsorshipBenefit | None:
        """A copy for the target year with its packages (cloned), legal clauses (duplicated) and
        feature configurations; None when the year already has a benefit of that name."""
        target = self.result.target_year
        taken = await self.session.scalar(
            select(SponsorshipBenefit.id).where(
                SponsorshipBenefit.name == benefit.name, SponsorshipBenefit.year == target
            )
        )
        if taken is not None:
            return None
        clone = SponsorshipBenefit(
            name=benefit.name,
            year=target,
            description=benefit.description,
            program_id=benefit.program_id,
            package_only=benefit.package_only,
            new=benefit.new,
            unavailable=benefit.unavailable,
            standalone=benefit.standalone,
            internal_description=benefit.internal_description,
            internal_value=benefit.internal_value,
            capacity=benefit.capacity,
            soft_capacity=benefit.soft_capacity,
            order=benefit.order,
        )
        self.session.add(clone)
        await self.session.flush()
        package_ids = (
            await linked_ids(self.session, benefit_packages, "benefit_id", "package_id", [benefit.id])
        )[benefit.id]
        packages = [await self.session.get(SponsorshipPackage, i) for i in package_ids]
        clones = [await self.package(p) for p in packages if p is not None]
        await replace_links(self.session, clone.id, "packages", {p.id for p in clones})
        clause_ids = (
            await linked_ids(
                self.session, benefit_legal_clauses, "benefit_id", "legal_clause_id", [benefit.id]
            )
        )[benefit.id]
        copies = []
        for clause in await self.session.scalars(
            select(LegalClause).where(LegalClause.id.in_(clause_ids)).order_by(LegalClause.id)
        ):
            copy = LegalClause(
                internal_name=clause.internal_name,
                clause=clause.clause,
                notes=clause.notes,
                order=clause.order,
            )
            self.session.add(copy)
            copies.append(copy)
        await self.session.flush()
        self.result.legal_clauses += [c.id for c in copies]
        await replace_links(self.session, clone.id, "legal_clauses", {c.id for c in copies})
        configs = await self.session.scalars(
            select(BenefitFeatureConfiguration)
            .where(BenefitFeatureConfiguration.benefit_id == benefit.id)
            .order_by(BenefitFeatureConfiguration.id)
        )
        for config in list(configs):
            await self.feature(config, benefit, clone)
        self.result.benefits.append(clone.id)
        await audit_write(self.session, self.principal, "year.clone", "benefit", clone.id, self.message)
        return clone

    async def feature(
        self, config: BenefitFeatureConfiguration, benefit: SponsorshipBenefit, clone: SponsorshipBenefit
    ) -> None:
        values = {name: getattr(config, name) for name in FEATURE_READ_FIELDS[config.kind]}
        target = self.result.target_year
        if config.kind == TIERED_BENEFIT and config.package_id is not None:
            package = await self.session.get(SponsorshipPackage, config.package_id)
            if package is not None:
                values["package_id"] = (await self.package(package)).id
        if values.get("internal_name") is not None:
            name = values["internal_name"]
            old = str(benefit.year)
            values["internal_name"] = name.replace(old, str(target)) if old in name else f"{name}_{target}"
            await ensure_unique(
                self.session,
                BenefitFeatureConfiguration,
                "internal_name",
                values["internal_name"],
                f"A {config.kind} configuration with the cloned internal_name "
                f"{values['internal_name']!r} already exists.",
                scope=[BenefitFeatureConfiguration.kind == config.kind],
                conflict=True,
            )
        if values.get("due_date") is not None:
            values["due_date"] = _moved_date(values["due_date"], target)
        copy = BenefitFeatureConfiguration(kind=config.kind, benefit_id=clone.id, **values)
        self.session.add(copy)
        await self.session.flush()
        self.result.feature_configurations.append(copy.id)


async def clone_year(session: AsyncSession, principal: Principal, source: int, target: int) -> ClonedYear:
    """python.org's ``CloneSponsorshipYearUseCase``: the source year's packages, then its
    available benefits (each with its packages, legal clauses and feature configurations), into
    a target year that is not before the source and not configured yet."""
    years = await configured_years(session)
    if source not in years:
        raise NotFoundException(f"The year {source} has no sponsorship configuration to clone.")
    if target < source:
        raise ValidationFailed({"target_year": ["The target year must not be before the source year."]})
    if target in years:
        raise ValidationFailed({"target_year": [f"The year {target} already has a configuration."]})
    cloner = _Cloner(session, principal, source, target)
    for package in list(
        await session.scalars(
            select(SponsorshipPackage)
            .where(SponsorshipPackage.year == source)
            .order_by(SponsorshipPackage.order, SponsorshipPackage.id)
        )
    ):
        await cloner.package(package)
    benefits = list(
        await session.scalars(
            select(SponsorshipBenefit)
            .where(SponsorshipBenefit.year == source, SponsorshipBenefit.unavailable.is_(False))
            .order_by(SponsorshipBenefit.order, SponsorshipBenefit.id)
        )
    )
    clones: dict[int, int] = {}
    for benefit in benefits:
        clone = await cloner.benefit(benefit)
        if clone is not None:
            clones[benefit.id] = clone.id
    conflicts = await linked_ids(session, benefit_conflicts, "benefit_id", "conflicting_id", list(clones))
    for original, clone_id in clones.items():
        mapped = {clones[c] for c in conflicts[original] if c in clones}
        if mapped:
            await session.execute(
                insert(benefit_conflicts),
                [{"benefit_id": clone_id, "conflicting_id": c} for c in sorted(mapped)],
            )
    return cloner.result
