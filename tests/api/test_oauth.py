"""GitHub and Google sign-in (issue 14, item 6) against a local fake provider.

The fake speaks GitHub's authorize, token, ``/user`` and ``/user/emails`` endpoints and Google's
authorize, token and userinfo endpoints over real HTTP (uvicorn on 127.0.0.1), and checks what a
real provider checks: the client's credentials, a code used once, the redirect URI, and PKCE (the
S256 of the ``code_verifier`` sent to the token endpoint must equal the ``code_challenge`` the
browser brought to the authorize endpoint). The API under test is ``create_app`` with the
provider settings pointing at the fake, so httpx-oauth's client is in the path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.mail import MemoryMailer
from pydotorg.settings import Settings
from tests.helpers import (
    PASSWORD,
    Caller,
    Receive,
    Scope,
    Send,
    check_permission_matrix,
    db_fingerprint,
    serve_asgi,
)

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
PROVIDERS = "/api/v3/auth/providers"
CONNECTIONS = "/api/v3/users/me/connections"
ME = "/api/v3/users/me"
ERROR_PAGE = "/accounts/social/login/error/"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeProvider:
    """GitHub (``/github/...``, API under ``/api``) and Google (``/google/...``) in one server."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.github_user: dict[str, Any] = {"id": 4242, "login": "octocat", "email": None}
        self.github_emails: list[dict[str, Any]] = [
            {"email": "octo@example.org", "verified": True, "primary": True}
        ]
        self.google_info: dict[str, Any] = {
            "sub": "1077",
            "email": "guido@example.org",
            "email_verified": True,
            "given_name": "Guido",
            "family_name": "van Rossum",
        }
        self.grants: dict[str, dict[str, str]] = {}  # code -> what the authorize request carried
        self.tokens: dict[str, str] = {}  # access token -> provider
        self.token_requests: list[dict[str, str]] = []
        self.token_outage = False  # the token endpoint answers 503
        self.deny = False  # the user declines at the provider's authorize page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        provider = path.split("/")[1]
        if path.endswith("/authorize"):
            await self._authorize(send, provider, query)
        elif path.endswith("/token"):
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            await self._token(send, provider, form)
        else:
            await self._resource(send, path, headers)

    async def _authorize(self, send: Send, provider: str, query: dict[str, str]) -> None:
        # The user approves at once (declines with ``deny``): back to the client's redirect URI.
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        if self.deny:  # RFC 6749 4.1.2.1
            target = (
                query["redirect_uri"] + "?" + urlencode({"error": "access_denied", "state": query["state"]})
            )
            await _answer(send, 302, b"", [(b"location", target.encode())])
            return
        code = secrets.token_hex(8)
        self.grants[code] = {**query, "provider": provider}
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        await _answer(send, 302, b"", [(b"location", target.encode())])

    async def _token(self, send: Send, provider: str, form: dict[str, str]) -> None:
        self.token_requests.append(form)
        if self.token_outage:
            await _answer(send, 503, b'{"error": "temporarily_unavailable"}')
            return
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        problem = None
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            problem = "invalid_client"
        elif grant is None or grant["provider"] != provider:
            problem = "bad_verification_code"
        elif grant["redirect_uri"] != form.get("redirect_uri"):
            problem = "redirect_uri_mismatch"
        elif grant.get("code_challenge_method") != "S256" or s256(form.get("code_verifier", "")) != grant.get(
            "code_challenge"
        ):
            problem = "invalid_grant"  # PKCE: the verifier does not match the challenge
        if problem:
            # GitHub answers errors with 200 and {"error": ...}; Google with a 400.
            status = 200 if provider == "github" else 400
            await _answer(send, status, json.dumps({"error": problem}).encode())
            return
        token = secrets.token_hex(16)
        self.tokens[token] = provider
        await _answer(send, 200, json.dumps({"access_token": token, "token_type": "bearer"}).encode())

    async def _resource(self, send: Send, path: str, headers: dict[str, str]) -> None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        provider = self.tokens.get(token)
        routes = {
            ("github", "/api/user"): self.github_user,
            ("github", "/api/user/emails"): self.github_emails,
            ("google", "/google/userinfo"): self.google_info,
        }
        found = routes.get((provider or "", path))
        if found is None:
            await _answer(send, 401, b'{"message": "Bad credentials"}')
            return
        await _answer(send, 200, json.dumps(found).encode())


