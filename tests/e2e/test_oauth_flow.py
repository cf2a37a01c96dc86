"""GitHub sign-in in Chromium (issue 14, items 6 and 9): the log-in page shows a button only for
the configured provider (read from ``/api/v3/auth/providers``), the browser goes through the API
to the local fake provider (tests/api/test_oauth.py) and back through the site's ``/api/``
forwarding, and lands on ``next`` signed in, with its name in the header. The API's settings
name the site server as ``site_url``, so the callback URL is the site's, as in production."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import msgspec

from pydotorg.app import create_app
from tests.api.test_oauth import CLIENT_ID, CLIENT_SECRET, FakeProvider
from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.e2e.test_accessibility import _violations
from tests.helpers import serve_asgi
from tests.site.test_build import _build


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_sign_in_with_github_from_the_login_page(
    settings: Any,
    mailer: Any,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    tmp_path: Path,
) -> None:
    from playwright.async_api import async_playwright

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
                errors: list[str] = []
                async with async_playwright() as p:
                    browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                    page = await browser.new_page()
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    # The site's CSP is enforced on this page: a refused script would be logged.
                    page.on(
                        "console",
                        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
                    )

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
                    checked = await browser.new_page(bypass_csp=True)
                    await checked.goto(base + "/accounts/login/")
                    await checked.locator(".social-sign-in-github").wait_for()
                    assert await _violations(checked, "/accounts/login/ with GitHub") == []
                    await browser.close()
                assert errors == []
            finally:
                server.shutdown()
                server.server_close()
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
