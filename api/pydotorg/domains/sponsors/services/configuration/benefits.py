"""Benefits with their packages, legal clauses and mutual conflicts; capacity (decremented by
the sponsorships holding a benefit); python.org's package customisation rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, delete_record, get_visible_or_404
from pydotorg.domains.sponsors.models import (
    LegalClause,
    SponsorBenefit,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_conflicts,
    benefit_legal_clauses,
    benefit_packages,
)
from pydotorg.domains.sponsors.services.configuration.rules import (
    HOLDING_STATUSES,
    NO_CAPACITY_MESSAGE,
    PACKAGE_ONLY_MESSAGE,
    STANDALONE_PACKAGES,
    audit_write,
    changed_message,
    linked_ids,
    manages_configuration,
    replace_links,
)

# --- benefits --------------------------------------------------------------------------------


@dataclass
class BenefitView:
    """A benefit with what its reads show: program name, links and remaining capacity."""

    benefit: SponsorshipBenefit
    program_name: str
    packages: list[int]
    conflicts: list[int]
    legal_clauses: list[int]
    remaining_capacity: int | None

    @property
    def has_capacity(self) -> bool:
        return has_capacity(self.benefit, self.remaining_capacity)


def has_capacity(benefit: SponsorshipBenefit, remaining: int | None) -> bool:
    """python.org's ``has_capacity``: available, and capacity unset, left, or soft."""
    if benefit.unavailable:
        return False
    return not (remaining is not None and remaining <= 0 and not benefit.soft_capacity)


def unavailability_message(benefit: SponsorshipBenefit, remaining: int | None) -> str:
    if benefit.package_only:
        return PACKAGE_ONLY_MESSAGE
    if not has_capacity(benefit, remaining):
        return NO_CAPACITY_MESSAGE
    return ""


async def remaining_capacities(
    session: AsyncSession, benefits: Iterable[SponsorshipBenefit]
) -> dict[int, int | None]:
    """Per benefit id: its capacity minus the sponsorships of its year (applied, approved or
    finalized) holding a copy of it, never below 0; ``None`` when its capacity is unlimited."""
    benefits = list(benefits)
    out: dict[int, int | None] = {b.id: None for b in benefits}
    limited = [b for b in benefits if b.capacity is not None]
    if not limited:
        return out
    origin = SponsorshipBenefit.__table__.alias("origin")
    rows = await session.execute(
        select(SponsorBenefit.sponsorship_benefit_id, func.count(distinct(Sponsorship.id)))
        .join(Sponsorship, Sponsorship.id == SponsorBenefit.sponsorship_id)
        .join(origin, origin.c.id == SponsorBenefit.sponsorship_benefit_id)
        .where(
            SponsorBenefit.sponsorship_benefit_id.in_([b.id for b in limited]),
            Sponsorship.status.in_(HOLDING_STATUSES),
            or_(origin.c.year.is_(None), Sponsorship.year == origin.c.year),
        )
        .group_by(SponsorBenefit.sponsorship_benefit_id)
    )
    used = {benefit_id: int(count) for benefit_id, count in rows}
    for benefit in limited:
        out[benefit.id] = max((benefit.capacity or 0) - used.get(benefit.id, 0), 0)
    return out


async def benefit_has_capacity(session: AsyncSession, benefit: SponsorshipBenefit) -> bool:
    """For the application: whether ``benefit`` may still be picked."""
    return has_capacity(benefit, (await remaining_capacities(session, [benefit]))[benefit.id])


async def benefit_views(
    session: AsyncSession, benefits: Sequence[SponsorshipBenefit], *, internal: bool = True
) -> list[BenefitView]:
    """The benefits with what their reads show; without ``internal``, conflicts with unavailable
    benefits are left out (the caller cannot see those)."""
    ids = [b.id for b in benefits]
    packages = await linked_ids(session, benefit_packages, "benefit_id", "package_id", ids)
    conflicts = await linked_ids(session, benefit_conflicts, "benefit_id", "conflicting_id", ids)
    if not internal:
        others = {c for linked in conflicts.values() for c in linked}
        hidden = set(
            await session.scalars(
                select(SponsorshipBenefit.id).where(
                    SponsorshipBenefit.id.in_(others), SponsorshipBenefit.unavailable.is_(True)
                )
            )
        )
        conflicts = {b: [c for c in linked if c not in hidden] for b, linked in conflicts.items()}
    clauses = await linked_ids(session, benefit_legal_clauses, "benefit_id", "legal_clause_id", ids)
    program_ids = {b.program_id for b in benefits}
    names: dict[int, str] = {}
    if program_ids:
        found = await session.execute(
            select(SponsorshipProgram.id, SponsorshipProgram.name).where(
                SponsorshipProgram.id.in_(program_ids)
            )
        )
        names = {program_id: name for program_id, name in found}
    remaining = await remaining_capacities(session, benefits)
    return [
        BenefitView(
            b, names.get(b.program_id, ""), packages[b.id], conflicts[b.id], clauses[b.id], remaining[b.id]
        )
        for b in benefits
    ]


