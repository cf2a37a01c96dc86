"""/api/v3/nominations/: election kinds and elections (statuses, slugs, colours, forms), the
nomination forms (self-nomination, acknowledgements per kind, previous service), who may see,
change, accept and approve a nomination or a nominee, the nominees list, the statement preview,
the caller's own nominations, and what deleting an election or an account does. Every write has
its permission matrix here (tests/security/test_permission_matrices.py names them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import check_permission_matrix

BASE = "/api/v3/nominations"
REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
STATEMENT = "**Strong** candidate. <script>alert(1)</script> [site](https://www.python.org)"


def when(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


WINDOWS: dict[str, dict[str, Any]] = {
    "open": {"nominations_open_at": when(-1), "nominations_close_at": when(1)},
    "closed": {"nominations_open_at": when(-2), "nominations_close_at": when(-1)},
    "future": {"nominations_open_at": when(1), "nominations_close_at": when(2)},
    "undated": {},
}


async def make_election(
    client: Any, actors: Any, name: str, window: str = "open", **fields: Any
) -> dict[str, Any]:
    body = {"name": name, "date": "2026-12-31", **WINDOWS[window], **fields}
    r = await client.post(f"{BASE}/elections", headers=actors["root"].headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def make_kind(client: Any, actors: Any, name: str, **fields: Any) -> dict[str, Any]:
    r = await client.post(f"{BASE}/kinds", headers=actors["root"].headers, json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def set_window(db_conn: Any, slug: str, window: str) -> None:
    """Move an election's nomination window (what time does to it) without the API."""
    start, end = (WINDOWS[window].get(k) for k in ("nominations_open_at", "nominations_close_at"))
    await db_conn.execute(
        "UPDATE elections SET nominations_open_at=$1::text::timestamptz, nominations_close_at=$2::text::timestamptz "
        "WHERE slug=$3",
        start,
        end,
        slug,
    )


async def name_user(db_conn: Any, caller: Any, first: str, last: str) -> None:
    await db_conn.execute(
        "UPDATE users SET first_name=$1, last_name=$2 WHERE id=$3", first, last, caller.user_id
    )


def nomination_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "employer": "US Navy",
        "nomination_statement": STATEMENT,
        "previous_service_years": [],
        **overrides,
    }


async def nominate(client: Any, caller: Any, slug: str, **overrides: Any) -> dict[str, Any]:
    r = await client.post(
        f"{BASE}/elections/{slug}/nominations", headers=caller.headers, json=nomination_body(**overrides)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def nomination_row(db_conn: Any, nomination_id: int) -> Any:
    return await db_conn.fetchrow("SELECT * FROM nominations WHERE id=$1", nomination_id)


# --- kinds and elections ------------------------------------------------------------------------


async def test_kind_matrix_slugs_colours_and_forms(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create(
        "kinder", permissions=("nominations.add_electionkind", "nominations.change_electionkind")
    )
    await actors.create("kind_remover", permissions=("nominations.delete_electionkind",))
    await actors.create("elector", permissions=("nominations.add_election",))

    async def create(caller: str) -> tuple[str, str, Any]:
        return (
            "POST",
            f"{BASE}/kinds",
            {"name": f"Council of {caller}", "nomination_form": "packaging_council"},
        )

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "elector": 403, "kind_remover": 403, "kinder": 201, "root": 201},
        create,
    )
    kind = r["kinder"].json()
    assert kind["slug"] == "council-of-kinder" and kind["accent_color"] == "#0073b7"
    assert kind["previous_service_label"] == "Previous Packaging Council Service"
    stored = await db_conn.fetchrow(
        "SELECT slug, nomination_form FROM election_kinds WHERE id=$1", kind["id"]
    )
    assert tuple(stored) == ("council-of-kinder", "packaging_council")

    async def rename(caller: str) -> tuple[str, str, Any]:
        return (
            "PATCH",
            f"{BASE}/kinds/{kind['id']}",
            {"name": f"Packaging Council {caller}", "accent_color": "#6f42c1"},
        )

    async def renamed(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT name, slug, accent_color FROM election_kinds WHERE id=$1", kind["id"]
        )
        assert tuple(row) == (f"Packaging Council {caller}", f"packaging-council-{caller}", "#6f42c1")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "elector": 403, "kind_remover": 403, "kinder": 200, "root": 200},
        rename,
        changed=renamed,
    )
    h = actors["kinder"].headers
    # Unique names, and names giving the same slug; bad colours and forms name the field.
    dup = await client.post(f"{BASE}/kinds", headers=h, json={"name": "Packaging Council root"})
    assert dup.status_code == 409 and "name" in dup.json()["extra"], dup.text
    dup = await client.post(f"{BASE}/kinds", headers=h, json={"name": "Packaging  Council ROOT!"})
    assert dup.status_code == 409 and "name" in dup.json()["extra"], dup.text
    for bad in (
        {"name": "X", "accent_color": "red"},
        {"name": "X", "nomination_form": "steering"},
        {"name": "!!"},
    ):
        assert (await client.post(f"{BASE}/kinds", headers=h, json=bad)).status_code == 400, bad
    board = await make_kind(client, actors, "PSF Board")
    assert board["nomination_form"] == "board" and board["previous_service_label"] == "Previous Board Service"
    names = [k["name"] for k in (await client.get(f"{BASE}/kinds")).json()["data"]]
    assert names == sorted(names) and len(names) == 3
    assert (await client.get(f"{BASE}/kinds/{board['id']}")).json()["slug"] == "psf-board"

    # An election of a deleted kind keeps going without one (board form, default colour).
    election = await make_election(
        client, actors, "2026 Packaging Council Election", kind="packaging-council-root"
    )
    assert (
        election["accent_color"] == "#6f42c1" and election["nomination_form_variant"] == "packaging_council"
    )

    async def remove(caller: str) -> tuple[str, str, Any]:
        target = kind if caller == "kind_remover" else await make_kind(client, actors, f"Spare {caller}")
        return ("DELETE", f"{BASE}/kinds/{target['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "kinder": 403, "elector": 403, "kind_remover": 204, "root": 204},
        remove,
    )
    after = (await client.get(f"{BASE}/elections/{election['slug']}")).json()
    assert after["kind"] is None and after["accent_color"] == "#0073b7"
    assert (
        after["nomination_form_variant"] == "board"
        and after["previous_service_label"] == "Previous Board Service"
    )
    assert await db_conn.fetchval("SELECT kind_id FROM elections WHERE id=$1", election["id"]) is None
    assert (await client.get(f"{BASE}/kinds/{kind['id']}")).status_code == 404


