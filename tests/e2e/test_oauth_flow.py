"""GitHub sign-in in Chromium (issue 14, items 6 and 9): the log-in page shows a button only for
the configured provider (read from ``/api/v3/auth/providers``), the browser goes through the API
to the local fake provider (tests/api/test_oauth.py) and back through the site's ``/api/``
forwarding, and lands on ``next`` signed in, with its name in the header. The API's settings
name the site server as ``site_url``, so the callback URL is the site's, as in production.

Then the account's connections page (``/accounts/social/connections/``): it lists the
connection, refuses with the API's sentence to remove the last way in to an account without a
password, connects GitHub to a password account from its "Connect" link and removes it again;
and a sign-in the visitor declines at the provider lands on ``/accounts/social/login/error/``
with its fixed message."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pydotorg.app import create_app
from tests.api.test_oauth import CLIENT_ID, CLIENT_SECRET, FakeProvider
from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.e2e.test_accessibility import _violations
from tests.helpers import PASSWORD, serve_asgi
from tests.site.test_build import _build

CONNECTIONS = "/accounts/social/connections/"
LAST_WAY_IN = (
    "GitHub is the only way to sign in to this account: set a password first (ask for a password "
    "reset link at your address), then remove the connection."
)
UNKNOWN = "Signing in with your account at another site did not work. Nothing was changed."
DENIED = "You cancelled signing in with GitHub, or GitHub did not allow it. Nothing was changed."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def site(
    settings: Any, mailer: Any, dl: Fixture, builder_key: str, actors: Any, tmp_path: Path
) -> AsyncIterator[tuple[FakeProvider, str]]:
    """The fake GitHub, the API configured for it and the built site served with its /api/
    forwarding: the fake and the site's base URL."""
    from sitebuilder.serve import make_server

    fake = FakeProvider()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_asgi(fake) as provider:
        configured = msgspec.structs.replace(
            settings,
            site_url=base,
            oauth_github_client_id=CLIENT_ID,
            oauth_github_client_secret=CLIENT_SECRET,
            oauth_github_authorize_url=f"{provider}/github/authorize",
            oauth_github_token_url=f"{provider}/github/token",
            oauth_github_api_url=f"{provider}/api",
        ).validated()
        app = create_app(configured, mailer=mailer, configure_logs=False)
        with serve_asgi(app, lifespan="on") as api:
            root = tmp_path / "origin"
            root.mkdir()
            server = make_server(root, "127.0.0.1", port, api_url=api)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                _build(api, root, builder_key, site_url=base)
                yield fake, base
            finally:
                server.shutdown()
                server.server_close()


