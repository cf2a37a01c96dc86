"""/api/v3/sponsors/: the configuration of each year (inventory 1.16): programs, packages (slug set
once and unique per year, logo_dimension a superuser's), legal clauses, benefits with their
packages, legal clauses and mutual conflicts, feature configurations validated per kind, the
current year, the application form's offer (order, visibility, capacity decremented by the
sponsorships holding a benefit), package customisation, the revenue split, cloning a year and the
audit trail. Every write has its permission matrix here (tests/security/test_permission_matrices.py
names them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.domains.sponsors.models import SponsorBenefit, Sponsorship
from pydotorg.domains.sponsors.services.configuration import (
    PackageBenefits,
    has_user_customization,
    package_benefits,
    user_customization,
)
from tests.helpers import check_permission_matrix

BASE = "/api/v3/sponsors"
CONFIGURATION = "sponsors.change_sponsorshipbenefit"
REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403, "sponsorship_staff": 403}


async def _ready(request: Any) -> Any:
    return request


async def make_callers(actors: Any) -> None:
    """The configuration's keeper, and a neighbour holding another sponsors permission."""
    await actors.create("configurer", permissions=(CONFIGURATION,))
    await actors.create("sponsorship_staff", staff=True, permissions=("sponsors.change_sponsorship",))


async def create(client: Any, actors: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(f"{BASE}/{path}", headers=actors["root"].headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def program(client: Any, actors: Any, name: str, order: int = 0) -> dict[str, Any]:
    return await create(client, actors, "programs", {"name": name, "order": order})


async def package(client: Any, actors: Any, name: str, year: int = 2025, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "year": year, "sponsorship_amount": 1000, "advertise": True, **fields}
    return await create(client, actors, "packages", body)


async def benefit(
    client: Any, actors: Any, name: str, program_id: int, year: int = 2025, **fields: Any
) -> dict[str, Any]:
    return await create(
        client, actors, "benefits", {"name": name, "program_id": program_id, "year": year, **fields}
    )


async def audit_actions(db_conn: Any) -> list[tuple[str, str, int | None]]:
    rows = await db_conn.fetch("SELECT action, object_kind, object_id FROM sponsor_audit_entries ORDER BY id")
    return [tuple(r) for r in rows]


async def conflict_pairs(db_conn: Any) -> set[tuple[int, int]]:
    rows = await db_conn.fetch("SELECT benefit_id, conflicting_id FROM sponsorship_benefit_conflicts")
    return {(r[0], r[1]) for r in rows}


async def add_sponsorship(sessionmaker: Any, year: int, status: str, benefit_ids: list[int]) -> int:
    async with transaction(sessionmaker) as s:
        sponsorship = Sponsorship(year=year, status=status)
        s.add(sponsorship)
        await s.flush()
        s.add_all(
            SponsorBenefit(sponsorship_id=sponsorship.id, sponsorship_benefit_id=b, name=f"copy of {b}")
            for b in benefit_ids
        )
        return int(sponsorship.id)


# --- programs and legal clauses ---------------------------------------------------------------


async def test_program_matrix_order_and_audit(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    allowed = {**REFUSED, "configurer": 201, "root": 201}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        allowed,
        lambda caller: _ready(("POST", f"{BASE}/programs", {"name": f"PyPI {caller}", "order": 2})),
    )
    created = r["configurer"].json()
    stored = await db_conn.fetchrow(
        'SELECT name, "order", description FROM sponsorship_programs WHERE id=$1', created["id"]
    )
    assert tuple(stored) == ("PyPI configurer", 2, None)
    entry = await db_conn.fetchrow(
        "SELECT actor_id, action, object_kind, object_id FROM sponsor_audit_entries WHERE object_id=$1 AND action='program.create'",
        created["id"],
    )
    assert tuple(entry) == (actors["configurer"].user_id, "program.create", "program", created["id"])
    first = await program(client, actors, "Foundation", order=1)
    listed = (await client.get(f"{BASE}/programs")).json()
    assert [p["name"] for p in listed["data"]] == ["Foundation", "PyPI configurer", "PyPI root"]
    assert listed["meta"] == {"total": 3, "limit": 100, "offset": 0}

    async def renamed(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT name, description FROM sponsorship_programs WHERE id=$1", first["id"]
        )
        assert tuple(row) == (f"Foundation {caller}", "The PSF")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        lambda caller: _ready(
            (
                "PATCH",
                f"{BASE}/programs/{first['id']}",
                {"name": f"Foundation {caller}", "description": "The PSF"},
            )
        ),
        changed=renamed,
    )

    async def doomed(caller: str) -> tuple[str, str, Any]:
        made = await program(client, actors, f"Doomed {caller}")
        await benefit(client, actors, f"Benefit of {caller}", made["id"])
        return ("DELETE", f"{BASE}/programs/{made['id']}", None)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "configurer": 204, "root": 204}, doomed
    )
    # A deleted program takes its benefits (python.org's CASCADE); the refused callers' remain.
    left = {r["name"] for r in await db_conn.fetch("SELECT name FROM sponsorship_benefits")}
    assert left == {f"Benefit of {c}" for c in REFUSED}
    deletions = [a for a in await audit_actions(db_conn) if a[0] == "program.delete"]
    assert len(deletions) == 2


