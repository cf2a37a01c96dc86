"""The built site in headless Chromium: pages load with python.org's layout, the navigation works,
the downloads pages show the data, and nothing on the page fails (console errors, broken CSS/JS).

Chromium comes from Debian (``apt-get install chromium``; ``.ci/run`` installs it) and is driven
by Playwright with ``executable_path``: Playwright's own browser download cannot work here.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import _build, builder_key, live_api  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _broken(request: Any, base: str) -> bool:
    """A failed request to our site; a load the browser itself cancelled by navigating on
    (``net::ERR_ABORTED``, e.g. a favicon still in flight) is not a broken page."""
    return request.url.startswith(base) and "ERR_ABORTED" not in (request.failure or "")


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "origin"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Handler, directory=str(root / "current"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def test_site_in_chromium(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
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
        await page.locator("nav a", has_text="Downloads").first.click()
        await page.wait_for_url(base + "/downloads/")
        body = await page.inner_text("body")
        assert "Python 3.10.19" in body and "Python 9.7.2" not in body

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
