"""The sponsorship and contract state machines (inventory 1.16) and the staff operations on them:
approve (which drafts the contract), approve with an existing signed contract, reject, roll back
to editing, lock and unlock; edit a draft contract, execute it with the signed PDF, nullify it and
return a nullified one to draft; and the staff reads (the filtered list, one sponsorship with its
contract, benefits, features and audit trail, the CSV export, the required assets).

Sponsorship::

    applied --approve--> approved --contract executed--> finalized
    applied --reject--> rejected
    applied | approved | rejected --rollback_to_editing--> applied   (deletes a draft contract)

Contract::

    draft --send--> awaiting signature --execute--> executed
    draft --execute--> executed                     (a signed contract that already exists)
    awaiting signature --nullify--> nullified --redraft--> draft
    outdated, executed: terminal

"send" needs the generated documents and lives with them; every other edge is here. A refused
transition is a 409 (``InvalidStatus``) with python.org's sentence ("Can't reject a Rejected
sponsorship."): the request is well formed, the record's state is what conflicts with it, as for
jobs. Bad input (dates, an unknown package, a file that is not a PDF) is a 400 naming the field.

Every write changes rows through the ORM, so the change feed records them and, after the commit,
the API caches turn over and the site rebuild is enqueued (core/changes.py); every write also
leaves an audit entry with python.org's ``LogEntry`` wording (services/audit.py). Nothing here
commits.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ConflictException, ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Upload, read_upload
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    AWAITING_SIGNATURE,
    DRAFT,
    EMAIL_TARGETABLE,
    EXECUTED,
    FILE_ASSET,
    FINALIZED,
    IMG_ASSET,
    IN_PROGRESS,
    NULLIFIED,
    OUTDATED,
    REJECTED,
    REQUIRED_ASSET_KINDS,
    TIERED_BENEFIT,
    BenefitFeature,
    BenefitFeatureConfiguration,
    Contract,
    LegalClause,
    Sponsor,
    SponsorAsset,
    SponsorAuditEntry,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    benefit_legal_clauses,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.placements import contacts_of, sponsor_contacts

# python.org's ``get_status_display()`` labels, which its refusals quote.
SPONSORSHIP_LABELS = {APPLIED: "Applied", REJECTED: "Rejected", APPROVED: "Approved", FINALIZED: "Finalized"}
CONTRACT_LABELS = {
    DRAFT: "Draft",
    OUTDATED: "Outdated",
    AWAITING_SIGNATURE: "Awaiting signature",
    EXECUTED: "Executed",
    NULLIFIED: "Nullified",
}
# python.org's ``next_status`` maps.
SPONSORSHIP_NEXT: dict[str, tuple[str, ...]] = {
    APPLIED: (APPROVED, REJECTED),
    APPROVED: (FINALIZED,),
    REJECTED: (),
    FINALIZED: (),
}
CONTRACT_NEXT: dict[str, tuple[str, ...]] = {
    DRAFT: (AWAITING_SIGNATURE, EXECUTED),
    OUTDATED: (),
    AWAITING_SIGNATURE: (EXECUTED, NULLIFIED),
    EXECUTED: (),
    NULLIFIED: (DRAFT,),
}
ROLLBACK_FROM = (APPLIED, APPROVED, REJECTED)

# Signed contracts: PDF only, stored as sponsors/contracts/signed/<uuid>.pdf (python.org's
# directory and its random name); the client's file name is never used.
SIGNED_DIR = "sponsors/contracts/signed/"
MAX_SIGNED_DOCUMENT = 8 * 1024 * 1024

# The audit entries' ``message``: python.org's LogEntry texts where it wrote one.
APPROVAL = "Sponsorship Approval"
CONTRACT_CREATED = "Created After Sponsorship Approval"
CONTRACT_EXECUTED = "Contract Executed"
EXISTING_CONTRACT_EXECUTED = "Existing Contract Uploaded and Executed"
CONTRACT_NULLIFIED = "Contract Nullified"
# Operations python.org did not log; worded the same way.
REJECTION = "Sponsorship Rejected"
ROLLBACK = "Sponsorship Rolled Back to Editing"
DRAFT_CONTRACT_DELETED = "Draft Contract Deleted on Rollback to Editing"
LOCKED = "Sponsorship Locked"
UNLOCKED = "Sponsorship Unlocked"
CONTRACT_REDRAFTED = "Contract Returned to Draft"

CSV_COLUMNS = (
    "Company Name",
    "Contact Name(s)",
    "Contact Email(s)",
    "Contact phone number",
    "Contact Type(s)",
    "Start Date",
    "End Date",
    "Logo",
    "Webpage link",
    "Sponsorship Level",
    "Sponsorship Cost",
    "Admin Link",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Characters that can start Markdown (CommonMark and pandoc) markup; each is backslash-escaped in
# the values a sponsor typed, so a name cannot become a link, a footnote, a heading or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~^&$@])")


class InvalidStatus(ConflictException):
    """A transition the record's status does not allow (python.org's ``InvalidStatusError``)."""


def today() -> date:
    return utcnow().date()


def markdown_escape(value: str) -> str:
    """``value`` as literal Markdown text: line breaks folded into spaces (a value stays on its
    line, so it cannot start a list, a heading or a code block) and markup characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def open_for_editing(sponsorship: Sponsorship) -> bool:
    return sponsorship.status == APPLIED or not sponsorship.locked


