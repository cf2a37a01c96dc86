"""The editors' console at ``/manage/`` in Chromium (issue 20): a staff editor logs in, edits a CMS
page with the live preview (rendered by ``POST /api/v3/markup/render``), saves (If-Match), meets a
concurrent edit (412), publishes and sees the public page rebuilt with the new text; a job moderator
approves a job from the queue; a logged-in non-staff user sees only "You do not have access to the
console." and gets 403 from every write the console can issue. axe-core runs on each console view;
screenshots go to the test state directory (``$PYDOTORG_TEST_STATE_DIR/screenshots``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx

from tests.api.test_jobs import job_body
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.e2e.test_accessibility import AXE, _violations
from tests.helpers import PASSWORD, StateProbe, state_changes
from tests.site.test_build import _build

PAGE_PATH = "/about-console/"
NEW_TEXT = "Welcome to the **console-edited** about page."
# The console's resources (manage.js RESOURCES / QUEUES): the API prefixes of its writes.
CONSOLE_PREFIXES = (
    "/api/v3/pages",
    "/api/v3/downloads/releases",
    "/api/v3/events",
    "/api/v3/jobs",
    "/api/v3/boxes",
    "/api/v3/banners",
    "/api/v3/codesamples",
    "/api/v3/success-stories",
    "/api/v3/minutes",
    "/api/v3/community/posts",
    "/api/v3/markup",
    "/api/v3/previews",
    "/api/v3/changes",
)
# Writes any logged-in visitor may make on python.org, which the console does not gate: posting a
# job listing (python.org's "Submit a job"), suggesting an event and submitting a success story.
OPEN_TO_ANYONE = {
    ("post", "/api/v3/jobs"),
    ("post", "/api/v3/events/submissions"),
    ("post", "/api/v3/success-stories/submissions"),
}


# Valid bodies where the API reads the body before it can tell who may write (the sweep must be
# refused for the permission, not for a malformed body).
BODIES: dict[str, Any] = {
    "/api/v3/markup/render": {"markup_type": "markdown", "content": "x"},
    "/api/v3/jobs/{job_id}/comments": {"comment": "Looks fine", "action": "approve"},
}


def _shots() -> Path:
    state = os.environ.get("PYDOTORG_TEST_STATE_DIR") or str(Path(__file__).parents[2] / ".state" / "test")
    folder = Path(state) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _log_in(browser: Any, base: str, username: str, problems: list[str]) -> tuple[Any, list[str]]:
    """A fresh browser context logged in as ``username`` through the log-in page, brought back to
    /manage/ by its next=; returns the page and the API paths it asked for from then on."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = await context.new_page()
    page.on("pageerror", lambda e: problems.append(f"{username}: {e}"))
    await page.goto(f"{base}/manage/")
    link = page.locator(".manage-login-link")
    await link.wait_for(state="visible")
    assert await link.get_attribute("href") == "/accounts/login/?next=%2Fmanage%2F"
    await link.click()
    await page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    await page.fill("#id-login", username)
    await page.fill("#id-password", PASSWORD)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(httpx.URL(r.url).path) if "/api/" in r.url else None)
    await page.click(".stacked-form button[type=submit]")
    await page.wait_for_url(base + "/manage/")
    return page, asked


