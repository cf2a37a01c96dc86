"""The current year, programs, legal clauses and packages (slug once and unique per year,
``logo_dimension`` a superuser's, the revenue split)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, delete_record, ensure_unique, get_visible_or_404
from pydotorg.domains.sponsors.models import (
    YEAR_MIN,
    LegalClause,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_packages,
)
from pydotorg.domains.sponsors.services.configuration.rules import (
    DEFAULT_LOGO_DIMENSION,
    audit_write,
    changed_message,
    manages_configuration,
    require_configuration,
)

# --- the current year ------------------------------------------------------------------------


async def get_current_year(session: AsyncSession) -> int:
    """The year the application form offers (python.org seeded 2022; so is a database without one)."""
    year = await session.scalar(select(SponsorshipCurrentYear.year).where(SponsorshipCurrentYear.id == 1))
    return year if year is not None else YEAR_MIN


async def set_current_year(session: AsyncSession, principal: Principal, year: int) -> int:
    row = await session.get(SponsorshipCurrentYear, 1)
    before = row.year if row is not None else None
    if row is None:
        session.add(SponsorshipCurrentYear(id=1, year=year))
    else:
        assign_changed(row, {"year": year})
    await session.flush()
    await audit_write(session, principal, "current_year.update", "current_year", 1, f"{before} -> {year}")
    return year


# --- programs --------------------------------------------------------------------------------


async def list_programs(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[SponsorshipProgram], ListMeta]:
    stmt = select(SponsorshipProgram).order_by(SponsorshipProgram.order, SponsorshipProgram.id)
    return await paginate(session, stmt, limit, offset)


async def get_program(session: AsyncSession, program_id: int) -> SponsorshipProgram:
    return await get_visible_or_404(
        session, SponsorshipProgram, program_id, f"No sponsorship program with id {program_id}."
    )


async def save_program(
    session: AsyncSession, values: Mapping[str, Any], program: SponsorshipProgram | None = None
) -> SponsorshipProgram:
    if program is None:
        program = SponsorshipProgram(**values)
        session.add(program)
        await session.flush()
        await audit_write(session, None, "program.create", "program", program.id, program.name)
    else:
        assign_changed(program, values)
        await session.flush()
        await audit_write(session, None, "program.update", "program", program.id, changed_message(values))
    return program


async def delete_program(session: AsyncSession, program: SponsorshipProgram) -> None:
    """Its benefits go with it (python.org's CASCADE); sponsorships keep their copies."""
    program_id, name = program.id, program.name
    await delete_record(session, program)
    await audit_write(session, None, "program.delete", "program", program_id, name)


# --- legal clauses ---------------------------------------------------------------------------


async def list_legal_clauses(
    session: AsyncSession, principal: Principal | None, *, limit: int, offset: int
) -> tuple[list[LegalClause], ListMeta]:
    require_configuration(principal)
    stmt = select(LegalClause).order_by(LegalClause.order, LegalClause.id)
    return await paginate(session, stmt, limit, offset)


async def get_legal_clause(session: AsyncSession, clause_id: int, principal: Principal | None) -> LegalClause:
    require_configuration(principal)
    return await get_visible_or_404(session, LegalClause, clause_id, f"No legal clause with id {clause_id}.")


async def save_legal_clause(
    session: AsyncSession, values: Mapping[str, Any], clause: LegalClause | None = None
) -> LegalClause:
    if clause is None:
        clause = LegalClause(**values)
        session.add(clause)
        await session.flush()
        await audit_write(
            session, None, "legal_clause.create", "legal_clause", clause.id, clause.internal_name
        )
    else:
        assign_changed(clause, values)
        await session.flush()
        await audit_write(
            session, None, "legal_clause.update", "legal_clause", clause.id, changed_message(values)
        )
    return clause


async def delete_legal_clause(session: AsyncSession, clause: LegalClause) -> None:
    clause_id, name = clause.id, clause.internal_name
    await delete_record(session, clause)
    await audit_write(session, None, "legal_clause.delete", "legal_clause", clause_id, name)


# --- packages --------------------------------------------------------------------------------


def _package_order() -> tuple[Any, ...]:
    return (SponsorshipPackage.year.desc().nulls_last(), SponsorshipPackage.order, SponsorshipPackage.id)


async def list_packages(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    year: int | None = None,
    advertise: bool | None = None,
) -> tuple[list[SponsorshipPackage], ListMeta]:
    """Newest year first, then by order. Only advertised packages unless the caller manages the
    configuration."""
    stmt = select(SponsorshipPackage).order_by(*_package_order())
    if not manages_configuration(principal):
        stmt = stmt.where(SponsorshipPackage.advertise.is_(True))
    if year is not None:
        stmt = stmt.where(SponsorshipPackage.year == year)
    if advertise is not None:
        stmt = stmt.where(SponsorshipPackage.advertise.is_(advertise))
    return await paginate(session, stmt, limit, offset)


async def get_package(
    session: AsyncSession, package_id: int, principal: Principal | None
) -> SponsorshipPackage:
    return await get_visible_or_404(
        session,
        SponsorshipPackage,
        package_id,
        f"No sponsorship package with id {package_id}.",
        visible=lambda p: p.advertise or manages_configuration(principal),
    )


async def save_package(
    session: AsyncSession,
    principal: Principal,
    values: Mapping[str, Any],
    package: SponsorshipPackage | None = None,
) -> SponsorshipPackage:
    """``slug`` is set on creation only (the slug of the name unless given) and unique in its
    year; ``logo_dimension`` is a superuser's to change (python.org's admin)."""
    values = dict(values)
    current_dimension = package.logo_dimension if package is not None else DEFAULT_LOGO_DIMENSION
    if values.get("logo_dimension", current_dimension) != current_dimension and not (
        principal.is_active and principal.is_superuser
    ):
        raise PermissionDeniedException(
            "Only a superuser may change logo_dimension.", extra={"field": "logo_dimension"}
        )
    if package is None:
        if "slug" not in values:
            values["slug"] = slugify(values["name"])
            if not values["slug"]:
                raise ValidationFailed({"name": ["The name gives no usable slug; send a slug."]})
    elif "slug" in values:
        if values["slug"] != package.slug:
            raise ValidationFailed(
                {"slug": ["The slug is set when the package is created and cannot change."]}
            )
        del values["slug"]
    slug = values.get("slug", package.slug if package is not None else None)
    year = values.get("year", package.year if package is not None else None)
    if package is None or "year" in values:
        await ensure_unique(
            session,
            SponsorshipPackage,
            "slug",
            slug,
            f"A package with this slug in {year} already exists.",
            exclude=package,
            scope=[SponsorshipPackage.year == year],
        )
    if package is None:
        package = SponsorshipPackage(**values)
        session.add(package)
        await session.flush()
        await audit_write(
            session, principal, "package.create", "package", package.id, f"{package.name} ({year})"
        )
    else:
        assign_changed(package, values)
        await session.flush()
        await audit_write(
            session, principal, "package.update", "package", package.id, changed_message(values)
        )
    return package


async def delete_package(session: AsyncSession, principal: Principal, package: SponsorshipPackage) -> None:
    """Its benefits leave it and its tiered configurations go (python.org's CASCADE); the
    sponsorships of it keep going without a package (SET NULL)."""
    package_id, name = package.id, f"{package.name} ({package.year})"
    await delete_record(session, package)
    await audit_write(session, principal, "package.delete", "package", package_id, name)


async def revenue_split(
    session: AsyncSession, package: SponsorshipPackage
) -> tuple[int, list[tuple[str, float]]]:
    """python.org's ``get_default_revenue_split``: the package benefits' internal values summed
    per program (by name), largest first, as percentages rounded to 3 places; nothing when the
    sum is 0."""
    amount = func.coalesce(func.sum(SponsorshipBenefit.internal_value), 0)
    rows = await session.execute(
        select(SponsorshipProgram.name, amount)
        .select_from(benefit_packages)
        .join(SponsorshipBenefit, SponsorshipBenefit.id == benefit_packages.c.benefit_id)
        .join(SponsorshipProgram, SponsorshipProgram.id == SponsorshipBenefit.program_id)
        .where(benefit_packages.c.package_id == package.id)
        .group_by(SponsorshipProgram.name)
        .order_by(amount.desc(), SponsorshipProgram.name)
    )
    values = {name: int(total or 0) for name, total in rows}
    total = sum(values.values())
    if not total:
        return 0, []
    return total, [(name, round(value / total * 100, 3)) for name, value in values.items()]