async def test_election_matrix_statuses_and_slugs(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("elector", permissions=("nominations.add_election", "nominations.change_election"))
    await actors.create("eraser", permissions=("nominations.delete_election",))
    kind = await make_kind(
        client, actors, "Packaging Council", accent_color="#6f42c1", nomination_form="packaging_council"
    )

    async def create(caller: str) -> tuple[str, str, Any]:
        body = {
            "name": f"Election of {caller}",
            "date": "2026-09-01",
            "kind": kind["slug"],
            **WINDOWS["open"],
        }
        return ("POST", f"{BASE}/elections", {**body, "description": "*Vote* <script>x()</script>"})

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "eraser": 403, "elector": 201, "root": 201},
        create,
    )
    election = r["elector"].json()
    assert election["slug"] == "election-of-elector" and election["status"] == "Nominations Open"
    assert election["url"] == "/nominations/election/election-of-elector/"
    assert election["nominees_url"] == "/nominations/elections/election-of-elector/nominees/"
    assert election["nominations_open"] is True and election["nominations_complete"] is False
    assert election["accent_color"] == "#6f42c1" and election["kind"]["slug"] == "packaging-council"
    html = await db_conn.fetchval("SELECT description_html FROM elections WHERE id=$1", election["id"])
    assert "<em>Vote</em>" in html and "<script>" not in html

    # The slug follows every rename; the old slug is gone.
    async def rename(caller: str) -> tuple[str, str, Any]:
        current = await db_conn.fetchval("SELECT slug FROM elections WHERE id=$1", election["id"])
        return (
            "PATCH",
            f"{BASE}/elections/{current}",
            {"name": f"Renamed by {caller}", "hide_previous_service": True},
        )

    async def renamed(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT name, slug, hide_previous_service FROM elections WHERE id=$1", election["id"]
        )
        assert tuple(row) == (f"Renamed by {caller}", f"renamed-by-{caller}", True)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "eraser": 403, "elector": 200, "root": 200},
        rename,
        changed=renamed,
    )
    assert (await client.get(f"{BASE}/elections/election-of-elector")).status_code == 404
    assert (await client.get(f"{BASE}/elections/renamed-by-root")).json()["name"] == "Renamed by root"
    assert (await client.get(f"{BASE}/elections/no-such-election")).status_code == 404

    h = actors["elector"].headers
    dup = await client.post(
        f"{BASE}/elections", headers=h, json={"name": "Renamed by ROOT", "date": "2027-01-01"}
    )
    assert dup.status_code == 409 and "name" in dup.json()["extra"], dup.text
    backwards = {
        "name": "Backwards",
        "date": "2027-01-01",
        "nominations_open_at": when(2),
        "nominations_close_at": when(1),
    }
    r = await client.post(f"{BASE}/elections", headers=h, json=backwards)
    assert r.status_code == 400 and "nominations_close_at" in r.json()["extra"], r.text
    naive = {"name": "Naive", "date": "2027-01-01", "nominations_open_at": "2027-01-01T00:00:00"}
    assert (await client.post(f"{BASE}/elections", headers=h, json=naive)).status_code == 400
    unknown = {"name": "Unknown kind", "date": "2027-01-01", "kind": "steering-council"}
    r = await client.post(f"{BASE}/elections", headers=h, json=unknown)
    assert r.status_code == 400 and "kind" in r.json()["extra"], r.text
    assert await db_conn.fetchval("SELECT count(*) FROM elections") == 2

    # Statuses: with both dates, by the window; without, by the election date.
    today = datetime.now(UTC).date()
    expected = {
        "closed": "Nominations Closed",
        "future": "Nominations Not Yet Open",
    }
    for window, wording in expected.items():
        made = await make_election(client, actors, f"Window {window}", window)
        assert made["status"] == wording and made["nominations_open"] is False, made
        assert made["nominations_complete"] is (window == "closed")
    # python.org said "Commenced" before the date and "Voting Not Yet Begun" after it (inventory
    # B.9); the wording is fixed: the vote has not begun before the election's date.
    later = await make_election(
        client, actors, "Later", "undated", date=(today + timedelta(days=30)).isoformat()
    )
    earlier = await make_election(
        client, actors, "Earlier", "undated", date=(today - timedelta(days=30)).isoformat()
    )
    on_the_day = await make_election(client, actors, "On the day", "undated", date=today.isoformat())
    assert later["status"] == "Voting Not Yet Begun"
    assert earlier["status"] == on_the_day["status"] == "Commenced"
    # Newest first.
    dates = [e["date"] for e in (await client.get(f"{BASE}/elections")).json()["data"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 7

    async def remove(caller: str) -> tuple[str, str, Any]:
        target = (
            "renamed-by-root"
            if caller == "eraser"
            else (await make_election(client, actors, f"Spare {caller}"))["slug"]
        )
        return ("DELETE", f"{BASE}/elections/{target}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "elector": 403, "eraser": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM elections WHERE slug='renamed-by-root'") == 0


# --- nominating ----------------------------------------------------------------------------------


async def test_create_matrix_and_third_party_nominations(client: Any, actors: Any, db_conn: Any) -> None:
    election = await make_election(client, actors, "2026 Board Election")
    slug = election["slug"]

    async def create(caller: str) -> tuple[str, str, Any]:
        return (
            "POST",
            f"{BASE}/elections/{slug}/nominations",
            nomination_body(employer=f"Employer of {caller}", coc_acknowledged=True, mission_alignment=True),
        )

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 201, "staffer": 201, "root": 201},
        create,
    )
    made = r["ordinary"].json()
    row = await nomination_row(db_conn, made["id"])
    # Someone else's nomination: no candidacy yet, not accepted, every acknowledgement False.
    assert row["nominator_id"] == actors["ordinary"].user_id and row["nominee_id"] is None
    assert (row["accepted"], row["approved"]) == (False, False)
    assert (row["coc_acknowledged"], row["mission_alignment"], row["eligibility_confirmed"]) == (
        False,
        False,
        False,
    )
    assert row["previous_board_service"] == "New board member"
    assert "<strong>Strong</strong>" in row["nomination_statement_html"]
    assert "<script>" not in row["nomination_statement_html"]
    assert 'href="https://www.python.org"' in row["nomination_statement_html"]
    assert made["url"] == f"/nominations/{slug}/{made['id']}/" and made["self_nomination"] is False
    assert made["email"] == "grace@example.org" and made["editable"] is True and made["acceptable"] is False
    assert await db_conn.fetchval("SELECT count(*) FROM nominees") == 0

    # Previous service: the years, sorted and once each; range 2001..this year for the board.
    this_year = datetime.now(UTC).year
    ordinary = actors["ordinary"]
    years = await nominate(client, ordinary, slug, previous_service_years=[2020, 2019, 2020])
    assert (await nomination_row(db_conn, years["id"]))["previous_board_service"] == "2019, 2020"
    before = await db_conn.fetchval("SELECT count(*) FROM nominations")
    for bad in ([2000], [this_year + 1]):
        r = await client.post(
            f"{BASE}/elections/{slug}/nominations",
            headers=ordinary.headers,
            json=nomination_body(previous_service_years=bad),
        )
        assert r.status_code == 400 and "previous_service_years" in r.json()["extra"], r.text
    missing = nomination_body()
    del missing["previous_service_years"]
    r = await client.post(f"{BASE}/elections/{slug}/nominations", headers=ordinary.headers, json=missing)
    assert r.status_code == 400 and "previous_service_years" in r.json()["extra"], r.text
    for field in ("name", "email", "employer", "nomination_statement"):
        r = await client.post(
            f"{BASE}/elections/{slug}/nominations",
            headers=ordinary.headers,
            json=nomination_body(**{field: " \n"}),
        )
        assert r.status_code == 400 and field in r.json()["extra"], r.text
    assert await db_conn.fetchval("SELECT count(*) FROM nominations") == before

    # Only while nominations are open: a 404 that says why; unknown elections are a 404 too.
    for window, word in (("future", "not open"), ("closed", "closed"), ("undated", "not open")):
        other = await make_election(client, actors, f"Board {window}", window)
        r = await client.post(
            f"{BASE}/elections/{other['slug']}/nominations", headers=ordinary.headers, json=nomination_body()
        )
        assert r.status_code == 404 and word in r.json()["detail"], r.text
    r = await client.post(
        f"{BASE}/elections/no-such/nominations", headers=ordinary.headers, json=nomination_body()
    )
    assert r.status_code == 404
    assert await db_conn.fetchval("SELECT count(*) FROM nominations") == before


