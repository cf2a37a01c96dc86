"""/api/v3/ shapes for companies."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import HTTP_URL_PATTERN, SLUG_PATTERN

Markup = Literal["restructuredtext", "markdown", "html", "text"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Text = Annotated[str, Meta(max_length=100_000)]
Contact = Annotated[str, Meta(max_length=100)]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Url = Annotated[str, Meta(min_length=1, max_length=200, pattern=HTTP_URL_PATTERN, description="http(s) URL")]


class CompanyRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    about: str
    about_markup_type: str
    about_html: str
    contact: str | None
    email: str | None
    url: str | None
    logo: str | None  # the stored path, set by PUT /api/v3/companies/{id}/logo
    logo_url: str | None  # its public URL


class CompanyCreate(Input):
    name: Name
    slug: Slug | None = None
    about: Text = ""
    about_markup_type: Markup = "restructuredtext"
    contact: Contact | None = None
    email: Email | None = None
    url: Url | None = None


class CompanyUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    about: Text | UnsetType = UNSET
    about_markup_type: Markup | UnsetType = UNSET
    contact: Contact | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    url: Url | UnsetType | None = UNSET


class CompanyList(msgspec.Struct):
    data: list[CompanyRead]
    meta: ListMeta
