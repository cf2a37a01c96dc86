"""The staff operations of inventory 1.16 that python.org ran from its admin and its management
commands, outside the state machines: export chosen assets as a zip (the asset admin's "Export
selected"), re-copy a benefit into chosen sponsorships (the benefit admin's
"update-related-sponsorships", ``SponsorBenefit.reset_attributes``), store the file a provided
file configuration shares; ``create_contracts`` (a draft contract for every approved
sponsorship that has none; the contract is drafted by services/transitions.py's ``new_contract``,
as approval drafts it) and ``reset_sponsorship_benefits`` with its audit entry, for the CLI.
Nothing here commits."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid as uuid_module
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from litestar.exceptions import NotFoundException
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Upload
from pydotorg.domains.sponsors.models import (
    APPROVED,
    FILE_ASSET,
    IMG_ASSET,
    PROVIDED_FILE,
    REJECTED,
    BenefitFeatureConfiguration,
    Contract,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
    SponsorshipBenefit,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.sponsorships.benefits import (
    ResetResult,
    reset_benefit_copy,
    reset_sponsorship_benefits,
)
from pydotorg.domains.sponsors.services.sponsorships.rules import ASSET_DIRECTORY
from pydotorg.domains.sponsors.services.transitions import CONTRACT_CREATED, new_contract, today

# --- export selected -----------------------------------------------------------------------------

# The zip is built in memory: at most this many assets, and at most this many bytes of values
# before compression (a file read past the cap stops the export with a 400).
MAX_EXPORT_ASSETS = 500
MAX_EXPORT_BYTES = 100 * 1024 * 1024
MAX_FOLDER_LENGTH = 100
UNKNOWN_SPONSOR = "unknown"  # python.org's "safety belt" folder: a sponsorship whose sponsor is gone
_SEPARATORS = re.compile(r"[/\\:]+")
_EXTENSION = re.compile(r"[^A-Za-z0-9]")


def folder_name(name: str) -> str:
    """A sponsor's name as one path segment of a zip: no control or format characters, no path
    separators (``/``, ``\\``, ``:``), no leading dots (so never ``.`` or ``..``), spaces folded,
    at most ``MAX_FOLDER_LENGTH`` characters; ``"unnamed"`` if nothing is left."""
    kept = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in name)
    kept = " ".join(_SEPARATORS.sub("-", kept).split())
    kept = kept.lstrip(". ")[:MAX_FOLDER_LENGTH].rstrip(". ")
    return kept or "unnamed"


def _extension(path: str) -> str:
    """The stored file's extension (letters and digits only, at most 10), with its dot, or ''."""
    stem = path.rsplit("/", 1)[-1]
    if "." not in stem:
        return ""
    ext = _EXTENSION.sub("", stem.rsplit(".", 1)[-1])[:10]
    return f".{ext}" if ext else ""


def has_value(asset: SponsorAsset) -> bool:
    """python.org's ``GenericAsset.has_value``."""
    if asset.kind in (IMG_ASSET, FILE_ASSET):
        return bool(asset.file)
    return bool(asset.text) or asset.response is not None


async def _sponsors_of(tx: AsyncSession, assets: Sequence[SponsorAsset]) -> dict[int, Sponsor | None]:
    """Each asset's sponsor: its owner, or its sponsorship's sponsor (None when that is gone)."""
    sponsorship_ids = {a.sponsorship_id for a in assets if a.sponsorship_id is not None}
    sponsor_of_sponsorship: dict[int, int | None] = {}
    if sponsorship_ids:
        rows = await tx.execute(
            select(Sponsorship.id, Sponsorship.sponsor_id).where(Sponsorship.id.in_(sponsorship_ids))
        )
        sponsor_of_sponsorship = {sid: sponsor_id for sid, sponsor_id in rows}
    wanted: dict[int, int | None] = {
        a.id: a.sponsor_id if a.sponsor_id is not None else sponsor_of_sponsorship.get(a.sponsorship_id or 0)
        for a in assets
    }
    ids = {i for i in wanted.values() if i is not None}
    sponsors = {s.id: s for s in await tx.scalars(select(Sponsor).where(Sponsor.id.in_(ids)))} if ids else {}
    return {asset_id: sponsors.get(sponsor_id or 0) for asset_id, sponsor_id in wanted.items()}


def _folders(sponsors: Sequence[Sponsor | None]) -> dict[int | None, str]:
    """One folder per sponsor (``None``: the unknown one). Two sponsors whose names clean to the
    same folder (compared case-insensitively, as Windows and macOS unpack) both get their id
    appended, so neither's files land in the other's folder."""
    named: dict[int | None, str] = {}
    for sponsor in sponsors:
        key = sponsor.id if sponsor is not None else None
        named[key] = folder_name(sponsor.name) if sponsor is not None else UNKNOWN_SPONSOR
    users: dict[str, set[int | None]] = {}
    for key, name in named.items():
        users.setdefault(name.casefold(), set()).add(key)
    return {
        key: name if len(users[name.casefold()]) == 1 else f"{name} ({key if key is not None else 'none'})"
        for key, name in named.items()
    }