def _ensure_next(sponsorship: Sponsorship, target: str, verb: str) -> None:
    if target not in SPONSORSHIP_NEXT[sponsorship.status]:
        raise InvalidStatus(f"Can't {verb} a {SPONSORSHIP_LABELS[sponsorship.status]} sponsorship.")


def _ensure_contract_next(contract: Contract, target: str, refusal: str) -> None:
    """``refusal`` names the contract's status with ``{}``: "Can't execute a {} contract."."""
    if target not in CONTRACT_NEXT[contract.status]:
        raise InvalidStatus(refusal.format(CONTRACT_LABELS[contract.status]))


def _lock_on_save(sponsorship: Sponsorship) -> None:
    """python.org's ``Sponsorship.save``: any save of a sponsorship that is not ``applied`` locks
    it (only an explicit unlock saves ``locked`` alone)."""
    if sponsorship.status != APPLIED:
        sponsorship.locked = True


def _save_contract(contract: Contract) -> None:
    """python.org's ``Contract.save``: ``last_update`` is today and a draft's revision goes up."""
    contract.last_update = today()
    if contract.status == DRAFT:
        contract.revision += 1


# --- loading -------------------------------------------------------------------------------------


async def get_sponsorship(tx: AsyncSession, sponsorship_id: int, *, for_update: bool = False) -> Sponsorship:
    """The sponsorship (404 if missing); ``for_update`` holds its row until the commit, so two
    staff members cannot move it at once."""
    stmt = (
        select(Sponsorship).where(Sponsorship.id == sponsorship_id).execution_options(populate_existing=True)
    )
    if for_update:
        stmt = stmt.with_for_update()
    sponsorship = await tx.scalar(stmt)
    if sponsorship is None:
        raise NotFoundException(f"No sponsorship {sponsorship_id}.")
    return sponsorship


