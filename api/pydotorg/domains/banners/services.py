"""Banner rules: who sees inactive banners, the display order, and a link anyone may follow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, get_visible_or_404
from pydotorg.core.urls import link_errors
from pydotorg.domains.banners.models import CHANGE_BANNER, Banner

DEFAULTS: dict[str, Any] = {"active": False, "psf_pages_only": True, "sort_order": 0}


def can_see_inactive(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_BANNER)


async def get_banner(session: AsyncSession, banner_id: int, principal: Principal | None) -> Banner:
    """A banner the caller may see (an active one, or any for editors); else 404."""
    return await get_visible_or_404(
        session,
        Banner,
        banner_id,
        f"No banner with id {banner_id}.",
        visible=lambda b: b.active or can_see_inactive(principal),
    )


async def list_banners(
    session: AsyncSession, principal: Principal | None, *, limit: int, offset: int, active: bool | None = None
) -> tuple[list[Banner], ListMeta]:
    """Banners in display order; inactive ones only for editors."""
    stmt = select(Banner).order_by(Banner.sort_order, Banner.id)
    if not can_see_inactive(principal):
        stmt = stmt.where(Banner.active)
    if active is not None:
        stmt = stmt.where(Banner.active == active)
    return await paginate(session, stmt, limit, offset)


async def save_banner(session: AsyncSession, data: Mapping[str, Any], banner: Banner | None = None) -> Banner:
    # A path on the site or an http(s) URL (core/urls.py): the button is a link anyone may follow.
    if "link" in data and (problems := link_errors(data["link"])):
        raise ValidationFailed({"link": problems})
    if banner is None:
        banner = Banner(**{**DEFAULTS, **data})
        session.add(banner)
    else:
        assign_changed(banner, data)
    await session.flush()
    return banner
