"""/api/v3/ shape of a logo wall: the sponsorships shown at one place of one publisher's site.

Public on purpose (the static site's /psf/sponsors/, /downloads/ and jobs sidebar read it without
credentials), so it carries only what those pages show: no contacts, addresses, fees or internal
notes. The contacts are in ``/api/v2/sponsors/logo-placement/``, for holders of
``sponsors.sponsor_publisher``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

# models.PUBLISHERS and models.LOGO_PLACES, as the OpenAPI document shows them (a test compares).
Publisher = Literal["psf", "pycon", "pypi", "core"]
LogoPlace = Literal["sidebar", "sponsors", "jobs", "blogpost", "footer", "docs", "download", "devguide"]


class PlacementPackage(msgspec.Struct):
    """The sponsorship's package: the logo wall of /psf/sponsors/ groups by ``slug`` and sizes
    each group's grid with ``logo_dimension`` (pixels)."""

    name: str
    slug: str
    order: int
    logo_dimension: int
    year: int | None


class PlacementRead(msgspec.Struct):
    """One sponsorship on the wall. ``web_logo`` and ``white_logo`` are absolute URLs (``null``
    when no file is stored); ``slug`` is the sponsor's anchor on /psf/sponsors/. The two flags come
    from the placement: link to /psf/sponsors/#<slug> instead of the landing page, and describe
    the sponsor as "<name> is a <package> sponsor of the Python Software Foundation."."""

    sponsor_id: int
    name: str
    slug: str
    description: str
    landing_page_url: str | None
    web_logo: str | None
    white_logo: str | None
    package: PlacementPackage | None
    year: int | None
    start_date: dt.date
    end_date: dt.date
    link_to_sponsors_page: bool
    describe_as_sponsor: bool
