"""The public profile list the site builds ``/users/<username>/`` from
(GET /api/v3/profiles, GET /api/v3/profiles/{id}): only searchable accounts, only what a public
profile shows, the address only with ``email_privacy`` 0, and the same answer for every caller."""

from __future__ import annotations

from typing import Any

import pytest

ME = "/api/v3/users/me"
LIST = "/api/v3/profiles"
PROFILE_KEYS = {
    "id",
    "username",
    "first_name",
    "last_name",
    "bio_html",
    "date_joined",
    "has_membership",
    "email_privacy",
    "email",
}
MEMBERSHIP = {
    "legal_name": "Ada Lovelace",
    "preferred_name": "Ada",
    "email_address": "ada@example.org",
    "city": "London",
    "region": "Greater London",
    "country": "UK",
    "postal_code": "W1",
    "psf_code_of_conduct": True,
}


async def _listed(client: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = await client.get(LIST, params={"limit": 1000}, headers=headers or {})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["total"] == len(body["data"])
    return {p["username"]: p for p in body["data"]}


async def test_list_shows_what_the_profile_page_shows(client: Any, actors: Any, db_conn: Any) -> None:
    target = await actors.create("target")
    r = await client.patch(
        ME,
        json={"first_name": "Tim", "last_name": "<Peters>", "bio": "*zen* <script>x</script>"},
        headers=target.headers,
    )
    assert r.status_code == 200, r.text
    row = await db_conn.fetchrow(
        "SELECT first_name, last_name, bio_html FROM users WHERE id=$1", target.user_id
    )

    listed = await _listed(client)
    assert set(listed) == {"ordinary", "staffer", "root", "target"}
    profile = listed["target"]
    assert set(profile) == PROFILE_KEYS
    assert profile["id"] == target.user_id
    assert (profile["first_name"], profile["last_name"]) == ("Tim", "<Peters>")
    assert profile["bio_html"] == row["bio_html"]
    assert "<script>" not in profile["bio_html"]
    assert profile["has_membership"] is False
    assert (profile["email_privacy"], profile["email"]) == (2, None)
    assert "target@example.org" not in str(listed)

    r = await client.get(f"{LIST}/{target.user_id}")
    assert r.status_code == 200, r.text
    assert r.json() == profile

    r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP, headers=target.headers)
    assert r.status_code == 201, r.text
    assert (await client.get(f"{LIST}/{target.user_id}")).json()["has_membership"] is True
    assert (await _listed(client))["target"]["has_membership"] is True


async def test_list_is_paginated_in_id_order(client: Any, actors: Any) -> None:
    for n in range(3):
        await actors.create(f"extra{n}")
    r = await client.get(LIST, params={"limit": 2, "offset": 0})
    first = r.json()
    assert first["meta"] == {"total": 6, "limit": 2, "offset": 0}
    r = await client.get(LIST, params={"limit": 2, "offset": 4})
    last = r.json()
    assert [p["username"] for p in first["data"] + last["data"]] == [
        "ordinary",
        "staffer",
        "extra1",
        "extra2",
    ]
    assert (await client.get(LIST, params={"limit": 0})).status_code == 400
    assert (await client.get(LIST, params={"limit": 1001})).status_code == 400


@pytest.mark.parametrize(
    ("column", "value"),
    [("is_active", False), ("public_profile", False), ("search_visibility", 0)],
)
async def test_non_searchable_users_never_appear(
    client: Any, actors: Any, db_conn: Any, column: str, value: Any
) -> None:
    target = await actors.create("target")
    await db_conn.execute("UPDATE users SET first_name='Secret', email_privacy=0 WHERE id=$1", target.user_id)
    await db_conn.execute(f"UPDATE users SET {column}=$1 WHERE id=$2", value, target.user_id)
    viewer = await actors.create("viewer", permissions=("users.view_user",))
    # Not for anyone: the list is the public view even for staff, superusers and the owner.
    callers = [actors["anonymous"], actors["ordinary"], actors["staffer"], viewer, actors["root"]]
    if column != "is_active":
        callers.append(target)
    for caller in callers:
        r = await client.get(LIST, params={"limit": 1000}, headers=caller.headers)
        assert r.status_code == 200, (caller.name, r.text)
        assert "target" not in {p["username"] for p in r.json()["data"]}, caller.name
        assert "Secret" not in r.text and "target@example.org" not in r.text
        assert r.json()["meta"]["total"] == len(r.json()["data"])
        r = await client.get(f"{LIST}/{target.user_id}", headers=caller.headers)
        assert r.status_code == 404, (caller.name, r.text)
        assert "Secret" not in r.text
    # Searchable again: listed again.
    await db_conn.execute(
        f"UPDATE users SET {column}=$1 WHERE id=$2",
        1 if column == "search_visibility" else True,
        target.user_id,
    )
    assert (await _listed(client))["target"]["first_name"] == "Secret"


async def test_privacy_edits_through_the_api_take_the_profile_out(
    client: Any, actors: Any, db_conn: Any
) -> None:
    target = await actors.create("target")
    for change, listed in (
        ({"search_visibility": 0}, False),
        ({"search_visibility": 1}, True),
        ({"public_profile": False}, False),
        ({"public_profile": True}, True),
    ):
        r = await client.patch(ME, json=change, headers=target.headers)
        assert r.status_code == 200, r.text
        row = await db_conn.fetchrow(
            "SELECT search_visibility, public_profile FROM users WHERE id=$1", target.user_id
        )
        key, value = next(iter(change.items()))
        assert row[key] == value
        assert ("target" in await _listed(client)) is listed, change
        status = (await client.get(f"{LIST}/{target.user_id}")).status_code
        assert status == (200 if listed else 404), change


