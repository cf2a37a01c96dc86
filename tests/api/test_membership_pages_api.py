"""What the membership pages (``/users/membership/...``) rely on beyond tests/api/test_membership.py:
python.org's honeypot on the membership create and edit forms, and the create-then-edit round
trip the pages make (the code-of-conduct answer is fixed once given)."""

from __future__ import annotations

from typing import Any

from tests.api.test_membership import URL, VALID
from tests.helpers import assert_no_more_mail, check_permission_matrix, db_fingerprint

# Memberships are reached only through /users/me: no named permission reaches another's.
CALLERS = ("anonymous", "ordinary", "staffer", "root")


async def _row(db_conn: Any, user_id: int) -> Any:
    return await db_conn.fetchrow("SELECT * FROM memberships WHERE creator_id=$1", user_id)


async def test_filled_honeypot_refuses_create_and_stores_nothing(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    before = await db_fingerprint(db_conn)
    body = {**VALID, "psf_announcements": True, "website": "http://spam.example"}
    r = await client.post(URL, json=body, headers=actors["ordinary"].headers)
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {"website": ["Invalid submission."]}
    assert await db_fingerprint(db_conn) == before
    await assert_no_more_mail(mailer, 0)


async def test_empty_honeypot_is_not_stored(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    r = await client.post(URL, json={**VALID, "website": ""}, headers=me.headers)
    assert r.status_code == 201, r.text
    assert "website" not in r.json()
    row = await _row(db_conn, me.user_id)
    assert (row["legal_name"], row["psf_code_of_conduct"]) == (VALID["legal_name"], True)


async def test_filled_honeypot_refuses_edit_and_changes_nothing(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    assert (await client.post(URL, json=VALID, headers=me.headers)).status_code == 201
    before = await db_fingerprint(db_conn)
    r = await client.patch(
        URL, json={"city": "Paris", "psf_announcements": True, "website": "x"}, headers=me.headers
    )
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {"website": ["Invalid submission."]}
    assert await db_fingerprint(db_conn) == before
    assert (await _row(db_conn, me.user_id))["city"] == VALID["city"]
    await assert_no_more_mail(mailer, 0)


async def test_edit_cannot_change_the_code_of_conduct_answer(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    assert (await client.post(URL, json=VALID, headers=me.headers)).status_code == 201
    before = await db_fingerprint(db_conn)
    r = await client.patch(URL, json={"psf_code_of_conduct": False}, headers=me.headers)
    assert r.status_code == 400, r.text
    assert "psf_code_of_conduct" in r.text
    assert await db_fingerprint(db_conn) == before
    assert (await _row(db_conn, me.user_id))["psf_code_of_conduct"] is True


async def test_honeypot_edit_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """Every caller with a membership is refused a filled honeypot; anonymous is asked to log in."""
    for name in CALLERS[1:]:
        r = await client.post(URL, json=VALID, headers=actors[name].headers)
        assert r.status_code == 201, (name, r.text)
    await check_permission_matrix(
        client,
        db_conn,
        actors,
        {"anonymous": 401, "ordinary": 400, "staffer": 400, "root": 400},
        ("PATCH", URL, {"city": "Paris", "website": "x"}),
    )


async def test_page_round_trip_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """What the edit page sends (every field, an empty honeypot) changes only the caller's own
    membership; anonymous callers get 401 and the log-in redirect."""
    for name in CALLERS[1:]:
        r = await client.post(URL, json=VALID, headers=actors[name].headers)
        assert r.status_code == 201, (name, r.text)
    page_body = {k: v for k, v in VALID.items() if k != "psf_code_of_conduct"}

    async def stored(name: str, response: Any) -> None:
        assert response.json()["city"] == "Paris"
        assert response.json()["username"] == actors[name].username
        cities = dict(
            await db_conn.fetch(
                "SELECT u.username, m.city FROM memberships m JOIN users u ON u.id = m.creator_id"
            )
        )
        assert cities[actors[name].username] == "Paris"
        assert cities["ordinary"] == "Paris"  # the first caller changed only its own
        if name == "ordinary":
            assert sorted(c for u, c in cities.items() if u != "ordinary") == [VALID["city"]] * 2

    await check_permission_matrix(
        client,
        db_conn,
        actors,
        {"anonymous": 401, "ordinary": 200, "staffer": 200, "root": 200},
        ("PATCH", URL, {**page_body, "city": "Paris", "website": ""}),
        changed=stored,
    )