async def list_benefits(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    year: int | None = None,
    program_id: int | None = None,
    package_id: int | None = None,
) -> tuple[list[BenefitView], ListMeta]:
    """Newest year first, then by order. Unavailable benefits only for the configuration's keepers."""
    stmt = select(SponsorshipBenefit).order_by(
        SponsorshipBenefit.year.desc().nulls_last(), SponsorshipBenefit.order, SponsorshipBenefit.id
    )
    if not manages_configuration(principal):
        stmt = stmt.where(SponsorshipBenefit.unavailable.is_(False))
    if year is not None:
        stmt = stmt.where(SponsorshipBenefit.year == year)
    if program_id is not None:
        stmt = stmt.where(SponsorshipBenefit.program_id == program_id)
    if package_id is not None:
        in_package = select(benefit_packages.c.benefit_id).where(benefit_packages.c.package_id == package_id)
        stmt = stmt.where(SponsorshipBenefit.id.in_(in_package))
    rows, meta = await paginate(session, stmt, limit, offset)
    return await benefit_views(session, rows, internal=manages_configuration(principal)), meta


async def load_benefit(
    session: AsyncSession, benefit_id: int, principal: Principal | None
) -> SponsorshipBenefit:
    return await get_visible_or_404(
        session,
        SponsorshipBenefit,
        benefit_id,
        f"No sponsorship benefit with id {benefit_id}.",
        visible=lambda b: not b.unavailable or manages_configuration(principal),
    )


async def get_benefit(session: AsyncSession, benefit_id: int, principal: Principal | None) -> BenefitView:
    benefit = await load_benefit(session, benefit_id, principal)
    return (await benefit_views(session, [benefit], internal=manages_configuration(principal)))[0]


async def _year_mismatch(
    session: AsyncSession, model: Any, ids: set[int], year: int | None
) -> tuple[list[int], list[int]]:
    """(ids with no row, ids whose row is of another year)."""
    found = await session.execute(select(model.id, model.year).where(model.id.in_(ids)))
    rows: dict[int, int | None] = {row_id: row_year for row_id, row_year in found}
    return sorted(ids - rows.keys()), sorted(i for i, y in rows.items() if y != year)


async def _check_benefit(
    session: AsyncSession,
    values: Mapping[str, Any],
    links: Mapping[str, set[int] | None],
    benefit: SponsorshipBenefit | None,
) -> dict[str, set[int]]:
    """Validate a benefit's fields and links; return the links as they will be stored."""
    errors: dict[str, list[str]] = {}
    year = values.get("year", benefit.year if benefit is not None else None)
    standalone = values.get("standalone", benefit.standalone if benefit is not None else False)
    current: dict[str, set[int]] = {}
    for name, table, right in (
        ("packages", benefit_packages, "package_id"),
        ("conflicts", benefit_conflicts, "conflicting_id"),
        ("legal_clauses", benefit_legal_clauses, "legal_clause_id"),
    ):
        given = links.get(name)
        if given is not None:
            current[name] = set(given)
        elif benefit is not None:
            current[name] = set(
                (await linked_ids(session, table, "benefit_id", right, [benefit.id]))[benefit.id]
            )
        else:
            current[name] = set()
    if "program_id" in values and await session.get(SponsorshipProgram, values["program_id"]) is None:
        errors["program_id"] = [f"No sponsorship program with id {values['program_id']}."]
    year_checked = links.get("packages") is not None or "year" in values
    if current["packages"] and year_checked:
        missing, other_year = await _year_mismatch(session, SponsorshipPackage, current["packages"], year)
        if missing:
            errors.setdefault("packages", []).append(f"No sponsorship package with id {missing[0]}.")
        if other_year:
            errors.setdefault("packages", []).append(
                f"Package {other_year[0]} is not of the benefit's year {year}."
            )
    if standalone and current["packages"]:
        errors.setdefault("packages", []).append(STANDALONE_PACKAGES)
    if benefit is not None and benefit.id in current["conflicts"]:
        errors.setdefault("conflicts", []).append("A benefit cannot conflict with itself.")
    elif current["conflicts"] and (links.get("conflicts") is not None or "year" in values):
        missing, other_year = await _year_mismatch(session, SponsorshipBenefit, current["conflicts"], year)
        if missing:
            errors.setdefault("conflicts", []).append(f"No sponsorship benefit with id {missing[0]}.")
        if other_year:
            errors.setdefault("conflicts", []).append(
                f"Benefit {other_year[0]} is not of the benefit's year {year}."
            )
    if links.get("legal_clauses"):
        found = set(
            (
                await session.scalars(
                    select(LegalClause.id).where(LegalClause.id.in_(current["legal_clauses"]))
                )
            ).all()
        )
        if missing_clauses := sorted(current["legal_clauses"] - found):
            errors["legal_clauses"] = [f"No legal clause with id {missing_clauses[0]}."]
    if errors:
        raise ValidationFailed(errors)
    return current


