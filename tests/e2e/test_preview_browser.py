"""A draft preview in Chromium: the private URL on the site's host (the origin forwards /api/ to
the API, as the CDN does) shows the draft in the real theme, its stylesheet and scripts loaded from
the same host under the site's CSP, with the "Preview — not published" banner. A screenshot is kept
under the test state directory."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import STATE_DIR
from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.helpers import running_worker
from tests.site.test_build import _build
from tests.site.test_preview import preview_api, preview_settings, ready  # noqa: F401  (fixtures)


async def test_preview_in_chromium(
    preview_api: str,  # noqa: F811
    preview_settings: Any,  # noqa: F811
    dl: Fixture,
    builder_key: str,
    actors: Any,
    sessionmaker: Any,
    mailer: Any,
    tmp_path: Path,
) -> None:
    import msgspec
    from playwright.async_api import async_playwright

    from sitebuilder.serve import make_server

    out = tmp_path / "site"
    _build(preview_api, out, builder_key)
    server = make_server(out, "127.0.0.1", 0, api_url=preview_api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    editor = await actors.create("editor", permissions=("pages.change_page",))
    settings = msgspec.structs.replace(preview_settings, site_api_url=preview_api)
    try:
        async with (
            running_worker(settings, sessionmaker, mailer),
            httpx.AsyncClient(base_url=preview_api, headers=editor.headers) as api,
        ):
            r = await api.post(
                "/api/v3/pages",
                json={"title": "Preview me", "path": "about/preview-me", "content": "Seen only in preview."},
            )
            assert r.status_code == 403  # editors change pages; adding one is another permission
            r = await api.post(
                "/api/v3/pages",
                headers=actors["root"].headers,
                json={
                    "title": "Preview me",
                    "path": "about/preview-me",
                    "content": "Seen only in preview.",
                    "is_published": False,
                },
            )
            page_id = r.json()["id"]
            token = (await api.post("/api/v3/previews", json={"type": "page", "id": page_id})).json()["token"]
            assert (await ready(api, token))["status"] == "ready"
        errors: list[str] = []
        failed: list[str] = []
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = await browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: failed.append(r.url))
            answer = await page.goto(f"{base}/api/v3/previews/{token}")
            assert answer is not None and answer.status == 200
            await page.wait_for_load_state("networkidle")
            banner = page.locator("#preview-banner")
            assert await banner.is_visible()
            assert "Preview — not published" in await banner.inner_text()
            assert "Seen only in preview." in await page.locator("main, body").first.inner_text()
            # The theme's stylesheet applied (same host): the page is not unstyled.
            sheets = await page.evaluate("() => [...document.styleSheets].map(s => s.href)")
            assert f"{base}/theme/css/style.css" in sheets
            shots = STATE_DIR / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(shots / "preview.png"), full_page=True)
            await browser.close()
        assert errors == [] and failed == [], (errors, failed)
        assert (shots / "preview.png").stat().st_size > 10_000
        async with httpx.AsyncClient() as plain:
            public = await plain.get(f"{base}/about/preview-me/")
        assert public.status_code == 404  # still not on the public site
    finally:
        server.shutdown()
        server.server_close()
