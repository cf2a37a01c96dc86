"""PSF Basic membership: /api/v3/users/me/membership (create, read, edit, affirm, delete), the
announcements subscription mail and the staff list /api/v3/memberships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers import assert_no_more_mail, check_permission_matrix, db_fingerprint, wait_for_mail

URL = "/api/v3/users/me/membership"
PSF_LIST = "psf-members-announce-request@python.org"
VALID = {
    "legal_name": "Augusta Ada King",
    "preferred_name": "Ada",
    "email_address": "ada.member@example.org",
    "city": "London",
    "region": "Greater London",
    "country": "United Kingdom",
    "postal_code": "W1J 7NT",
    "psf_code_of_conduct": True,
}
REQUIRED = [
    "legal_name",
    "preferred_name",
    "email_address",
    "city",
    "region",
    "country",
    "postal_code",
    "psf_code_of_conduct",
]
READ_KEYS = {
    "id",
    "membership_type",
    "membership_type_name",
    "legal_name",
    "preferred_name",
    "email_address",
    "city",
    "region",
    "country",
    "postal_code",
    "psf_code_of_conduct",
    "psf_announcements",
    "votes",
    "last_vote_affirmation",
    "needs_vote_affirmation",
    "higher_level_member",
    "created",
    "updated",
    "username",
}


async def _row(db_conn: Any, user_id: int) -> Any:
    return await db_conn.fetchrow("SELECT * FROM memberships WHERE creator_id=$1", user_id)


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _no_more_mail(mailer: Any, count: int) -> None:
    await assert_no_more_mail(mailer, count)


async def test_create_read_and_store(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    assert (await client.get(URL, headers=me.headers)).status_code == 404
    r = await client.post(URL, json=VALID, headers=me.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == READ_KEYS
    for key, value in VALID.items():
        assert body[key] == value, key
    assert body["membership_type"] == 0 and body["membership_type_name"] == "Basic"
    assert body["psf_announcements"] is False
    assert body["votes"] is False and body["last_vote_affirmation"] is None
    assert body["needs_vote_affirmation"] is False and body["higher_level_member"] is False
    assert body["username"] == "ordinary"

    row = await _row(db_conn, me.user_id)
    assert row["id"] == body["id"]
    for key, value in VALID.items():
        assert row[key] == value, key
    assert row["membership_type"] == 0
    assert row["psf_announcements"] is False and row["votes"] is False
    assert row["last_vote_affirmation"] is None
    assert row["created"] == row["updated"] == _ts(body["created"])

    r = await client.get(URL, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json() == body
    me_body = (await client.get("/api/v3/users/me", headers=me.headers)).json()
    assert me_body["has_membership"] is True
    # Someone else still has none.
    assert (await client.get(URL, headers=actors["staffer"].headers)).status_code == 404


async def test_votes_on_create_sets_the_affirmation(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    r = await client.post(URL, json={**VALID, "votes": True}, headers=me.headers)
    assert r.status_code == 201, r.text
    row = await _row(db_conn, me.user_id)
    assert row["votes"] is True
    assert row["last_vote_affirmation"] == _ts(r.json()["last_vote_affirmation"])
    assert row["last_vote_affirmation"] > datetime.now(UTC) - timedelta(minutes=1)
    assert r.json()["needs_vote_affirmation"] is False


@pytest.mark.parametrize("field", REQUIRED)
async def test_every_field_is_required(client: Any, actors: Any, db_conn: Any, field: str) -> None:
    before = await db_fingerprint(db_conn)
    body = {k: v for k, v in VALID.items() if k != field}
    r = await client.post(URL, json=body, headers=actors["ordinary"].headers)
    assert r.status_code == 400, r.text
    assert f"`{field}`" in r.text
    if field != "psf_code_of_conduct":
        r = await client.post(URL, json={**VALID, field: ""}, headers=actors["ordinary"].headers)
        assert r.status_code == 400, r.text
        (error,) = r.json()["extra"]
        assert error["key"] == field, error
    assert await db_fingerprint(db_conn) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email_address": "not an address"}, "email_address"),
        ({"email_address": "a@" + "b" * 95 + ".org"}, "email_address"),
        ({"legal_name": "x" * 101}, "legal_name"),
        ({"postal_code": "1" * 21}, "postal_code"),
        ({"votes": "yes"}, "votes"),
        ({"psf_code_of_conduct": None}, "psf_code_of_conduct"),
        ({"membership_type": 5}, "membership_type"),
        ({"creator_id": 1}, "creator_id"),
    ],
)
async def test_create_rejects_bad_fields(
    client: Any, actors: Any, db_conn: Any, body: dict[str, Any], field: str
) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.post(URL, json={**VALID, **body}, headers=actors["ordinary"].headers)
    assert r.status_code == 400, r.text
    (error,) = r.json()["extra"]
    assert error["key"] == field or f"`{field}`" in error["message"], error
    assert await db_fingerprint(db_conn) == before


async def test_code_of_conduct_must_be_agreed(client: Any, actors: Any, db_conn: Any) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.post(
        URL, json={**VALID, "psf_code_of_conduct": False}, headers=actors["ordinary"].headers
    )
    assert r.status_code == 400, r.text
    assert r.json()["detail"] == "Agreeing to the code of conduct is required."
    assert r.json()["extra"] == {"field": "psf_code_of_conduct"}
    assert await db_fingerprint(db_conn) == before


async def test_second_create_conflicts(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    first = await client.post(URL, json=VALID, headers=me.headers)
    assert first.status_code == 201, first.text
    before = await db_fingerprint(db_conn)
    r = await client.post(URL, json={**VALID, "legal_name": "Someone Else"}, headers=me.headers)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "You already have a PSF membership; edit it instead."
    assert await db_fingerprint(db_conn) == before
    assert await db_conn.fetchval("SELECT count(*) FROM memberships") == 1
    assert (await _row(db_conn, me.user_id))["legal_name"] == VALID["legal_name"]


async def test_update_and_vote_affirmation_is_set_once(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    assert (await client.patch(URL, json={"city": "X"}, headers=me.headers)).status_code == 404
    created = await client.post(URL, json=VALID, headers=me.headers)
    assert created.status_code == 201, created.text

    r = await client.patch(URL, json={"city": "Cambridge", "votes": True}, headers=me.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["city"] == "Cambridge" and body["votes"] is True
    assert body["needs_vote_affirmation"] is False
    row = await _row(db_conn, me.user_id)
    assert row["city"] == "Cambridge" and row["votes"] is True
    first_affirmation = row["last_vote_affirmation"]
    assert first_affirmation is not None
    assert first_affirmation == _ts(body["last_vote_affirmation"])
    assert row["updated"] > row["created"]
    assert row["legal_name"] == VALID["legal_name"]  # untouched

    # Later edits (even re-sending votes=true) keep the first affirmation.
    for change in ({"country": "France"}, {"votes": True}, {"votes": False}, {"votes": True}):
        r = await client.patch(URL, json=change, headers=me.headers)
        assert r.status_code == 200, (change, r.text)
        row = await _row(db_conn, me.user_id)
        assert row["last_vote_affirmation"] == first_affirmation, change
    assert row["country"] == "France" and row["votes"] is True

    # The code of conduct answer cannot be changed; bad values change nothing.
    before = await db_fingerprint(db_conn)
    for bad in (
        {"psf_code_of_conduct": False},
        {"city": ""},
        {"email_address": "nope"},
        {"legal_name": "x" * 101},
    ):
        r = await client.patch(URL, json=bad, headers=me.headers)
        assert r.status_code == 400, (bad, r.text)
    assert await db_fingerprint(db_conn) == before


async def test_affirm_vote(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    r = await client.post(f"{URL}/affirm", headers=me.headers)
    assert r.status_code == 404, r.text
    assert (await client.post(URL, json=VALID, headers=me.headers)).status_code == 201

    r = await client.post(f"{URL}/affirm", headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["votes"] is True and r.json()["needs_vote_affirmation"] is False
    row = await _row(db_conn, me.user_id)
    assert row["votes"] is True
    assert row["last_vote_affirmation"] == _ts(r.json()["last_vote_affirmation"])

    # An affirmation older than 366 days needs renewing; affirming renews it.
    stale = datetime.now(UTC) - timedelta(days=367)
    await db_conn.execute(
        "UPDATE memberships SET last_vote_affirmation=$1 WHERE creator_id=$2", stale, me.user_id
    )
    r = await client.get(URL, headers=me.headers)
    assert r.json()["needs_vote_affirmation"] is True
    r = await client.post(f"{URL}/affirm", headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["needs_vote_affirmation"] is False
    row = await _row(db_conn, me.user_id)
    assert row["last_vote_affirmation"] > datetime.now(UTC) - timedelta(minutes=1)
    assert row["updated"] == row["last_vote_affirmation"]

    recent = datetime.now(UTC) - timedelta(days=365)
    await db_conn.execute(
        "UPDATE memberships SET last_vote_affirmation=$1 WHERE creator_id=$2", recent, me.user_id
    )
    assert (await client.get(URL, headers=me.headers)).json()["needs_vote_affirmation"] is False


async def test_delete_membership(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    assert (await client.delete(URL, headers=me.headers)).status_code == 404
    assert (await client.post(URL, json=VALID, headers=me.headers)).status_code == 201
    other = await client.post(URL, json=VALID, headers=actors["staffer"].headers)
    assert other.status_code == 201, other.text

    r = await client.delete(URL, headers=me.headers)
    assert r.status_code == 204, r.text
    assert await _row(db_conn, me.user_id) is None
    assert await _row(db_conn, actors["staffer"].user_id) is not None
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", me.user_id) == 1
    assert (await client.get(URL, headers=me.headers)).status_code == 404
    assert (await client.delete(URL, headers=me.headers)).status_code == 404
    # A new membership can be created afterwards.
    assert (await client.post(URL, json=VALID, headers=me.headers)).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", URL, None),
        ("POST", URL, VALID),
        ("PATCH", URL, {"city": "X"}),
        ("DELETE", URL, None),
        ("POST", f"{URL}/affirm", None),
    ],
)
async def test_anonymous_is_refused(
    client: Any, actors: Any, db_conn: Any, method: str, path: str, body: Any
) -> None:
    created = await client.post(URL, json=VALID, headers=actors["ordinary"].headers)
    assert created.status_code == 201
    before = await db_fingerprint(db_conn)
    r = await client.request(method, path, json=body)
    assert r.status_code == 401, r.text
    assert await db_fingerprint(db_conn) == before


async def test_announcements_subscription_mail(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    r = await client.post(URL, json={**VALID, "psf_announcements": True}, headers=actors["ordinary"].headers)
    assert r.status_code == 201, r.text
    assert r.json()["psf_announcements"] is True
    assert (await _row(db_conn, actors["ordinary"].user_id))["psf_announcements"] is True
    (message,) = await wait_for_mail(mailer)
    assert message["From"] == VALID["email_address"]
    assert message["To"] == PSF_LIST
    assert message["Subject"] == "subscribe"
    assert message.get_content().strip() == "subscribe"
    await _no_more_mail(mailer, 1)


async def test_subscription_mail_only_when_turned_on(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    r = await client.post(URL, json=VALID, headers=me.headers)
    assert r.status_code == 201, r.text
    await _no_more_mail(mailer, 0)

    other = "ada.other@example.org"
    r = await client.patch(URL, json={"psf_announcements": True, "email_address": other}, headers=me.headers)
    assert r.status_code == 200, r.text
    (message,) = await wait_for_mail(mailer)
    assert (message["From"], message["To"], message["Subject"]) == (other, PSF_LIST, "subscribe")
    row = await _row(db_conn, me.user_id)
    assert (row["psf_announcements"], row["email_address"]) == (True, other)

    # Already subscribed: editing again sends nothing more.
    r = await client.patch(URL, json={"psf_announcements": True, "city": "Y"}, headers=me.headers)
    assert r.status_code == 200, r.text
    await _no_more_mail(mailer, 1)


async def test_refused_create_sends_no_mail(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    body = {**VALID, "psf_announcements": True, "psf_code_of_conduct": False}
    r = await client.post(URL, json=body, headers=actors["ordinary"].headers)
    assert r.status_code == 400, r.text
    await _no_more_mail(mailer, 0)


async def test_membership_list_requires_permission(client: Any, actors: Any, db_conn: Any) -> None:
    viewer = await actors.create("viewer", permissions=("users.view_membership",))
    r = await client.post(URL, json=VALID, headers=actors["ordinary"].headers)
    assert r.status_code == 201, r.text
    r = await client.post(
        URL, json={**VALID, "votes": True, "legal_name": "Root"}, headers=actors["root"].headers
    )
    assert r.status_code == 201, r.text

    responses = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 403, "viewer": 200, "root": 200},
        ("GET", "/api/v3/memberships", None),
    )
    assert responses["staffer"].json()["detail"] == ("The users.view_membership permission is required.")
    body = responses["viewer"].json()
    assert body == responses["root"].json()
    assert body["meta"] == {"total": 2, "limit": 100, "offset": 0}
    assert [(m["username"], m["legal_name"], m["votes"]) for m in body["data"]] == [
        ("ordinary", VALID["legal_name"], False),
        ("root", "Root", True),
    ]
    assert set(body["data"][0]) == READ_KEYS

    r = await client.get("/api/v3/memberships?votes=true", headers=viewer.headers)
    assert [m["username"] for m in r.json()["data"]] == ["root"]
    assert r.json()["meta"]["total"] == 1
    r = await client.get("/api/v3/memberships?limit=1&offset=1", headers=viewer.headers)
    assert [m["username"] for m in r.json()["data"]] == ["root"]
    assert r.json()["meta"] == {"total": 2, "limit": 1, "offset": 1}