@pytest.mark.parametrize(("privacy", "shown"), [(0, True), (1, False), (2, False)])
async def test_email_only_when_anyone_may_see_it(
    client: Any, actors: Any, db_conn: Any, privacy: int, shown: bool
) -> None:
    target = await actors.create("target")
    r = await client.patch(ME, json={"email_privacy": privacy}, headers=target.headers)
    assert r.status_code == 200, r.text
    assert await db_conn.fetchval("SELECT email_privacy FROM users WHERE id=$1", target.user_id) == privacy
    # The list is the same public view for anonymous and logged-in callers (a static page has
    # one content for everyone; the page's script asks for a logged-in visitor's view).
    for caller in (actors["anonymous"], actors["ordinary"], target):
        profile = (await _listed(client, caller.headers))["target"]
        assert profile["email_privacy"] == privacy
        assert profile["email"] == ("target@example.org" if shown else None), caller.name
        one = (await client.get(f"{LIST}/{target.user_id}", headers=caller.headers)).json()
        assert one == profile


async def test_deleted_account_is_gone_from_the_list(client: Any, actors: Any, db_conn: Any) -> None:
    target = await actors.create("target")
    assert "target" in await _listed(client)
    r = await client.delete(ME, headers=target.headers)
    assert r.status_code == 204, r.text
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", target.user_id) == 0
    assert "target" not in await _listed(client)
    assert (await client.get(f"{LIST}/{target.user_id}")).status_code == 404
    assert (await client.get(f"{LIST}/0")).status_code == 400


async def test_deleting_an_account_puts_what_pointed_at_it_in_the_feed(
    client: Any, actors: Any, db_conn: Any
) -> None:
    """The foreign keys decide (jobs, nominations made for others: kept without the person; their
    own candidacy and the nominations for it: deleted), and each affected record is in the change
    feed so the site rebuilds or deletes its page."""
    from tests.api.test_jobs import job_body
    from tests.api.test_nominations import make_election, name_user, nominate

    root = actors["root"].headers
    for path, body in (
        ("/api/v3/jobs/categories", {"name": "Software Developer", "slug": "software-developer"}),
        ("/api/v3/jobs/types", {"name": "Web", "slug": "web"}),
    ):
        assert (await client.post(path, json=body, headers=root)).status_code == 201
    ada = await actors.create("ada")
    await name_user(db_conn, ada, "Ada", "Lovelace")
    r = await client.post("/api/v3/jobs", json=job_body(job_types=["web"]), headers=ada.headers)
    assert r.status_code == 201, r.text
    job_id = r.json()["id"]
    board = await make_election(client, actors, "2026 Board Election")
    own = await nominate(client, ada, board["slug"], self_nomination=True, coc_acknowledged=True)
    for_other = await nominate(client, ada, board["slug"])
    r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP, headers=ada.headers)
    assert r.status_code == 201, r.text
    nominee_id = await db_conn.fetchval("SELECT nominee_id FROM nominations WHERE id=$1", own["id"])
    membership_id = await db_conn.fetchval("SELECT id FROM memberships WHERE creator_id=$1", ada.user_id)
    cursor = await db_conn.fetchval("SELECT max(cursor) FROM changes")

    r = await client.delete(ME, headers=ada.headers)
    assert r.status_code == 204, r.text
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", ada.user_id) == 0
    assert await db_conn.fetchval("SELECT creator_id FROM jobs WHERE id=$1", job_id) is None
    assert await db_conn.fetchval("SELECT nominator_id FROM nominations WHERE id=$1", for_other["id"]) is None
    assert await db_conn.fetchval("SELECT count(*) FROM nominations WHERE id=$1", own["id"]) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM nominees WHERE id=$1", nominee_id) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM memberships WHERE id=$1", membership_id) == 0
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1 ORDER BY cursor", cursor
    )
    fed = {(r["domain"], r["kind"], r["object_id"], r["action"]) for r in rows}
    assert fed == {
        ("users", "user", str(ada.user_id), "deleted"),
        ("users", "membership", str(membership_id), "deleted"),
        ("jobs", "job", str(job_id), "updated"),
        ("nominations", "nomination", str(own["id"]), "deleted"),
        ("nominations", "nomination", str(for_other["id"]), "updated"),
        ("nominations", "nominee", str(nominee_id), "deleted"),
    }


async def test_profile_form_honeypot_refuses_and_stores_nothing(
    client: Any, actors: Any, db_conn: Any
) -> None:
    from tests.helpers import db_fingerprint

    me = actors["ordinary"]
    before = await db_fingerprint(db_conn)
    r = await client.patch(
        ME, json={"first_name": "Bot", "website": "http://spam.example"}, headers=me.headers
    )
    assert r.status_code == 400, r.text
    assert "website" in r.text
    assert await db_fingerprint(db_conn) == before
    r = await client.patch(ME, json={"first_name": "Person", "website": ""}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert await db_conn.fetchval("SELECT first_name FROM users WHERE id=$1", me.user_id) == "Person"
