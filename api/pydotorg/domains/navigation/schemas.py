"""/api/v3/ shapes for navigation menus."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.schemas import Input

Alias = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")]
Title = Annotated[str, Meta(min_length=1, max_length=100)]
Hint = Annotated[str, Meta(max_length=200)]
Url = Annotated[str, Meta(min_length=1, max_length=200)]
Description = Annotated[str, Meta(max_length=250)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Order = Annotated[int, Meta(ge=-(2**31), le=2**31 - 1)]


class NavItemRead(msgspec.Struct):
    id: int
    tree: str
    parent_id: int | None
    title: str
    hint: str
    url: str
    url_as_pattern: bool
    href: str
    alias: str | None
    description: str
    hidden: bool
    in_menu: bool
    in_breadcrumbs: bool
    in_sitetree: bool
    access_loggedin: bool
    access_guest: bool
    access_restricted: bool
    sort_order: int


class NavTreeRead(msgspec.Struct):
    id: int
    alias: str
    title: str
    items: list[NavItemRead]


class NavTreeSummary(msgspec.Struct):
    id: int
    alias: str
    title: str


class NavTreeCreate(Input):
    alias: Alias
    title: Title


class NavTreeUpdate(Input):
    alias: Alias | UnsetType = UNSET
    title: Title | UnsetType = UNSET


class NavItemCreate(Input):
    tree: Alias
    title: Title
    url: Url
    parent_id: Id | None = None
    hint: Hint = ""
    url_as_pattern: bool = False
    alias: Alias | None = None
    description: Description = ""
    hidden: bool = False
    in_menu: bool = True
    in_breadcrumbs: bool = True
    in_sitetree: bool = True
    access_loggedin: bool = False
    access_guest: bool = False
    access_restricted: bool = False
    sort_order: Order = 0


class NavItemUpdate(Input):
    title: Title | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    parent_id: Id | UnsetType | None = UNSET
    hint: Hint | UnsetType = UNSET
    url_as_pattern: bool | UnsetType = UNSET
    alias: Alias | UnsetType | None = UNSET
    description: Description | UnsetType = UNSET
    hidden: bool | UnsetType = UNSET
    in_menu: bool | UnsetType = UNSET
    in_breadcrumbs: bool | UnsetType = UNSET
    in_sitetree: bool | UnsetType = UNSET
    access_loggedin: bool | UnsetType = UNSET
    access_guest: bool | UnsetType = UNSET
    access_restricted: bool | UnsetType = UNSET
    sort_order: Order | UnsetType = UNSET
