"""/api/v3/sponsors/ staff operations outside the state machines, and the sponsors commands:
``pydotorg sponsors create-contracts`` and ``reset-benefits`` run as subprocesses against the test
database; the asset export opened as a zip (hostile and colliding sponsor names, the empty-asset
refusal, the names and contents); re-copying a benefit into chosen sponsorships (which may be
chosen); a provided file configuration's shared file; the permission matrices of the writes
(named in tests/security/test_permission_matrices.py) and of the export."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydotorg.core.db import transaction, utcnow
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    DRAFT,
    FILE_ASSET,
    IMG_ASSET,
    PROVIDED_FILE,
    REJECTED,
    REQUIRED_TEXT,
    RESPONSE_ASSET,
    TEXT_ASSET,
    BenefitFeatureConfiguration,
    Contract,
    Sponsor,
    SponsorAsset,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_packages,
)
from pydotorg.domains.sponsors.services.sponsorships.benefits import copy_benefits
from tests.helpers import Multipart, check_permission_matrix

BASE = "/api/v3/sponsors"
REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
CHANGE_ASSETS = "sponsors.change_genericasset"
CHANGE_CONFIGURATION = "sponsors.change_sponsorshipbenefit"
CHANGE_SPONSORSHIP = "sponsors.change_sponsorship"
YEAR = 2026
TODAY = utcnow().date()
SHARED_NAME = re.compile(r"^sponsors-app-assets/shared/[0-9a-f]{32}\.pdf$")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Catalogue:
    package_id: int
    benefit_id: int  # "Logo" of YEAR: a required text and a provided file configuration
    text_config_id: int
    file_config_id: int


async def make_catalogue(sessionmaker: Any, *, year: int = YEAR, slug: str = "visionary") -> Catalogue:
    async with transaction(sessionmaker) as tx:
        program = SponsorshipProgram(name=f"Foundation {year}", order=1)
        package = SponsorshipPackage(name="Visionary", slug=slug, year=year, sponsorship_amount=150000)
        tx.add_all([program, package])
        await tx.flush()
        logo = SponsorshipBenefit(name=f"Logo {year}", program_id=program.id, year=year, order=1)
        tx.add(logo)
        await tx.flush()
        await tx.execute(benefit_packages.insert(), [{"benefit_id": logo.id, "package_id": package.id}])
        text = BenefitFeatureConfiguration(
            benefit_id=logo.id, kind=REQUIRED_TEXT, related_to="sponsorship",
            internal_name=f"bio_{year}", label="Biography",
        )  # fmt: skip
        deck = BenefitFeatureConfiguration(
            benefit_id=logo.id, kind=PROVIDED_FILE, related_to="sponsorship",
            internal_name=f"deck_{year}", label="Deck",
        )  # fmt: skip
        tx.add_all([text, deck])
        await tx.flush()
        return Catalogue(package.id, logo.id, text.id, deck.id)


async def make_sponsorship(
    sessionmaker: Any,
    catalogue: Catalogue,
    *,
    name: str = "Acme",
    status: str = APPLIED,
    end: date | None = None,
    year: int = YEAR,
    copy: bool = True,
    sponsor_id: int | None = None,
) -> tuple[int, int]:
    """(sponsorship id, sponsor id): a sponsorship of the catalogue's package holding a copy of
    its benefit (made as an application makes it) unless ``copy`` is false."""
    async with transaction(sessionmaker) as tx:
        if sponsor_id is None:
            sponsor = Sponsor(name=name, description="Makes things", primary_phone="+1 555 0100")
            tx.add(sponsor)
            await tx.flush()
            sponsor_id = sponsor.id
        sponsorship = Sponsorship(
            sponsor_id=sponsor_id, status=status, year=year, package_id=catalogue.package_id,
            start_date=None if end is None else end - timedelta(days=365), end_date=end,
            locked=status != APPLIED,
        )  # fmt: skip
        tx.add(sponsorship)
        await tx.flush()
        if copy:
            benefit = await tx.get(SponsorshipBenefit, catalogue.benefit_id)
            assert benefit is not None
            await copy_benefits(tx, sponsorship, [benefit], added_by_user=lambda _: False)
        return sponsorship.id, sponsor_id


def cli_env(settings: Any, tmp_path: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_LOG_LEVEL="ERROR",
    )
    return env


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pydotorg.cli", "sponsors", *args, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


# --- create-contracts ----------------------------------------------------------------------------


async def test_cli_create_contracts(sessionmaker: Any, settings: Any, db_conn: Any, tmp_path: Any) -> None:
    """Every approved sponsorship without a contract gets a draft one, drafted as approval does,
    with an actor-less audit entry; the others are left alone; a second run finds nothing."""
    catalogue = await make_catalogue(sessionmaker)
    first, _ = await make_sponsorship(sessionmaker, catalogue, name="First [co]", status=APPROVED)
    second, _ = await make_sponsorship(sessionmaker, catalogue, name="Second", status=APPROVED)
    has_one, _ = await make_sponsorship(sessionmaker, catalogue, name="Has one", status=APPROVED)
    applied, _ = await make_sponsorship(sessionmaker, catalogue, name="Applied")
    async with transaction(sessionmaker) as tx:
        tx.add(Contract(status=DRAFT, sponsorship_id=has_one, sponsor_info="kept"))
    env = cli_env(settings, tmp_path)

    code, out, err = await run_cli(env, "create-contracts")
    assert code == 0, err
    assert out.strip() == f"Created contracts for 2 approved sponsorship(s): [{first}, {second}]"
    rows = await db_conn.fetch(
        "SELECT sponsorship_id, status, revision, sponsor_info, benefits_list FROM sponsorship_contracts "
        "ORDER BY sponsorship_id"
    )
    by_sponsorship = {r["sponsorship_id"]: r for r in rows}
    assert set(by_sponsorship) == {first, second, has_one}
    assert by_sponsorship[has_one]["sponsor_info"] == "kept"
    made = by_sponsorship[first]
    assert (made["status"], made["revision"]) == (DRAFT, 0)
    assert made["sponsor_info"] == r"First \[co\], Makes things"  # escaped as approval escapes it
    assert made["benefits_list"] == f"- Foundation {YEAR} - Logo {YEAR}"
    audit = await db_conn.fetch(
        "SELECT actor_id, action, object_kind, sponsorship_id, message FROM sponsor_audit_entries ORDER BY id"
    )
    assert [tuple(r) for r in audit] == [
        (None, "contract.create", "contract", first, "Created After Sponsorship Approval"),
        (None, "contract.create", "contract", second, "Created After Sponsorship Approval"),
    ]
    assert (
        await db_conn.fetchval("SELECT count(*) FROM sponsorship_contracts WHERE sponsorship_id=$1", applied)
        == 0
    )

    code, out, err = await run_cli(env, "create-contracts")
    assert code == 0, err
    assert out.strip() == "There's no approved Sponsorship without associated Contract. Terminating."
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_contracts") == 3


# --- reset-benefits ------------------------------------------------------------------------------


async def benefit_names(db_conn: Any, sponsorship_id: int) -> list[str]:
    rows = await db_conn.fetch(
        'SELECT name FROM sponsor_benefits WHERE sponsorship_id=$1 ORDER BY "order", id', sponsorship_id
    )
    return [r["name"] for r in rows]


async def test_cli_reset_benefits(sessionmaker: Any, settings: Any, db_conn: Any, tmp_path: Any) -> None:
    """python.org's reset_sponsorship_benefits: a dry run changes nothing; --update-year moves the
    sponsorship to its package's year and copies that year's benefits again (its own assets go,
    the sponsor's stay); an unknown id is reported and fails the command."""
    old = await make_catalogue(sessionmaker, year=YEAR, slug="visionary-old")
    new = await make_catalogue(sessionmaker, year=YEAR + 1, slug="visionary-new")
    sponsorship_id, sponsor_id = await make_sponsorship(sessionmaker, old, name="Mover")
    async with transaction(sessionmaker) as tx:
        moved = await tx.get(Sponsorship, sponsorship_id)
        assert moved is not None
        moved.package_id = new.package_id  # staff moved it to next year's package
        tx.add(SponsorAsset(kind=TEXT_ASSET, sponsor_id=sponsor_id, internal_name="kept", text="stays"))
    await db_conn.execute(
        "UPDATE sponsor_assets SET text='old bio' WHERE sponsorship_id=$1 AND internal_name=$2",
        sponsorship_id,
        f"bio_{YEAR}",
    )
    env = cli_env(settings, tmp_path)

    code, out, err = await run_cli(env, "reset-benefits", str(sponsorship_id), "--dry-run", "--update-year")
    assert code == 0, err
    assert out.startswith("DRY RUN MODE - No changes will be made")
    assert f"Year mismatch: Sponsorship year ({YEAR}) != Package year ({YEAR + 1})" in out
    assert f"Summary for Sponsorship {sponsorship_id} (year {YEAR + 1}): Would remove 1, Would add 1" in out
    assert out.rstrip().endswith("DRY RUN COMPLETE - No changes were made")
    assert await benefit_names(db_conn, sponsorship_id) == [f"Logo {YEAR}"]
    assert await db_conn.fetchval("SELECT year FROM sponsorships WHERE id=$1", sponsorship_id) == YEAR

    code, out, err = await run_cli(env, "reset-benefits", str(sponsorship_id))
    assert code == 1  # no benefits of its year in the new package: refused, nothing changed
    assert f"The package has no benefits for {YEAR}. - skipping" in err
    assert f"Use --update-year to update sponsorship year to {YEAR + 1}" in out
    assert await benefit_names(db_conn, sponsorship_id) == [f"Logo {YEAR}"]

    code, out, err = await run_cli(env, "reset-benefits", str(sponsorship_id), "--update-year")
    assert code == 0, err
    assert f"Summary for Sponsorship {sponsorship_id} (year {YEAR + 1}): Removed 1, Added 1" in out
    assert out.rstrip().endswith("All sponsorship benefits have been reset!")
    assert await benefit_names(db_conn, sponsorship_id) == [f"Logo {YEAR + 1}"]
    assert await db_conn.fetchval("SELECT year FROM sponsorships WHERE id=$1", sponsorship_id) == YEAR + 1
    assets = await db_conn.fetch(
        "SELECT sponsor_id, sponsorship_id, internal_name, text FROM sponsor_assets ORDER BY internal_name"
    )
    assert [tuple(r) for r in assets] == [
        (None, sponsorship_id, f"bio_{YEAR + 1}", ""),
        (None, sponsorship_id, f"deck_{YEAR + 1}", ""),
        (sponsor_id, None, "kept", "stays"),
    ]
    features = await db_conn.fetch(
        "SELECT f.internal_name FROM benefit_features f JOIN sponsor_benefits b ON b.id=f.sponsor_benefit_id "
        "WHERE b.sponsorship_id=$1 ORDER BY f.id",
        sponsorship_id,
    )
    assert [r["internal_name"] for r in features] == [f"bio_{YEAR + 1}", f"deck_{YEAR + 1}"]
    audit = await db_conn.fetch(
        "SELECT actor_id, action, object_kind, object_id, sponsorship_id, message FROM sponsor_audit_entries"
    )
    assert [tuple(r) for r in audit] == [  # only the run that changed something left one
        (
            None, "sponsorship.benefits_reset", "sponsorship", sponsorship_id, sponsorship_id,
            f"Benefits Reset From Package (year {YEAR + 1}): removed 1, added 1",
        )
    ]  # fmt: skip

    code, out, err = await run_cli(env, "reset-benefits", "999999", str(sponsorship_id))
    assert code == 1
    assert "Sponsorship 999999 does not exist - skipping" in err
    assert f"Summary for Sponsorship {sponsorship_id}" in out  # the others are still reset
    code, _, err = await run_cli(env, "reset-benefits")
    assert code == 2 and "Missing argument" in err


# --- the asset export ----------------------------------------------------------------------------


async def add_asset(sessionmaker: Any, **fields: Any) -> int:
    async with transaction(sessionmaker) as tx:
        asset = SponsorAsset(**fields)
        tx.add(asset)
        await tx.flush()
        return asset.id


def open_zip(response: Any) -> dict[str, bytes]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="assets.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_export_zip_names_contents_and_hostile_sponsors(
    client: Any, sessionmaker: Any, settings: Any, actors: Any
) -> None:
    holder = await actors.create("assets", permissions=(CHANGE_ASSETS,))
    catalogue = await make_catalogue(sessionmaker)
    acme_ship, acme = await make_sponsorship(sessionmaker, catalogue, name="Acme Corp")
    _, twin = await make_sponsorship(sessionmaker, catalogue, name="Acme\nCorp")  # cleans to "Acme Corp"
    _, shouty = await make_sponsorship(sessionmaker, catalogue, name="ACME CORP")  # same, ignoring case
    _, evil = await make_sponsorship(sessionmaker, catalogue, name="../../etc/\x07passwd\x1b[31m")
    _, dots = await make_sponsorship(sessionmaker, catalogue, name="..")
    _, long = await make_sponsorship(sessionmaker, catalogue, name="L" * 100)
    (settings.media_dir / "sponsors-app-assets").mkdir(parents=True, exist_ok=True)
    (settings.media_dir / "sponsors-app-assets" / "abc.png").write_bytes(b"\x89PNG-logo")
    (settings.media_dir / "sponsors-app-assets" / "deck.final.PDF").write_bytes(PDF)
    ids = [
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsorship_id=acme_ship, internal_name="bio", text="We ✓"),
        await add_asset(sessionmaker, kind=RESPONSE_ASSET, sponsorship_id=acme_ship, internal_name="yn", response="YES"),
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsor_id=acme, internal_name="bio", text="sponsor's"),
        await add_asset(sessionmaker, kind=IMG_ASSET, sponsor_id=acme, internal_name="logo", file="sponsors-app-assets/abc.png"),
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsor_id=twin, internal_name="../x", text="twin"),
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsor_id=shouty, internal_name="bio", text="shout"),
        await add_asset(sessionmaker, kind=FILE_ASSET, sponsor_id=evil, internal_name="deck", file="sponsors-app-assets/deck.final.PDF"),
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsor_id=dots, internal_name="bio", text="dots"),
        await add_asset(sessionmaker, kind=TEXT_ASSET, sponsor_id=long, internal_name="n" * 128, text="long"),
    ]  # fmt: skip
    r = await client.get(
        f"{BASE}/assets/export.zip", params={"ids": ",".join(map(str, ids))}, headers=holder.headers
    )
    files = open_zip(r)
    assert files == {
        f"Acme Corp ({acme})/bio.txt": "We ✓".encode(),
        f"Acme Corp ({acme})/yn.txt": b"YES",
        f"Acme Corp ({acme})/bio-{ids[2]}.txt": b"sponsor's",  # the sponsor's and the sponsorship's "bio"
        f"Acme Corp ({acme})/logo.png": b"\x89PNG-logo",
        f"Acme Corp ({twin})/-x.txt": b"twin",
        f"ACME CORP ({shouty})/bio.txt": b"shout",
        "-..-etc- passwd [31m/deck.PDF": PDF,
        "unnamed/bio.txt": b"dots",
        f"{'L' * 100}/{'n' * 100}.txt": b"long",
    }
    for name in files:
        parts = name.split("/")
        assert len(parts) == 2 and all(p not in ("", ".", "..") for p in parts)
        assert not any(unicodedata.category(ch).startswith("C") for ch in name)
        assert len(parts[0]) <= 100 + len(f" ({shouty})") and len(parts[1]) <= 104


