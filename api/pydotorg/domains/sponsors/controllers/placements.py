"""``/api/v3/sponsors/placements``: the public logo walls (who is shown where).

python.org rendered its walls with the ``list_sponsors(logo_place, publisher)`` template tag; the
site builder reads this list instead, for /psf/sponsors/ (``flight=sponsors``, grouped by package),
/downloads/ (``flight=download``) and the jobs sidebar (``flight=jobs``). Anyone may read it; it
carries nothing private (schemas/placements.py). Answers change with every sponsors write and at
midnight UTC, when sponsorships start and end.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.storage import Storage
from pydotorg.domains.sponsors.schemas.placements import (
    LogoPlace,
    PlacementPackage,
    PlacementRead,
    Publisher,
)
from pydotorg.domains.sponsors.services import placements as svc
from pydotorg.settings import Settings


def placement_read(shown: svc.ShownSponsorship, site_url: str, storage: Storage) -> PlacementRead:
    sponsor, sponsorship, package = shown.sponsor, shown.sponsorship, shown.package
    # enabled sponsorships are active today, so both dates are set
    assert sponsorship.start_date is not None and sponsorship.end_date is not None
    return PlacementRead(
        sponsor_id=sponsor.id,
        name=sponsor.name,
        slug=svc.sponsor_slug(sponsor),
        description=sponsor.description,
        landing_page_url=sponsor.landing_page_url,
        web_logo=svc.media_url(site_url, storage, sponsor.web_logo),
        white_logo=svc.media_url(site_url, storage, sponsor.white_logo),
        package=PlacementPackage(
            name=package.name,
            slug=package.slug,
            order=package.order,
            logo_dimension=package.logo_dimension,
            year=package.year,
        )
        if package is not None
        else None,
        year=sponsorship.year,
        start_date=sponsorship.start_date,
        end_date=sponsorship.end_date,
        link_to_sponsors_page=shown.link_to_sponsors_page,
        describe_as_sponsor=shown.describe_as_sponsor,
    )


@get(
    "/api/v3/sponsors/placements",
    operation_id="sponsors_placements_list",
    summary="The sponsors shown at one place of one publisher's site, in package order",
    description=(
        "The sponsorships enabled today (finalized, started, not ended, not overlapped by a newer "
        "one of the same sponsor) that hold a logo placement for `flight` on `publisher`'s site, "
        "once each, ordered as python.org does: package year (newest first), package order, then "
        "sponsor name. Public; no contacts."
    ),
    tags=["sponsors"],
)
async def list_placements(
    request: Request[Any, Any, Any],
    tx: NamedDependency[AsyncSession],
    storage: NamedDependency[Storage],
    publisher: Annotated[Publisher, QueryParameter(description="whose site: psf, pycon, pypi, core")],
    flight: Annotated[
        LogoPlace, QueryParameter(description="where on it (python.org's LogoPlacementChoices)")
    ],
) -> list[PlacementRead]:
    settings: Settings = request.app.state.settings
    shown = await svc.logo_wall(tx, today=svc.utc_today(), logo_place=flight, publisher=publisher)
    return [placement_read(s, settings.site_url, storage) for s in shown]


ROUTE_HANDLERS: tuple[Any, ...] = (list_placements,)
