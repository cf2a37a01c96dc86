"""The downloads landing's big button follows the visitor's platform, as on python.org: site.js
reads the user agent and reveals the Windows, macOS or source block; phones, other systems and
browsers without JavaScript get the generic block, which links to the latest release's page."""

from __future__ import annotations

from pathlib import Path

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM, USER_AGENTS
from tests.site.test_build import _build


async def test_download_button_per_platform(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    featured_downloads: dict[str, str],
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    release_page = base + "/downloads/release/python-31019/"
    expected = {
        "windows": ("Download Python install manager", featured_downloads["manager"]),
        "macos": ("Download Python 3.10.19", featured_downloads["macos"]),
        "linux": ("Download Python 3.10.19", featured_downloads["source"]),
        "iphone": ("Download Python 3.10.19", release_page),
        "no-js": ("Download Python 3.10.19", release_page),
    }
    seen: dict[str, tuple[str, str | None]] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for visitor in expected:
            context = await browser.new_context(
                user_agent=USER_AGENTS.get(visitor, USER_AGENTS["windows"]),
                java_script_enabled=visitor != "no-js",
            )
            page = await context.new_page()
            await page.goto(base + "/downloads/")
            # Exactly one platform block is shown, so exactly one big button.
            button = page.locator(".download-hero .download-os:visible a.button")
            assert await button.count() == 1, (visitor, await button.all_inner_texts())
            seen[visitor] = ((await button.inner_text()).strip(), await button.get_attribute("href"))
            if visitor == "windows":
                standalone = page.locator(".download-os-windows .download-alt a")
                assert await standalone.inner_text() == "Python 3.10.19"
                assert await standalone.get_attribute("href") == featured_downloads["windows"]
            await context.close()
        await browser.close()
    assert seen == expected
