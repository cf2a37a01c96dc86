"""/api/v3/ shapes for CMS pages and their images and documents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

PageMarkup = Literal["restructuredtext", "markdown", "markdown_unsafe", "html", "plain", "text"]
Path500 = Annotated[str, Meta(min_length=1, max_length=500)]
Title = Annotated[str, Meta(min_length=1, max_length=500)]
Keywords = Annotated[str, Meta(max_length=1000)]
LongText = Annotated[str, Meta(max_length=1_000_000)]
ContentType = Annotated[
    str, Meta(max_length=150, pattern=r"^[a-z]+/[a-z0-9.+-]+(; ?charset=[a-zA-Z0-9-]+)?$")
]
TemplateName = Annotated[str, Meta(max_length=100, pattern=r"^([a-z0-9_-]+/)*[a-z0-9_-]+\.html$|^$")]


class PageRead(msgspec.Struct):
    id: int
    title: str
    keywords: str
    description: str
    path: str
    url: str
    content: str
    content_markup_type: str
    content_html: str
    is_published: bool
    content_type: str
    template_name: str
    created: datetime
    updated: datetime


class PageCreate(Input):
    title: Title
    path: Path500
    keywords: Keywords = ""
    description: LongText = ""
    content: LongText = ""
    content_markup_type: PageMarkup = "restructuredtext"
    is_published: bool = True
    content_type: ContentType = "text/html"
    template_name: TemplateName = ""


class PageUpdate(Input):
    title: Title | UnsetType = UNSET
    path: Path500 | UnsetType = UNSET
    keywords: Keywords | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    content: LongText | UnsetType = UNSET
    content_markup_type: PageMarkup | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET
    content_type: ContentType | UnsetType = UNSET
    template_name: TemplateName | UnsetType = UNSET


class PageList(msgspec.Struct):
    data: list[PageRead]
    meta: ListMeta


class AttachmentRead(msgspec.Struct):
    id: int
    page_id: int
    kind: str
    name: str
    url: str