async def test_legal_clause_matrix_and_private_reads(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 201, "root": 201},
        lambda caller: _ready(
            (
                "POST",
                f"{BASE}/legal-clauses",
                {"internal_name": f"Logo use {caller}", "clause": "The PSF may show it."},
            )
        ),
    )
    clause = r["configurer"].json()
    stored = await db_conn.fetchrow(
        "SELECT internal_name, clause, notes FROM sponsorship_legal_clauses WHERE id=$1", clause["id"]
    )
    assert tuple(stored) == ("Logo use configurer", "The PSF may show it.", "")
    for name, status in {**REFUSED, "configurer": 200}.items():
        listed = await client.get(f"{BASE}/legal-clauses", headers=actors[name].headers)
        one = await client.get(f"{BASE}/legal-clauses/{clause['id']}", headers=actors[name].headers)
        assert (listed.status_code, one.status_code) == (status, status), name
    assert (
        await client.post(
            f"{BASE}/legal-clauses",
            headers=actors["configurer"].headers,
            json={"internal_name": "x", "clause": ""},
        )
    ).status_code == 400

    async def noted(caller: str, response: Any) -> None:
        assert (
            await db_conn.fetchval("SELECT notes FROM sponsorship_legal_clauses WHERE id=$1", clause["id"])
            == caller
        )

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        lambda caller: _ready(("PATCH", f"{BASE}/legal-clauses/{clause['id']}", {"notes": caller})),
        changed=noted,
    )

    async def doomed(caller: str) -> tuple[str, str, Any]:
        made = await create(client, actors, "legal-clauses", {"internal_name": caller, "clause": "c"})
        return ("DELETE", f"{BASE}/legal-clauses/{made['id']}", None)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "configurer": 204, "root": 204}, doomed
    )
    names = {r[0] for r in await db_conn.fetch("SELECT internal_name FROM sponsorship_legal_clauses")}
    assert names == {"Logo use configurer", "Logo use root", *REFUSED}


# --- packages ---------------------------------------------------------------------------------


async def test_package_matrix_slug_year_and_logo_dimension(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 201, "root": 201},
        lambda caller: _ready(
            (
                "POST",
                f"{BASE}/packages",
                {"name": f"Visionary {caller}", "year": 2025, "sponsorship_amount": 150000},
            )
        ),
    )
    made = r["configurer"].json()
    assert made["slug"] == "visionary-configurer" and made["logo_dimension"] == 175
    stored = await db_conn.fetchrow(
        "SELECT slug, year, sponsorship_amount, advertise, allow_a_la_carte FROM sponsorship_packages WHERE id=$1",
        made["id"],
    )
    assert tuple(stored) == ("visionary-configurer", 2025, 150000, False, True)
    # logo_dimension: a superuser's to set, on creation as on change.
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 403, "root": 201},
        lambda caller: _ready(
            (
                "POST",
                f"{BASE}/packages",
                {"name": f"Big {caller}", "year": 2025, "sponsorship_amount": 1, "logo_dimension": 300},
            )
        ),
    )
    assert r["configurer"].json()["extra"] == {"field": "logo_dimension"}
    assert (
        await db_conn.fetchval("SELECT logo_dimension FROM sponsorship_packages WHERE slug='big-root'") == 300
    )

    async def resized(caller: str, response: Any) -> None:
        assert (
            await db_conn.fetchval("SELECT logo_dimension FROM sponsorship_packages WHERE id=$1", made["id"])
            == 250
        )

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 403, "root": 200},
        ("PATCH", f"{BASE}/packages/{made['id']}", {"logo_dimension": 250}),
        changed=resized,
    )
    h = actors["configurer"].headers
    same = await client.patch(
        f"{BASE}/packages/{made['id']}", headers=h, json={"logo_dimension": 250, "order": 3}
    )
    assert same.status_code == 200  # sending the stored value changes nothing a superuser owns

    async def updated(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT name, slug, advertise FROM sponsorship_packages WHERE id=$1", made["id"]
        )
        assert tuple(row) == (f"Renamed {caller}", "visionary-configurer", True)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        lambda caller: _ready(
            ("PATCH", f"{BASE}/packages/{made['id']}", {"name": f"Renamed {caller}", "advertise": True})
        ),
        changed=updated,
    )
    # The slug is set on creation only, and is unique within a year.
    r = await client.patch(f"{BASE}/packages/{made['id']}", headers=h, json={"slug": "other"})
    assert r.status_code == 400 and "slug" in r.json()["extra"]
    ok = await client.patch(f"{BASE}/packages/{made['id']}", headers=h, json={"slug": "visionary-configurer"})
    assert ok.status_code == 200
    dup = await client.post(
        f"{BASE}/packages",
        headers=h,
        json={"name": "x", "slug": "visionary-configurer", "year": 2025, "sponsorship_amount": 1},
    )
    assert dup.status_code == 409 and "slug" in dup.json()["extra"]
    other_year = await client.post(
        f"{BASE}/packages",
        headers=h,
        json={"name": "x", "slug": "visionary-configurer", "year": 2026, "sponsorship_amount": 1},
    )
    assert other_year.status_code == 201
    moved = await client.patch(f"{BASE}/packages/{other_year.json()['id']}", headers=h, json={"year": 2025})
    assert moved.status_code == 409 and "slug" in moved.json()["extra"]
    for year in (2021, 2051):
        bad = await client.post(
            f"{BASE}/packages", headers=h, json={"name": "y", "year": year, "sponsorship_amount": 1}
        )
        assert bad.status_code == 400 and "year" in bad.text
    nameless = await client.post(
        f"{BASE}/packages", headers=h, json={"name": "!!!", "year": 2025, "sponsorship_amount": 1}
    )
    assert nameless.status_code == 400 and "name" in nameless.json()["extra"]
    # Public reads: advertised packages only; the keepers see every one.
    hidden = await package(client, actors, "Hidden", advertise=False)
    public = [p["name"] for p in (await client.get(f"{BASE}/packages?year=2025")).json()["data"]]
    assert public == ["Renamed root"]
    assert (await client.get(f"{BASE}/packages/{hidden['id']}")).status_code == 404
    assert (await client.get(f"{BASE}/packages/{hidden['id']}", headers=h)).status_code == 200
    every = (await client.get(f"{BASE}/packages?year=2025&advertise=false", headers=h)).json()["data"]
    assert {p["slug"] for p in every} == {"visionary-root", "big-root", "hidden"}

    async def doomed(caller: str) -> tuple[str, str, Any]:
        made = await package(client, actors, f"Doomed {caller}")
        return ("DELETE", f"{BASE}/packages/{made['id']}", None)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "configurer": 204, "root": 204}, doomed
    )
    assert await db_conn.fetchval(
        "SELECT count(*) FROM sponsorship_packages WHERE slug LIKE 'doomed-%'"
    ) == len(REFUSED)
    assert {a[0] for a in await audit_actions(db_conn)} >= {
        "package.create",
        "package.update",
        "package.delete",
    }