async def _answer(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", b"application/json"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakeProvider, str]]:
    fake = FakeProvider()
    with serve_asgi(fake) as url:
        yield fake, url


@pytest.fixture(scope="module")
async def _oauth_client(
    settings: Settings, mailer: MemoryMailer, fake_server: tuple[FakeProvider, str]
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    _, base = fake_server
    configured = msgspec.structs.replace(
        settings,
        oauth_github_client_id=CLIENT_ID,
        oauth_github_client_secret=CLIENT_SECRET,
        oauth_github_authorize_url=f"{base}/github/authorize",
        oauth_github_token_url=f"{base}/github/token",
        oauth_github_api_url=f"{base}/api",
        oauth_google_client_id=CLIENT_ID,
        oauth_google_client_secret=CLIENT_SECRET,
        oauth_google_authorize_url=f"{base}/google/authorize",
        oauth_google_token_url=f"{base}/google/token",
        oauth_google_userinfo_url=f"{base}/google/userinfo",
    ).validated()
    app = create_app(configured, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False  # a redirect to the provider leaves this app
        yield c


@pytest.fixture
async def oauth(
    clean: None, _oauth_client: AsyncTestClient[Litestar], fake_server: tuple[FakeProvider, str]
) -> tuple[AsyncTestClient[Litestar], FakeProvider]:
    _oauth_client.cookies.clear()
    fake_server[0].reset()
    return _oauth_client, fake_server[0]


async def start(client: Any, provider: str = "github", next_path: str = "/jobs/") -> str:
    """Start the flow as a browser; the provider's authorization URL it is sent to."""
    r = await client.get(f"/api/v3/auth/oauth/{provider}/authorize", params={"next": next_path})
    assert r.status_code == 302, r.text
    return r.headers["location"]


async def at_provider(authorize_url: str) -> str:
    """The browser at the provider, which approves: the callback path and query it is sent to."""
    async with httpx.AsyncClient() as browser:
        r = await browser.get(authorize_url)
    assert r.status_code == 302, r.text
    back = urlsplit(r.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == "https://www.python.org"  # the registered callback
    return f"{back.path}?{back.query}"


async def sign_in(client: Any, provider: str = "github", next_path: str = "/jobs/") -> httpx.Response:
    callback = await at_provider(await start(client, provider, next_path))
    return await client.get(callback)


async def _rows(db_conn: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await db_conn.fetch(sql, *args)]


def assert_sent_to_error_page(client: Any, r: httpx.Response, reason: str, provider: str = "github") -> None:
    """A failed flow: the browser goes to the site's error page with the reason code and the
    provider, the state cookie is cleared and no session cookie is set."""
    assert r.status_code == 302, r.text
    assert r.headers["location"] == f"{ERROR_PAGE}?reason={reason}&provider={provider}"
    set_cookies = r.headers.get_list("set-cookie")
    assert any(c.startswith("pydotorg_oauth=") and "Max-Age=0" in c for c in set_cookies), set_cookies
    assert not any(c.startswith(("pydotorg_session=", "pydotorg_csrf=")) for c in set_cookies), set_cookies
    assert "pydotorg_oauth" not in client.cookies and "pydotorg_session" not in client.cookies


# --- not configured ---------------------------------------------------------------------------


async def test_providers_absent_when_not_configured(client: Any, db_conn: Any) -> None:
    assert (await client.get(PROVIDERS)).json() == []
    before = await db_fingerprint(db_conn)
    for provider in ("github", "google"):
        r = await client.get(f"/api/v3/auth/oauth/{provider}/authorize", params={"next": "/"})
        assert r.status_code == 404, r.text
        assert "set-cookie" not in r.headers
        r = await client.get(f"/api/v3/auth/oauth/{provider}/callback", params={"code": "x", "state": "y"})
        assert r.status_code == 404, r.text
    assert (await client.get("/api/v3/auth/oauth/gitlab/authorize")).status_code == 404
    assert await db_fingerprint(db_conn) == before


async def test_configured_providers_are_listed(oauth: Any) -> None:
    client, _ = oauth
    assert (await client.get(PROVIDERS)).json() == [
        {"name": "github", "label": "GitHub", "authorize_url": "/api/v3/auth/oauth/github/authorize"},
        {"name": "google", "label": "Google", "authorize_url": "/api/v3/auth/oauth/google/authorize"},
    ]


# --- sign-up, sign-in, PKCE ---------------------------------------------------------------------


async def test_github_sign_up_then_sign_in_with_the_connection(oauth: Any, db_conn: Any) -> None:
    client, fake = oauth
    authorize_url = await start(client, "github", "/jobs/mine/")
    sent = parse_qs(urlsplit(authorize_url).query)
    assert sent["redirect_uri"] == ["https://www.python.org/api/v3/auth/oauth/github/callback"]
    assert sent["scope"] == ["read:user user:email"]
    assert sent["code_challenge_method"] == ["S256"]
    state_cookie = client.cookies.get("pydotorg_oauth")
    assert state_cookie and sent["state"][0] not in state_cookie.split(".")[1]

    r = await client.get(await at_provider(authorize_url))
    assert r.status_code == 302, r.text
    assert r.headers["location"] == "/jobs/mine/"
    # The same cookie session a password log-in sets; the state cookie is cleared.
    assert client.cookies.get("pydotorg_session") and client.cookies.get("pydotorg_csrf")
    assert "pydotorg_oauth" not in client.cookies
    me = await client.get(ME)
    assert me.status_code == 200, me.text
    assert (me.json()["username"], me.json()["email"]) == ("octocat", "octo@example.org")

    # PKCE: the token request carried the verifier whose S256 is the challenge the browser took.
    (token_request,) = fake.token_requests
    assert s256(token_request["code_verifier"]) == sent["code_challenge"][0]
    assert len(token_request["code_verifier"]) >= 43

    (user,) = await _rows(db_conn, "SELECT id, username, password, email, last_login FROM users")
    assert user["password"] == "!" and user["last_login"] is not None
    assert await _rows(db_conn, 'SELECT email, verified, "primary" FROM email_addresses') == [
        {"email": "octo@example.org", "verified": True, "primary": True}
    ]
    connections = await _rows(
        db_conn, "SELECT user_id, provider, provider_user_id, email FROM social_accounts"
    )
    assert connections == [
        {"user_id": user["id"], "provider": "github", "provider_user_id": "4242", "email": "octo@example.org"}
    ]
    sessions = await _rows(db_conn, "SELECT user_id, kind FROM auth_sessions")
    assert sessions == [{"user_id": user["id"], "kind": "cookie"}]

    # A second browser signs in with the same GitHub account: the same user, nothing new.
    client.cookies.clear()
    fake.github_emails = [{"email": "octo-new@example.org", "verified": True, "primary": True}]
    r = await sign_in(client, "github", "/")
    assert r.status_code == 302 and r.headers["location"] == "/"
    assert (await client.get(ME)).json()["username"] == "octocat"
    assert len(await _rows(db_conn, "SELECT id FROM users")) == 1
    assert await _rows(db_conn, "SELECT email FROM social_accounts") == [{"email": "octo-new@example.org"}]


async def test_sign_up_takes_a_free_username(oauth: Any, actors: Any, db_conn: Any) -> None:
    client, fake = oauth
    fake.github_user = {"id": 7, "login": "ordinary", "email": None}
    fake.github_emails = [{"email": "other@example.org", "verified": True, "primary": True}]
    r = await sign_in(client)
    assert r.status_code == 302, r.text
    assert (await client.get(ME)).json()["username"] == "ordinary-2"


async def test_google_sign_up_with_its_names(oauth: Any, db_conn: Any) -> None:
    client, _ = oauth
    r = await sign_in(client, "google", "/about/")
    assert r.status_code == 302 and r.headers["location"] == "/about/"
    (user,) = await _rows(db_conn, "SELECT username, first_name, last_name, email FROM users")
    assert user == {
        "username": "guido",
        "first_name": "Guido",
        "last_name": "van Rossum",
        "email": "guido@example.org",
    }
    assert await _rows(db_conn, "SELECT provider, provider_user_id FROM social_accounts") == [
        {"provider": "google", "provider_user_id": "1077"}
    ]


async def test_a_wrong_verifier_is_refused_by_the_provider(oauth: Any, db_conn: Any) -> None:
    """The fake refuses a token request whose verifier does not hash to the challenge: change the
    challenge it recorded, and the sign-in fails with nothing stored."""
    client, fake = oauth
    for provider in ("github", "google"):
        callback = await at_provider(await start(client, provider))
        (grant,) = fake.grants.values()
        grant["code_challenge"] = s256("some other verifier")
        before = await db_fingerprint(db_conn)
        r = await client.get(callback)
        assert_sent_to_error_page(client, r, "exchange", provider)
        assert fake.token_requests[-1]["code_verifier"]
        assert await db_fingerprint(db_conn) == before


async def test_a_provider_outage_is_reported_as_unavailable(oauth: Any, db_conn: Any) -> None:
    client, fake = oauth
    callback = await at_provider(await start(client))
    fake.token_outage = True
    before = await db_fingerprint(db_conn)
    r = await client.get(callback)
    assert_sent_to_error_page(client, r, "unavailable")
    assert len(fake.token_requests) == 1
    assert await db_fingerprint(db_conn) == before


# --- linking --------------------------------------------------------------------------------------


async def test_a_verified_address_connects_the_existing_account(
    oauth: Any, actors: Any, db_conn: Any
) -> None:
    client, fake = oauth
    fake.github_emails = [
        {"email": "unrelated@example.org", "verified": False, "primary": True},
        {"email": "Ordinary@example.org", "verified": True, "primary": False},
    ]
    r = await sign_in(client)
    assert r.status_code == 302, r.text
    assert (await client.get(ME)).json()["username"] == "ordinary"
    assert len(await _rows(db_conn, "SELECT id FROM users")) == 3  # the actors, nobody new
    assert await _rows(db_conn, "SELECT user_id, provider FROM social_accounts") == [
        {"user_id": actors["ordinary"].user_id, "provider": "github"}
    ]


async def test_an_unverified_address_never_connects_or_creates(oauth: Any, actors: Any, db_conn: Any) -> None:
    """GitHub's /user/emails says ``verified: false``, Google's userinfo ``email_verified: false``:
    the address is not used at all. Nothing is connected or created, no session opens, and the
    error page (its fixed message says what to do instead: verify at the provider, or connect
    while logged in) is the same whether or not an account has the address."""
    client, fake = oauth
    fake.github_emails = [{"email": "ordinary@example.org", "verified": False, "primary": True}]
    fake.google_info["email"] = "ordinary@example.org"
    fake.google_info["email_verified"] = False
    before = await db_fingerprint(db_conn)
    for provider in ("github", "google"):
        r = await sign_in(client, provider)
        assert_sent_to_error_page(client, r, "email_unverified", provider)
    assert await db_fingerprint(db_conn) == before
    # An address nobody has gets the same answer: the refusal reveals no account.
    fake.github_emails = [{"email": "nobody@example.org", "verified": False, "primary": True}]
    r = await sign_in(client)
    assert_sent_to_error_page(client, r, "email_unverified")
    assert await db_fingerprint(db_conn) == before

    # What to do instead: log in with the password, then connect GitHub from the account.
    login = await client.post(
        "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
    )
    assert login.status_code == 200, login.text
    r = await sign_in(client, "github", "/users/edit/")
    assert r.status_code == 302 and r.headers["location"] == "/users/edit/"
    assert await _rows(db_conn, "SELECT user_id, provider, provider_user_id FROM social_accounts") == [
        {"user_id": actors["ordinary"].user_id, "provider": "github", "provider_user_id": "4242"}
    ]
    assert (await client.get(ME)).json()["username"] == "ordinary"


async def test_a_provider_account_connected_elsewhere_is_not_moved(
    oauth: Any, actors: Any, db_conn: Any
) -> None:
    client, _ = oauth
    assert (await sign_in(client)).status_code == 302  # octocat signs up with GitHub 4242
    client.cookies.clear()
    login = await client.post(
        "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
    )
    assert login.status_code == 200
    before = await db_fingerprint(db_conn)
    r = await sign_in(client)
    assert r.status_code == 302 and r.headers["location"] == f"{ERROR_PAGE}?reason=taken&provider=github"
    assert "pydotorg_oauth" not in client.cookies
    assert await db_fingerprint(db_conn) == before
    assert (await client.get(ME)).json()["username"] == "ordinary"  # still signed in as before


async def test_an_inactive_account_goes_to_the_inactive_page(oauth: Any, actors: Any, db_conn: Any) -> None:
    """The verified address leads to an inactive account: the inactive page, as a password
    log-in shows, and the connection made on the way is rolled back with everything else."""
    client, fake = oauth
    await db_conn.execute("UPDATE users SET is_active = false WHERE id = $1", actors["ordinary"].user_id)
    fake.github_emails = [{"email": "ordinary@example.org", "verified": True, "primary": True}]
    before = await db_fingerprint(db_conn)
    r = await sign_in(client)
    assert r.status_code == 302 and r.headers["location"] == "/accounts/inactive/"
    assert "pydotorg_oauth" not in client.cookies and "pydotorg_session" not in client.cookies
    assert await db_fingerprint(db_conn) == before
    assert await _rows(db_conn, "SELECT id FROM social_accounts") == []


# --- state ------------------------------------------------------------------------------------------


def _forged_state(secret: str, payload: dict[str, Any], issued: int) -> str:
    """A state cookie signed like core/tokens.py's, issued at ``issued`` (to make an old one)."""
    body = dict(payload, p="oauth-state", t=issued)
    raw = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    raw_text = raw.rstrip(b"=").decode()
    mac = hmac.new(secret.encode(), f"oauth-state.{raw_text}".encode(), hashlib.sha256).digest()
    return f"{raw_text}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


async def test_missing_mismatched_and_expired_state_are_refused(
    oauth: Any, db_conn: Any, settings: Settings
) -> None:
    client, fake = oauth
    before = await db_fingerprint(db_conn)

    callback = await at_provider(await start(client))
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    cookie = client.cookies.get("pydotorg_oauth")
    assert cookie

    def with_cookie(value: str) -> None:
        client.cookies.set("pydotorg_oauth", value, domain="testserver.local", path="/api/v3/auth/oauth/")

    for wrong in (
        {**params, "state": "not-the-state"},
        {"code": params["code"]},
        {**params, "state": "\u00e9t\u00e9"},
    ):
        with_cookie(cookie)  # each failure clears it
        r = await client.get(path, params=wrong)
        assert_sent_to_error_page(client, r, "state")

    # Another browser (no state cookie) sent to the callback: a login-CSRF attempt.
    client.cookies.clear()
    r = await client.get(callback)
    assert_sent_to_error_page(client, r, "state")

    # A state cookie of a flow started for the other provider.
    with_cookie(cookie)
    r = await client.get(callback.replace("/github/", "/google/"))
    assert_sent_to_error_page(client, r, "state", "google")

    # Expired: the same state, signed longer ago than the state's lifetime.
    client.cookies.clear()
    payload = {"pr": "github", "s": params["state"], "v": "v" * 50, "n": "/", "u": None}
    old = int(time.time()) - settings.oauth_state_max_age_seconds - 5
    with_cookie(_forged_state(settings.secret_key, payload, old))
    r = await client.get(callback)
    assert_sent_to_error_page(client, r, "expired")
    # Tampered: a valid shape signed with another key.
    with_cookie(_forged_state("another-key" * 4, payload, int(time.time())))
    r = await client.get(callback)
    assert_sent_to_error_page(client, r, "state")

    assert fake.token_requests == []  # no code was ever exchanged
    assert await db_fingerprint(db_conn) == before
    assert "pydotorg_session" not in client.cookies


async def test_a_connect_flow_needs_the_same_signed_in_browser(oauth: Any, actors: Any, db_conn: Any) -> None:
    client, _ = oauth
    login = await client.post(
        "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
    )
    assert login.status_code == 200
    callback = await at_provider(await start(client))
    await client.post("/api/v3/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    r = await client.get(callback)
    assert_sent_to_error_page(client, r, "signed_out")
    assert await _rows(db_conn, "SELECT id FROM social_accounts") == []


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "jobs/", "/ x", "javascript:alert(1)"],
)
async def test_next_must_be_a_path_on_this_site(oauth: Any, target: str) -> None:
    client, _ = oauth
    r = await client.get("/api/v3/auth/oauth/github/authorize", params={"next": target})
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {"field": "next"}
    assert "location" not in r.headers and "pydotorg_oauth" not in client.cookies


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"error": "access_denied"}, "denied"),
        ({"error": "server_error", "error_description": "<b>free text</b>"}, "provider"),
        ({}, "provider"),  # neither a code nor an error
    ],
)
async def test_a_refused_authorization_goes_to_the_error_page(
    oauth: Any, db_conn: Any, params: dict[str, str], reason: str
) -> None:
    """The provider sends the browser back without a code: the error page names only the reason
    code (nothing the provider wrote), and nothing is exchanged or stored."""
    client, fake = oauth
    before = await db_fingerprint(db_conn)
    callback = await at_provider(await start(client))
    path, query = callback.split("?", 1)
    state = parse_qs(query)["state"][0]
    r = await client.get(path, params={"state": state, **params})
    assert_sent_to_error_page(client, r, reason)
    assert fake.token_requests == []
    assert await db_fingerprint(db_conn) == before


