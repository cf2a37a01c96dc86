"""Shapes of the staff operations on sponsorships and contracts (services/transitions.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.domains.sponsors.models import YEAR_MAX, YEAR_MIN

Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Fee = Annotated[int, Meta(ge=0, le=2**31 - 1)]
ContractText = Annotated[str, Meta(max_length=100_000)]


class SponsorshipApproval(Input):
    """python.org's approval form: every field is required; the end date must be after the start."""

    start_date: date
    end_date: date
    package_id: Id
    sponsorship_fee: Fee
    renewal: bool


class SponsorshipUpdate(Input):
    """python.org's admin change form. Dates, package and fee only while the sponsorship is open
    for editing; the year only while it has none."""

    start_date: date | UnsetType | None = UNSET
    end_date: date | UnsetType | None = UNSET
    package_id: Id | UnsetType = UNSET
    sponsorship_fee: Fee | UnsetType | None = UNSET
    year: Annotated[int, Meta(ge=YEAR_MIN, le=YEAR_MAX)] | UnsetType | None = UNSET
    renewal: bool | UnsetType | None = UNSET
    overlapped_by_id: Id | UnsetType | None = UNSET


class ContractUpdate(Input):
    """A draft contract's texts (Markdown); each change is a new revision."""

    sponsor_info: ContractText | UnsetType = UNSET
    sponsor_contact: ContractText | UnsetType = UNSET
    benefits_list: ContractText | UnsetType = UNSET
    legal_clauses: ContractText | UnsetType = UNSET


class SponsorSummary(msgspec.Struct):
    id: int
    name: str


class SponsorshipSummary(msgspec.Struct):
    id: int
    sponsor: SponsorSummary | None
    status: str
    status_label: str
    locked: bool
    open_for_editing: bool
    year: int | None
    package_id: int | None
    level_name: str
    sponsorship_fee: int | None
    for_modified_package: bool
    renewal: bool | None
    applied_on: date
    approved_on: date | None
    rejected_on: date | None
    finalized_on: date | None
    start_date: date | None
    end_date: date | None
    overlapped_by_id: int | None


class SponsorshipList(msgspec.Struct):
    data: list[SponsorshipSummary]
    meta: ListMeta


class ContractRead(msgspec.Struct):
    id: int
    sponsorship_id: int | None
    status: str
    status_label: str
    next_status: list[str]
    revision: int
    sponsor_info: str
    sponsor_contact: str
    benefits_list: str
    legal_clauses: str
    document: str
    document_docx: str
    signed_document: str
    signed_document_url: str | None
    created_on: date
    last_update: date
    sent_on: date | None


class ContactRead(msgspec.Struct):
    id: int
    name: str
    email: str
    phone: str
    primary: bool
    administrative: bool
    accounting: bool
    manager: bool
    user_id: int | None


class FeatureRead(msgspec.Struct):
    """One feature of a sponsorship's benefit; which fields mean something depends on ``kind``."""

    id: int
    kind: str
    publisher: str | None
    logo_place: str | None
    link_to_sponsors_page: bool
    describe_as_sponsor: bool
    package_id: int | None
    quantity: int | None
    display_label: str
    related_to: str | None
    internal_name: str | None
    label: str
    help_text: str
    due_date: date | None
    min_width: int | None
    max_width: int | None
    min_height: int | None
    max_height: int | None
    max_length: int | None
    shared: bool


class BenefitRead(msgspec.Struct):
    id: int
    sponsorship_benefit_id: int | None
    program_id: int | None
    program_name: str
    name: str
    name_for_display: str
    description: str
    benefit_internal_value: int | None
    added_by_user: bool
    standalone: bool
    features: list[FeatureRead]


class AuditEntryRead(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_kind: str
    object_id: int | None
    message: str


class SponsorshipDetail(msgspec.Struct):
    sponsorship: SponsorshipSummary
    next_status: list[str]
    estimated_cost: int
    submitted_by_id: int | None
    contacts: list[ContactRead]
    contract: ContractRead | None
    benefits: list[BenefitRead]
    audit: list[AuditEntryRead]


class AssetRead(msgspec.Struct):
    """A required asset: the feature that asks for it and the value the sponsor gave, if any."""

    feature_id: int
    kind: str
    benefit_id: int
    benefit_name: str
    internal_name: str | None
    label: str
    help_text: str
    due_date: date | None
    related_to: str | None
    has_value: bool
    asset_id: int | None  # what GET /assets/export.zip?ids= takes
    asset_uuid: str | None
    text: str | None
    response: str | None
    file: str | None
    file_url: str | None


class AssetList(msgspec.Struct):
    data: list[AssetRead]