# --- benefits ---------------------------------------------------------------------------------


async def test_benefit_matrix_links_conflicts_and_visibility(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    foundation = await program(client, actors, "Foundation")
    gold = await package(client, actors, "Gold")
    silver = await package(client, actors, "Silver")
    old = await package(client, actors, "Old", year=2024)
    clause = await create(client, actors, "legal-clauses", {"internal_name": "Logo", "clause": "c"})
    rival = await benefit(client, actors, "Rival", foundation["id"])
    body = {
        "name": "Logo on python.org",
        "program_id": foundation["id"],
        "year": 2025,
        "packages": [gold["id"], silver["id"]],
        "legal_clauses": [clause["id"]],
        "conflicts": [rival["id"]],
        "internal_value": 5000,
        "capacity": 3,
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 201, "root": 201},
        lambda caller: _ready(("POST", f"{BASE}/benefits", {**body, "name": f"Logo {caller}"})),
    )
    made = r["configurer"].json()
    assert made["packages"] == sorted([gold["id"], silver["id"]]) and made["conflicts"] == [rival["id"]]
    assert made["internal"]["legal_clauses"] == [clause["id"]] and made["internal"]["remaining_capacity"] == 3
    links = await db_conn.fetch(
        "SELECT package_id FROM sponsorship_benefit_packages WHERE benefit_id=$1", made["id"]
    )
    assert {row[0] for row in links} == {gold["id"], silver["id"]}
    root_made = r["root"].json()
    # Conflicts are mutual: both directions are stored.
    assert await conflict_pairs(db_conn) == {
        (made["id"], rival["id"]),
        (rival["id"], made["id"]),
        (root_made["id"], rival["id"]),
        (rival["id"], root_made["id"]),
    }
    assert sorted((await client.get(f"{BASE}/benefits/{rival['id']}")).json()["conflicts"]) == sorted(
        [made["id"], root_made["id"]]
    )

    async def relinked(caller: str, response: Any) -> None:
        assert await conflict_pairs(db_conn) == {
            (made["id"], root_made["id"]),
            (root_made["id"], made["id"]),
            (root_made["id"], rival["id"]),
            (rival["id"], root_made["id"]),
        }
        links = await db_conn.fetch(
            "SELECT package_id FROM sponsorship_benefit_packages WHERE benefit_id=$1", made["id"]
        )
        assert [row[0] for row in links] == [gold["id"]]
        assert (
            await db_conn.fetchval("SELECT name FROM sponsorship_benefits WHERE id=$1", made["id"])
            == f"New {caller}"
        )

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        lambda caller: _ready(
            (
                "PATCH",
                f"{BASE}/benefits/{made['id']}",
                {"name": f"New {caller}", "packages": [gold["id"]], "conflicts": [root_made["id"]]},
            )
        ),
        changed=relinked,
    )
    h = actors["configurer"].headers
    rules = {
        "standalone with packages": ({"standalone": True, "packages": [gold["id"]]}, "packages", 400),
        "package of another year": ({"packages": [old["id"]]}, "packages", 400),
        "missing package": ({"packages": [99999]}, "packages", 400),
        "conflict with itself": ({"conflicts": [made["id"]]}, "conflicts", 400),
        "missing clause": ({"legal_clauses": [99999]}, "legal_clauses", 400),
        "missing program": ({"program_id": 99999}, "program_id", 400),
        "year out of range": ({"year": 2051}, "year", 400),
        "year away from its packages": ({"year": 2026}, "packages", 400),
    }
    for case, (change, field, status) in rules.items():
        r = await client.patch(f"{BASE}/benefits/{made['id']}", headers=h, json=change)
        assert r.status_code == status and field in r.text, (case, r.text)
    standalone = await client.post(
        f"{BASE}/benefits",
        headers=h,
        json={
            "name": "Booth",
            "program_id": foundation["id"],
            "year": 2025,
            "standalone": True,
            "packages": [gold["id"]],
        },
    )
    assert standalone.status_code == 400 and standalone.json()["extra"] == {
        "packages": ["Standalone benefits must not belong to any package."]
    }
    # Public reads: available benefits only, without the internal fields or hidden conflicts.
    hidden = await benefit(
        client, actors, "Hidden", foundation["id"], unavailable=True, conflicts=[rival["id"]]
    )
    assert (await client.get(f"{BASE}/benefits/{rival['id']}")).json()["conflicts"] == [root_made["id"]]
    keeper_view = await client.get(f"{BASE}/benefits/{rival['id']}", headers=h)
    assert keeper_view.json()["conflicts"] == sorted([root_made["id"], hidden["id"]])
    public = await client.get(f"{BASE}/benefits?year=2025")
    assert hidden["id"] not in [b["id"] for b in public.json()["data"]]
    assert all(b["internal"] is None for b in public.json()["data"])
    assert (await client.get(f"{BASE}/benefits/{hidden['id']}")).status_code == 404
    seen = await client.get(f"{BASE}/benefits/{hidden['id']}", headers=h)
    assert seen.status_code == 200 and seen.json()["internal"]["unavailable"] is True
    by_package = (await client.get(f"{BASE}/benefits?package_id={gold['id']}")).json()["data"]
    assert {b["id"] for b in by_package} == {made["id"], root_made["id"]}

    async def doomed(caller: str) -> tuple[str, str, Any]:
        made = await benefit(client, actors, f"Doomed {caller}", foundation["id"], conflicts=[rival["id"]])
        await create(
            client, actors, "feature-configurations", {"benefit_id": made["id"], "kind": "email_targetable"}
        )
        return ("DELETE", f"{BASE}/benefits/{made['id']}", None)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "configurer": 204, "root": 204}, doomed
    )
    assert await db_conn.fetchval(
        "SELECT count(*) FROM sponsorship_benefits WHERE name LIKE 'Doomed%'"
    ) == len(REFUSED)
    assert await db_conn.fetchval("SELECT count(*) FROM benefit_feature_configurations") == len(REFUSED)
    assert (
        await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries WHERE action='benefit.delete'")
        == 2
    )


