"""/api/v3/ shapes for redirects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

OldPath = Annotated[
    str, Meta(min_length=1, max_length=200, description="a path on the site, e.g. /about/old/")
]
NewPath = Annotated[
    str,
    Meta(max_length=200, description='a path, an http(s) URL, or "" for 410 Gone'),
]


class RedirectRead(msgspec.Struct):
    id: int
    old_path: str
    new_path: str
    created: datetime
    updated: datetime


class RedirectCreate(Input):
    old_path: OldPath
    new_path: NewPath = ""


class RedirectUpdate(Input):
    old_path: OldPath | UnsetType = UNSET
    new_path: NewPath | UnsetType = UNSET


class RedirectList(msgspec.Struct):
    data: list[RedirectRead]
    meta: ListMeta
