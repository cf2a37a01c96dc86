"""Who is shown where: the sponsorships python.org calls *enabled* and their logo placements (the
logo walls of /psf/sponsors/, /downloads/ and the jobs sidebar, and ``/api/v2/sponsors/``), and
the export of asset values by internal name.

python.org's queryset methods, reproduced as SQL:

* ``active_on_date(d)``: ``start_date <= d <= end_date`` (a sponsorship without dates is never
  active);
* ``enabled()``: finalized, active today (the UTC date, ``timezone.now().date()``) and not
  overlapped by a newer sponsorship of the same sponsor;
* ``with_logo_placement(logo_place, publisher)``: holds a logo-placement feature (one of its
  benefits' ``benefit_features`` rows of kind ``logo_placement``) for that place and publisher;
* ``.order_by("package")``: the package's own ordering, ``(-year, order)``, as PostgreSQL sorts
  it (a sponsorship without a package, or with a package without a year, first). Sponsor name
  and sponsorship id break ties, so the order is stable (python.org left it to the database).

"Today" is always a parameter: callers pass ``utc_today()``, tests a fixed date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify, utcnow
from pydotorg.core.storage import Storage
from pydotorg.domains.sponsors.models import (
    FILE_ASSET,
    FINALIZED,
    IMG_ASSET,
    LOGO_PLACEMENT,
    RESPONSE_ASSET,
    BenefitFeature,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipPackage,
)

# The largest value a PostgreSQL integer column holds: a year filter beyond it matches nothing.
INT_MAX = 2**31 - 1
SPONSORS_PAGE = "/psf/sponsors/"


def utc_today() -> date:
    """python.org's ``timezone.now().date()`` (its time zone is UTC)."""
    return utcnow().date()


# --- python.org's Sponsorship queryset --------------------------------------------------------


def active_on_date(day: date) -> ColumnElement[bool]:
    return and_(Sponsorship.start_date <= day, Sponsorship.end_date >= day)


def enabled_condition(today: date) -> ColumnElement[bool]:
    """Finalized, active ``today``, not overlapped."""
    return and_(
        Sponsorship.status == FINALIZED,
        active_on_date(today),
        Sponsorship.overlapped_by_id.is_(None),
    )


def logo_placement_condition(
    logo_place: str | None = None, publisher: str | None = None
) -> ColumnElement[bool]:
    """The feature row is a logo placement, for ``logo_place`` and ``publisher`` when given."""
    conditions: list[ColumnElement[bool]] = [BenefitFeature.kind == LOGO_PLACEMENT]
    if logo_place:
        conditions.append(BenefitFeature.logo_place == logo_place)
    if publisher:
        conditions.append(BenefitFeature.publisher == publisher)
    return and_(*conditions)


def enabled(today: date) -> Select[Any]:
    """``Sponsorship.objects.enabled()`` on ``today``."""
    return select(Sponsorship).where(enabled_condition(today))


def with_logo_placement(
    stmt: Select[Any], logo_place: str | None = None, publisher: str | None = None
) -> Select[Any]:
    """``.with_logo_placement(logo_place, publisher)``: the sponsorships of ``stmt`` that hold a
    matching logo placement."""
    holders = (
        select(SponsorBenefit.sponsorship_id)
        .join(BenefitFeature, BenefitFeature.sponsor_benefit_id == SponsorBenefit.id)
        .where(logo_placement_condition(logo_place, publisher))
    )
    return stmt.where(Sponsorship.id.in_(holders))


def package_order() -> tuple[Any, ...]:
    """``order_by("package")`` as python.org's PostgreSQL sorts it, then stable tie-breakers
    (the statement must join ``Sponsor`` and outer-join ``SponsorshipPackage``)."""
    return (
        SponsorshipPackage.year.desc().nulls_first(),
        SponsorshipPackage.order.asc().nulls_last(),
        Sponsor.name,
        Sponsorship.id,
    )