# --- feature configurations ---------------------------------------------------------------------


async def test_feature_configuration_matrix_and_kinds(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    foundation = await program(client, actors, "Foundation")
    gold = await package(client, actors, "Gold")
    old = await package(client, actors, "Old", year=2024)
    logo = await benefit(client, actors, "Logo", foundation["id"], packages=[gold["id"]])
    placement = {
        "benefit_id": logo["id"],
        "kind": "logo_placement",
        "publisher": "psf",
        "logo_place": "sidebar",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 201, "root": 201},
        ("POST", f"{BASE}/feature-configurations", placement),
    )
    made = r["configurer"].json()
    assert made == {
        "id": made["id"],
        "benefit_id": logo["id"],
        "kind": "logo_placement",
        "publisher": "psf",
        "logo_place": "sidebar",
        "link_to_sponsors_page": False,
        "describe_as_sponsor": False,
    }
    row = await db_conn.fetchrow(
        "SELECT kind, publisher, logo_place FROM benefit_feature_configurations WHERE id=$1", made["id"]
    )
    assert tuple(row) == ("logo_placement", "psf", "sidebar")
    h = actors["configurer"].headers
    asset = {"benefit_id": logo["id"], "related_to": "sponsor", "label": "Logo file"}
    refused = {
        "publisher choice": ({**placement, "publisher": "python"}, "publisher", 400),
        "place choice": ({**placement, "logo_place": "moon"}, "logo_place", 400),
        "field of another kind": ({**placement, "quantity": 3}, "quantity", 400),
        "placement without place": (
            {"benefit_id": logo["id"], "kind": "logo_placement", "publisher": "psf"},
            "logo_place",
            400,
        ),
        "tiered without package": (
            {"benefit_id": logo["id"], "kind": "tiered_benefit", "quantity": 2},
            "package_id",
            400,
        ),
        "tiered package of another year": (
            {"benefit_id": logo["id"], "kind": "tiered_benefit", "quantity": 2, "package_id": old["id"]},
            "package_id",
            400,
        ),
        "image max below min": (
            {
                **asset,
                "kind": "required_img_asset",
                "internal_name": "img",
                "min_width": 200,
                "max_width": 100,
                "min_height": 1,
                "max_height": 2,
            },
            "max_width",
            400,
        ),
        "image without sizes": (
            {**asset, "kind": "required_img_asset", "internal_name": "img"},
            "min_width",
            400,
        ),
        "asset without internal name": ({**asset, "kind": "required_text_asset"}, "internal_name", 400),
        "missing benefit": ({**placement, "benefit_id": 99999}, "benefit_id", 400),
        "text max_length 0": (
            {**asset, "kind": "required_text_asset", "internal_name": "t", "max_length": 0},
            "max_length",
            400,
        ),
    }
    for case, (body, field, status) in refused.items():
        r = await client.post(f"{BASE}/feature-configurations", headers=h, json=body)
        assert r.status_code == status and field in r.text, (case, r.text)
    assert await db_conn.fetchval("SELECT count(*) FROM benefit_feature_configurations") == 2
    tiered = await client.post(
        f"{BASE}/feature-configurations",
        headers=h,
        json={
            "benefit_id": logo["id"],
            "kind": "tiered_benefit",
            "quantity": 2,
            "package_id": gold["id"],
            "display_label": "2 passes",
        },
    )
    assert tiered.status_code == 201 and tiered.json()["package_id"] == gold["id"]
    image = {
        **asset,
        "kind": "required_img_asset",
        "internal_name": "web_logo_2025",
        "due_date": "2025-03-01",
        "min_width": 100,
        "max_width": 100,
        "min_height": 50,
        "max_height": 80,
    }
    img = await client.post(f"{BASE}/feature-configurations", headers=h, json=image)
    assert img.status_code == 201, img.text
    # internal_name is unique per kind: the same name of another kind is fine.
    dup = await client.post(f"{BASE}/feature-configurations", headers=h, json=image)
    assert dup.status_code == 409 and dup.json()["extra"] == {
        "internal_name": ["A required_img_asset configuration with this internal_name already exists."]
    }
    text = await client.post(
        f"{BASE}/feature-configurations",
        headers=h,
        json={
            **asset,
            "kind": "provided_text_asset",
            "internal_name": "web_logo_2025",
            "shared": True,
            "shared_text": "CODE",
        },
    )
    assert text.status_code == 201 and text.json()["shared_text"] == "CODE"
    config_id = img.json()["id"]

    async def resized(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT max_width, label FROM benefit_feature_configurations WHERE id=$1", config_id
        )
        assert tuple(row) == (300, f"Logo of {caller}")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        lambda caller: _ready(
            (
                "PATCH",
                f"{BASE}/feature-configurations/{config_id}",
                {"max_width": 300, "label": f"Logo of {caller}"},
            )
        ),
        changed=resized,
    )
    below = await client.patch(
        f"{BASE}/feature-configurations/{config_id}", headers=h, json={"max_width": 99}
    )
    assert below.status_code == 400 and "max_width" in below.json()["extra"]
    foreign = await client.patch(
        f"{BASE}/feature-configurations/{config_id}", headers=h, json={"publisher": "psf"}
    )
    assert foreign.status_code == 400 and "publisher" in foreign.json()["extra"]
    kind_change = await client.patch(
        f"{BASE}/feature-configurations/{config_id}", headers=h, json={"kind": "logo_placement"}
    )
    assert kind_change.status_code == 400
    for name, status in {**REFUSED, "configurer": 200}.items():
        listed = await client.get(
            f"{BASE}/feature-configurations?benefit_id={logo['id']}", headers=actors[name].headers
        )
        assert listed.status_code == status, name
    listed = (await client.get(f"{BASE}/feature-configurations?kind=required_img_asset", headers=h)).json()
    assert [c["id"] for c in listed["data"]] == [config_id] and listed["data"][0]["due_date"] == "2025-03-01"

    async def doomed(caller: str) -> tuple[str, str, Any]:
        made = await create(
            client, actors, "feature-configurations", {"benefit_id": logo["id"], "kind": "email_targetable"}
        )
        return ("DELETE", f"{BASE}/feature-configurations/{made['id']}", None)

    await check_permission_matrix(
        client, db_conn, actors.callers, {**REFUSED, "configurer": 204, "root": 204}, doomed
    )
    assert await db_conn.fetchval(
        "SELECT count(*) FROM benefit_feature_configurations WHERE kind='email_targetable'"
    ) == len(REFUSED)
    kinds = {a[0] for a in await audit_actions(db_conn)}
    assert {
        "feature_configuration.create",
        "feature_configuration.update",
        "feature_configuration.delete",
    } <= kinds