async def test_export_refusals(client: Any, db_conn: Any, sessionmaker: Any, actors: Any) -> None:
    holder = await actors.create("assets", permissions=(CHANGE_ASSETS,))
    catalogue = await make_catalogue(sessionmaker)
    sponsorship_id, _ = await make_sponsorship(sessionmaker, catalogue, name="Acme")
    filled = await add_asset(
        sessionmaker, kind=TEXT_ASSET, sponsorship_id=sponsorship_id, internal_name="a", text="x"
    )
    # the application made the two assets of the catalogue's configurations, still empty
    empty = await add_asset(
        sessionmaker, kind=FILE_ASSET, sponsorship_id=sponsorship_id, internal_name="logo"
    )
    gone = await add_asset(
        sessionmaker, kind=FILE_ASSET, sponsorship_id=sponsorship_id, internal_name="gone", file="sponsors-app-assets/no.pdf"
    )  # fmt: skip

    async def export(ids: str) -> Any:
        return await client.get(f"{BASE}/assets/export.zip", params={"ids": ids}, headers=holder.headers)

    r = await export(f"{filled},{empty}")
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {
        "ids": [
            "1 assets from the selection doesn't have data to export. Please review your selection! "
            f"Empty: logo of Acme (id {empty})."
        ]
    }
    r = await export(f"{filled},999999")
    assert r.status_code == 400 and r.json()["extra"] == {"ids": ["No assets with ids 999999."]}
    r = await export(str(gone))
    assert r.status_code == 400
    assert r.json()["extra"] == {"ids": [f"The stored file of asset {gone} (gone) is missing."]}
    for bad in ("", "1,,2", "x", "0", "-1", "99999999999", "2147483648"):
        r = await export(bad)
        assert r.status_code == 400, (bad, r.text)
    r = await export(",".join(str(i) for i in range(1, 502)))
    assert r.status_code == 400 and "at most 500" in r.text
    files = open_zip(await export(f"{filled},{filled}"))  # a repeated id is exported once
    assert files == {"Acme/a.txt": b"x"}
    # the staff's asset list gives the ids the export takes
    await db_conn.execute(
        "UPDATE sponsor_assets SET text='Hi' WHERE sponsorship_id=$1 AND internal_name=$2",
        sponsorship_id,
        f"bio_{YEAR}",
    )
    staff = await actors.create("lister", permissions=(CHANGE_ASSETS,))
    r = await client.get(f"{BASE}/sponsorships/{sponsorship_id}/assets", headers=staff.headers)
    listed = {a["internal_name"]: a["asset_id"] for a in r.json()["data"]}
    assert open_zip(await export(str(listed[f"bio_{YEAR}"]))) == {f"Acme/bio_{YEAR}.txt": b"Hi"}