# --- logo placements --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """One logo-placement feature of an enabled sponsorship."""

    sponsorship: Sponsorship
    sponsor: Sponsor
    package: SponsorshipPackage | None
    feature: BenefitFeature


@dataclass(frozen=True, slots=True)
class ShownSponsorship:
    """An enabled sponsorship on one logo wall (a place of one publisher). A sponsorship holding
    several placements for that wall is shown once; it links to the sponsors page, or is
    described as a sponsor, when any of them says so."""

    sponsorship: Sponsorship
    sponsor: Sponsor
    package: SponsorshipPackage | None
    link_to_sponsors_page: bool
    describe_as_sponsor: bool


async def logo_placements(
    tx: AsyncSession,
    *,
    today: date,
    publisher: str | None = None,
    logo_place: str | None = None,
    year: int | None = None,
) -> list[Placement]:
    """Every logo placement of the sponsorships enabled ``today`` (of ``year`` when given and not
    0, as python.org's ``if by_year:``), filtered by publisher and place, in package order and,
    within a sponsorship, in its benefits' order. Sponsorships whose sponsor is gone are left
    out (python.org failed on them)."""
    if year and not -INT_MAX - 1 <= year <= INT_MAX:
        return []
    stmt = (
        select(Sponsorship, Sponsor, SponsorshipPackage, BenefitFeature)
        .join(Sponsor, Sponsor.id == Sponsorship.sponsor_id)
        .outerjoin(SponsorshipPackage, SponsorshipPackage.id == Sponsorship.package_id)
        .join(SponsorBenefit, SponsorBenefit.sponsorship_id == Sponsorship.id)
        .join(BenefitFeature, BenefitFeature.sponsor_benefit_id == SponsorBenefit.id)
        .where(enabled_condition(today), logo_placement_condition(logo_place, publisher))
        .order_by(*package_order(), SponsorBenefit.order, SponsorBenefit.id, BenefitFeature.id)
    )
    if year:
        stmt = stmt.where(Sponsorship.year == year)
    rows = await tx.execute(stmt)
    return [
        Placement(sponsorship=sponsorship, sponsor=sponsor, package=package, feature=feature)
        for sponsorship, sponsor, package, feature in rows
    ]


async def logo_wall(
    tx: AsyncSession, *, today: date, logo_place: str, publisher: str
) -> list[ShownSponsorship]:
    """python.org's ``list_sponsors(logo_place, publisher)``: the sponsorships enabled ``today``
    with a placement on that wall, once each, in package order."""
    shown: dict[int, ShownSponsorship] = {}
    for placement in await logo_placements(tx, today=today, publisher=publisher, logo_place=logo_place):
        feature = placement.feature
        seen = shown.get(placement.sponsorship.id)
        shown[placement.sponsorship.id] = ShownSponsorship(
            sponsorship=placement.sponsorship,
            sponsor=placement.sponsor,
            package=placement.package,
            link_to_sponsors_page=feature.link_to_sponsors_page
            or (seen is not None and seen.link_to_sponsors_page),
            describe_as_sponsor=feature.describe_as_sponsor
            or (seen is not None and seen.describe_as_sponsor),
        )
    return list(shown.values())


