"""Nominations in Chromium, on the static elections pages and their script (nominations.js):
staff open an election through the API; Ada nominates herself on the create page (previewing
the statement, rendered and sanitized by the API); Bob nominates Ada; once staff link Bob's
nomination to her, Ada accepts it on the accept page; "your nominations" lists what each made
and received; an anonymous visitor is sent to log in and back. Every page runs under the
site's Content-Security-Policy without a violation, and axe-core finds nothing serious."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.helpers import PASSWORD
from tests.site.test_build import _build

BASE = "/api/v3/nominations"
ELECTION = "board-2026"
# The elections pages that exist without any election (the accessibility and CSP tests open
# them logged in); this test opens the others with data.
NOMINATION_PAGES = ["/nominations/elections/", "/users/nominations/"]


def when(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def _log_in(page: Any, base: str, username: str) -> None:
    await page.goto(base + "/accounts/login/")
    await page.fill("#id-login", username)
    await page.fill("#id-password", PASSWORD)
    await page.click(".stacked-form button[type=submit]")
    await page.wait_for_url(base + "/")


async def _visit(page: Any, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    await page.wait_for_load_state("networkidle")


async def _fill_nomination(page: Any, statement: str) -> None:
    await page.locator(".nomination-form").wait_for(state="visible")
    await page.fill("#id-name", "Ada Lovelace")
    await page.fill("#id-email", "ada@example.org")
    await page.fill("#id-employer", "Analytical Engines")
    await page.fill("#id-nomination_statement", statement)


async def test_nominate_preview_accept_and_list(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    served_site: tuple[Path, str],
) -> None:
    from playwright.async_api import async_playwright

    # Here, not at the top: test_accessibility and test_csp import NOMINATION_PAGES from here.
    from tests.e2e.test_accessibility import AXE
    from tests.e2e.test_accessibility import _violations as axe_violations
    from tests.e2e.test_csp import LISTEN, _page_with_log
    from tests.e2e.test_csp import _violations as csp_violations

    ada = await actors.create("ada")
    await actors.create("bob")
    await db_conn.execute("UPDATE users SET first_name='Ada', last_name='Lovelace' WHERE id=$1", ada.user_id)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.post(
            f"{BASE}/elections",
            json={
                "name": "Board 2026",
                "date": "2026-12-31",
                "nominations_open_at": when(-1),
                "nominations_close_at": when(5),
                "description": "The PSF board election.",
            },
        )
        assert r.status_code == 201, r.text
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    create = f"{base}/nominations/{ELECTION}/create/"
    problems: list[str] = []
    errors: list[str] = []
    console: list[str] = []
    visited: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

        async def person(username: str | None) -> Any:
            context = await browser.new_context()
            await context.add_init_script(LISTEN)
            page = await _page_with_log(context, console)
            page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
            if username:
                await _log_in(page, base, username)
            return page

        async def check(page: Any, where: str) -> None:
            visited.append(page.url)
            problems.extend(await csp_violations(page, console, where))

        # Anonymous: the create page sends the visitor to log in, and back.
        anonymous = await person(None)
        await anonymous.goto(create)
        await anonymous.wait_for_url(f"{base}/accounts/login/?next=%2Fnominations%2F{ELECTION}%2Fcreate%2F")
        await _visit(anonymous, f"{base}/nominations/elections/")
        assert "Board 2026" in await anonymous.inner_text("main")
        await check(anonymous, "elections, anonymous")
        await _visit(anonymous, f"{base}/nominations/election/{ELECTION}/")
        await check(anonymous, "election, anonymous")

        # Ada nominates herself, with a preview of the statement.
        page_a = await person("ada")
        await _visit(page_a, create)
        await _fill_nomination(page_a, "I build **engines**. <script>window.pwned = 1</script>")
        await page_a.check('input[name="previous_service"][value="no"]')
        await page_a.check('input[name="self_nomination"]')
        await page_a.locator(".acknowledgements").wait_for(state="visible")
        await page_a.check('input[name="coc_acknowledged"]')
        await page_a.check('input[name="mission_alignment"]')
        await page_a.click(".statement-preview-button")
        preview = page_a.locator(".statement-preview .nomination-statement strong")
        await preview.wait_for(state="visible")
        assert await preview.inner_text() == "engines"
        assert "<script" not in await page_a.inner_html(".statement-preview")
        await check(page_a, "create, previewed")
        await page_a.click(".nomination-form button[type=submit]")
        await page_a.locator(".form-done").wait_for(state="visible")
        own = await db_conn.fetchrow("SELECT * FROM nominations WHERE nominator_id=$1", ada.user_id)
        assert own["accepted"] and own["coc_acknowledged"] and own["mission_alignment"]
        assert own["previous_board_service"] == "New board member" and own["nominee_id"] is not None
        assert "<strong>engines</strong>" in own["nomination_statement_html"]
        assert "<script" not in own["nomination_statement_html"]
        assert await page_a.evaluate("window.pwned === undefined")

        # Bob nominates Ada (a third party: no acknowledgements), with two years of service.
        page_b = await person("bob")
        await _visit(page_b, create)
        await _fill_nomination(page_b, "Ada is *the* candidate.")
        await page_b.check('input[name="previous_service"][value="yes"]')
        await page_b.select_option("#id-previous_service_years", ["2020", "2019"])
        await page_b.click(".nomination-form button[type=submit]")
        await page_b.locator(".form-done").wait_for(state="visible")
        await check(page_b, "create, third party")
        bobs = await db_conn.fetchrow(
            "SELECT * FROM nominations WHERE nominator_id=$1", actors["bob"].user_id
        )
        assert bobs["previous_board_service"] == "2019, 2020" and bobs["nominee_id"] is None
        assert not bobs["accepted"] and not bobs["coc_acknowledged"]

        # Staff link Bob's nomination to Ada's account; she accepts it from her list.
        async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
            r = await api.post(
                f"{BASE}/elections/{ELECTION}/nominations/{bobs['id']}/review",
                json={"nominee_user_id": ada.user_id},
            )
            assert r.status_code == 200, r.text
        await _visit(page_a, f"{base}/users/nominations/")
        await page_a.locator(".my-nomination").first.wait_for(state="visible")
        mine = await page_a.inner_text(".my-nominations")
        assert "Board 2026" in mine and "Nominations received" in mine and "Nominations made" in mine
        await check(page_a, "your nominations, Ada")
        await page_a.click(f'a[href="/nominations/{ELECTION}/accept/?id={bobs["id"]}"]')
        await page_a.locator(".accept-form").wait_for(state="visible")
        assert "the" in await page_a.inner_text(".nomination .nomination-statement em")
        await check(page_a, "accept")
        await page_a.check('input[name="accepted"]')
        await page_a.click(".accept-form button[type=submit]")
        await page_a.locator(".form-done").wait_for(state="visible")
        assert await db_conn.fetchval("SELECT accepted FROM nominations WHERE id=$1", bobs["id"])

        # Before the close, the nominees page shows Ada her own candidacy, and nobody else's.
        await _visit(page_a, f"{base}/nominations/elections/{ELECTION}/nominees/")
        await page_a.locator(".nominee-own").wait_for(state="visible")
        assert "Ada Lovelace" in await page_a.inner_text(".nominee-own")
        await check(page_a, "nominees, Ada")
        await _visit(page_b, f"{base}/nominations/elections/{ELECTION}/nominees/")
        assert await page_b.locator(".nominee-own").is_hidden()

        # Bob's list: the nomination he made, now accepted, which he can no longer edit.
        await _visit(page_b, f"{base}/users/nominations/")
        await page_b.locator(".my-nomination").first.wait_for(state="visible")
        made = await page_b.inner_text(".my-nominations")
        assert "Nominations made" in made and "(made, accepted, not approved)" in made
        assert await page_b.locator(".my-nomination a", has_text="Edit").count() == 0
        await check(page_b, "your nominations, Bob")

        # Ada edits her own nomination (the nominee may, while nominations are open).
        await _visit(page_a, f"{base}/nominations/{ELECTION}/edit/?id={own['id']}")
        await page_a.locator(".nomination-form").wait_for(state="visible")
        assert await page_a.input_value("#id-employer") == "Analytical Engines"
        await page_a.fill("#id-employer", "Difference Engines")
        await page_a.click(".nomination-form button[type=submit]")
        await page_a.locator(".form-done").wait_for(state="visible")
        await check(page_a, "edit")
        assert await db_conn.fetchval("SELECT employer FROM nominations WHERE id=$1", own["id"]) == (
            "Difference Engines"
        )

        # axe-core on the same pages, logged in as Ada (axe goes in as an inline script, so the
        # policy is bypassed here; the checks above ran under it).
        assert AXE.is_file(), f"axe-core is not installed ({AXE} is missing)"
        context = await browser.new_context(bypass_csp=True)
        page = await context.new_page()
        await _log_in(page, base, "ada")
        for path in (
            "/nominations/elections/",
            f"/nominations/election/{ELECTION}/",
            f"/nominations/elections/{ELECTION}/nominees/",
            f"/nominations/{ELECTION}/create/",
            f"/nominations/{ELECTION}/accept/?id={bobs['id']}",
            f"/nominations/{ELECTION}/edit/?id={own['id']}",
            "/users/nominations/",
        ):
            await _visit(page, base + path)
            problems += await axe_violations(page, path)
        await browser.close()
    assert not problems + errors, "\n".join(problems + errors)
    # The pages are the same for everyone: no elections page names a nominee before the close.
    _build(live_api, root, builder_key, site_url=base)
    built = "".join(p.read_text() for p in (root / "current/nominations").rglob("*.html"))
    assert "Ada Lovelace" not in built and "ada@example.org" not in built
