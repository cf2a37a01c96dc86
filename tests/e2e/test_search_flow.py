"""Site search in Chromium (issue 16): the header's search box on the home page leads to
``/search/?q=``, whose script asks ``GET /api/v3/search`` on the same origin and shows the results
(the newest Python 3.12 release first, the matched words marked), the facets and the pager; a facet
or a pager link changes the URL in place and the back button shows the earlier results again; a
shared URL opens the same results; a title with markup in the data shows as text; the API's 400
message, an empty answer and an unreachable API each get their message.

The index is filled the way ``pydotorg search reindex`` fills it, from the records the test makes
through the API, before the browser runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.e2e.test_accessibility import _violations
from tests.e2e.test_csp import LISTEN
from tests.site.test_build import _build

# Python 3.12.0 ... 3.12.21: with the page below, two pages of results for "3.12".
RELEASES = [f"Python 3.12.{n}" for n in range(22)]
PAGE_TITLE = "<b>Bold</b> search tips"
UNAVAILABLE = "Search is unavailable right now, please try again shortly."


async def _make_records(api_url: str, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=headers) as api:
        for n, name in enumerate(RELEASES):
            r = await api.post(
                "/api/v3/downloads/releases",
                json={
                    "name": name,
                    "is_published": True,
                    "release_date": f"2026-{1 + n // 2:02d}-{1 + n % 2 * 14:02d}T12:00:00Z",
                    "content": f"{name} is a maintenance release of Python 3.12.",
                },
            )
            assert r.status_code == 201, r.text
        r = await api.post(
            "/api/v3/pages",
            json={
                "title": PAGE_TITLE,
                "path": "about/search-tips",
                "content": "How to find what changed in Python 3.12 on this site.",
                "content_markup_type": "markdown",
                "is_published": True,
            },
        )
        assert r.status_code == 201, r.text


async def _reindex(settings: Any, sessionmaker: Any) -> int:
    from pydotorg.core.search import create_engine
    from pydotorg.core.search.indexing import reindex
    from pydotorg.indexes import SEARCH_SOURCES

    engine = create_engine(settings)
    try:
        return await reindex(sessionmaker, engine, SEARCH_SOURCES)
    finally:
        await engine.aclose()


async def _results(page: Any) -> list[dict[str, str]]:
    """The results the page shows: each one's type label, title and link, and its excerpt's HTML."""
    await page.locator(".search-results:not([hidden])").wait_for()
    rows: list[dict[str, str]] = await page.eval_on_selector_all(
        ".search-result",
        """items => items.map(li => {
             const link = li.querySelector(".search-result-title a");
             return {
               type: li.querySelector(".search-result-type").textContent,
               title: link.textContent,
               href: link.getAttribute("href"),
               excerpt: (li.querySelector(".search-result-excerpt") || {innerHTML: ""}).innerHTML,
               meta: (li.querySelector(".search-result-meta") || {textContent: ""}).textContent,
             };
           })""",
    )
    return rows


async def _facets(page: Any) -> list[tuple[str, bool]]:
    """The facets as shown: each label with its count, and whether it is the current one."""
    items: list[list[Any]] = await page.eval_on_selector_all(
        ".search-facet", "items => items.map(li => [li.textContent, !!li.querySelector('[aria-current]')])"
    )
    return [(text, current) for text, current in items]


def _long_date(iso: str) -> str:
    """python.org's "6 June 2024" for "2024-06-06"."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    months = "January February March April May June July August September October November December"
    return f"{day} {months.split()[month - 1]} {year}"


async def _status(page: Any, text: str) -> None:
    await page.locator(".search-status", has_text=text).wait_for()