async def test_export_matrix(client: Any, db_conn: Any, sessionmaker: Any, actors: Any) -> None:
    await actors.create("assets", permissions=(CHANGE_ASSETS,))
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP,))
    catalogue = await make_catalogue(sessionmaker)
    sponsorship_id, _ = await make_sponsorship(sessionmaker, catalogue)
    asset = await add_asset(
        sessionmaker, kind=TEXT_ASSET, sponsorship_id=sponsorship_id, internal_name="a", text="x"
    )
    responses = await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "sponsorships": 403, "assets": 200, "root": 200},
        ("GET", f"{BASE}/assets/export.zip?ids={asset}", None),
    )  # fmt: skip
    assert open_zip(responses["assets"]) == {"Acme/a.txt": b"x"}


# --- update related sponsorships -----------------------------------------------------------------


async def copy_state(db_conn: Any, sponsorship_id: int) -> list[tuple[Any, ...]]:
    rows = await db_conn.fetch(
        "SELECT b.name, b.description, f.kind, f.label FROM sponsor_benefits b "
        "JOIN benefit_features f ON f.sponsor_benefit_id=b.id WHERE b.sponsorship_id=$1 ORDER BY f.id",
        sponsorship_id,
    )
    return [tuple(r) for r in rows]


async def change_benefit(db_conn: Any, catalogue: Catalogue, label: str) -> None:
    await db_conn.execute(
        "UPDATE sponsorship_benefits SET name=$2, description='New text' WHERE id=$1",
        catalogue.benefit_id,
        label,
    )
    await db_conn.execute(
        "UPDATE benefit_feature_configurations SET label=$2 WHERE id=$1", catalogue.text_config_id, label
    )


