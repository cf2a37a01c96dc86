"""Accounts under attack (issue 12, items 1, 2 and the account tests of 11).

* The escalation matrix: every user-administration operation, by every role, against every
  target role. Levels are anonymous < user < staff < superuser; a permission reaches ordinary
  accounts only, staff members and superusers are changed by superusers alone, and a refused
  call changes nothing (tables, media, queued jobs: ``check_permission_matrix``).
* The takeover reported in the issue, replayed as a regression test.
* Credentials: a password change or reset revokes API keys and bearer tokens as well as
  sessions (the caller's own session survives a change); expired sessions and tokens are refused.
* E-mail changes follow allauth: pending until confirmed, unique only among verified addresses,
  the same answer whether or not the address is taken, rate limited per account.
* The throttles of sign-up, password reset, API-key creation and e-mail change: the request
  over the limit is a 429 and stores and mails nothing.
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from pydotorg.core import tokens
from pydotorg.core.db import transaction
from pydotorg.core.errors import integrity_error_handler
from pydotorg.domains.users.models import EmailAddress, User
from tests.helpers import (
    PASSWORD,
    Caller,
    assert_no_more_mail,
    check_permission_matrix,
    db_fingerprint,
    token_from_mail,
    wait_for_mail,
)

ME = "/api/v3/users/me"
SIGNUP = "/api/v3/auth/signup"
RESET = "/api/v3/auth/password/reset"
RESET_CONFIRM = "/api/v3/auth/password/reset/confirm"
LOGIN = "/api/v3/auth/login"
VERIFY = "/api/v3/auth/verify-email"

# Who calls. ``user_admin`` and ``group_admin`` hold one administration permission each (and,
# for grants, the permission they hand out); ``staff_admin`` is a staff member holding both.
ADMIN_PERMS = ("users.change_user",)
GROUP_PERMS = ("users.change_group", "users.view_user")
TARGET_ROLES = ("user", "staff", "superuser")


async def _roles(actors: Any) -> dict[str, Caller]:
    await actors.create("user_admin", permissions=ADMIN_PERMS)
    await actors.create("group_admin", permissions=GROUP_PERMS)
    await actors.create("staff_admin", staff=True, permissions=ADMIN_PERMS + GROUP_PERMS)
    return dict(actors.callers)


def _expected(holders: set[str], *, target: str, superuser_only: bool) -> dict[str, int]:
    """The matrix rule: anonymous 401; a caller without the permission 403; a holder 200 on an
    ordinary account unless the change is for superusers only; a superuser 200 everywhere."""
    below = target == "user" and not superuser_only
    out = {"anonymous": 401, "ordinary": 403, "staffer": 403, "root": 200}
    for name in ("user_admin", "group_admin", "staff_admin"):
        out[name] = 200 if name in holders and below else 403
    return out


class Targets:
    """A fresh target account per call, so every caller meets the same starting state."""

    def __init__(self, actors: Any) -> None:
        self.actors = actors
        self.counter = itertools.count(1)

    async def make(self, role: str) -> Caller:
        n = next(self.counter)
        return await self.actors.create(f"target{n}", staff=role == "staff", superuser=role == "superuser")


# (operation, body, superuser only, what an allowed call stored: column -> value)
PATCH_OPERATIONS: list[tuple[str, dict[str, Any], bool, dict[str, Any]]] = [
    ("profile", {"first_name": "Changed"}, False, {"first_name": "Changed"}),
    ("username", {"username": "renamed-{n}"}, False, {}),
    ("deactivate", {"is_active": False}, False, {"is_active": False}),
    ("make staff", {"is_staff": True}, True, {"is_staff": True}),
    ("make superuser", {"is_superuser": True, "is_staff": True}, True, {"is_superuser": True}),
]


@pytest.mark.parametrize("target_role", TARGET_ROLES)
@pytest.mark.parametrize(("operation", "body", "superuser_only", "stored"), PATCH_OPERATIONS)
async def test_admin_patch_matrix(
    client: Any,
    actors: Any,
    db_conn: Any,
    target_role: str,
    operation: str,
    body: dict[str, Any],
    superuser_only: bool,
    stored: dict[str, Any],
) -> None:
    callers = await _roles(actors)
    targets = Targets(actors)

    async def request(name: str) -> tuple[str, str, Any]:
        target = await targets.make(target_role)
        sent = {k: v.format(n=target.user_id) if isinstance(v, str) else v for k, v in body.items()}
        return "PATCH", f"/api/v3/users/id/{target.user_id}", sent

    async def changed(name: str, response: Any) -> None:
        row = await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", response.json()["id"])
        for column, value in stored.items():
            assert row[column] == value, (column, row[column])
        if operation == "username":
            assert row["username"] == f"renamed-{row['id']}"

    await check_permission_matrix(
        client,
        db_conn,
        callers,
        _expected({"user_admin", "staff_admin"}, target=target_role, superuser_only=superuser_only),
        request,
        changed=changed,
    )


@pytest.mark.parametrize("target_role", TARGET_ROLES)
async def test_admin_email_change_matrix(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any, target_role: str
) -> None:
    """The step the takeover began with: only a superuser touches a staff or superuser address;
    an allowed change is pending (the account keeps its address) and mails the new address."""
    callers = await _roles(actors)
    targets = Targets(actors)

    async def request(name: str) -> tuple[str, str, Any]:
        target = await targets.make(target_role)
        return "PATCH", f"/api/v3/users/id/{target.user_id}", {"email": f"new-{name}@mail.example"}

    async def changed(name: str, response: Any) -> None:
        user_id = response.json()["id"]
        assert response.json()["pending_email"] == f"new-{name}@mail.example"
        rows = await db_conn.fetch(
            'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1 ORDER BY id', user_id
        )
        assert [(r["verified"], r["primary"]) for r in rows] == [(True, True), (False, False)]
        assert rows[1]["email"] == f"new-{name}@mail.example"
        user_email = await db_conn.fetchval("SELECT email FROM users WHERE id=$1", user_id)
        assert user_email == rows[0]["email"]

    await check_permission_matrix(
        client,
        db_conn,
        callers,
        _expected({"user_admin", "staff_admin"}, target=target_role, superuser_only=False),
        request,
        changed=changed,
    )
    expected = _expected({"user_admin", "staff_admin"}, target=target_role, superuser_only=False)
    allowed = [name for name, status in expected.items() if status == 200]
    messages = await wait_for_mail(mailer, len(allowed))
    assert sorted(m["To"] for m in messages) == sorted(f"new-{n}@mail.example" for n in allowed)
    await assert_no_more_mail(mailer, len(allowed))


@pytest.mark.parametrize("target_role", TARGET_ROLES)
@pytest.mark.parametrize("kind", ["permissions", "groups"])
async def test_grants_matrix(client: Any, actors: Any, db_conn: Any, target_role: str, kind: str) -> None:
    callers = await _roles(actors)
    targets = Targets(actors)
    r = await client.post(
        "/api/v3/groups",
        json={"name": "viewers", "permissions": ["users.view_user"]},
        headers=callers["root"].headers,
    )
    assert r.status_code == 201, r.text
    body = {"permissions": ["users.view_user"]} if kind == "permissions" else {"groups": ["viewers"]}

    async def request(name: str) -> tuple[str, str, Any]:
        target = await targets.make(target_role)
        return "PUT", f"/api/v3/users/id/{target.user_id}/grants", body

    async def changed(name: str, response: Any) -> None:
        user_id = response.json()["id"]
        if kind == "permissions":
            stored = await db_conn.fetch("SELECT permission FROM user_permissions WHERE user_id=$1", user_id)
            assert [r["permission"] for r in stored] == ["users.view_user"]
        else:
            assert await db_conn.fetchval("SELECT count(*) FROM user_groups WHERE user_id=$1", user_id) == 1

    await check_permission_matrix(
        client,
        db_conn,
        callers,
        _expected({"group_admin", "staff_admin"}, target=target_role, superuser_only=False),
        request,
        changed=changed,
    )


async def test_nobody_grants_what_they_do_not_hold(client: Any, actors: Any, db_conn: Any) -> None:
    manager = await actors.create("manager", permissions=("users.change_group",))
    target = await actors.create("target", permissions=("jobs.moderate",))
    root = actors["root"]
    r = await client.post(
        "/api/v3/groups", json={"name": "moderators", "permissions": ["jobs.moderate"]}, headers=root.headers
    )
    assert r.status_code == 201, r.text
    url = f"/api/v3/users/id/{target.user_id}/grants"
    before = await db_fingerprint(db_conn)
    for body in (
        {"permissions": ["downloads.add_release"]},  # granting one they lack
        {"permissions": []},  # taking away one they lack
        {"groups": ["moderators"]},  # a group that carries one they lack
        {"permissions": ["jobs.moderate", "users.change_group", "users.change_user"]},
    ):
        r = await client.put(url, json=body, headers=manager.headers)
        assert r.status_code == 403, (body, r.text)
    # A group whose permissions the manager does not hold cannot be created either.
    r = await client.post(
        "/api/v3/groups",
        json={"name": "release", "permissions": ["downloads.add_release"]},
        headers=manager.headers,
    )
    assert r.status_code == 403, r.text
    assert await db_fingerprint(db_conn) == before
    # What they hold, they may hand on (as Django's group admins do).
    r = await client.put(
        url, json={"permissions": ["jobs.moderate", "users.change_group"]}, headers=manager.headers
    )
    assert r.status_code == 200, r.text
    stored = await db_conn.fetch(
        "SELECT permission FROM user_permissions WHERE user_id=$1 ORDER BY 1", target.user_id
    )
    assert [r["permission"] for r in stored] == ["jobs.moderate", "users.change_group"]
    # ... and the grants route never makes anyone staff: it has no such field.
    r = await client.put(url, json={"is_staff": True}, headers=manager.headers)
    assert r.status_code == 400


@pytest.mark.parametrize("target_role", TARGET_ROLES)
async def test_nobody_revokes_another_users_key(
    client: Any, actors: Any, db_conn: Any, target_role: str
) -> None:
    """The only key and session revocation routes act on the caller's own credentials."""
    callers = await _roles(actors)
    target = await Targets(actors).make(target_role)
    r = await client.post(f"{ME}/api-keys", json={"name": "theirs"}, headers=target.headers)
    assert r.status_code == 201, r.text
    key_id = r.json()["id"]
    expected = {name: 404 for name in callers}
    expected["anonymous"] = 401
    await check_permission_matrix(
        client, db_conn, callers, expected, ("DELETE", f"{ME}/api-keys/{key_id}", None)
    )
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", key_id) is None


