"""``/api/v3/sponsors/`` routes for the configuration of each year: programs, legal clauses and
feature configurations (the content domains' CRUD shape, ``content_controller``), packages and
benefits (written out: who sees what depends on the caller, and ``logo_dimension`` on whether the
caller is a superuser), the current year, the application form's offer, a package's revenue
split, cloning a year and the audit trail.

Reads of what the application form shows are public; the rest of the configuration, and every
write, needs ``sponsors.change_sponsorshipbenefit`` (services/configuration/).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import permission_required, principal_of, require_principal
from pydotorg.core.schemas import given_fields
from pydotorg.domains.sponsors.models import (
    CHANGE_CONFIGURATION,
    CHANGE_SPONSORSHIP,
    YEAR_MAX,
    YEAR_MIN,
    BenefitFeatureConfiguration,
    LegalClause,
    SponsorAuditEntry,
    SponsorshipPackage,
    SponsorshipProgram,
)
from pydotorg.domains.sponsors.schemas import configuration as schemas
from pydotorg.domains.sponsors.services import configuration as svc

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
OptionalId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
OptionalYear = Annotated[
    int | None, Parameter(ge=YEAR_MIN, le=YEAR_MAX, description=f"{YEAR_MIN}-{YEAR_MAX}")
]
YearParam = Annotated[int, Parameter(ge=YEAR_MIN, le=YEAR_MAX, description=f"{YEAR_MIN}-{YEAR_MAX}")]
Kind = Annotated[str | None, Parameter(min_length=1, max_length=32)]
Action = Annotated[str | None, Parameter(min_length=1, max_length=64)]


def program_read(program: SponsorshipProgram) -> schemas.ProgramRead:
    return schemas.ProgramRead(
        id=program.id, order=program.order, name=program.name, description=program.description
    )


def package_read(package: SponsorshipPackage) -> schemas.PackageRead:
    return schemas.PackageRead(
        id=package.id,
        order=package.order,
        name=package.name,
        slug=package.slug,
        year=package.year,
        sponsorship_amount=package.sponsorship_amount,
        advertise=package.advertise,
        logo_dimension=package.logo_dimension,
        allow_a_la_carte=package.allow_a_la_carte,
    )


def legal_clause_read(clause: LegalClause) -> schemas.LegalClauseRead:
    return schemas.LegalClauseRead(
        id=clause.id,
        order=clause.order,
        internal_name=clause.internal_name,
        clause=clause.clause,
        notes=clause.notes,
    )


def benefit_read(view: svc.BenefitView, internal: bool) -> schemas.SponsorshipBenefitRead:
    benefit = view.benefit
    return schemas.SponsorshipBenefitRead(
        id=benefit.id,
        order=benefit.order,
        name=benefit.name,
        description=benefit.description,
        program_id=benefit.program_id,
        program_name=view.program_name,
        year=benefit.year,
        package_only=benefit.package_only,
        new=benefit.new,
        standalone=benefit.standalone,
        has_capacity=view.has_capacity,
        packages=view.packages,
        conflicts=view.conflicts,
        internal=schemas.SponsorshipBenefitInternal(
            unavailable=benefit.unavailable,
            internal_description=benefit.internal_description,
            internal_value=benefit.internal_value,
            capacity=benefit.capacity,
            soft_capacity=benefit.soft_capacity,
            remaining_capacity=view.remaining_capacity,
            legal_clauses=view.legal_clauses,
        )
        if internal
        else None,
    )


def feature_read(config: BenefitFeatureConfiguration) -> schemas.FeatureConfigurationRead:
    fields = {name: getattr(config, name) for name in svc.FEATURE_READ_FIELDS[config.kind]}
    return schemas.FeatureConfigurationRead(
        id=config.id, benefit_id=config.benefit_id, kind=config.kind, **fields
    )


def offered(item: svc.OfferedBenefit) -> schemas.OfferBenefit:
    benefit = item.view.benefit
    return schemas.OfferBenefit(
        id=benefit.id,
        name=benefit.name,
        description=benefit.description,
        program_id=benefit.program_id,
        packages=item.view.packages,
        package_only=benefit.package_only,
        new=benefit.new,
        standalone=benefit.standalone,
        has_capacity=item.view.has_capacity,
        unavailability_message=svc.unavailability_message(benefit, item.view.remaining_capacity),
        conflicts=item.conflicts,
    )


def audit_read(entry: SponsorAuditEntry) -> schemas.AuditTrailEntry:
    return schemas.AuditTrailEntry(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        object_kind=entry.object_kind,
        object_id=entry.object_id,
        sponsorship_id=entry.sponsorship_id,
        message=entry.message,
    )


def _summaries(what: str, plural: str, note: str = "") -> dict[str, str]:
    return {
        "list": f"{plural}, by order{note}",
        "read": f"One {what}{note}",
        "create": f"Add a {what}",
        "update": f"Change a {what}",
        "delete": f"Delete a {what}",
    }


ProgramsController = content_controller(
    "SponsorshipProgramsController",
    ContentRoutes(
        path="/api/v3/sponsors/programs",
        tag="sponsors",
        prefix="sponsors_programs",
        id_name="program_id",
        summaries={
            **_summaries("sponsorship program", "Sponsorship programs"),
            "delete": "Delete a sponsorship program with its benefits (sponsorships keep their copies)",
        },
        add=CHANGE_CONFIGURATION,
        change=CHANGE_CONFIGURATION,
        remove=CHANGE_CONFIGURATION,
        read_schema=schemas.ProgramRead,
        create_schema=schemas.ProgramCreate,
        update_schema=schemas.ProgramUpdate,
        list_schema=schemas.ProgramList,
        to_read=program_read,
        get=svc.get_program,
        find=svc.list_programs,
        save=svc.save_program,
        remove_record=svc.delete_program,
        per_caller=False,
    ),
)

LegalClausesController = content_controller(
    "SponsorshipLegalClausesController",
    ContentRoutes(
        path="/api/v3/sponsors/legal-clauses",
        tag="sponsors",
        prefix="sponsors_legal_clauses",
        id_name="clause_id",
        summaries=_summaries("legal clause", "Legal clauses", f" ({CHANGE_CONFIGURATION})"),
        add=CHANGE_CONFIGURATION,
        change=CHANGE_CONFIGURATION,
        remove=CHANGE_CONFIGURATION,
        read_schema=schemas.LegalClauseRead,
        create_schema=schemas.LegalClauseCreate,
        update_schema=schemas.LegalClauseUpdate,
        list_schema=schemas.LegalClauseList,
        to_read=legal_clause_read,
        get=svc.get_legal_clause,
        find=svc.list_legal_clauses,
        save=svc.save_legal_clause,
        remove_record=svc.delete_legal_clause,
    ),
)

FeatureConfigurationsController = content_controller(
    "BenefitFeatureConfigurationsController",
    ContentRoutes(
        path="/api/v3/sponsors/feature-configurations",
        tag="sponsors",
        prefix="sponsors_feature_configurations",
        id_name="configuration_id",
        summaries={
            "list": f"Benefit feature configurations, by benefit ({CHANGE_CONFIGURATION})",
            "read": f"One benefit feature configuration ({CHANGE_CONFIGURATION})",
            "create": "Add a feature configuration of one of the eight kinds to a benefit",
            "update": "Change a feature configuration's fields (its benefit and kind stay)",
            "delete": "Delete a feature configuration (features made from it stay)",
        },
        add=CHANGE_CONFIGURATION,
        change=CHANGE_CONFIGURATION,
        remove=CHANGE_CONFIGURATION,
        read_schema=schemas.FeatureConfigurationRead,
        create_schema=schemas.FeatureConfigurationCreate,
        update_schema=schemas.FeatureConfigurationUpdate,
        list_schema=schemas.FeatureConfigurationList,
        to_read=feature_read,
        get=svc.get_feature_configuration,
        find=svc.list_feature_configurations,
        save=svc.save_feature_configuration,
        remove_record=svc.delete_feature_configuration,
        filters=(("benefit_id", OptionalId), ("kind", Kind)),
    ),
)

_CONFIGURE = [permission_required(CHANGE_CONFIGURATION)]


class SponsorsConfigurationController(Controller):
    path = "/api/v3/sponsors"
    tags = ["sponsors"]

    # --- packages ----------------------------------------------------------------------------

    @get(
        "/packages",
        operation_id="sponsors_packages_list",
        summary="Sponsorship packages, newest year first then by order (advertised ones only, "
        f"unless the caller holds {CHANGE_CONFIGURATION})",
    )
    async def list_packages(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        year: FromQuery[OptionalYear] = None,
        advertise: FromQuery[bool | None] = None,
    ) -> schemas.PackageList:
        rows, meta = await svc.list_packages(
            tx, principal_of(request), limit=limit, offset=offset, year=year, advertise=advertise
        )
        return schemas.PackageList(data=[package_read(p) for p in rows], meta=meta)

    @get(
        "/packages/{package_id:int}", operation_id="sponsors_packages_read", summary="One sponsorship package"
    )
    async def read_package(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], package_id: PK
    ) -> schemas.PackageRead:
        return package_read(await svc.get_package(tx, package_id, principal_of(request)))

    @post(
        "/packages",
        operation_id="sponsors_packages_create",
        summary="Add a package (slug unique in its year; logo_dimension a superuser's to set)",
        guards=_CONFIGURE,
    )
    async def create_package(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.PackageCreate],
    ) -> schemas.PackageRead:
        return package_read(await svc.save_package(tx, require_principal(request), given_fields(data)))

    @patch(
        "/packages/{package_id:int}",
        operation_id="sponsors_packages_update",
        summary="Change a package (its slug stays; logo_dimension a superuser's to change)",
        guards=_CONFIGURE,
    )
    async def update_package(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        package_id: PK,
        data: JSONBody[schemas.PackageUpdate],
    ) -> schemas.PackageRead:
        principal = require_principal(request)
        package = await svc.get_package(tx, package_id, principal)
        return package_read(await svc.save_package(tx, principal, given_fields(data), package))

    @delete(
        "/packages/{package_id:int}",
        operation_id="sponsors_packages_delete",
        summary="Delete a package (its sponsorships keep going without one)",
        guards=_CONFIGURE,
    )
    async def delete_package(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], package_id: PK
    ) -> None:
        principal = require_principal(request)
        await svc.delete_package(tx, principal, await svc.get_package(tx, package_id, principal))

    @get(
        "/packages/{package_id:int}/revenue-split",
        operation_id="sponsors_packages_revenue_split",
        summary="The share of the package benefits' internal value per program",
        guards=_CONFIGURE,
    )
    async def revenue_split(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], package_id: PK
    ) -> schemas.RevenueSplit:
        package = await svc.get_package(tx, package_id, principal_of(request))
        total, split = await svc.revenue_split(tx, package)
        return schemas.RevenueSplit(
            package_id=package.id,
            total_internal_value=total,
            data=[schemas.ProgramShare(program=name, percent=share) for name, share in split],
        )

    # --- benefits ----------------------------------------------------------------------------

    @get(
        "/benefits",
        operation_id="sponsors_benefits_list",
        summary="Sponsorship benefits, newest year first then by order (available ones with public "
        f"fields only, unless the caller holds {CHANGE_CONFIGURATION})",
    )
    async def list_benefits(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        year: FromQuery[OptionalYear] = None,
        program_id: FromQuery[OptionalId] = None,
        package_id: FromQuery[OptionalId] = None,
    ) -> schemas.SponsorshipBenefitList:
        principal = principal_of(request)
        rows, meta = await svc.list_benefits(
            tx, principal, limit=limit, offset=offset, year=year, program_id=program_id, package_id=package_id
        )
        internal = svc.manages_configuration(principal)
        return schemas.SponsorshipBenefitList(data=[benefit_read(v, internal) for v in rows], meta=meta)

    @get(
        "/benefits/{benefit_id:int}", operation_id="sponsors_benefits_read", summary="One sponsorship benefit"
    )
    async def read_benefit(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], benefit_id: PK
    ) -> schemas.SponsorshipBenefitRead:
        principal = principal_of(request)
        view = await svc.get_benefit(tx, benefit_id, principal)
        return benefit_read(view, svc.manages_configuration(principal))

    @post(
        "/benefits",
        operation_id="sponsors_benefits_create",
        summary="Add a benefit with its packages, legal clauses and conflicts",
        guards=_CONFIGURE,
    )
    async def create_benefit(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.SponsorshipBenefitCreate],
    ) -> schemas.SponsorshipBenefitRead:
        view = await svc.save_benefit(tx, require_principal(request), given_fields(data))
        return benefit_read(view, True)

    @patch(
        "/benefits/{benefit_id:int}",
        operation_id="sponsors_benefits_update",
        summary="Change a benefit (an id list sent replaces the stored one; conflicts are mutual)",
        guards=_CONFIGURE,
    )
    async def update_benefit(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        benefit_id: PK,
        data: JSONBody[schemas.SponsorshipBenefitUpdate],
    ) -> schemas.SponsorshipBenefitRead:
        principal = require_principal(request)
        benefit = await svc.load_benefit(tx, benefit_id, principal)
        return benefit_read(await svc.save_benefit(tx, principal, given_fields(data), benefit), True)

    @delete(
        "/benefits/{benefit_id:int}",
        operation_id="sponsors_benefits_delete",
        summary="Delete a benefit with its feature configurations (sponsorships keep their copies)",
        guards=_CONFIGURE,
    )
    async def delete_benefit(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], benefit_id: PK
    ) -> None:
        principal = require_principal(request)
        await svc.delete_benefit(tx, principal, await svc.load_benefit(tx, benefit_id, principal))

    # --- the current year, the offer, cloning -------------------------------------------------

    @get(
        "/current-year",
        operation_id="sponsors_current_year_read",
        summary="The year whose configuration the application form offers",
    )
    async def read_current_year(self, tx: NamedDependency[AsyncSession]) -> schemas.CurrentYear:
        return schemas.CurrentYear(year=await svc.get_current_year(tx))

    @put(
        "/current-year",
        operation_id="sponsors_current_year_update",
        summary="Set the year the application form offers (it is never deleted)",
        guards=_CONFIGURE,
    )
    async def update_current_year(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.CurrentYearUpdate],
    ) -> schemas.CurrentYear:
        return schemas.CurrentYear(year=await svc.set_current_year(tx, require_principal(request), data.year))

    @get(
        "/offer",
        operation_id="sponsors_offer",
        summary="What the application form offers for the current year (another year: "
        f"{CHANGE_CONFIGURATION} only, python.org's preview)",
    )
    async def offer(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        year: FromQuery[OptionalYear] = None,
    ) -> schemas.Offer:
        view = await svc.offer(tx, principal_of(request), year)
        return schemas.Offer(
            year=view.year,
            current_year=view.current_year,
            packages=[package_read(p) for p in view.packages],
            programs=[
                schemas.OfferProgram(
                    id=program.id,
                    name=program.name,
                    description=program.description,
                    field=svc.program_field(program),
                    benefits=[offered(i) for i in items],
                )
                for program, items in view.programs
            ],
            a_la_carte=[offered(i) for i in view.a_la_carte],
            standalone=[offered(i) for i in view.standalone],
            capacities_met=view.capacities_met,
        )

    @post(
        "/years/{source_year:int}/clone",
        operation_id="sponsors_years_clone",
        summary="Copy a year's packages and benefits (with legal clauses and feature configurations) "
        "to a year not configured yet",
        guards=_CONFIGURE,
        status_code=201,
    )
    async def clone_year(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        source_year: YearParam,
        data: JSONBody[schemas.CloneYear],
    ) -> schemas.ClonedYear:
        result = await svc.clone_year(tx, require_principal(request), source_year, data.target_year)
        return schemas.ClonedYear(
            source_year=result.source_year,
            target_year=result.target_year,
            packages=result.packages,
            benefits=result.benefits,
            legal_clauses=result.legal_clauses,
            feature_configurations=result.feature_configurations,
        )

    # --- the audit trail ----------------------------------------------------------------------

    @get(
        "/audit",
        operation_id="sponsors_audit_list",
        summary=f"Staff actions on the sponsors domain, newest first ({CHANGE_SPONSORSHIP} or "
        f"{CHANGE_CONFIGURATION})",
        guards=[permission_required(CHANGE_SPONSORSHIP, CHANGE_CONFIGURATION)],
    )
    async def list_audit(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        sponsorship_id: FromQuery[OptionalId] = None,
        action: FromQuery[Action] = None,
    ) -> schemas.AuditTrailList:
        rows, meta = await svc.list_audit(
            tx, limit=limit, offset=offset, sponsorship_id=sponsorship_id, action=action
        )
        return schemas.AuditTrailList(data=[audit_read(e) for e in rows], meta=meta)


ROUTE_HANDLERS = (
    ProgramsController,
    LegalClausesController,
    FeatureConfigurationsController,
    SponsorsConfigurationController,
)
