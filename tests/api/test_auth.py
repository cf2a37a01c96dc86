"""Sign up, e-mail verification, log in/out, cookie sessions with CSRF, passwords, rate limits."""

from __future__ import annotations

from typing import Any

from tests.helpers import PASSWORD, db_fingerprint, token_from_mail, wait_for_mail

SIGNUP = {"username": "newbie", "email": "newbie@example.org", "password": "s3cret-enough"}


async def _signup_and_verify(client: Any, mailer: Any) -> None:
    r = await client.post("/api/v3/auth/signup", json=SIGNUP)
    assert r.status_code == 202, r.text
    (message,) = await wait_for_mail(mailer)
    r = await client.post("/api/v3/auth/verify-email", json={"token": token_from_mail(message)})
    assert r.status_code == 200, r.text


async def test_signup_verify_login_me(client: Any, db_conn: Any, mailer: Any, worker: Any) -> None:
    r = await client.post("/api/v3/auth/signup", json=SIGNUP)
    assert r.status_code == 202, r.text
    row = await db_conn.fetchrow("SELECT id, password, is_active FROM users WHERE username='newbie'")
    assert row["password"].startswith("$argon2id$")
    assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", row["id"]) is False

    # Unverified: log-in refused, and a fresh confirmation is mailed.
    (first,) = await wait_for_mail(mailer)
    assert first["To"] == "newbie@example.org"
    r = await client.post("/api/v3/auth/login", json={"login": "newbie", "password": "s3cret-enough"})
    assert r.status_code == 403
    assert "not verified" in r.json()["detail"]
    await wait_for_mail(mailer, 2)

    r = await client.post("/api/v3/auth/verify-email", json={"token": token_from_mail(first)})
    assert r.status_code == 200, r.text
    assert r.json()["email_verified"] is True
    assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", row["id"]) is True

    r = await client.post(
        "/api/v3/auth/login", json={"login": "NEWBIE@example.org", "password": "s3cret-enough"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["token"]
    me = await client.get("/api/v3/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "newbie"
    assert "password" not in me.text
    assert await db_conn.fetchval("SELECT last_login FROM users WHERE id=$1", row["id"]) is not None


async def test_bad_verification_tokens(client: Any, db_conn: Any) -> None:
    for token in ["garbage", "a.b", "eyJ1IjoxfQ.AAAA"]:
        r = await client.post("/api/v3/auth/verify-email", json={"token": token})
        assert r.status_code == 400, (token, r.text)
        assert "Invalid verification token" in r.json()["detail"]


async def test_duplicate_username_reported_duplicate_email_not(
    client: Any, db_conn: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    r = await client.post(
        "/api/v3/auth/signup",
        json={"username": "Ordinary", "email": "x@example.org", "password": "s3cret-enough"},
    )
    assert r.status_code == 409
    assert r.json()["detail"] == "A user with that username already exists."

    before = await db_conn.fetchval("SELECT count(*) FROM users")
    r = await client.post(
        "/api/v3/auth/signup",
        json={"username": "someone", "email": "ordinary@example.org", "password": "s3cret-enough"},
    )
    assert r.status_code == 202  # same answer as a fresh sign-up: no account enumeration
    assert await db_conn.fetchval("SELECT count(*) FROM users") == before
    (message,) = await wait_for_mail(mailer)
    assert message["To"] == "ordinary@example.org"
    assert "already has an account" in message.get_content()


async def test_login_failures(client: Any, actors: Any, db_conn: Any) -> None:
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": "wrong"})
    assert r.status_code == 401
    r = await client.post("/api/v3/auth/login", json={"login": "nobody", "password": "wrong"})
    assert r.status_code == 401
    await actors.create("sleeper", active=False)
    r = await client.post("/api/v3/auth/login", json={"login": "sleeper", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json()["detail"] == "This account is inactive."
    # A token of a user who was deactivated stops working at once.
    await db_conn.execute("UPDATE users SET is_active=false WHERE username='ordinary'")
    r = await client.get("/api/v3/users/me", headers=actors["ordinary"].headers)
    assert r.status_code == 401


async def test_logout_revokes_token(client: Any, actors: Any, db_conn: Any) -> None:
    headers = actors["ordinary"].headers
    r = await client.post("/api/v3/auth/logout", headers=headers)
    assert r.status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM auth_sessions WHERE revoked_at IS NOT NULL") == 1
    r = await client.get("/api/v3/users/me", headers=headers)
    assert r.status_code == 401
    r = await client.post("/api/v3/auth/logout")
    assert r.status_code == 401


async def test_cookie_session_requires_csrf_on_unsafe_methods(client: Any, actors: Any) -> None:
    r = await client.post(
        "/api/v3/auth/login",
        json={"login": "ordinary", "password": PASSWORD, "session": "cookie"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token"] is None and body["csrf_token"]
    set_cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith("pydotorg_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace("Lax", "lax")
    assert "Secure" not in session_cookie  # only in production

    r = await client.get("/api/v3/users/me")
    assert r.status_code == 200 and r.json()["username"] == "ordinary"

    r = await client.patch("/api/v3/users/me", json={"first_name": "Ada"})
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    r = await client.patch("/api/v3/users/me", json={"first_name": "Ada"}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = await client.patch(
        "/api/v3/users/me",
        json={"first_name": "Ada"},
        headers={"X-CSRF-Token": body["csrf_token"]},
    )
    assert r.status_code == 200
    assert r.json()["first_name"] == "Ada"

    r = await client.post("/api/v3/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert r.status_code == 204
    client.cookies.clear()


async def test_password_change(client: Any, actors: Any, db_conn: Any) -> None:
    headers = actors["ordinary"].headers
    r = await client.post(
        "/api/v3/auth/password/change",
        json={"old_password": "not it", "new_password": "brand-new-password"},
        headers=headers,
    )
    assert r.status_code == 400
    r = await client.post(
        "/api/v3/auth/password/change",
        json={"old_password": PASSWORD, "new_password": "brand-new-password"},
        headers=headers,
    )
    assert r.status_code == 204
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
    assert r.status_code == 401
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": "brand-new-password"})
    assert r.status_code == 200


async def test_password_reset_flow(client: Any, actors: Any, mailer: Any, worker: Any) -> None:
    r = await client.post("/api/v3/auth/password/reset", json={"email": "nobody@example.org"})
    assert r.status_code == 202
    r = await client.post("/api/v3/auth/password/reset", json={"email": "ordinary@example.org"})
    assert r.status_code == 202
    (message,) = await wait_for_mail(mailer)
    assert message["To"] == "ordinary@example.org"
    token = token_from_mail(message)
    r = await client.post(
        "/api/v3/auth/password/reset/confirm",
        json={"token": token, "new_password": "reset-password-1"},
    )
    assert r.status_code == 204
    # Single use: the link stops working once the password changed.
    r = await client.post(
        "/api/v3/auth/password/reset/confirm",
        json={"token": token, "new_password": "reset-password-2"},
    )
    assert r.status_code == 400
    # Old sessions are revoked by the reset.
    r = await client.get("/api/v3/users/me", headers=actors["ordinary"].headers)
    assert r.status_code == 401
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": "reset-password-1"})
    assert r.status_code == 200


async def test_login_is_rate_limited_per_client_address(client: Any, actors: Any, settings: Any) -> None:
    limit = int(settings.rate_limit_login.split("/")[0])
    for _ in range(limit):
        r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": "x"})
        assert r.status_code == 401
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    # Fastly-Client-IP is ignored from an untrusted peer (the test client is not a proxy) ...
    r = await client.post(
        "/api/v3/auth/login",
        json={"login": "ordinary", "password": PASSWORD},
        headers={"Fastly-Client-IP": "203.0.113.9"},
    )
    assert r.status_code == 429


async def test_refused_calls_change_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    before = await db_fingerprint(db_conn)
    for method, url, body in [
        ("POST", "/api/v3/auth/login", {"login": "ordinary", "password": "nope"}),
        (
            "POST",
            "/api/v3/auth/signup",
            {"username": "bad name!", "email": "e@x.org", "password": "longenough"},
        ),
        (
            "POST",
            "/api/v3/auth/signup",
            {"username": "ok", "email": "not-an-email", "password": "longenough"},
        ),
        (
            "POST",
            "/api/v3/auth/signup",
            {"username": "ok", "email": "e@x.org", "password": "short"},
        ),
        ("PATCH", "/api/v3/users/me", {"first_name": "Nope"}),
    ]:
        r = await client.request(method, url, json=body)
        assert 400 <= r.status_code < 500, (url, r.status_code)
    assert await db_fingerprint(db_conn) == before


async def test_changing_email_does_not_lock_the_account(client: Any, actors: Any, db_conn: Any) -> None:
    r = await client.patch(
        "/api/v3/users/me", json={"email": "typo@example.invalid"}, headers=actors["ordinary"].headers
    )
    assert r.status_code == 200 and r.json()["pending_email"] == "typo@example.invalid"
    assert r.json()["email"] == "ordinary@example.org" and r.json()["email_verified"] is True
    # The old address is still the verified one, so logging in keeps working (as allauth allows).
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD})
    assert r.status_code == 200, r.text
