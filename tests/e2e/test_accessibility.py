"""axe-core on the built site in headless Chromium: the main page types (home, downloads landing,
an OS page, a release, the OS list, a CMS page, the 404 page), the account pages (logged in) and
the header's opened account menu at desktop and phone width have no "serious" or "critical"
accessibility violations. Screenshots of the home page, the downloads landing and the opened
account menu at both widths go to ``tests/e2e/artifacts/``.

axe-core is pinned in ``tests/e2e/package-lock.json`` (``npm ci --prefix tests/e2e``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM, PAGE_TYPES, USER_AGENTS
from tests.e2e.test_accounts_flow import ACCOUNT_PAGES
from tests.e2e.test_membership_flow import MEMBERSHIP_PAGES
from tests.e2e.test_nominations_flow import NOMINATION_PAGES
from tests.e2e.test_sponsors_flow import SPONSORSHIP_PAGES
from tests.e2e.test_users_flow import USER_PAGES
from tests.helpers import PASSWORD
from tests.site.test_build import _build

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
SCREENSHOTS = {"/": "home", "/downloads/": "downloads", "/community/": "community"}
BLOCKING = {"serious", "critical"}


def _describe(violation: dict[str, Any], where: str) -> str:
    nodes = violation["nodes"]
    targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    first = nodes[0] if nodes else {"html": "", "failureSummary": ""}
    # The first node's summary names what to change (for contrast: both colours and the ratio).
    return (
        f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    at {targets}{more}\n"
        f"    first: {first['html'][:160]}\n"
        f"    {' '.join(first['failureSummary'].split())}\n"
        f"    {violation['helpUrl']}"
    )


async def _violations(page: Any, where: str) -> list[str]:
    """The blocking axe-core violations on the page as it is now."""
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.add_script_tag(path=AXE)
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [_describe(v, where) for v in result["violations"] if v["impact"] in BLOCKING]


async def _open(page: Any, url: str) -> None:
    response = await page.goto(url)
    expected = 404 if "/no/such/" in url else 200
    assert response is not None and response.status == expected, (url, response and response.status)


async def _log_in(page: Any, base: str) -> None:
    await _open(page, base + "/accounts/login/")
    await page.fill("#id-login", "ordinary")
    await page.fill("#id-password", PASSWORD)
    await page.click(".stacked-form button[type=submit]")
    await page.wait_for_url(base + "/")


async def test_no_serious_accessibility_violations(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    featured_downloads: dict[str, str],
    actors: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    assert AXE.is_file(), f"axe-core is not installed ({AXE} is missing): run `npm ci --prefix tests/e2e`"
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for width in WIDTHS:
            # axe-core goes in as an inline script, which the site's CSP refuses (test_csp.py
            # checks the policy; this test checks accessibility).
            page = await browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            for path in PAGE_TYPES:
                await _open(page, base + path)
                problems += await _violations(page, f"{path} at {width}px")
                if path in SCREENSHOTS:
                    shot = ARTIFACTS / f"{SCREENSHOTS[path]}-{width}.png"
                    await page.screenshot(path=shot, full_page=True)
                    print(f"screenshot: {shot}")
            if width < 768:  # the phone layout's menu, opened
                await _open(page, base + "/")
                await page.click(".menu-toggle")
                problems += await _violations(page, f"/ at {width}px with the menu open")
            # Logged in (the password change page needs it): the account pages, then the
            # header's account menu, opened.
            await _log_in(page, base)
            for path in [
                *ACCOUNT_PAGES,
                *MEMBERSHIP_PAGES,
                *USER_PAGES,
                *NOMINATION_PAGES,
                *SPONSORSHIP_PAGES,
            ]:
                await _open(page, base + path)
                await page.wait_for_load_state("networkidle")
                problems += await _violations(page, f"{path} at {width}px")
            await _open(page, base + "/")
            await page.click(".account-toggle")
            problems += await _violations(page, f"/ at {width}px with the account menu open")
            await page.screenshot(path=ARTIFACTS / f"account-menu-{width}.png")
            await page.close()
        # Headless Chromium reports Linux, so the landing showed the source block; check the others.
        for visitor in ("windows", "macos"):
            page = await browser.new_page(
                viewport={"width": WIDTHS[0], "height": 900},
                user_agent=USER_AGENTS[visitor],
                bypass_csp=True,
            )
            await _open(page, base + "/downloads/")
            problems += await _violations(page, f"/downloads/ for {visitor}")
            await page.close()
        await browser.close()
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)