async def test_self_nomination_rules_per_kind(client: Any, actors: Any, db_conn: Any) -> None:
    board = await make_election(client, actors, "2026 Board Election")
    pc_kind = await make_kind(client, actors, "Packaging Council", nomination_form="packaging_council")
    council = await make_election(client, actors, "2026 Packaging Council Election", kind=pc_kind["slug"])
    inaugural = await make_election(
        client,
        actors,
        "Inaugural Packaging Council Election",
        kind=pc_kind["slug"],
        hide_previous_service=True,
    )
    grace = await actors.create("grace")
    url = f"{BASE}/elections/{board['slug']}/nominations"

    # Self-nomination needs the account's first and last name; nothing is written without them.
    r = await client.post(
        url, headers=grace.headers, json=nomination_body(self_nomination=True, coc_acknowledged=True)
    )
    assert r.status_code == 400 and "self_nomination" in r.json()["extra"], r.text
    await name_user(db_conn, grace, "Grace", "Hopper")
    # The board form requires the code of conduct for a self-nomination.
    r = await client.post(url, headers=grace.headers, json=nomination_body(self_nomination=True))
    assert r.status_code == 400 and "coc_acknowledged" in r.json()["extra"], r.text
    assert await db_conn.fetchval("SELECT count(*) FROM nominations") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM nominees") == 0

    own = await nominate(
        client,
        grace,
        board["slug"],
        self_nomination=True,
        coc_acknowledged=True,
        mission_alignment=True,
        eligibility_confirmed=True,  # not asked by the board form: not stored
    )
    row = await nomination_row(db_conn, own["id"])
    assert (row["accepted"], row["approved"]) == (True, False)
    assert (row["coc_acknowledged"], row["mission_alignment"], row["eligibility_confirmed"]) == (
        True,
        True,
        False,
    )
    nominee = await db_conn.fetchrow("SELECT * FROM nominees WHERE id=$1", row["nominee_id"])
    assert nominee["user_id"] == grace.user_id and nominee["slug"] == "grace-hopper"
    assert (nominee["accepted"], nominee["approved"]) == (True, False)
    assert own["self_nomination"] is True and own["nominee_name"] == "Grace Hopper"
    assert own["nominee_url"] == f"/nominations/elections/{board['slug']}/nominees/grace-hopper/"
    # A second self-nomination reuses the candidacy.
    again = await nominate(client, grace, board["slug"], self_nomination=True, coc_acknowledged=True)
    assert (await nomination_row(db_conn, again["id"]))["nominee_id"] == nominee["id"]
    assert await db_conn.fetchval("SELECT count(*) FROM nominees") == 1

    # The Packaging Council form: the code of conduct and eligibility (PEP 772) both required;
    # its previous service runs from 2025 and has its own "new member" wording.
    pc_url = f"{BASE}/elections/{council['slug']}/nominations"
    r = await client.post(
        pc_url, headers=grace.headers, json=nomination_body(self_nomination=True, coc_acknowledged=True)
    )
    assert r.status_code == 400 and "eligibility_confirmed" in r.json()["extra"], r.text
    r = await client.post(pc_url, headers=grace.headers, json=nomination_body(previous_service_years=[2024]))
    assert r.status_code == 400 and "2025" in r.text, r.text
    pc = await nominate(
        client,
        grace,
        council["slug"],
        self_nomination=True,
        coc_acknowledged=True,
        eligibility_confirmed=True,
        mission_alignment=True,  # the board's statement: not on this form
    )
    row = await nomination_row(db_conn, pc["id"])
    assert (row["coc_acknowledged"], row["mission_alignment"], row["eligibility_confirmed"]) == (
        True,
        False,
        True,
    )
    assert row["previous_board_service"] == "New Packaging Council member"
    third = await nominate(
        client, actors["ordinary"], council["slug"], coc_acknowledged=True, eligibility_confirmed=True
    )
    row = await nomination_row(db_conn, third["id"])
    assert (row["coc_acknowledged"], row["eligibility_confirmed"]) == (False, False)

    # An election that hides previous service stores NULL and refuses an answer.
    hidden = dict(nomination_body())
    del hidden["previous_service_years"]
    r = await client.post(
        f"{BASE}/elections/{inaugural['slug']}/nominations", headers=grace.headers, json=hidden
    )
    assert r.status_code == 201, r.text
    assert (await nomination_row(db_conn, r.json()["id"]))["previous_board_service"] is None
    r = await client.post(
        f"{BASE}/elections/{inaugural['slug']}/nominations",
        headers=grace.headers,
        json=nomination_body(previous_service_years=[2025]),
    )
    assert r.status_code == 400 and "previous_service_years" in r.json()["extra"], r.text


