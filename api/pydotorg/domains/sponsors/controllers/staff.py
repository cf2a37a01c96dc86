"""``/api/v3/sponsors/sponsorships`` and ``/api/v3/sponsors/contracts``: the staff operations on
sponsorships and contracts (python.org's admin views): the list, one sponsorship, the CSV export,
the required assets, approve, approve with a signed contract, reject, roll back to editing, lock,
unlock; edit, execute, nullify and redraft a contract. Rules are in services/transitions.py."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import Principal, permission_required, require_principal
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Multipart
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import (
    CHANGE_ASSETS,
    CHANGE_CONTRACT,
    CHANGE_SPONSORSHIP,
    YEAR_MAX,
    YEAR_MIN,
    BenefitFeature,
    Contract,
    SponsorAuditEntry,
    SponsorContact,
    Sponsorship,
)
from pydotorg.domains.sponsors.schemas import staff as schemas
from pydotorg.domains.sponsors.services import transitions as svc
from pydotorg.domains.sponsors.services.notifications import notify_rejection

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
StatusQuery = Annotated[
    str | None,
    Parameter(
        pattern="^(applied|rejected|approved|finalized)$",
        description="one status; without it every status but rejected",
    ),
]
PackageQuery = Annotated[int | None, QueryParameter(name="package", ge=1, le=2**31 - 1)]
YearQuery = Annotated[int | None, Parameter(ge=YEAR_MIN, le=YEAR_MAX)]
SearchQuery = Annotated[
    str | None, QueryParameter(name="q", max_length=100, description="in the sponsor's name")
]
EmailBenefitQuery = Annotated[
    int | None,
    Parameter(
        ge=1, le=2**31 - 1, description="holders of this e-mail targetable benefit of the current year"
    ),
]
SIGNED_CONTRACT = "signed_contract"  # python.org's field names
SIGNED_DOCUMENT = "signed_document"
_FIELD = re.compile(r"`\$\.(\w+)`|field `(\w+)`")


def sponsorship_summary(row: svc.SponsorshipRow) -> schemas.SponsorshipSummary:
    s = row.sponsorship
    return schemas.SponsorshipSummary(
        id=s.id,
        sponsor=schemas.SponsorSummary(id=row.sponsor.id, name=row.sponsor.name) if row.sponsor else None,
        status=s.status,
        status_label=svc.SPONSORSHIP_LABELS[s.status],
        locked=s.locked,
        open_for_editing=svc.open_for_editing(s),
        year=s.year,
        package_id=s.package_id,
        level_name=row.package.name if row.package is not None else s.level_name_old,
        sponsorship_fee=s.sponsorship_fee,
        for_modified_package=s.for_modified_package,
        renewal=s.renewal,
        applied_on=s.applied_on,
        approved_on=s.approved_on,
        rejected_on=s.rejected_on,
        finalized_on=s.finalized_on,
        start_date=s.start_date,
        end_date=s.end_date,
        overlapped_by_id=s.overlapped_by_id,
    )


def contract_read(contract: Contract, storage: Storage) -> schemas.ContractRead:
    return schemas.ContractRead(
        id=contract.id,
        sponsorship_id=contract.sponsorship_id,
        status=contract.status,
        status_label=svc.CONTRACT_LABELS[contract.status],
        next_status=list(svc.CONTRACT_NEXT[contract.status]),
        revision=contract.revision,
        sponsor_info=contract.sponsor_info,
        sponsor_contact=contract.sponsor_contact,
        benefits_list=contract.benefits_list,
        legal_clauses=contract.legal_clauses,
        document=contract.document,
        document_docx=contract.document_docx,
        signed_document=contract.signed_document,
        signed_document_url=storage.url(contract.signed_document) if contract.signed_document else None,
        created_on=contract.created_on,
        last_update=contract.last_update,
        sent_on=contract.sent_on,
    )


def contact_read(c: SponsorContact) -> schemas.ContactRead:
    return schemas.ContactRead(
        id=c.id,
        name=c.name,
        email=c.email,
        phone=c.phone,
        primary=c.primary,
        administrative=c.administrative,
        accounting=c.accounting,
        manager=c.manager,
        user_id=c.user_id,
    )


def feature_read(f: BenefitFeature) -> schemas.FeatureRead:
    return schemas.FeatureRead(
        id=f.id,
        kind=f.kind,
        publisher=f.publisher,
        logo_place=f.logo_place,
        link_to_sponsors_page=f.link_to_sponsors_page,
        describe_as_sponsor=f.describe_as_sponsor,
        package_id=f.package_id,
        quantity=f.quantity,
        display_label=f.display_label,
        related_to=f.related_to,
        internal_name=f.internal_name,
        label=f.label,
        help_text=f.help_text,
        due_date=f.due_date,
        min_width=f.min_width,
        max_width=f.max_width,
        min_height=f.min_height,
        max_height=f.max_height,
        max_length=f.max_length,
        shared=f.shared,
    )


def benefit_read(view: svc.BenefitView) -> schemas.BenefitRead:
    b = view.benefit
    return schemas.BenefitRead(
        id=b.id,
        sponsorship_benefit_id=b.sponsorship_benefit_id,
        program_id=b.program_id,
        program_name=b.program_name,
        name=b.name,
        name_for_display=view.name_for_display,
        description=b.description,
        benefit_internal_value=b.benefit_internal_value,
        added_by_user=b.added_by_user,
        standalone=b.standalone,
        features=[feature_read(f) for f in view.features],
    )


def audit_read(entry: SponsorAuditEntry) -> schemas.AuditEntryRead:
    return schemas.AuditEntryRead(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        object_kind=entry.object_kind,
        object_id=entry.object_id,
        message=entry.message,
    )


def sponsorship_detail(view: svc.SponsorshipView, storage: Storage) -> schemas.SponsorshipDetail:
    s = view.row.sponsorship
    return schemas.SponsorshipDetail(
        sponsorship=sponsorship_summary(view.row),
        next_status=list(svc.SPONSORSHIP_NEXT[s.status]),
        estimated_cost=sum(b.benefit.benefit_internal_value or 0 for b in view.benefits),
        submitted_by_id=s.submitted_by_id,
        contacts=[contact_read(c) for c in view.contacts],
        contract=contract_read(view.contract, storage) if view.contract is not None else None,
        benefits=[benefit_read(b) for b in view.benefits],
        audit=[audit_read(e) for e in view.audit],
    )


async def detail_of(
    tx: AsyncSession, storage: Storage, sponsorship: Sponsorship
) -> schemas.SponsorshipDetail:
    return sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)


Move = Callable[[AsyncSession, Principal, Sponsorship], Awaitable[Any]]


async def _move(
    tx: AsyncSession, request: Request[Any, Any, Any], sponsorship_id: int, move: Move
) -> Sponsorship:
    """One state-machine move on a sponsorship, under its row lock, by the caller."""
    sponsorship = await svc.get_sponsorship(tx, sponsorship_id, for_update=True)
    await move(tx, require_principal(request), sponsorship)
    return sponsorship


def asset_read(view: svc.AssetView, storage: Storage) -> schemas.AssetRead:
    f, asset = view.feature, view.asset
    stored_file = asset.file if asset is not None and asset.file else None
    return schemas.AssetRead(
        feature_id=f.id,
        kind=f.kind,
        benefit_id=view.benefit.id,
        benefit_name=view.benefit.name,
        internal_name=f.internal_name,
        label=f.label,
        help_text=f.help_text,
        due_date=f.due_date,
        related_to=f.related_to,
        has_value=view.has_value,
        asset_id=asset.id if asset is not None else None,
        asset_uuid=str(asset.uuid) if asset is not None else None,
        text=asset.text if asset is not None and asset.text else None,
        response=asset.response if asset is not None else None,
        file=stored_file,
        file_url=storage.url(stored_file) if stored_file else None,
    )


def approval_terms(data: schemas.SponsorshipApproval) -> svc.Approval:
    return svc.Approval(
        start_date=data.start_date,
        end_date=data.end_date,
        package_id=data.package_id,
        sponsorship_fee=data.sponsorship_fee,
        renewal=data.renewal,
    )


def approval_form(data: dict[str, Any]) -> svc.Approval:
    """The approval fields of a multipart form, validated as the JSON body of ``approve`` is."""
    names = schemas.SponsorshipApproval.__struct_fields__
    values = {name: data[name] for name in names if isinstance(data.get(name), str)}
    try:
        parsed = msgspec.convert(values, schemas.SponsorshipApproval, strict=False)
    except msgspec.ValidationError as exc:
        match = _FIELD.search(str(exc))
        name = next((g for g in match.groups() if g), "form") if match else "form"
        raise ValidationFailed({name: [str(exc)]}) from None
    return approval_terms(parsed)


class SponsorsStaffController(Controller):
    path = "/api/v3/sponsors"
    tags = ["sponsors"]

    # --- reads -------------------------------------------------------------------------------

    @get(
        "/sponsorships",
        operation_id="sponsors_sponsorships_list",
        summary="Staff: sponsorships, newest first (rejected ones only when asked for by status)",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
    )
    async def list_sponsorships(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: StatusQuery = None,
        package: PackageQuery = None,
        year: YearQuery = None,
        q: SearchQuery = None,
        email_benefit: EmailBenefitQuery = None,
    ) -> schemas.SponsorshipList:
        filters = svc.Filters(
            status=status, package_id=package, year=year, search=q, email_benefit=email_benefit
        )
        rows, meta = await svc.list_sponsorships(tx, filters, limit=limit, offset=offset)
        return schemas.SponsorshipList(data=[sponsorship_summary(r) for r in rows], meta=meta)

    @get(
        "/sponsorships/export.csv",
        operation_id="sponsors_sponsorships_export",
        summary="Staff: the listed sponsorships as CSV with python.org's export columns",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        media_type="text/csv; charset=utf-8",
    )
    async def export_sponsorships(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        status: StatusQuery = None,
        package: PackageQuery = None,
        year: YearQuery = None,
        q: SearchQuery = None,
        email_benefit: EmailBenefitQuery = None,
    ) -> Response[str]:
        filters = svc.Filters(
            status=status, package_id=package, year=year, search=q, email_benefit=email_benefit
        )
        site_url = request.app.state.settings.site_url
        text = await svc.export_csv(tx, filters, storage=storage, site_url=site_url)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="sponsorships.csv"'},
        )

    @get(
        "/sponsorships/{sponsorship_id:int}",
        operation_id="sponsors_sponsorships_read",
        summary="Staff: one sponsorship with its contacts, contract, benefits, features and audit trail",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
    )
    async def read_sponsorship(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], sponsorship_id: PK
    ) -> schemas.SponsorshipDetail:
        sponsorship = await svc.get_sponsorship(tx, sponsorship_id)
        return sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)

    @get(
        "/sponsorships/{sponsorship_id:int}/assets",
        operation_id="sponsors_sponsorships_assets",
        summary="Staff: the assets a sponsorship requires, with what the sponsor provided",
        guards=[permission_required(CHANGE_ASSETS)],
    )
    async def list_assets(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], sponsorship_id: PK
    ) -> schemas.AssetList:
        sponsorship = await svc.get_sponsorship(tx, sponsorship_id)
        return schemas.AssetList(
            data=[asset_read(v, storage) for v in await svc.required_assets(tx, sponsorship)]
        )

    @get(
        "/contracts/{contract_id:int}",
        operation_id="sponsors_contracts_read",
        summary="Staff: one contract",
        guards=[permission_required(CHANGE_CONTRACT, CHANGE_SPONSORSHIP)],
    )
    async def read_contract(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], contract_id: PK
    ) -> schemas.ContractRead:
        return contract_read(await svc.get_contract(tx, contract_id), storage)

    # --- sponsorship transitions ---------------------------------------------------------------

    @patch(
        "/sponsorships/{sponsorship_id:int}",
        operation_id="sponsors_sponsorships_update",
        summary="Change a sponsorship (dates, package and fee only while it is open for editing); "
        "saving one that is not applied locks it",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
    )
    async def update_sponsorship(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
        data: JSONBody[schemas.SponsorshipUpdate],
    ) -> schemas.SponsorshipDetail:
        sponsorship = await svc.get_sponsorship(tx, sponsorship_id, for_update=True)
        await svc.update_sponsorship(tx, require_principal(request), sponsorship, given_fields(data))
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/approve",
        operation_id="sponsors_sponsorships_approve",
        summary="Approve an application (dates, package, fee, renewal) and draft its contract",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
        data: JSONBody[schemas.SponsorshipApproval],
    ) -> schemas.SponsorshipDetail:
        sponsorship = await svc.get_sponsorship(tx, sponsorship_id, for_update=True)
        await svc.approve(tx, require_principal(request), sponsorship, approval_terms(data))
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/approve-existing",
        operation_id="sponsors_sponsorships_approve_existing",
        summary="Approve an application whose contract is already signed (multipart: the approval "
        "fields and the signed PDF in 'signed_contract'); it is finalized at once",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def approve_existing(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
        data: Multipart,
    ) -> schemas.SponsorshipDetail:
        # The form is read before the database is touched: a refused upload ends the request
        # with no transaction open.
        terms = approval_form(data)
        signed = await svc.read_signed_pdf(data, SIGNED_CONTRACT)
        sponsorship = await svc.get_sponsorship(tx, sponsorship_id, for_update=True)
        await svc.approve_with_signed_contract(
            tx, require_principal(request), storage, sponsorship, terms, signed
        )
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/reject",
        operation_id="sponsors_sponsorships_reject",
        summary="Reject an application",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def reject(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
    ) -> schemas.SponsorshipDetail:
        sponsorship = await _move(tx, request, sponsorship_id, svc.reject)
        await notify_rejection(tx, MailContext.of(request.app.state), sponsorship.id)
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/enable-edit",
        operation_id="sponsors_sponsorships_enable_edit",
        summary="Roll an applied, approved or rejected sponsorship back to editing (deletes a draft "
        "contract)",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def enable_edit(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
    ) -> schemas.SponsorshipDetail:
        sponsorship = await _move(tx, request, sponsorship_id, svc.rollback_to_editing)
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/lock",
        operation_id="sponsors_sponsorships_lock",
        summary="Lock a reviewed sponsorship against editing",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def lock(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
    ) -> schemas.SponsorshipDetail:
        sponsorship = await _move(tx, request, sponsorship_id, svc.lock)
        return await detail_of(tx, storage, sponsorship)

    @post(
        "/sponsorships/{sponsorship_id:int}/unlock",
        operation_id="sponsors_sponsorships_unlock",
        summary="Unlock a finalized sponsorship for editing",
        guards=[permission_required(CHANGE_SPONSORSHIP)],
        status_code=200,
    )
    async def unlock(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
    ) -> schemas.SponsorshipDetail:
        sponsorship = await _move(tx, request, sponsorship_id, svc.unlock)
        return await detail_of(tx, storage, sponsorship)

    # --- contract transitions ------------------------------------------------------------------

    @patch(
        "/contracts/{contract_id:int}",
        operation_id="sponsors_contracts_update",
        summary="Change a draft contract's texts (a new revision)",
        guards=[permission_required(CHANGE_CONTRACT)],
    )
    async def update_contract(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
        data: JSONBody[schemas.ContractUpdate],
    ) -> schemas.ContractRead:
        contract = await svc.get_contract(tx, contract_id, for_update=True)
        await svc.update_contract(tx, require_principal(request), contract, given_fields(data))
        return contract_read(contract, storage)

    @post(
        "/contracts/{contract_id:int}/execute",
        operation_id="sponsors_contracts_execute",
        summary="Execute a draft or sent contract with the signed PDF (multipart field "
        "'signed_document'); finalizes the sponsorship",
        guards=[permission_required(CHANGE_CONTRACT)],
        status_code=200,
    )
    async def execute_contract(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
        data: Multipart,
    ) -> schemas.ContractRead:
        signed = await svc.read_signed_pdf(data, SIGNED_DOCUMENT)
        contract = await svc.get_contract(tx, contract_id, for_update=True)
        await svc.execute_contract(tx, require_principal(request), storage, contract, signed)
        return contract_read(contract, storage)

    @post(
        "/contracts/{contract_id:int}/nullify",
        operation_id="sponsors_contracts_nullify",
        summary="Nullify a contract awaiting signature",
        guards=[permission_required(CHANGE_CONTRACT)],
        status_code=200,
    )
    async def nullify_contract(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
    ) -> schemas.ContractRead:
        contract = await svc.get_contract(tx, contract_id, for_update=True)
        await svc.nullify_contract(tx, require_principal(request), contract)
        return contract_read(contract, storage)

    @post(
        "/contracts/{contract_id:int}/redraft",
        operation_id="sponsors_contracts_redraft",
        summary="Return a nullified contract to draft (a new revision)",
        guards=[permission_required(CHANGE_CONTRACT)],
        status_code=200,
    )
    async def redraft_contract(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
    ) -> schemas.ContractRead:
        contract = await svc.get_contract(tx, contract_id, for_update=True)
        await svc.redraft_contract(tx, require_principal(request), contract)
        return contract_read(contract, storage)


ROUTE_HANDLERS = [SponsorsStaffController]
