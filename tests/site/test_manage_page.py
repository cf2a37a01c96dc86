"""``/manage/``, the editors' console (issue 20; sitebuilder/sections/manage.py): one static shell,
the same bytes for everyone, never indexed. Everything a user sees in it comes from the API at run
time (tests/e2e/test_manage_console.py drives it in Chromium); here the built file itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.site.test_build import _build, builder_key, live_api  # noqa: F401  (fixtures)

PAGE = "manage/index.html"


async def test_console_page_is_a_noindex_shell_without_user_data(
    live_api: str,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    tmp_path: Path,
) -> None:
    # People and a draft the console would show a staff member: none of it may be in the file.
    await actors.create("console-editor-zq", staff=True, permissions=("pages.change_page", "pages.add_page"))
    import httpx

    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        draft = await api.post(
            "/api/v3/pages",
            json={
                "title": "Secret draft zq",
                "path": "/secret-draft-zq/",
                "content": "draft body zq",
                "is_published": False,
            },
        )
        assert draft.status_code == 201, draft.text
    out = tmp_path / "site"
    _build(live_api, out, builder_key)
    site = out / "current"
    html = (site / PAGE).read_text()

    # Never indexed: the robots meta, and not in the sitemap (nor is the draft, unpublished).
    assert re.search(r'<meta name="robots" content="noindex">', html)
    sitemap = (site / "sitemap.xml").read_text()
    assert "/manage/" not in sitemap and "secret-draft" not in sitemap
    assert "<loc>" in sitemap  # a real sitemap, with the other pages in it
    # The console's shell: its script, the app hook, the gate's messages and a log-in link that
    # comes back here.
    assert '<script src="https://www.python.org/theme/js/manage.js" defer></script>' in html
    assert 'data-app="manage"' in html
    assert 'href="/accounts/login/?next=/manage/"' in html
    assert "You do not have access to the console." in html
    assert 'class="manage-console" hidden' in html
    assert (site / "theme/js/manage.js").is_file()
    # No user's data and no record: names, e-mail addresses, the draft.
    for secret in ("console-editor-zq", "@example.org", "staffer", "Secret draft", "draft body", "zq"):
        assert secret not in html, secret
    assert "pages.change_page" not in html


async def test_console_page_is_the_same_whoever_exists(
    live_api: str,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    tmp_path: Path,
) -> None:
    """The file depends on no record: adding staff members and permissions changes nothing in it."""
    first = tmp_path / "one"
    _build(live_api, first, builder_key)
    before = (first / "current" / PAGE).read_bytes()
    await actors.create("another-editor", staff=True, superuser=True)
    second = tmp_path / "two"
    _build(live_api, second, builder_key)
    assert (second / "current" / PAGE).read_bytes() == before
