"""Who is shown where: python.org's ``enabled()`` and ``with_logo_placement()`` (finalized, active
on a fixed "today", not overlapped), ``/api/v2/sponsors/logo-placement/`` and
``/api/v2/sponsors/sponsorship-assets/`` as inventory 2.3 and python.org's
``apps/sponsors/tests/test_api.py`` pin them (items, every validation message, 401/403 bodies,
who may call), the legacy cache (shared only among callers who hold the permission, turned over
by a sponsors write), and the public v3 logo wall ``/api/v3/sponsors/placements``.

The data is built with the ORM (the sponsors write routes and the importer are other modules')."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

import pytest
import schemathesis
from redis.asyncio import Redis
from sqlalchemy import select, update

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.domains.sponsors import models as m
from pydotorg.domains.sponsors.schemas.placements import LogoPlace, Publisher
from pydotorg.domains.sponsors.services import placements as svc
from pydotorg.domains.users.services import create_api_key
from tests.contract.test_legacy_description import DESCRIPTION, conforms

TODAY = date(2026, 6, 15)
SITE = "https://www.python.org"
LOGOS = "/api/v2/sponsors/logo-placement/"
ASSETS = "/api/v2/sponsors/sponsorship-assets/"
WALL = "/api/v3/sponsors/placements"


@dataclass
class World:
    sponsors: dict[str, int] = field(default_factory=dict)
    sponsorships: dict[str, int] = field(default_factory=dict)
    assets: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """A fixed clock for the services and the routes (they read ``svc.utc_today``)."""
    monkeypatch.setattr(svc, "utc_today", lambda: TODAY)
    return TODAY


async def _sponsorship(
    s: Any,
    sponsor: m.Sponsor,
    *,
    status: str = m.FINALIZED,
    start: date | None = date(2026, 1, 1),
    end: date | None = date(2026, 12, 31),
    package: m.SponsorshipPackage | None = None,
    year: int | None = 2026,
    level_name_old: str = "",
    placements: tuple[tuple[str, str, bool, bool], ...] = (),
    other_features: tuple[str, ...] = (),
) -> m.Sponsorship:
    sponsorship = m.Sponsorship(
        sponsor_id=sponsor.id,
        status=status,
        start_date=start,
        end_date=end,
        package_id=package.id if package is not None else None,
        year=year,
        level_name_old=level_name_old,
        applied_on=date(2025, 12, 1),
    )
    s.add(sponsorship)
    await s.flush()
    benefit = m.SponsorBenefit(sponsorship_id=sponsorship.id, name="Logo on python.org", order=1)
    s.add(benefit)
    await s.flush()
    for publisher, place, link, describe in placements:
        s.add(
            m.BenefitFeature(
                sponsor_benefit_id=benefit.id,
                kind=m.LOGO_PLACEMENT,
                publisher=publisher,
                logo_place=place,
                link_to_sponsors_page=link,
                describe_as_sponsor=describe,
            )
        )
    for kind in other_features:
        s.add(m.BenefitFeature(sponsor_benefit_id=benefit.id, kind=kind))
    await s.flush()
    return sponsorship


@pytest.fixture
async def world(actors: Any, sessionmaker: Any, today: date) -> World:
    """Sponsorships in every state the rules tell apart, on TODAY (2026-06-15):

    shown: Beta (2026 Visionary; PSF sponsors page, PyPI sidebar with both override flags, a
    white logo), Acme (2026 Sustainability; sponsors page and download page, two contacts), Gamma
    2026 (Contributing; sponsors page), Eta (2025 Visionary, starts today), Theta (no package, an
    old level name; ends today).
    not shown: Gamma 2025 (overlapped by Gamma 2026), Delta (ended yesterday), Epsilon (starts
    tomorrow), Zeta (approved, not finalized), Iota (finalized and active, but no logo placement),
    Kappa (finalized, no dates).
    """
    w = World()
    publisher = await actors.create("publisher", permissions=(m.SPONSOR_PUBLISHER,))
    neighbour = await actors.create("neighbour", permissions=(m.CHANGE_SPONSOR,))
    async with transaction(sessionmaker) as s:
        for name in ("publisher", "neighbour", "ordinary", "staffer", "root"):
            caller = {"publisher": publisher, "neighbour": neighbour}.get(name) or actors[name]
            _, key = await create_api_key(s, caller.user_id, "drf", key=name[0] * 20 + "k" * 20, origin="drf")
            w.tokens[name] = {"Authorization": f"Token {key}"}
        packages = {}
        for slug, name, order, year, dimension in (
            ("visionary", "Visionary", 0, 2026, 350),
            ("sustainability", "Sustainability", 1, 2026, 300),
            ("contributing", "Contributing", 2, 2026, 200),
            ("visionary", "Visionary", 0, 2025, 340),
        ):
            package = m.SponsorshipPackage(
                slug=slug,
                name=name,
                order=order,
                year=year,
                logo_dimension=dimension,
                sponsorship_amount=1000,
            )
            s.add(package)
            await s.flush()
            packages[(slug, year)] = package
        sponsors = {}
        for name in (
            "Acme Corp",
            "Beta Inc",
            "Gamma",
            "Delta",
            "Epsilon",
            "Zeta",
            "Eta",
            "Theta",
            "Iota",
            "Kappa",
        ):
            sponsor = m.Sponsor(
                name=name,
                description=f"{name} makes things.",
                landing_page_url=f"https://{name.split()[0].lower()}.example.com/",
                web_logo=f"sponsor_web_logos/{name.split()[0].lower()}.png",
            )
            s.add(sponsor)
            await s.flush()
            sponsors[name] = sponsor
            w.sponsors[name] = sponsor.id
        sponsors["Beta Inc"].white_logo = "sponsor_white_logos/beta.png"
        sponsors["Theta"].landing_page_url = None
        s.add_all(
            [
                m.SponsorContact(
                    sponsor_id=sponsors["Acme Corp"].id,
                    name="Jane Doe",
                    email="jane@acme.example",
                    primary=True,
                ),
                m.SponsorContact(
                    sponsor_id=sponsors["Acme Corp"].id,
                    name="Joe Bloggs",
                    email="joe@acme.example",
                    accounting=True,
                    manager=True,
                ),
            ]
        )
        psf_page = ("psf", "sponsors", False, False)
        made = w.sponsorships
        made["acme"] = (
            await _sponsorship(
                s,
                sponsors["Acme Corp"],
                package=packages[("sustainability", 2026)],
                placements=(psf_page, ("psf", "download", False, False)),
            )
        ).id
        made["beta"] = (
            await _sponsorship(
                s,
                sponsors["Beta Inc"],
                package=packages[("visionary", 2026)],
                placements=(psf_page, ("pypi", "sidebar", True, True)),
            )
        ).id
        made["gamma_2026"] = (
            await _sponsorship(
                s, sponsors["Gamma"], package=packages[("contributing", 2026)], placements=(psf_page,)
            )
        ).id
        made["gamma_2025"] = (
            await _sponsorship(
                s,
                sponsors["Gamma"],
                start=date(2025, 7, 1),
                end=date(2026, 6, 30),
                year=2025,
                package=packages[("visionary", 2025)],
                placements=(psf_page,),
            )
        ).id
        await s.execute(
            update(m.Sponsorship)
            .where(m.Sponsorship.id == made["gamma_2025"])
            .values(overlapped_by_id=made["gamma_2026"])
        )
        made["delta"] = (
            await _sponsorship(s, sponsors["Delta"], end=date(2026, 6, 14), placements=(psf_page,))
        ).id
        made["epsilon"] = (
            await _sponsorship(s, sponsors["Epsilon"], start=date(2026, 6, 16), placements=(psf_page,))
        ).id
        made["zeta"] = (await _sponsorship(s, sponsors["Zeta"], status=m.APPROVED, placements=(psf_page,))).id
        made["eta"] = (
            await _sponsorship(
                s,
                sponsors["Eta"],
                start=TODAY,
                end=date(2027, 6, 14),
                year=2025,
                package=packages[("visionary", 2025)],
                placements=(psf_page,),
            )
        ).id
        made["theta"] = (
            await _sponsorship(
                s,
                sponsors["Theta"],
                start=date(2025, 6, 16),
                end=TODAY,
                year=None,
                level_name_old="Partner",
                placements=(psf_page, ("psf", "jobs", False, True)),
            )
        ).id
        made["iota"] = (
            await _sponsorship(s, sponsors["Iota"], other_features=(m.EMAIL_TARGETABLE,), placements=())
        ).id
        made["kappa"] = (
            await _sponsorship(s, sponsors["Kappa"], start=None, end=None, placements=(psf_page,))
        ).id
        # Assets: a sponsorship's text (empty), another sponsorship's text, a sponsor's image,
        # a sponsor's yes/no answer, a sponsorship's file without a file yet.
        for key, owner, kind, values in (
            ("acme_text", ("sponsorship", made["acme"]), m.TEXT_ASSET, {"internal_name": "txt_assets"}),
            (
                "beta_text",
                ("sponsorship", made["beta"]),
                m.TEXT_ASSET,
                {"internal_name": "txt_assets", "text": "Text Content"},
            ),
            (
                "beta_image",
                ("sponsor", sponsors["Beta Inc"].id),
                m.IMG_ASSET,
                {"internal_name": "img_assets", "file": "sponsors-app-assets/beta-logo.png"},
            ),
            (
                "acme_image",
                ("sponsor", sponsors["Acme Corp"].id),
                m.IMG_ASSET,
                {"internal_name": "img_assets"},
            ),
            (
                "beta_answer",
                ("sponsor", sponsors["Beta Inc"].id),
                m.RESPONSE_ASSET,
                {"internal_name": "attending", "response": "YES"},
            ),
            (
                "gamma_file",
                ("sponsorship", made["gamma_2026"]),
                m.FILE_ASSET,
                {"internal_name": "brochure", "file": "sponsors-app-assets/gamma.pdf"},
            ),
        ):
            asset = m.SponsorAsset(kind=kind, **{f"{owner[0]}_id": owner[1]}, **values)
            s.add(asset)
            await s.flush()
            w.assets[key] = asset.uuid
    return w


# --- the queryset rules -------------------------------------------------------------------------


async def test_enabled_and_with_logo_placement(world: World, sessionmaker: Any) -> None:
    ids = {v: k for k, v in world.sponsorships.items()}
    async with sessionmaker() as s:

        async def names(stmt: Any) -> set[str]:
            return {ids[sp.id] for sp in await s.scalars(stmt)}

        assert await names(svc.enabled(TODAY)) == {"acme", "beta", "gamma_2026", "eta", "theta", "iota"}
        # The day before: Eta has not started, Theta and Delta (ended on the 14th) still run.
        assert await names(svc.enabled(date(2026, 6, 14))) == {
            "acme",
            "beta",
            "gamma_2026",
            "theta",
            "iota",
            "delta",
        }
        assert await names(svc.with_logo_placement(svc.enabled(TODAY))) == {
            "acme",
            "beta",
            "gamma_2026",
            "eta",
            "theta",
        }
        assert await names(svc.with_logo_placement(svc.enabled(TODAY), "sidebar", "pypi")) == {"beta"}
        assert await names(svc.with_logo_placement(svc.enabled(TODAY), "download")) == {"acme"}
        assert await names(svc.with_logo_placement(svc.enabled(TODAY), publisher="pycon")) == set()
        # The overlapped sponsorship shows again once nothing overlaps it.
        await s.execute(
            update(m.Sponsorship)
            .where(m.Sponsorship.id == world.sponsorships["gamma_2025"])
            .values(overlapped_by_id=None)
        )
        assert "gamma_2025" in await names(svc.with_logo_placement(svc.enabled(TODAY), "sponsors", "psf"))
        await s.rollback()


async def test_logo_wall_order_is_pythondotorgs_package_order(world: World, sessionmaker: Any) -> None:
    async with sessionmaker() as s:
        wall = await svc.logo_wall(s, today=TODAY, logo_place="sponsors", publisher="psf")
    # order_by("package") = (-year, order) as PostgreSQL sorts it: no package first, then the
    # 2026 packages by order, then 2025's.
    assert [(x.sponsor.name, x.package.slug if x.package else None) for x in wall] == [
        ("Theta", None),
        ("Beta Inc", "visionary"),
        ("Acme Corp", "sustainability"),
        ("Gamma", "contributing"),
        ("Eta", "visionary"),
    ]


# --- /api/v2/sponsors/logo-placement/ -----------------------------------------------------------


def _contact(name: str, email: str, **roles: bool) -> dict[str, Any]:
    base = {"primary": False, "administrative": False, "accounting": False, "manager": False}
    return {"name": name, "email": email, **base, **roles}


def _item(
    world: World, name: str, slug: str, publisher: str, flight: str, **overrides: Any
) -> dict[str, Any]:
    base = slug.split("-")[0]
    item: dict[str, Any] = {
        "publisher": publisher,
        "flight": flight,
        "sponsor": name,
        "sponsor_id": str(world.sponsors[name]),
        "sponsor_slug": slug,
        "description": f"{name} makes things.",
        "logo": f"{SITE}/media/sponsor_web_logos/{base}.png",
        "white_logo": None,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "sponsor_url": f"https://{base}.example.com/",
        "level_name": "",
        "level_order": None,
        "contacts": [],
    }
    item.update(overrides)
    return item


async def test_logo_placements_field_by_field(client: Any, world: World) -> None:
    r = await client.get(LOGOS, headers=world.tokens["publisher"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    acme_contacts = [
        _contact("Jane Doe", "jane@acme.example", primary=True),
        _contact("Joe Bloggs", "joe@acme.example", accounting=True, manager=True),
    ]
    beta = {
        "white_logo": f"{SITE}/media/sponsor_white_logos/beta.png",
        "level_name": "Visionary",
        "level_order": 0,
    }
    assert r.json() == [
        _item(
            world,
            "Theta",
            "theta",
            "psf",
            "sponsors",
            start_date="2025-06-16",
            end_date="2026-06-15",
            sponsor_url=None,
            level_name="Partner",
        ),
        _item(
            world,
            "Theta",
            "theta",
            "psf",
            "jobs",
            start_date="2025-06-16",
            end_date="2026-06-15",
            sponsor_url=None,
            level_name="Partner",
            description="Theta is a Partner sponsor of the Python Software Foundation.",
        ),
        _item(world, "Beta Inc", "beta-inc", "psf", "sponsors", **beta),
        _item(
            world,
            "Beta Inc",
            "beta-inc",
            "pypi",
            "sidebar",
            **beta,
            description="Beta Inc is a Visionary sponsor of the Python Software Foundation.",
            sponsor_url=f"{SITE}/psf/sponsors/#beta-inc",
        ),
        _item(
            world,
            "Acme Corp",
            "acme-corp",
            "psf",
            "sponsors",
            level_name="Sustainability",
            level_order=1,
            contacts=acme_contacts,
        ),
        _item(
            world,
            "Acme Corp",
            "acme-corp",
            "psf",
            "download",
            level_name="Sustainability",
            level_order=1,
            contacts=acme_contacts,
        ),
        _item(world, "Gamma", "gamma", "psf", "sponsors", level_name="Contributing", level_order=2),
        _item(
            world,
            "Eta",
            "eta",
            "psf",
            "sponsors",
            start_date="2026-06-15",
            end_date="2027-06-14",
            level_name="Visionary",
            level_order=0,
        ),
    ]


async def test_logo_placement_filters(client: Any, world: World) -> None:
    headers = world.tokens["publisher"]

    async def pairs(query: str) -> list[tuple[str, str, str]]:
        r = await client.get(LOGOS + query, headers=headers)
        assert r.status_code == 200, (query, r.text)
        return [(p["sponsor"], p["publisher"], p["flight"]) for p in r.json()]

    assert await pairs("?publisher=pypi") == [("Beta Inc", "pypi", "sidebar")]
    assert await pairs("?flight=sidebar") == [("Beta Inc", "pypi", "sidebar")]
    assert await pairs("?flight=download&publisher=psf") == [("Acme Corp", "psf", "download")]
    assert await pairs("?publisher=psf&flight=sidebar") == []
    assert await pairs("?year=2025") == [("Eta", "psf", "sponsors")]
    assert await pairs("?year=2025.0&flight=sponsors") == [("Eta", "psf", "sponsors")]
    assert await pairs("?year=1999") == []
    assert await pairs(f"?year={10**12}") == []
    # python.org's "if by_year:": 0 is no filter; blank parameters are no filter (DRF's QueryDict
    # rules); unknown parameters are ignored.
    everything = await pairs("")
    assert len(everything) == 8
    assert await pairs("?year=0") == everything
    assert await pairs("?publisher=&flight=&year=&bogus=1") == everything
    # The last of repeated values counts, as in a QueryDict.
    assert await pairs("?publisher=psf&publisher=pypi") == [("Beta Inc", "pypi", "sidebar")]


@pytest.mark.parametrize(
    ("query", "body"),
    [
        (
            "?flight=invalid-flight&publisher=invalid-publisher",
            {
                "publisher": ['"invalid-publisher" is not a valid choice.'],
                "flight": ['"invalid-flight" is not a valid choice.'],
            },
        ),
        ("?publisher=PSF", {"publisher": ['"PSF" is not a valid choice.']}),
        ("?publisher=%20", {"publisher": ['" " is not a valid choice.']}),
        ("?year=twenty", {"year": ["A valid integer is required."]}),
        (
            "?year=2025.5&flight=x",
            {"flight": ['"x" is not a valid choice.'], "year": ["A valid integer is required."]},
        ),
        ("?year=" + "1" * 1001, {"year": ["String value too large."]}),
    ],
)
async def test_logo_placement_validation_errors(client: Any, world: World, query: str, body: Any) -> None:
    r = await client.get(LOGOS + query, headers=world.tokens["publisher"])
    assert r.status_code == 400
    assert r.json() == body
    assert list(r.json()) == list(body)  # the serializer's field order


# --- who may call -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOGOS, ASSETS + "?internal_name=txt_assets"])
async def test_who_may_call(client: Any, world: World, db_conn: Any, path: str) -> None:
    for name in ("publisher", "staffer", "root"):
        r = await client.get(path, headers=world.tokens[name])
        assert r.status_code == 200, (name, r.text)
        assert r.json(), name
    for name in ("ordinary", "neighbour"):
        r = await client.get(path, headers=world.tokens[name])
        assert (r.status_code, r.json()) == (403, {"detail": "Must have publisher permission."}), name
    r = await client.get(path)
    assert (r.status_code, r.json()) == (401, {"detail": "Authentication credentials were not provided."})
    assert r.headers["www-authenticate"] == "Token"
    # A v3 bearer token is not a DRF token: v2 ignores other schemes (anonymous).
    r = await client.get(path, headers=world.tokens["publisher"] | {"Authorization": "Bearer x"})
    assert r.status_code == 401
    r = await client.get(path, headers={"Authorization": "Token " + "w" * 40})
    assert (r.status_code, r.json()) == (401, {"detail": "Invalid token."})
    # python.org's test_invalid_token: the token is deleted.
    await db_conn.execute("DELETE FROM api_keys WHERE origin='drf'")
    r = await client.get(path, headers=world.tokens["publisher"])
    assert (r.status_code, r.json()) == (401, {"detail": "Invalid token."})


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_other_methods(client: Any, world: World, db_conn: Any, method: str) -> None:
    """DRF checks the permission before the method: 401/403 first, then 405 with its Allow."""
    before = await db_conn.fetchval("SELECT count(*) FROM sponsor_assets")
    for path in (LOGOS, ASSETS):
        r = await client.request(method, path)
        assert r.status_code == 401
        r = await client.request(method, path, headers=world.tokens["ordinary"])
        assert r.status_code == 403
        r = await client.request(method, path, headers=world.tokens["publisher"])
        assert (r.status_code, r.json()) == (405, {"detail": f'Method "{method}" not allowed.'})
        assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_assets") == before


async def test_refused_callers_never_get_the_cached_answer(client: Any, world: World) -> None:
    """The cache is shared by path and query, so it must only serve callers the route admits."""
    for _ in range(3):
        assert (await client.get(LOGOS, headers=world.tokens["publisher"])).status_code == 200
        await asyncio.sleep(0.06)  # the version sync; the later reads may come from the cache
    assert (await client.get(LOGOS)).status_code == 401
    assert (await client.get(LOGOS, headers=world.tokens["ordinary"])).status_code == 403
    assert (await client.get(LOGOS, headers=world.tokens["neighbour"])).status_code == 403


async def test_throttles_count_only_admitted_callers(settings: Any, mailer: Any, world: World) -> None:
    """The v2 user throttle applies to the sponsor reads; refused calls are not counted (DRF
    checks permissions first), so they stay 401/403 however many there are."""
    import msgspec
    from litestar.testing import AsyncTestClient

    from pydotorg.app import create_app

    tight = msgspec.structs.replace(settings, v2_throttle_anon="1/86400", v2_throttle_user="2/86400")
    async with AsyncTestClient(app=create_app(tight, mailer=mailer, configure_logs=False)) as c:
        for _ in range(3):
            assert (await c.get(LOGOS)).status_code == 401
            assert (await c.get(LOGOS, headers=world.tokens["ordinary"])).status_code == 403
        for _ in range(2):
            assert (await c.get(LOGOS, headers=world.tokens["publisher"])).status_code == 200
        r = await c.get(ASSETS + "?internal_name=x", headers=world.tokens["publisher"])
        assert r.status_code == 429
        assert r.json()["detail"].startswith("Request was throttled. Expected available in ")
        assert int(r.headers["retry-after"]) > 0


async def test_a_sponsors_write_turns_the_cache_over(
    client: Any, world: World, sessionmaker: Any, settings: Any, db_conn: Any
) -> None:
    headers = world.tokens["publisher"]
    query = LOGOS + "?flight=download"

    async def shown() -> list[str]:
        r = await client.get(query, headers=headers)
        assert r.status_code == 200
        return [p["sponsor"] for p in r.json()]

    assert await shown() == ["Acme Corp"]
    await asyncio.sleep(0.12)  # the process has read the data version: answers are now cached
    assert await shown() == ["Acme Corp"]
    acme = world.sponsors["Acme Corp"]
    # A change that bypasses the app (no data-version bump) is not seen: the answer is cached.
    await db_conn.execute("UPDATE sponsors SET name='Acme Unnoticed' WHERE id=$1", acme)
    assert await shown() == ["Acme Corp"]
    # A sponsors write through the app's transaction path records a change and bumps the version.
    cursor = await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes")
    redis = Redis.from_url(settings.redis_url)
    try:
        async with transaction(sessionmaker, redis=redis) as s:
            sponsor = await s.scalar(select(m.Sponsor).where(m.Sponsor.id == acme))
            assert sponsor is not None
            sponsor.name = "Acme Renamed"
    finally:
        await redis.aclose()
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1", cursor
    )
    assert [tuple(r) for r in rows] == [("sponsors", "sponsor", str(acme), "updated")]
    assert await shown() == ["Acme Renamed"]


# --- /api/v2/sponsors/sponsorship-assets/ -------------------------------------------------------


async def test_assets_by_internal_name(client: Any, world: World) -> None:
    headers = world.tokens["publisher"]
    r = await client.get(ASSETS + "?internal_name=txt_assets", headers=headers)
    assert r.status_code == 200
    beta_text = {
        "internal_name": "txt_assets",
        "uuid": str(world.assets["beta_text"]),
        "value": "Text Content",
        "content_type": "Sponsorship",
        "sponsor": "Beta Inc",
        "sponsor_slug": "beta-inc",
    }
    assert r.json() == [beta_text]
    acme_text = {
        "internal_name": "txt_assets",
        "uuid": str(world.assets["acme_text"]),
        "value": "",
        "content_type": "Sponsorship",
        "sponsor": "Acme Corp",
        "sponsor_slug": "acme-corp",
    }
    for flag in ("true", "True", "1", "yes", "on"):
        r = await client.get(ASSETS + f"?internal_name=txt_assets&list_empty={flag}", headers=headers)
        assert r.json() == [acme_text, beta_text], flag
    for flag in ("false", "0", "no", ""):
        r = await client.get(ASSETS + f"?internal_name=txt_assets&list_empty={flag}", headers=headers)
        assert r.json() == [beta_text], flag
    # Images and files are absolute URLs; answers are their stored value; the name is trimmed.
    r = await client.get(ASSETS + "?internal_name=%20img_assets%20", headers=headers)
    assert r.json() == [
        {
            "internal_name": "img_assets",
            "uuid": str(world.assets["beta_image"]),
            "value": f"{SITE}/media/sponsors-app-assets/beta-logo.png",
            "content_type": "Sponsor",
            "sponsor": "Beta Inc",
            "sponsor_slug": "beta-inc",
        }
    ]
    r = await client.get(ASSETS + "?internal_name=img_assets&list_empty=t", headers=headers)
    assert [(a["sponsor"], a["value"]) for a in r.json()] == [
        ("Beta Inc", f"{SITE}/media/sponsors-app-assets/beta-logo.png"),
        ("Acme Corp", ""),
    ]
    r = await client.get(ASSETS + "?internal_name=attending", headers=headers)
    assert [(a["value"], a["content_type"]) for a in r.json()] == [("YES", "Sponsor")]
    r = await client.get(ASSETS + "?internal_name=brochure", headers=headers)
    assert [(a["value"], a["sponsor"]) for a in r.json()] == [
        (f"{SITE}/media/sponsors-app-assets/gamma.pdf", "Gamma")
    ]
    r = await client.get(ASSETS + "?internal_name=TXT_ASSETS", headers=headers)
    assert r.json() == []


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("", {"internal_name": ["This field is required."]}),
        ("?list_empty=true", {"internal_name": ["This field is required."]}),
        ("?internal_name=", {"internal_name": ["This field may not be blank."]}),
        ("?internal_name=%20%20", {"internal_name": ["This field may not be blank."]}),
        (
            "?internal_name=" + "x" * 129,
            {"internal_name": ["Ensure this field has no more than 128 characters."]},
        ),
        ("?internal_name=a%00b", {"internal_name": ["Null characters are not allowed."]}),
        (
            "?internal_name=%00" + "x" * 128,
            {
                "internal_name": [
                    "Ensure this field has no more than 128 characters.",
                    "Null characters are not allowed.",
                ]
            },
        ),
        ("?internal_name=x&list_empty=maybe", {"list_empty": ["Must be a valid boolean."]}),
        ("?internal_name=x&list_empty=null", {"list_empty": ["Must be a valid boolean."]}),
        (
            "?list_empty=2",
            {"internal_name": ["This field is required."], "list_empty": ["Must be a valid boolean."]},
        ),
    ],
)
async def test_asset_validation_errors(client: Any, world: World, query: str, body: Any) -> None:
    r = await client.get(ASSETS + query, headers=world.tokens["publisher"])
    assert r.status_code == 400
    assert r.json() == body
    assert list(r.json()) == list(body)


async def test_answers_conform_to_the_legacy_description(client: Any, world: World) -> None:
    """openapi/legacy.yaml documents every status and body these endpoints give."""
    described = schemathesis.openapi.from_path(DESCRIPTION)
    calls = [
        (LOGOS, "", "publisher", 200),
        (LOGOS, "?publisher=pypi&year=2026", "publisher", 200),
        (LOGOS, "?flight=x", "publisher", 400),
        (LOGOS, "", None, 401),
        (LOGOS, "", "ordinary", 403),
        (ASSETS, "?internal_name=txt_assets&list_empty=true", "staffer", 200),
        (ASSETS, "?internal_name=img_assets", "root", 200),
        (ASSETS, "", "publisher", 400),
        (ASSETS, "?internal_name=x", None, 401),
        (ASSETS, "?internal_name=x", "neighbour", 403),
    ]
    for path, query, caller, status in calls:
        r = await client.get(path + query, headers=world.tokens[caller] if caller else {})
        assert r.status_code == status, (path, query, caller)
        if status == 200:
            assert r.json(), (path, query)
        conforms(described, path, "GET", r)


# --- /api/v3/sponsors/placements ----------------------------------------------------------------


async def test_public_logo_wall(client: Any, world: World) -> None:
    r = await client.get(WALL + "?publisher=psf&flight=sponsors")
    assert r.status_code == 200, r.text
    wall = r.json()
    assert [(x["name"], (x["package"] or {}).get("slug")) for x in wall] == [
        ("Theta", None),
        ("Beta Inc", "visionary"),
        ("Acme Corp", "sustainability"),
        ("Gamma", "contributing"),
        ("Eta", "visionary"),
    ]
    assert wall[1] == {
        "sponsor_id": world.sponsors["Beta Inc"],
        "name": "Beta Inc",
        "slug": "beta-inc",
        "description": "Beta Inc makes things.",
        "landing_page_url": "https://beta.example.com/",
        "web_logo": f"{SITE}/media/sponsor_web_logos/beta.png",
        "white_logo": f"{SITE}/media/sponsor_white_logos/beta.png",
        "package": {
            "name": "Visionary",
            "slug": "visionary",
            "order": 0,
            "logo_dimension": 350,
            "year": 2026,
        },
        "year": 2026,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "link_to_sponsors_page": False,
        "describe_as_sponsor": False,
    }
    assert wall[0]["package"] is None and wall[0]["landing_page_url"] is None and wall[0]["year"] is None
    assert wall[4]["package"] == {
        "name": "Visionary",
        "slug": "visionary",
        "order": 0,
        "logo_dimension": 340,
        "year": 2025,
    }
    # Nothing private: no contacts, no fees, no addresses.
    assert all("contacts" not in x and "email" not in str(x) for x in wall)
    r = await client.get(WALL + "?publisher=pypi&flight=sidebar")
    ((beta,),) = (r.json(),)
    assert (beta["name"], beta["link_to_sponsors_page"], beta["describe_as_sponsor"]) == (
        "Beta Inc",
        True,
        True,
    )
    r = await client.get(WALL + "?publisher=psf&flight=download")
    assert [x["name"] for x in r.json()] == ["Acme Corp"]
    r = await client.get(WALL + "?publisher=psf&flight=jobs")
    assert [(x["name"], x["describe_as_sponsor"]) for x in r.json()] == [("Theta", True)]
    r = await client.get(WALL + "?publisher=pycon&flight=sponsors", headers=world.tokens["publisher"])
    assert r.json() == []


async def test_a_sponsorship_with_two_placements_on_one_wall_is_shown_once(
    client: Any, world: World, sessionmaker: Any
) -> None:
    async with transaction(sessionmaker) as s:
        benefit = m.SponsorBenefit(sponsorship_id=world.sponsorships["acme"], name="Another logo", order=2)
        s.add(benefit)
        await s.flush()
        s.add(
            m.BenefitFeature(
                sponsor_benefit_id=benefit.id,
                kind=m.LOGO_PLACEMENT,
                publisher="psf",
                logo_place="download",
                link_to_sponsors_page=True,
            )
        )
    r = await client.get(WALL + "?publisher=psf&flight=download")
    assert [(x["name"], x["link_to_sponsors_page"]) for x in r.json()] == [("Acme Corp", True)]
    r = await client.get(LOGOS + "?flight=download", headers=world.tokens["publisher"])
    assert [(p["sponsor"], p["sponsor_url"]) for p in r.json()] == [
        ("Acme Corp", "https://acme.example.com/"),
        ("Acme Corp", f"{SITE}/psf/sponsors/#acme-corp"),
    ]


@pytest.mark.parametrize(
    ("query", "key", "message"),
    [
        ("?flight=sponsors", "publisher", None),
        ("?publisher=psf", "flight", None),
        ("?publisher=foundation&flight=sponsors", "publisher", "Invalid enum value 'foundation'"),
        ("?publisher=psf&flight=nowhere", "flight", "Invalid enum value 'nowhere'"),
        ("?publisher=&flight=sponsors", "publisher", "Invalid enum value ''"),
    ],
)
async def test_logo_wall_needs_valid_publisher_and_flight(
    client: Any, world: World, query: str, key: str, message: str | None
) -> None:
    r = await client.get(WALL + query)
    assert r.status_code == 400
    if message is None:
        assert r.json() == {
            "status_code": 400,
            "detail": f"Missing required query parameter '{key}' for path {WALL}{query}",
        }
    else:
        assert r.json() == {
            "status_code": 400,
            "detail": f"Validation failed for GET {WALL}{query}",
            "extra": [{"message": message, "key": key, "source": "query"}],
        }


def test_schema_literals_name_the_models_choices() -> None:
    assert set(get_args(Publisher)) == set(m.PUBLISHERS)
    assert set(get_args(LogoPlace)) == set(m.LOGO_PLACES)


async def test_v2_answers_on_python_orgs_imported_data(
    client: Any, actors: Any, sessionmaker: Any, db_conn: Any, settings: Any, today: date
) -> None:
    """python.org's own sponsors admin dump, imported as an operator imports it: its one
    application, finalized and active today, answers the two v2 endpoints field by field in
    inventory 2.3's shapes."""
    from tests.helpers import run_import_django

    data = PYTHON_ORG_DATA
    result = run_import_django(
        settings,
        "--quiet",
        "--fixtures",
        str(data / "users.json"),
        "--fixtures",
        str(data / "sponsors-admin.json"),
    )
    assert result.returncode == 0, result.stderr
    await db_conn.execute(
        "UPDATE sponsorships SET status='finalized', locked=true, start_date=$1, end_date=$2, finalized_on=$1",
        TODAY,
        date(TODAY.year + 1, 1, 1),
    )
    publisher = await actors.create("publisher", permissions=(m.SPONSOR_PUBLISHER,))
    async with transaction(sessionmaker) as s:
        _, key = await create_api_key(s, publisher.user_id, "drf", key="p" * 40, origin="drf")
    token = {"Authorization": f"Token {key}"}

    r = await client.get(LOGOS, headers=token, params={"publisher": "pypi"})
    assert r.status_code == 200, r.text
    site = settings.site_url.rstrip("/")
    contact = {
        "name": "Fred Contact",
        "email": "test@example.com",
        "primary": True,
        "administrative": True,
        "accounting": True,
        "manager": False,
    }
    common = {
        "publisher": "pypi",
        "sponsor": "Example Company",
        "sponsor_id": "1",
        "sponsor_slug": "example-company",
        # pypi's placements say describe_as_sponsor and link_to_sponsors_page (pk 35 and 36).
        "description": "Example Company is a Visionary sponsor of the Python Software Foundation.",
        "logo": f"{site}/media/sponsor_web_logos/bg_wMANY2Y.jpg",
        "white_logo": None,
        "start_date": TODAY.isoformat(),
        "end_date": date(TODAY.year + 1, 1, 1).isoformat(),
        "sponsor_url": f"{site}/psf/sponsors/#example-company",
        "level_name": "Visionary",
        "level_order": 0,
        "contacts": [contact],
    }
    assert sorted(r.json(), key=lambda item: item["flight"]) == [
        {**common, "flight": "sidebar"},
        {**common, "flight": "sponsors"},
    ]
    # The PSF's own placements keep the sponsor's description and landing page.
    r = await client.get(LOGOS, headers=token, params={"publisher": "psf", "flight": "download"})
    [item] = r.json()
    assert (item["description"], item["sponsor_url"]) == ("Example description", "https://zombo.com")

    # Every text asset of the dump is empty: listed only with list_empty, value "".
    r = await client.get(
        "/api/v2/sponsors/sponsorship-assets/",
        headers=token,
        params={"internal_name": "full_conference_passes_code"},
    )
    assert r.status_code == 200 and r.json() == [], r.text
    r = await client.get(
        "/api/v2/sponsors/sponsorship-assets/",
        headers=token,
        params={"internal_name": "full_conference_passes_code", "list_empty": "true"},
    )
    [asset] = r.json()
    stored = await db_conn.fetchrow(
        "SELECT uuid, sponsorship_id FROM sponsor_assets WHERE internal_name='full_conference_passes_code'"
    )
    assert asset == {
        "internal_name": "full_conference_passes_code",
        "uuid": str(stored["uuid"]),
        "value": "",
        "content_type": "Sponsorship",
        "sponsor": "Example Company",
        "sponsor_slug": "example-company",
    }