async def test_console_edit_preview_save_publish_and_job_queue(
    live_api: str,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
    db_conn: Any,
    settings: Any,
) -> None:
    from playwright.async_api import async_playwright

    assert AXE.is_file(), f"axe-core is not installed ({AXE} is missing): run `npm ci --prefix tests/e2e`"
    root, base = served_site
    await actors.create(
        "editor",
        staff=True,
        permissions=("pages.add_page", "pages.change_page", "pages.delete_page", "jobs.moderate"),
    )
    await actors.create("owner")
    async with httpx.AsyncClient(base_url=live_api) as api:
        admin = actors["root"].headers
        created = await api.post(
            "/api/v3/pages",
            headers=admin,
            json={
                "title": "About the console",
                "path": PAGE_PATH,
                "content": "The old text.",
                "content_markup_type": "markdown",
                "is_published": False,
            },
        )
        assert created.status_code == 201, created.text
        page_id = created.json()["id"]
        for kind, name in (("categories", "Software Developer"), ("types", "Web"), ("types", "Cloud")):
            r = await api.post(f"/api/v3/jobs/{kind}", headers=admin, json={"name": name})
            assert r.status_code == 201, r.text
        job = await api.post("/api/v3/jobs", headers=actors["owner"].headers, json=job_body())
        assert job.status_code == 201, job.text
        job_id = job.json()["id"]
        r = await api.post(f"/api/v3/jobs/{job_id}/submit", headers=actors["owner"].headers)
        assert r.status_code == 200 and r.json()["status"] == "review", r.text
    _build(live_api, root, builder_key, site_url=base)
    assert not (root / "current" / PAGE_PATH.strip("/") / "index.html").exists()  # a draft

    shots = _shots()
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page, _ = await _log_in(browser, base, "editor", problems)
        nav = page.locator(".manage-resources a", has_text="Pages")
        await nav.wait_for(state="visible")
        # Only what the editor's permissions allow: pages, and jobs (moderation).
        assert await page.locator(".manage-resources a").all_inner_texts() == ["Pages", "Jobs"]
        assert await page.locator(".manage-queues a").all_inner_texts() == ["Jobs awaiting review"]
        problems += await _violations(page, "/manage/ (start)")

        # The list, searched.
        await nav.click()
        await page.locator("#id-filter-q").fill("console")
        await page.locator("#id-filter-q").press("Enter")
        row = page.locator(".manage-table a", has_text="About the console")
        await page.wait_for_url("**q=console**")
        # The list is redrawn from the API once searched: wait for the searched one (one row).
        await page.wait_for_function("document.querySelectorAll('.manage-table tbody tr').length === 1")
        await row.wait_for()
        problems += await _violations(page, "/manage/#pages (list)")
        await page.screenshot(path=str(shots / "manage-list.png"), full_page=True)

        # The edit form, built from PageUpdate, with the live preview.
        await row.click()
        content = page.locator("#id-f-content")
        await content.wait_for()
        assert await page.evaluate("document.activeElement.id") == "manage-view-title"
        assert await content.input_value() == "The old text."
        assert await page.locator("label[for=id-f-content]").inner_text() == "Content"
        assert await page.locator("#id-f-content_markup_type").input_value() == "markdown"
        await page.locator(".manage-preview-body", has_text="The old text.").wait_for()
        await content.fill(NEW_TEXT)
        strong = page.locator(".manage-preview-body strong", has_text="console-edited")
        await strong.wait_for()
        preview_html = await page.locator(".manage-preview-body").inner_html()
        problems += await _violations(page, "/manage/#pages/<id> (edit)")
        await page.screenshot(path=str(shots / "manage-edit-preview.png"), full_page=True)

        # Save: If-Match with the ETag of the GET; only the changed field is sent.
        async with page.expect_request(lambda r: r.method == "PATCH") as sent:
            await page.click(".manage-form button[type=submit]")
        request = await sent.value
        assert request.headers.get("if-match", "").startswith(('"', 'W/"'))
        assert request.post_data_json == {"content": NEW_TEXT}
        message = page.locator(".manage-form-message")
        await message.wait_for(state="visible")
        assert (await message.inner_text()).strip() == "Saved."
        assert await page.evaluate("document.activeElement.className") == "manage-form-message"
        stored = await db_conn.fetchrow(
            "SELECT content, content_html, is_published FROM pages WHERE id=$1", page_id
        )
        assert stored["content"] == NEW_TEXT and stored["is_published"] is False
        assert stored["content_html"] == preview_html  # what the preview showed is what is stored

        # A concurrent edit elsewhere: the console's next save is refused with 412, nothing stored.
        async with httpx.AsyncClient(base_url=live_api) as api:
            r = await api.patch(
                f"/api/v3/pages/{page_id}",
                headers=actors["root"].headers,
                json={"title": "Changed elsewhere"},
            )
            assert r.status_code == 200, r.text
        await page.locator("#id-f-description").fill("My description")
        await page.click(".manage-form button[type=submit]")
        alert = page.locator(".manage-view .form-errors")
        await alert.wait_for(state="visible")
        assert "changed by someone else" in await alert.inner_text()
        assert await page.evaluate("document.activeElement.classList.contains('form-errors')")
        assert await db_conn.fetchval("SELECT description FROM pages WHERE id=$1", page_id) == ""
        await page.screenshot(path=str(shots / "manage-conflict.png"), full_page=True)
        await alert.get_by_role("button", name="Reload").click()
        await page.locator("#id-f-title").wait_for()
        await page.wait_for_function("document.querySelector('#id-f-title').value === 'Changed elsewhere'")

        # A 400 from the API shows next to the field, the label named.
        await page.locator("#id-f-path").fill("Not a path!")
        await page.click(".manage-form button[type=submit]")
        field_error = page.locator("#id-f-path-error")
        await field_error.wait_for(state="visible")
        assert (await field_error.inner_text()).startswith("Path: ")
        assert await page.locator("#id-f-path").get_attribute("aria-invalid") == "true"
        await page.locator("#id-f-path").fill(PAGE_PATH.strip("/"))

        # Publish, then the public page is rebuilt with the new text.
        publish = page.locator(".manage-publish")
        assert (await publish.inner_text()).strip() == "Publish"
        await publish.click()
        await page.locator(".manage-form-message", has_text="Published.").wait_for()
        assert (await publish.inner_text()).strip() == "Unpublish"
        assert await db_conn.fetchval("SELECT is_published FROM pages WHERE id=$1", page_id) is True
        _build(live_api, root, builder_key, site_url=base)
        public = await page.request.get(base + PAGE_PATH)
        assert public.status == 200
        assert "<strong>console-edited</strong>" in await public.text()
        await page.goto(base + PAGE_PATH)
        await page.screenshot(path=str(shots / "manage-published-page.png"), full_page=True)

        # The record's audit history (GET /api/v3/changes/history): the editor's save and publish.
        await page.goto(base + f"/manage/#pages/{page_id}/history")
        history = page.locator(".manage-view .manage-table tbody tr")
        await history.first.wait_for()
        rows = await history.all_inner_texts()
        assert sum("editor" in r for r in rows) >= 2, rows
        problems += await _violations(page, "/manage/#pages/<id>/history")

        # The job queue: approve the waiting listing.
        await page.goto(base + "/manage/#queue/jobs")
        item = page.locator(".manage-queue-item", has_text="Senior Python Developer")
        await item.wait_for()
        problems += await _violations(page, "/manage/#queue/jobs")
        await page.screenshot(path=str(shots / "manage-job-queue.png"), full_page=True)
        await item.get_by_role("button", name="Approve").click()
        await item.locator(".manage-queue-outcome", has_text="Approved.").wait_for()
        assert await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", job_id) == "approved"

        # Escape closes the dialog and gives the focus back to its button.
        await page.goto(base + f"/manage/#pages/{page_id}")
        delete = page.get_by_role("button", name="Delete…")
        await delete.click()
        dialog = page.locator(".manage-dialog")
        await dialog.wait_for(state="visible")
        problems += await _violations(page, "/manage/ (delete dialog)")
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="hidden")
        assert await page.evaluate("document.activeElement.textContent") == "Delete…"
        assert await db_conn.fetchval("SELECT count(*) FROM pages WHERE id=$1", page_id) == 1
        await browser.close()
    assert problems == []