async def test_search_from_the_header_to_facets_pages_and_back(
    live_api: str,
    builder_key: str,
    actors: Any,
    settings: Any,
    sessionmaker: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    await _make_records(live_api, actors["root"].headers)
    assert await _reindex(settings, sessionmaker) >= len(RELEASES) + 1
    async with httpx.AsyncClient(base_url=live_api) as anonymous:
        everything = (await anonymous.get("/api/v3/search", params={"q": "3.12"})).json()
        too_long = await anonymous.get("/api/v3/search", params={"q": "x" * 201})
        misspelt = (await anonymous.get("/api/v3/search", params={"q": "maintenanse"})).json()
    assert everything["total"] == len(RELEASES) + 1 and everything["pages"] == 2, everything
    assert too_long.status_code == 400 and too_long.json()["detail"], too_long.text
    assert misspelt["corrected"] and misspelt["total"] == len(RELEASES), misspelt
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)

    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await context.add_init_script(LISTEN)  # collects the page's CSP violations, if any
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # The header's box on the home page: type, Enter, and the site's own search page.
        await page.goto(base + "/")
        await page.fill("#id-search-field", "3.12")
        await page.press("#id-search-field", "Enter")
        await page.wait_for_url(base + "/search/?q=3.12")
        first = await _results(page)
        await _status(page, f"{len(RELEASES) + 1} results for “3.12”, page 1 of 2.")
        assert len(first) == 20
        assert first[0]["type"] == "Release" and first[0]["title"].startswith("Python 3.12."), first[0]
        assert first[0]["href"] == base + everything["results"][0]["url"]
        assert first[0]["title"] == everything["results"][0]["title"]
        marked = re.findall(r"<mark>(.*?)</mark>", first[0]["excerpt"])
        assert marked and all(word.startswith("3.12") for word in marked), first[0]
        top = everything["results"][0]
        assert first[0]["meta"] == " · ".join(filter(None, [_long_date(top["date"]), top["detail"]])), first[
            0
        ]
        assert [r["title"] for r in first] == [r["title"] for r in everything["results"]]
        # The field is focused and holds the query; the results are links Tab reaches.
        assert await page.evaluate("document.activeElement.id") == "id-search-q"
        assert await page.input_value("#id-search-q") == "3.12"
        for _ in range(8):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.closest('.search-result-title') !== null"):
                break
        assert await page.evaluate("document.activeElement.textContent") == first[0]["title"]
        assert await _facets(page) == [
            (f"All results ({len(RELEASES) + 1})", True),
            (f"Releases ({len(RELEASES)})", False),
            ("Pages (1)", False),
        ]
        assert await page.inner_text(".search-pager") == "Page 1 of 2\nNext »"
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

        # A facet: the URL changes in place, the page's markup in a title stays text.
        await page.click(".search-facet a:has-text('Pages')")
        await page.wait_for_url(base + "/search/?q=3.12&type=page")
        await _status(page, "1 result for “3.12” in Pages.")
        pages = await _results(page)
        assert [(r["type"], r["title"], r["href"]) for r in pages] == [
            ("Page", PAGE_TITLE, base + "/about/search-tips/")
        ]
        assert await page.locator(".search-result-title b").count() == 0
        assert await page.evaluate("document.activeElement.id") == "search-results-title"
        assert ("Pages (1)", True) in await _facets(page)
        assert await page.locator(".search-pager").is_hidden()

        # Back: the first results again, and forward to the second page of them.
        await page.go_back()
        await page.wait_for_url(base + "/search/?q=3.12")
        await _status(page, "page 1 of 2.")
        assert [r["title"] for r in await _results(page)] == [r["title"] for r in first]
        await page.click(".search-pager a[rel=next]")
        await page.wait_for_url(base + "/search/?q=3.12&page=2")
        await _status(page, "page 2 of 2.")
        second = await _results(page)
        assert len(second) == len(RELEASES) + 1 - 20
        assert not {r["title"] for r in second} & {r["title"] for r in first}
        assert await page.inner_text(".search-pager") == "« Previous\nPage 2 of 2"

        # The page's own form: a new query, every type again.
        await page.fill("#id-search-q", "maintenance")
        await page.press("#id-search-q", "Enter")
        await page.wait_for_url(base + "/search/?q=maintenance")
        await _status(page, f"{len(RELEASES)} results for “maintenance”")
        assert await page.evaluate("document.activeElement.id") == "id-search-q"
        assert await page.evaluate("window.__cspViolations") == []

        # A shared URL opens the same results, its facet current.
        shared = await context.new_page()
        shared.on("pageerror", lambda e: errors.append(str(e)))
        await shared.goto(base + "/search/?" + urlencode({"q": "3.12", "type": "page"}))
        assert [r["title"] for r in await _results(shared)] == [PAGE_TITLE]
        assert await shared.input_value("#id-search-q") == "3.12"
        assert ("Pages (1)", True) in await _facets(shared)

        # A misspelt query: the results of the one the API ran instead, and which one it was.
        await shared.goto(base + "/search/?q=maintenanse")
        await _status(shared, f"{len(RELEASES)} results for “{misspelt['corrected']}”")
        assert await shared.inner_text(".search-corrected") == f"Showing results for {misspelt['corrected']}"
        assert len(await _results(shared)) == 20

        # Nothing found; the API's own complaint; the API not answering.
        await shared.goto(base + "/search/?q=qwxzvvyq")
        await _status(shared, "No results for “qwxzvvyq”.")
        assert await shared.locator(".search-none").is_visible()
        await shared.goto(base + "/search/?" + urlencode({"q": "x" * 201}))
        await shared.locator(".search-error:not([hidden])").wait_for()
        assert (
            await shared.inner_text(".search-error")
            == "Search Python.org for: " + too_long.json()["extra"]["q"][0]
        )
        assert await shared.locator(".search-results").is_hidden()
        await shared.route("**/api/v3/search?*", lambda route: route.fulfill(status=503, body="{}"))
        await shared.goto(base + "/search/?q=3.12")
        await shared.locator(".search-error:not([hidden])").wait_for()
        assert await shared.inner_text(".search-error") == UNAVAILABLE
        await shared.unroute("**/api/v3/search?*")
        await shared.route("**/api/v3/search?*", lambda route: route.abort())
        await shared.goto(base + "/search/?q=python")
        await shared.locator(".search-error:not([hidden])").wait_for()
        assert await shared.inner_text(".search-error") == UNAVAILABLE
        assert await shared.evaluate("window.__cspViolations") == []

        # axe-core on the results, the facets and the pager, at desktop and phone width.
        problems: list[str] = []
        for width in (1280, 390):
            checked = await browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            await checked.goto(base + "/search/?q=3.12")
            await _results(checked)
            problems += await _violations(checked, f"/search/?q=3.12 at {width}px")
            await checked.close()
        assert problems == [], "\n".join(problems)
        await browser.close()
    assert errors == [], errors
