"""/api/v3/ shapes for success stories and their categories."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import HTTP_URL_PATTERN, SLUG_PATTERN

Markup = Literal["restructuredtext", "markdown", "html", "text"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Line500 = Annotated[str, Meta(min_length=1, max_length=500)]
Url = Annotated[str, Meta(min_length=1, max_length=200, pattern=HTTP_URL_PATTERN, description="http(s) URL")]
# One address, nothing a mail header could read as a list, comment or second line.
EMAIL = r"^[^@\s,;<>()\"\\]+@[^@\s,;<>()\"\\]+\.[^@\s,;<>()\"\\]+$"
Email = Annotated[str, Meta(min_length=3, max_length=100, pattern=EMAIL)]
Text = Annotated[str, Meta(min_length=1, max_length=100_000)]
Path = Annotated[str, Meta(min_length=1, max_length=400, pattern=r"^[^\s]+$", description="storage path")]
CompanyId = Annotated[int, Meta(ge=1, le=2**31 - 1)]


class StoryCategoryRef(msgspec.Struct):
    id: int
    name: str
    slug: str


class StoryCategoryRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    page_url: str


class StoryRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    url: str
    company_id: int | None
    company_name: str  # the linked company's name when there is one
    company_url: str  # likewise its URL
    category: StoryCategoryRef
    author: str
    author_email: str | None  # editors only; null for everyone else
    pull_quote: str
    content: str
    content_markup_type: str
    content_html: str
    is_published: bool
    featured: bool
    image: str | None
    submitted_by_id: int | None
    created: dt.datetime
    updated: dt.datetime


class StoryCreate(Input):
    name: Name
    company_name: Line500
    company_url: Url
    category: Slug
    author: Line500
    pull_quote: Text
    content: Text
    slug: Slug | None = None
    company_id: CompanyId | None = None
    author_email: Email | None = None
    content_markup_type: Markup = "restructuredtext"
    is_published: bool = False
    featured: bool = False
    image: Path | None = None


class StoryUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    company_name: Line500 | UnsetType = UNSET
    company_url: Url | UnsetType = UNSET
    company_id: CompanyId | UnsetType | None = UNSET
    category: Slug | UnsetType = UNSET
    author: Line500 | UnsetType = UNSET
    author_email: Email | UnsetType | None = UNSET
    pull_quote: Text | UnsetType = UNSET
    content: Text | UnsetType = UNSET
    content_markup_type: Markup | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET
    featured: bool | UnsetType = UNSET
    image: Path | UnsetType | None = UNSET


class StorySubmission(Input):
    """python.org's ``StoryForm`` (``/success-stories/create/``) plus its honeypot.

    ``website`` is the honeypot: the form renders it hidden from people, so only a bot fills it.
    """

    name: Name
    company_name: Line500
    company_url: Url
    category: Slug
    author: Line500
    pull_quote: Text
    content: Text
    author_email: Email | None = None
    website: Annotated[str, Meta(max_length=200)] = ""


class StoryCategoryCreate(Input):
    name: Name
    slug: Slug | None = None


class StoryCategoryUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class StoryList(msgspec.Struct):
    data: list[StoryRead]
    meta: ListMeta


class StoryCategoryList(msgspec.Struct):
    data: list[StoryCategoryRead]
    meta: ListMeta