async def test_non_staff_sees_nothing_and_every_console_write_is_refused(
    live_api: str,
    builder_key: str,
    actors: Any,
    served_site: tuple[Path, str],
    db_conn: Any,
    settings: Any,
) -> None:
    from playwright.async_api import async_playwright

    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    # A non-staff user holding content permissions is still kept out (the console is for staff).
    await actors.create("helper", permissions=("pages.change_page",))
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for username in ("ordinary", "helper"):
            page, asked = await _log_in(browser, base, username, problems)
            denied = page.locator(".manage-denied")
            await denied.wait_for(state="visible")
            await page.wait_for_load_state("networkidle")
            assert (await denied.inner_text()).strip() == "You do not have access to the console."
            assert await page.locator(".manage-console").is_hidden()
            assert await page.locator(".manage-resources li").count() == 0
            # Nothing else was asked for: no OpenAPI document, no list (the log-in and the account
            # menu's own calls aside).
            console_calls = [
                a
                for a in asked
                if a not in ("/api/v3/auth/login", "/api/v3/users/me", "/api/v3/sponsors/me/sponsorships")
            ]
            assert console_calls == [], console_calls
            problems += await _violations(page, f"/manage/ as {username}")
            await page.screenshot(path=str(_shots() / f"manage-no-access-{username}.png"), full_page=True)
        await browser.close()
    assert problems == []

    # Every write the console's resources can issue, as the non-staff user over HTTP: 403, and
    # nothing stored (every table, the media files, the job queue).
    async with httpx.AsyncClient(base_url=live_api) as api:
        spec = (await api.get("/api/schema/openapi.json")).json()
        login = await api.post(
            "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
        )
        assert login.status_code == 200, login.text
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        await actors.create("staff-owner", staff=True, superuser=True)
        for kind, name in (("categories", "Software Developer"), ("types", "Web"), ("types", "Cloud")):
            r = await api.post(
                f"/api/v3/jobs/{kind}", headers=actors["staff-owner"].headers, json={"name": name}
            )
            assert r.status_code == 201, r.text
        ids = await _one_of_each(api, actors["staff-owner"].headers)
        writes = [
            (method, url)
            for url, ops in spec["paths"].items()
            for method in ops
            if method in ("post", "put", "patch", "delete")
            and url.startswith(CONSOLE_PREFIXES)
            and (method, url) not in OPEN_TO_ANYONE
        ]
        assert len(writes) > 30 and ("post", "/api/v3/markup/render") in writes
        refused: list[str] = []
        async with StateProbe(db_conn, settings) as probe:
            before = await probe.fingerprint()
            for method, url in writes:
                target = re.sub(r"\{([a-z_]+)\}", lambda m: str(ids.get(m.group(1), 1)), url)
                body = dict(BODIES.get(url, {}))
                if url == "/api/v3/previews":
                    body = {"type": "page", "id": ids["page_id"]}
                r = await api.request(method.upper(), target, json=body, headers=csrf)
                if r.status_code != 403:
                    refused.append(f"{method.upper()} {target}: {r.status_code} {r.text[:120]}")
            changed = state_changes(before, await probe.fingerprint())
        assert refused == [], "\n".join(refused)
        assert changed == []