async def test_update_related_sponsorships_rules(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any
) -> None:
    editor = await actors.create("configuration", permissions=(CHANGE_CONFIGURATION,))
    catalogue = await make_catalogue(sessionmaker)
    active, _ = await make_sponsorship(
        sessionmaker, catalogue, name="Active", end=TODAY
    )  # ends today: not ended
    rejected, _ = await make_sponsorship(sessionmaker, catalogue, name="Rejected", status=REJECTED)
    ended, _ = await make_sponsorship(
        sessionmaker, catalogue, name="Ended", status=APPROVED, end=TODAY - timedelta(days=1)
    )
    without, _ = await make_sponsorship(sessionmaker, catalogue, name="Without", copy=False)
    before = {s: await copy_state(db_conn, s) for s in (active, rejected, ended)}
    assert before[active] == [
        (f"Logo {YEAR}", "", REQUIRED_TEXT, "Biography"),
        (f"Logo {YEAR}", "", PROVIDED_FILE, "Deck"),
    ]
    await change_benefit(db_conn, catalogue, "Renamed")
    url = f"{BASE}/benefits/{catalogue.benefit_id}/update-related-sponsorships"

    r = await client.post(
        url, json={"sponsorship_ids": [active, rejected, ended, without, 999999]}, headers=editor.headers
    )
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {
        "sponsorship_ids": [
            "No sponsorships with ids 999999.",
            f"Sponsorships {without} do not hold the benefit.",
            f"Sponsorships {rejected}, {ended} are rejected or have ended.",
        ]
    }
    assert {s: await copy_state(db_conn, s) for s in before} == before
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0

    r = await client.post(url, json={"sponsorship_ids": [active]}, headers=editor.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"benefit_id": catalogue.benefit_id, "updated": [active]}
    assert await copy_state(db_conn, active) == [
        ("Renamed", "New text", REQUIRED_TEXT, "Renamed"),
        ("Renamed", "New text", PROVIDED_FILE, "Deck"),
    ]
    assert await copy_state(db_conn, rejected) == before[rejected]
    # the assets the features read are kept (one per internal name)
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_assets WHERE sponsorship_id=$1", active) == 2
    [entry] = await db_conn.fetch(
        "SELECT actor_id, action, object_kind, sponsorship_id, message FROM sponsor_audit_entries"
    )
    assert tuple(entry) == (
        editor.user_id, "sponsorship.benefit_reset", "sponsor_benefit", active, "Benefit Updated From Its Configuration: Renamed"
    )  # fmt: skip

    bad_bodies: tuple[dict[str, Any], ...] = (
        {"sponsorship_ids": []},
        {"sponsorship_ids": [0]},
        {},
        {"sponsorship_ids": [active], "x": 1},
    )
    for body in bad_bodies:
        r = await client.post(url, json=body, headers=editor.headers)
        assert r.status_code == 400, (body, r.text)
    r = await client.post(
        f"{BASE}/benefits/999999/update-related-sponsorships",
        json={"sponsorship_ids": [active]},
        headers=editor.headers,
    )
    assert r.status_code == 404


