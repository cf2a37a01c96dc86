"""The sponsor dashboard: the sponsorships a user may see (python.org's ``visible_to``), one with its
benefits and assets, and providing a required asset's value (a text, a yes/no response, an image
within the configured sizes)."""

from __future__ import annotations

import functools
import uuid as uuid_module
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import add_after_commit, utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, visible_or_404
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Upload
from pydotorg.domains.sponsors.models import (
    APPROVED,
    ASSET_KIND_OF_FEATURE,
    CHANGE_SPONSORSHIP,
    FINALIZED,
    PROVIDED_ASSET_KINDS,
    PROVIDED_FILE,
    REQUIRED_ASSET_KINDS,
    REQUIRED_IMG,
    REQUIRED_RESPONSE,
    REQUIRED_TEXT,
    TIERED_BENEFIT,
    BenefitFeature,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.sponsorships.benefits import AssetOwners
from pydotorg.domains.sponsors.services.sponsorships.rules import ASSET_DIRECTORY, VISIBLE_STATUSES, refuse


def _sees_everything(principal: Principal) -> bool:
    return principal.has_perm(CHANGE_SPONSORSHIP)


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """python.org's ``Sponsorship.objects.visible_to(user)``: submitted by the user, or of a
    sponsor the user is a contact of; applied, approved or finalized."""
    contact_of = select(SponsorContact.sponsor_id).where(SponsorContact.user_id == principal.user_id)
    return or_(
        Sponsorship.submitted_by_id == principal.user_id, Sponsorship.sponsor_id.in_(contact_of)
    ) & Sponsorship.status.in_(VISIBLE_STATUSES)


async def list_my_sponsorships(
    tx: AsyncSession, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Sponsorship], ListMeta]:
    stmt = (
        select(Sponsorship)
        .where(visible_to(principal))
        .order_by(Sponsorship.applied_on.desc(), Sponsorship.id.desc())
    )
    return await paginate(tx, stmt, limit, offset)


async def sponsors_and_packages(
    tx: AsyncSession, sponsorships: Sequence[Sponsorship]
) -> tuple[dict[int, Sponsor], dict[int, SponsorshipPackage]]:
    """The sponsors and packages of a page of sponsorships, by id (two queries for the page)."""
    sponsor_ids = {s.sponsor_id for s in sponsorships if s.sponsor_id is not None}
    package_ids = {s.package_id for s in sponsorships if s.package_id is not None}
    sponsors = (
        list(await tx.scalars(select(Sponsor).where(Sponsor.id.in_(sponsor_ids)))) if sponsor_ids else []
    )
    packages = (
        list(await tx.scalars(select(SponsorshipPackage).where(SponsorshipPackage.id.in_(package_ids))))
        if package_ids
        else []
    )
    return {s.id: s for s in sponsors}, {p.id: p for p in packages}


async def get_sponsorship(tx: AsyncSession, principal: Principal, sponsorship_id: int) -> Sponsorship:
    """A sponsorship the caller may see (``sponsors.change_sponsorship`` sees every one); 404
    otherwise, as for a missing one."""
    stmt = select(Sponsorship).where(Sponsorship.id == sponsorship_id)
    if not _sees_everything(principal):
        stmt = stmt.where(visible_to(principal))
    return visible_or_404(await tx.scalar(stmt), f"No sponsorship with id {sponsorship_id}.")


@dataclass
class SponsorshipView:
    """One sponsorship with what the dashboard shows: its sponsor and package, its benefits, and
    each asset feature with the asset it reads (None when the asset is missing)."""

    sponsorship: Sponsorship
    sponsor: Sponsor | None
    package: SponsorshipPackage | None
    benefits: list[SponsorBenefit]
    features: list[BenefitFeature]
    assets: dict[tuple[str, str], SponsorAsset]

    def asset_of(self, feature: BenefitFeature) -> SponsorAsset | None:
        return self.assets.get((feature.related_to or "", feature.internal_name or ""))

    def display_name(self, benefit: SponsorBenefit) -> str:
        """python.org's ``name_for_display``: a tiered feature adds its label or quantity."""
        name = benefit.name
        for feature in self.features:
            if feature.sponsor_benefit_id == benefit.id and feature.kind == TIERED_BENEFIT:
                name = f"{name} ({feature.display_label or feature.quantity})"
        return name


async def _assets_of(tx: AsyncSession, sponsorship: Sponsorship) -> dict[tuple[str, str], SponsorAsset]:
    owners = [SponsorAsset.sponsorship_id == sponsorship.id]
    if sponsorship.sponsor_id is not None:
        owners.append(SponsorAsset.sponsor_id == sponsorship.sponsor_id)
    out = {}
    for asset in await tx.scalars(select(SponsorAsset).where(or_(*owners))):
        out[("sponsor" if asset.sponsor_id is not None else "sponsorship", asset.internal_name)] = asset
    return out