# --- editing, accepting, approving ------------------------------------------------------------


async def test_edit_accept_review_matrices(client: Any, actors: Any, db_conn: Any) -> None:
    election = await make_election(client, actors, "2026 Board Election")
    slug = election["slug"]
    nominator = await actors.create("nominator")
    nominee = await actors.create("nominee")
    await name_user(db_conn, nominee, "Ada", "Lovelace")
    await actors.create("editor", permissions=("nominations.change_nomination",))
    await actors.create("approver", permissions=("nominations.approve_nomination",))
    await actors.create("nominee_admin", permissions=("nominations.change_nominee",))
    made = await nominate(client, nominator, slug, name="Ada Lovelace", email="ada@example.org")
    url = f"{BASE}/elections/{slug}/nominations/{made['id']}"

    # Staff approval links the nomination to the nominee's account (creating their candidacy).
    async def review(caller: str) -> tuple[str, str, Any]:
        return ("POST", f"{url}/review", {"approved": caller == "root", "nominee_user_id": nominee.user_id})

    async def reviewed(caller: str, response: Any) -> None:
        row = await nomination_row(db_conn, made["id"])
        candidacy = await db_conn.fetchrow("SELECT * FROM nominees WHERE id=$1", row["nominee_id"])
        assert candidacy["user_id"] == nominee.user_id and candidacy["slug"] == "ada-lovelace"
        assert candidacy["accepted"] is False and row["approved"] is (caller == "root")

    everyone = {
        "anonymous": 401,
        "ordinary": 403,
        "nominator": 403,
        "nominee": 403,
        "staffer": 403,
        "editor": 403,
        "nominee_admin": 403,
    }
    await check_permission_matrix(
        client, db_conn, actors.callers, {**everyone, "approver": 200, "root": 200}, review, changed=reviewed
    )
    assert await db_conn.fetchval("SELECT count(*) FROM nominees") == 1
    r = await client.post(
        f"{url}/review", headers=actors["approver"].headers, json={"nominee_user_id": 10**9}
    )
    assert r.status_code == 400 and "nominee_user_id" in r.json()["extra"], r.text
    await client.post(f"{url}/review", headers=actors["approver"].headers, json={"approved": False})

    # While open: the nominator (not yet accepted or approved), the nominee, and change_nomination.
    async def edit(caller: str) -> tuple[str, str, Any]:
        return ("PATCH", url, {"employer": f"Employer of {caller}", "previous_service_years": [2019]})

    async def edited(caller: str, response: Any) -> None:
        row = await nomination_row(db_conn, made["id"])
        assert (row["employer"], row["previous_board_service"]) == (f"Employer of {caller}", "2019")
        assert response.json()["employer"] == f"Employer of {caller}"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            **REFUSED,
            "approver": 403,
            "nominee_admin": 403,
            "nominator": 200,
            "nominee": 200,
            "editor": 200,
            "root": 200,
        },
        edit,
        changed=edited,
    )
    r = await client.patch(url, headers=nominator.headers, json={"nomination_statement": "*Changed*"})
    assert (
        r.status_code == 200
        and "<em>Changed</em>" in (await nomination_row(db_conn, made["id"]))["nomination_statement_html"]
    )

    # Only the nominee accepts, and only while open.
    async def accept(caller: str) -> tuple[str, str, Any]:
        return ("POST", f"{url}/accept", {"accepted": True})

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**everyone, "approver": 403, "root": 403, "nominee": 200},
        accept,
        changed=lambda caller, response: None,
    )
    assert (await nomination_row(db_conn, made["id"]))["accepted"] is True
    # Accepted: the nominator can no longer change it; the nominee still can.
    r = await client.patch(url, headers=nominator.headers, json={"employer": "Tampered"})
    assert r.status_code == 403
    r = await client.patch(url, headers=nominee.headers, json={"employer": "Analytical Engines"})
    assert r.status_code == 200 and r.json()["editable"] is True
    # A nominee can decline again.
    r = await client.post(f"{url}/accept", headers=nominee.headers, json={"accepted": False})
    assert r.status_code == 200 and (await nomination_row(db_conn, made["id"]))["accepted"] is False
    await client.post(f"{url}/accept", headers=nominee.headers, json={"accepted": True})

    # Staff accept and approve the nominee.
    nominee_id = (await nomination_row(db_conn, made["id"]))["nominee_id"]

    async def approve_nominee(caller: str) -> tuple[str, str, Any]:
        return ("PATCH", f"{BASE}/nominees/{nominee_id}", {"accepted": True, "approved": caller == "root"})

    async def nominee_reviewed(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow("SELECT accepted, approved FROM nominees WHERE id=$1", nominee_id)
        assert tuple(row) == (True, caller == "root")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**everyone, "approver": 403, "nominee_admin": 200, "root": 200},
        approve_nominee,
        changed=nominee_reviewed,
    )

    # After the close nobody but change_nomination edits, and nobody accepts (python.org's tests).
    await client.post(f"{url}/review", headers=actors["approver"].headers, json={"approved": True})
    await set_window(db_conn, slug, "closed")
    before = await nomination_row(db_conn, made["id"])
    for caller in (nominator, nominee):
        assert (await client.patch(url, headers=caller.headers, json={"name": "Tampered"})).status_code == 403
    assert (
        await client.post(f"{url}/accept", headers=nominee.headers, json={"accepted": False})
    ).status_code == 403
    assert await nomination_row(db_conn, made["id"]) == before
    # Another election's URL does not reach this nomination.
    other = await make_election(client, actors, "2026 Packaging Council Election")
    wrong = f"{BASE}/elections/{other['slug']}/nominations/{made['id']}"
    assert (await client.get(wrong, headers=actors["root"].headers)).status_code == 404
    assert (await client.patch(wrong, headers=nominee.headers, json={"name": "X"})).status_code == 404
    assert (
        await client.post(f"{wrong}/accept", headers=nominee.headers, json={"accepted": True})
    ).status_code == 404


