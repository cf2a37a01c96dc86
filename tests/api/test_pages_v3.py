"""/api/v3/pages/: CRUD with the permission matrix, path rules, sanitized rendering, drafts,
lookups by path, and image/document uploads through the storage interface."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}


async def _ready(request: Any) -> Any:
    return request


async def test_page_matrix_and_sanitizing(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("author", permissions=("pages.add_page", "pages.change_page"))
    await actors.create("remover", permissions=("pages.delete_page",))
    body = {
        "title": "About",
        "path": "/about/",
        "content_markup_type": "html",
        "content": '<p onclick="x()">Hi <a href="javascript:alert(1)">a</a><script>bad()</script></p>',
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "author": 201, "root": 201},
        # the path is unique: the superuser creates its own.
        lambda caller: _ready(
            ("POST", "/api/v3/pages", {**body, "path": "/root-about/"} if caller == "root" else body)
        ),
    )
    page = r["author"].json()
    # Remove the superuser's copy so what follows sees the author's alone.
    root_url = f"/api/v3/pages/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert page["path"] == "about" and page["url"] == "/about/"
    html = page["content_html"]
    assert "<script>" not in html and "onclick" not in html and "javascript:" not in html
    stored = await db_conn.fetchrow("SELECT content, content_html FROM pages WHERE id=$1", page["id"])
    assert stored["content"] == body["content"] and stored["content_html"] == html
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "author": 200, "root": 200},
        (
            "PATCH",
            f"/api/v3/pages/{page['id']}",
            {
                "content": "Title\n=====\n\n.. raw:: html\n\n   <b>x</b>\n\ntext",
                "content_markup_type": "restructuredtext",
            },
        ),
    )
    html = await db_conn.fetchval("SELECT content_html FROM pages WHERE id=$1", page["id"])
    assert "text" in html and "<b>x</b>" not in html  # raw directive dropped

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/pages/{page['id']}", None)
        spare = await client.post(
            "/api/v3/pages", headers=actors["author"].headers, json={"title": "Spare", "path": "/spare/"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/pages/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "author": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM pages") == 0


@pytest.mark.parametrize(
    "path, ok",
    [
        ("path", True),
        ("path/2", True),
        ("yet/another/path/wow", True),
        ("/initial-slash", True),
        ("trailing/slash/", True),
        ("Path", False),
        ("no_underscores", False),
        ("no/special!/chars?", False),
        ("/", False),
    ],
)
async def test_path_rules(client: Any, actors: Any, path: str, ok: bool) -> None:
    r = await client.post("/api/v3/pages", headers=actors["root"].headers, json={"title": "T", "path": path})
    assert r.status_code == (201 if ok else 400), (path, r.text)
    if ok:
        assert r.json()["path"] == path.strip("/")


async def test_drafts_and_by_path(client: Any, actors: Any) -> None:
    root = actors["root"].headers
    r = await client.post(
        "/api/v3/pages",
        headers=root,
        json={
            "title": "Draft",
            "path": "psf/draft",
            "is_published": False,
            "content": "*x*",
            "content_markup_type": "markdown",
        },
    )
    pid = r.json()["id"]
    assert (await client.get(f"/api/v3/pages/{pid}")).status_code == 404
    assert (await client.get("/api/v3/pages/by-path?path=/psf/draft/")).status_code == 404
    r = await client.get("/api/v3/pages/by-path?path=/psf/draft/", headers=actors["staffer"].headers)
    assert r.status_code == 200 and r.json()["content_html"] == "<p><em>x</em></p>"
    r = await client.post("/api/v3/pages", headers=root, json={"title": "Dup", "path": "psf/draft"})
    assert r.status_code == 409


PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


async def test_attachments(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("author", permissions=("pages.add_page", "pages.change_page"))
    author = actors["author"].headers
    pid = (
        await client.post("/api/v3/pages", headers=author, json={"title": "Logos", "path": "community/logos"})
    ).json()["id"]
    files = {"file": ("../../etc/passwd logo.png", PNG, "image/png")}
    r = await client.post(
        f"/api/v3/pages/{pid}/attachments",
        headers=actors["ordinary"].headers,
        files=files,
        data={"kind": "image"},
    )
    assert r.status_code == 403
    r = await client.post(
        f"/api/v3/pages/{pid}/attachments", headers=author, files=files, data={"kind": "image"}
    )
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["name"].startswith("community/logos/") and ".." not in att["name"]
    stored = settings.media_dir / att["name"]
    assert stored.read_bytes() == PNG
    assert await db_conn.fetchval("SELECT image FROM page_images WHERE id=$1", att["id"]) == att["name"]
    r = await client.post(
        f"/api/v3/pages/{pid}/attachments",
        headers=author,
        files={"file": ("evil.exe", b"MZ", "application/octet-stream")},
        data={"kind": "image"},
    )
    assert r.status_code == 400
    r = await client.post(  # the right name, but not the bytes of a PNG
        f"/api/v3/pages/{pid}/attachments",
        headers=author,
        files={"file": ("fake.png", b"<script>alert(1)</script>", "image/png")},
        data={"kind": "image"},
    )
    assert r.status_code == 400 and "not a valid png image" in r.text
    listing = (await client.get(f"/api/v3/pages/{pid}/attachments")).json()
    assert [a["url"] for a in listing] == ["/media/" + att["name"]]
    r = await client.delete(f"/api/v3/pages/{pid}/attachments/image/{att['id']}", headers=author)
    assert r.status_code == 204
    assert not stored.exists()
    assert await db_conn.fetchval("SELECT count(*) FROM page_images") == 0