# --- the current year and the offer -----------------------------------------------------------


async def test_current_year_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    assert (await client.get(f"{BASE}/current-year")).json() == {"year": 2022}  # python.org's seed

    async def stored(caller: str, response: Any) -> None:
        assert response.json() == {"year": 2025}
        assert await db_conn.fetchval("SELECT year FROM sponsorship_current_year WHERE id=1") == 2025

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 200, "root": 200},
        ("PUT", f"{BASE}/current-year", {"year": 2025}),
        changed=stored,
    )
    h = actors["configurer"].headers
    for year in (2021, 2051):
        r = await client.put(f"{BASE}/current-year", headers=h, json={"year": year})
        assert r.status_code == 400 and "year" in r.text
    assert (await client.delete(f"{BASE}/current-year", headers=actors["root"].headers)).status_code == 405
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_current_year") == 1
    entry = await db_conn.fetchrow(
        "SELECT action, message, actor_id FROM sponsor_audit_entries WHERE action='current_year.update' ORDER BY id LIMIT 1"
    )
    assert tuple(entry) == ("current_year.update", "None -> 2025", actors["configurer"].user_id)


async def test_offer_ordering_visibility_and_capacity(
    client: Any, actors: Any, db_conn: Any, sessionmaker: Any
) -> None:
    await make_callers(actors)
    await client.put(f"{BASE}/current-year", headers=actors["root"].headers, json={"year": 2025})
    foundation = await program(client, actors, "Foundation", order=1)
    pycon = await program(client, actors, "PyCon US 2025", order=2)
    gold = await package(client, actors, "Gold", order=2)
    silver = await package(client, actors, "Silver", order=1)
    await package(client, actors, "Private", advertise=False)
    await package(client, actors, "Next year", year=2026)
    both = [gold["id"], silver["id"]]
    one = await benefit(client, actors, "In one", foundation["id"], order=1, packages=[gold["id"]])
    two = await benefit(client, actors, "In two", foundation["id"], order=5, packages=both)
    booth = await benefit(
        client,
        actors,
        "Booth",
        pycon["id"],
        order=0,
        packages=[gold["id"]],
        capacity=2,
        conflicts=[one["id"]],
    )
    soft = await benefit(
        client, actors, "Soft", pycon["id"], order=1, packages=[gold["id"]], capacity=1, soft_capacity=True
    )
    await benefit(client, actors, "A la carte", foundation["id"], package_only=True)
    await benefit(client, actors, "Standalone", pycon["id"], standalone=True)
    hidden = await benefit(
        client,
        actors,
        "Hidden",
        foundation["id"],
        unavailable=True,
        packages=[gold["id"]],
        conflicts=[two["id"]],
    )
    await benefit(client, actors, "Other year", foundation["id"], year=2026)
    offer = (await client.get(f"{BASE}/offer")).json()
    assert offer["year"] == 2025 and offer["current_year"] == 2025
    assert [p["name"] for p in offer["packages"]] == ["Silver", "Gold"]
    programs = {p["name"]: p for p in offer["programs"]}
    assert list(programs) == ["Foundation", "PyCon US 2025"]
    assert programs["PyCon US 2025"]["field"] == "benefits_pycon_us_2025"
    # most packages first, then by order; unavailable benefits left out (and from conflicts)
    assert [b["name"] for b in programs["Foundation"]["benefits"]] == ["In two", "In one"]
    assert [b["name"] for b in programs["PyCon US 2025"]["benefits"]] == ["Booth", "Soft"]
    assert [b["name"] for b in offer["a_la_carte"]] == ["A la carte"]
    assert [b["name"] for b in offer["standalone"]] == ["Standalone"]
    assert (
        offer["a_la_carte"][0]["unavailability_message"]
        == "Benefit only available as part of a sponsor package"
    )
    first = programs["Foundation"]["benefits"][0]
    assert first["packages"] == sorted(both) and first["conflicts"] == []
    assert programs["Foundation"]["benefits"][1]["conflicts"] == [booth["id"]]
    every = [b["id"] for p in offer["programs"] for b in p["benefits"]] + [
        b["id"] for b in offer["a_la_carte"] + offer["standalone"]
    ]
    assert hidden["id"] not in every and len(every) == 6
    assert offer["capacities_met"] is False
    # Capacity: sponsorships of the year holding the benefit (applied, approved, finalized) use it.
    await add_sponsorship(sessionmaker, 2025, "applied", [booth["id"], soft["id"]])
    await add_sponsorship(sessionmaker, 2025, "rejected", [booth["id"]])
    await add_sponsorship(sessionmaker, 2024, "finalized", [booth["id"]])
    h = actors["configurer"].headers
    read = (await client.get(f"{BASE}/benefits/{booth['id']}", headers=h)).json()
    assert (read["has_capacity"], read["internal"]["remaining_capacity"]) == (True, 1)
    await add_sponsorship(sessionmaker, 2025, "finalized", [booth["id"]])
    offer = (await client.get(f"{BASE}/offer")).json()
    pycon_benefits = {b["name"]: b for b in offer["programs"][1]["benefits"]}
    assert pycon_benefits["Booth"]["has_capacity"] is False
    assert pycon_benefits["Booth"]["unavailability_message"] == "This benefit is currently at capacity"
    assert pycon_benefits["Soft"]["has_capacity"] is True  # soft capacity stays open
    assert offer["capacities_met"] is True
    read = (await client.get(f"{BASE}/benefits/{booth['id']}", headers=h)).json()
    assert (read["has_capacity"], read["internal"]["remaining_capacity"], read["internal"]["capacity"]) == (
        False,
        0,
        2,
    )
    # Another year's offer is a preview for the configuration's keepers only.
    for name, status in {
        "anonymous": 401,
        "ordinary": 403,
        "staffer": 403,
        "sponsorship_staff": 403,
        "configurer": 200,
    }.items():
        r = await client.get(f"{BASE}/offer?year=2026", headers=actors[name].headers)
        assert r.status_code == status, name
    preview = (await client.get(f"{BASE}/offer?year=2026", headers=h)).json()
    assert preview["year"] == 2026 and [p["name"] for p in preview["packages"]] == ["Next year"]
    assert [b["name"] for b in preview["a_la_carte"]] == ["Other year"]
    assert (await client.get(f"{BASE}/offer?year=2025")).status_code == 200  # the current year: anyone
    assert (await client.get(f"{BASE}/offer?year=1999")).status_code == 400


