"""/api/v3/banners/ and /api/v3/codesamples/: permission matrices, drafts hidden from the public,
safe banner links, sanitized samples, a defined order, and the Django import."""

from __future__ import annotations

from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}


async def test_banner_matrix_visibility_and_order(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("banners.add_banner", "banners.change_banner"))
    await actors.create("remover", permissions=("banners.delete_banner",))
    body = {"title": "Donate", "message": "Support Python!", "link": "https://donate.python.org/"}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        ("POST", "/api/v3/banners", body),
    )
    # The superuser's banner is stored too; drop it so the rest sees only the editor's.
    assert await db_conn.execute("DELETE FROM banners WHERE id=$1", r["root"].json()["id"]) == "DELETE 1"
    banner = r["editor"].json()
    assert banner["active"] is False and banner["psf_pages_only"] is True
    stored = await db_conn.fetchrow(
        "SELECT title, message, link, active FROM banners WHERE id=$1", banner["id"]
    )
    assert dict(stored) == {**body, "active": False}
    # Inactive banners are drafts: invisible to the public, visible to editors.
    assert (await client.get("/api/v3/banners")).json()["data"] == []
    assert (await client.get(f"/api/v3/banners/{banner['id']}")).status_code == 404
    editor = actors["editor"].headers
    assert len((await client.get("/api/v3/banners", headers=editor)).json()["data"]) == 1
    for link in ("javascript:alert(1)", "data:text/html,x", "relative/path"):
        bad = await client.post("/api/v3/banners", headers=editor, json={**body, "link": link})
        assert bad.status_code == 400 and "link" in bad.text, link
    assert await db_conn.fetchval("SELECT count(*) FROM banners") == 1
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        (
            "PATCH",
            f"/api/v3/banners/{banner['id']}",
            {"active": True, "psf_pages_only": False, "sort_order": 5},
        ),
    )
    second = await client.post(
        "/api/v3/banners", headers=editor, json={**body, "title": "First", "active": True, "sort_order": 1}
    )
    assert second.status_code == 201
    public = (await client.get("/api/v3/banners")).json()["data"]
    assert [b["title"] for b in public] == ["First", "Donate"]  # sort_order, then id

    async def banner_target(caller: str) -> tuple[str, str, None]:
        if caller != "root":
            return ("DELETE", f"/api/v3/banners/{banner['id']}", None)
        fresh = await client.post("/api/v3/banners", headers=editor, json={**body, "title": "Spare"})
        assert fresh.status_code == 201
        return ("DELETE", f"/api/v3/banners/{fresh.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        banner_target,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM banners") == 1


async def test_codesample_matrix_drafts_and_sanitizing(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("codesamples.add_codesample", "codesamples.change_codesample"))
    await actors.create("remover", permissions=("codesamples.delete_codesample",))
    body = {
        "code": '<pre><code><span class="comment"># Python 3</span>\n&gt;&gt;&gt; 1 + 1</code></pre><script>x()</script>',
        "copy": "<h1>Simple math</h1><p onclick='y()'>Try it.</p>",
        "is_published": False,
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        ("POST", "/api/v3/codesamples", body),
    )
    # The superuser's sample is stored too; drop it so the rest sees only the editor's.
    deleted = await db_conn.execute("DELETE FROM code_samples WHERE id=$1", r["root"].json()["id"])
    assert deleted == "DELETE 1"
    sample = r["editor"].json()
    stored = await db_conn.fetchrow(
        "SELECT code, code_html, copy_html FROM code_samples WHERE id=$1", sample["id"]
    )
    assert stored["code"] == body["code"]
    assert (
        '<span class="comment"># Python 3</span>' in stored["code_html"]
        and "<script>" not in stored["code_html"]
    )
    assert "onclick" not in stored["copy_html"] and "Try it." in stored["copy_html"]
    assert (await client.get("/api/v3/codesamples")).json()["meta"]["total"] == 0  # a draft
    assert (await client.get(f"/api/v3/codesamples/{sample['id']}")).status_code == 404
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        (
            "PATCH",
            f"/api/v3/codesamples/{sample['id']}",
            {"is_published": True, "copy": "*Easy*", "copy_markup_type": "markdown"},
        ),
    )
    public = (await client.get("/api/v3/codesamples")).json()["data"]
    assert [s["id"] for s in public] == [sample["id"]] and public[0]["copy_html"] == "<p><em>Easy</em></p>"
    bad = await client.patch(
        f"/api/v3/codesamples/{sample['id']}",
        headers=actors["editor"].headers,
        json={"code_markup_type": "php"},
    )
    assert bad.status_code == 400 and "code_markup_type" in bad.text

    async def sample_target(caller: str) -> tuple[str, str, None]:
        if caller != "root":
            return ("DELETE", f"/api/v3/codesamples/{sample['id']}", None)
        fresh = await client.post("/api/v3/codesamples", headers=actors["editor"].headers, json=body)
        assert fresh.status_code == 201
        return ("DELETE", f"/api/v3/codesamples/{fresh.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        sample_target,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM code_samples") == 0


async def test_django_import(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    objects = [
        {
            "model": "banners.banner",
            "pk": 3,
            "fields": {
                "title": "Vote",
                "message": "Elections",
                "link": "/psf/",
                "active": True,
                "psf_pages_only": True,
            },
        },
        {
            "model": "banners.banner",
            "pk": 4,
            "fields": {"title": "Bad", "message": "x", "link": "javascript:x()", "active": True},
        },
        {
            "model": "codesamples.codesample",
            "pk": 7,
            "fields": {
                "code": "<pre><code>print('hi')</code></pre>",
                "code_markup_type": "html",
                "copy": "Output",
                "copy_markup_type": "plain",
                "is_published": True,
                "created": "2014-02-01T12:00:00Z",
                "updated": "2014-02-01T12:00:00Z",
                "creator": None,
                "last_modified_by": None,
            },
        },
    ]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert [(f.label, f.pk) for f in report.failures] == [("banners.banner", 4)]
    assert await db_conn.fetchval("SELECT title FROM banners WHERE id=3") == "Vote"
    assert await db_conn.fetchval("SELECT copy_html FROM code_samples WHERE id=7") == "<p>Output</p>"
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects)
    assert sum(again.written.values()) == 0
