"""Users on the built site: ``/users/<username>/`` for searchable accounts only (escaped name,
sanitized bio, e-mail per ``email_privacy``), ``/users/edit/``, and the incremental build: a
profile edit re-renders and purges only that page; a privacy change, a new username or a
deleted account deletes and purges it; a membership flips "PSF Basic Member?"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import _build, _tree, builder_key, live_api  # noqa: F401  (fixtures)

MEMBERSHIP = {
    "legal_name": "Ada Lovelace",
    "preferred_name": "Ada",
    "email_address": "ada@example.org",
    "city": "London",
    "region": "Greater London",
    "country": "UK",
    "postal_code": "W1",
    "psf_code_of_conduct": True,
}


def _report(out: Path) -> dict[str, Any]:
    return json.loads((out / "_state/last-build.json").read_text())


async def _patch_me(api: str, caller: Any, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api, headers=caller.headers) as client:
        r = await client.patch("/api/v3/users/me", json=body)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


async def test_profiles_built_for_searchable_users_and_rebuilt_one_by_one(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    db_conn: Any,
    tmp_path: Path,
) -> None:
    ada = await actors.create("ada")
    await _patch_me(
        live_api,
        ada,
        {
            "first_name": "Ada",
            "last_name": "<Lovelace>",
            "bio": "*Analytical* engine <script>alert(1)</script>",
            "email_privacy": 0,
        },
    )
    members_only = await actors.create("grace")
    await _patch_me(live_api, members_only, {"first_name": "Grace", "email_privacy": 1})
    hidden = await actors.create("hidden")
    await _patch_me(live_api, hidden, {"first_name": "Secret", "search_visibility": 0})
    private = await actors.create("private")
    await _patch_me(live_api, private, {"public_profile": False})
    edit = await actors.create("edit")  # python.org's /users/edit/ wins over a user named "edit"
    await _patch_me(live_api, edit, {"first_name": "Shadowed", "email_privacy": 0})

    # Django's username rule allows a name that is no safe path: skipped and reported.
    dots = await actors.create("dots")
    await db_conn.execute("UPDATE users SET username='..' WHERE id=$1", dots.user_id)

    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    skipped = _report(out)["skipped"]
    assert [(s["domain"], s["kind"], s["id"]) for s in skipped] == [("users", "user", str(dots.user_id))]
    page = (site / "users/ada/index.html").read_text()
    assert '<h1 class="page-title">Ada &lt;Lovelace&gt;</h1>' in page
    assert "<em>Analytical</em> engine" in page
    assert "<script>alert" not in page and "alert(1)" not in page.replace("&lt;script&gt;alert(1)", "")
    assert '<a href="mailto:ada@example.org">ada@example.org</a>' in page
    assert "PSF Basic Member?</dt>\n    <dd>No" in page
    assert 'data-username="ada"' in page and "theme/js/users.js" in page

    grace = (site / "users/grace/index.html").read_text()
    assert "Grace" in grace and "data-email-for-logged-in" in grace
    assert "grace@example.org" not in grace
    assert "data-email-for-logged-in" not in page
    for name in ("hidden", "private"):
        assert not (site / f"users/{name}").exists()
    everything = "".join(p.read_text(errors="replace") for p in site.rglob("*.html"))
    assert "Secret" not in everything and "hidden@example.org" not in everything
    assert "Shadowed" not in everything and "edit@example.org" not in everything

    edit_page = (site / "users/edit/index.html").read_text()
    assert 'data-app="user-edit"' in edit_page and 'name="email_privacy"' in edit_page
    assert '<meta name="robots" content="noindex">' in edit_page
    sitemap = (site / "sitemap.xml").read_text()
    assert "/users/ada/</loc>" in sitemap and "/users/grace/</loc>" in sitemap
    assert "/users/edit/" not in sitemap and "/users/hidden/" not in sitemap

    # A profile edit: that page alone is re-rendered and purged.
    await _patch_me(live_api, ada, {"first_name": "Augusta"})
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("incremental build: 1 written,"), summary
    report = _report(out)
    assert report["published"] == ["users/ada/index.html"]
    assert report["purged_urls"] == ["/users/ada/"]
    assert "Augusta &lt;Lovelace&gt;" in (site / "users/ada/index.html").read_text()

    # Hiding the address re-renders the page without it.
    await _patch_me(live_api, ada, {"email_privacy": 2})
    _build(live_api, out, builder_key)
    assert _report(out)["published"] == ["users/ada/index.html"]
    assert "ada@example.org" not in (site / "users/ada/index.html").read_text()

    # Made non-searchable: the page is deleted and purged (and leaves the sitemap).
    await _patch_me(live_api, members_only, {"search_visibility": 0})
    _build(live_api, out, builder_key)
    report = _report(out)
    assert report["deleted_files"] == ["users/grace/index.html"]
    assert report["published"] == ["sitemap.xml"]
    assert report["purged_urls"] == ["/sitemap.xml", "/users/grace/"]
    assert not (site / "users/grace/index.html").exists()

    # Searchable again: built again.
    await _patch_me(live_api, members_only, {"search_visibility": 1})
    _build(live_api, out, builder_key)
    assert (site / "users/grace/index.html").exists()

    # A membership answers "PSF Basic Member?" on that profile only.
    async with httpx.AsyncClient(base_url=live_api, headers=ada.headers) as client:
        r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP)
        assert r.status_code == 201, r.text
    _build(live_api, out, builder_key)
    assert _report(out)["published"] == ["users/ada/index.html"]
    assert "PSF Basic Member?</dt>\n    <dd>Yes" in (site / "users/ada/index.html").read_text()

    # A new username moves the page.
    await _patch_me(live_api, ada, {"username": "augusta"})
    _build(live_api, out, builder_key)
    report = _report(out)
    assert report["deleted_files"] == ["users/ada/index.html"]
    assert report["published"] == ["sitemap.xml", "users/augusta/index.html"]
    assert {"/users/ada/", "/users/augusta/"} <= set(report["purged_urls"])

    # A deleted account: its page goes, the others stay.
    async with httpx.AsyncClient(base_url=live_api, headers=ada.headers) as client:
        assert (await client.delete("/api/v3/users/me")).status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id=$1", ada.user_id) == 0
    _build(live_api, out, builder_key)
    report = _report(out)
    assert report["deleted_files"] == ["users/augusta/index.html"]
    assert "/users/augusta/" in report["purged_urls"]
    assert (site / "users/grace/index.html").exists()

    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)