async def test_update_related_sponsorships_matrix(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any
) -> None:
    await actors.create("configuration", permissions=(CHANGE_CONFIGURATION,))
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP, CHANGE_ASSETS))
    catalogue = await make_catalogue(sessionmaker)
    active, _ = await make_sponsorship(sessionmaker, catalogue)
    renamed: dict[str, str] = {}

    async def prepare(name: str) -> tuple[str, str, Any]:
        renamed[name] = f"Logo for {name}"
        await change_benefit(db_conn, catalogue, renamed[name])
        return (
            "POST",
            f"{BASE}/benefits/{catalogue.benefit_id}/update-related-sponsorships",
            {"sponsorship_ids": [active]},
        )

    async def updated(name: str, response: Any) -> None:
        assert (await copy_state(db_conn, active))[0][0] == renamed[name]
        actor = await db_conn.fetchval("SELECT actor_id FROM sponsor_audit_entries ORDER BY id DESC LIMIT 1")
        assert actor == actors[name].user_id

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "sponsorships": 403, "configuration": 200, "root": 200},
        prepare, changed=updated,
    )  # fmt: skip


# --- the shared file of a provided file configuration --------------------------------------------


def stored_files(settings: Any) -> set[str]:
    return {
        p.relative_to(settings.media_dir).as_posix() for p in settings.media_dir.rglob("*") if p.is_file()
    }


