"""/api/v3/ shapes for the job board.

``url`` in a read is the listing's page on python.org (``/jobs/<id>/``), as in every v3 read; the
link the employer gave (python.org's ``Job.url``) is ``job_url``. Categories and job types are
given by slug.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import HTTP_URL_PATTERN, SLUG_PATTERN

JobMarkup = Literal["restructuredtext", "markdown", "html", "text"]
Status = Literal["draft", "review", "approved", "rejected", "archived", "removed", "expired"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Required100 = Annotated[str, Meta(min_length=1, max_length=100)]
Optional100 = Annotated[str, Meta(max_length=100)]
LongText = Annotated[str, Meta(max_length=100_000)]
RequiredText = Annotated[str, Meta(min_length=1, max_length=100_000)]
Email = Annotated[
    str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Public")
]
Url = Annotated[str, Meta(min_length=1, max_length=200, pattern=HTTP_URL_PATTERN, description="http(s) URL")]
TypeSlugs = Annotated[list[Slug], Meta(max_length=50)]


# --- reads -----------------------------------------------------------------------------------


class TaxonomyRef(msgspec.Struct):
    id: int
    name: str
    slug: str


class JobRead(msgspec.Struct):
    id: int
    url: str
    job_title: str
    company_name: str
    display_name: str
    category: TaxonomyRef
    job_types: list[TaxonomyRef]
    other_job_type: str
    city: str
    region: str
    country: str
    display_location: str
    location_slug: str
    country_slug: str
    telecommuting: bool
    agencies: bool
    description: str
    description_markup_type: str
    description_html: str
    requirements: str
    requirements_markup_type: str
    requirements_html: str
    company_description: str
    company_description_markup_type: str
    company_description_html: str
    contact: str
    email: str
    job_url: str
    status: str
    expires: datetime | None
    is_featured: bool
    is_new: bool
    editable: bool
    created: datetime
    updated: datetime


class JobList(msgspec.Struct):
    data: list[JobRead]
    meta: ListMeta


class TaxonomyRead(msgspec.Struct):
    """A job type or category, with how many visible listings use it."""

    id: int
    name: str
    slug: str
    active: bool
    job_count: int


class TaxonomyList(msgspec.Struct):
    data: list[TaxonomyRead]
    meta: ListMeta


class LocationRead(msgspec.Struct):
    """A place with visible listings; ``location_slug`` is the key of ``/jobs/location/<slug>/``."""

    location_slug: str
    city: str
    region: str
    country: str
    country_slug: str
    display_location: str
    job_count: int


class LocationList(msgspec.Struct):
    data: list[LocationRead]
    meta: ListMeta


class CommentRead(msgspec.Struct):
    id: int
    job_id: int
    comment: str
    comment_markup_type: str
    comment_html: str
    creator_id: int | None
    creator_name: str
    created: datetime


# --- writes ----------------------------------------------------------------------------------


class JobCreate(Input):
    job_title: Required100
    company_name: Required100
    category: Slug
    city: Required100
    country: Required100
    description: RequiredText
    requirements: RequiredText
    email: Email
    job_url: Url
    job_types: TypeSlugs = msgspec.field(default_factory=list)
    other_job_type: Optional100 = ""
    region: Optional100 = ""
    description_markup_type: JobMarkup = "restructuredtext"
    requirements_markup_type: JobMarkup = "restructuredtext"
    company_description: LongText = ""
    company_description_markup_type: JobMarkup = "restructuredtext"
    contact: Optional100 = ""
    telecommuting: bool = False
    agencies: bool = True


class JobUpdate(Input):
    job_title: Required100 | UnsetType = UNSET
    company_name: Required100 | UnsetType = UNSET
    category: Slug | UnsetType = UNSET
    city: Required100 | UnsetType = UNSET
    country: Required100 | UnsetType = UNSET
    description: RequiredText | UnsetType = UNSET
    requirements: RequiredText | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    job_url: Url | UnsetType = UNSET
    job_types: TypeSlugs | UnsetType = UNSET
    other_job_type: Optional100 | UnsetType = UNSET
    region: Optional100 | UnsetType = UNSET
    description_markup_type: JobMarkup | UnsetType = UNSET
    requirements_markup_type: JobMarkup | UnsetType = UNSET
    company_description: LongText | UnsetType = UNSET
    company_description_markup_type: JobMarkup | UnsetType = UNSET
    contact: Optional100 | UnsetType = UNSET
    telecommuting: bool | UnsetType = UNSET
    agencies: bool | UnsetType = UNSET


class FeatureRequest(Input):
    is_featured: bool


class CommentCreate(Input):
    comment: RequiredText
    comment_markup_type: JobMarkup = "restructuredtext"
    action: Literal["approve", "reject"] | None = None


class TaxonomyCreate(Input):
    name: Name
    slug: Slug | None = None
    active: bool = True


class TaxonomyUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    active: bool | UnsetType = UNSET
