"""The built site under its Content-Security-Policy in headless Chromium, and the log-in page's
``?next=`` in a real log-in.

The development server sends the production headers (``sitebuilder.headers``). Every page type
is opened with a listener for ``securitypolicyviolation`` events (an init script, which runs before
the page's own scripts and is not itself subject to the policy) and for the browser log's "Refused
to ..." messages; the interactive parts (the supernav boxes fetched by site.js, the code-sample
slideshow, the phone menu) run too. Zero violations are allowed. A control first injects an
inline script and expects the violation it causes on both channels, so listeners that hear
nothing cannot pass for a clean site.

Log-in (issue 12, item 7): ``?next=`` values that lead to another host (``/\\host``, ``//host``,
an absolute URL, ``javascript:``) end on the site's home page after a successful log-in; a path on
the site is honoured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from sitebuilder.headers import CONTENT_SECURITY_POLICY, for_path
from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM, PAGE_TYPES
from tests.e2e.test_accounts_flow import ACCOUNT_PAGES
from tests.e2e.test_membership_flow import MEMBERSHIP_PAGES, PUBLIC_MEMBERSHIP_PAGES
from tests.e2e.test_nominations_flow import NOMINATION_PAGES
from tests.e2e.test_sponsors_flow import PUBLIC_SPONSORSHIP_PAGES, SPONSORSHIP_PAGES
from tests.e2e.test_users_flow import USER_PAGES
from tests.helpers import PASSWORD
from tests.site.test_build import _build

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.effectiveDirective + " blocked " + (event.blockedURI || "(inline)") + " in " +
    event.sourceFile + ":" + event.lineNumber + " sample " + JSON.stringify(event.sample)
  );
});
"""
EVIL = "evil.example"
# Form and list pages the accessibility test does not open, checked here as well.
MORE_PAGES = ["/blogs/", "/events/submit/", "/success-stories/create/", "/jobs/thanks/", "/users/ordinary/"]
# Anonymous, the password change and connections pages send the visitor to log in; they are
# checked logged in.
LOGGED_IN_ONLY = ("/accounts/password/change/", "/accounts/social/connections/")
ANONYMOUS_ACCOUNT_PAGES = [path for path in ACCOUNT_PAGES if path not in LOGGED_IN_ONLY]


async def _open(page: Any, url: str) -> None:
    response = await page.goto(url)
    expected = 404 if "/no/such/" in url else 200
    assert response is not None and response.status == expected, (url, response and response.status)
    sent = {name.lower(): value for name, value in for_path("/")}
    headers = await response.all_headers()
    assert headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, url
    assert {name: headers.get(name) for name in sent} == sent, url
    await page.wait_for_load_state("networkidle")


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Refused to" in text


async def _page_with_log(context: Any, log: list[str]) -> Any:
    """A new page whose console messages and browser log entries (where Chromium reports a CSP
    violation; Playwright's console event does not carry those) go to ``log``."""
    page = await context.new_page()
    page.on("console", lambda message: log.append(message.text))
    cdp = await context.new_cdp_session(page)
    cdp.on("Log.entryAdded", lambda event: log.append(event["entry"]["text"]))
    await cdp.send("Log.enable")
    return page


async def _violations(page: Any, console: list[str], where: str) -> list[str]:
    found = await page.evaluate("window.__cspViolations || []")
    found += [text for text in console if _is_csp_message(text)]
    console.clear()
    return [f"{where}: {text}" for text in found]


