"""/api/v3/ shapes for applying to sponsor the PSF and for the sponsor dashboard (inventory 1.16,
"Public application flow" and "Sponsor dashboard").

A selection (step 1) names benefits by id in the three lists of python.org's form: benefits that
belong to packages (python.org's ``benefits_<program>`` fields, flattened), a la carte benefits
and standalone benefits. An application (step 2) is that selection plus either ``sponsor_id`` (a
sponsor the caller is a contact of) or ``sponsor`` (a new sponsor with its contacts); it is sent as
``multipart/form-data`` with the JSON in the form field ``application`` and the logo files in
``web_logo``, ``white_logo`` and ``print_logo``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import END, HTTP_URL_PATTERN

Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Ids = Annotated[list[Id], Meta(max_length=500)]
Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=256,
        pattern=rf"^[^@\s]+@[^@\s]+\.[^@\s]+{END}",
        description="an e-mail address",
    ),
]
Url = Annotated[str, Meta(max_length=200, pattern=HTTP_URL_PATTERN, description="an http(s) URL")]
Country = Annotated[
    str, Meta(pattern=rf"^[A-Za-z]{{2}}{END}", description="ISO 3166-1 alpha-2 code, e.g. US")
]
Required32 = Annotated[str, Meta(min_length=1, max_length=32)]
Required64 = Annotated[str, Meta(min_length=1, max_length=64)]
Required100 = Annotated[str, Meta(min_length=1, max_length=100)]
Required128 = Annotated[str, Meta(min_length=1, max_length=128)]
Str32 = Annotated[str, Meta(max_length=32)]
Str64 = Annotated[str, Meta(max_length=64)]
Str128 = Annotated[str, Meta(max_length=128)]
Description = Annotated[str, Meta(max_length=10_000)]
AssetText = Annotated[str, Meta(min_length=1, max_length=100_000)]
Response = Literal["YES", "NO"]


# --- inputs ----------------------------------------------------------------------------------


class SelectionInput(Input):
    """Step 1: the package and the benefits chosen (ids of the current year's configuration)."""

    package_id: Id | None = None
    benefit_ids: Ids = []
    a_la_carte_ids: Ids = []
    standalone_ids: Ids = []


class ContactInput(Input):
    name: Required100
    email: Email
    phone: Required32
    primary: bool = False
    administrative: bool = False
    accounting: bool = False


class NewSponsorInput(Input):
    """Step 2's new sponsor: python.org's required fields are required here too."""

    name: Required100
    primary_phone: Required32
    mailing_address_line_1: Required128
    city: Required64
    postal_code: Required64
    country: Country
    contacts: Annotated[list[ContactInput], Meta(min_length=1, max_length=5)]
    description: Description = ""
    landing_page_url: Url | None = None
    twitter_handle: Str32 | None = None
    linked_in_page_url: Url | None = None
    mailing_address_line_2: Str128 = ""
    state: Str64 = ""
    country_of_incorporation: Country | None = None
    state_of_incorporation: Str64 | None = None


class ApplicationInput(SelectionInput):
    """Step 2: the selection plus ``sponsor_id`` or ``sponsor`` (exactly one)."""

    sponsor_id: Id | None = None
    sponsor: NewSponsorInput | None = None


class ContactEdit(ContactInput):
    """A contact on the sponsor edit page: with ``id`` it changes that contact, without it adds one."""

    id: Id | None = None


class SponsorUpdate(Input):
    """The sponsor edit page (python.org's ``SponsorUpdateForm``): the name is read-only; a
    ``contacts`` list replaces the contacts (1-5, at least one primary; those left out are
    deleted)."""

    description: Description | UnsetType = UNSET
    landing_page_url: Url | UnsetType | None = UNSET
    twitter_handle: Str32 | UnsetType | None = UNSET
    linked_in_page_url: Url | UnsetType | None = UNSET
    primary_phone: Required32 | UnsetType = UNSET
    mailing_address_line_1: Required128 | UnsetType = UNSET
    mailing_address_line_2: Str128 | UnsetType = UNSET
    city: Required64 | UnsetType = UNSET
    state: Str64 | UnsetType = UNSET
    postal_code: Required64 | UnsetType = UNSET
    country: Country | UnsetType = UNSET
    country_of_incorporation: Country | UnsetType | None = UNSET
    state_of_incorporation: Str64 | UnsetType | None = UNSET
    contacts: Annotated[list[ContactEdit], Meta(min_length=1, max_length=5)] | UnsetType = UNSET


class AssetValueInput(Input):
    """A required text asset's ``text`` or a required response asset's ``response``."""

    text: AssetText | UnsetType = UNSET
    response: Response | UnsetType = UNSET


# --- reads -----------------------------------------------------------------------------------


class PackageSummary(msgspec.Struct):
    id: int
    name: str
    slug: str
    year: int | None
    sponsorship_amount: int


class BenefitChoice(msgspec.Struct):
    id: int
    name: str
    program_id: int
    program_name: str
    standalone: bool
    package_only: bool


class SelectionRead(msgspec.Struct):
    """The normalised selection: ids without repeats, the package's own benefits and the ones
    added to it, and the price (the package amount, only when the package is not customised)."""

    year: int
    package: PackageSummary | None
    benefit_ids: list[int]
    a_la_carte_ids: list[int]
    standalone_ids: list[int]
    package_benefits: list[BenefitChoice]
    added_benefits: list[BenefitChoice]
    customized: bool
    price: int | None


class SponsorSummary(msgspec.Struct):
    id: int
    name: str


class SponsorChoice(msgspec.Struct):
    """A sponsor the caller is a contact of; one with an application in progress cannot apply."""

    id: int
    name: str
    application_in_progress: bool


class SponsorChoiceList(msgspec.Struct):
    data: list[SponsorChoice]


class ContactRead(msgspec.Struct):
    id: int
    name: str
    email: str
    phone: str
    primary: bool
    administrative: bool
    accounting: bool
    manager: bool
    linked_to_you: bool


class SponsorRead(msgspec.Struct):
    id: int
    name: str
    description: str
    landing_page_url: str | None
    twitter_handle: str | None
    linked_in_page_url: str | None
    web_logo: str
    web_logo_url: str | None
    white_logo: str | None
    white_logo_url: str | None
    print_logo: str | None
    print_logo_url: str | None
    primary_phone: str
    mailing_address_line_1: str
    mailing_address_line_2: str
    city: str
    state: str
    postal_code: str
    country: str
    country_of_incorporation: str | None
    state_of_incorporation: str | None
    contacts: list[ContactRead]


class SponsorshipSummary(msgspec.Struct):
    id: int
    sponsor: SponsorSummary | None
    status: str
    year: int | None
    level_name: str
    package: PackageSummary | None
    for_modified_package: bool
    agreed_fee: int | None
    applied_on: dt.date
    approved_on: dt.date | None
    rejected_on: dt.date | None
    finalized_on: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    locked: bool
    is_active: bool
    open_for_editing: bool
    url: str


class SponsorshipList(msgspec.Struct):
    data: list[SponsorshipSummary]
    meta: ListMeta


class SponsorBenefitRead(msgspec.Struct):
    id: int
    name: str
    name_for_display: str
    program_name: str
    description: str
    added_by_user: bool
    standalone: bool


class RequiredAssetRead(msgspec.Struct):
    """A value the sponsor must provide. ``value`` is the text, ``YES``/``NO`` or the image URL."""

    id: int
    kind: str
    sponsor_benefit_id: int
    related_to: str
    label: str
    help_text: str
    due_date: dt.date | None
    fulfilled: bool
    value: str | None
    max_length: int | None
    min_width: int | None
    max_width: int | None
    min_height: int | None
    max_height: int | None


class ProvidedAssetRead(msgspec.Struct):
    """A value the PSF gives the sponsor: a text, or a file's URL (the shared one when shared)."""

    id: int
    kind: str
    sponsor_benefit_id: int
    label: str
    help_text: str
    shared: bool
    value: str


class SponsorshipDetail(msgspec.Struct):
    sponsorship: SponsorshipSummary
    benefits: list[SponsorBenefitRead]
    required_assets: list[RequiredAssetRead]
    provided_assets: list[ProvidedAssetRead]


class ApplicationCreated(SponsorshipDetail):
    """The new application, and the addresses its confirmation was mailed to (the submitter and
    the sponsor's contacts whose addresses are verified)."""

    notified: list[str]