# --- customisation, revenue split -------------------------------------------------------------


def test_customisation_detection_rules() -> None:
    plain = PackageBenefits(1, frozenset({1, 2, 3}))
    assert has_user_customization(plain, [1, 2, 3]) is False
    assert user_customization(plain, [1, 2, 3]) == (frozenset(), frozenset())
    assert has_user_customization(plain, [1, 2, 3, 9]) is True  # a benefit from elsewhere
    assert user_customization(plain, [1, 2, 3, 9]) == (frozenset({9}), frozenset())
    assert has_user_customization(plain, [1, 2]) is True  # one left out
    assert user_customization(plain, [1, 2]) == (frozenset(), frozenset({3}))
    # 4, 5, 6 conflict with each other: one of the group is enough, none is a customisation.
    group = {4: frozenset({5, 6}), 5: frozenset({4, 6}), 6: frozenset({4, 5})}
    conflicted = PackageBenefits(1, frozenset({1, 2, 3, 4, 5, 6}), group)
    assert has_user_customization(conflicted, [1, 2, 3, 4]) is False
    assert has_user_customization(conflicted, [1, 2, 3, 6]) is False
    assert has_user_customization(conflicted, [1, 2, 3]) is True
    assert user_customization(conflicted, [1, 2, 3, 4]) == (frozenset(), frozenset({5, 6}))
    # two groups (4 vs 5, 6 vs 7): one of each is needed.
    pairs = {4: frozenset({5}), 5: frozenset({4}), 6: frozenset({7}), 7: frozenset({6})}
    two_groups = PackageBenefits(1, frozenset({1, 2, 3, 4, 5, 6, 7}), pairs)
    assert has_user_customization(two_groups, [1, 2, 3, 4]) is True
    assert has_user_customization(two_groups, [1, 2, 3, 5, 7]) is False
    assert has_user_customization(two_groups, [1, 2, 4, 6]) is True  # 3 left out


async def test_package_benefits_are_loaded_with_conflicts(
    client: Any, actors: Any, sessionmaker: Any
) -> None:
    foundation = await program(client, actors, "Foundation")
    gold = await package(client, actors, "Gold")
    a = await benefit(client, actors, "A", foundation["id"], packages=[gold["id"]])
    b = await benefit(client, actors, "B", foundation["id"], packages=[gold["id"]], conflicts=[a["id"]])
    c = await benefit(client, actors, "C", foundation["id"], packages=[gold["id"]])
    outside = await benefit(client, actors, "Outside", foundation["id"], conflicts=[c["id"]])
    async with transaction(sessionmaker) as s:
        loaded = await package_benefits(s, gold["id"])
    assert loaded.benefit_ids == {a["id"], b["id"], c["id"]}
    assert loaded.conflicts == {a["id"]: {b["id"]}, b["id"]: {a["id"]}, c["id"]: {outside["id"]}}
    # Every package benefit has a conflict: one of {A, B} and one of {C, Outside} make the package.
    assert has_user_customization(loaded, [a["id"], c["id"]]) is False
    assert has_user_customization(loaded, [b["id"], c["id"]]) is False
    assert has_user_customization(loaded, [a["id"], b["id"]]) is True  # nothing of C's group
    assert has_user_customization(loaded, [b["id"], outside["id"]]) is True  # Outside is an addition
    assert has_user_customization(loaded, [a["id"]]) is True


