"""The permission matrices of the account operations (issue 12, item 11): sign-up, e-mail
verification, log-in and log-out, password change and reset, API-key creation and the PSF
membership routes.

These routes act on the caller's own account (``/users/me/...``, ``/auth/...``) or on the
account a signed token names, never on an account named in the request. So the "owner" of every
row here is the caller itself, and the matrices check two things besides the status: an allowed
call stored what it should for the caller (or the token's account), and nothing of anybody
else's changed, whatever the caller's rank (staff, a superuser, a holder of the named
``users.*`` permission). Refused calls leave tables, media and the queue as they were (the
helper checks; ``auth_sessions`` is not in its fingerprint, so sessions are read back here).
Each matrix's rows are callers, or, where the body decides (log-in, tokens), kinds of call.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import update

from pydotorg.core import passwords, tokens
from pydotorg.core.db import transaction
from pydotorg.domains.users import services as users
from pydotorg.domains.users.models import User
from tests.helpers import (
    PASSWORD,
    Caller,
    assert_no_more_mail,
    check_permission_matrix,
    db_fingerprint,
    token_from_mail,
    wait_for_mail,
)

AUTH = "/api/v3/auth"
SIGNUP = f"{AUTH}/signup"
VERIFY = f"{AUTH}/verify-email"
LOGIN = f"{AUTH}/login"
LOGOUT = f"{AUTH}/logout"
CHANGE = f"{AUTH}/password/change"
RESET = f"{AUTH}/password/reset"
RESET_CONFIRM = f"{AUTH}/password/reset/confirm"
ME = "/api/v3/users/me"
API_KEYS = f"{ME}/api-keys"
MEMBERSHIP = f"{ME}/membership"
AFFIRM = f"{MEMBERSHIP}/affirm"


def _payload(token: str) -> dict[str, Any]:
    raw = token.split(".", 1)[0]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return payload


def _tampered(token: str, **changes: Any) -> str:
    """The token with its payload edited and its signature kept (what an attacker can make)."""
    payload = dict(_payload(token), **changes)
    raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return raw.rstrip(b"=").decode() + "." + token.split(".", 1)[1]


async def _open_session(actors: Any, user_id: int) -> str:
    """Another live log-in of the account (a second browser), made outside the matrix."""
    async with transaction(actors.sessionmaker) as s:
        user = await s.get(User, user_id)
        assert user is not None
        ctx = users.Context(settings=actors.settings, mailer=None)
        token, _ = await users.open_session(s, ctx, user, "token")
    return token


async def _new_key(actors: Any, user_id: int) -> str:
    async with transaction(actors.sessionmaker) as s:
        _, key = await users.create_api_key(s, user_id, "script")
    return key


async def _session(db_conn: Any, token: str) -> Any:
    return await db_conn.fetchrow("SELECT * FROM auth_sessions WHERE token_hash=$1", tokens.digest(token))


async def _passwords(db_conn: Any) -> dict[int, str]:
    return {r["id"]: r["password"] for r in await db_conn.fetch("SELECT id, password FROM users")}


async def _live_credentials(db_conn: Any, user_id: int) -> tuple[int, int]:
    sessions = await db_conn.fetchval(
        "SELECT count(*) FROM auth_sessions WHERE user_id=$1 AND revoked_at IS NULL", user_id
    )
    keys = await db_conn.fetchval(
        "SELECT count(*) FROM api_keys WHERE user_id=$1 AND revoked_at IS NULL", user_id
    )
    return int(sessions), int(keys)


# --- sign-up and verification ----------------------------------------------------------------


async def test_signup_matrix(client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any) -> None:
    """Anyone signs up, logged in or not: the new account is a separate, ordinary, unverified
    one (a staff or superuser caller passes nothing on), and its address gets a link bound to
    it. A taken username or an unknown field (``is_staff``) changes nothing."""
    callers = dict(actors.callers)
    callers["taken username"] = Caller("taken username")
    callers["asks for staff"] = Caller("asks for staff")
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        before["users"] = await db_conn.fetchval("SELECT count(*) FROM users")
        if callers[name].user_id is not None:
            before["caller"] = dict(
                await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", callers[name].user_id)
            )
        username = "staffer" if name == "taken username" else f"new-{name.replace(' ', '-')}"
        body = {"username": username, "email": f"{username}@example.net", "password": PASSWORD}
        if name == "asks for staff":
            body["is_staff"] = True
        return "POST", SIGNUP, body

    sent = 0

    async def changed(name: str, response: Any) -> None:
        nonlocal sent
        username = f"new-{name}"
        assert await db_conn.fetchval("SELECT count(*) FROM users") == before["users"] + 1
        row = await db_conn.fetchrow("SELECT * FROM users WHERE username=$1", username)
        assert row is not None and not row["is_staff"] and not row["is_superuser"]
        assert passwords.verify_password(row["password"], PASSWORD)
        addresses = await db_conn.fetch(
            'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1', row["id"]
        )
        assert [tuple(a) for a in addresses] == [(f"{username}@example.net", False, True)]
        if callers[name].user_id is not None:
            caller_row = await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", callers[name].user_id)
            assert dict(caller_row) == before["caller"]
        sent += 1
        message = (await wait_for_mail(mailer, sent))[-1]
        assert message["To"] == f"{username}@example.net"
        assert _payload(token_from_mail(message))["u"] == row["id"]
        assert "token" not in response.text.lower()

    expected = {"anonymous": 202, "ordinary": 202, "staffer": 202, "root": 202}
    expected |= {"taken username": 409, "asks for staff": 400}
    responses = await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert responses["asks for staff"].json()["extra"], responses["asks for staff"].text
    await assert_no_more_mail(mailer, 4)


async def test_verify_email_matrix(client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any) -> None:
    """The token, not the caller, decides the account, and it binds the account and the
    address: whoever sends a valid link confirms that address on that account only; a token
    with another account's id (or another address) in it, a reset token or garbage is a 400."""
    callers = dict(actors.callers)
    ordinary = actors["ordinary"]
    r = await client.post(
        SIGNUP, json={"username": "fresh", "email": "fresh@example.net", "password": PASSWORD}
    )
    assert r.status_code == 202, r.text
    r = await client.patch(ME, json={"email": "moved@example.net"}, headers=ordinary.headers)
    assert r.status_code == 200, r.text
    assert (await client.post(RESET, json={"email": "ordinary@example.org"})).status_code == 202
    mails = {m["To"]: token_from_mail(m) for m in await wait_for_mail(mailer, 3)}
    signup_token, change_token = mails["fresh@example.net"], mails["moved@example.net"]
    reset_token = mails["ordinary@example.org"]
    fresh_id = await db_conn.fetchval("SELECT id FROM users WHERE username='fresh'")

    tokens_for = {
        "anonymous": signup_token,
        "staffer": change_token,  # someone else's link, sent by a logged-in staff member
        "root": _tampered(change_token, u=actors["root"].user_id),
        "attacker address": _tampered(change_token, e="attacker@evil.example"),
        "reset token": reset_token,
        "garbage": "not-a-token",
        "second click": signup_token,
    }
    for name in ("attacker address", "reset token", "garbage", "second click"):
        callers[name] = Caller(name)
    snapshots: dict[str, Any] = {}

    async def addresses(user_id: int) -> list[tuple[str, bool, bool]]:
        rows = await db_conn.fetch(
            'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1 ORDER BY id', user_id
        )
        return [tuple(r) for r in rows]

    async def request(name: str) -> tuple[str, str, Any]:
        snapshots["caller"] = (
            await addresses(callers[name].user_id) if callers[name].user_id is not None else None
        )
        return "POST", VERIFY, {"token": tokens_for[name]}

    async def changed(name: str, response: Any) -> None:
        if name in ("anonymous", "second click"):
            assert response.json()["id"] == fresh_id
            assert await addresses(fresh_id) == [("fresh@example.net", True, True)]
        else:
            assert response.json()["id"] == ordinary.user_id
            assert await addresses(ordinary.user_id) == [
                ("ordinary@example.org", True, False),
                ("moved@example.net", True, True),
            ]
            email = await db_conn.fetchval("SELECT email FROM users WHERE id=$1", ordinary.user_id)
            assert email == "moved@example.net"
            assert await addresses(callers[name].user_id) == snapshots["caller"]

    expected = {
        "anonymous": 200,
        "staffer": 200,
        "root": 400,
        "attacker address": 400,
        "reset token": 400,
        "garbage": 400,
        "second click": 200,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert await addresses(actors["root"].user_id) == [("root@example.org", True, True)]
    assert await db_conn.fetchval("SELECT count(*) FROM email_addresses WHERE email LIKE 'attacker%'") == 0
    await assert_no_more_mail(mailer, 3)


# --- log-in and log-out ----------------------------------------------------------------------


async def test_login_matrix(client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any) -> None:
    """The body decides the account: the right password opens a session for that account only
    (read back from ``auth_sessions``), whoever is already logged in; a wrong password is a 401
    even for a superuser, an inactive account a 403, and no refused call opens a session."""
    await actors.create("leaver", active=False)
    callers = dict(actors.callers)
    bodies = {
        "anonymous": {"login": "ordinary", "password": PASSWORD},
        "ordinary": {"login": "ordinary@example.org", "password": PASSWORD},
        "staffer": {"login": "root", "password": "not-the-password"},
        "root": {"login": "root", "password": PASSWORD},
        "unknown account": {"login": "nobody", "password": PASSWORD},
        "inactive account": {"login": "leaver", "password": PASSWORD},
        "extra field": {"login": "ordinary", "password": PASSWORD, "user_id": 1},
    }
    for name in ("unknown account", "inactive account", "extra field"):
        callers[name] = Caller(name)
    account = {"anonymous": "ordinary", "ordinary": "ordinary", "root": "root"}
    sessions_before = await db_conn.fetchval("SELECT count(*) FROM auth_sessions")

    async def request(name: str) -> tuple[str, str, Any]:
        return "POST", LOGIN, bodies[name]

    async def changed(name: str, response: Any) -> None:
        user_id = actors[account[name]].user_id
        body = response.json()
        assert body["user"]["id"] == user_id and body["token_type"] == "bearer"
        row = await _session(db_conn, body["token"])
        assert row is not None and row["user_id"] == user_id and row["kind"] == "token"
        assert row["revoked_at"] is None
        assert await db_conn.fetchval("SELECT expires > now() FROM auth_sessions WHERE id=$1", row["id"])
        assert await db_conn.fetchval("SELECT last_login FROM users WHERE id=$1", user_id) is not None
        assert (await client.get(ME, headers={"Authorization": f"Bearer {body['token']}"})).json()[
            "id"
        ] == user_id

    expected = {
        "anonymous": 200,
        "ordinary": 200,
        "staffer": 401,
        "root": 200,
        "unknown account": 401,
        "inactive account": 403,
        "extra field": 400,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    # Three sessions were opened, by the three allowed calls, and none for a refused one.
    assert await db_conn.fetchval("SELECT count(*) FROM auth_sessions") == sessions_before + 3
    for name in ("staffer", "leaver"):
        assert (
            await db_conn.fetchval(
                "SELECT count(*) FROM auth_sessions WHERE user_id=$1", actors[name].user_id
            )
            == 1
        )  # the one the test made
    await assert_no_more_mail(mailer, 0)


async def test_login_to_an_unverified_account(client: Any, db_conn: Any, mailer: Any, worker: Any) -> None:
    """Not in the matrix above because the refusal does queue one thing, by design: a fresh
    confirmation link to the account's own address. It opens no session and stores nothing."""
    r = await client.post(
        SIGNUP, json={"username": "newbie", "email": "newbie@example.net", "password": PASSWORD}
    )
    assert r.status_code == 202
    await wait_for_mail(mailer, 1)
    before = await db_fingerprint(db_conn)
    r = await client.post(LOGIN, json={"login": "newbie", "password": PASSWORD})
    assert r.status_code == 403 and "not verified" in r.json()["detail"], r.text
    assert await db_fingerprint(db_conn) == before
    assert await db_conn.fetchval("SELECT count(*) FROM auth_sessions") == 0
    resent = (await wait_for_mail(mailer, 2))[1]
    assert resent["To"] == "newbie@example.net"
    await assert_no_more_mail(mailer, 2)


async def test_logout_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """A log-out ends the session it was sent with and nothing else (not the account's other
    log-ins); an API key is not a session (400, the key still works); without a live session it
    is a 401, including the session just ended."""
    await actors.create("leaver", active=False)
    callers = dict(actors.callers)
    ordinary = actors["ordinary"]
    key = await _new_key(actors, ordinary.user_id)
    callers["api key"] = Caller("api key", ordinary.user_id, "ordinary", key)
    callers["ended session"] = Caller("ended session", ordinary.user_id, "ordinary", ordinary.token)
    others: dict[str, str] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        caller = callers[name]
        if caller.user_id is not None and name not in others:
            others[name] = await _open_session(actors, caller.user_id)
        return "POST", LOGOUT, None

    async def changed(name: str, response: Any) -> None:
        caller = callers[name]
        assert caller.token is not None
        ended = await _session(db_conn, caller.token)
        assert ended["user_id"] == caller.user_id and ended["revoked_at"] is not None
        assert (await _session(db_conn, others[name]))["revoked_at"] is None
        assert (await client.get(ME, headers=caller.headers)).status_code == 401
        assert (await client.get(ME, headers={"Authorization": f"Bearer {others[name]}"})).status_code == 200

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "api key": 400,
        "ordinary": 204,
        "ended session": 401,
        "staffer": 204,
        "root": 204,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    # Exactly the three sessions logged out with ended; every other log-in is live.
    ended = await db_conn.fetch("SELECT token_hash FROM auth_sessions WHERE revoked_at IS NOT NULL")
    assert sorted(r["token_hash"] for r in ended) == sorted(
        tokens.digest(str(actors[n].token)) for n in ("ordinary", "staffer", "root")
    )
    # The key the refused log-out was sent with was not revoked and still works.
    assert (
        await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE user_id=$1", ordinary.user_id) is None
    )
    assert (await client.get(ME, headers={"Authorization": f"Bearer {key}"})).status_code == 200


# --- passwords ---------------------------------------------------------------------------------


async def test_password_change_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """Everyone changes only their own password, whatever their rank or permissions (the body
    cannot name another account): the hash is the new password's, the caller's session stays,
    the account's other sessions and its API keys end, and no other account's hash moves. A
    wrong old password is a 400 naming the field; a caller authenticated by an API key may
    change the password too, and that key ends with the rest."""
    await actors.create("leaver", active=False)
    await actors.create("wrong_old")
    await actors.create("user_admin", permissions=("users.change_user",))
    scripted = await actors.create("scripted")
    callers = dict(actors.callers)
    callers["api key"] = Caller(
        "api key", scripted.user_id, "scripted", await _new_key(actors, scripted.user_id)
    )
    callers["names another account"] = Caller("names another account", *_identity(actors["root"]))
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        caller = callers[name]
        if caller.user_id is not None:
            before["other session"] = await _open_session(actors, caller.user_id)
            before["key"] = await _new_key(actors, caller.user_id)
        before["hashes"] = await _passwords(db_conn)
        old = "not-my-password" if name == "wrong_old" else PASSWORD
        body = {"old_password": old, "new_password": f"changed-by-{name}"}
        if name == "names another account":
            body["user_id"] = actors["ordinary"].user_id
        return "POST", CHANGE, body

    async def changed(name: str, response: Any) -> None:
        caller = callers[name]
        hashes = await _passwords(db_conn)
        assert passwords.verify_password(hashes[caller.user_id], f"changed-by-{name}")
        assert {k: v for k, v in hashes.items() if k != caller.user_id} == {
            k: v for k, v in before["hashes"].items() if k != caller.user_id
        }
        assert (await _session(db_conn, before["other session"]))["revoked_at"] is not None
        key_row = await db_conn.fetchrow(
            "SELECT revoked_at FROM api_keys WHERE key_hash=$1", tokens.digest(before["key"])
        )
        assert key_row["revoked_at"] is not None
        own = await _session(db_conn, caller.token)
        if name == "api key":
            assert await _live_credentials(db_conn, caller.user_id) == (0, 0)
            assert (await client.get(ME, headers=caller.headers)).status_code == 401
        else:
            assert own["revoked_at"] is None
            assert await _live_credentials(db_conn, caller.user_id) == (1, 0)
            assert (await client.get(ME, headers=caller.headers)).status_code == 200

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "wrong_old": 400,
        "names another account": 400,
        "ordinary": 204,
        "staffer": 204,
        "root": 204,
        "user_admin": 204,
        "api key": 204,
    }
    responses = await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert responses["wrong_old"].json()["extra"] == {"field": "old_password"}
    # The refused callers' sessions were left alone too (auth_sessions is not fingerprinted).
    assert await _live_credentials(db_conn, actors["wrong_old"].user_id) == (2, 1)
    r = await client.post(LOGIN, json={"login": "ordinary", "password": "changed-by-names another account"})
    assert r.status_code == 401


def _identity(caller: Caller) -> tuple[int | None, str | None, str | None]:
    return caller.user_id, caller.username, caller.token


async def test_password_reset_matrix(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    """Every caller gets the same 202 and never a token: the link is mailed to the address asked
    for when an active account verified it (or it is the account's own address), bound to that
    account, and nothing is mailed for an unknown address, an address only pending on an
    account, or an inactive account's address. Nothing is stored either way."""
    await actors.create("leaver", active=False)
    await actors.create("user_admin", permissions=("users.change_user",))
    r = await client.patch(ME, json={"email": "pending@example.net"}, headers=actors["ordinary"].headers)
    assert r.status_code == 200, r.text
    await wait_for_mail(mailer, 1)
    callers = dict(actors.callers)
    callers["bad address"] = Caller("bad address")
    asked = {
        "anonymous": "ordinary@example.org",
        "ordinary": "STAFFER@example.org",  # someone else's address: the owner gets the link
        "staffer": "nobody@example.net",
        "root": "pending@example.net",
        "user_admin": "leaver@example.org",
        "bad address": "not-an-address",
    }
    mailed = {"anonymous": "ordinary", "ordinary": "staffer"}
    count = 1

    async def request(name: str) -> tuple[str, str, Any]:
        return "POST", RESET, {"email": asked[name]}

    async def changed(name: str, response: Any) -> None:
        nonlocal count
        assert response.json() == {"detail": "If an account uses this address, a reset link is on its way."}
        if name in mailed:
            count += 1
            message = (await wait_for_mail(mailer, count))[-1]
            owner = actors[mailed[name]]
            assert message["To"] == f"{owner.username}@example.org"
            assert _payload(token_from_mail(message))["u"] == owner.user_id
        await assert_no_more_mail(mailer, count, within=0.5)

    expected = {name: 202 for name in asked} | {"bad address": 400}
    before = await db_fingerprint(db_conn)
    responses = await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert responses["bad address"].json()["extra"], responses["bad address"].text
    assert await db_fingerprint(db_conn) == before


async def test_password_reset_confirm_matrix(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any
) -> None:
    """The mailed token decides the account, not the caller: a valid token sets that account's
    password (a superuser sending someone's token changes that account, not their own) and ends
    its sessions and keys; a used token, a token of another purpose, or the token of an account
    deactivated since is a 400 changing nothing."""
    await actors.create("leaver")
    await actors.create("user_admin", permissions=("users.change_user",))
    ordinary = actors["ordinary"]
    key = await _new_key(actors, ordinary.user_id)
    for address in ("ordinary@example.org", "staffer@example.org", "leaver@example.org"):
        assert (await client.post(RESET, json={"email": address})).status_code == 202
    links = {m["To"]: token_from_mail(m) for m in await wait_for_mail(mailer, 3)}
    callers = dict(actors.callers)
    for name in ("reused", "deactivated since"):
        callers[name] = Caller(name)
    callers["ended session"] = Caller("ended session", *_identity(ordinary))
    sent = {
        "anonymous": links["ordinary@example.org"],
        "reused": links["ordinary@example.org"],
        "ended session": links["staffer@example.org"],  # the first reset ended this session
        "root": links["staffer@example.org"],
        "user_admin": tokens.sign(settings.secret_key, "verify-email", {"u": ordinary.user_id, "e": "x@y.z"}),
        "deactivated since": links["leaver@example.org"],
    }
    target = {"anonymous": ordinary.user_id, "root": actors["staffer"].user_id}
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        if name == "deactivated since":
            async with transaction(actors.sessionmaker) as s:
                await s.execute(
                    update(User).where(User.id == actors["leaver"].user_id).values(is_active=False)
                )
        before["hashes"] = await _passwords(db_conn)
        return "POST", RESET_CONFIRM, {"token": sent[name], "new_password": f"reset-by-{name}"}

    async def changed(name: str, response: Any) -> None:
        user_id = target[name]
        hashes = await _passwords(db_conn)
        assert passwords.verify_password(hashes[user_id], f"reset-by-{name}")
        assert {k: v for k, v in hashes.items() if k != user_id} == {
            k: v for k, v in before["hashes"].items() if k != user_id
        }
        assert await _live_credentials(db_conn, user_id) == (0, 0)

    expected = {
        "anonymous": 204,
        "reused": 400,
        "ended session": 401,
        "root": 204,
        "user_admin": 400,
        "deactivated since": 400,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE key_hash=$1", tokens.digest(key))
    # The superuser's own password and session are as they were.
    r = await client.post(LOGIN, json={"login": "root", "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert (await client.get(ME, headers=actors["root"].headers)).status_code == 200
    await assert_no_more_mail(mailer, 3)


# --- API keys ----------------------------------------------------------------------------------


async def test_api_key_create_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """A key is made for the caller's own account only (staff, a superuser or a holder of
    ``users.change_user`` included, and a caller using a key); the body cannot name another
    account; an inactive account or an ended session gets a 401."""
    await actors.create("leaver", active=False)
    await actors.create("user_admin", permissions=("users.change_user",))
    ended = await actors.create("ended")
    await db_conn.execute(
        "UPDATE auth_sessions SET revoked_at = now() WHERE token_hash=$1", tokens.digest(str(ended.token))
    )
    callers = dict(actors.callers)
    staffer = actors["staffer"]
    callers["api key"] = Caller(
        "api key", staffer.user_id, "staffer", await _new_key(actors, staffer.user_id)
    )
    callers["for someone else"] = Caller("for someone else", *_identity(actors["root"]))
    counts: dict[str, int] = {}

    async def key_counts() -> dict[int, int]:
        rows = await db_conn.fetch("SELECT user_id, count(*) AS n FROM api_keys GROUP BY user_id")
        return {r["user_id"]: r["n"] for r in rows}

    async def request(name: str) -> tuple[str, str, Any]:
        counts.clear()
        counts.update(await key_counts())
        body: dict[str, Any] = {"name": f"key of {name}"}
        if name == "for someone else":
            body["user_id"] = actors["ordinary"].user_id
        return "POST", API_KEYS, body

    async def changed(name: str, response: Any) -> None:
        caller = callers[name]
        created = response.json()
        row = await db_conn.fetchrow("SELECT * FROM api_keys WHERE id=$1", created["id"])
        assert row["user_id"] == caller.user_id and row["name"] == f"key of {name}"
        assert row["key_hash"] == tokens.digest(created["key"]) and row["revoked_at"] is None
        assert row["prefix"] == created["key"][:12] and row["origin"] == "personal"
        expected_counts = dict(counts)
        expected_counts[caller.user_id] = expected_counts.get(caller.user_id, 0) + 1
        assert await key_counts() == expected_counts
        me = await client.get(ME, headers={"Authorization": f"Bearer {created['key']}"})
        assert me.json()["id"] == caller.user_id

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "ended": 401,
        "for someone else": 400,
        "ordinary": 201,
        "staffer": 201,
        "root": 201,
        "user_admin": 201,
        "api key": 201,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)


# --- PSF membership ----------------------------------------------------------------------------
#
# /users/me/membership reaches the caller's own membership only. Rows: anonymous, an inactive
# account, an account without a membership, an ordinary user, staff, a superuser and a holder of
# ``users.change_membership`` (which gives nothing here: there is no route to another member's
# row). A member made before the matrix ("member") is read back after every call: untouched.


def _member_body(name: str) -> dict[str, Any]:
    return {
        "legal_name": f"Legal {name}",
        "preferred_name": f"Pref {name}",
        "email_address": f"{name.replace(' ', '-')}@members.example",
        "city": "Amsterdam",
        "region": "Noord-Holland",
        "country": "NL",
        "postal_code": "1011",
        "psf_code_of_conduct": True,
    }


class Members:
    """The membership callers, the bystander's row, and a way to give a caller a membership
    before its call (outside what the matrix compares)."""

    def __init__(self, client: Any, actors: Any, db_conn: Any) -> None:
        self.client, self.actors, self.db = client, actors, db_conn
        self.callers: dict[str, Caller] = {}
        self.bystander: dict[str, Any] = {}

    async def setup(self) -> None:
        await self.actors.create("leaver", active=False)
        await self.actors.create("no_membership")
        await self.actors.create("membership_admin", permissions=("users.change_membership",))
        member = await self.actors.create("member")
        self.callers = dict(self.actors.callers)
        await self.give(member)
        self.bystander = await self.row(member.user_id)

    async def give(self, caller: Caller) -> None:
        r = await self.client.post(MEMBERSHIP, json=_member_body(caller.name), headers=caller.headers)
        assert r.status_code == 201, r.text

    async def row(self, user_id: int | None) -> dict[str, Any]:
        found = await self.db.fetchrow("SELECT * FROM memberships WHERE creator_id=$1", user_id)
        return dict(found) if found is not None else {}

    async def bystander_untouched(self) -> None:
        assert await self.row(self.actors["member"].user_id) == self.bystander
        assert await self.db.fetchval("SELECT count(*) FROM memberships WHERE creator_id IS NULL") == 0

    async def prepare(self, name: str) -> None:
        """Give an account that will act on its membership one to act on."""
        if name in ("ordinary", "staffer", "root", "membership_admin") and not await self.row(
            self.callers[name].user_id
        ):
            await self.give(self.callers[name])


OWN_MEMBERSHIP = {"ordinary": 0, "staffer": 0, "root": 0, "membership_admin": 0}


async def test_membership_create_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    members = Members(client, actors, db_conn)
    await members.setup()
    members.callers["refuses the code"] = Caller("refuses the code", *_identity(actors["no_membership"]))
    members.callers["for someone else"] = Caller("for someone else", *_identity(actors["no_membership"]))

    async def request(name: str) -> tuple[str, str, Any]:
        body = _member_body(name)
        if name == "refuses the code":
            body["psf_code_of_conduct"] = False
        if name == "for someone else":
            body["creator_id"] = actors["ordinary"].user_id
        return "POST", MEMBERSHIP, body

    async def changed(name: str, response: Any) -> None:
        row = await members.row(members.callers[name].user_id)
        assert row["id"] == response.json()["id"] and response.json()["username"] == name
        for field, value in _member_body(name).items():
            assert row[field] == value, (field, row[field])
        assert row["membership_type"] == 0 and row["votes"] is False
        await members.bystander_untouched()

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "member": 409,
        "refuses the code": 400,
        "for someone else": 400,
    }
    expected |= {name: 201 for name in OWN_MEMBERSHIP}
    responses = await check_permission_matrix(
        client, db_conn, members.callers, expected, request, changed=changed
    )
    assert responses["refuses the code"].json()["extra"] == {"field": "psf_code_of_conduct"}
    assert await members.row(actors["no_membership"].user_id) == {}


async def test_membership_update_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    members = Members(client, actors, db_conn)
    await members.setup()
    members.callers["names another row"] = Caller("names another row", *_identity(actors["ordinary"]))
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        await members.prepare(name)
        before["row"] = await members.row(members.callers[name].user_id)
        body: dict[str, Any] = {"city": f"City of {name}", "votes": True}
        if name == "names another row":
            body["id"] = members.bystander["id"]
        return "PATCH", MEMBERSHIP, body

    async def changed(name: str, response: Any) -> None:
        row = await members.row(members.callers[name].user_id)
        assert row["id"] == before["row"]["id"] == response.json()["id"]
        assert row["city"] == f"City of {name}" and row["votes"] is True
        assert row["last_vote_affirmation"] is not None and row["updated"] > before["row"]["updated"]
        assert row["legal_name"] == before["row"]["legal_name"]
        await members.bystander_untouched()

    expected = {"anonymous": 401, "leaver": 401, "no_membership": 404, "names another row": 400}
    expected |= {name: 200 for name in OWN_MEMBERSHIP}
    await check_permission_matrix(client, db_conn, members.callers, expected, request, changed=changed)
    await members.bystander_untouched()


async def test_membership_delete_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    members = Members(client, actors, db_conn)
    await members.setup()

    async def request(name: str) -> tuple[str, str, Any]:
        await members.prepare(name)
        return "DELETE", MEMBERSHIP, None

    async def changed(name: str, response: Any) -> None:
        assert await members.row(members.callers[name].user_id) == {}
        await members.bystander_untouched()
        r = await client.get(MEMBERSHIP, headers=members.callers[name].headers)
        assert r.status_code == 404

    expected = {"anonymous": 401, "leaver": 401, "no_membership": 404}
    expected |= {name: 204 for name in OWN_MEMBERSHIP}
    await check_permission_matrix(client, db_conn, members.callers, expected, request, changed=changed)
    assert await db_conn.fetchval("SELECT count(*) FROM memberships") == 1


async def test_membership_affirm_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    members = Members(client, actors, db_conn)
    await members.setup()
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        await members.prepare(name)
        before["row"] = await members.row(members.callers[name].user_id)
        return "POST", AFFIRM, None

    async def changed(name: str, response: Any) -> None:
        row = await members.row(members.callers[name].user_id)
        assert before["row"]["votes"] is False and before["row"]["last_vote_affirmation"] is None
        assert row["votes"] is True and row["last_vote_affirmation"] is not None
        assert response.json()["needs_vote_affirmation"] is False
        assert {k: v for k, v in row.items() if k not in ("votes", "last_vote_affirmation", "updated")} == {
            k: v for k, v in before["row"].items() if k not in ("votes", "last_vote_affirmation", "updated")
        }
        await members.bystander_untouched()

    expected = {"anonymous": 401, "leaver": 401, "no_membership": 404}
    expected |= {name: 200 for name in OWN_MEMBERSHIP}
    await check_permission_matrix(client, db_conn, members.callers, expected, request, changed=changed)


# --- the caller's own account and keys ---------------------------------------------------------


async def _users_but(db_conn: Any, user_id: int | None) -> list[dict[str, Any]]:
    rows = await db_conn.fetch("SELECT * FROM users WHERE id IS DISTINCT FROM $1 ORDER BY id", user_id)
    return [dict(r) for r in rows]


async def test_me_update_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """``PATCH /users/me`` edits the caller's own profile only, at any rank; it carries no
    ``is_staff``/``is_active``/``is_superuser`` (400 for everybody) and no account id; a taken
    username is a 409. No other account changes."""
    await actors.create("leaver", active=False)
    await actors.create("user_admin", permissions=("users.change_user",))
    callers = dict(actors.callers)
    callers["raises itself"] = Caller("raises itself", *_identity(actors["user_admin"]))
    callers["names another account"] = Caller("names another account", *_identity(actors["root"]))
    callers["takes a username"] = Caller("takes a username", *_identity(actors["ordinary"]))
    others: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        others["rows"] = await _users_but(db_conn, callers[name].user_id)
        body: dict[str, Any] = {
            "first_name": f"First {name}",
            "bio": "*hello*",
            "bio_markup_type": "markdown",
        }
        if name == "raises itself":
            body["is_superuser"] = True
        if name == "names another account":
            body["id"] = actors["ordinary"].user_id
        if name == "takes a username":
            body = {"username": "Staffer"}
        return "PATCH", ME, body

    async def changed(name: str, response: Any) -> None:
        caller = callers[name]
        row = await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", caller.user_id)
        assert response.json()["id"] == caller.user_id
        assert row["first_name"] == f"First {name}" and row["bio"] == "*hello*"
        assert "<em>hello</em>" in row["bio_html"]
        assert row["is_staff"] == (name in ("staffer", "root")) and row["is_superuser"] == (name == "root")
        assert await _users_but(db_conn, caller.user_id) == others["rows"]

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "raises itself": 400,
        "names another account": 400,
        "takes a username": 409,
        "ordinary": 200,
        "staffer": 200,
        "root": 200,
        "user_admin": 200,
    }
    responses = await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert responses["takes a username"].json()["extra"] == {"field": "username"}


async def test_me_delete_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """``DELETE /users/me`` deletes the caller's own account (with its addresses, sessions, keys
    and membership) and nobody else's, at any rank; the deleted account's token stops working."""
    await actors.create("leaver", active=False)
    await actors.create("user_admin", permissions=("users.change_user",))
    callers = dict(actors.callers)
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        caller = callers[name]
        if caller.user_id is not None and name != "leaver":
            await _new_key(actors, caller.user_id)
            r = await client.post(MEMBERSHIP, json=_member_body(name), headers=caller.headers)
            assert r.status_code == 201, r.text
        before["others"] = await _users_but(db_conn, caller.user_id)
        return "DELETE", ME, None

    async def changed(name: str, response: Any) -> None:
        user_id = callers[name].user_id
        for table, column in (
            ("users", "id"),
            ("email_addresses", "user_id"),
            ("auth_sessions", "user_id"),
            ("api_keys", "user_id"),
            ("memberships", "creator_id"),
        ):
            count = await db_conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column}=$1", user_id)
            assert count == 0, table
        assert await _users_but(db_conn, user_id) == before["others"]
        assert (await client.get(ME, headers=callers[name].headers)).status_code == 401

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "ordinary": 204,
        "staffer": 204,
        "root": 204,
        "user_admin": 204,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert await db_conn.fetchval("SELECT username FROM users") == "leaver"


async def test_api_key_revoke_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """``DELETE /users/me/api-keys/{id}`` revokes one of the caller's own keys (the row stays,
    marked revoked, and the key stops working); the caller's other keys and everybody else's are
    untouched. Someone else's key is a 404, whatever the caller's rank (and test_accounts.py
    runs that refusal against every target rank)."""
    await actors.create("leaver", active=False)
    await actors.create("user_admin", permissions=("users.change_user",))
    bystander = await actors.create("bystander")
    theirs = await client.post(API_KEYS, json={"name": "theirs"}, headers=bystander.headers)
    assert theirs.status_code == 201, theirs.text
    callers = dict(actors.callers)
    callers["someone else's key"] = Caller("someone else's key", *_identity(actors["root"]))
    keys: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        caller = callers[name]
        if name in ("anonymous", "someone else's key"):
            key_id = theirs.json()["id"]
        else:
            keep = await client.post(API_KEYS, json={"name": "keep"}, headers=caller.headers)
            made = await client.post(API_KEYS, json={"name": "revoke"}, headers=caller.headers)
            if name == "leaver":  # an inactive account cannot make one: store it directly
                assert made.status_code == 401
                key_id = await db_conn.fetchval(
                    "INSERT INTO api_keys (user_id, name, prefix, key_hash, origin, created) "
                    "VALUES ($1, 'revoke', 'pdo_x', 'x', 'personal', now()) RETURNING id",
                    caller.user_id,
                )
            else:
                keys[name] = (keep.json(), made.json())
                key_id = made.json()["id"]
        keys["rows"] = [dict(r) for r in await db_conn.fetch("SELECT * FROM api_keys ORDER BY id")]
        return "DELETE", f"{API_KEYS}/{key_id}", None

    async def changed(name: str, response: Any) -> None:
        keep, revoked = keys[name]
        rows = {r["id"]: dict(r) for r in await db_conn.fetch("SELECT * FROM api_keys ORDER BY id")}
        assert rows[revoked["id"]]["revoked_at"] is not None
        assert rows[revoked["id"]]["user_id"] == callers[name].user_id
        assert {k: v for k, v in rows.items() if k != revoked["id"]} == {
            r["id"]: r for r in keys["rows"] if r["id"] != revoked["id"]
        }
        assert (
            await client.get(ME, headers={"Authorization": f"Bearer {revoked['key']}"})
        ).status_code == 401
        assert (await client.get(ME, headers={"Authorization": f"Bearer {keep['key']}"})).status_code == 200

    expected = {
        "anonymous": 401,
        "leaver": 401,
        "someone else's key": 404,
        "ordinary": 204,
        "staffer": 204,
        "root": 204,
        "user_admin": 204,
    }
    await check_permission_matrix(client, db_conn, callers, expected, request, changed=changed)
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", theirs.json()["id"]) is None