async def export_assets(tx: AsyncSession, storage: Storage, asset_ids: Sequence[int]) -> bytes:
    """python.org's "Export selected": a zip with one folder per sponsor holding
    ``<internal_name>.txt`` for a text or response value and ``<internal_name><.ext>`` for a file
    or image (read through ``storage``; the stored file's extension). Refused with a 400 naming
    ``ids`` when an id is unknown, when any selected asset has no value (python.org's rule), or
    when the values pass ``MAX_EXPORT_BYTES``."""
    wanted = list(dict.fromkeys(asset_ids))
    assets = list(await tx.scalars(select(SponsorAsset).where(SponsorAsset.id.in_(wanted))))
    found = {a.id for a in assets}
    if missing := [i for i in wanted if i not in found]:
        raise ValidationFailed({"ids": [f"No assets with ids {', '.join(map(str, missing))}."]})
    sponsors = await _sponsors_of(tx, assets)
    assets.sort(key=lambda a: wanted.index(a.id))
    if empty := [a for a in assets if not has_value(a)]:
        names = ", ".join(
            f"{a.internal_name} of {s.name if (s := sponsors[a.id]) else UNKNOWN_SPONSOR} (id {a.id})"
            for a in empty
        )
        raise ValidationFailed(
            {
                "ids": [
                    f"{len(empty)} assets from the selection doesn't have data to export. "
                    f"Please review your selection! Empty: {names}."
                ]
            }
        )
    folders = _folders(list({(s.id if s else None): s for s in sponsors.values()}.values()))
    buffer = io.BytesIO()
    total = 0
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for asset in assets:
            sponsor = sponsors[asset.id]
            folder = folders[sponsor.id if sponsor is not None else None]
            stem = folder_name(asset.internal_name)
            if asset.kind in (IMG_ASSET, FILE_ASSET):
                suffix = _extension(asset.file)
                try:
                    content = await storage.read(asset.file)
                except FileNotFoundError:
                    raise ValidationFailed(
                        {"ids": [f"The stored file of asset {asset.id} ({asset.internal_name}) is missing."]}
                    ) from None
            else:
                suffix = ".txt"
                content = (asset.text if asset.text else (asset.response or "")).encode()
            total += len(content)
            if total > MAX_EXPORT_BYTES:
                raise ValidationFailed(
                    {
                        "ids": [
                            f"The selected assets hold more than {MAX_EXPORT_BYTES} bytes; "
                            "export fewer at a time."
                        ]
                    }
                )
            arcname = f"{folder}/{stem}{suffix}"
            if arcname.casefold() in used:  # the same name on the sponsor and on a sponsorship of it
                arcname = f"{folder}/{stem}-{asset.id}{suffix}"
            used.add(arcname.casefold())
            archive.writestr(arcname, content)
    return buffer.getvalue()


# --- update related sponsorships -----------------------------------------------------------------

BENEFIT_RESET = "Benefit Updated From Its Configuration"


@dataclass(frozen=True)
class RelatedUpdate:
    benefit_id: int
    sponsorship_ids: list[int]


async def update_related_sponsorships(
    tx: AsyncSession, principal: Principal, benefit_id: int, sponsorship_ids: Sequence[int]
) -> RelatedUpdate:
    """python.org's "update-related-sponsorships": each chosen sponsorship's copy of the benefit
    is copied again from the benefit and its features made anew (``reset_benefit_copy``). Only
    sponsorships holding a copy of the benefit that are neither rejected nor ended (end date
    before today) may be chosen; any other is refused with a 400 naming it, and nothing changes."""
    benefit = await tx.get(SponsorshipBenefit, benefit_id)
    if benefit is None:
        raise NotFoundException(f"No sponsorship benefit with id {benefit_id}.")
    wanted = list(dict.fromkeys(sponsorship_ids))
    sponsorships = {
        s.id: s
        for s in await tx.scalars(
            select(Sponsorship).where(Sponsorship.id.in_(wanted)).order_by(Sponsorship.id).with_for_update()
        )
    }
    problems = []
    if missing := [i for i in wanted if i not in sponsorships]:
        problems.append(f"No sponsorships with ids {', '.join(map(str, missing))}.")
    holders = set(
        await tx.scalars(
            select(SponsorBenefit.sponsorship_id).where(
                SponsorBenefit.sponsorship_benefit_id == benefit.id, SponsorBenefit.sponsorship_id.in_(wanted)
            )
        )
    )
    if without := [i for i in wanted if i in sponsorships and i not in holders]:
        problems.append(f"Sponsorships {', '.join(map(str, without))} do not hold the benefit.")
    current = today()
    if closed := [
        i
        for i in wanted
        if i in sponsorships
        and (
            sponsorships[i].status == REJECTED
            or ((end := sponsorships[i].end_date) is not None and end < current)
        )
    ]:
        problems.append(f"Sponsorships {', '.join(map(str, closed))} are rejected or have ended.")
    if problems:
        raise ValidationFailed({"sponsorship_ids": problems})
    for sponsorship_id in wanted:
        copies = list(
            await tx.scalars(
                select(SponsorBenefit)
                .where(
                    SponsorBenefit.sponsorship_id == sponsorship_id,
                    SponsorBenefit.sponsorship_benefit_id == benefit.id,
                )
                .order_by(SponsorBenefit.id)
            )
        )
        for copy in copies:
            await reset_benefit_copy(tx, copy, benefit)
            await audit.record(
                tx,
                principal,
                "sponsorship.benefit_reset",
                object_kind="sponsor_benefit",
                object_id=copy.id,
                sponsorship_id=sponsorship_id,
                message=f"{BENEFIT_RESET}: {benefit.name}",
            )
    return RelatedUpdate(benefit.id, wanted)


