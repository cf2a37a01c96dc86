"""A new person in Chromium, on the static account pages (``/accounts/...``) and the header's
account menu: sign up, follow the link in the confirmation mail (read from the outbox the test
app sends to), log in, see their name in the header, sign out; reset a forgotten password
through the mailed link; an expired or garbled link gives a clear message and a new link; an
inactive account lands on its page; a logged-in password change. Every page is static and the
same for everyone: after all of it, no built file names the person."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from pydotorg.core import tokens
from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.helpers import PASSWORD, assert_no_more_mail, wait_for_mail
from tests.site.test_build import SITE, _build

# The account pages, each in the state a visitor first sees (the accessibility and CSP tests
# open them too): with a bad link, the confirmation and reset pages show their messages.
ACCOUNT_PAGES = [
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/?token=garbage",
    "/accounts/logout/",
    "/accounts/inactive/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/change/",
    "/accounts/social/connections/",
    "/accounts/social/login/error/?reason=denied&provider=github",
]
FIRST_PASSWORD = "first-password-1"
NEW_PASSWORD = "second-password-2"


def _link(message: Any, path: str, base: str) -> str:
    """The link in a mail, pointed at the test's site instead of www.python.org."""
    body = message.get_content()
    start = body.index(SITE + path)
    url = body[start:].split()[0]
    assert url.startswith(f"{SITE}{path}?token="), url
    return base + url[len(SITE) :]


async def _submit(page: Any) -> None:
    await page.click(".stacked-form:not([hidden]) button[type=submit]")


async def _api_login(api: str, login: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=api) as client:
        r = await client.post("/api/v3/auth/login", json={"login": login, "password": password})
        return r.status_code


async def test_sign_up_confirm_log_in_and_out(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    mailer: Any,
    worker: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # Anonymous: the header offers both, and sign-in comes back to this page.
        await page.goto(base + "/about/")
        await page.locator(".account-bar .account-signup").wait_for()
        assert await page.get_attribute(".account-signin", "href") == "/accounts/login/?next=%2Fabout%2F"
        assert await page.locator(".account-toggle").count() == 0
        await page.click(".account-signup")
        await page.wait_for_url(base + "/accounts/signup/")

        # The passwords must match before anything is sent; a taken username is reported.
        await page.fill("#id-email", "newbie@example.org")
        await page.fill("#id-username", "Ordinary")
        await page.fill("#id-password1", FIRST_PASSWORD)
        await page.fill("#id-password2", FIRST_PASSWORD + "x")
        await _submit(page)
        await page.locator(".form-errors").wait_for(state="visible")
        assert "same password" in await page.inner_text(".form-errors")
        await page.fill("#id-password2", FIRST_PASSWORD)
        await _submit(page)
        await page.locator(".form-errors:has-text('already exists')").wait_for()
        assert "Username: A user with that username already exists." in await page.inner_text(".form-errors")
        # The browser itself refuses a username outside Django's ASCII rule.
        await page.fill("#id-username", "new bie")
        await _submit(page)
        assert not await page.locator("#id-username").evaluate("e => e.validity.valid")
        assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='new bie'") == 0

        await page.fill("#id-username", "newbie")
        await _submit(page)
        await page.locator(".form-done").wait_for(state="visible")
        assert "newbie@example.org" in await page.inner_text(".form-done")
        assert await page.locator(".stacked-form").is_hidden()
        user = await db_conn.fetchrow(
            "SELECT u.id, u.is_active, a.verified FROM users u JOIN email_addresses a ON a.user_id = u.id "
            "WHERE u.username = 'newbie'"
        )
        assert user["is_active"] and user["verified"] is False

        # A duplicate e-mail address answers exactly like a fresh sign-up; its owner is told.
        await page.goto(base + "/accounts/signup/")
        await page.fill("#id-email", "ordinary@example.org")
        await page.fill("#id-username", "someone")
        await page.fill("#id-password1", FIRST_PASSWORD)
        await page.fill("#id-password2", FIRST_PASSWORD)
        await _submit(page)
        await page.locator(".form-done").wait_for(state="visible")
        assert await db_conn.fetchval("SELECT count(*) FROM users WHERE username='someone'") == 0

        confirmation, notice = await assert_no_more_mail(mailer, 2, within=2.0)
        assert confirmation["To"] == "newbie@example.org"
        assert notice["To"] == "ordinary@example.org" and "already has an account" in notice.get_content()

        # Unconfirmed: log-in is refused with the reason.
        await page.goto(base + "/accounts/login/")
        await page.fill("#id-login", "newbie")
        await page.fill("#id-password", FIRST_PASSWORD)
        await _submit(page)
        await page.locator(".form-errors:has-text('not verified')").wait_for()

        await page.goto(_link(confirmation, "/accounts/confirm-email/", base))
        await page.locator(".form-done").wait_for(state="visible")
        assert "newbie@example.org" in await page.inner_text(".form-done")
        assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", user["id"])

        # Log in from a page's "Sign in": back on that page, with the name in the header.
        await page.goto(base + "/about/")
        await page.click(".account-signin")
        await page.wait_for_url("**/accounts/login/?next=%2Fabout%2F")
        await page.fill("#id-login", "newbie@example.org")
        await page.fill("#id-password", FIRST_PASSWORD)
        await _submit(page)
        await page.wait_for_url(base + "/about/")
        toggle = page.locator(".account-toggle")
        await toggle.wait_for()
        assert await toggle.inner_text() == "newbie"
        assert await page.locator(".account-signin").count() == 0
        assert await page.locator("#account-menu").is_hidden()
        await toggle.click()
        assert await toggle.get_attribute("aria-expanded") == "true"
        links = await page.eval_on_selector_all(
            "#account-menu a", "links => links.map(a => [a.getAttribute('href'), a.textContent])"
        )
        assert links == [
            ["/users/newbie/", "View your profile"],
            ["/users/edit/", "Edit your user profile"],
            ["/accounts/password/change/", "Change your password"],
            ["/accounts/social/connections/", "Connected accounts"],
            ["/users/membership/", "Become a PSF Basic member"],
            ["/users/nominations/", "Nominations"],
        ]
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "account-menu-1280.png"))
        await page.keyboard.press("Escape")
        assert await page.locator("#account-menu").is_hidden()

        # Sign out from the menu: the session ends and the header offers sign-in again.
        await toggle.click()
        await page.click(".account-signout")
        await page.wait_for_url(base + "/")
        await page.locator(".account-bar .account-signup").wait_for()
        assert await page.locator(".account-toggle").count() == 0
        assert (
            await db_conn.fetchval(
                "SELECT count(*) FROM auth_sessions WHERE user_id=$1 AND revoked_at IS NULL", user["id"]
            )
            == 0
        )

        # The log-out page does the same for a session opened again.
        await page.goto(base + "/accounts/login/?next=/accounts/logout/")
        await page.fill("#id-login", "newbie")
        await page.fill("#id-password", FIRST_PASSWORD)
        await _submit(page)
        await page.wait_for_url(base + "/accounts/logout/")
        await page.locator(".account-toggle").wait_for()
        await _submit(page)
        await page.wait_for_url(base + "/")
        await page.locator(".account-bar .account-signup").wait_for()
        await browser.close()
    assert errors == [], errors
    # Nothing about the person is in any published file but their own public profile (a new
    # account is searchable by default, as on python.org): no page shows who is logged in.
    _build(live_api, root, builder_key, site_url=base)
    current = root / "current"
    naming = sorted(str(f.relative_to(current)) for f in current.rglob("*.html") if "newbie" in f.read_text())
    assert naming == ["users/newbie/index.html"]