async def test_hidden_previous_service_is_cleared_on_edit(client: Any, actors: Any, db_conn: Any) -> None:
    election = await make_election(client, actors, "Inaugural Election")
    made = await nominate(client, actors["ordinary"], election["slug"], previous_service_years=[2024])
    r = await client.patch(
        f"{BASE}/elections/{election['slug']}",
        headers=actors["root"].headers,
        json={"hide_previous_service": True},
    )
    assert r.status_code == 200
    url = f"{BASE}/elections/{election['slug']}/nominations/{made['id']}"
    r = await client.patch(url, headers=actors["ordinary"].headers, json={"employer": "PSF"})
    assert r.status_code == 200, r.text
    row = await nomination_row(db_conn, made["id"])
    assert row["previous_board_service"] is None and row["employer"] == "PSF"


# --- who sees what -------------------------------------------------------------------------------


async def test_visibility_of_nominations_and_nominees(client: Any, actors: Any, db_conn: Any) -> None:
    election = await make_election(client, actors, "2026 Board Election")
    slug = election["slug"]
    nominator = await actors.create("nominator")
    nominee = await actors.create("nominee")
    runner = await actors.create("runner")
    await name_user(db_conn, nominee, "Ada", "Lovelace")
    await name_user(db_conn, runner, "Grace", "Hopper")
    await actors.create("editor", permissions=("nominations.change_nomination",))
    made = await nominate(client, nominator, slug, employer="Analytical Engines")
    url = f"{BASE}/elections/{slug}/nominations/{made['id']}"
    approver = actors["root"].headers
    await client.post(
        f"{url}/review", headers=approver, json={"approved": True, "nominee_user_id": nominee.user_id}
    )
    await client.post(f"{url}/accept", headers=nominee.headers, json={"accepted": True})
    own = await nominate(client, runner, slug, self_nomination=True, coc_acknowledged=True, employer="Navy")
    nominee_id = (await nomination_row(db_conn, made["id"]))["nominee_id"]
    runner_id = (await nomination_row(db_conn, own["id"]))["nominee_id"]
    for candidacy in (nominee_id, runner_id):
        r = await client.patch(
            f"{BASE}/nominees/{candidacy}", headers=approver, json={"accepted": True, "approved": True}
        )
        assert r.status_code == 200, r.text

    # While open: the nomination is the nominator's, the nominee's and staff's.
    seen = {
        name: (await client.get(url, headers=actors[name].headers)).status_code
        for name in ("anonymous", "ordinary", "runner", "nominator", "nominee", "staffer", "editor", "root")
    }
    assert seen == {
        "anonymous": 404,
        "ordinary": 404,
        "runner": 404,
        "nominator": 200,
        "nominee": 200,
        "staffer": 200,
        "editor": 200,
        "root": 200,
    }
    # Nominees while open: anonymous nothing, a user only their own candidacy in this election,
    # a superuser the accepted and approved ones.
    nominees_url = f"{BASE}/elections/{slug}/nominees"
    assert (await client.get(nominees_url)).json()["data"] == []
    assert (await client.get(nominees_url, headers=actors["ordinary"].headers)).json()["data"] == []
    listed = (await client.get(nominees_url, headers=nominee.headers)).json()["data"]
    assert [n["name"] for n in listed] == ["Ada Lovelace"]
    listed = (await client.get(nominees_url, headers=actors["root"].headers)).json()["data"]
    assert [n["slug"] for n in listed] == ["ada-lovelace", "grace-hopper"]
    detail = f"{nominees_url}/ada-lovelace"
    assert (await client.get(detail)).status_code == 404
    assert (await client.get(detail, headers=runner.headers)).status_code == 404
    assert (await client.get(detail, headers=actors["staffer"].headers)).status_code == 200
    assert (await client.get(detail, headers=nominee.headers)).status_code == 200
    assert (await client.get(f"{nominees_url}/nobody", headers=actors["root"].headers)).status_code == 404

    # After the close: accepted and approved ones are public, without the nominee's e-mail.
    await set_window(db_conn, slug, "closed")
    public = await client.get(url)
    assert public.status_code == 200 and public.json()["email"] is None
    assert (await client.get(url, headers=nominator.headers)).json()["email"] == "grace@example.org"
    listed = (await client.get(nominees_url)).json()
    assert [n["slug"] for n in listed["data"]] == ["ada-lovelace", "grace-hopper"]
    ada = (await client.get(detail)).json()
    assert ada["url"] == f"/nominations/elections/{slug}/nominees/ada-lovelace/"
    assert [n["id"] for n in ada["nominations_received"]] == [made["id"]] and ada["self_nomination"] is None
    assert ada["display_employer"] == "Analytical Engines"
    grace = (await client.get(f"{nominees_url}/grace-hopper")).json()
    assert grace["self_nomination"]["id"] == own["id"] and grace["nominations_received"] == []
    assert (
        grace["display_employer"] == "Navy" and grace["display_previous_board_service"] == "New board member"
    )
    # An unapproved nomination stays private; an unapproved nominee leaves the list.
    await client.post(f"{url}/review", headers=approver, json={"approved": False})
    assert (await client.get(url)).status_code == 404
    assert (await client.get(detail)).json()["nominations_received"] == []
    await client.patch(f"{BASE}/nominees/{runner_id}", headers=approver, json={"approved": False})
    assert [n["slug"] for n in (await client.get(nominees_url)).json()["data"]] == ["ada-lovelace"]
    assert (await client.get(f"{nominees_url}/grace-hopper")).status_code == 404
    assert (await client.get(f"{nominees_url}/grace-hopper", headers=runner.headers)).status_code == 200
    assert (await client.get(f"{BASE}/elections/no-such/nominees")).status_code == 404

    # Staff list every nomination of an election.
    assert (await client.get(f"{BASE}/elections/{slug}/nominations")).status_code == 401
    assert (
        await client.get(f"{BASE}/elections/{slug}/nominations", headers=nominator.headers)
    ).status_code == 403
    everything = (
        await client.get(f"{BASE}/elections/{slug}/nominations", headers=actors["staffer"].headers)
    ).json()
    assert [n["id"] for n in everything["data"]] == [made["id"], own["id"]]


