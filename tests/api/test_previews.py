"""Draft previews over HTTP (docs/previews.md): who may ask for one, what is stored (the token's
hash, the draft as the public read of the published record), who may read the draft, and how the
page is served. The rendering itself (the builder) is in tests/site/test_preview.py."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from pydotorg.core.db import transaction, utcnow
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.pages import services as pages
from pydotorg.domains.previews.models import Preview
from pydotorg.domains.previews.tasks import cleanup
from pydotorg.domains.users.models import UserPermission
from pydotorg.domains.users.services import create_api_key
from sitebuilder.headers import CONTENT_SECURITY_POLICY
from tests.helpers import check_permission_matrix


async def _records(sessionmaker: Any) -> tuple[int, int]:
    async with transaction(sessionmaker) as s:
        page = await pages.save_page(
            s, {"title": "Draft", "path": "about/draft", "content": "Draft text", "is_published": False}
        )
        release = await downloads.save_release(
            s, {"name": "Python 3.99.0", "version": 3, "is_published": True, "content": "Old notes"}
        )
    return page.id, release.id


async def _site_key(actors: Any, sessionmaker: Any) -> dict[str, str]:
    builder = await actors.create("site-builder")
    async with transaction(sessionmaker) as s:
        s.add(UserPermission(user_id=builder.user_id, permission="site.read_changes"))
        _, key = await create_api_key(s, builder.user_id, "builder")
    return {"Authorization": f"Bearer {key}"}


async def _row(sessionmaker: Any, token: str) -> Preview:
    from sqlalchemy import select

    async with transaction(sessionmaker) as s:
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = await s.scalar(select(Preview).where(Preview.token_hash == digest))
        assert row is not None
        return row


async def test_who_may_ask_for_a_preview(client: Any, actors: Any, sessionmaker: Any, db_conn: Any) -> None:
    """Whoever may change the record (its domain's permission), nobody else; a refusal stores nothing."""
    page_id, release_id = await _records(sessionmaker)
    releaser = await actors.create("releaser", permissions=("downloads.change_release",))
    await actors.create("page_editor", permissions=("pages.change_page",))
    await actors.create("former_editor", staff=True, active=False, permissions=("pages.change_page",))

    def pending(name: str, response: Any) -> None:
        body = response.json()
        assert (body["type"], body["id"], body["status"]) == ("page", page_id, "pending"), name

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            "anonymous": 401,
            "former_editor": 401,
            "ordinary": 403,
            "staffer": 403,  # staff without pages.change_page
            "releaser": 403,  # another kind's permission
            "page_editor": 201,
            "root": 201,
        },
        ("POST", "/api/v3/previews", {"type": "page", "id": page_id}),
        changed=pending,
    )
    r = await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=releaser.headers)
    assert r.status_code == 403 and "pages.change_page" in r.json()["detail"]
    r = await client.post(
        "/api/v3/previews", json={"type": "release", "id": release_id}, headers=releaser.headers
    )
    assert r.status_code == 201, r.text
    async with transaction(sessionmaker) as s:
        from sqlalchemy import func, select

        assert await s.scalar(select(func.count()).select_from(Preview)) == 3


async def test_a_preview_stores_the_draft_as_published_and_only_the_token_hash(
    client: Any, actors: Any, sessionmaker: Any
) -> None:
    page_id, release_id = await _records(sessionmaker)
    editor = await actors.create("editor", permissions=("pages.change_page", "downloads.change_release"))
    r = await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    token = created["token"]
    assert len(token) >= 43 and created["status"] == "pending" and created["type"] == "page"
    assert created["url"] == f"https://www.python.org/api/v3/previews/{token}"
    row = await _row(sessionmaker, token)
    assert row.user_id == editor.user_id and row.record_id == page_id
    assert token not in repr(row.source) and row.token_hash != token
    assert row.source["record"]["is_published"] is True
    assert row.source["record"]["content_html"].strip() == "<p>Draft text</p>"
    assert timedelta(minutes=59) < row.expires_at - row.created <= timedelta(hours=1)

    # An unsaved edit of a published release: previewed, never stored nor in the change feed.
    before = (await client.get("/api/v3/changes?after=0", headers=actors["root"].headers)).json()["meta"]
    r = await client.post(
        "/api/v3/previews",
        json={"type": "release", "id": release_id, "changes": {"content": "New *notes*"}},
        headers=editor.headers,
    )
    assert r.status_code == 201, r.text
    row = await _row(sessionmaker, r.json()["token"])
    assert "<em>notes</em>" in row.source["record"]["content_html"]
    assert (
        row.source["views"]["release_detail"]["release"]["content_html"]
        == row.source["record"]["content_html"]
    )
    stored = (await client.get(f"/api/v3/downloads/releases/{release_id}")).json()
    assert stored["content"] == "Old notes"
    after = (await client.get("/api/v3/changes?after=0", headers=actors["root"].headers)).json()["meta"]
    assert after["latest"] == before["latest"]

    r = await client.post(
        "/api/v3/previews",
        json={"type": "release", "id": release_id, "changes": {"name": ""}},
        headers=editor.headers,
    )
    assert r.status_code == 400 and "name" in r.text
    r = await client.post(
        "/api/v3/previews",
        json={"type": "release", "id": release_id, "changes": {"no_such_field": 1}},
        headers=editor.headers,
    )
    assert r.status_code == 400 and "changes" in r.json()["extra"]


