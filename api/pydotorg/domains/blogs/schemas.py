"""/api/v3/ shapes for blog entries, feeds, feed aggregates and related blogs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import (
    HTTP_URL_PATTERN,
    OPTIONAL_HTTP_URL_PATTERN,
    OPTIONAL_SLUG_PATTERN,
    SLUG_PATTERN,
)

# Feeds are fetched and links followed: only http(s) URLs with a host.
HttpUrl = Annotated[str, Meta(min_length=1, max_length=500, pattern=HTTP_URL_PATTERN)]
OptionalHttpUrl = Annotated[str, Meta(max_length=500, pattern=OPTIONAL_HTTP_URL_PATTERN)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
InternalName = Annotated[str, Meta(min_length=1, max_length=100)]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=50, pattern=SLUG_PATTERN)]
OptionalSlug = Annotated[str, Meta(max_length=50, pattern=OPTIONAL_SLUG_PATTERN)]
LongText = Annotated[str, Meta(max_length=1_000_000)]
FeedId = Annotated[int, Meta(ge=1, le=2**31 - 1)]
FeedIds = Annotated[list[FeedId], Meta(max_length=1000)]


class EntryRead(msgspec.Struct):
    id: int
    feed_id: int
    feed_name: str
    title: str
    url: str
    pub_date: datetime
    summary_html: str
    excerpt: str


class EntryUpdate(Input):
    title: Title | UnsetType = UNSET
    summary: LongText | UnsetType = UNSET
    pub_date: datetime | UnsetType = UNSET
    url: HttpUrl | UnsetType = UNSET


class EntryList(msgspec.Struct):
    data: list[EntryRead]
    meta: ListMeta


class FeedRead(msgspec.Struct):
    id: int
    name: str
    website_url: str
    feed_url: str
    last_import: datetime | None
    is_python_blog: bool


class FeedCreate(Input):
    name: Name
    feed_url: HttpUrl
    website_url: OptionalHttpUrl = ""


class FeedUpdate(Input):
    name: Name | UnsetType = UNSET
    feed_url: HttpUrl | UnsetType = UNSET
    website_url: OptionalHttpUrl | UnsetType = UNSET


class FeedList(msgspec.Struct):
    data: list[FeedRead]
    meta: ListMeta


class AggregateRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    description: str
    feed_ids: list[int]


class AggregateCreate(Input):
    name: Name
    slug: OptionalSlug = ""  # empty: derived from the name
    description: LongText = ""
    feed_ids: FeedIds = msgspec.field(default_factory=list)


class AggregateUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    feed_ids: FeedIds | UnsetType = UNSET


class AggregateList(msgspec.Struct):
    data: list[AggregateRead]
    meta: ListMeta


class RelatedBlogRead(msgspec.Struct):
    id: int
    name: str
    feed_url: str
    blog_url: str
    blog_name: str
    last_entry_published: datetime | None
    last_entry_title: str
    created: datetime
    updated: datetime


class RelatedBlogCreate(Input):
    name: InternalName
    feed_url: HttpUrl
    blog_url: OptionalHttpUrl = ""
    blog_name: Annotated[str, Meta(max_length=200)] = ""
    last_entry_published: datetime | None = None
    last_entry_title: Annotated[str, Meta(max_length=500)] = ""


class RelatedBlogUpdate(Input):
    name: InternalName | UnsetType = UNSET
    feed_url: HttpUrl | UnsetType = UNSET
    blog_url: OptionalHttpUrl | UnsetType = UNSET
    blog_name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    last_entry_published: datetime | UnsetType | None = UNSET
    last_entry_title: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET


class RelatedBlogList(msgspec.Struct):
    data: list[RelatedBlogRead]
    meta: ListMeta
