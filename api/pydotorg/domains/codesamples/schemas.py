"""/api/v3/ shapes for code samples."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

Markup = Literal["html", "markdown", "restructuredtext", "text"]
Text = Annotated[str, Meta(max_length=100_000)]
Order = Annotated[int, Meta(ge=-(2**31), le=2**31 - 1)]


class CodeSampleRead(msgspec.Struct):
    id: int
    code: str
    code_markup_type: str
    code_html: str
    copy: str
    copy_markup_type: str
    copy_html: str
    is_published: bool
    sort_order: int
    created: datetime
    updated: datetime


class CodeSampleCreate(Input):
    code: Text = ""
    code_markup_type: Markup = "html"
    copy: Text = ""
    copy_markup_type: Markup = "html"
    is_published: bool = False
    sort_order: Order = 0


class CodeSampleUpdate(Input):
    code: Text | UnsetType = UNSET
    code_markup_type: Markup | UnsetType = UNSET
    copy: Text | UnsetType = UNSET
    copy_markup_type: Markup | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET
    sort_order: Order | UnsetType = UNSET


class CodeSampleList(msgspec.Struct):
    data: list[CodeSampleRead]
    meta: ListMeta