async def save_benefit(
    session: AsyncSession,
    principal: Principal,
    values: Mapping[str, Any],
    benefit: SponsorshipBenefit | None = None,
) -> BenefitView:
    """Create or change a benefit with its ``packages``, ``legal_clauses`` and ``conflicts`` (id
    lists; a list sent replaces the stored one)."""
    values = dict(values)
    links: dict[str, set[int] | None] = {
        name: set(values.pop(name)) if name in values else None
        for name in ("packages", "legal_clauses", "conflicts")
    }
    current = await _check_benefit(session, values, links, benefit)
    if benefit is None:
        benefit = SponsorshipBenefit(**values)
        session.add(benefit)
        await session.flush()
        action, message = "benefit.create", f"{benefit.name} ({benefit.year})"
    else:
        assign_changed(benefit, values)
        await session.flush()
        action = "benefit.update"
        message = changed_message({**values, **{k: v for k, v in links.items() if v is not None}})
    for name, ids in links.items():
        if ids is not None:
            await replace_links(session, benefit.id, name, current[name])
    await audit_write(session, principal, action, "benefit", benefit.id, message)
    return (await benefit_views(session, [benefit]))[0]


async def delete_benefit(session: AsyncSession, principal: Principal, benefit: SponsorshipBenefit) -> None:
    """Its feature configurations go with it; sponsorships keep their copies (SET NULL)."""
    benefit_id, name = benefit.id, f"{benefit.name} ({benefit.year})"
    await delete_record(session, benefit)
    await audit_write(session, principal, "benefit.delete", "benefit", benefit_id, name)


# --- package customisation (the application imports these) -----------------------------------


@dataclass(frozen=True)
class PackageBenefits:
    """A package's benefits and, for each, the benefits it conflicts with (any package)."""

    package_id: int
    benefit_ids: frozenset[int]
    conflicts: Mapping[int, frozenset[int]] = field(default_factory=dict)


async def package_benefits(session: AsyncSession, package_id: int) -> PackageBenefits:
    ids = list(
        await session.scalars(
            select(benefit_packages.c.benefit_id)
            .where(benefit_packages.c.package_id == package_id)
            .order_by(benefit_packages.c.benefit_id)
        )
    )
    conflicts = await linked_ids(session, benefit_conflicts, "benefit_id", "conflicting_id", ids)
    return PackageBenefits(package_id, frozenset(ids), {b: frozenset(c) for b, c in conflicts.items() if c})


def has_user_customization(package: PackageBenefits, benefit_ids: Iterable[int]) -> bool:
    """python.org's ``SponsorshipPackage.has_user_customization``: False only when the selection
    is exactly the package's benefits without conflicts plus, of each group of conflicting
    package benefits (a benefit with those it conflicts with), at least one."""
    selected = set(benefit_ids)
    with_conflicts = {b for b in package.benefit_ids if package.conflicts.get(b)}
    from_package = {b for b in selected if b not in with_conflicts}
    if from_package != package.benefit_ids - with_conflicts:
        return True
    remaining = selected - from_package
    if not remaining and with_conflicts:
        return True
    groups: list[set[int]] = []
    for benefit_id in sorted(with_conflicts):
        if any(benefit_id in group for group in groups):
            continue
        groups.append({benefit_id, *package.conflicts[benefit_id]})
    return not all(group & remaining for group in groups)


def user_customization(
    package: PackageBenefits, benefit_ids: Iterable[int]
) -> tuple[frozenset[int], frozenset[int]]:
    """(added by the applicant, removed from the package): python.org's ``get_user_customization``."""
    selected = frozenset(benefit_ids)
    return selected - package.benefit_ids, package.benefit_ids - selected
