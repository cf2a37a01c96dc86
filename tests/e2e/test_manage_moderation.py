"""The console's event submissions queue and its draft preview of an unsaved edit, in Chromium
(issue 20). A staff events editor accepts one suggestion into a calendar, published, and declines
another with a note, each through the console's dialog; what is stored is checked (the event, the
suggestion's status and decider). A pages editor changes a published page without saving, asks for a
Preview and opens it: the real theme shows the unsaved text under the "Preview — not published"
banner, while the stored page and the public site keep the old text. axe-core runs on the queue and
its dialog; screenshots go to ``$PYDOTORG_TEST_STATE_DIR/screenshots``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from tests.e2e.conftest import ARGS, CHROMIUM
from tests.e2e.test_accessibility import AXE, _violations
from tests.e2e.test_manage_console import _log_in, _shots
from tests.helpers import running_worker
from tests.site.test_build import _build
from tests.site.test_preview import preview_api, preview_settings  # noqa: F401  (fixtures)

ACCEPTED = {
    "event_name": "PyCon Console 2027",
    "event_type": "conference",
    "python_focus": "Everything Python",
    "expected_attendees": "300",
    "location": "Lisbon, Portugal",
    "date_from": "2027-05-10",
    "date_to": "2027-05-12",
    "recurrence": "None",
    "link": "https://console.example.org/",
    "description": "Three days of talks.\nAnd sprints.",
}
DECLINED = {**ACCEPTED, "event_name": "Crypto Python Meetup", "link": "https://declined.example.org/"}
NOTE = "Not about Python, sorry."
PAGE_PATH = "/about-preview/"
OLD_TEXT = "The published text of the page."
NEW_TEXT = "An **unsaved** edit, seen only in the preview."


async def test_event_submissions_accept_and_decline_from_the_queue(
    live_api: str,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
    db_conn: Any,
) -> None:
    from playwright.async_api import async_playwright

    assert AXE.is_file(), f"axe-core is not installed ({AXE} is missing): run `npm ci --prefix tests/e2e`"
    root, base = served_site
    editor = await actors.create("events-editor", staff=True, permissions=("events.add_event",))
    ids: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=live_api) as api:
        for name, slug in (("Python Events", "python-events"), ("User Group Events", "user-groups")):
            r = await api.post(
                "/api/v3/events/calendars", headers=actors["root"].headers, json={"name": name, "slug": slug}
            )
            assert r.status_code == 201, r.text
        for key, body in (("accepted", ACCEPTED), ("declined", DECLINED)):
            r = await api.post("/api/v3/events/submissions", headers=actors["ordinary"].headers, json=body)
            assert r.status_code == 201, r.text
            ids[key] = r.json()["id"]
    _build(live_api, root, builder_key, site_url=base)

    shots = _shots()
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page, _ = await _log_in(browser, base, "events-editor", problems)
        queue_link = page.locator(".manage-queues a", has_text="Event submissions")
        await queue_link.click()
        items = page.locator(".manage-queue-item")
        await items.nth(1).wait_for()
        assert await items.count() == 2
        problems += await _violations(page, "/manage/#queue/events")
        await page.screenshot(path=str(shots / "manage-event-queue.png"), full_page=True)

        # Accept into the second calendar, published at once.
        item = items.filter(has_text="PyCon Console 2027")
        await item.get_by_role("button", name="Accept…").click()
        dialog = page.locator(".manage-dialog")
        await dialog.wait_for(state="visible")
        assert await page.evaluate("document.activeElement.id") == "id-manage-dialog-choice"
        await dialog.get_by_label("Calendar").select_option(label="User Group Events")
        await dialog.get_by_label("Publish it now").check()
        problems += await _violations(page, "/manage/#queue/events (accept dialog)")
        await page.screenshot(path=str(shots / "manage-event-accept.png"), full_page=True)
        async with page.expect_request(lambda r: r.url.endswith("/accept")) as sent:
            await dialog.get_by_role("button", name="Accept", exact=True).click()
        assert (await sent.value).post_data_json == {"calendar": "user-groups", "publish": True}
        outcome = item.locator(".manage-queue-outcome")
        await outcome.filter(has_text="Accepted.").wait_for()
        assert await page.evaluate("document.activeElement.className") == "manage-queue-outcome"
        assert await item.get_by_role("button").count() == 0
        row = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", ids["accepted"])
        assert row["status"] == "accepted" and row["decided_by_id"] == editor.user_id
        assert row["decided_at"] is not None and row["event_id"] is not None
        event = await db_conn.fetchrow(
            "SELECT e.title, e.is_published, c.slug FROM events e JOIN event_calendars c ON c.id = e.calendar_id"
            " WHERE e.id=$1",
            row["event_id"],
        )
        assert (event["title"], event["slug"], event["is_published"]) == (
            "PyCon Console 2027",
            "user-groups",
            True,
        )
        assert await outcome.get_by_role("link", name="Edit the event").get_attribute("href") == (
            f"#events/{row['event_id']}"
        )

        # Decline the other with a note.
        other = items.filter(has_text="Crypto Python Meetup")
        await other.get_by_role("button", name="Decline…").click()
        await dialog.wait_for(state="visible")
        assert await page.evaluate("document.activeElement.id") == "id-manage-dialog-input"
        await dialog.get_by_label("Note").fill(NOTE)
        await dialog.get_by_role("button", name="Decline", exact=True).click()
        await other.locator(".manage-queue-outcome", has_text="Declined.").wait_for()
        row = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", ids["declined"])
        assert row["status"] == "declined" and row["decision_note"] == NOTE
        assert row["decided_by_id"] == editor.user_id and row["event_id"] is None
        assert await db_conn.fetchval("SELECT count(*) FROM events") == 1

        # The decided ones under their status, with who decided (the API's decided_by).
        await page.locator("#id-sub-status").select_option("declined")
        await page.get_by_role("button", name="Apply").click()
        await page.wait_for_url(base + "/manage/#queue/events?status=declined")
        # The list is redrawn from the API: wait for the new one (the pending view had two items).
        await page.wait_for_function("document.querySelectorAll('.manage-queue-item').length === 1")
        declined = page.locator(".manage-queue-item")
        text = await declined.inner_text()
        assert "Crypto Python Meetup" in text and "events-editor" in text and NOTE in text
        assert await declined.get_by_role("button").count() == 0
        await page.screenshot(path=str(shots / "manage-event-declined.png"), full_page=True)
        await browser.close()
    assert problems == []


@pytest.fixture
def preview_site(preview_api: str, preview_settings: Any) -> Iterator[tuple[Path, str]]:  # noqa: F811
    """The origin directory the previews' worker reads the builder's state from, served (with /api/
    forwarded to the previews' API, as the CDN does) on a local port."""
    from sitebuilder.serve import make_server

    out = Path(preview_settings.site_origin_dir)
    out.mkdir(parents=True)
    server = make_server(out, "127.0.0.1", 0, api_url=preview_api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_preview_of_an_unsaved_page_edit(
    preview_api: str,  # noqa: F811
    preview_settings: Any,  # noqa: F811
    preview_site: tuple[Path, str],
    builder_key: str,
    actors: Any,
    sessionmaker: Any,
    mailer: Any,
    db_conn: Any,
) -> None:
    from playwright.async_api import async_playwright

    out, base = preview_site
    await actors.create("page-editor", staff=True, permissions=("pages.change_page",))
    async with httpx.AsyncClient(base_url=preview_api) as api:
        r = await api.post(
            "/api/v3/pages",
            headers=actors["root"].headers,
            json={"title": "About the preview", "path": PAGE_PATH, "content": OLD_TEXT, "is_published": True},
        )
        assert r.status_code == 201, r.text
        page_id = r.json()["id"]
    _build(preview_api, out, builder_key, site_url=base)
    public_file = out / "current" / PAGE_PATH.strip("/") / "index.html"
    public_before = public_file.read_bytes()
    assert OLD_TEXT.encode() in public_before
    stored_before = await db_conn.fetchrow("SELECT * FROM pages WHERE id=$1", page_id)
    settings = msgspec.structs.replace(preview_settings, site_api_url=preview_api, site_url=base)

    shots = _shots()
    problems: list[str] = []
    async with running_worker(settings, sessionmaker, mailer), async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page, _ = await _log_in(browser, base, "page-editor", problems)
        await page.goto(f"{base}/manage/#pages/{page_id}")
        content = page.locator("#id-f-content")
        await content.wait_for()
        assert await content.input_value() == OLD_TEXT
        await content.fill(NEW_TEXT)
        async with page.expect_request(lambda r: r.url.endswith("/api/v3/previews")) as sent:
            await page.get_by_role("button", name="Preview").click()
        assert (await sent.value).post_data_json == {
            "type": "page",
            "id": page_id,
            "changes": {"content": NEW_TEXT},
        }
        link = page.get_by_role("link", name="Open the preview")
        await link.wait_for(timeout=150_000)
        href = await link.get_attribute("href")
        assert href is not None and href.startswith(f"{base}/api/v3/previews/"), href
        assert await page.evaluate("document.activeElement.textContent") == "Open the preview"
        await page.screenshot(path=str(shots / "manage-preview-ready.png"), full_page=True)
        failed: list[str] = []
        page.context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.context.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith(base) else None)
        async with page.context.expect_page() as opened:
            await link.click()
        preview = await opened.value
        await preview.wait_for_load_state("networkidle")
        assert failed == []
        banner = preview.locator("#preview-banner")
        assert await banner.is_visible()
        assert "Preview — not published" in await banner.inner_text()
        assert "About the preview" in await preview.title()
        shown = await preview.locator("main").inner_html()
        assert "<strong>unsaved</strong> edit, seen only in the preview." in shown
        assert OLD_TEXT not in shown
        sheets = await preview.evaluate("() => [...document.styleSheets].map(s => s.href)")
        assert f"{base}/theme/css/style.css" in sheets  # the real theme, from the same host
        await preview.screenshot(path=str(shots / "manage-preview-page.png"), full_page=True)
        # The edit is still in the form, unsaved; nothing was stored or published.
        assert await content.input_value() == NEW_TEXT
        public = await page.request.get(base + PAGE_PATH)
        assert public.status == 200 and OLD_TEXT in await public.text()
        assert "unsaved" not in await public.text()
        await browser.close()
    stored = await db_conn.fetchrow("SELECT * FROM pages WHERE id=$1", page_id)
    assert dict(stored) == dict(stored_before)
    assert public_file.read_bytes() == public_before
    assert problems == []
