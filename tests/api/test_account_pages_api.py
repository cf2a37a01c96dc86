"""What the account pages of the static site need from the API beyond test_auth.py: the sign-up
honeypot (answered like a sign-up, nothing stored or mailed) and ``POST
/api/v3/auth/verify-email/resend`` (a new link for an expired one or for a typed address, with
the enumeration rules of sign-up and reset and its rate limits)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pydotorg.core import tokens
from pydotorg.core.db import transaction
from pydotorg.domains.users import services as users
from tests.helpers import (
    PASSWORD,
    Caller,
    assert_no_more_mail,
    check_permission_matrix,
    db_fingerprint,
    token_from_mail,
    wait_for_mail,
)

SIGNUP = {"username": "newbie", "email": "newbie@example.org", "password": "s3cret-enough"}
RESEND = "/api/v3/auth/verify-email/resend"
SAME_ANSWER = {"detail": "If this address is waiting to be confirmed, a new link is on its way."}


async def _signup(client: Any, mailer: Any) -> tuple[Any, Any]:
    r = await client.post("/api/v3/auth/signup", json=SIGNUP)
    assert r.status_code == 202, r.text
    (message,) = await wait_for_mail(mailer)
    return message, r.json()


async def test_filled_honeypot_answers_like_a_signup_and_stores_nothing(
    client: Any, db_conn: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    _, genuine = await _signup(client, mailer)
    before = await db_fingerprint(db_conn)
    for body in (
        {**SIGNUP, "username": "bot", "email": "bot@example.org", "website": "http://spam.example"},
        # Even a taken username is not reported to a bot.
        {**SIGNUP, "username": "ordinary", "email": "bot@example.org", "website": "x"},
    ):
        r = await client.post("/api/v3/auth/signup", json=body)
        assert r.status_code == 202, r.text
        assert r.json() == genuine
    assert await db_fingerprint(db_conn) == before
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='bot'") == 0
    await assert_no_more_mail(mailer, 1)

    # An empty honeypot is an ordinary sign-up; an oversized one is a 400 naming the field.
    r = await client.post(
        "/api/v3/auth/signup", json={**SIGNUP, "username": "human", "email": "h@example.org", "website": ""}
    )
    assert r.status_code == 202
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='human'") == 1
    r = await client.post("/api/v3/auth/signup", json={**SIGNUP, "website": "x" * 201})
    assert r.status_code == 400 and "website" in r.text


async def test_resend_for_an_expired_link(
    client: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any, monkeypatch: Any
) -> None:
    await _signup(client, mailer)
    user_id = await db_conn.fetchval("SELECT id FROM users WHERE username='newbie'")
    # A genuine link sent four days ago (links last three).
    sent = tokens.time.time() - 4 * 24 * 3600
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: sent))
    expired = tokens.sign(settings.secret_key, "verify-email", {"u": user_id, "e": "newbie@example.org"})
    monkeypatch.undo()
    r = await client.post("/api/v3/auth/verify-email", json={"token": expired})
    assert r.status_code == 400 and "expired" in r.json()["detail"]
    assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", user_id) is False

    r = await client.post(RESEND, json={"token": expired})
    assert r.status_code == 202, r.text
    assert r.json() == SAME_ANSWER
    _, again = await wait_for_mail(mailer, 2)
    assert again["To"] == "newbie@example.org"
    assert "/accounts/confirm-email/?token=" in again.get_content()
    fresh = token_from_mail(again)
    assert fresh != expired
    r = await client.post("/api/v3/auth/verify-email", json={"token": fresh})
    assert r.status_code == 200, r.text
    assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", user_id) is True

    # Once confirmed, the old link asks for nothing more: same answer, no mail.
    r = await client.post(RESEND, json={"token": expired})
    assert r.status_code == 202 and r.json() == SAME_ANSWER
    await assert_no_more_mail(mailer, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "garbage"}, "token"),
        ({"token": "eyJ1IjoxfQ.AAAA"}, "token"),
        ({}, "token"),
        ({"token": "a.b", "email": "newbie@example.org"}, "token"),
        ({"email": "not an address"}, "email"),
        ({"email": "x@example.org", "extra": 1}, "extra"),
    ],
)
async def test_resend_refuses_bad_input(
    client: Any, db_conn: Any, mailer: Any, worker: Any, body: dict[str, Any], field: str
) -> None:
    await _signup(client, mailer)
    before = await db_fingerprint(db_conn)
    r = await client.post(RESEND, json=body)
    assert r.status_code == 400, r.text
    assert field in r.text
    assert await db_fingerprint(db_conn) == before
    await assert_no_more_mail(mailer, 1)


async def test_resend_by_address_reveals_nothing(
    client: Any, db_conn: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    await _signup(client, mailer)
    # An address waiting for confirmation gets a new link; the answer is the same for a
    # verified address (``ordinary``'s), an unknown one, and one of an inactive account.
    await actors.create("dormant", active=False)
    await db_conn.execute("UPDATE email_addresses SET verified=false WHERE email='dormant@example.org'")
    answers = []
    for email in ("NEWBIE@example.org", "ordinary@example.org", "nobody@example.org", "dormant@example.org"):
        r = await client.post(RESEND, json={"email": email})
        assert r.status_code == 202, r.text
        answers.append(r.json())
    assert answers == [SAME_ANSWER] * 4
    messages = await assert_no_more_mail(mailer, 2)
    assert messages[1]["To"] == "newbie@example.org"
    assert "signed up" in messages[1].get_content()


async def test_resend_for_a_pending_address_change(
    client: Any, db_conn: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    ordinary = actors["ordinary"]
    r = await client.patch("/api/v3/users/me", json={"email": "new@example.org"}, headers=ordinary.headers)
    assert r.status_code == 200, r.text
    await wait_for_mail(mailer)
    r = await client.post(RESEND, json={"email": "new@example.org"})
    assert r.status_code == 202
    _, again = await wait_for_mail(mailer, 2)
    assert again["To"] == "new@example.org" and "replaces the account's address" in again.get_content()
    r = await client.post("/api/v3/auth/verify-email", json={"token": token_from_mail(again)})
    assert r.status_code == 200
    assert (
        await db_conn.fetchval("SELECT email FROM users WHERE id=$1", ordinary.user_id) == "new@example.org"
    )


async def test_resend_limits(client: Any, db_conn: Any, mailer: Any, worker: Any, settings: Any) -> None:
    assert settings.rate_limit_email_change == "5/3600" == settings.rate_limit_password_reset
    await _signup(client, mailer)
    # Log-in attempts of the unconfirmed account and resends share one allowance per account:
    # three log-ins and two resends use it up; a third resend is answered alike and sends nothing.
    for _ in range(3):
        r = await client.post("/api/v3/auth/login", json={"login": "newbie", "password": "s3cret-enough"})
        assert r.status_code == 403
    await wait_for_mail(mailer, 4)
    for _ in range(3):
        r = await client.post(RESEND, json={"email": "newbie@example.org"})
        assert r.status_code == 202 and r.json() == SAME_ANSWER
    await assert_no_more_mail(mailer, 6)
    # Per client address: five requests an hour, then 429 whatever the address.
    for _ in range(2):
        r = await client.post(RESEND, json={"email": "nobody@example.org"})
        assert r.status_code == 202
    r = await client.post(RESEND, json={"email": "nobody@example.org"})
    assert r.status_code == 429 and "Retry-After" in r.headers
    await assert_no_more_mail(mailer, 6)


async def test_resend_matrix(
    client: Any,
    actors: Any,
    db_conn: Any,
    mailer: Any,
    worker: Any,
    sessionmaker: Any,
    settings: Any,
    monkeypatch: Any,
) -> None:
    """Anyone may ask, logged in or not, and the caller changes nothing: the link goes to the
    address the request names (by an expired link or typed in) for the account that claims it,
    never to the caller. A garbled link is a 400 that stores and sends nothing."""
    callers = dict(actors.callers)
    callers["garbled link"] = Caller("garbled link")
    waiting: dict[str, int] = {}
    async with transaction(sessionmaker) as s:
        for name in ("anonymous", "ordinary", "staffer", "root"):
            user = await users.create_user(
                s, username=f"waiting-{name}", email=f"waiting-{name}@example.net", password=PASSWORD
            )
            waiting[name] = user.id
    sent_at = tokens.time.time() - 4 * 24 * 3600
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: sent_at))
    expired = {
        name: tokens.sign(settings.secret_key, "verify-email", {"u": uid, "e": f"waiting-{name}@example.net"})
        for name, uid in waiting.items()
    }
    monkeypatch.undo()
    before: dict[str, Any] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        if callers[name].user_id is not None:
            before["caller"] = dict(
                await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", callers[name].user_id)
            )
        if name == "garbled link":
            return "POST", RESEND, {"token": expired["root"][:-4] + "AAAA"}
        # Half ask with the old link, half with the address.
        if name in ("anonymous", "staffer"):
            return "POST", RESEND, {"token": expired[name]}
        return "POST", RESEND, {"email": f"waiting-{name}@example.net"}

    sent = 0

    async def changed(name: str, response: Any) -> None:
        nonlocal sent
        assert response.json() == SAME_ANSWER
        sent += 1
        message = (await wait_for_mail(mailer, sent))[-1]
        assert message["To"] == f"waiting-{name}@example.net"
        r = await client.post("/api/v3/auth/verify-email", json={"token": token_from_mail(message)})
        assert r.status_code == 200 and r.json()["id"] == waiting[name], r.text
        if callers[name].user_id is not None:
            row = await db_conn.fetchrow("SELECT * FROM users WHERE id=$1", callers[name].user_id)
            assert dict(row) == before["caller"]

    await check_permission_matrix(
        client,
        db_conn,
        callers,
        {"anonymous": 202, "ordinary": 202, "staffer": 202, "root": 202, "garbled link": 400},
        request,
        changed=changed,
    )
    await assert_no_more_mail(mailer, 4)