# --- the account's connections ------------------------------------------------------------------------


async def test_connections_list_and_the_last_way_in_is_kept(oauth: Any, db_conn: Any) -> None:
    client, fake = oauth
    assert (await sign_in(client)).status_code == 302  # a GitHub-only account, no password
    csrf = {"X-CSRF-Token": client.cookies.get("pydotorg_csrf")}
    listed = (await client.get(CONNECTIONS)).json()
    assert listed["has_password"] is False
    (github,) = listed["connections"]
    assert (github["provider"], github["label"], github["email"]) == ("github", "GitHub", "octo@example.org")

    r = await client.delete(f"{CONNECTIONS}/{github['id']}", headers=csrf)
    assert r.status_code == 409, r.text
    assert "only way to sign in" in r.json()["detail"]
    assert len(await _rows(db_conn, "SELECT id FROM social_accounts")) == 1

    # Connect Google while signed in; then GitHub can go, and Google is the last way in.
    fake.google_info["email_verified"] = False  # connecting while signed in needs no address
    assert (await sign_in(client, "google")).status_code == 302
    listed = (await client.get(CONNECTIONS)).json()
    assert [c["provider"] for c in listed["connections"]] == ["github", "google"]
    r = await client.delete(f"{CONNECTIONS}/{github['id']}", headers=csrf)
    assert r.status_code == 204, r.text
    google = listed["connections"][1]
    assert (await client.delete(f"{CONNECTIONS}/{google['id']}", headers=csrf)).status_code == 409
    assert await _rows(db_conn, "SELECT provider FROM social_accounts") == [{"provider": "google"}]

    # With a password set, the last connection may go.
    await db_conn.execute("UPDATE users SET password = 'argon2$whatever'")
    assert (await client.get(CONNECTIONS)).json()["has_password"] is True
    assert (await client.delete(f"{CONNECTIONS}/{google['id']}", headers=csrf)).status_code == 204
    assert await _rows(db_conn, "SELECT id FROM social_accounts") == []


