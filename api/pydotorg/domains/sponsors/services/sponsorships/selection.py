"""Step 1 of an application (python.org's ``SponsorshipsBenefitsForm``): every rule, in its order,
each refusal a 400 naming the list it is about; the normalised selection with its price."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.domains.sponsors.models import (
    SponsorshipBenefit,
    SponsorshipPackage,
    benefit_conflicts,
    benefit_packages,
)
from pydotorg.domains.sponsors.services import configuration
from pydotorg.domains.sponsors.services.sponsorships.rules import program_names, refuse


async def _conflicts_of(tx: AsyncSession, ids: Iterable[int]) -> dict[int, set[int]]:
    """Benefit id -> the ids it conflicts with (the link table holds both directions)."""
    out: dict[int, set[int]] = {}
    wanted = list(ids)
    if not wanted:
        return out
    rows = await tx.execute(
        select(benefit_conflicts.c.benefit_id, benefit_conflicts.c.conflicting_id).where(
            benefit_conflicts.c.benefit_id.in_(wanted)
        )
    )
    for benefit_id, conflicting_id in rows:
        out.setdefault(benefit_id, set()).add(conflicting_id)
    return out


FIELDS = ("benefit_ids", "a_la_carte_ids", "standalone_ids")


@dataclass
class Selection:
    year: int
    package: SponsorshipPackage | None
    chosen: dict[str, list[SponsorshipBenefit]]  # by input field, in the order given
    programs: dict[int, str]
    package_benefit_ids: set[int] = field(default_factory=set)
    customized: bool = False

    @property
    def benefits(self) -> list[SponsorshipBenefit]:
        """Every chosen benefit: package ones, then a la carte, then standalone."""
        return [b for name in FIELDS for b in self.chosen[name]]

    @property
    def price(self) -> int | None:
        """python.org shows the package amount only for the package as it is."""
        if self.package is None or self.customized:
            return None
        return self.package.sponsorship_amount

    def in_package(self, benefit: SponsorshipBenefit) -> bool:
        """Shown as one of the package's benefits (not "added"): with an uncustomised package
        every benefit; with a customised one those that belong to it; without a package none."""
        if self.package is None:
            return False
        return not self.customized or benefit.id in self.package_benefit_ids


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


async def _offered(tx: AsyncSession, year: int, name: str, ids: list[int]) -> list[SponsorshipBenefit]:
    """The benefits of ``ids`` that the form's ``name`` field offers this year, or a 400 naming
    the first that it does not (python.org's "Select a valid choice")."""
    if not ids:
        return []
    rows = {
        b.id: b for b in await tx.scalars(select(SponsorshipBenefit).where(SponsorshipBenefit.id.in_(ids)))
    }
    counted = await tx.execute(
        select(benefit_packages.c.benefit_id, func.count())
        .where(benefit_packages.c.benefit_id.in_(ids))
        .group_by(benefit_packages.c.benefit_id)
    )
    counts: dict[int, int] = {benefit_id: int(count) for benefit_id, count in counted}
    for benefit_id in ids:
        benefit = rows.get(benefit_id)
        offered = benefit is not None and benefit.year == year and not benefit.unavailable
        if offered and benefit is not None:
            packages = counts.get(benefit_id, 0)
            if name == "benefit_ids":
                offered = packages > 0 and not benefit.standalone
            elif name == "a_la_carte_ids":
                offered = packages == 0 and not benefit.standalone
            else:
                offered = benefit.standalone
        if not offered:
            raise refuse(name, f"Select a valid choice. {benefit_id} is not one of the available choices.")
    return [rows[i] for i in ids]


async def validate_selection(tx: AsyncSession, data: Mapping[str, Any]) -> Selection:
    """python.org's step-1 rules, in its order; the first that fails is the 400."""
    year = await configuration.get_current_year(tx)
    package: SponsorshipPackage | None = None
    if data.get("package_id") is not None:
        package = await tx.scalar(
            select(SponsorshipPackage).where(
                SponsorshipPackage.id == data["package_id"],
                SponsorshipPackage.year == year,
                SponsorshipPackage.advertise.is_(True),
            )
        )
        if package is None:
            raise refuse(
                "package_id", "Select a valid choice. That choice is not one of the available choices."
            )
    chosen = {name: await _offered(tx, year, name, _unique(data.get(name) or [])) for name in FIELDS}
    with_package = chosen["benefit_ids"] + chosen["a_la_carte_ids"]
    standalone = chosen["standalone_ids"]
    if not with_package and not standalone:
        raise refuse("benefit_ids", "You have to pick a minimum number of benefits.")
    if with_package and package is None:
        raise refuse("package_id", "You must pick a package to include the selected benefits.")
    if standalone and package is not None:
        raise refuse("standalone_ids", "Application with package cannot have standalone benefits.")
    if package is not None and chosen["a_la_carte_ids"] and not package.allow_a_la_carte:
        raise refuse("a_la_carte_ids", "Package does not accept a la carte benefits.")

    field_of = {b.id: name for name in FIELDS for b in chosen[name]}
    every = with_package + standalone
    ids = {b.id for b in every}
    conflicts = await _conflicts_of(tx, ids)
    in_package = await configuration.package_benefits(tx, package.id) if package is not None else None
    package_ids = set(in_package.benefit_ids) if in_package is not None else set()
    remaining = await configuration.remaining_capacities(tx, every)
    for benefit in every:
        name = field_of[benefit.id]
        if conflicts.get(benefit.id, set()) & ids:
            raise refuse(name, "The application has 1 or more benefits that conflicts.")
        if benefit.package_only and package is None:
            raise refuse(name, "The application has 1 or more package only benefits and no sponsor package.")
        if benefit.package_only and benefit.id not in package_ids:
            raise refuse(
                name, "The application has 1 or more package only benefits but wrong sponsor package."
            )
        if not configuration.has_capacity(benefit, remaining[benefit.id]):
            raise refuse(name, "The application has 1 or more benefits with no capacity.")

    programs = await program_names(tx, {b.program_id for b in every})
    customized = in_package is not None and configuration.has_user_customization(in_package, ids)
    return Selection(year, package, chosen, programs, package_ids, customized)