async def test_user_admin_cannot_take_over_a_superuser(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    """The issue's scenario: change the superuser's address, reset the password, log in."""
    admin = await actors.create("useradmin", permissions=("users.change_user",))
    root = actors["root"]
    url = f"/api/v3/users/id/{root.user_id}"
    before = await db_fingerprint(db_conn)
    for body in (
        {"email": "attacker@evil.example"},
        {"is_active": False},
        {"username": "pwned"},
    ):
        r = await client.patch(url, json=body, headers=admin.headers)
        assert r.status_code == 403, (body, r.text)
    # Nor can the administrator raise themselves to where the superuser is.
    for body in ({"is_staff": True}, {"is_superuser": True}):
        r = await client.patch(f"/api/v3/users/id/{admin.user_id}", json=body, headers=admin.headers)
        assert r.status_code == 403, (body, r.text)
    assert await db_fingerprint(db_conn) == before

    # The reset for the attacker's address reaches nobody; the superuser's goes to the superuser.
    r = await client.post(RESET, json={"email": "attacker@evil.example"})
    assert r.status_code == 202
    await assert_no_more_mail(mailer, 0)
    r = await client.post(RESET, json={"email": "root@example.org"})
    assert r.status_code == 202
    (message,) = await wait_for_mail(mailer)
    assert message["To"] == "root@example.org"
    await assert_no_more_mail(mailer, 1)
    row = await db_conn.fetchrow("SELECT email, is_active FROM users WHERE id=$1", root.user_id)
    assert (row["email"], row["is_active"]) == ("root@example.org", True)
    r = await client.get(ME, headers=root.headers)
    assert r.status_code == 200 and r.json()["is_superuser"] is True


async def test_a_pending_address_set_by_an_admin_is_not_a_reset_address(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    """Even on an account they may change, an administrator cannot redirect its resets: the
    address stays pending until its owner confirms it."""
    admin = await actors.create("useradmin", permissions=("users.change_user",))
    victim = await actors.create("victim")
    r = await client.patch(
        f"/api/v3/users/id/{victim.user_id}", json={"email": "attacker@evil.example"}, headers=admin.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "victim@example.org" and r.json()["pending_email"] == "attacker@evil.example"
    (link,) = await wait_for_mail(mailer)  # the confirmation goes to the new address
    assert link["To"] == "attacker@evil.example"
    r = await client.post(RESET, json={"email": "attacker@evil.example"})
    assert r.status_code == 202
    r = await client.post(LOGIN, json={"login": "attacker@evil.example", "password": PASSWORD})
    assert r.status_code == 401
    await assert_no_more_mail(mailer, 1)


# --- credentials ---------------------------------------------------------------------------


async def _login(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = await client.post(LOGIN, json={"login": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def _new_key(client: Any, headers: dict[str, str]) -> str:
    r = await client.post(f"{ME}/api-keys", json={"name": "release"}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


async def test_password_change_keeps_this_session_and_ends_the_rest(
    client: Any, actors: Any, db_conn: Any
) -> None:
    me = actors["ordinary"]
    other = await _login(client, "ordinary")
    key = await _new_key(client, me.headers)
    r = await client.post(
        "/api/v3/auth/password/change",
        json={"old_password": PASSWORD, "new_password": "brand-new-password"},
        headers=me.headers,
    )
    assert r.status_code == 204, r.text
    assert (await client.get(ME, headers=me.headers)).status_code == 200
    assert (await client.get(ME, headers=other)).status_code == 401
    assert (await client.get(ME, headers={"Authorization": f"Bearer {key}"})).status_code == 401
    r = await client.get("/api/v1/downloads/os/", headers={"Authorization": f"ApiKey ordinary:{key}"})
    assert r.status_code == 401
    r = await client.get("/api/v2/downloads/os/", headers={"Authorization": f"Token {key}"})
    assert r.status_code == 401
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM api_keys WHERE user_id=$1 AND revoked_at IS NULL", me.user_id
        )
        == 0
    )
    live = await db_conn.fetchval(
        "SELECT count(*) FROM auth_sessions WHERE user_id=$1 AND revoked_at IS NULL", me.user_id
    )
    assert live == 1


async def test_password_reset_revokes_every_session_and_key(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    key = await _new_key(client, me.headers)
    assert (await client.get(ME, headers={"Authorization": f"Bearer {key}"})).status_code == 200
    r = await client.post(RESET, json={"email": "ordinary@example.org"})
    assert r.status_code == 202
    (message,) = await wait_for_mail(mailer)
    r = await client.post(
        RESET_CONFIRM, json={"token": token_from_mail(message), "new_password": "after-reset-1"}
    )
    assert r.status_code == 204, r.text
    for headers in (me.headers, {"Authorization": f"Bearer {key}"}):
        assert (await client.get(ME, headers=headers)).status_code == 401
    r = await client.get("/api/v1/downloads/os/", headers={"Authorization": f"ApiKey ordinary:{key}"})
    assert r.status_code == 401
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM api_keys WHERE user_id=$1 AND revoked_at IS NULL", me.user_id
        )
        == 0
    )
    # A new key made after the reset works (what a release manager does next).
    fresh = await _login(client, "ordinary", "after-reset-1")
    key = await _new_key(client, fresh)
    r = await client.get("/api/v1/downloads/os/", headers={"Authorization": f"ApiKey ordinary:{key}"})
    assert r.status_code == 200


@pytest.mark.parametrize("kind", ["token", "cookie"])
async def test_expired_session_is_refused(client: Any, actors: Any, db_conn: Any, kind: str) -> None:
    r = await client.post(LOGIN, json={"login": "ordinary", "password": PASSWORD, "session": kind})
    assert r.status_code == 200, r.text
    # A cookie session rides on the client's cookie jar, set by the log-in answer.
    headers = {"Authorization": f"Bearer {r.json()['token']}"} if kind == "token" else {}
    assert (await client.get(ME, headers=headers)).status_code == 200
    await db_conn.execute(
        "UPDATE auth_sessions SET expires = now() - interval '1 second' WHERE user_id=$1 AND kind=$2",
        actors["ordinary"].user_id,
        kind,
    )
    assert (await client.get(ME, headers=headers)).status_code == 401


def _payload(token: str) -> dict[str, Any]:
    """What a signed token carries (``u``: the account, ``t``: when it was signed)."""
    raw = token.split(".", 1)[0]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return payload


def _backdated(token: str, purpose: str, secret_key: str, seconds: int, monkeypatch: Any) -> str:
    """The same signed payload, signed ``seconds`` earlier."""
    payload = _payload(token)
    issued = int(payload.pop("t"))
    payload.pop("p")

    class Clock:
        @staticmethod
        def time() -> float:
            return float(issued - seconds)

    with monkeypatch.context() as m:
        m.setattr(tokens, "time", Clock)
        return tokens.sign(secret_key, purpose, payload)


async def test_expired_verification_token_is_refused(
    client: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any, monkeypatch: Any
) -> None:
    r = await client.post(
        SIGNUP, json={"username": "late", "email": "late@example.org", "password": PASSWORD}
    )
    assert r.status_code == 202
    (message,) = await wait_for_mail(mailer)
    token = token_from_mail(message)
    old = _backdated(
        token,
        "verify-email",
        settings.secret_key,
        settings.email_verification_max_age_seconds + 5,
        monkeypatch,
    )
    r = await client.post(VERIFY, json={"token": old})
    assert r.status_code == 400 and "expired" in r.json()["detail"], r.text
    assert await db_conn.fetchval("SELECT bool_or(verified) FROM email_addresses") is False
    # The same token, fresh, still works: only its age was wrong.
    r = await client.post(VERIFY, json={"token": token})
    assert r.status_code == 200, r.text


async def test_expired_reset_token_is_refused(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any, monkeypatch: Any
) -> None:
    r = await client.post(RESET, json={"email": "ordinary@example.org"})
    assert r.status_code == 202
    (message,) = await wait_for_mail(mailer)
    token = token_from_mail(message)
    old = _backdated(
        token, "password-reset", settings.secret_key, settings.password_reset_max_age_seconds + 5, monkeypatch
    )
    before = await db_fingerprint(db_conn)
    r = await client.post(RESET_CONFIRM, json={"token": old, "new_password": "never-set-1"})
    assert r.status_code == 400 and "expired" in r.json()["detail"], r.text
    assert await db_fingerprint(db_conn) == before
    r = await client.post(LOGIN, json={"login": "ordinary", "password": "never-set-1"})
    assert r.status_code == 401


# --- throttles -----------------------------------------------------------------------------


def _limit(spec: str) -> int:
    return int(spec.split("/")[0])


async def test_signup_throttle(client: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any) -> None:
    limit = _limit(settings.rate_limit_signup)
    for n in range(limit):
        r = await client.post(
            SIGNUP, json={"username": f"new{n}", "email": f"new{n}@example.org", "password": PASSWORD}
        )
        assert r.status_code == 202, r.text
    await wait_for_mail(mailer, limit)
    r = await client.post(
        SIGNUP, json={"username": "onemore", "email": "onemore@example.org", "password": PASSWORD}
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert await db_conn.fetchval("SELECT count(*) FROM users") == limit
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='onemore'") == 0
    await assert_no_more_mail(mailer, limit)


async def test_password_reset_throttle(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any
) -> None:
    limit = _limit(settings.rate_limit_password_reset)
    for _ in range(limit):
        assert (await client.post(RESET, json={"email": "ordinary@example.org"})).status_code == 202
    await wait_for_mail(mailer, limit)
    r = await client.post(RESET, json={"email": "ordinary@example.org"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    await assert_no_more_mail(mailer, limit)


async def test_api_key_throttle(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    limit = _limit(settings.rate_limit_api_key)
    headers = actors["ordinary"].headers
    for n in range(limit):
        r = await client.post(f"{ME}/api-keys", json={"name": f"k{n}"}, headers=headers)
        assert r.status_code == 201, r.text
    before = await db_fingerprint(db_conn)
    r = await client.post(f"{ME}/api-keys", json={"name": "onemore"}, headers=headers)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert await db_fingerprint(db_conn) == before
    assert await db_conn.fetchval("SELECT count(*) FROM api_keys") == limit


async def test_email_change_throttle_is_per_account(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any
) -> None:
    limit = _limit(settings.rate_limit_email_change)
    me = actors["ordinary"]
    for n in range(limit):
        r = await client.patch(ME, json={"email": f"probe{n}@example.net"}, headers=me.headers)
        assert r.status_code == 200, r.text
    await wait_for_mail(mailer, limit)
    before = await db_fingerprint(db_conn)
    # Over the limit, a taken address and a free one get the same 429, and nothing happens.
    for address in ("staffer@example.org", "free@example.net"):
        r = await client.patch(ME, json={"email": address, "first_name": "X"}, headers=me.headers)
        assert r.status_code == 429, r.text
    assert await db_fingerprint(db_conn) == before
    await assert_no_more_mail(mailer, limit)
    # Other profile edits are not limited; another account has its own allowance.
    r = await client.patch(ME, json={"first_name": "Still"}, headers=me.headers)
    assert r.status_code == 200, r.text
    r = await client.patch(ME, json={"email": "mine@example.net"}, headers=actors["staffer"].headers)
    assert r.status_code == 200, r.text


async def test_refused_log_ins_do_not_flood_an_unconfirmed_address(
    client: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any
) -> None:
    """A log-in to an unconfirmed account re-sends the confirmation, at most as often as the
    per-account e-mail allowance: someone who signed up with another person's address cannot
    flood it by logging in again and again."""
    limit = _limit(settings.rate_limit_email_change)
    assert limit + 1 < _limit(settings.rate_limit_login)
    r = await client.post(
        SIGNUP, json={"username": "flood", "email": "inbox@example.net", "password": PASSWORD}
    )
    assert r.status_code == 202
    await wait_for_mail(mailer, 1)
    for _ in range(limit + 1):
        r = await client.post(LOGIN, json={"login": "flood", "password": PASSWORD})
        assert r.status_code == 403, r.text
    messages = await wait_for_mail(mailer, 1 + limit)
    assert {m["To"] for m in messages} == {"inbox@example.net"}
    await assert_no_more_mail(mailer, 1 + limit)


# --- e-mail changes ------------------------------------------------------------------------


async def _addresses(db_conn: Any, user_id: int) -> list[tuple[str, bool, bool]]:
    rows = await db_conn.fetch(
        'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1 ORDER BY id', user_id
    )
    return [(r["email"], r["verified"], r["primary"]) for r in rows]


async def test_taken_and_free_addresses_get_the_same_answer(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    answers = {}
    for address in ("free@example.net", "staffer@example.org"):
        r = await client.patch(ME, json={"email": address}, headers=me.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body.pop("pending_email") == address
        answers[address] = (r.status_code, body)
    assert answers["free@example.net"] == answers["staffer@example.org"]
    link, notice = sorted(await wait_for_mail(mailer, 2), key=lambda m: str(m["To"]))
    assert link["To"] == "free@example.net" and "?token=" in link.get_content()
    assert notice["To"] == "staffer@example.org" and "?token=" not in notice.get_content()
    # The owner's account is untouched; the asker has one pending address (the latest).
    assert await _addresses(db_conn, actors["staffer"].user_id) == [("staffer@example.org", True, True)]
    assert await _addresses(db_conn, me.user_id) == [
        ("ordinary@example.org", True, True),
        ("staffer@example.org", False, False),
    ]
    # The first link stopped working when the request was replaced.
    r = await client.post(VERIFY, json={"token": token_from_mail(link)})
    assert r.status_code == 400


async def test_a_pending_address_never_blocks_its_owner(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    squatter = actors["ordinary"]
    r = await client.patch(ME, json={"email": "Victim@Example.net"}, headers=squatter.headers)
    assert r.status_code == 200, r.text
    (squat_link,) = await wait_for_mail(mailer)
    assert squat_link["To"] == "Victim@Example.net"  # the squatter never sees a link

    # The real owner signs up: the account is created and a confirmation is mailed.
    r = await client.post(
        SIGNUP, json={"username": "victim", "email": "victim@example.net", "password": PASSWORD}
    )
    assert r.status_code == 202, r.text
    victim_id = await db_conn.fetchval("SELECT id FROM users WHERE username='victim'")
    assert victim_id is not None
    _, signup_link = await wait_for_mail(mailer, 2)
    assert signup_link["To"] == "victim@example.net" and "signed up" in signup_link.get_content()

    # A reset for the address goes to the owner's account, never to the squatter's.
    r = await client.post(RESET, json={"email": "VICTIM@example.net"})
    assert r.status_code == 202
    _, _, reset = await wait_for_mail(mailer, 3)
    assert reset["To"] == "victim@example.net"
    assert _payload(token_from_mail(reset))["u"] == victim_id
    # Logging in with the pending address reaches no account of the squatter's either.
    r = await client.post(LOGIN, json={"login": "victim@example.net", "password": PASSWORD})
    assert r.status_code == 403  # the victim's account, not yet verified
    resent = (await wait_for_mail(mailer, 4))[3]  # the refusal mails the victim a fresh link
    assert resent["To"] == "victim@example.net"

    # The owner confirms: the address is theirs and the squatter's claim is dropped.
    r = await client.post(VERIFY, json={"token": token_from_mail(signup_link)})
    assert r.status_code == 200, r.text
    assert await _addresses(db_conn, victim_id) == [("victim@example.net", True, True)]
    assert await _addresses(db_conn, squatter.user_id) == [("ordinary@example.org", True, True)]
    r = await client.get(ME, headers=squatter.headers)
    assert r.json()["email"] == "ordinary@example.org" and r.json()["pending_email"] is None
    # The link mailed for the squatter's request no longer works.
    r = await client.post(VERIFY, json={"token": token_from_mail(squat_link)})
    assert r.status_code == 400
    await assert_no_more_mail(mailer, 4)


async def test_two_accounts_ask_for_one_address_the_first_to_confirm_keeps_it(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    first, second = actors["ordinary"], actors["staffer"]
    for caller in (first, second):
        r = await client.patch(ME, json={"email": "shared@example.net"}, headers=caller.headers)
        assert r.status_code == 200, r.text
    links = {_payload(token_from_mail(m))["u"]: m for m in await wait_for_mail(mailer, 2)}
    link_first, link_second = links[first.user_id], links[second.user_id]
    r = await client.post(VERIFY, json={"token": token_from_mail(link_second)})
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "staffer" and r.json()["email"] == "shared@example.net"
    r = await client.post(VERIFY, json={"token": token_from_mail(link_first)})
    assert r.status_code == 400, r.text
    assert "uq_" not in r.text and "constraint" not in r.text
    assert await _addresses(db_conn, first.user_id) == [("ordinary@example.org", True, True)]
    assert (
        await db_conn.fetchval("SELECT email FROM users WHERE id=$1", second.user_id) == "shared@example.net"
    )


async def test_switching_back_to_an_earlier_address_is_immediate(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    me = actors["ordinary"]
    r = await client.patch(ME, json={"email": "second@example.net"}, headers=me.headers)
    assert r.status_code == 200
    (link,) = await wait_for_mail(mailer)
    assert (await client.post(VERIFY, json={"token": token_from_mail(link)})).status_code == 200
    assert await db_conn.fetchval("SELECT email FROM users WHERE id=$1", me.user_id) == "second@example.net"

    r = await client.patch(ME, json={"email": "Ordinary@example.org"}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "ordinary@example.org" and r.json()["email_verified"] is True
    assert r.json()["pending_email"] is None
    assert await _addresses(db_conn, me.user_id) == [
        ("ordinary@example.org", True, True),
        ("second@example.net", True, False),
    ]
    await assert_no_more_mail(mailer, 1)
    # Both verified addresses still belong to this account: nobody else can take either.
    r = await client.post(
        SIGNUP, json={"username": "copycat", "email": "second@example.net", "password": PASSWORD}
    )
    assert r.status_code == 202
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='copycat'") == 0


async def test_constraint_names_never_reach_a_client(sessionmaker: Any, db_conn: Any, actors: Any) -> None:
    """A unique violation that slips past the services' checks (a race) answers a generic 409
    naming the field; the real driver errors are fed to the app's handler."""
    answers = []
    cases = [
        (
            EmailAddress,
            {
                "user_id": actors["staffer"].user_id,
                "email": "ORDINARY@example.org",
                "verified": True,
                "primary": False,
            },
        ),
        (User, {"username": "Ordinary", "email": "x@example.org", "password": "!", "date_joined": None}),
    ]
    for model, values in cases:
        values = {k: v for k, v in values.items() if v is not None}
        with pytest.raises(IntegrityError) as caught:
            async with transaction(sessionmaker) as s:
                await s.execute(insert(model).values(**values))
        answers.append(integrity_error_handler(None, caught.value))  # type: ignore[arg-type]
    email, username = answers
    assert (email.status_code, email.content["extra"]) == (409, {"field": "email"})
    assert (username.status_code, username.content["extra"]) == (409, {"field": "username"})
    for answer in answers:
        text = json.dumps(answer.content)
        assert "uq_" not in text and "ix_" not in text and "constraint" not in text, text
    # A check constraint: the field, not the constraint's name.
    with pytest.raises(IntegrityError) as caught:
        async with transaction(sessionmaker) as s:
            await s.execute(
                insert(User).values(username="odd", email="o@example.org", password="!", email_privacy=7)
            )
    answer = integrity_error_handler(None, caught.value)  # type: ignore[arg-type]
    assert (answer.status_code, answer.content["extra"]) == (400, {"field": "email_privacy"})
    assert "ck_" not in json.dumps(answer.content)