async def test_connection_delete_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    """``DELETE /users/me/connections/{id}`` removes one of the caller's own connections; someone
    else's is a 404 whatever the caller's rank, and nothing else changes."""
    await actors.create("user_admin", permissions=("users.change_user",))
    bystander = await actors.create("bystander")
    insert = (
        "INSERT INTO social_accounts (user_id, provider, provider_user_id, email, created) "
        "VALUES ($1, 'github', $2, '', now()) RETURNING id"
    )
    theirs = await db_conn.fetchval(insert, bystander.user_id, "bystander")
    callers = dict(actors.callers)
    callers["someone else's"] = Caller("someone else's", actors["root"].user_id, "root", actors["root"].token)
    made: dict[str, int] = {}

    async def request(name: str) -> tuple[str, str, Any]:
        if name in ("anonymous", "someone else's"):
            return "DELETE", f"{CONNECTIONS}/{theirs}", None
        made[name] = await db_conn.fetchval(insert, callers[name].user_id, f"{name}-{secrets.token_hex(3)}")
        return "DELETE", f"{CONNECTIONS}/{made[name]}", None

    async def changed(name: str, response: Any) -> None:
        ids = {r["id"] for r in await db_conn.fetch("SELECT id FROM social_accounts")}
        assert made[name] not in ids and theirs in ids

    await check_permission_matrix(
        client,
        db_conn,
        callers,
        {
            "anonymous": 401,
            "ordinary": 204,
            "staffer": 204,
            "user_admin": 204,
            "root": 204,
            "someone else's": 404,
        },
        request,
        changed=changed,
    )


async def test_deleting_the_account_removes_its_connections(oauth: Any, db_conn: Any) -> None:
    client, _ = oauth
    assert (await sign_in(client)).status_code == 302
    (first,) = await _rows(db_conn, "SELECT id FROM users")
    r = await client.delete(ME, headers={"X-CSRF-Token": client.cookies.get("pydotorg_csrf")})
    assert r.status_code == 204, r.text
    assert await _rows(db_conn, "SELECT id FROM social_accounts") == []
    # The GitHub account is free again: signing in with it makes a new account.
    client.cookies.clear()
    assert (await sign_in(client)).status_code == 302
    (user,) = await _rows(db_conn, "SELECT id, username FROM users")
    assert user["id"] != first["id"] and user["username"] == "octocat"