async def test_password_reset_change_and_inactive(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    mailer: Any,
    worker: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    ordinary = actors["ordinary"]
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        await page.goto(base + "/accounts/login/")
        await page.click("text=Forgot your password?")
        await page.wait_for_url(base + "/accounts/password/reset/")
        # An unknown address gets the same answer, and no mail.
        await page.fill("#id-email", "nobody@example.org")
        await _submit(page)
        await page.wait_for_url(base + "/accounts/password/reset/done/")
        await assert_no_more_mail(mailer, 0)
        await page.go_back()
        await page.fill("#id-email", "ordinary@example.org")
        await _submit(page)
        await page.wait_for_url(base + "/accounts/password/reset/done/")
        assert "We have sent you an e-mail" in await page.inner_text("main")
        (reset,) = await wait_for_mail(mailer)
        link = _link(reset, "/accounts/password/reset/key/", base)

        await page.goto(link)
        await page.fill("#id-password1", NEW_PASSWORD)
        await page.fill("#id-password2", NEW_PASSWORD + "x")
        await _submit(page)
        await page.locator(".form-errors:has-text('same password')").wait_for()
        await page.fill("#id-password2", NEW_PASSWORD)
        await _submit(page)
        await page.wait_for_url(base + "/accounts/password/reset/key/done/")
        assert "Your password is now changed" in await page.inner_text("main")
        assert await _api_login(live_api, "ordinary", NEW_PASSWORD) == 200
        assert await _api_login(live_api, "ordinary", PASSWORD) == 401
        # The link works once: used again, it says so and offers a new reset.
        await page.goto(link)
        await page.fill("#id-password1", "third-password-3")
        await page.fill("#id-password2", "third-password-3")
        await _submit(page)
        await page.locator(".reset-bad-token").wait_for(state="visible")
        assert await _api_login(live_api, "ordinary", NEW_PASSWORD) == 200
        # Without a token at all, the same message at once.
        await page.goto(base + "/accounts/password/reset/key/")
        await page.locator(".reset-bad-token").wait_for(state="visible")
        assert (
            await page.locator(".reset-bad-token a").get_attribute("href")
            == base + "/accounts/password/reset/"
        )

        # Logged in: change the password on /accounts/password/change/.
        await page.goto(base + "/accounts/password/change/")
        await page.wait_for_url("**/accounts/login/?next=%2Faccounts%2Fpassword%2Fchange%2F")
        await page.fill("#id-login", "ordinary")
        await page.fill("#id-password", NEW_PASSWORD)
        await _submit(page)
        await page.wait_for_url(base + "/accounts/password/change/")
        await page.fill("#id-old_password", "not it")
        await page.fill("#id-password1", "fourth-password-4")
        await page.fill("#id-password2", "fourth-password-4")
        await _submit(page)
        await page.locator(".form-errors:has-text('old password is not correct')").wait_for()
        await page.fill("#id-old_password", NEW_PASSWORD)
        await _submit(page)
        await page.locator(".form-done").wait_for(state="visible")
        assert await _api_login(live_api, "ordinary", "fourth-password-4") == 200
        await page.reload()  # still logged in here
        await page.locator(".account-toggle").wait_for()

        # A deactivated account is sent to the inactive-account page.
        await page.click(".account-toggle")
        await page.click(".account-signout")
        await page.wait_for_url(base + "/")
        await db_conn.execute("UPDATE users SET is_active = false WHERE id = $1", ordinary.user_id)
        await page.goto(base + "/accounts/login/")
        await page.fill("#id-login", "ordinary")
        await page.fill("#id-password", "fourth-password-4")
        await _submit(page)
        await page.wait_for_url(base + "/accounts/inactive/")
        assert "This account is inactive." in await page.inner_text("main")
        await browser.close()
    assert errors == [], errors


async def test_expired_and_garbled_confirmation_links(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    mailer: Any,
    worker: Any,
    settings: Any,
    served_site: tuple[Path, str],
    monkeypatch: Any,
) -> None:
    from playwright.async_api import async_playwright

    async with httpx.AsyncClient(base_url=live_api) as client:
        r = await client.post(
            "/api/v3/auth/signup",
            json={"username": "late", "email": "late@example.org", "password": FIRST_PASSWORD},
        )
        assert r.status_code == 202, r.text
    await wait_for_mail(mailer)
    user_id = await db_conn.fetchval("SELECT id FROM users WHERE username = 'late'")
    sent = tokens.time.time() - 4 * 24 * 3600  # links last three days
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: sent))
    expired = tokens.sign(settings.secret_key, "verify-email", {"u": user_id, "e": "late@example.org"})
    monkeypatch.undo()

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # Expired: the message, and one button mails a new link for the same address.
        await page.goto(f"{base}/accounts/confirm-email/?token={expired}")
        await page.locator(".confirm-failed").wait_for(state="visible")
        assert "expired or is invalid" in await page.inner_text(".confirm-problem")
        assert await page.locator(".form-done").is_hidden()
        assert not await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", user_id)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "confirm-email-expired-1280.png"))
        await page.click(".confirm-again")
        await page.locator(".confirm-sent").wait_for(state="visible")
        _, fresh = await wait_for_mail(mailer, 2)
        assert fresh["To"] == "late@example.org"
        await page.goto(_link(fresh, "/accounts/confirm-email/", base))
        await page.locator(".form-done").wait_for(state="visible")
        assert await db_conn.fetchval("SELECT verified FROM email_addresses WHERE user_id=$1", user_id)

        # Garbled: the same message; the button then asks for the address, with the same answer
        # whether or not anyone waits for it (this one is confirmed already: no mail).
        await page.goto(base + "/accounts/confirm-email/?token=garbage.token")
        await page.locator(".confirm-failed").wait_for(state="visible")
        await page.click(".confirm-again")
        await page.locator(".confirm-resend").wait_for(state="visible")
        await page.fill("#id-email", "late@example.org")
        await _submit(page)
        await page.locator(".confirm-sent").wait_for(state="visible")
        # Opened without a link (where allauth says a message was sent): the form to ask again.
        await page.goto(base + "/accounts/confirm-email/")
        await page.locator(".confirm-resend").wait_for(state="visible")
        assert "We have sent an e-mail to you" in await page.inner_text(".confirm-sent-earlier")
        assert await page.locator(".confirm-failed").is_hidden()
        await browser.close()
    await assert_no_more_mail(mailer, 2)
    assert errors == [], errors