async def test_every_page_type_runs_under_the_policy(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    featured_downloads: dict[str, str],
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    problems: list[str] = []
    console: list[str] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        # The control first: an inline script is refused, and both listeners hear it.
        context = await browser.new_context()
        await context.add_init_script(LISTEN)
        page = await _page_with_log(context, console)
        await _open(page, base + "/about/")
        await page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.__inlineRan = true;";
              document.body.appendChild(script);
            }"""
        )
        await page.wait_for_function("window.__cspViolations.length > 0")
        assert await page.evaluate("window.__inlineRan === undefined")
        control = await page.evaluate("window.__cspViolations")
        assert len([v for v in control if v.startswith("script-src")]) == 1, control
        # Chromium's wording: "Executing inline script violates the following Content Security
        # Policy directive ..." (older versions: "Refused to execute inline script ...").
        for _ in range(50):  # the browser's log entry may come a moment after the event
            if any(_is_csp_message(text) and "inline script" in text for text in console):
                break
            await page.wait_for_timeout(100)
        assert [text for text in console if _is_csp_message(text) and "inline script" in text], console
        console.clear()
        await context.close()

        for width in (1280, 390):  # wide: site.js fetches the supernav boxes; narrow: the menu
            context = await browser.new_context(viewport={"width": width, "height": 900})
            await context.add_init_script(LISTEN)
            page = await _page_with_log(context, console)
            page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
            for path in [
                *PAGE_TYPES,
                *MORE_PAGES,
                *ANONYMOUS_ACCOUNT_PAGES,
                *PUBLIC_MEMBERSHIP_PAGES,
                *PUBLIC_SPONSORSHIP_PAGES,
            ]:
                await _open(page, base + path)
                problems += await _violations(page, console, f"{path} at {width}px")
            await _open(page, base + "/")
            if width > 1000:
                assert await page.locator(".main-navigation .with-supernav").count() > 0
                await page.click(".code-samples-controls button >> nth=1")
                assert await page.locator(".code-sample:not([hidden])").count() == 1
            else:
                await page.click(".menu-toggle")
                assert await page.get_attribute(".menu-toggle", "aria-expanded") == "true"
            problems += await _violations(page, console, f"/ at {width}px, used")
            await context.close()

        await browser.close()
    problems += errors
    assert not problems, "Content-Security-Policy violations or script errors:\n" + "\n".join(problems)


async def test_logged_in_pages_run_under_the_policy(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
) -> None:
    """Logged in, site.js asks the API who the visitor is and builds the header's account menu;
    the account pages run their scripts with the session. No violation, no script error."""
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    problems: list[str] = []
    console: list[str] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context()
        await context.add_init_script(LISTEN)
        page = await _page_with_log(context, console)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        await _open(page, base + "/accounts/login/")
        await page.fill("#id-login", "ordinary")
        await page.fill("#id-password", PASSWORD)
        await page.click(".stacked-form button[type=submit]")
        await page.wait_for_url(base + "/")
        for path in [
            "/",
            "/about/",
            *ACCOUNT_PAGES,
            *MEMBERSHIP_PAGES,
            *USER_PAGES,
            *NOMINATION_PAGES,
            *SPONSORSHIP_PAGES,
        ]:
            await _open(page, base + path)
            assert await page.inner_text(".account-toggle") == "ordinary", path
            problems += await _violations(page, console, f"{path}, logged in")
        await page.click(".account-toggle")
        await page.locator("#account-menu").wait_for(state="visible")
        problems += await _violations(page, console, "the account menu, opened")
        await browser.close()
    problems += errors
    assert not problems, "Content-Security-Policy violations or script errors:\n" + "\n".join(problems)


async def test_login_next_stays_on_the_site(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    await actors.create("visitor")
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    cases = {
        "/%5Cevil.example/phish": base + "/",
        "//evil.example": base + "/",
        "https://evil.example": base + "/",
        "javascript:alert(1)": base + "/",
        "/\t/evil.example/": base + "/",
        "/..//evil.example/": base + "//evil.example/",  # a path on this site (a 404), not the host
        "/jobs/mine/": base + "/jobs/mine/",
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        landed: dict[str, str] = {}
        for next_value in cases:
            context = await browser.new_context()
            # Were the page to leave the site, it would land here rather than on a DNS error.
            await context.route(f"**://{EVIL}/**", lambda route: route.fulfill(body="phished"))
            page = await context.new_page()
            # %5C stays encoded as the attacker wrote it; the others are encoded like a form would.
            query = next_value if "%5C" in next_value else quote(next_value, safe="/:")
            login = f"{base}/accounts/login/?next={query}"
            await _open(page, login)
            await page.fill("#id-login", "visitor")
            await page.fill("#id-password", PASSWORD)
            await page.click(".stacked-form button[type=submit]")
            await page.wait_for_url(lambda url, login=login: url != login, timeout=15_000)
            await page.wait_for_load_state("load")
            landed[next_value] = page.url
            await context.close()
        await browser.close()
    assert landed == cases