async def test_statement_preview_matches_the_stored_rendering(client: Any, actors: Any, db_conn: Any) -> None:
    election = await make_election(client, actors, "2026 Board Election")

    async def preview(caller: str) -> tuple[str, str, Any]:
        return ("POST", f"{BASE}/statement-preview", {"text": STATEMENT})

    def rendered(caller: str, response: Any) -> None:
        assert (
            "<strong>Strong</strong>" in response.json()["html"] and "<script>" not in response.json()["html"]
        )

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 200, "staffer": 200, "root": 200},
        preview,
        changed=rendered,
    )
    made = await nominate(client, actors["ordinary"], election["slug"])
    stored = (await nomination_row(db_conn, made["id"]))["nomination_statement_html"]
    assert r["ordinary"].json()["html"] == stored


async def test_my_nominations_and_deletions(client: Any, actors: Any, db_conn: Any) -> None:
    old = await make_election(client, actors, "2025 Board Election", date="2025-09-01")
    new = await make_election(client, actors, "2026 Board Election", date="2026-09-01")
    me = await actors.create("me")
    await name_user(db_conn, me, "Ada", "Lovelace")
    friend = await actors.create("friend")
    made_old = await nominate(client, me, old["slug"])
    own_new = await nominate(client, me, new["slug"], self_nomination=True, coc_acknowledged=True)
    by_friend = await nominate(client, friend, new["slug"], name="Ada Lovelace")
    await client.post(
        f"{BASE}/elections/{new['slug']}/nominations/{by_friend['id']}/review",
        headers=actors["root"].headers,
        json={"nominee_user_id": me.user_id},
    )
    assert (await client.get(f"{BASE}/mine")).status_code == 401
    mine = (await client.get(f"{BASE}/mine", headers=me.headers)).json()["data"]
    assert [part["election"]["slug"] for part in mine] == [new["slug"], old["slug"]]
    assert [n["id"] for n in mine[0]["received"]] == [own_new["id"], by_friend["id"]]
    assert [n["id"] for n in mine[0]["made"]] == [own_new["id"]]
    assert mine[0]["received"][1]["acceptable"] is True and mine[0]["received"][1]["editable"] is True
    assert [n["id"] for n in mine[1]["made"]] == [made_old["id"]] and mine[1]["received"] == []
    assert (await client.get(f"{BASE}/mine", headers=actors["ordinary"].headers)).json()["data"] == []

    # A nomination outlives its nominator's account; a deleted nominee's candidacy goes, with
    # the nominations made for it.
    r = await client.delete("/api/v3/users/me", headers=friend.headers)
    assert r.status_code in (200, 204), r.text
    assert (await nomination_row(db_conn, by_friend["id"]))["nominator_id"] is None
    r = await client.delete("/api/v3/users/me", headers=me.headers)
    assert r.status_code in (200, 204), r.text
    assert await db_conn.fetchval("SELECT count(*) FROM nominees") == 0
    remaining = await db_conn.fetch("SELECT id, nominator_id FROM nominations ORDER BY id")
    assert [tuple(r) for r in remaining] == [(made_old["id"], None)]
    # Deleting an election deletes what was nominated in it.
    await client.delete(f"{BASE}/elections/{old['slug']}", headers=actors["root"].headers)
    assert await db_conn.fetchval("SELECT count(*) FROM nominations") == 0


