"""/api/v3/ shapes for working groups."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import LOWER_SLUG_PATTERN, OPTIONAL_HTTP_URL_PATTERN

Markup = Literal["restructuredtext", "markdown", "text"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=200, pattern=LOWER_SLUG_PATTERN)]
Text = Annotated[str, Meta(max_length=100_000)]
Url = Annotated[str, Meta(max_length=200, pattern=OPTIONAL_HTTP_URL_PATTERN)]
UserIds = Annotated[list[Annotated[int, Meta(ge=1, le=2**31 - 1)]], Meta(max_length=500)]


class WorkGroupRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    active: bool
    approved: bool
    short_description: str
    markup_type: str
    purpose_html: str
    active_time_html: str
    core_values_html: str
    rules_html: str
    communication_html: str
    support_html: str
    url: str
    organizer_ids: list[int]
    member_ids: list[int]
    created: datetime
    updated: datetime


class WorkGroupCreate(Input):
    name: Name
    communication: Text  # python.org's only required charter section
    slug: Slug | UnsetType = UNSET
    active: bool = True
    approved: bool = False
    short_description: Text = ""
    markup_type: Markup = "restructuredtext"
    purpose: Text = ""
    active_time: Text = ""
    core_values: Text = ""
    rules: Text = ""
    support: Text = ""
    url: Url = ""
    organizer_ids: UserIds = msgspec.field(default_factory=list)
    member_ids: UserIds = msgspec.field(default_factory=list)


class WorkGroupUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    communication: Text | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    approved: bool | UnsetType = UNSET
    short_description: Text | UnsetType = UNSET
    markup_type: Markup | UnsetType = UNSET
    purpose: Text | UnsetType = UNSET
    active_time: Text | UnsetType = UNSET
    core_values: Text | UnsetType = UNSET
    rules: Text | UnsetType = UNSET
    support: Text | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    organizer_ids: UserIds | UnsetType = UNSET
    member_ids: UserIds | UnsetType = UNSET


class WorkGroupList(msgspec.Struct):
    data: list[WorkGroupRead]
    meta: ListMeta
