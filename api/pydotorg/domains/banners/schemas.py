"""/api/v3/ shapes for banners."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

Title = Annotated[str, Meta(min_length=1, max_length=1024)]
Message = Annotated[str, Meta(min_length=1, max_length=2048)]
Link = Annotated[str, Meta(min_length=1, max_length=1024)]
Order = Annotated[int, Meta(ge=-(2**31), le=2**31 - 1)]


class BannerRead(msgspec.Struct):
    id: int
    title: str
    message: str
    link: str
    active: bool
    psf_pages_only: bool
    sort_order: int


class BannerCreate(Input):
    title: Title
    message: Message
    link: Link
    active: bool = False
    psf_pages_only: bool = True
    sort_order: Order = 0


class BannerUpdate(Input):
    title: Title | UnsetType = UNSET
    message: Message | UnsetType = UNSET
    link: Link | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    psf_pages_only: bool | UnsetType = UNSET
    sort_order: Order | UnsetType = UNSET


class BannerList(msgspec.Struct):
    data: list[BannerRead]
    meta: ListMeta
