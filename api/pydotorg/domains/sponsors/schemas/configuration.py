"""/api/v3/sponsors/ shapes for the configuration of each year: programs, packages, legal clauses,
benefits, feature configurations, the current year, the application form's offer, a package's
revenue split, cloning a year and the audit trail.

A benefit's ``internal`` part (internal value and description, capacity, legal clauses, whether
it is unavailable) is given only to holders of ``sponsors.change_sponsorshipbenefit``; public
reads carry ``null`` there. A feature configuration's read carries only the fields of its kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.domains.sponsors.models import YEAR_MAX, YEAR_MIN

Year = Annotated[int, Meta(ge=YEAR_MIN, le=YEAR_MAX, description=f"{YEAR_MIN}-{YEAR_MAX}")]
RecordId = Annotated[int, Meta(ge=1, le=2**31 - 1)]
IdList = Annotated[list[RecordId], Meta(max_length=500)]
Order = Annotated[int, Meta(ge=0, le=2**31 - 1)]
Amount = Annotated[int, Meta(ge=0, le=2**31 - 1)]
Name64 = Annotated[str, Meta(min_length=1, max_length=64)]
Name1024 = Annotated[str, Meta(min_length=1, max_length=1024)]
LongText = Annotated[str, Meta(max_length=100_000)]
RequiredText = Annotated[str, Meta(min_length=1, max_length=100_000)]
Slug = Annotated[
    str,
    Meta(min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$", description="letters, digits, - and _"),
]
Publisher = Literal["psf", "pycon", "pypi", "core"]
LogoPlace = Literal["sidebar", "sponsors", "jobs", "blogpost", "footer", "docs", "download", "devguide"]
RelatedTo = Literal["sponsor", "sponsorship"]
FeatureKind = Literal[
    "logo_placement",
    "tiered_benefit",
    "email_targetable",
    "required_img_asset",
    "required_text_asset",
    "required_response_asset",
    "provided_text_asset",
    "provided_file_asset",
]
Pixels = Annotated[int, Meta(ge=0, le=100_000)]
MaxLength = Annotated[int, Meta(ge=1, le=1_000_000)]


# --- programs --------------------------------------------------------------------------------


class ProgramRead(msgspec.Struct):
    id: int
    order: int
    name: str
    description: str | None


class ProgramList(msgspec.Struct):
    data: list[ProgramRead]
    meta: ListMeta


class ProgramCreate(Input):
    name: Name64
    description: LongText | None = None
    order: Order = 0


class ProgramUpdate(Input):
    name: Name64 | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    order: Order | UnsetType = UNSET


# --- packages --------------------------------------------------------------------------------


class PackageRead(msgspec.Struct):
    id: int
    order: int
    name: str
    slug: str
    year: int | None
    sponsorship_amount: int
    advertise: bool
    logo_dimension: int
    allow_a_la_carte: bool


class PackageList(msgspec.Struct):
    data: list[PackageRead]
    meta: ListMeta


class PackageCreate(Input):
    """``slug`` defaults to the slug of ``name``; ``logo_dimension`` (default 175) is a
    superuser's to set."""

    name: Name64
    year: Year
    sponsorship_amount: Amount
    slug: Slug | UnsetType = UNSET
    advertise: bool = False
    logo_dimension: Amount | UnsetType = UNSET
    allow_a_la_carte: bool = True
    order: Order = 0


class PackageUpdate(Input):
    """``slug`` is fixed at creation (sending a different one is refused)."""

    name: Name64 | UnsetType = UNSET
    year: Year | UnsetType = UNSET
    sponsorship_amount: Amount | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    advertise: bool | UnsetType = UNSET
    logo_dimension: Amount | UnsetType = UNSET
    allow_a_la_carte: bool | UnsetType = UNSET
    order: Order | UnsetType = UNSET


class ProgramShare(msgspec.Struct):
    program: str
    percent: float  # of the package benefits' summed internal value, rounded to 3 places


class RevenueSplit(msgspec.Struct):
    package_id: int
    total_internal_value: int
    data: list[ProgramShare]  # largest share first; empty when no benefit has an internal value


# --- legal clauses ---------------------------------------------------------------------------


class LegalClauseRead(msgspec.Struct):
    id: int
    order: int
    internal_name: str
    clause: str
    notes: str


class LegalClauseList(msgspec.Struct):
    data: list[LegalClauseRead]
    meta: ListMeta


class LegalClauseCreate(Input):
    internal_name: Name1024
    clause: RequiredText
    notes: LongText = ""
    order: Order = 0


class LegalClauseUpdate(Input):
    internal_name: Name1024 | UnsetType = UNSET
    clause: RequiredText | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET
    order: Order | UnsetType = UNSET


# --- benefits --------------------------------------------------------------------------------


class SponsorshipBenefitInternal(msgspec.Struct):
    """What only the configuration's keepers see."""

    unavailable: bool
    internal_description: str
    internal_value: int | None
    capacity: int | None
    soft_capacity: bool
    remaining_capacity: int | None  # capacity minus the sponsorships of the year holding it
    legal_clauses: list[int]


class SponsorshipBenefitRead(msgspec.Struct):
    id: int
    order: int
    name: str
    description: str | None
    program_id: int
    program_name: str
    year: int | None
    package_only: bool
    new: bool
    standalone: bool
    has_capacity: bool
    packages: list[int]
    conflicts: list[int]
    internal: SponsorshipBenefitInternal | None


class SponsorshipBenefitList(msgspec.Struct):
    data: list[SponsorshipBenefitRead]
    meta: ListMeta


