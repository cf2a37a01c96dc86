"""/api/v3/ shapes for board minutes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

Markup = Literal["restructuredtext", "markdown", "html", "text"]
Content = Annotated[str, Meta(max_length=1_000_000)]


class MinutesRead(msgspec.Struct):
    id: int
    date: dt.date
    title: str
    url: str
    content: str
    content_markup_type: str
    content_html: str
    is_published: bool
    created: dt.datetime
    updated: dt.datetime


class MinutesCreate(Input):
    date: dt.date
    content: Content = ""
    content_markup_type: Markup = "restructuredtext"
    is_published: bool = False


class MinutesUpdate(Input):
    date: dt.date | UnsetType = UNSET
    content: Content | UnsetType = UNSET
    content_markup_type: Markup | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET


class MinutesList(msgspec.Struct):
    data: list[MinutesRead]
    meta: ListMeta