# --- a provided file configuration's shared file -------------------------------------------------

MAX_SHARED_FILE = 20 * 1024 * 1024
SHARED_FILE_DIRECTORY = f"{ASSET_DIRECTORY}/shared"
SHARED_FILE_STORED = "Shared File Uploaded"


async def store_shared_file(
    tx: AsyncSession,
    principal: Principal,
    storage: Storage,
    config: BenefitFeatureConfiguration,
    upload: Upload,
) -> BenefitFeatureConfiguration:
    """Store ``upload`` as the configuration's shared file, under a random name in
    ``sponsors-app-assets/shared/`` (nothing of the uploaded name is kept but its extension).
    Only a ``provided_file_asset`` configuration takes one. The file it replaces is kept: the
    features already copied from the configuration still point at it."""
    if config.kind != PROVIDED_FILE:
        raise ValidationFailed({"kind": [f"Only {PROVIDED_FILE} configurations have a shared file."]})
    suffix = f".{upload.extension}" if upload.extension else ""
    name = await storage.save(f"{SHARED_FILE_DIRECTORY}/{uuid_module.uuid4().hex}{suffix}", upload.content)
    config.shared_file = name
    try:
        await tx.flush()
        await audit.record(
            tx,
            principal,
            "feature_configuration.shared_file",
            object_kind="feature_configuration",
            object_id=config.id,
            message=SHARED_FILE_STORED,
        )
    except BaseException:
        await storage.delete(name)
        raise
    return config


# --- create_contracts ----------------------------------------------------------------------------


async def create_missing_contracts(tx: AsyncSession) -> list[int]:
    """python.org's ``create_contracts``: a draft contract (drafted as approval drafts it) for
    every approved sponsorship that has none, each with the audit entry "Created After
    Sponsorship Approval" and no actor; the ids of the sponsorships given one. A sponsorship
    whose sponsor was deleted cannot have a contract and is left out."""
    has_contract = exists().where(Contract.sponsorship_id == Sponsorship.id)
    sponsorships = list(
        await tx.scalars(
            select(Sponsorship)
            .where(Sponsorship.status == APPROVED, ~has_contract, Sponsorship.sponsor_id.is_not(None))
            .order_by(Sponsorship.id)
            .with_for_update(skip_locked=True)
        )
    )
    done = []
    for sponsorship in sponsorships:
        contract = await new_contract(tx, sponsorship)
        await audit.record(
            tx,
            None,
            "contract.create",
            object_kind="contract",
            object_id=contract.id,
            sponsorship_id=sponsorship.id,
            message=CONTRACT_CREATED,
        )
        done.append(sponsorship.id)
    return done


# --- reset_sponsorship_benefits ------------------------------------------------------------------

BENEFITS_RESET = "Benefits Reset From Package"


async def reset_benefits(
    tx: AsyncSession, sponsorship: Sponsorship, *, update_year: bool = False
) -> ResetResult:
    """python.org's ``reset_sponsorship_benefits`` for one sponsorship (services/sponsorships/
    benefits.py), with an audit entry without actor (python.org logged nothing)."""
    result = await reset_sponsorship_benefits(tx, sponsorship, update_year=update_year)
    await audit.record(
        tx,
        None,
        "sponsorship.benefits_reset",
        object_kind="sponsorship",
        object_id=sponsorship.id,
        sponsorship_id=sponsorship.id,
        message=f"{BENEFITS_RESET} (year {result.year}): removed {result.removed}, added {result.added}",
    )
    return result
