"""``POST /api/v3/markup/render`` (issue 20): the console's live preview renders with the API's own
``core/markup.render``, so the preview is byte for byte what a save stores as ``*_html``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import PASSWORD, check_permission_matrix

URL = "/api/v3/markup/render"


async def test_renders_each_type_and_sanitizes(client: Any, actors: Any) -> None:
    staff = actors["staffer"].headers
    cases = {
        "markdown": ("# Hi\n\n*there*", "<em>there</em>"),
        "restructuredtext": ("Title\n=====\n\n**bold**", "<strong>bold</strong>"),
        "html": ("<p>ok</p>", "<p>ok</p>"),
        "text": ("a < b\nc", "<p>a &lt; b<br>c</p>"),
        "plain": ("x & y", "<p>x &amp; y</p>"),
        "markdown_unsafe": ("<b>raw</b>", "<b>raw</b>"),
    }
    for kind, (source, expected) in cases.items():
        r = await client.post(URL, headers=staff, json={"markup_type": kind, "content": source})
        assert r.status_code == 200, (kind, r.text)
        assert expected in r.json()["html"], (kind, r.json())
    hostile = '<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:alert(2)">l</a>'
    for kind in ("html", "markdown", "markdown_unsafe"):
        r = await client.post(URL, headers=staff, json={"markup_type": kind, "content": hostile})
        assert r.status_code == 200
        html = r.json()["html"]
        assert "<script" not in html and "alert(1)" not in html, html
        assert "onclick" not in html and "javascript:" not in html, html
        assert "hi" in html
    # rST's raw directive stays off, as when a page is saved.
    raw = ".. raw:: html\n\n   <script>alert(3)</script>\n"
    r = await client.post(URL, headers=staff, json={"markup_type": "restructuredtext", "content": raw})
    assert r.status_code == 200 and "<script" not in r.json()["html"]
    r = await client.post(URL, headers=staff, json={"markup_type": "markdown", "content": ""})
    assert r.json() == {"html": ""}


async def test_preview_matches_what_a_save_stores(client: Any, actors: Any) -> None:
    root = actors["root"].headers
    content = "Intro\n-----\n\nSome *text* with `code` and <i>tags</i>.\n"
    created = await client.post(
        "/api/v3/pages",
        headers=root,
        json={"title": "T", "path": "/preview-match/", "content": content, "content_markup_type": "markdown"},
    )
    assert created.status_code == 201, created.text
    r = await client.post(URL, headers=root, json={"markup_type": "markdown", "content": content})
    assert r.json()["html"] == created.json()["content_html"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"markup_type": "wiki", "content": "x"}, "markup_type"),
        ({"markup_type": "markdown"}, "content"),
        ({"content": "x"}, "markup_type"),
        ({"markup_type": "markdown", "content": 5}, "content"),
        ({"markup_type": "markdown", "content": "x", "extra": 1}, "extra"),
        ({"markup_type": "markdown", "content": "é" * (100 * 1024 + 1)}, "content"),  # > 200 KB in UTF-8
        ({"markup_type": "markdown", "content": "x" * (200 * 1024 + 1)}, "content"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(
    client: Any, actors: Any, body: dict[str, Any], field: str
) -> None:
    r = await client.post(URL, headers=actors["staffer"].headers, json=body)
    assert r.status_code == 400, r.text
    assert field in r.text


async def test_exactly_200_kb_is_accepted(client: Any, actors: Any) -> None:
    body = {"markup_type": "text", "content": "x" * (200 * 1024)}
    r = await client.post(URL, headers=actors["staffer"].headers, json=body)
    assert r.status_code == 200 and len(r.json()["html"]) > 200 * 1024


async def test_permission_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("page_editor", permissions=("pages.change_page",))
    await actors.create("banner_adder", permissions=("banners.add_banner",))
    await actors.create("remover", permissions=("pages.delete_page",))
    await actors.create("moderator", permissions=("jobs.moderate",))
    await actors.create("former_staff", staff=True, active=False)

    def rendered(name: str, response: Any) -> None:
        assert response.json() == {"html": "<p><strong>b</strong></p>"}, name

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            "anonymous": 401,
            "ordinary": 403,
            "remover": 403,
            "moderator": 403,
            "former_staff": 401,
            "staffer": 200,
            "root": 200,
            "page_editor": 200,
            "banner_adder": 200,
        },
        ("POST", URL, {"markup_type": "markdown", "content": "**b**"}),
        changed=rendered,
    )


async def test_cookie_session_needs_the_csrf_header(client: Any, actors: Any) -> None:
    """The console calls it with the browser's session cookie: a POST without the CSRF header is
    refused, with it the preview is rendered."""
    r = await client.post(
        "/api/v3/auth/login", json={"login": "staffer", "password": PASSWORD, "session": "cookie"}
    )
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    body = {"markup_type": "markdown", "content": "*x*"}
    try:
        refused = await client.post(URL, json=body)
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
        ok = await client.post(URL, json=body, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200 and ok.json() == {"html": "<p><em>x</em></p>"}
    finally:
        client.cookies.clear()
