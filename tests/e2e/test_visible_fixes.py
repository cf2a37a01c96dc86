"""What a visitor noticed (issue 19, part 5), checked in headless Chromium on the site ``make run``
builds (``demo_site``): the section the page is in is highlighted in the menus on every section,
the events sidebar's links are separated, and a form's error names the field by its label.

"Highlighted" is what the visitor sees: the menu items whose computed style differs from the
other items of the same menu, not a class name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.site.demo_site import DemoSite

# Path -> (the main navigation's highlighted section, the top bar's highlighted site). Jobs and
# the PSF are sites of the Python Network's top bar (python.org's jobs-meta and psf-meta), not
# sections of the main navigation: their pages highlight the top bar's tab.
SECTIONS = {
    "/": (None, "Python"),
    "/about/": ("About", "Python"),
    "/about/apps/": ("About", "Python"),
    "/downloads/": ("Downloads", "Python"),
    "/downloads/release/python-3119/": ("Downloads", "Python"),
    "/doc/": ("Documentation", "Python"),
    "/doc/versions/": ("Documentation", "Python"),
    "/community/": ("Community", "Python"),
    "/success-stories/": ("Success Stories", "Python"),
    "/blogs/": ("News", "Python"),
    "/events/": ("Events", "Python"),
    "/events/python-events/": ("Events", "Python"),
    "/jobs/": (None, "Jobs"),
    "/jobs/create/": (None, "Jobs"),
    "/psf-landing/": (None, "PSF"),
    "/psf/sponsors/": (None, "PSF"),
    "/psf/records/board/minutes/": (None, "PSF"),
}

# The look of a menu link: what a visitor tells a highlighted item by.
STYLES = """(selector) => [...document.querySelectorAll(selector)].map((a) => {
  const s = getComputedStyle(a);
  return [a.textContent.trim(), [s.color, s.backgroundColor, s.borderTopColor, s.borderBottomColor,
    s.boxShadow, s.textDecorationLine].join("|")];
})"""


async def _highlighted(page: Any, selector: str) -> list[str]:
    """The links of a menu that look different from the rest of it."""
    items = await page.evaluate(STYLES, selector)
    usual, _ = Counter(style for _, style in items).most_common(1)[0]
    return [text for text, style in items if style != usual]


async def test_visible_fixes(demo_site: DemoSite) -> None:
    from playwright.async_api import async_playwright

    base = demo_site.site_url
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})

        wrong = []
        for path, (section, network) in SECTIONS.items():
            response = await page.goto(base + path)
            assert response is not None and response.status == 200, path
            main = await _highlighted(page, ".main-navigation li.tier-1 > a")
            top = await _highlighted(page, ".top-bar li > a")
            if main != ([section] if section else []) or top != [network]:
                wrong.append(f"{path}: main navigation {main}, top bar {top}; expected {section}, {network}")
        assert not wrong, "\n".join(wrong)
        await page.goto(base + "/jobs/")
        await page.screenshot(path=str(ARTIFACTS / "jobs-top-bar.png"))

        # The events sidebar: python.org's box, whose links ran into the commas between them.
        await page.goto(base + "/events/")
        sidebar = " ".join((await page.inner_text(".events-subscriptions")).split())
        assert "how to submit events, subscribe to the calendars, get Twitter feeds or embed them" in sidebar

        # A refused sign-up names the field as the form labels it ("Username"), not the API's name.
        await page.goto(base + "/accounts/signup/")
        await page.fill("#id-email", "someone-new@example.org")
        await page.fill("#id-username", "editor")  # a demo account: the name is taken
        await page.fill("#id-password1", "a long enough password 1")
        await page.fill("#id-password2", "a long enough password 1")
        await page.click("main form button[type=submit]")
        errors = page.locator(".form-errors")
        await page.locator(".form-errors:has-text('already exists')").wait_for()
        text = await errors.inner_text()
        assert "Username: A user with that username already exists." in text, text
        assert "username:" not in text

        # Form buttons at python.org's size: its 16px type at line height 1.625, padded
        # 0.4em 0.75em 0.35em, 6px corners (a <button> no longer falls back to the browser's 13px).
        measure = """(selector) => {
          const s = getComputedStyle(document.querySelector(selector));
          return [s.fontSize, s.lineHeight, s.paddingTop, s.paddingLeft, s.paddingBottom, s.borderTopLeftRadius];
        }"""
        for path in ("/accounts/login/", "/accounts/signup/", "/events/submit/"):
            await page.goto(base + path)
            got = await page.evaluate(measure, "main form button[type=submit]")
            assert got == ["16px", "26px", "6.4px", "12px", "5.6px", "6px"], (path, got)
        await browser.close()
