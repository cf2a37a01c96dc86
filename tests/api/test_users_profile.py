"""Your own account (GET/PATCH/DELETE /api/v3/users/me) and public profiles
(GET /api/v3/users/{username}): visibility, e-mail privacy, uniqueness, e-mail change with
verification, bio rendering and input validation. Every write is checked in the database."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_no_more_mail, db_fingerprint, token_from_mail, wait_for_mail

ME = "/api/v3/users/me"
PUBLIC_KEYS = {
    "id",
    "username",
    "first_name",
    "last_name",
    "bio",
    "bio_markup_type",
    "bio_html",
    "date_joined",
    "has_membership",
}
PRIVATE_KEYS = {
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "email_verified",
    "bio",
    "bio_markup_type",
    "bio_html",
    "search_visibility",
    "email_privacy",
    "public_profile",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
    "has_membership",
    "groups",
    "permissions",
    "pending_email",
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


async def _user_row(db_conn: Any, user_id: int) -> Any:
    return await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", user_id)


async def _addresses(db_conn: Any, user_id: int) -> list[tuple[str, bool, bool]]:
    rows = await db_conn.fetch(
        'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1 ORDER BY id',
        user_id,
    )
    return [(r["email"], r["verified"], r["primary"]) for r in rows]


# --- /users/me -------------------------------------------------------------------------------


async def test_me_returns_the_stored_account(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    r = await client.get(ME, headers=me.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == PRIVATE_KEYS
    row = await _user_row(db_conn, me.user_id)
    assert body["id"] == row["id"] == me.user_id
    assert body["username"] == row["username"] == "ordinary"
    assert body["email"] == row["email"] == "ordinary@example.org"
    assert body["email_verified"] is True
    assert body["search_visibility"] == row["search_visibility"] == 1
    assert body["email_privacy"] == row["email_privacy"] == 2
    assert body["public_profile"] is row["public_profile"] is True
    assert body["is_staff"] is False and body["is_superuser"] is False
    assert body["groups"] == [] and body["permissions"] == []
    assert body["has_membership"] is False
    assert row["password"] not in r.text and "password" not in body

    root = (await client.get(ME, headers=actors["root"].headers)).json()
    assert root["is_superuser"] is True and root["is_staff"] is True
    assert "users.view_membership" in root["permissions"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_me_requires_login(client: Any, db_conn: Any, actors: Any, method: str) -> None:
    before = await db_fingerprint(db_conn)
    body = {"first_name": "Nobody"} if method == "PATCH" else None
    r = await client.request(method, ME, json=body)
    assert r.status_code == 401, r.text
    r = await client.request(method, ME, json=body, headers={"Authorization": "Bearer not-a-real-token"})
    assert r.status_code == 401, r.text
    assert await db_fingerprint(db_conn) == before


async def test_patch_me_stores_every_profile_field(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    change = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "bio": "Analyst *and* metaphysician",
        "search_visibility": 0,
        "email_privacy": 1,
        "public_profile": False,
    }
    r = await client.patch(ME, json=change, headers=me.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    for key, value in change.items():
        assert body[key] == value, key
    assert body["bio_html"] == "<p>Analyst <em>and</em> metaphysician</p>"
    row = await _user_row(db_conn, me.user_id)
    for key, value in change.items():
        assert row[key] == value, key
    assert row["bio_html"] == body["bio_html"]
    assert row["bio_markup_type"] == "markdown"
    # Fields not sent are untouched.
    assert row["username"] == "ordinary" and row["email"] == "ordinary@example.org"
    assert (await client.get(ME, headers=me.headers)).json() == body

    # An empty PATCH changes nothing.
    before = await db_fingerprint(db_conn)
    r = await client.patch(ME, json={}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json() == body
    assert await db_fingerprint(db_conn) == before


async def test_bio_raw_html_is_escaped(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    bio = (
        "**Bold** claim <script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)"> [click](javascript:alert(1))'
    )
    r = await client.patch(ME, json={"bio": bio}, headers=me.headers)
    assert r.status_code == 200, r.text
    html = r.json()["bio_html"]
    assert "<strong>Bold</strong>" in html
    assert "&lt;script&gt;" in html
    assert "&lt;img" in html  # shown as text, not a tag
    for forbidden in ("<script", "<img", "javascript:"):
        assert forbidden not in html.lower(), (forbidden, html)
    row = await _user_row(db_conn, me.user_id)
    assert row["bio"] == bio
    assert row["bio_html"] == html

    # Switching the markup type alone re-renders the stored bio; html is sanitised too.
    r = await client.patch(ME, json={"bio_markup_type": "html"}, headers=me.headers)
    assert r.status_code == 200, r.text
    html = r.json()["bio_html"]
    assert "<strong>" not in html  # no longer markdown
    assert '<img src="x">' in html  # allowed tag kept, event handler dropped
    for forbidden in ("<script", "alert('x')", "onerror"):
        assert forbidden not in html.lower(), (forbidden, html)
    row = await _user_row(db_conn, me.user_id)
    assert (row["bio_markup_type"], row["bio_html"]) == ("html", html)

    r = await client.patch(ME, json={"bio": "a < b\nc", "bio_markup_type": "text"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["bio_html"] == "<p>a &lt; b<br>c</p>"


async def test_username_unique_case_insensitively(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    before = await db_fingerprint(db_conn)
    for taken in ("staffer", "STAFFER", "Root"):
        r = await client.patch(ME, json={"username": taken}, headers=me.headers)
        assert r.status_code == 409, (taken, r.text)
        assert r.json()["detail"] == "A user with that username already exists."
        assert r.json()["extra"] == {"field": "username"}
    assert await db_fingerprint(db_conn) == before

    # Your own name in another case is not a conflict.
    r = await client.patch(ME, json={"username": "Ordinary"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "Ordinary"
    assert (await _user_row(db_conn, me.user_id))["username"] == "Ordinary"

    r = await client.patch(ME, json={"username": "ada.l+py@home_2"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert (await _user_row(db_conn, me.user_id))["username"] == "ada.l+py@home_2"
    # The old name is free again; the new one is taken for everyone else.
    r = await client.patch(ME, json={"username": "ordinary"}, headers=actors["staffer"].headers)
    assert r.status_code == 200, r.text
    r = await client.patch(ME, json={"username": "ADA.L+PY@HOME_2"}, headers=actors["root"].headers)
    assert r.status_code == 409, r.text


async def test_changing_email_adds_a_pending_address_and_mails_a_link(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    # Issue 12: the new address is pending until confirmed; the account keeps its verified one.
    me = actors["ordinary"]
    r = await client.patch(ME, json={"email": "Ada.New@example.org"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "ordinary@example.org"
    assert r.json()["email_verified"] is True
    assert r.json()["pending_email"] == "Ada.New@example.org"
    assert (await _user_row(db_conn, me.user_id))["email"] == "ordinary@example.org"
    assert await _addresses(db_conn, me.user_id) == [
        ("ordinary@example.org", True, True),
        ("Ada.New@example.org", False, False),
    ]

    (message,) = await wait_for_mail(mailer)
    assert message["To"] == "Ada.New@example.org"
    assert message["Subject"] == "[Python.org] Please confirm your e-mail address"
    assert "https://www.python.org/accounts/confirm-email/?token=" in message.get_content()

    r = await client.post("/api/v3/auth/verify-email", json={"token": token_from_mail(message)})
    assert r.status_code == 200, r.text
    assert r.json()["email_verified"] is True
    assert await _addresses(db_conn, me.user_id) == [
        ("ordinary@example.org", True, False),
        ("Ada.New@example.org", True, True),
    ]
    r = await client.get(ME, headers=me.headers)
    assert r.json()["email"] == "Ada.New@example.org" and r.json()["email_verified"] is True
    assert r.json()["pending_email"] is None
    assert (await _user_row(db_conn, me.user_id))["email"] == "Ada.New@example.org"


async def test_email_taken_by_someone_else_answers_like_a_free_one(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    # Issue 12: a 409 here told any logged-in user which addresses are registered. Now the
    # answer is the same as for a free address; the owner gets a notice, not a link.
    me = actors["ordinary"]
    r = await client.patch(ME, json={"email": "STAFFER@Example.org", "first_name": "X"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["first_name"] == "X"
    assert r.json()["email"] == "ordinary@example.org"
    assert r.json()["pending_email"] == "STAFFER@Example.org"
    assert (await _user_row(db_conn, me.user_id))["email"] == "ordinary@example.org"
    (notice,) = await wait_for_mail(mailer)
    assert notice["To"] == "STAFFER@Example.org"
    assert "?token=" not in notice.get_content()
    assert await _addresses(db_conn, me.user_id) == [
        ("ordinary@example.org", True, True),
        ("STAFFER@Example.org", False, False),
    ]


async def test_same_address_in_another_case_is_not_a_change(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    r = await client.patch(ME, json={"email": "ORDINARY@example.org"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert await _addresses(db_conn, me.user_id) == [("ordinary@example.org", True, True)]
    await assert_no_more_mail(mailer, 0)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"nickname": "x"}, "nickname", "unknown field `nickname`"),
        ({"first_name": "x" * 151}, "first_name", "length <= 150"),
        ({"last_name": "x" * 151}, "last_name", "length <= 150"),
        ({"search_visibility": 5}, "search_visibility", "Invalid enum value 5"),
        ({"email_privacy": 3}, "email_privacy", "Invalid enum value 3"),
        ({"username": "has space"}, "username", "matching regex"),
        ({"username": ""}, "username", "length >= 1"),
        ({"email": "not-an-address"}, "email", "matching regex"),
        ({"bio_markup_type": "latex"}, "bio_markup_type", "Invalid enum value 'latex'"),
        ({"public_profile": "yes"}, "public_profile", "Expected `bool`"),
        ({"bio": "x" * 20_001}, "bio", "length <= 20000"),
        ({"is_superuser": True}, "is_superuser", "unknown field `is_superuser`"),
    ],
)
async def test_patch_me_rejects_bad_input(
    client: Any, actors: Any, db_conn: Any, body: dict[str, Any], field: str, message: str
) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.patch(ME, json={"first_name": "Changed", **body}, headers=actors["ordinary"].headers)
    assert r.status_code == 400, r.text
    (error,) = r.json()["extra"]
    assert field in error["message"] or error["key"] == field, error
    assert message in error["message"], error
    assert await db_fingerprint(db_conn) == before


async def test_delete_me_removes_the_account(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP, headers=me.headers)
    assert r.status_code == 201, r.text
    r = await client.post("/api/v3/users/me/api-keys", json={"name": "k"}, headers=me.headers)
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    others = await db_conn.fetchval("SELECT count(*) FROM users WHERE id <> $1", me.user_id)

    r = await client.delete(ME, headers=me.headers)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert await _user_row(db_conn, me.user_id) is None
    for table, column in (
        ("email_addresses", "user_id"),
        ("memberships", "creator_id"),
        ("api_keys", "user_id"),
        ("auth_sessions", "user_id"),
    ):
        count = await db_conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column}=$1", me.user_id)
        assert count == 0, table
    assert await db_conn.fetchval("SELECT count(*) FROM users") == others == 2

    assert (await client.get(ME, headers=me.headers)).status_code == 401
    assert (await client.get(ME, headers={"Authorization": f"Bearer {key}"})).status_code == 401
    assert (await client.get("/api/v3/users/ordinary")).status_code == 404
    # The name can be taken again.
    r = await client.patch(ME, json={"username": "ordinary"}, headers=actors["staffer"].headers)
    assert r.status_code == 200, r.text


# --- public profiles -------------------------------------------------------------------------


async def test_public_profile_shape(client: Any, actors: Any, db_conn: Any) -> None:
    target = await actors.create("target")
    r = await client.patch(
        ME,
        json={"first_name": "Tim", "last_name": "Peters", "bio": "*zen*"},
        headers=target.headers,
    )
    assert r.status_code == 200, r.text

    for url in ("/api/v3/users/target", "/api/v3/users/TaRgEt"):
        r = await client.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == PUBLIC_KEYS  # default email_privacy 2: no e-mail
        assert body["id"] == target.user_id
        assert body["username"] == "target"
        assert (body["first_name"], body["last_name"]) == ("Tim", "Peters")
        assert body["bio_html"] == "<p><em>zen</em></p>"
        assert body["has_membership"] is False
        assert "target@example.org" not in r.text

    # An ordinary logged-in caller sees the same public view.
    r = await client.get("/api/v3/users/target", headers=actors["ordinary"].headers)
    assert set(r.json()) == PUBLIC_KEYS

    # The owner sees the private view.
    r = await client.get("/api/v3/users/target", headers=target.headers)
    assert set(r.json()) == PRIVATE_KEYS
    assert r.json()["email"] == "target@example.org"

    r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP, headers=target.headers)
    assert r.status_code == 201, r.text
    assert (await client.get("/api/v3/users/target")).json()["has_membership"] is True

    assert (await client.get("/api/v3/users/nobody")).status_code == 404
    assert (await client.get("/api/v3/users/" + "x" * 151)).status_code == 400


@pytest.mark.parametrize(
    ("column", "value"),
    [("is_active", False), ("public_profile", False), ("search_visibility", 0)],
)
async def test_only_searchable_profiles_are_visible(
    client: Any, actors: Any, db_conn: Any, column: str, value: Any
) -> None:
    target = await actors.create("target")
    viewer = await actors.create("viewer", permissions=("users.view_user",))
    await db_conn.execute(f"UPDATE users SET {column}=$1 WHERE id=$2", value, target.user_id)
    url = "/api/v3/users/target"
    for name in ("anonymous", "ordinary", "staffer"):
        r = await client.get(url, headers=actors[name].headers)
        assert r.status_code == 404, (name, r.text)
        assert "target@example.org" not in r.text
    # Staff with users.view_user (and superusers) see every profile, privately.
    for caller in (viewer, actors["root"]):
        r = await client.get(url, headers=caller.headers)
        assert r.status_code == 200, (caller.name, r.text)
        assert set(r.json()) == PRIVATE_KEYS
    if column != "is_active":  # an inactive owner cannot authenticate at all
        r = await client.get(url, headers=target.headers)
        assert r.status_code == 200, r.text
        assert set(r.json()) == PRIVATE_KEYS
        assert r.json()[column] == value
    # Making it searchable again shows it to everyone.
    await db_conn.execute(
        f"UPDATE users SET {column}=$1 WHERE id=$2",
        1 if column == "search_visibility" else True,
        target.user_id,
    )
    assert (await client.get(url)).status_code == 200


@pytest.mark.parametrize(
    ("privacy", "visible_to"),
    [
        (0, {"anonymous", "ordinary", "staffer"}),
        (1, {"ordinary", "staffer"}),
        (2, set()),
    ],
)
async def test_email_privacy(
    client: Any, actors: Any, db_conn: Any, privacy: int, visible_to: set[str]
) -> None:
    target = await actors.create("target")
    address = "Hidden.Target@Example.NET"
    # The account's confirmed address (an address asked for by PATCH is only pending).
    await db_conn.execute("UPDATE users SET email=$1 WHERE id=$2", address, target.user_id)
    await db_conn.execute("UPDATE email_addresses SET email=$1 WHERE user_id=$2", address, target.user_id)
    r = await client.patch(ME, json={"email_privacy": privacy}, headers=target.headers)
    assert r.status_code == 200, r.text
    row = await _user_row(db_conn, target.user_id)
    assert (row["email"], row["email_privacy"]) == (address, privacy)

    for name in ("anonymous", "ordinary", "staffer"):
        r = await client.get("/api/v3/users/target", headers=actors[name].headers)
        assert r.status_code == 200, (name, r.text)
        assert r.json()["username"] == "target"
        if name in visible_to:
            assert r.json()["email"] == address, name
        else:
            assert "email" not in r.json(), name
            assert address.lower() not in r.text.lower(), name
            assert "hidden.target" not in r.text.lower(), name
    # The owner always sees the address.
    r = await client.get("/api/v3/users/target", headers=target.headers)
    assert r.json()["email"] == address