class SponsorshipBenefitCreate(Input):
    name: Name1024
    program_id: RecordId
    year: Year
    description: LongText | None = None
    package_only: bool = False
    new: bool = False
    unavailable: bool = False
    standalone: bool = False
    internal_description: LongText = ""
    internal_value: Amount | None = None
    capacity: Amount | None = None
    soft_capacity: bool = False
    order: Order = 0
    packages: IdList = msgspec.field(default_factory=list)
    legal_clauses: IdList = msgspec.field(default_factory=list)
    conflicts: IdList = msgspec.field(default_factory=list)


class SponsorshipBenefitUpdate(Input):
    name: Name1024 | UnsetType = UNSET
    program_id: RecordId | UnsetType = UNSET
    year: Year | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    package_only: bool | UnsetType = UNSET
    new: bool | UnsetType = UNSET
    unavailable: bool | UnsetType = UNSET
    standalone: bool | UnsetType = UNSET
    internal_description: LongText | UnsetType = UNSET
    internal_value: Amount | UnsetType | None = UNSET
    capacity: Amount | UnsetType | None = UNSET
    soft_capacity: bool | UnsetType = UNSET
    order: Order | UnsetType = UNSET
    packages: IdList | UnsetType = UNSET
    legal_clauses: IdList | UnsetType = UNSET
    conflicts: IdList | UnsetType = UNSET


# --- feature configurations ------------------------------------------------------------------


class FeatureConfigurationRead(msgspec.Struct):
    """The fields of its kind only (see docs/api/v3-sponsors-configuration.md for which)."""

    id: int
    benefit_id: int
    kind: str
    publisher: str | UnsetType = UNSET
    logo_place: str | UnsetType = UNSET
    link_to_sponsors_page: bool | UnsetType = UNSET
    describe_as_sponsor: bool | UnsetType = UNSET
    package_id: int | UnsetType = UNSET
    quantity: int | UnsetType = UNSET
    display_label: str | UnsetType = UNSET
    related_to: str | UnsetType = UNSET
    internal_name: str | UnsetType = UNSET
    label: str | UnsetType = UNSET
    help_text: str | UnsetType = UNSET
    due_date: dt.date | UnsetType | None = UNSET
    min_width: int | UnsetType = UNSET
    max_width: int | UnsetType = UNSET
    min_height: int | UnsetType = UNSET
    max_height: int | UnsetType = UNSET
    max_length: int | UnsetType | None = UNSET
    shared: bool | UnsetType = UNSET
    shared_text: str | UnsetType = UNSET
    shared_file: str | UnsetType = UNSET


class FeatureConfigurationList(msgspec.Struct):
    data: list[FeatureConfigurationRead]
    meta: ListMeta


class _FeatureFields(Input):
    publisher: Publisher | UnsetType = UNSET
    logo_place: LogoPlace | UnsetType = UNSET
    link_to_sponsors_page: bool | UnsetType = UNSET
    describe_as_sponsor: bool | UnsetType = UNSET
    package_id: RecordId | UnsetType = UNSET
    quantity: Amount | UnsetType = UNSET
    display_label: Annotated[str, Meta(max_length=32)] | UnsetType = UNSET
    related_to: RelatedTo | UnsetType = UNSET
    internal_name: Annotated[str, Meta(min_length=1, max_length=128)] | UnsetType = UNSET
    label: Annotated[str, Meta(min_length=1, max_length=256)] | UnsetType = UNSET
    help_text: Annotated[str, Meta(max_length=256)] | UnsetType = UNSET
    due_date: dt.date | UnsetType | None = UNSET
    min_width: Pixels | UnsetType = UNSET
    max_width: Pixels | UnsetType = UNSET
    min_height: Pixels | UnsetType = UNSET
    max_height: Pixels | UnsetType = UNSET
    max_length: MaxLength | UnsetType | None = UNSET
    shared: bool | UnsetType = UNSET
    shared_text: LongText | UnsetType = UNSET


class FeatureConfigurationCreate(_FeatureFields, kw_only=True):
    """``kind`` and the fields that kind takes; a field of another kind is refused."""

    benefit_id: RecordId
    kind: FeatureKind


class FeatureConfigurationUpdate(_FeatureFields):
    """The fields of the configuration's kind (its benefit and kind stay)."""


# --- the current year, the offer, cloning ----------------------------------------------------


class CurrentYear(msgspec.Struct):
    year: int


class CurrentYearUpdate(Input):
    year: Year


class OfferBenefit(msgspec.Struct):
    id: int
    name: str
    description: str | None
    program_id: int
    packages: list[int]
    package_only: bool
    new: bool
    standalone: bool
    has_capacity: bool
    unavailability_message: str  # python.org's wording ("" when the benefit can be picked)
    conflicts: list[int]  # offered benefits that cannot be picked together with this one


class OfferProgram(msgspec.Struct):
    id: int
    name: str
    description: str | None
    field: str  # python.org's form field name: benefits_<program slug with underscores>
    benefits: list[OfferBenefit]


class Offer(msgspec.Struct):
    """What the application form offers for one year."""

    year: int
    current_year: int
    packages: list[PackageRead]
    programs: list[OfferProgram]
    a_la_carte: list[OfferBenefit]
    standalone: list[OfferBenefit]
    capacities_met: bool  # some offered benefit is at capacity


class CloneYear(Input):
    target_year: Year


class ClonedYear(msgspec.Struct):
    source_year: int
    target_year: int
    packages: list[int]  # created packages (tiered configurations may create more)
    benefits: list[int]
    legal_clauses: list[int]
    feature_configurations: list[int]


# --- audit ----------------------------------------------------------------------------------


class AuditTrailEntry(msgspec.Struct):
    id: int
    at: dt.datetime
    actor_id: int | None
    action: str
    object_kind: str
    object_id: int | None
    sponsorship_id: int | None
    message: str


class AuditTrailList(msgspec.Struct):
    data: list[AuditTrailEntry]
    meta: ListMeta