async def sponsorship_view(tx: AsyncSession, sponsorship: Sponsorship) -> SponsorshipView:
    benefits = list(
        await tx.scalars(
            select(SponsorBenefit)
            .where(SponsorBenefit.sponsorship_id == sponsorship.id)
            .order_by(SponsorBenefit.order, SponsorBenefit.id)
        )
    )
    features = (
        list(
            await tx.scalars(
                select(BenefitFeature)
                .where(BenefitFeature.sponsor_benefit_id.in_([b.id for b in benefits]))
                .order_by(BenefitFeature.id)
            )
        )
        if benefits
        else []
    )
    sponsor = await tx.get(Sponsor, sponsorship.sponsor_id) if sponsorship.sponsor_id else None
    package = await tx.get(SponsorshipPackage, sponsorship.package_id) if sponsorship.package_id else None
    return SponsorshipView(
        sponsorship, sponsor, package, benefits, features, await _assets_of(tx, sponsorship)
    )


def is_active(sponsorship: Sponsorship, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return (
        sponsorship.status == FINALIZED and sponsorship.end_date is not None and sponsorship.end_date > today
    )


def agreed_fee(sponsorship: Sponsorship) -> int | None:
    """The fee once agreed (approved or finalized), or the package's own price as applied for."""
    if sponsorship.status in (APPROVED, FINALIZED) or not sponsorship.for_modified_package:
        return sponsorship.sponsorship_fee
    return None


# --- providing required assets -----------------------------------------------------------------


async def _required_feature(tx: AsyncSession, sponsorship: Sponsorship, feature_id: int) -> BenefitFeature:
    feature = await tx.scalar(
        select(BenefitFeature)
        .join(SponsorBenefit, SponsorBenefit.id == BenefitFeature.sponsor_benefit_id)
        .where(
            BenefitFeature.id == feature_id,
            SponsorBenefit.sponsorship_id == sponsorship.id,
            BenefitFeature.kind.in_(REQUIRED_ASSET_KINDS),
        )
    )
    return visible_or_404(feature, f"No required asset with id {feature_id} in this sponsorship.")


async def _asset_for(tx: AsyncSession, sponsorship: Sponsorship, feature: BenefitFeature) -> SponsorAsset:
    owners = AssetOwners(sponsorship)
    kind = ASSET_KIND_OF_FEATURE[feature.kind]
    await owners.ensure(tx, feature.related_to or "sponsorship", feature.internal_name or "", kind)
    asset = owners.made.get((feature.related_to or "sponsorship", feature.internal_name or ""))
    if asset is None:
        raise NotFoundException("The sponsorship has no sponsor to hold this asset.")
    return asset


async def _audit_if_staff(
    tx: AsyncSession, principal: Principal, sponsorship: Sponsorship, action: str, object_id: int
) -> None:
    """A change made through ``sponsors.change_sponsorship`` (not as the sponsor) is a staff write."""
    if _sees_everything(principal):
        mine = await tx.scalar(
            select(Sponsorship.id).where(Sponsorship.id == sponsorship.id, visible_to(principal))
        )
        if mine is None:
            await audit.record(
                tx, principal, action, object_kind="asset", object_id=object_id, sponsorship_id=sponsorship.id
            )


async def provide_asset_value(
    tx: AsyncSession, principal: Principal, sponsorship: Sponsorship, feature_id: int, data: Mapping[str, Any]
) -> SponsorAsset:
    """A required text (within the configured ``max_length``) or yes/no response. python.org lets
    sponsors provide assets whatever the sponsorship's state, as long as they see it."""
    feature = await _required_feature(tx, sponsorship, feature_id)
    text, response = data.get("text"), data.get("response")
    if feature.kind == REQUIRED_TEXT:
        if response is not None or text is None:
            raise refuse("text", "This asset is a text: send it in 'text'.")
        text = text.strip()
        if not text:
            raise refuse("text", "This field is required.")
        if feature.max_length is not None and len(text) > feature.max_length:
            raise refuse(
                "text", f"Ensure this value has at most {feature.max_length} characters (it has {len(text)})."
            )
        values: dict[str, Any] = {"text": text}
    elif feature.kind == REQUIRED_RESPONSE:
        if text is not None or response is None:
            raise refuse("response", "This asset is a yes/no response: send YES or NO in 'response'.")
        values = {"response": response}
    else:
        raise refuse("file", "This asset is an image: upload it to the asset's image URL.")
    asset = await _asset_for(tx, sponsorship, feature)
    assign_changed(asset, values)
    await tx.flush()
    await _audit_if_staff(tx, principal, sponsorship, "asset.provide", asset.id)
    return asset


def image_size(content: bytes, extension: str) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF, WebP or JPEG header; None when it cannot be read."""
    if extension == "png" and content[12:16] == b"IHDR" and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if extension == "gif" and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if extension == "webp" and len(content) >= 30:
        chunk = content[12:16]
        if chunk == b"VP8 " and content[23:26] == b"\x9d\x01\x2a":
            return int.from_bytes(content[26:28], "little") & 0x3FFF, int.from_bytes(
                content[28:30], "little"
            ) & 0x3FFF
        if chunk == b"VP8L" and content[20] == 0x2F:
            bits = int.from_bytes(content[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":
            return int.from_bytes(content[24:27], "little") + 1, int.from_bytes(content[27:30], "little") + 1
        return None
    if extension in ("jpg", "jpeg"):
        return _jpeg_size(content)
    return None


_JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return None
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        length = int.from_bytes(content[position + 2 : position + 4], "big")
        if marker in _JPEG_FRAMES and position + 9 <= len(content):
            height = int.from_bytes(content[position + 5 : position + 7], "big")
            width = int.from_bytes(content[position + 7 : position + 9], "big")
            return width, height
        if length < 2:
            return None
        position += 2 + length
    return None


def _dimension_errors(feature: BenefitFeature, size: tuple[int, int]) -> list[str]:
    width, height = size
    problems = []
    if feature.min_width is not None and width < feature.min_width:
        problems.append(f"The image must be at least {feature.min_width} pixels wide (it is {width}).")
    if feature.max_width is not None and width > feature.max_width:
        problems.append(f"The image must be at most {feature.max_width} pixels wide (it is {width}).")
    if feature.min_height is not None and height < feature.min_height:
        problems.append(f"The image must be at least {feature.min_height} pixels high (it is {height}).")
    if feature.max_height is not None and height > feature.max_height:
        problems.append(f"The image must be at most {feature.max_height} pixels high (it is {height}).")
    return problems


async def provide_asset_image(
    tx: AsyncSession,
    principal: Principal,
    sponsorship: Sponsorship,
    feature_id: int,
    upload: Upload,
    storage: Storage,
) -> SponsorAsset:
    """A required image within the configured sizes, stored as ``sponsors-app-assets/<random>.<ext>``
    (python.org's directory; nothing of the uploaded file's name is kept). The image it replaces
    is removed after the commit."""
    feature = await _required_feature(tx, sponsorship, feature_id)
    if feature.kind != REQUIRED_IMG:
        raise refuse("file", "This asset is not an image: send its value as JSON to the asset's URL.")
    size = image_size(upload.content, upload.extension)
    if size is None:
        raise refuse("file", f"The file is not a valid {upload.extension} image.")
    if problems := _dimension_errors(feature, size):
        raise ValidationFailed({"file": problems})
    asset = await _asset_for(tx, sponsorship, feature)
    old = asset.file
    asset.file = await storage.save(
        f"{ASSET_DIRECTORY}/{uuid_module.uuid4().hex}.{upload.extension}", upload.content
    )
    try:
        await tx.flush()
        await _audit_if_staff(tx, principal, sponsorship, "asset.provide", asset.id)
    except BaseException:
        await storage.delete(asset.file)
        raise
    if old:
        add_after_commit(tx, functools.partial(storage.delete, old))
    return asset


def provided_value(feature: BenefitFeature, asset: SponsorAsset | None, storage: Storage) -> str:
    """A provided asset's value: the shared one when shared, else the asset's (a file as URL)."""
    if feature.kind == PROVIDED_FILE:
        name = feature.shared_file if feature.shared else (asset.file if asset is not None else "")
        return storage.url(name) if name else ""
    if feature.shared:
        return feature.shared_text
    return asset.text if asset is not None else ""


def required_value(feature: BenefitFeature, asset: SponsorAsset | None, storage: Storage) -> str | None:
    if asset is None:
        return None
    if feature.kind == REQUIRED_IMG:
        return storage.url(asset.file) if asset.file else None
    if feature.kind == REQUIRED_RESPONSE:
        return asset.response or None
    return asset.text or None


def is_provided(feature: BenefitFeature) -> bool:
    return feature.kind in PROVIDED_ASSET_KINDS


def is_required(feature: BenefitFeature) -> bool:
    return feature.kind in REQUIRED_ASSET_KINDS