async def test_only_the_site_key_reads_the_draft(client: Any, actors: Any, sessionmaker: Any) -> None:
    page_id, _ = await _records(sessionmaker)
    editor = await actors.create("editor", permissions=("pages.change_page",))
    token = (
        await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers)
    ).json()["token"]
    row = await _row(sessionmaker, token)
    path = f"/api/v3/previews/source/{row.id}"
    assert (await client.get(path)).status_code == 401
    for headers in (editor.headers, actors["ordinary"].headers, actors["staffer"].headers):
        assert (await client.get(path, headers=headers)).status_code == 403
    r = await client.get(path, headers=await _site_key(actors, sessionmaker))
    assert r.status_code == 200
    assert r.json()["record"]["content"] == "Draft text" and r.json()["type"] == "page"


async def test_the_page_is_private_and_expires(
    client: Any, actors: Any, sessionmaker: Any, db_conn: Any
) -> None:
    page_id, _ = await _records(sessionmaker)
    editor = await actors.create("editor", permissions=("pages.change_page",))
    token = (
        await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers)
    ).json()["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    await db_conn.execute(
        "UPDATE previews SET status = 'ready', html = '<html><body>Rendered</body></html>' WHERE token_hash = $1",
        digest,
    )
    r = await client.get(f"/api/v3/previews/{token}")  # the URL itself is the credential
    assert r.status_code == 200 and r.text == "<html><body>Rendered</body></html>"
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store, private"
    assert r.headers["x-robots-tag"] == "noindex, nofollow"
    # The private URL never leaves in a Referer (the page also says so in <meta name="referrer">).
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    status = (await client.get(f"/api/v3/previews/{token}/status")).json()
    assert status["status"] == "ready" and status["id"] == page_id
    for unknown in ("x" * 43, "0" * 101):  # any length: a browser gets an HTML page, not JSON
        r = await client.get("/api/v3/previews/" + unknown)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), unknown
        assert "does not exist or has expired" in r.text and r.headers["cache-control"] == "no-store, private"

    await db_conn.execute(
        "UPDATE previews SET expires_at = $1 WHERE token_hash = $2", utcnow() - timedelta(seconds=1), digest
    )
    assert (await client.get(f"/api/v3/previews/{token}")).status_code == 404
    assert (await client.get(f"/api/v3/previews/{token}/status")).status_code == 404
    assert await cleanup({"sessionmaker": sessionmaker}) == 1
    assert await db_conn.fetchval("SELECT count(*) FROM previews") == 0


async def test_pending_and_failed_pages(client: Any, actors: Any, sessionmaker: Any, db_conn: Any) -> None:
    page_id, _ = await _records(sessionmaker)
    editor = await actors.create("editor", permissions=("pages.change_page",))
    token = (
        await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers)
    ).json()["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    await db_conn.execute("UPDATE previews SET status = 'pending' WHERE token_hash = $1", digest)
    r = await client.get(f"/api/v3/previews/{token}")
    assert r.status_code == 202 and "being rendered" in r.text
    assert r.headers["cache-control"] == "no-store, private"
    await db_conn.execute(
        "UPDATE previews SET status = 'failed', error = 'boom' WHERE token_hash = $1", digest
    )
    assert (await client.get(f"/api/v3/previews/{token}")).status_code == 409
    assert (await client.get(f"/api/v3/previews/{token}/status")).json()["error"] == "boom"


async def test_creation_is_rate_limited_per_user(client: Any, actors: Any, sessionmaker: Any) -> None:
    page_id, _ = await _records(sessionmaker)
    editor = await actors.create("editor", permissions=("pages.change_page",))
    limit = int(client.app.state.settings.rate_limit_preview.split("/")[0])
    for _ in range(limit):
        r = await client.post(
            "/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers
        )
        assert r.status_code == 201
    r = await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=editor.headers)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    other = await actors.create("other-editor", permissions=("pages.change_page",))
    r = await client.post("/api/v3/previews", json={"type": "page", "id": page_id}, headers=other.headers)
    assert r.status_code == 201
