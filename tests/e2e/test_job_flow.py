"""A job owner in Chromium: log in on the static login page, post a job through the static form,
preview it and submit it for review — the pages call /api/v3/ on the same origin with the session
cookie and the CSRF header; the listing is stored and never appears in a public file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.helpers import PASSWORD
from tests.site.test_build import _build


async def test_post_a_job_in_the_browser(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    moderator = (await actors.create("moderator", permissions=("jobs.moderate",))).headers
    await actors.create("employer")
    async with httpx.AsyncClient(base_url=live_api, headers=moderator) as api:
        assert (
            await api.post("/api/v3/jobs/categories", json={"name": "Web", "slug": "web"})
        ).status_code == 201
        assert (
            await api.post("/api/v3/jobs/types", json={"name": "Contract", "slug": "contract"})
        ).status_code == 201
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        # Not logged in: the form page sends the visitor to log in and back.
        await page.goto(base + "/jobs/mine/")
        await page.wait_for_url("**/accounts/login/?next=%2Fjobs%2Fmine%2F")
        await page.fill("#id-login", "employer")
        await page.fill("#id-password", "wrong password")
        await page.click(".stacked-form button[type=submit]")
        await page.locator(".form-errors").wait_for(state="visible")
        await page.fill("#id-password", PASSWORD)
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url(base + "/jobs/mine/")
        await page.locator(".job-none").wait_for(state="visible")

        await page.goto(base + "/jobs/create/")
        await page.locator("#id-category option[value=web]").wait_for(state="attached")
        await page.fill("#id-job_title", "Django developer")
        await page.fill("#id-company_name", "Example & Co")
        await page.select_option("#id-category", "web")
        await page.check("input[name=job_types][value=contract]")
        await page.fill("#id-city", "Lisbon")
        await page.fill("#id-country", "Portugal")
        await page.fill("#id-description", "Build *APIs*.\n\n<script>alert(1)</script>")
        await page.fill("#id-requirements", "Python and Django.")
        await page.fill("#id-email", "jobs@example.org")
        await page.fill("#id-job_url", "not a url")
        await page.click(".stacked-form button[type=submit]")  # the browser refuses the URL field first
        assert "/jobs/create/" in page.url
        await page.fill("#id-job_url", "https://example.org/jobs/1")
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url("**/jobs/preview/?id=*")
        await page.locator(".job-detail").wait_for(state="visible")
        assert await page.inner_text(".job-title") == "Django developer"
        assert "APIs" in await page.inner_html(".job-description")
        assert "<script>" not in await page.inner_html(".job-description")
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "job-preview-1280.png"), full_page=True)
        await page.click(".job-submit")
        await page.wait_for_url(base + "/jobs/thanks/")
        await browser.close()
    assert errors == [], errors
    row = await db_conn.fetchrow(
        "SELECT job_title, company_name, status FROM jobs WHERE job_title = 'Django developer'"
    )
    assert dict(row) == {"job_title": "Django developer", "company_name": "Example & Co", "status": "review"}
    # Not public: the next build has no page for it.
    _build(live_api, root, builder_key, site_url=base)
    assert not any("Django developer" in f.read_text() for f in (root / "current").rglob("*.html"))