async def test_revenue_split(client: Any, actors: Any) -> None:
    await make_callers(actors)
    foundation = await program(client, actors, "Foundation")
    pycon = await program(client, actors, "PyCon")
    pypi = await program(client, actors, "PyPI")
    gold = await package(client, actors, "Gold")
    empty = await package(client, actors, "Empty")
    await benefit(client, actors, "A", foundation["id"], packages=[gold["id"]], internal_value=1000)
    await benefit(client, actors, "B", foundation["id"], packages=[gold["id"]], internal_value=2000)
    await benefit(client, actors, "C", pycon["id"], packages=[gold["id"]], internal_value=1000)
    await benefit(client, actors, "D", pypi["id"], packages=[gold["id"], empty["id"]])
    await benefit(client, actors, "E", pypi["id"], internal_value=9000)  # in no package
    url = f"{BASE}/packages/{gold['id']}/revenue-split"
    for name, status in {**REFUSED, "configurer": 200}.items():
        assert (await client.get(url, headers=actors[name].headers)).status_code == status, name
    split = (await client.get(url, headers=actors["configurer"].headers)).json()
    assert split == {
        "package_id": gold["id"],
        "total_internal_value": 4000,
        "data": [
            {"program": "Foundation", "percent": 75.0},
            {"program": "PyCon", "percent": 25.0},
            {"program": "PyPI", "percent": 0.0},
        ],
    }
    nothing = (
        await client.get(f"{BASE}/packages/{empty['id']}/revenue-split", headers=actors["configurer"].headers)
    ).json()
    assert nothing == {"package_id": empty["id"], "total_internal_value": 0, "data": []}


# --- cloning a year ----------------------------------------------------------------------------


async def test_clone_year_matrix_copies_and_rules(client: Any, actors: Any, db_conn: Any) -> None:
    await make_callers(actors)
    foundation = await program(client, actors, "Foundation")
    gold = await package(
        client, actors, "Gold", year=2024, order=3, logo_dimension=300, allow_a_la_carte=False
    )
    silver = await package(client, actors, "Silver", year=2024, advertise=False)
    clause = await create(
        client, actors, "legal-clauses", {"internal_name": "Logo", "clause": "Use of logo", "notes": "n"}
    )
    logo = await benefit(
        client,
        actors,
        "Logo",
        foundation["id"],
        year=2024,
        packages=[gold["id"], silver["id"]],
        legal_clauses=[clause["id"]],
        internal_value=10,
        capacity=4,
        order=2,
    )
    passes = await benefit(
        client,
        actors,
        "Passes",
        foundation["id"],
        year=2024,
        packages=[gold["id"]],
        legal_clauses=[clause["id"]],
        conflicts=[logo["id"]],
    )
    await benefit(
        client, actors, "Retired", foundation["id"], year=2024, unavailable=True, packages=[gold["id"]]
    )
    features = [
        {"benefit_id": logo["id"], "kind": "logo_placement", "publisher": "pypi", "logo_place": "footer"},
        {"benefit_id": passes["id"], "kind": "tiered_benefit", "package_id": gold["id"], "quantity": 5},
        {
            "benefit_id": logo["id"],
            "kind": "required_img_asset",
            "related_to": "sponsor",
            "internal_name": "logo_2024_web",
            "label": "Logo",
            "due_date": "2024-02-29",
            "min_width": 1,
            "max_width": 2,
            "min_height": 1,
            "max_height": 2,
        },
        {
            "benefit_id": logo["id"],
            "kind": "required_text_asset",
            "related_to": "sponsorship",
            "internal_name": "tagline",
            "label": "Tagline",
            "due_date": "2024-06-15",
            "max_length": 100,
        },
    ]
    for body in features:
        await create(client, actors, "feature-configurations", body)
    before = {
        table: await db_conn.fetchval(f"SELECT count(*) FROM {table}")
        for table in (
            "sponsorship_packages",
            "sponsorship_benefits",
            "sponsorship_legal_clauses",
            "benefit_feature_configurations",
        )
    }
    targets = {"configurer": 2025, "root": 2026}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "configurer": 201, "root": 201},
        lambda caller: _ready(
            ("POST", f"{BASE}/years/2024/clone", {"target_year": targets.get(caller, 2027)})
        ),
    )
    result = r["configurer"].json()
    assert result["source_year"] == 2024 and result["target_year"] == 2025
    assert (
        len(result["packages"]),
        len(result["benefits"]),
        len(result["legal_clauses"]),
        len(result["feature_configurations"]),
    ) == (2, 2, 2, 4)
    after = {t: await db_conn.fetchval(f"SELECT count(*) FROM {t}") for t in before}
    # two clones: packages 2 each, benefits 2 each (the unavailable one stays), a clause per benefit
    assert after == {
        "sponsorship_packages": before["sponsorship_packages"] + 4,
        "sponsorship_benefits": before["sponsorship_benefits"] + 4,
        "sponsorship_legal_clauses": before["sponsorship_legal_clauses"] + 4,
        "benefit_feature_configurations": before["benefit_feature_configurations"] + 8,
    }
    packages = await db_conn.fetch(
        'SELECT slug, name, "order", logo_dimension, advertise, allow_a_la_carte, sponsorship_amount FROM sponsorship_packages WHERE year=2025 ORDER BY slug'
    )
    assert [tuple(p) for p in packages] == [
        ("gold", "Gold", 3, 300, True, False, 1000),
        ("silver", "Silver", 0, 175, False, True, 1000),
    ]
    cloned = {
        row["name"]: row for row in await db_conn.fetch("SELECT * FROM sponsorship_benefits WHERE year=2025")
    }
    assert set(cloned) == {"Logo", "Passes"}
    assert (cloned["Logo"]["internal_value"], cloned["Logo"]["capacity"], cloned["Logo"]["order"]) == (
        10,
        4,
        2,
    )
    new_packages = await db_conn.fetch(
        "SELECT p.slug FROM sponsorship_benefit_packages l JOIN sponsorship_packages p ON p.id = l.package_id WHERE l.benefit_id=$1 ORDER BY p.slug",
        cloned["Logo"]["id"],
    )
    assert [p[0] for p in new_packages] == ["gold", "silver"]
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM sponsorship_benefit_packages l JOIN sponsorship_packages p ON p.id=l.package_id WHERE l.benefit_id=$1 AND p.year=2025",
            cloned["Logo"]["id"],
        )
        == 2
    )
    clauses = await db_conn.fetch(
        "SELECT c.id, c.internal_name, c.clause, c.notes FROM sponsorship_benefit_legal_clauses l JOIN sponsorship_legal_clauses c ON c.id = l.legal_clause_id WHERE l.benefit_id = ANY($1::int[])",
        [cloned["Logo"]["id"], cloned["Passes"]["id"]],
    )
    assert len({c["id"] for c in clauses}) == 2 and clause["id"] not in {c["id"] for c in clauses}
    assert {(c["internal_name"], c["clause"], c["notes"]) for c in clauses} == {("Logo", "Use of logo", "n")}
    assert (cloned["Logo"]["id"], cloned["Passes"]["id"]) in await conflict_pairs(db_conn)
    configs = {
        row["kind"]: row
        for row in await db_conn.fetch(
            "SELECT * FROM benefit_feature_configurations WHERE benefit_id = ANY($1::int[])",
            [cloned["Logo"]["id"], cloned["Passes"]["id"]],
        )
    }
    assert configs["required_img_asset"]["internal_name"] == "logo_2025_web"
    assert configs["required_img_asset"]["due_date"] == date(2025, 2, 28)  # 29 February moves to the 28th
    assert configs["required_text_asset"]["internal_name"] == "tagline_2025"
    assert configs["required_text_asset"]["due_date"] == date(2025, 6, 15)
    assert (configs["logo_placement"]["publisher"], configs["logo_placement"]["logo_place"]) == (
        "pypi",
        "footer",
    )
    tier_package = await db_conn.fetchrow(
        "SELECT slug, year FROM sponsorship_packages WHERE id=$1", configs["tiered_benefit"]["package_id"]
    )
    assert tuple(tier_package) == ("gold", 2025) and configs["tiered_benefit"]["quantity"] == 5
    root_names = await db_conn.fetch(
        "SELECT internal_name FROM benefit_feature_configurations c JOIN sponsorship_benefits b ON b.id=c.benefit_id WHERE b.year=2026 AND internal_name IS NOT NULL ORDER BY 1"
    )
    assert [n[0] for n in root_names] == ["logo_2026_web", "tagline_2026"]
    entries = await db_conn.fetch(
        "SELECT object_kind, message FROM sponsor_audit_entries WHERE action='year.clone' AND actor_id=$1",
        actors["configurer"].user_id,
    )
    assert sorted(e["object_kind"] for e in entries) == ["benefit", "benefit", "package", "package"]
    assert {e["message"] for e in entries} == {"Cloned from 2024 sponsorship application config"}
    h = actors["configurer"].headers
    rules = {
        "target before source": (2025, 2024, 400, "target_year"),
        "target configured": (2024, 2025, 400, "target_year"),
        "target past 2050": (2024, 2051, 400, "target_year"),
        "source not configured": (2030, 2031, 404, "2030"),
    }
    for case, (source, target, status, word) in rules.items():
        r = await client.post(f"{BASE}/years/{source}/clone", headers=h, json={"target_year": target})
        assert r.status_code == status and word in r.text, (case, r.text)
    # A cloned internal name another configuration of that kind already holds: 409, nothing kept.
    await create(
        client,
        actors,
        "feature-configurations",
        {
            "benefit_id": logo["id"],
            "kind": "required_text_asset",
            "related_to": "sponsor",
            "internal_name": "tagline_2040",
            "label": "x",
        },
    )
    count = await db_conn.fetchval("SELECT count(*) FROM sponsorship_benefits")
    clash = await client.post(f"{BASE}/years/2024/clone", headers=h, json={"target_year": 2040})
    assert clash.status_code == 409 and clash.json()["extra"] == {"field": "internal_name"}
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_benefits") == count


