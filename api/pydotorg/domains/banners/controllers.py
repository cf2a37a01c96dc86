"""``/api/v3/banners/``: the notice bar. Anyone sees active banners; editors see all."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import Principal, permission_required, principal_of, register, staff_or
from pydotorg.core.schemas import given_fields
from pydotorg.core.urls import link_errors
from pydotorg.domains.banners import schemas
from pydotorg.domains.banners.models import Banner

ADD_BANNER = register("banners.add_banner", "Can add banners")
CHANGE_BANNER = register("banners.change_banner", "Can change banners (and see inactive ones)")
DELETE_BANNER = register("banners.delete_banner", "Can delete banners")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def can_see_inactive(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_BANNER)


def banner_read(b: Banner) -> schemas.BannerRead:
    return schemas.BannerRead(
        id=b.id,
        title=b.title,
        message=b.message,
        link=b.link,
        active=b.active,
        psf_pages_only=b.psf_pages_only,
        sort_order=b.sort_order,
    )


def _check_link(values: dict[str, Any]) -> None:
    # A path on the site or an http(s) URL (core/urls.py): the button is a link anyone may follow.
    if "link" in values and (problems := link_errors(values["link"])):
        raise ValidationFailed({"link": problems})


async def _banner(tx: AsyncSession, banner_id: int, principal: Principal | None) -> Banner:
    banner = await tx.get(Banner, banner_id)
    if banner is None or not (banner.active or can_see_inactive(principal)):
        raise NotFoundException(f"No banner with id {banner_id}.")
    return banner


class BannersController(Controller):
    path = "/api/v3/banners"
    tags = ["banners"]

    @get("/", operation_id="banners_list", summary="Banners in display order (inactive ones for editors)")
    async def list_banners(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        active: bool | None = None,
    ) -> schemas.BannerList:
        stmt = select(Banner).order_by(Banner.sort_order, Banner.id)
        if not can_see_inactive(principal_of(request)):
            stmt = stmt.where(Banner.active)
        if active is not None:
            stmt = stmt.where(Banner.active == active)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.BannerList(data=[banner_read(b) for b in rows], meta=meta)

    @get("/{banner_id:int}", operation_id="banners_read", summary="One banner")
    async def read_banner(
        self, request: Request[Any, Any, Any], tx: AsyncSession, banner_id: PK
    ) -> schemas.BannerRead:
        return banner_read(await _banner(tx, banner_id, principal_of(request)))

    @post(
        "/", operation_id="banners_create", summary="Add a banner", guards=[permission_required(ADD_BANNER)]
    )
    async def create_banner(self, tx: AsyncSession, data: schemas.BannerCreate) -> schemas.BannerRead:
        values = given_fields(data)
        _check_link(values)
        banner = Banner(**{"active": False, "psf_pages_only": True, "sort_order": 0, **values})
        tx.add(banner)
        await tx.flush()
        return banner_read(banner)

    @patch(
        "/{banner_id:int}",
        operation_id="banners_update",
        summary="Change a banner",
        guards=[permission_required(CHANGE_BANNER)],
    )
    async def update_banner(
        self, request: Request[Any, Any, Any], tx: AsyncSession, banner_id: PK, data: schemas.BannerUpdate
    ) -> schemas.BannerRead:
        banner = await _banner(tx, banner_id, principal_of(request))
        values = given_fields(data)
        _check_link(values)
        for key, value in values.items():
            if getattr(banner, key) != value:
                setattr(banner, key, value)
        await tx.flush()
        return banner_read(banner)

    @delete(
        "/{banner_id:int}",
        operation_id="banners_delete",
        summary="Delete a banner",
        guards=[permission_required(DELETE_BANNER)],
    )
    async def delete_banner(self, request: Request[Any, Any, Any], tx: AsyncSession, banner_id: PK) -> None:
        await tx.delete(await _banner(tx, banner_id, principal_of(request)))
        await tx.flush()
