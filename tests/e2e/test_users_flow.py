"""A user in Chromium: /users/edit/ sends an anonymous visitor to log in and back; the form is
filled from /api/v3/users/me, a taken username is reported, a new first name and bio are saved
(and stored), a new e-mail address goes pending with its confirmation mail; after the rebuild
/users/<username>/ shows them, with the owner's edit link and, for logged-in visitors only, an
address kept from anonymous ones; deleting the account needs a confirmation and removes it, and
the next build deletes the profile page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.helpers import PASSWORD, wait_for_mail
from tests.site.test_build import _build

# The users pages the accessibility and CSP tests open while logged in as "ordinary".
USER_PAGES = ["/users/edit/", "/users/ordinary/"]


async def _log_in(page: Any, login: str) -> None:
    await page.fill("#id-login", login)
    await page.fill("#id-password", PASSWORD)
    await page.click(".stacked-form button[type=submit]")


async def test_edit_profile_see_it_and_delete_the_account(
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

    ada = await actors.create("ada")
    watcher = await actors.create("watcher")
    async with httpx.AsyncClient(base_url=live_api, headers=watcher.headers) as api:
        r = await api.patch("/api/v3/users/me", json={"first_name": "Watcher", "email_privacy": 1})
        assert r.status_code == 200, r.text
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    site = root / "current"
    assert "watcher@example.org" not in (site / "users/watcher/index.html").read_text()
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # Anonymous: a profile shows no address kept for logged-in users, and no edit link.
        await page.goto(base + "/users/watcher/")
        await page.locator("h1:has-text('Watcher')").wait_for()
        assert await page.locator(".user-email").is_hidden()
        assert await page.locator(".user-edit").is_hidden()

        # /users/edit/ sends an anonymous visitor to log in and back.
        await page.goto(base + "/users/edit/")
        await page.wait_for_url("**/accounts/login/?next=%2Fusers%2Fedit%2F")
        await _log_in(page, "ada")
        await page.wait_for_url(base + "/users/edit/")
        form = page.locator(".user-edit-form")
        await form.wait_for(state="visible")
        assert await page.input_value("#id-username") == "ada"
        assert await page.input_value("#id-email") == "ada@example.org"
        assert await page.is_checked("input[name=search_visibility][value='1']")
        assert await page.is_checked("input[name=email_privacy][value='2']")
        assert await page.is_checked("input[name=public_profile]")

        # The account menu links the profile page only for an account that has one.
        async def menu_links() -> list[str]:
            await page.click(".account-toggle")
            links = await page.eval_on_selector_all(
                "#account-menu a", "links => links.map(a => a.getAttribute('href'))"
            )
            await page.keyboard.press("Escape")
            return links

        assert "/users/ada/" in await menu_links()
        await db_conn.execute("UPDATE users SET public_profile = false WHERE id = $1", ada.user_id)
        await page.reload()
        await form.wait_for(state="visible")
        assert "/users/ada/" not in await menu_links()
        assert "/users/edit/" in await menu_links()
        await db_conn.execute("UPDATE users SET public_profile = true WHERE id = $1", ada.user_id)
        await page.reload()
        await form.wait_for(state="visible")

        # A taken username is the API's message, and nothing is stored.
        await page.fill("#id-username", "Watcher")
        await page.click(".user-edit-form button[type=submit]")
        await page.locator(".form-errors:has-text('already exists')").wait_for()
        assert "Username: A user with that username already exists." in await page.inner_text(".form-errors")
        assert await db_conn.fetchval("SELECT username FROM users WHERE id=$1", ada.user_id) == "ada"

        await page.fill("#id-username", "ada")
        await page.fill("#id-first_name", "Ada <Augusta>")
        await page.fill("#id-last_name", "Lovelace")
        await page.fill("#id-bio", "Wrote the *first* program. <script>alert(1)</script>")
        await page.fill("#id-email", "countess@example.org")
        await page.check("input[name=email_privacy][value='0']")
        await page.click(".user-edit-form button[type=submit]")
        await page.locator(".form-done").wait_for(state="visible")
        assert await page.locator(".form-errors").is_hidden()
        # The new address waits for its confirmation; the old one stays in use.
        await page.locator(".user-pending").wait_for(state="visible")
        assert "countess@example.org" in await page.inner_text(".user-pending")
        assert await page.input_value("#id-email") == "ada@example.org"
        row = await db_conn.fetchrow(
            "SELECT first_name, last_name, bio, bio_html, email, email_privacy FROM users WHERE id=$1",
            ada.user_id,
        )
        assert (row["first_name"], row["last_name"], row["email"], row["email_privacy"]) == (
            "Ada <Augusta>",
            "Lovelace",
            "ada@example.org",
            0,
        )
        assert row["bio"].startswith("Wrote the *first* program.")
        assert "<em>first</em>" in row["bio_html"] and "<script>" not in row["bio_html"]
        assert await db_conn.fetchval(
            "SELECT count(*) FROM email_addresses WHERE user_id=$1 AND email='countess@example.org' "
            "AND NOT verified",
            ada.user_id,
        )
        (mail,) = await wait_for_mail(mailer, 1)
        assert mail["To"] == "countess@example.org"
        assert "/accounts/confirm-email/?token=" in mail.get_content()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "users-edit-1280.png"), full_page=True)

        # After the rebuild the profile page shows the edit.
        assert await page.get_attribute(".user-profile-link", "href") == "/users/ada/"
        _build(live_api, root, builder_key, site_url=base)
        await page.click(".user-profile-link")
        await page.wait_for_url(base + "/users/ada/")
        assert await page.inner_text("h1") == "Ada <Augusta> Lovelace"
        assert await page.inner_html(".user-bio em") == "first"
        assert await page.locator(".user-bio script").count() == 0
        assert await page.inner_text(".user-facts a[href^=mailto]") == "ada@example.org"
        await page.locator(".user-edit").wait_for(state="visible")  # the owner's own page
        # Logged in, an address kept for logged-in users is shown (asked from the API).
        await page.goto(base + "/users/watcher/")
        await page.locator(".user-email a").wait_for()
        assert await page.inner_text(".user-email a") == "watcher@example.org"
        assert await page.locator(".user-edit").is_hidden()

        # Deleting needs the username typed; cancel keeps everything.
        await page.goto(base + "/users/edit/")
        await form.wait_for(state="visible")
        await page.click(".user-delete-start")
        await page.locator(".user-delete-form").wait_for(state="visible")
        await page.click(".user-delete-cancel")
        assert await page.locator(".user-delete-form").is_hidden()
        await page.click(".user-delete-start")
        await page.fill("#id-confirm_username", "someone else")
        await page.click(".user-delete-form button[type=submit]")
        await page.locator(".form-errors:has-text('confirm_username')").wait_for()
        assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", ada.user_id) == 1
        await page.fill("#id-confirm_username", "ada")
        await page.click(".user-delete-form button[type=submit]")
        await page.locator(".user-deleted").wait_for(state="visible")
        assert await form.is_hidden()
        await browser.close()
    assert errors == [], errors
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", ada.user_id) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", watcher.user_id) == 1
    _build(live_api, root, builder_key, site_url=base)
    assert not (site / "users/ada").exists()
    assert (site / "users/watcher/index.html").exists()
    assert "watcher@example.org" not in "".join(f.read_text() for f in site.rglob("*.html"))
