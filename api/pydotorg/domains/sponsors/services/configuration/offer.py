"""What the application form offers for a year (python.org's ``SponsorshipsBenefitsForm``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.permissions import Principal
from pydotorg.domains.sponsors.models import (
    SponsorshipBenefit,
    SponsorshipPackage,
    SponsorshipProgram,
)
from pydotorg.domains.sponsors.services.configuration.benefits import BenefitView, benefit_views
from pydotorg.domains.sponsors.services.configuration.catalogue import get_current_year
from pydotorg.domains.sponsors.services.configuration.rules import require_configuration

# --- the application form's offer ------------------------------------------------------------


@dataclass
class OfferedBenefit:
    view: BenefitView
    conflicts: list[int]  # offered benefits it conflicts with


@dataclass
class OfferView:
    year: int
    current_year: int
    packages: list[SponsorshipPackage]
    programs: list[tuple[SponsorshipProgram, list[OfferedBenefit]]]
    a_la_carte: list[OfferedBenefit]
    standalone: list[OfferedBenefit]

    @property
    def capacities_met(self) -> bool:
        every = [b for _, bs in self.programs for b in bs] + self.a_la_carte + self.standalone
        return any(not b.view.has_capacity for b in every)


async def offer(session: AsyncSession, principal: Principal | None, year: int | None = None) -> OfferView:
    """What python.org's application form offers for the current year, or (for the
    configuration's keepers: python.org's ``?config_year=`` preview) for ``year``: advertised
    packages by order; per program the benefits that belong to packages, most packages first
    then by order; a-la-carte benefits (no package, not standalone); standalone benefits.
    Unavailable benefits are left out."""
    current = await get_current_year(session)
    if year is not None and year != current:
        require_configuration(principal)
    shown = current if year is None else year
    packages = list(
        await session.scalars(
            select(SponsorshipPackage)
            .where(SponsorshipPackage.year == shown, SponsorshipPackage.advertise.is_(True))
            .order_by(SponsorshipPackage.order, SponsorshipPackage.id)
        )
    )
    benefits = list(
        await session.scalars(
            select(SponsorshipBenefit)
            .where(SponsorshipBenefit.year == shown, SponsorshipBenefit.unavailable.is_(False))
            .order_by(SponsorshipBenefit.order, SponsorshipBenefit.id)
        )
    )
    views = await benefit_views(session, benefits)
    offered_ids = {b.id for b in benefits}
    items = [OfferedBenefit(v, [c for c in v.conflicts if c in offered_ids]) for v in views]
    with_packages = sorted(
        (i for i in items if i.view.packages and not i.view.benefit.standalone),
        key=lambda i: (-len(i.view.packages), i.view.benefit.order, i.view.benefit.id),
    )
    programs = list(
        await session.scalars(
            select(SponsorshipProgram).order_by(SponsorshipProgram.order, SponsorshipProgram.id)
        )
    )
    return OfferView(
        year=shown,
        current_year=current,
        packages=packages,
        programs=[(p, [i for i in with_packages if i.view.benefit.program_id == p.id]) for p in programs],
        a_la_carte=[i for i in items if not i.view.packages and not i.view.benefit.standalone],
        standalone=[i for i in items if i.view.benefit.standalone],
    )


def program_field(program: SponsorshipProgram) -> str:
    """python.org's form field of a program's benefits: ``benefits_<slug with underscores>``."""
    return f"benefits_{slugify(program.name).replace('-', '_')}"
