"""The built site in headless Chromium: pages load with python.org's layout, the navigation works,
the downloads pages show the data, and nothing on the page fails (console errors, broken CSS/JS).

Chromium comes from Debian (``apt-get install chromium``; ``.ci/run`` installs it) and is driven
by Playwright with ``executable_path``: Playwright's own browser download cannot work here.
"""

from __future__ import annotations

from pathlib import Path

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM, USER_AGENTS, _broken
from tests.site.test_build import _build


async def test_site_in_chromium(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    featured_downloads: dict[str, str],
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(
            viewport={"width": 1280, "height": 900}, user_agent=USER_AGENTS["windows"]
        )
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        failed: list[str] = []
        page.on(
            "requestfailed", lambda r: failed.append(f"{r.failure} {r.url}") if _broken(r, base) else None
        )
        page.on(
            "response",
            lambda r: (
                failed.append(f"{r.status} {r.url}") if r.url.startswith(base) and r.status >= 400 else None
            ),
        )

        await page.goto(base + "/")
        assert await page.title() == "Welcome to Python.org"
        assert await page.locator("header").count() >= 1 and await page.locator("footer").count() >= 1
        # The stylesheet is applied (the top bar has its dark background, not the default).
        background = await page.evaluate(
            "getComputedStyle(document.querySelector('.top-bar')).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
        # The code samples slideshow: one slide at a time; "Next" shows the next one.
        slides = page.locator(".code-sample")
        assert await slides.count() == 5 and await slides.nth(0).is_visible()
        assert not await slides.nth(1).is_visible()
        await page.get_by_role("button", name="Next code sample").click()
        assert await slides.nth(1).is_visible() and not await slides.nth(0).is_visible()
        # The main navigation comes from python.org's menu; hovering a section opens its drop-down
        # with the box fetched from /box/<label>/ (python.org's supernav), here the generated
        # downloads box showing the visitor's platform.
        downloads = page.locator("#mainnav .tier-1").filter(has=page.locator("> a", has_text="Downloads"))
        await downloads.hover()
        supernav = downloads.locator(".super-navigation")
        await supernav.wait_for(state="visible")
        assert "Download for Windows" in await supernav.inner_text()
        assert await supernav.locator(".download-unknown").is_hidden()
        assert await downloads.locator(".subnav a", has_text="Source code").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "nav-dropdown-1280.png"))
        print(f"screenshot: {ARTIFACTS / 'nav-dropdown-1280.png'}")
        about = page.locator("#mainnav .tier-1").filter(has=page.locator("> a", has_text="About"))
        await about.hover()
        await about.locator(".super-navigation").wait_for(state="visible")
        assert "Learn more about Python" in await about.locator(".super-navigation").inner_text()
        await page.locator("nav a", has_text="Downloads").first.click()
        await page.wait_for_url(base + "/downloads/")
        body = await page.inner_text("body")
        assert "Python 3.10.19" in body and "Python 9.7.2" not in body
        # A legacy URL answers with python.org's redirect (the origin's redirect table).
        await page.goto(base + "/download/mac/")
        await page.wait_for_url(base + "/downloads/macos/")

        await page.goto(base + "/downloads/latest/python3/")
        await page.wait_for_url(base + "/downloads/release/python-31019/")
        await page.goto(base + "/downloads/release/python-275/")
        assert "Windows x86 MSI Installer (2.7.5)" in await page.inner_text("body")
        await page.set_viewport_size({"width": 390, "height": 800})
        await page.goto(base + "/download/releases/2.7.5/")
        assert "Python 2.7.5" in await page.inner_text("h1")
        await page.screenshot(path=str(root / "page-mobile.png"))
        await browser.close()
    assert errors == [], errors
    assert failed == [], failed