async def _one_of_each(api: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, int | str]:
    """A real record for the path parameters of the sweep, so a refusal is the permission's and
    not a 404 for a missing record."""

    async def make(path: str, body: dict[str, Any]) -> int:
        r = await api.post(path, headers=admin, json=body)
        assert r.status_code == 201, (path, r.text)
        return int(r.json()["id"])

    return {
        "page_id": await make("/api/v3/pages", {"title": "Sweep", "path": "/sweep/"}),
        "release_id": await make("/api/v3/downloads/releases", {"name": "Python 9.9.9"}),
        "box_id": await make("/api/v3/boxes", {"label": "sweep-box"}),
        "banner_id": await make(
            "/api/v3/banners", {"title": "B", "message": "M", "link": "https://www.python.org/"}
        ),
        "sample_id": await make("/api/v3/codesamples", {"code": "print(1)"}),
        "minutes_id": await make("/api/v3/minutes", {"date": "2026-01-02"}),
        "post_id": await make("/api/v3/community/posts", {"content": "Hello"}),
        # Someone else's listing, published (another's draft is a 404 to the user: not visible).
        "job_id": await _approved_job(api, admin, await make("/api/v3/jobs", job_body())),
    }


async def _approved_job(api: httpx.AsyncClient, admin: dict[str, str], job_id: int) -> int:
    for step in ("submit", "approve"):
        r = await api.post(f"/api/v3/jobs/{job_id}/{step}", headers=admin)
        assert r.status_code == 200, r.text
    return job_id