# --- the audit trail ---------------------------------------------------------------------------


async def test_audit_list_order_filters_and_access(
    client: Any, actors: Any, db_conn: Any, sessionmaker: Any
) -> None:
    await make_callers(actors)
    foundation = await program(client, actors, "Foundation")
    await client.patch(
        f"{BASE}/programs/{foundation['id']}", headers=actors["configurer"].headers, json={"order": 4}
    )
    await package(client, actors, "Gold")
    sponsorship_id = await add_sponsorship(sessionmaker, 2025, "applied", [])
    await db_conn.execute(
        "INSERT INTO sponsor_audit_entries (at, action, object_kind, object_id, sponsorship_id, message) "
        "VALUES (now() + interval '1 minute', 'sponsorship.approve', 'sponsorship', $1, $1, 'approved')",
        sponsorship_id,
    )
    url = f"{BASE}/audit"
    for name, status in {
        "anonymous": 401,
        "ordinary": 403,
        "staffer": 403,
        "configurer": 200,
        "sponsorship_staff": 200,
        "root": 200,
    }.items():
        assert (await client.get(url, headers=actors[name].headers)).status_code == status, name
    h = actors["sponsorship_staff"].headers
    listed = (await client.get(url, headers=h)).json()
    assert [e["action"] for e in listed["data"]] == [
        "sponsorship.approve",
        "package.create",
        "program.update",
        "program.create",
    ]
    assert listed["meta"] == {"total": 4, "limit": 100, "offset": 0}
    update = listed["data"][2]
    assert (update["actor_id"], update["object_id"], update["message"]) == (
        actors["configurer"].user_id,
        foundation["id"],
        "changed: order",
    )
    assert listed["data"][3]["actor_id"] == actors["root"].user_id
    by_action = (await client.get(f"{url}?action=program.create", headers=h)).json()["data"]
    assert [e["object_id"] for e in by_action] == [foundation["id"]]
    by_sponsorship = (await client.get(f"{url}?sponsorship_id={sponsorship_id}", headers=h)).json()["data"]
    assert [e["message"] for e in by_sponsorship] == ["approved"]
    page = (await client.get(f"{url}?limit=2&offset=1", headers=h)).json()
    assert [e["action"] for e in page["data"]] == ["package.create", "program.update"]
