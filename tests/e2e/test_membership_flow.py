"""PSF membership in Chromium: an anonymous visitor of ``/users/membership/`` is sent to log in and
back; the join form refuses a missing code-of-conduct answer with the message next to the field;
joining (with the announcements subscription mail) leads to the thanks page, a second visit to
the edit page; edit, affirm a stale vote (366 days), leave. ``/membership/`` shows python.org's
"not found" unless the ``psf_membership`` flag is on for the visitor (superusers, as python.org's
fixture has it). No built file holds anything about the member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.helpers import PASSWORD, assert_no_more_mail, wait_for_mail
from tests.site.test_build import _build

# Every membership page, in the state a logged-in visitor without a membership first sees it
# (the accessibility and CSP tests open them too).
MEMBERSHIP_PAGES = [
    "/membership/",
    "/users/membership/",
    "/users/membership/edit/",
    "/users/membership/thanks/",
    "/users/membership/affirm/",
    "/users/membership/affirm/done/",
]
# The pages that are the same with or without a session (the anonymous CSP run opens them).
PUBLIC_MEMBERSHIP_PAGES = ["/membership/", "/users/membership/thanks/", "/users/membership/affirm/done/"]
FIELDS = {
    "legal_name": "Ordinary Person",
    "preferred_name": "Ordy",
    "city": "Lisbon",
    "region": "Lisboa",
    "country": "Portugal",
    "postal_code": "1100-148",
}


async def _log_in(page: Any, login: str) -> None:
    await page.fill("#id-login", login)
    await page.fill("#id-password", PASSWORD)
    await page.click(".stacked-form button[type=submit]")


async def _flag_state(page: Any, url: str) -> str:
    await page.goto(url)
    await page.locator(".flag-on:not([hidden]), .flag-off:not([hidden])").wait_for()
    return "on" if await page.locator(".flag-on").is_visible() else "off"


async def test_join_edit_affirm_and_leave(
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
    me = actors["ordinary"]
    errors: list[str] = []

    async def membership() -> Any:
        return await db_conn.fetchrow("SELECT * FROM memberships WHERE creator_id=$1", me.user_id)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # Anonymous: sent to log in, and back to the form afterwards.
        await page.goto(base + "/users/membership/")
        await page.wait_for_url(base + "/accounts/login/?next=%2Fusers%2Fmembership%2F")
        await _log_in(page, "ordinary")
        await page.wait_for_url(base + "/users/membership/")
        form = page.locator(".stacked-form")
        await form.wait_for(state="visible")
        assert await page.input_value("#id-email_address") == "ordinary@example.org"  # the account's

        # Without agreeing to the code of conduct: refused, the message next to the field.
        for name, value in FIELDS.items():
            await page.fill(f"#id-{name}", value)
        await page.check("#id-psf_announcements")
        await page.click(".stacked-form button[type=submit]")
        field_error = page.locator("#id-psf_code_of_conduct-error")
        await field_error.wait_for(state="visible")
        assert await field_error.inner_text() == "Agreeing to the code of conduct is required."
        assert await page.get_attribute("#id-psf_code_of_conduct", "aria-invalid") == "true"
        assert "psf_code_of_conduct" in await page.inner_text(".form-errors")
        await page.select_option("#id-psf_code_of_conduct", "false")
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_timeout(300)
        assert await field_error.is_visible()
        assert await membership() is None
        await assert_no_more_mail(mailer, 0)

        # Agreeing: stored, the subscription mail goes out from the member's address, thanks page.
        await page.select_option("#id-psf_code_of_conduct", "true")
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url(base + "/users/membership/thanks/")
        row = await membership()
        assert row is not None
        assert {k: row[k] for k in FIELDS} == FIELDS
        assert (row["email_address"], row["psf_code_of_conduct"], row["psf_announcements"]) == (
            "ordinary@example.org",
            True,
            True,
        )
        assert row["votes"] is False and row["last_vote_affirmation"] is None
        (mail,) = await wait_for_mail(mailer)
        assert (mail["From"], mail["To"], mail["Subject"]) == (
            "ordinary@example.org",
            "psf-members-announce-request@python.org",
            "subscribe",
        )

        # A member who opens the join page is sent to the edit page, which has no code of conduct.
        await page.goto(base + "/users/membership/")
        await page.wait_for_url(base + "/users/membership/edit/")
        await page.locator(".membership-edit-form").wait_for(state="visible")
        assert await page.locator("#id-psf_code_of_conduct").count() == 0
        assert await page.input_value("#id-city") == "Lisbon"
        assert await page.is_checked("#id-psf_announcements")
        assert await page.locator(".membership-affirm-notice").is_hidden()
        # A field emptied in the browser: the API's message stands next to it; nothing changes.
        await page.fill("#id-city", "")
        await page.click(".membership-edit-form button[type=submit]")
        await page.locator("#id-city-error").wait_for(state="visible")
        assert (await membership())["city"] == "Lisbon"
        await page.fill("#id-city", "Porto")
        await page.click(".membership-edit-form button[type=submit]")
        await page.locator(".form-done").wait_for(state="visible")
        assert await page.locator("#id-city-error").is_hidden()
        row = await membership()
        assert (row["city"], row["psf_code_of_conduct"]) == ("Porto", True)
        await assert_no_more_mail(mailer, 1)  # already subscribed: no second mail

        # A voting member whose affirmation is older than 366 days is asked to affirm again.
        stale = datetime.now(UTC) - timedelta(days=367)
        await db_conn.execute(
            "UPDATE memberships SET votes=true, last_vote_affirmation=$1 WHERE id=$2", stale, row["id"]
        )
        await page.reload()
        notice = page.locator(".membership-affirm-notice")
        await notice.wait_for(state="visible")
        assert await page.inner_text(".membership-votes") == "yes"
        await page.click(".membership-affirm-notice a")
        await page.wait_for_url(base + "/users/membership/affirm/")
        await page.locator(".membership-due").wait_for(state="visible")
        assert await page.inner_text(".membership-last-date") == stale.date().isoformat()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "membership-affirm.png"))
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url(base + "/users/membership/affirm/done/")
        row = await membership()
        assert row["votes"] is True
        assert row["last_vote_affirmation"] > datetime.now(UTC) - timedelta(minutes=1)
        await page.goto(base + "/users/membership/edit/")
        await page.locator(".membership-edit-form").wait_for(state="visible")
        assert await page.locator(".membership-affirm-notice").is_hidden()

        # Leaving: the confirmation box is required, then the membership is gone.
        await page.click(".membership-delete button[type=submit]")
        assert await membership() is not None
        await page.check("#id-confirm-delete")
        await page.click(".membership-delete button[type=submit]")
        await page.locator(".membership-deleted").wait_for(state="visible")
        assert await page.locator(".membership-edit-form").is_hidden()
        assert await membership() is None
        await page.goto(base + "/users/membership/edit/")
        await page.locator(".membership-none").wait_for(state="visible")
        await page.goto(base + "/users/membership/affirm/")
        await page.locator(".membership-none").wait_for(state="visible")
        await browser.close()
    assert errors == [], errors
    # Nothing about the member is in any published file.
    _build(live_api, root, builder_key, site_url=base)
    published = [f.read_text() for f in (root / "current").rglob("*.html")]
    assert not any("Porto" in text or "ordinary@example.org" in text for text in published)


async def test_membership_page_follows_the_flag(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
) -> None:
    """python.org's /membership/ is a 404 unless ``psf_membership`` is on for the visitor; its
    fixture turns it on for superusers only. The static page is one file for everyone."""
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    admin = actors["root"].headers
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        visitor = await browser.new_page()  # its own context: no session
        superuser_context = await browser.new_context()
        superuser = await superuser_context.new_page()
        await superuser.goto(base + "/accounts/login/")
        await _log_in(superuser, "root")
        await superuser.wait_for_url(base + "/")

        # No such flag: off for everyone, as waffle treats an unknown flag.
        assert await _flag_state(visitor, base + "/membership/") == "off"
        assert await _flag_state(superuser, base + "/membership/") == "off"

        async with httpx.AsyncClient(base_url=live_api) as client:
            r = await client.post(
                "/api/v3/flags", headers=admin, json={"name": "psf_membership", "testing": True}
            )
            assert r.status_code == 201, r.text
            # python.org's fixture: superusers only.
            assert await _flag_state(visitor, base + "/membership/") == "off"
            assert "not found" in (await visitor.inner_text(".flag-off")).lower()
            assert await visitor.locator("a[href$='/users/membership/']:visible").count() == 0
            assert await _flag_state(superuser, base + "/membership/") == "on"
            href = await superuser.get_attribute(".flag-on a.button", "href")
            assert href == base + "/users/membership/", href

            r = await client.patch("/api/v3/flags/psf_membership", headers=admin, json={"everyone": True})
            assert r.status_code == 200, r.text
            assert await _flag_state(visitor, base + "/membership/") == "on"
            r = await client.patch("/api/v3/flags/psf_membership", headers=admin, json={"everyone": False})
            assert r.status_code == 200, r.text
            assert await _flag_state(superuser, base + "/membership/") == "off"
        await browser.close()