async def contacts_of(tx: AsyncSession, sponsor_ids: Iterable[int]) -> dict[int, list[SponsorContact]]:
    """The contacts of each sponsor, in the order they were added."""
    ids = sorted(set(sponsor_ids))
    out: dict[int, list[SponsorContact]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = await tx.scalars(
        select(SponsorContact).where(SponsorContact.sponsor_id.in_(ids)).order_by(SponsorContact.id)
    )
    for contact in rows:
        out[contact.sponsor_id].append(contact)
    return out


async def sponsor_contacts(tx: AsyncSession, sponsor_id: int | None) -> list[SponsorContact]:
    """One sponsor's contacts, in the order they were added (none without a sponsor)."""
    if sponsor_id is None:
        return []
    return (await contacts_of(tx, [sponsor_id]))[sponsor_id]


def sponsor_slug(sponsor: Sponsor) -> str:
    """python.org's ``Sponsor.slug`` (not stored): Django's slugify of the name."""
    return slugify(sponsor.name)


def level_name(sponsorship: Sponsorship, package: SponsorshipPackage | None) -> str:
    """python.org's ``Sponsorship.level_name``: the package's name, or the pre-package name."""
    return package.name if package is not None else sponsorship.level_name_old


def sponsor_description(placement: Placement) -> str:
    """The placement's description: the sponsor's, or the sentence ``describe_as_sponsor``
    asks for."""
    sponsor = placement.sponsor
    if placement.feature.describe_as_sponsor:
        level = level_name(placement.sponsorship, placement.package)
        return f"{sponsor.name} is a {level} sponsor of the Python Software Foundation."
    return sponsor.description


def sponsor_url(placement: Placement, site_url: str) -> str | None:
    """The sponsor's landing page, or its entry on the sponsors page when the placement links
    there (``link_to_sponsors_page``)."""
    if placement.feature.link_to_sponsors_page:
        return f"{site_url.rstrip('/')}{SPONSORS_PAGE}#{sponsor_slug(placement.sponsor)}"
    return placement.sponsor.landing_page_url


def media_url(site_url: str, storage: Storage, name: str | None) -> str | None:
    """The absolute public URL of a stored file (``None`` when nothing is stored): the storage's
    URL, made absolute against the site when it is a path (local media under ``/media/``)."""
    if not name:
        return None
    return urljoin(site_url.rstrip("/") + "/", storage.url(name))


# --- assets by internal name ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssetExport:
    """An asset and the sponsor it belongs to (through its sponsorship for sponsorship assets;
    ``None`` when that sponsorship's sponsor is gone)."""

    asset: SponsorAsset
    sponsor: Sponsor | None

    @property
    def content_type(self) -> str:
        """python.org's ``content_type.name.title()``."""
        return "Sponsor" if self.asset.sponsor_id is not None else "Sponsorship"


def is_file(asset: SponsorAsset) -> bool:
    return asset.kind in (IMG_ASSET, FILE_ASSET)


def has_value(asset: SponsorAsset) -> bool:
    """python.org's ``GenericAsset.has_value``: a stored file, a non-empty text, an answer."""
    if is_file(asset):
        return bool(asset.file)
    if asset.kind == RESPONSE_ASSET:
        return bool(asset.response)
    return bool(asset.text)


def asset_value(asset: SponsorAsset, site_url: str, storage: Storage) -> str:
    """What the export shows: the text or the answer (``YES``/``NO``), the absolute URL of an
    image or file, and ``""`` when the asset has no value."""
    if not has_value(asset):
        return ""
    if is_file(asset):
        return media_url(site_url, storage, asset.file) or ""
    if asset.kind == RESPONSE_ASSET:
        return asset.response or ""
    return asset.text


async def assets_by_internal_name(
    tx: AsyncSession, internal_name: str, *, list_empty: bool = False
) -> list[AssetExport]:
    """Every asset (of a sponsor or of a sponsorship) named ``internal_name``, those without a
    value only when ``list_empty``, in the order they were created."""
    stmt = (
        select(SponsorAsset, Sponsor)
        .outerjoin(Sponsorship, Sponsorship.id == SponsorAsset.sponsorship_id)
        .outerjoin(
            Sponsor,
            or_(
                Sponsor.id == SponsorAsset.sponsor_id,
                and_(SponsorAsset.sponsor_id.is_(None), Sponsor.id == Sponsorship.sponsor_id),
            ),
        )
        .where(SponsorAsset.internal_name == internal_name)
        .order_by(SponsorAsset.id)
    )
    rows = await tx.execute(stmt)
    exports = [AssetExport(asset=asset, sponsor=sponsor) for asset, sponsor in rows]
    return [e for e in exports if list_empty or has_value(e.asset)]