class Chromium:
    """Headless Chromium whose pages report script errors and refused scripts (the site's CSP
    is enforced) to ``errors``, which must stay empty."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.errors: list[str] = []

    async def page(self, owner: Any = None) -> Any:
        page = await (owner or self.browser).new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "console", lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None
        )
        return page


@asynccontextmanager
async def _chromium() -> AsyncIterator[Chromium]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = Chromium(await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS))
        try:
            yield chromium
        finally:
            await chromium.browser.close()
    assert chromium.errors == []


async def _connections(db_conn: Any) -> list[dict[str, Any]]:
    rows = await db_conn.fetch(
        "SELECT u.username, s.provider, s.provider_user_id FROM social_accounts s "
        "JOIN users u ON u.id = s.user_id ORDER BY s.id"
    )
    return [dict(r) for r in rows]


async def test_sign_in_with_github_from_the_login_page(site: tuple[FakeProvider, str], db_conn: Any) -> None:
    fake, base = site
    async with _chromium() as chromium:
        page = await chromium.page()

        await page.goto(base + "/accounts/signup/")
        await page.locator(".social-sign-in-github").wait_for()
        assert await page.inner_text(".social-sign-in-github") == "Sign up with GitHub"

        await page.goto(base + "/accounts/login/?next=%2Fabout%2F")
        button = page.locator(".social-sign-in-github")
        await button.wait_for()
        assert await button.inner_text() == "Sign in with GitHub"
        assert await page.locator(".social-sign-in-google").count() == 0  # not configured
        href = "/api/v3/auth/oauth/github/authorize?next=%2Fabout%2F"
        assert await button.get_attribute("href") == href
        await button.click()
        await page.wait_for_url(base + "/about/")
        toggle = page.locator(".account-toggle")
        await toggle.wait_for()
        assert await toggle.inner_text() == "octocat"
        # axe-core on the log-in page with the button shown (it goes in as an inline
        # script, so this page bypasses the CSP).
        checked = await chromium.browser.new_page(bypass_csp=True)
        await checked.goto(base + "/accounts/login/")
        await checked.locator(".social-sign-in-github").wait_for()
        assert await _violations(checked, "/accounts/login/ with GitHub") == []
    row = await db_conn.fetchrow(
        "SELECT u.username, u.password, s.provider, s.provider_user_id FROM users u "
        "JOIN social_accounts s ON s.user_id = u.id"
    )
    assert dict(row) == {
        "username": "octocat",
        "password": "!",
        "provider": "github",
        "provider_user_id": "4242",
    }
    (token_request,) = fake.token_requests
    assert token_request["redirect_uri"] == f"{base}/api/v3/auth/oauth/github/callback"


async def test_connections_page_lists_connects_and_removes(
    site: tuple[FakeProvider, str], db_conn: Any
) -> None:
    fake, base = site
    async with _chromium() as chromium:
        # A GitHub-only account (no password): its one connection is listed and kept.
        page = await chromium.page()
        await page.goto(base + "/accounts/login/?next=" + CONNECTIONS)
        await page.click(".social-sign-in-github")
        await page.wait_for_url(base + CONNECTIONS)
        row = page.locator(".connections-list tbody tr")
        await row.first.wait_for()
        assert await row.count() == 1
        assert await row.locator("th").inner_text() == "GitHub"
        assert await row.locator("td").first.inner_text() == "octo@example.org"
        assert await page.locator(".connections-no-password").is_visible()
        await row.locator(".connection-remove").click()
        refusal = page.locator(".form-errors")
        await refusal.wait_for()
        assert await refusal.inner_text() == LAST_WAY_IN
        assert await page.locator(".form-done").is_hidden()
        assert await row.count() == 1
        assert await _connections(db_conn) == [
            {"username": "octocat", "provider": "github", "provider_user_id": "4242"}
        ]
        await page.close()

        # An account with a password connects another GitHub account from the page's
        # "Connect" link (the flow started logged in connects), then removes it.
        fake.github_user = {"id": 99, "login": "ordinary-gh", "email": None}
        fake.github_emails = [{"email": "ordinary-gh@example.org", "verified": True, "primary": True}]
        page = await chromium.page(await chromium.browser.new_context())
        await page.goto(base + "/accounts/login/")
        await page.fill("#id-login", "ordinary")
        await page.fill("#id-password", PASSWORD)
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url(base + "/")
        await page.click(".account-toggle")
        await page.click(f'#account-menu a[href="{CONNECTIONS}"]')
        await page.wait_for_url(base + CONNECTIONS)
        await page.locator(".connections-none").wait_for()
        connect = page.locator(".social-sign-in-github")
        await connect.wait_for()
        assert await connect.inner_text() == "Connect with GitHub"
        await connect.click()
        await page.wait_for_url(base + CONNECTIONS)
        row = page.locator(".connections-list tbody tr")
        await row.first.wait_for()
        assert await row.locator("td").first.inner_text() == "ordinary-gh@example.org"
        assert await page.locator(".connections-no-password").is_hidden()
        assert await page.inner_text(".account-toggle") == "ordinary"
        assert (await _connections(db_conn))[1:] == [
            {"username": "ordinary", "provider": "github", "provider_user_id": "99"}
        ]
        await row.locator(".connection-remove").click()
        await page.locator(".form-done").wait_for()
        assert await page.locator(".connections-none").is_visible()
        assert await row.count() == 0
        assert await page.locator(".form-errors").is_hidden()
        assert await _connections(db_conn) == [
            {"username": "octocat", "provider": "github", "provider_user_id": "4242"}
        ]


async def test_a_declined_sign_in_lands_on_the_error_page(
    site: tuple[FakeProvider, str], db_conn: Any
) -> None:
    users_before = await db_conn.fetchval("SELECT count(*) FROM users")
    sessions_before = await db_conn.fetchval("SELECT count(*) FROM auth_sessions")
    fake, base = site
    fake.deny = True
    async with _chromium() as chromium:
        page = await chromium.page()
        await page.goto(base + "/accounts/login/?next=%2Fabout%2F")
        await page.click(".social-sign-in-github")
        await page.wait_for_url(base + "/accounts/social/login/error/?reason=denied&provider=github")
        message = page.locator(".social-error-message")
        await page.wait_for_function(
            "text => document.querySelector('.social-error-message').textContent === text", arg=DENIED
        )
        assert await message.inner_text() == DENIED
        again = page.locator(".social-error-again")
        assert (await again.get_attribute("href"), await again.inner_text()) == (
            base + "/accounts/login/",
            "Sign in",
        )
        assert await page.locator(".account-signin").is_visible()  # not signed in

        # Whatever the query says, only fixed text is shown.
        await page.goto(base + "/accounts/social/login/error/?reason=%3Cb%3Ehi%3C/b%3E&provider=evil")
        await page.wait_for_load_state("networkidle")
        assert await message.inner_text() == UNKNOWN  # the page's own text, unchanged
        await page.goto(base + "/accounts/social/login/error/?reason=exchange&provider=%3Cb%3E")
        await page.wait_for_function(
            "() => document.querySelector('.social-error-message').textContent.startsWith('The other site')"
        )
        assert await message.inner_text() == "The other site did not accept the sign-in. Start again."
    assert fake.token_requests == []
    assert await db_conn.fetchval("SELECT count(*) FROM users") == users_before
    assert await db_conn.fetchval("SELECT count(*) FROM social_accounts") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM auth_sessions") == sessions_before
