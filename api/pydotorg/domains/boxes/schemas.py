"""/api/v3/ shapes for boxes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

BoxMarkup = Literal["restructuredtext", "markdown", "html", "text"]
Label = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
Content = Annotated[str, Meta(max_length=1_000_000)]


class BoxRead(msgspec.Struct):
    id: int
    label: str
    content: str
    content_markup_type: str
    content_html: str
    created: datetime
    updated: datetime


class BoxCreate(Input):
    label: Label
    content: Content = ""
    content_markup_type: BoxMarkup = "restructuredtext"


class BoxUpdate(Input):
    label: Label | UnsetType = UNSET
    content: Content | UnsetType = UNSET
    content_markup_type: BoxMarkup | UnsetType = UNSET


class BoxList(msgspec.Struct):
    data: list[BoxRead]
    meta: ListMeta