async def get_contract(tx: AsyncSession, contract_id: int, *, for_update: bool = False) -> Contract:
    stmt = select(Contract).where(Contract.id == contract_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    contract = await tx.scalar(stmt)
    if contract is None:
        raise NotFoundException(f"No contract {contract_id}.")
    return contract


async def contract_of(tx: AsyncSession, sponsorship_id: int) -> Contract | None:
    return await tx.scalar(select(Contract).where(Contract.sponsorship_id == sponsorship_id))


async def _sponsorship_of(tx: AsyncSession, contract: Contract) -> Sponsorship:
    if contract.sponsorship_id is None:
        raise InvalidStatus("The contract belongs to no sponsorship any more (it was deleted).")
    return await get_sponsorship(tx, contract.sponsorship_id, for_update=True)


# --- the contract's texts ------------------------------------------------------------------------


async def display_names(tx: AsyncSession, benefits: Sequence[SponsorBenefit]) -> dict[int, str]:
    """python.org's ``SponsorBenefit.name_for_display``: a tiered benefit's name with its label or
    quantity, "PyCon passes (4)"."""
    names = {b.id: b.name for b in benefits}
    tiers = await tx.scalars(
        select(BenefitFeature)
        .where(BenefitFeature.sponsor_benefit_id.in_(list(names)), BenefitFeature.kind == TIERED_BENEFIT)
        .order_by(BenefitFeature.id)
    )
    for tier in tiers:
        label = tier.display_label or str(tier.quantity)
        names[tier.sponsor_benefit_id] = f"{names[tier.sponsor_benefit_id]} ({label})"
    return names


async def sponsor_benefits(tx: AsyncSession, sponsorship_id: int) -> list[SponsorBenefit]:
    stmt = (
        select(SponsorBenefit)
        .where(SponsorBenefit.sponsorship_id == sponsorship_id)
        .order_by(SponsorBenefit.order, SponsorBenefit.id)
    )
    return list(await tx.scalars(stmt))


async def primary_contact(tx: AsyncSession, sponsor_id: int) -> SponsorContact | None:
    stmt = (
        select(SponsorContact)
        .where(SponsorContact.sponsor_id == sponsor_id, SponsorContact.primary.is_(True))
        .order_by(SponsorContact.id)
        .limit(1)
    )
    return await tx.scalar(stmt)


@dataclass
class ContractTexts:
    sponsor_info: str
    sponsor_contact: str
    benefits_list: str
    legal_clauses: str


async def contract_texts(tx: AsyncSession, sponsorship: Sponsorship, sponsor: Sponsor) -> ContractTexts:
    """python.org's ``Contract.new``: "<name>, <description>", "<primary name> - <phone> |
    <email>", one bullet "- <program> - <benefit> [^n]" per benefit (its legal clauses as
    footnote references) and the clauses as footnotes "[^n]: <clause>", numbered in the clauses'
    order. What the sponsor typed is escaped (``markdown_escape``); programs, benefits and
    clauses are the PSF's own text."""
    contact = await primary_contact(tx, sponsor.id)
    sponsor_contact = ""
    if contact is not None:
        sponsor_contact = " - ".join(
            (
                markdown_escape(contact.name),
                f"{markdown_escape(contact.phone)} | {markdown_escape(contact.email)}",
            )
        )
    benefits = await sponsor_benefits(tx, sponsorship.id)
    names = await display_names(tx, benefits)
    origins = [b.sponsorship_benefit_id for b in benefits if b.sponsorship_benefit_id is not None]
    rows = await tx.execute(
        select(benefit_legal_clauses.c.benefit_id, LegalClause)
        .join(LegalClause, LegalClause.id == benefit_legal_clauses.c.legal_clause_id)
        .where(benefit_legal_clauses.c.benefit_id.in_(origins))
        .order_by(LegalClause.order, LegalClause.id)
    )
    clauses_of: dict[int, list[LegalClause]] = defaultdict(list)
    ordered: dict[int, LegalClause] = {}
    for benefit_id, clause in rows:
        clauses_of[benefit_id].append(clause)
        ordered.setdefault(clause.id, clause)
    number = {clause_id: n for n, clause_id in enumerate(ordered, start=1)}
    items = []
    for benefit in benefits:
        item = f"- {benefit.program_name} - {names[benefit.id]}"
        refs = "".join(f"[^{number[c.id]}]" for c in clauses_of.get(benefit.sponsorship_benefit_id or 0, []))
        items.append(f"{item} {refs}" if refs else item)
    return ContractTexts(
        sponsor_info=f"{markdown_escape(sponsor.name)}, {markdown_escape(sponsor.description)}",
        sponsor_contact=sponsor_contact,
        benefits_list="\n".join(items),
        legal_clauses="\n".join(f"[^{n}]: {c.clause}" for n, c in enumerate(ordered.values(), start=1)),
    )


async def new_contract(tx: AsyncSession, sponsorship: Sponsorship) -> Contract:
    """The draft contract of an approved sponsorship (revision 0)."""
    sponsor = await tx.get(Sponsor, sponsorship.sponsor_id) if sponsorship.sponsor_id is not None else None
    if sponsor is None:
        raise InvalidStatus("The sponsorship has no sponsor any more (it was deleted); it has no contract.")
    texts = await contract_texts(tx, sponsorship, sponsor)
    contract = Contract(
        status=DRAFT,
        revision=0,
        sponsorship_id=sponsorship.id,
        sponsor_info=texts.sponsor_info,
        sponsor_contact=texts.sponsor_contact,
        benefits_list=texts.benefits_list,
        legal_clauses=texts.legal_clauses,
    )
    tx.add(contract)
    await tx.flush()
    return contract


# --- sponsorship transitions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    """What staff decide on approval (python.org's review form; every field required)."""

    start_date: date
    end_date: date
    package_id: int
    sponsorship_fee: int
    renewal: bool


async def approve(
    tx: AsyncSession, principal: Principal, sponsorship: Sponsorship, terms: Approval
) -> Contract:
    """applied -> approved with the dates, package, fee and renewal; drafts the contract."""
    if terms.start_date >= terms.end_date:
        raise ValidationFailed({"end_date": ["End date must be greater than start date."]})
    package = await tx.get(SponsorshipPackage, terms.package_id)
    if package is None:
        raise ValidationFailed({"package_id": [f"No sponsorship package {terms.package_id}."]})
    _ensure_next(sponsorship, APPROVED, "approve")
    existing = await contract_of(tx, sponsorship.id)
    if existing is not None:
        raise InvalidStatus(
            f"The sponsorship already has a {CONTRACT_LABELS[existing.status]} contract "
            f"({existing.id}); roll it back to editing first."
        )
    assign_changed(
        sponsorship,
        {
            "status": APPROVED,
            "start_date": terms.start_date,
            "end_date": terms.end_date,
            "approved_on": today(),
            "package_id": package.id,
            "level_name_old": package.name,
            "sponsorship_fee": terms.sponsorship_fee,
            "renewal": terms.renewal,
        },
    )
    _lock_on_save(sponsorship)
    await tx.flush()
    contract = await new_contract(tx, sponsorship)
    await _log(tx, principal, "sponsorship.approve", sponsorship, APPROVAL)
    await _log_contract(tx, principal, "contract.create", contract, CONTRACT_CREATED)
    return contract


async def approve_with_signed_contract(
    tx: AsyncSession,
    principal: Principal,
    storage: Storage,
    sponsorship: Sponsorship,
    terms: Approval,
    signed: Upload,
) -> Contract:
    """python.org's "approve-existing": approve, then execute the new draft contract with the
    contract the sponsor already signed; the sponsorship ends finalized."""
    contract = await approve(tx, principal, sponsorship, terms)
    return await execute_contract(tx, principal, storage, contract, signed, existing=True)


async def reject(tx: AsyncSession, principal: Principal, sponsorship: Sponsorship) -> Sponsorship:
    _ensure_next(sponsorship, REJECTED, "reject")
    assign_changed(sponsorship, {"status": REJECTED, "rejected_on": today()})
    _lock_on_save(sponsorship)
    await tx.flush()
    await _log(tx, principal, "sponsorship.reject", sponsorship, REJECTION)
    return sponsorship


async def rollback_to_editing(
    tx: AsyncSession, principal: Principal, sponsorship: Sponsorship
) -> Sponsorship:
    """applied | approved | rejected -> applied, deleting a draft contract; refused when the
    contract has gone further than draft. ``locked`` stays as it was: an applied sponsorship is
    open for editing whatever it says (python.org)."""
    label = SPONSORSHIP_LABELS[sponsorship.status]
    if sponsorship.status not in ROLLBACK_FROM:
        raise InvalidStatus(f"Can't rollback to edit a {label} sponsorship.")
    contract = await contract_of(tx, sponsorship.id)
    if contract is not None and contract.status != DRAFT:
        raise InvalidStatus(
            f"Can't rollback to edit a sponsorship with a {CONTRACT_LABELS[contract.status]} Contract."
        )
    if sponsorship.status == REJECTED and sponsorship.sponsor_id is not None:
        other = await tx.scalar(
            select(Sponsorship.id).where(
                Sponsorship.sponsor_id == sponsorship.sponsor_id,
                Sponsorship.status.in_(IN_PROGRESS),
                Sponsorship.id != sponsorship.id,
            )
        )
        if other is not None:
            raise InvalidStatus(
                f"The sponsor already has an application in progress (sponsorship {other}); "
                "a sponsor has one at a time."
            )
    if contract is not None:
        await _log_contract(tx, principal, "contract.delete", contract, DRAFT_CONTRACT_DELETED)
        await tx.delete(contract)
    assign_changed(sponsorship, {"status": APPLIED, "approved_on": None, "rejected_on": None})
    await tx.flush()
    await _log(tx, principal, "sponsorship.rollback_to_editing", sponsorship, ROLLBACK)
    return sponsorship


async def lock(tx: AsyncSession, principal: Principal, sponsorship: Sponsorship) -> Sponsorship:
    """Lock a sponsorship staff had unlocked (python.org offers it for any status but applied,
    which is open for editing by definition)."""
    if sponsorship.status == APPLIED:
        raise InvalidStatus("Can't lock a Applied sponsorship: it is open for editing until it is reviewed.")
    if sponsorship.locked:
        raise InvalidStatus("The sponsorship is already locked.")
    sponsorship.locked = True
    await tx.flush()
    await _log(tx, principal, "sponsorship.lock", sponsorship, LOCKED)
    return sponsorship


async def unlock(tx: AsyncSession, principal: Principal, sponsorship: Sponsorship) -> Sponsorship:
    """Open a finalized sponsorship for editing again (python.org offers unlock for finalized
    sponsorships only; approved and rejected ones are rolled back to editing instead)."""
    if sponsorship.status != FINALIZED:
        raise InvalidStatus(f"Can't unlock a {SPONSORSHIP_LABELS[sponsorship.status]} sponsorship.")
    if not sponsorship.locked:
        raise InvalidStatus("The sponsorship is already unlocked.")
    sponsorship.locked = False
    await tx.flush()
    await _log(tx, principal, "sponsorship.unlock", sponsorship, UNLOCKED)
    return sponsorship


# python.org's admin change form: these are read-only while the sponsorship is not open for editing.
LOCKED_FIELDS = ("start_date", "end_date", "package_id", "sponsorship_fee")


async def update_sponsorship(
    tx: AsyncSession, principal: Principal, sponsorship: Sponsorship, values: Mapping[str, Any]
) -> Sponsorship:
    """Staff edits (python.org's admin change form): dates, package and fee only while the
    sponsorship is open for editing; the year only while it has none; ``overlapped_by`` another
    sponsorship of the same sponsor. Saving a sponsorship that is not applied locks it."""
    changes = {name: value for name, value in values.items() if getattr(sponsorship, name) != value}
    frozen = [name for name in LOCKED_FIELDS if name in changes]
    if frozen and not open_for_editing(sponsorship):
        raise InvalidStatus(
            f"Can't change {', '.join(frozen)} of a locked {SPONSORSHIP_LABELS[sponsorship.status]} "
            "sponsorship; unlock it or roll it back to editing first."
        )
    errors: dict[str, list[str]] = {}
    if "year" in changes and sponsorship.year is not None:
        errors["year"] = ["The year of a sponsorship cannot change once set."]
    start = changes.get("start_date", sponsorship.start_date)
    end = changes.get("end_date", sponsorship.end_date)
    if start is not None and end is not None and start >= end:
        errors["end_date"] = ["End date must be greater than start date."]
    package_id = changes.get("package_id")
    if package_id is not None and await tx.get(SponsorshipPackage, package_id) is None:
        errors["package_id"] = [f"No sponsorship package {package_id}."]
    overlapping = changes.get("overlapped_by_id")
    if overlapping is not None:
        other = await tx.get(Sponsorship, overlapping)
        if other is None or other.id == sponsorship.id or other.sponsor_id != sponsorship.sponsor_id:
            errors["overlapped_by_id"] = ["It must be another sponsorship of the same sponsor."]
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        return sponsorship
    assign_changed(sponsorship, changes)
    _lock_on_save(sponsorship)
    await tx.flush()
    await _log(tx, principal, "sponsorship.update", sponsorship, f"Changed {', '.join(changes)}.")
    return sponsorship


# --- contract transitions ------------------------------------------------------------------------


async def read_signed_pdf(data: Mapping[str, Any], field_name: str) -> Upload:
    """The signed contract in the multipart field: a PDF (by extension and by its first bytes)
    of at most ``MAX_SIGNED_DOCUMENT`` bytes; else a 400 naming the field."""
    upload = await read_upload(data, field_name, allowed=frozenset({"pdf"}), max_bytes=MAX_SIGNED_DOCUMENT)
    if not upload.content.startswith(b"%PDF-"):
        raise ValidationFailed({field_name: ["The file is not a PDF document."]})
    return upload


async def execute_contract(
    tx: AsyncSession,
    principal: Principal,
    storage: Storage,
    contract: Contract,
    signed: Upload,
    *,
    existing: bool = False,
) -> Contract:
    """draft | awaiting signature -> executed with the signed PDF; the sponsorship is finalized
    (locked, finalized today), and every other enabled sponsorship of the sponsor that is active
    on the new start date becomes overlapped by it."""
    _ensure_contract_next(contract, EXECUTED, "Can't execute a {} contract.")
    sponsorship = await _sponsorship_of(tx, contract)
    _ensure_next(sponsorship, FINALIZED, "finalize")
    # Stored last, once every check has passed: a refused request leaves no file behind.
    name = await storage.save(f"{SIGNED_DIR}{uuid.uuid4()}.pdf", signed.content)
    contract.status = EXECUTED
    contract.signed_document = name
    _save_contract(contract)
    sponsorship.status = FINALIZED
    sponsorship.finalized_on = today()
    _lock_on_save(sponsorship)
    await tx.flush()
    message = EXISTING_CONTRACT_EXECUTED if existing else CONTRACT_EXECUTED
    await _log_contract(tx, principal, "contract.execute", contract, message)
    for other in await _mark_overlaps(tx, sponsorship):
        await _log(tx, principal, "sponsorship.overlap", other, f"Overlapped by sponsorship {sponsorship.id}")
    return contract


async def _mark_overlaps(tx: AsyncSession, sponsorship: Sponsorship) -> list[Sponsorship]:
    """python.org's ``.enabled().active_on_date(start_date)`` of the same sponsor: finalized,
    active today, not yet overlapped, and running on the new sponsorship's start date."""
    if sponsorship.sponsor_id is None or sponsorship.start_date is None:
        return []
    now, start = today(), sponsorship.start_date
    stmt = (
        select(Sponsorship)
        .where(
            Sponsorship.sponsor_id == sponsorship.sponsor_id,
            Sponsorship.id != sponsorship.id,
            Sponsorship.status == FINALIZED,
            Sponsorship.overlapped_by_id.is_(None),
            Sponsorship.start_date <= now,
            Sponsorship.end_date >= now,
            Sponsorship.start_date <= start,
            Sponsorship.end_date >= start,
        )
        .order_by(Sponsorship.id)
    )
    overlapped = list(await tx.scalars(stmt))
    for other in overlapped:
        other.overlapped_by_id = sponsorship.id
    await tx.flush()
    return overlapped


async def nullify_contract(tx: AsyncSession, principal: Principal, contract: Contract) -> Contract:
    _ensure_contract_next(contract, NULLIFIED, "Can't nullify a {} contract.")
    contract.status = NULLIFIED
    _save_contract(contract)
    await tx.flush()
    await _log_contract(tx, principal, "contract.nullify", contract, CONTRACT_NULLIFIED)
    return contract


async def redraft_contract(tx: AsyncSession, principal: Principal, contract: Contract) -> Contract:
    """nullified -> draft, so staff can correct it and send it again (a new revision)."""
    _ensure_contract_next(contract, DRAFT, "Can't return a {} contract to draft.")
    contract.status = DRAFT
    _save_contract(contract)
    await tx.flush()
    await _log_contract(tx, principal, "contract.redraft", contract, CONTRACT_REDRAFTED)
    return contract


CONTRACT_TEXT_FIELDS = ("sponsor_info", "sponsor_contact", "benefits_list", "legal_clauses")


async def update_contract(
    tx: AsyncSession, principal: Principal, contract: Contract, values: Mapping[str, str]
) -> Contract:
    """Change a draft contract's texts (python.org makes them read-only past draft); each change
    is a new revision."""
    if contract.status != DRAFT:
        raise InvalidStatus(f"Can't edit a {CONTRACT_LABELS[contract.status]} contract.")
    changed = [
        name for name in CONTRACT_TEXT_FIELDS if name in values and getattr(contract, name) != values[name]
    ]
    if not changed:
        return contract
    assign_changed(contract, {name: values[name] for name in changed})
    _save_contract(contract)
    await tx.flush()
    await _log_contract(tx, principal, "contract.update", contract, f"Changed {', '.join(changed)}.")
    return contract


async def _log(
    tx: AsyncSession, principal: Principal, action: str, sponsorship: Sponsorship, message: str
) -> None:
    await audit.record(
        tx,
        principal,
        action,
        object_kind="sponsorship",
        object_id=sponsorship.id,
        sponsorship_id=sponsorship.id,
        message=message,
    )


async def _log_contract(
    tx: AsyncSession, principal: Principal, action: str, contract: Contract, message: str
) -> None:
    await audit.record(
        tx,
        principal,
        action,
        object_kind="contract",
        object_id=contract.id,
        sponsorship_id=contract.sponsorship_id,
        message=message,
    )


# --- staff reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The staff list's filters (python.org's admin list filters and search)."""

    status: str | None = None  # None: every status but rejected
    package_id: int | None = None
    year: int | None = None
    search: str | None = None  # in the sponsor's name
    email_benefit: int | None = None  # an e-mail targetable benefit of the current year


@dataclass
class SponsorshipRow:
    sponsorship: Sponsorship
    sponsor: Sponsor | None
    package: SponsorshipPackage | None


async def email_targetable_benefits(tx: AsyncSession) -> list[SponsorshipBenefit]:
    """The current year's benefits that carry an e-mail targetable configuration."""
    year = await tx.scalar(select(SponsorshipCurrentYear.year).where(SponsorshipCurrentYear.id == 1))
    if year is None:
        return []
    targetable = exists().where(
        BenefitFeatureConfiguration.benefit_id == SponsorshipBenefit.id,
        BenefitFeatureConfiguration.kind == EMAIL_TARGETABLE,
    )
    stmt = select(SponsorshipBenefit).where(SponsorshipBenefit.year == year, targetable)
    return list(await tx.scalars(stmt.order_by(SponsorshipBenefit.order, SponsorshipBenefit.id)))


async def _filtered(tx: AsyncSession, filters: Filters) -> Select[Any]:
    stmt = select(Sponsorship)
    if filters.status is None:
        stmt = stmt.where(Sponsorship.status != REJECTED)
    else:
        stmt = stmt.where(Sponsorship.status == filters.status)
    if filters.package_id is not None:
        stmt = stmt.where(Sponsorship.package_id == filters.package_id)
    if filters.year is not None:
        stmt = stmt.where(Sponsorship.year == filters.year)
    if filters.search:
        named = select(Sponsor.id).where(Sponsor.name.icontains(filters.search, autoescape=True))
        stmt = stmt.where(Sponsorship.sponsor_id.in_(named))
    if filters.email_benefit is not None:
        allowed = {b.id for b in await email_targetable_benefits(tx)}
        if filters.email_benefit not in allowed:
            raise ValidationFailed(
                {
                    "email_benefit": [
                        f"Benefit {filters.email_benefit} is not an e-mail targetable benefit "
                        "of the current year."
                    ]
                }
            )
        holders = select(SponsorBenefit.sponsorship_id).where(
            SponsorBenefit.sponsorship_benefit_id == filters.email_benefit
        )
        stmt = stmt.where(Sponsorship.id.in_(holders))
    return stmt.order_by(Sponsorship.id.desc())


async def _rows(tx: AsyncSession, sponsorships: Sequence[Sponsorship]) -> list[SponsorshipRow]:
    sponsor_ids = {s.sponsor_id for s in sponsorships if s.sponsor_id is not None}
    package_ids = {s.package_id for s in sponsorships if s.package_id is not None}
    sponsors = {s.id: s for s in await tx.scalars(select(Sponsor).where(Sponsor.id.in_(sponsor_ids)))}
    packages = {
        p.id: p
        for p in await tx.scalars(select(SponsorshipPackage).where(SponsorshipPackage.id.in_(package_ids)))
    }
    return [
        SponsorshipRow(
            s,
            sponsors.get(s.sponsor_id) if s.sponsor_id is not None else None,
            packages.get(s.package_id) if s.package_id is not None else None,
        )
        for s in sponsorships
    ]


async def list_sponsorships(
    tx: AsyncSession, filters: Filters, *, limit: int, offset: int
) -> tuple[list[SponsorshipRow], ListMeta]:
    """Newest first (python.org's admin order)."""
    sponsorships, meta = await paginate(tx, await _filtered(tx, filters), limit, offset)
    return await _rows(tx, sponsorships), meta


@dataclass
class BenefitView:
    benefit: SponsorBenefit
    name_for_display: str
    features: list[BenefitFeature]


@dataclass
class SponsorshipView:
    row: SponsorshipRow
    contacts: list[SponsorContact]
    contract: Contract | None
    benefits: list[BenefitView]
    audit: list[SponsorAuditEntry] = field(default_factory=list)


async def sponsorship_view(tx: AsyncSession, sponsorship: Sponsorship) -> SponsorshipView:
    """One sponsorship with its sponsor's contacts, its contract, its benefits with their features
    and its audit trail (oldest first)."""
    (row,) = await _rows(tx, [sponsorship])
    benefits = await sponsor_benefits(tx, sponsorship.id)
    names = await display_names(tx, benefits)
    features: dict[int, list[BenefitFeature]] = defaultdict(list)
    stmt = (
        select(BenefitFeature)
        .where(BenefitFeature.sponsor_benefit_id.in_([b.id for b in benefits]))
        .order_by(BenefitFeature.id)
    )
    for feature in await tx.scalars(stmt):
        features[feature.sponsor_benefit_id].append(feature)
    contacts = await sponsor_contacts(tx, sponsorship.sponsor_id)
    trail = await tx.scalars(
        select(SponsorAuditEntry)
        .where(SponsorAuditEntry.sponsorship_id == sponsorship.id)
        .order_by(SponsorAuditEntry.at, SponsorAuditEntry.id)
    )
    return SponsorshipView(
        row=row,
        contacts=contacts,
        contract=await contract_of(tx, sponsorship.id),
        benefits=[BenefitView(b, names[b.id], features.get(b.id, [])) for b in benefits],
        audit=list(trail),
    )


def contact_types(contact: SponsorContact) -> str:
    """python.org's ``SponsorContact.type``: "Primary, Administrative, Manager, Accounting"."""
    flags = (
        (contact.primary, "Primary"),
        (contact.administrative, "Administrative"),
        (contact.manager, "Manager"),
        (contact.accounting, "Accounting"),
    )
    return ", ".join(label for on, label in flags if on)


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


async def export_csv(tx: AsyncSession, filters: Filters, *, storage: Storage, site_url: str) -> str:
    """python.org's admin export (django-import-export ``SponsorshipResource``): its columns, in
    its order, one line per contact inside the contact cells. "Admin Link" is the sponsorship's
    staff record in this API (python.org linked its Django admin page)."""
    rows = await _rows(tx, list(await tx.scalars(await _filtered(tx, filters))))
    contacts = await contacts_of(tx, [r.sponsor.id for r in rows if r.sponsor is not None])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    base = site_url.rstrip("/")
    for row in rows:
        sponsorship, sponsor = row.sponsorship, row.sponsor
        people = contacts.get(sponsor.id, []) if sponsor is not None else []
        cells = (
            sponsor.name if sponsor is not None else "",
            "\n".join(c.name for c in people),
            "\n".join(c.email for c in people),
            "\n".join(c.phone for c in people),
            "\n".join(contact_types(c) for c in people),
            sponsorship.start_date.isoformat() if sponsorship.start_date else "",
            sponsorship.end_date.isoformat() if sponsorship.end_date else "",
            storage.url(sponsor.web_logo) if sponsor is not None and sponsor.web_logo else "",
            (sponsor.landing_page_url or "") if sponsor is not None else "",
            row.package.name if row.package is not None else "",
            sponsorship.sponsorship_fee,
            f"{base}/api/v3/sponsors/sponsorships/{sponsorship.id}",
        )
        writer.writerow([csv_cell(c) for c in cells])
    return out.getvalue()


@dataclass
class AssetView:
    """A required asset of a sponsorship: the feature that asks for it and the stored value (on
    the sponsor or the sponsorship, as the feature's ``related_to`` says)."""

    feature: BenefitFeature
    benefit: SponsorBenefit
    asset: SponsorAsset | None

    @property
    def has_value(self) -> bool:
        asset = self.asset
        if asset is None:
            return False
        if asset.kind in (IMG_ASSET, FILE_ASSET):
            return bool(asset.file)
        return bool(asset.text) or asset.response is not None


async def required_assets(tx: AsyncSession, sponsorship: Sponsorship) -> list[AssetView]:
    """python.org's "list assets": the sponsorship's required asset features with their values."""
    stmt = (
        select(BenefitFeature, SponsorBenefit)
        .join(SponsorBenefit, SponsorBenefit.id == BenefitFeature.sponsor_benefit_id)
        .where(SponsorBenefit.sponsorship_id == sponsorship.id, BenefitFeature.kind.in_(REQUIRED_ASSET_KINDS))
        .order_by(SponsorBenefit.order, SponsorBenefit.id, BenefitFeature.id)
    )
    pairs = [(f, b) for f, b in await tx.execute(stmt)]
    names = {f.internal_name for f, _ in pairs if f.internal_name}
    owned = SponsorAsset.sponsorship_id == sponsorship.id
    if sponsorship.sponsor_id is not None:
        owned = owned | (SponsorAsset.sponsor_id == sponsorship.sponsor_id)
    assets = list(await tx.scalars(select(SponsorAsset).where(owned, SponsorAsset.internal_name.in_(names))))
    by_owner = {
        ("sponsor" if a.sponsor_id is not None else "sponsorship", a.internal_name): a for a in assets
    }
    return [AssetView(f, b, by_owner.get((f.related_to or "", f.internal_name or ""))) for f, b in pairs]