async def test_shared_file_upload_rules(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Any, actors: Any
) -> None:
    editor = await actors.create("configuration", permissions=(CHANGE_CONFIGURATION,))
    catalogue = await make_catalogue(sessionmaker)
    url = f"{BASE}/feature-configurations/{catalogue.file_config_id}/shared-file"
    before = stored_files(settings)

    def upload(name: str, content: bytes, field: str = "file") -> dict[str, Any]:
        return {"files": {field: (name, content, "application/octet-stream")}, "headers": editor.headers}

    r = await client.put(url, **upload("../../Our Deck.pdf", PDF))
    assert r.status_code == 200, r.text
    body = r.json()
    assert SHARED_NAME.match(body["shared_file"]), body
    assert body["shared_file_url"] == f"/media/{body['shared_file']}"
    assert (body["id"], body["kind"], body["internal_name"]) == (
        catalogue.file_config_id,
        PROVIDED_FILE,
        f"deck_{YEAR}",
    )
    stored = await db_conn.fetchval(
        "SELECT shared_file FROM benefit_feature_configurations WHERE id=$1", catalogue.file_config_id
    )
    assert stored == body["shared_file"]
    assert (settings.media_dir / stored).read_bytes() == PDF
    assert stored_files(settings) == before | {stored}
    [entry] = await db_conn.fetch(
        "SELECT actor_id, action, object_kind, object_id, message FROM sponsor_audit_entries"
    )
    assert tuple(entry) == (
        editor.user_id, "feature_configuration.shared_file", "feature_configuration", catalogue.file_config_id, "Shared File Uploaded"
    )  # fmt: skip

    # a new file replaces it; the old one stays for the features already copied from it
    r = await client.put(url, **upload("v2.pdf", PDF + b"v2"))
    assert r.status_code == 200
    second = r.json()["shared_file"]
    assert second != stored and (settings.media_dir / stored).exists()
    assert (settings.media_dir / second).read_bytes() == PDF + b"v2"

    refusals = [
        (
            f"{BASE}/feature-configurations/{catalogue.text_config_id}/shared-file",
            upload("a.pdf", PDF),
            "kind",
        ),
        (url, upload("page.html", b"<html>"), "file"),
        (url, upload("empty.pdf", b""), "file"),
        (url, upload("a.pdf", PDF, field="other"), "file"),
    ]
    files_now = stored_files(settings)
    for target, kwargs, field_name in refusals:
        r = await client.put(target, **kwargs)
        assert r.status_code == 400, r.text
        assert list(r.json()["extra"]) == [field_name]
    assert stored_files(settings) == files_now
    assert (
        await db_conn.fetchval(
            "SELECT shared_file FROM benefit_feature_configurations WHERE id=$1", catalogue.file_config_id
        )
        == second
    )
    r = await client.put(f"{BASE}/feature-configurations/999999/shared-file", **upload("a.pdf", PDF))
    assert r.status_code == 404


async def test_shared_file_matrix(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Any, actors: Any
) -> None:
    await actors.create("configuration", permissions=(CHANGE_CONFIGURATION,))
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP, CHANGE_ASSETS))
    catalogue = await make_catalogue(sessionmaker)

    async def stored(name: str, response: Any) -> None:
        path = await db_conn.fetchval(
            "SELECT shared_file FROM benefit_feature_configurations WHERE id=$1", catalogue.file_config_id
        )
        assert (
            path == response.json()["shared_file"]
            and (settings.media_dir / path).read_bytes() == PDF + name.encode()
        )

    async def prepare(name: str) -> tuple[str, str, Any]:
        body = Multipart(files={"file": ("deck.pdf", PDF + name.encode(), "application/pdf")})
        return ("PUT", f"{BASE}/feature-configurations/{catalogue.file_config_id}/shared-file", body)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "sponsorships": 403, "configuration": 200, "root": 200},
        prepare, changed=stored,
    )  # fmt: skip
