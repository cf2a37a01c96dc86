"""/api/v3/ shapes for feature flags."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

NAME_PATTERN = r"^[-A-Za-z0-9_.]+$"
Name = Annotated[
    str,
    Meta(min_length=1, max_length=100, pattern=NAME_PATTERN, description="letters, digits, - _ ."),
]
Percent = Annotated[
    float, Meta(ge=0, le=99.9, description="share of logged-in users, 0.0-99.9 (one decimal)")
]
Languages = Annotated[str, Meta(max_length=1000)]
Note = Annotated[str, Meta(max_length=10_000)]
Ids = Annotated[list[Annotated[int, Meta(ge=1, le=2**31 - 1)]], Meta(max_length=10_000)]


class FlagRead(msgspec.Struct):
    id: int
    name: str
    everyone: bool | None
    percent: float | None
    testing: bool
    superusers: bool
    staff: bool
    authenticated: bool
    languages: str
    rollout: bool
    note: str
    users: list[int]
    groups: list[int]
    created: datetime
    modified: datetime


class FlagCreate(Input):
    name: Name
    everyone: bool | None = None
    percent: Percent | None = None
    testing: bool = False
    superusers: bool = True
    staff: bool = False
    authenticated: bool = False
    languages: Languages = ""
    rollout: bool = False
    note: Note = ""
    users: Ids = msgspec.field(default_factory=list)
    groups: Ids = msgspec.field(default_factory=list)


class FlagUpdate(Input):
    """Every field but the name (code refers to a flag by name)."""

    everyone: bool | UnsetType | None = UNSET
    percent: Percent | UnsetType | None = UNSET
    testing: bool | UnsetType = UNSET
    superusers: bool | UnsetType = UNSET
    staff: bool | UnsetType = UNSET
    authenticated: bool | UnsetType = UNSET
    languages: Languages | UnsetType = UNSET
    rollout: bool | UnsetType = UNSET
    note: Note | UnsetType = UNSET
    users: Ids | UnsetType = UNSET
    groups: Ids | UnsetType = UNSET


class FlagList(msgspec.Struct):
    data: list[FlagRead]
    meta: ListMeta


class FlagActive(msgspec.Struct):
    name: str
    active: bool
