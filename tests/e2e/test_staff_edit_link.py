"""python.org's staff-only "Edit this release" link, in Chromium: the release page is the same
bytes for everyone (the CDN keeps one copy); staff.js shows the link to a logged-in staff member
only, and it leads somewhere that member can use (the release's record in the API, drafts
included). An anonymous visitor's page asks the API nothing; a logged-in non-staff user gets
no link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.helpers import PASSWORD
from tests.site.test_build import _build

RELEASE_PAGE = "/downloads/release/python-275/"


async def test_edit_link_for_staff_only(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    release_id = dl.releases["Python 2.7.5"]
    published = (root / "current" / RELEASE_PAGE.strip("/") / "index.html").read_bytes()
    assert b"Edit this release" not in published
    assert f'data-staff-edit="release" data-id="{release_id}" hidden'.encode() in published
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

        async def visit(username: str | None) -> tuple[Any, list[str]]:
            """A fresh browser for ``username`` (None: anonymous) on the release page, once its
            scripts are done; returns the page and the API paths it asked for."""
            context = await browser.new_context()
            page = await context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            asked: list[str] = []
            page.on("request", lambda r: asked.append(httpx.URL(r.url).path) if "/api/" in r.url else None)
            if username is not None:
                await page.goto(f"{base}/accounts/login/?next={RELEASE_PAGE}")
                await page.fill("#id-login", username)
                await page.fill("#id-password", PASSWORD)
                async with page.expect_response(lambda r: r.url.endswith("/api/v3/users/me")):
                    await page.click(".stacked-form button[type=submit]")
                    await page.wait_for_url(base + RELEASE_PAGE)
            else:
                await page.goto(base + RELEASE_PAGE)
            await page.wait_for_load_state("networkidle")
            # Served to this visitor exactly as published, whoever they are.
            served = await page.request.get(base + RELEASE_PAGE)
            assert await served.body() == published, username
            return page, asked

        anonymous, asked = await visit(None)
        assert await anonymous.locator(".staff-edit").is_hidden()
        assert await anonymous.locator("text=Edit this release").count() == 0
        assert asked == []  # no log-in cookie: nothing asked

        ordinary, asked = await visit("ordinary")
        assert "/api/v3/users/me" in asked
        assert await ordinary.locator(".staff-edit").is_hidden()
        assert await ordinary.locator(".staff-edit a").count() == 0

        staffer, _ = await visit("staffer")
        link = staffer.locator(".staff-edit a.button")
        await link.wait_for(state="visible")
        assert (await link.inner_text()).strip() == "Edit this release"
        assert await link.get_attribute("href") == f"/api/v3/downloads/releases/{release_id}"
        # The link works for the staff member (their session): the release's record.
        async with staffer.expect_response(lambda r: r.url.endswith(f"/releases/{release_id}")) as answer:
            await link.click()
        response = await answer.value
        assert response.status == 200
        record = await response.json()
        assert (record["id"], record["name"]) == (release_id, "Python 2.7.5")
        await browser.close()
    assert errors == []