# --- the Django import --------------------------------------------------------------------------


def _fixture() -> list[dict[str, Any]]:
    def user(pk: int, username: str, first: str, last: str) -> dict[str, Any]:
        fields = {
            "username": username,
            "email": f"{username}@example.org",
            "first_name": first,
            "last_name": last,
        }
        return {"model": "users.user", "pk": pk, "fields": fields}

    def nomination(pk: int, **fields: Any) -> dict[str, Any]:
        base = {
            "election": 1,
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "previous_board_service": "New board member",
            "employer": "Analytical Engines",
            "other_affiliations": None,
            "nomination_statement": "**Yes.** <script>x()</script>",
            "nomination_statement_markup_type": "markdown",
            "_nomination_statement_rendered": "<script>x()</script>",
            "nominator": 10,
            "nominee": 1,
            "accepted": True,
            "approved": True,
            "coc_acknowledged": False,
            "mission_alignment": False,
            "eligibility_confirmed": False,
        }
        return {"model": "nominations.nomination", "pk": pk, "fields": {**base, **fields}}

    return [
        user(10, "nominator", "Grace", "Hopper"),
        user(11, "ada", "Ada", "Lovelace"),
        {
            "model": "nominations.electionkind",
            "pk": 1,
            "fields": {
                "name": "Packaging Council",
                "slug": "stale",
                "accent_color": "#6f42c1",
                "nomination_form": "packaging_council",
            },
        },
        {
            "model": "nominations.electionkind",
            "pk": 2,
            "fields": {"name": "Colourful", "accent_color": "red"},
        },
        {
            "model": "nominations.election",
            "pk": 1,
            "fields": {
                "name": "2025 Board Election",
                "slug": "old-slug",
                "date": "2025-09-01",
                "kind": None,
                "nominations_open_at": "2025-07-01T00:00:00Z",
                "nominations_close_at": "2025-08-01T00:00:00Z",
                "description": "*Vote*",
                "description_markup_type": "markdown",
                "hide_previous_service": False,
            },
        },
        {
            "model": "nominations.election",
            "pk": 2,
            "fields": {"name": "2025 Board  Election!", "date": "2025-09-02", "kind": 1},
        },
        {
            "model": "nominations.nominee",
            "pk": 1,
            "fields": {"election": 1, "user": 11, "accepted": True, "approved": True, "slug": "ada-lovelace"},
        },
        {
            "model": "nominations.nominee",
            "pk": 2,
            "fields": {"election": 1, "user": 11, "accepted": True, "approved": True},
        },
        nomination(1),
        nomination(2, election=2),
        nomination(3, nominee=None, nominator=11, coc_acknowledged=True),
    ]


async def test_django_import_and_verify(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    from pydotorg.core.db import transaction
    from pydotorg.django_import import importer

    objects = _fixture()
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert sorted((f.label, f.pk) for f in report.failures) == [
        ("nominations.election", 2),  # its name gives the slug of election 1
        ("nominations.electionkind", 2),  # not #rrggbb
        ("nominations.nomination", 2),  # election 2 was not imported
        ("nominations.nominee", 2),  # the user already stands in election 1
    ], report.failures
    kind = await db_conn.fetchrow("SELECT slug, accent_color, nomination_form FROM election_kinds WHERE id=1")
    assert tuple(kind) == ("packaging-council", "#6f42c1", "packaging_council")
    election = await db_conn.fetchrow("SELECT slug, description_html FROM elections WHERE id=1")
    assert election["slug"] == "2025-board-election" and "<em>Vote</em>" in election["description_html"]
    rows = await db_conn.fetch(
        "SELECT id, nominee_id, nominator_id, nomination_statement_html FROM nominations ORDER BY id"
    )
    assert [(r["id"], r["nominee_id"], r["nominator_id"]) for r in rows] == [(1, 1, 10), (3, None, 11)]
    assert all(
        "<script>" not in r["nomination_statement_html"]
        and "<strong>Yes.</strong>" in r["nomination_statement_html"]
        for r in rows
    )
    assert await db_conn.fetchval("SELECT slug FROM nominees WHERE id=1") == "ada-lovelace"
    changes = await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='nominations'")
    assert changes == 5  # a kind, an election, a nominee and two nominations
    async with transaction(sessionmaker) as session:
        checks = await importer.verify(session, objects)
        await session.rollback()
    nominations = {c.label: c for c in checks if c.label.startswith("nominations.")}
    assert sorted(nominations) == [
        "nominations.election",
        "nominations.electionkind",
        "nominations.nomination",
        "nominations.nominee",
    ]
    assert all(c.ok for c in nominations.values()), [(c.label, c.examples) for c in nominations.values()]
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects)
    assert sum(n for label, n in again.written.items() if label.startswith("nominations.")) == 0
