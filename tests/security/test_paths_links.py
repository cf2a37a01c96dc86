"""Paths, slugs and links that would break the build or send a visitor elsewhere are refused at
the API (issue 12, items 3 and 8), by the one rule in ``pydotorg.core.urls``; uploads are never
active content on the site's origin; the raw video embed stays out of public JSON.

Every hostile value goes through the real app over HTTP, must answer 400 naming the field, and
must leave every table as it was; the good values next to them are still accepted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydotorg.core import urls
from pydotorg.core.storage import INLINE_MEDIA_EXTENSIONS, MEDIA_CSP, S3Storage, media_headers
from sitebuilder import serve
from tests.helpers import db_fingerprint, media_fingerprint
from tests.s3server import ACCESS_KEY, SECRET_KEY, running_s3

# --- the tables of hostile values ---------------------------------------------------------------

HOSTILE_PATHS = [
    "..",
    ".",
    "/../",
    "/.git/config",
    "/a/../b/",
    "/a/./b/",
    "/%2e%2e/x/",
    "/a%2fb/",
    "/a\x00b/",
    "/" + "a" * 150 + "/",  # a segment longer than MAX_SEGMENT
    "/" + "a" * 300 + "/",
    "/.hidden/",
    "/.well-known/x/",
    "/x/.htaccess",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil",
    "/a\\b/",
    "/theme/css/",
    "/media/x/",
    "/robots.txt/x/",
    "/sitemap.xml/",
]

HOSTILE_LINKS = [
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil",
    "\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " https://x.example/",
    "https://",
    "https:///evil.example",
    "https://python.org\\@evil.example/",
    "https://www.python.org@evil.example/",
    "https://evil.example/a b",
    "https://evil.example/\n",
    "https://evil.example:99999/",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]

HOSTILE_SLUGS = ["..", ".", "a/b", "a b", "%2e%2e", "a.b", "a" * 201, "a\x00b", "abc\n"]


def names_field(body: Any, field: str) -> bool:
    """Whether a 400 body names ``field``: the services' ``{"extra": {field: [...]}}`` or
    Litestar's decoding errors ``{"extra": [{"key": field, ...}]}``."""
    extra = body.get("extra") if isinstance(body, dict) else None
    if isinstance(extra, dict):
        return field in extra
    if isinstance(extra, list):  # {"key": field} or, from the NUL check, {"message": "field: ..."}
        return any(
            isinstance(e, dict)
            and (e.get("key") == field or str(e.get("message", "")).startswith(f"{field}:"))
            for e in extra
        )
    return False


async def refused(
    client: Any, db_conn: Any, method: str, url: str, headers: Any, body: Any, field: str
) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.request(method, url, headers=headers, json=body)
    assert r.status_code == 400, (field, body, r.status_code, r.text)
    assert names_field(r.json(), field), (field, r.json())
    assert await db_fingerprint(db_conn) == before, (field, body)


# --- the rules themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_PATHS)
def test_public_path_rule_refuses(value: str) -> None:
    assert urls.public_path_errors(value)


@pytest.mark.parametrize(
    "value",
    ["/", "/about/", "/about/psf/", "/download/releases/2.7.18/", "/~guido/", "/doc/old.html",
     "/a-b_c~d/(x)/"],
)  # fmt: skip
def test_public_path_rule_accepts(value: str) -> None:
    assert urls.public_path_errors(value) == []


@pytest.mark.parametrize("value", [*HOSTILE_LINKS, "mailto:psf@python.org", "#top", "comingsoon"])
def test_link_rule_refuses(value: str) -> None:
    assert urls.link_errors(value)


@pytest.mark.parametrize("value", HOSTILE_LINKS)
def test_link_rule_refuses_even_with_every_extra_allowed(value: str) -> None:
    assert urls.link_errors(value, mailto=True, fragment=True, relative=True)


@pytest.mark.parametrize(
    "value",
    ["/", "/about/", "/jobs/?page=2#top", "https://www.python.org/", "http://example.org:8080/a?b=c#d",
     "https://[2001:db8::1]/x", "https://docs.python.org/3/library/urllib.parse.html#url-parsing"],
)  # fmt: skip
def test_link_rule_accepts(value: str) -> None:
    assert urls.link_errors(value) == []


def test_link_rule_extras_only_where_asked() -> None:
    for value in ("mailto:psf@python.org", "#top", "comingsoon"):
        assert urls.link_errors(value, mailto=True, fragment=True, relative=True) == []
    assert urls.link_errors("mailto:x@y.org/evil", mailto=True)
    assert urls.link_errors("evil.example:80/x", relative=True)
    assert urls.http_url_errors("/about/")  # absolute-only fields refuse site paths


def test_the_msgspec_patterns_agree_with_the_functions() -> None:
    import re

    http, link = re.compile(urls.HTTP_URL_PATTERN), re.compile(urls.LINK_PATTERN)
    for value in HOSTILE_LINKS:
        assert not http.match(value) and not link.match(value), value
    assert http.match("https://x.example:65535/") and not http.match("https://x.example:65536/")
    assert http.match("https://www.python.org/") and link.match("/about/")


# --- pages and redirects (v3) -------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_PATHS)
async def test_page_path_refused(client: Any, actors: Any, db_conn: Any, value: str) -> None:
    root = actors["root"].headers
    await refused(client, db_conn, "POST", "/api/v3/pages", root, {"title": "T", "path": value}, "path")


async def test_page_path_refused_on_update_and_good_paths_accepted(
    client: Any, actors: Any, db_conn: Any
) -> None:
    root = actors["root"].headers
    for path in ("about/psf", "/download/releases/2.7.18/", "/a.b/x/"):
        r = await client.post("/api/v3/pages", headers=root, json={"title": "T", "path": path})
        assert r.status_code == 201, (path, r.text)
    page = r.json()["id"]
    await refused(client, db_conn, "PATCH", f"/api/v3/pages/{page}", root, {"path": "/a/../b/"}, "path")
    assert await db_conn.fetchval("SELECT path FROM pages WHERE id=$1", page) == "a.b/x"


@pytest.mark.parametrize("value", HOSTILE_PATHS)
async def test_redirect_old_path_refused(client: Any, actors: Any, db_conn: Any, value: str) -> None:
    body = {"old_path": value, "new_path": "/about/"}
    await refused(client, db_conn, "POST", "/api/v3/redirects", actors["root"].headers, body, "old_path")


@pytest.mark.parametrize("value", HOSTILE_LINKS)
async def test_redirect_new_path_refused(client: Any, actors: Any, db_conn: Any, value: str) -> None:
    body = {"old_path": "/old/", "new_path": value}
    await refused(client, db_conn, "POST", "/api/v3/redirects", actors["root"].headers, body, "new_path")


async def test_redirect_good_values_accepted(client: Any, actors: Any) -> None:
    root = actors["root"].headers
    for old, new in (("/a/", "/b/"), ("/~guido/", "https://gvanrossum.github.io/"), ("/doc/x.html", "")):
        r = await client.post("/api/v3/redirects", headers=root, json={"old_path": old, "new_path": new})
        assert r.status_code == 201, r.text


# --- links in every domain (v3) -----------------------------------------------------------------


async def _setup(client: Any, root: dict[str, str]) -> dict[str, Any]:
    tree = await client.post("/api/v3/navigation/trees", headers=root, json={"alias": "main", "title": "M"})
    assert tree.status_code == 201, tree.text
    cat = await client.post("/api/v3/jobs/categories", headers=root, json={"name": "Web"})
    assert cat.status_code == 201, cat.text
    story_cat = await client.post(
        "/api/v3/success-stories/categories", headers=root, json={"name": "Science"}
    )
    assert story_cat.status_code == 201, story_cat.text
    return {"tree": "main", "category": cat.json()["slug"], "story_category": story_cat.json()["slug"]}


JOB = {
    "job_title": "Developer",
    "company_name": "ACME",
    "city": "Memphis",
    "region": "TN",
    "country": "USA",
    "description": "d",
    "requirements": "r",
    "email": "jobs@example.org",
    "job_url": "https://example.org/jobs/1",
}

# (method, url, body with FIELD where the value goes, field, who)
LINK_FIELDS: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("POST", "/api/v3/navigation/items", {"title": "x", "tree": "{tree}"}, "url", "root"),
    ("POST", "/api/v3/banners", {"title": "t", "message": "m"}, "link", "root"),
    ("POST", "/api/v3/jobs", {**JOB, "category": "{category}"}, "job_url", "ordinary"),
    ("POST", "/api/v3/events/calendars", {"name": "Conferences"}, "url", "root"),
    ("POST", "/api/v3/events/calendars", {"name": "Conferences"}, "rss", "root"),
    ("POST", "/api/v3/events/locations", {"name": "Hall"}, "url", "root"),
    ("POST", "/api/v3/community/posts", {"content": "c"}, "source_url", "root"),
    ("POST", "/api/v3/companies", {"name": "ACME"}, "url", "root"),
    ("POST", "/api/v3/work-groups", {"name": "WG", "communication": "list"}, "url", "root"),
    ("POST", "/api/v3/blogs/feeds", {"name": "Feed"}, "feed_url", "root"),
    ("POST", "/api/v3/blogs/feeds", {"name": "Feed", "feed_url": "https://b.example/rss"}, "website_url", "root"),
    ("POST", "/api/v3/downloads/releases", {"name": "Python 9.9.9"}, "release_notes_url", "root"),
    (
        "POST",
        "/api/v3/success-stories",
        {"name": "S", "author": "A", "company_name": "C", "content": "c", "pull_quote": "q",
         "category": "{story_category}"},
        "company_url",
        "root",
    ),
]  # fmt: skip


def _fill(body: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    return {k: v.format(**ctx) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}


@pytest.mark.parametrize(("method", "url", "body", "field", "who"), LINK_FIELDS, ids=lambda v: str(v)[:40])
async def test_every_link_field_refuses_hostile_links(
    client: Any, actors: Any, db_conn: Any, method: str, url: str, body: dict[str, Any], field: str, who: str
) -> None:
    ctx = await _setup(client, actors["root"].headers)
    for value in HOSTILE_LINKS:
        await refused(
            client, db_conn, method, url, actors[who].headers, {**_fill(body, ctx), field: value}, field
        )
    good = "https://www.python.org/psf/"
    r = await client.request(method, url, headers=actors[who].headers, json={**_fill(body, ctx), field: good})
    assert r.status_code == 201, r.text
    assert r.json()[field] == good


async def test_navigation_keeps_its_own_extras(client: Any, actors: Any) -> None:
    """Menus held python.org's mailto:, #fragment and relative ("comingsoon") links; the issue's
    //evil.example/ is refused (see the table above)."""
    root = actors["root"].headers
    await _setup(client, root)
    for url in ("/about/", "mailto:psf@python.org", "#top", "comingsoon", "https://docs.python.org/"):
        r = await client.post(
            "/api/v3/navigation/items", headers=root, json={"title": "x", "tree": "main", "url": url}
        )
        assert r.status_code == 201, (url, r.text)


async def test_link_refused_on_update(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    banner = await client.post(
        "/api/v3/banners", headers=root, json={"title": "t", "message": "m", "link": "/x/"}
    )
    assert banner.status_code == 201, banner.text
    url = f"/api/v3/banners/{banner.json()['id']}"
    await refused(client, db_conn, "PATCH", url, root, {"link": "//evil.example/"}, "link")


# --- slugs ---------------------------------------------------------------------------------------

SLUG_FIELDS = [
    ("/api/v3/downloads/os", {"name": "Windows"}),
    ("/api/v3/downloads/releases", {"name": "Python 9.9.9"}),
    ("/api/v3/events/calendars", {"name": "Conferences"}),
    ("/api/v3/jobs/types", {"name": "Remote"}),
    ("/api/v3/jobs/categories", {"name": "Web"}),
    ("/api/v3/companies", {"name": "ACME"}),
    ("/api/v3/success-stories/categories", {"name": "Science"}),
    ("/api/v3/work-groups", {"name": "WG", "communication": "list"}),
]


@pytest.mark.parametrize(("url", "body"), SLUG_FIELDS, ids=[u for u, _ in SLUG_FIELDS])
async def test_slugs_refused(client: Any, actors: Any, db_conn: Any, url: str, body: dict[str, Any]) -> None:
    root = actors["root"].headers
    for slug in HOSTILE_SLUGS:
        await refused(client, db_conn, "POST", url, root, {**body, "slug": slug}, "slug")
    r = await client.post(url, headers=root, json={**body, "slug": "a-good_slug"})
    assert r.status_code == 201, r.text


async def test_a_name_without_slug_characters_gives_no_empty_slug(
    client: Any, actors: Any, db_conn: Any
) -> None:
    """A release named "???" would have been stored with slug "" (its page at /downloads/release//)."""
    root = actors["root"].headers
    await refused(client, db_conn, "POST", "/api/v3/downloads/releases", root, {"name": "???"}, "slug")


# --- job locations ------------------------------------------------------------------------------


async def test_job_with_100_character_location_refused(client: Any, actors: Any, db_conn: Any) -> None:
    """The issue's case: 100-character city, region and country (an ordinary user) made every
    build fail with "File name too long" once approved (/jobs/location/<302-char slug>/)."""
    ctx = await _setup(client, actors["root"].headers)
    ordinary = actors["ordinary"].headers
    long_place = {"city": "c" * 100, "region": "r" * 100, "country": "u" * 100}
    before = await db_fingerprint(db_conn)
    r = await client.post(
        "/api/v3/jobs", headers=ordinary, json={**JOB, "category": ctx["category"], **long_place}
    )
    assert r.status_code == 400, r.text
    assert {"city", "region", "country"} <= set(r.json()["extra"]), r.json()
    assert await db_fingerprint(db_conn) == before
    # Each part may still be long on its own, as python.org allowed.
    r = await client.post(
        "/api/v3/jobs", headers=ordinary, json={**JOB, "category": ctx["category"], "city": "c" * 100}
    )
    assert r.status_code == 201, r.text
    job = r.json()
    assert len(job["location_slug"]) <= urls.MAX_SLUG
    # ...and an update cannot make it too long either.
    await refused(
        client,
        db_conn,
        "PATCH",
        f"/api/v3/jobs/{job['id']}",
        ordinary,
        {"region": "r" * 100, "country": "u" * 100},
        "region",
    )


# --- the legacy APIs: the same rules, their own error shapes -------------------------------------


@pytest.fixture
async def legacy_keys(actors: Any, sessionmaker: Any) -> dict[str, dict[str, str]]:
    from pydotorg.core.db import transaction
    from pydotorg.domains.users.services import create_api_key

    staff = await actors.create("legacystaff", staff=True)
    async with transaction(sessionmaker) as s:
        _, key = await create_api_key(s, staff.user_id, "k", key="l" * 40)
    return {"v1": {"Authorization": f"ApiKey legacystaff:{key}"}, "v2": {"Authorization": f"Token {key}"}}


@pytest.mark.parametrize("value", ["../x", "/.git/config", "a/./b", "a/" + "b" * 150])
async def test_legacy_v1_page_path_refused_in_tastypie_shape(
    client: Any, legacy_keys: Any, db_conn: Any, value: str
) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.post(
        "/api/v1/pages/page/", headers=legacy_keys["v1"], json={"title": "T", "path": value}
    )
    assert r.status_code == 400, r.text
    assert "path" in r.json()["pages/page"], r.json()
    assert await db_fingerprint(db_conn) == before


@pytest.mark.parametrize("value", ["..", "a/b", "a" * 201])
async def test_legacy_os_slug_refused_in_both_shapes(
    client: Any, legacy_keys: Any, db_conn: Any, value: str
) -> None:
    before = await db_fingerprint(db_conn)
    r = await client.post(
        "/api/v1/downloads/os/", headers=legacy_keys["v1"], json={"name": "Evil", "slug": value}
    )
    assert r.status_code == 400, r.text
    assert "slug" in r.json()["downloads/os"], r.json()
    r = await client.post(
        "/api/v2/downloads/os/", headers=legacy_keys["v2"], json={"name": "Evil", "slug": value}
    )
    assert r.status_code == 400, r.text
    assert "slug" in r.json(), r.json()  # DRF: {"slug": ["..."]}
    assert await db_fingerprint(db_conn) == before


async def test_legacy_release_notes_link_refused(client: Any, legacy_keys: Any, db_conn: Any) -> None:
    before = await db_fingerprint(db_conn)
    body = {"name": "Python 9.9.9", "release_notes_url": "javascript:alert(1)"}
    r = await client.post("/api/v2/downloads/release/", headers=legacy_keys["v2"], json=body)
    assert r.status_code == 400, r.text
    assert "release_notes_url" in r.json(), r.json()
    assert await db_fingerprint(db_conn) == before


# --- the Django importer ------------------------------------------------------------------------


async def test_importer_skips_and_reports_bad_rows(settings: Any, db_conn: Any, tmp_path: Path) -> None:
    import json

    from tests.helpers import run_import_django

    fixture = [
        {"model": "pages.page", "pk": 1, "fields": {"title": "ok", "path": "about/ok"}},
        {"model": "pages.page", "pk": 2, "fields": {"title": "bad", "path": "a/../b"}},
        {"model": "pages.page", "pk": 3, "fields": {"title": "bad", "path": ".git/config"}},
        {"model": "redirects.redirect", "pk": 1, "fields": {"site": 1, "old_path": "/x/", "new_path": "/y/"}},
        {
            "model": "redirects.redirect",
            "pk": 2,
            "fields": {"site": 1, "old_path": "/a/../", "new_path": "/"},
        },
        {
            "model": "redirects.redirect",
            "pk": 3,
            "fields": {"site": 1, "old_path": "/z/", "new_path": "//evil.x/"},
        },
        {
            "model": "banners.banner",
            "pk": 1,
            "fields": {"title": "t", "message": "m", "link": "/\\evil.example"},
        },
        {"model": "downloads.os", "pk": 1, "fields": {"name": "Evil", "slug": "../x"}},
    ]
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(fixture))
    result = run_import_django(settings, "--fixtures", str(path))
    output = result.stdout + result.stderr
    assert [r["id"] for r in await db_conn.fetch("SELECT id FROM pages ORDER BY id")] == [1], output
    assert [r["id"] for r in await db_conn.fetch("SELECT id FROM redirects ORDER BY id")] == [1]
    assert await db_conn.fetchval("SELECT count(*) FROM banners") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 0
    for reported in ("a/../b", ".git/config", "/a/../", "//evil.x/", "evil.example", "../x"):
        assert reported in output, (reported, output)


# --- uploads: never active content on the site's origin ------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
SCRIPTED_SVGS = [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe/></foreignObject></svg>',
    b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
]


async def _page(client: Any, root: dict[str, str]) -> int:
    r = await client.post("/api/v3/pages", headers=root, json={"title": "Files", "path": "files-page"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize(
    ("filename", "content", "kind"),
    [
        ("evil.html", b"<script>alert(document.cookie)</script>", "document"),
        ("evil.htm", b"<script>alert(1)</script>", "document"),
        (
            "evil.xhtml",
            b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>",
            "document",
        ),
        ("evil.xml", b"<?xml-stylesheet href='x.xsl'?><x/>", "document"),
        ("evil.js", b"alert(1)", "document"),
        ("evil.svg", SCRIPTED_SVGS[0], "document"),
        *[(f"evil{i}.svg", svg, "image") for i, svg in enumerate(SCRIPTED_SVGS)],
    ],
)
async def test_active_uploads_refused(
    client: Any, actors: Any, db_conn: Any, settings: Any, filename: str, content: bytes, kind: str
) -> None:
    root = actors["root"].headers
    page = await _page(client, root)
    before, files_before = await db_fingerprint(db_conn), media_fingerprint(settings.media_dir)
    r = await client.post(
        f"/api/v3/pages/{page}/attachments",
        headers=root,
        files={"file": (filename, content)},
        data={"kind": kind},
    )
    assert r.status_code == 400, r.text
    assert names_field(r.json(), "file"), r.json()
    assert await db_fingerprint(db_conn) == before
    assert media_fingerprint(settings.media_dir) == files_before


async def test_plain_uploads_still_accepted(client: Any, actors: Any, settings: Any) -> None:
    root = actors["root"].headers
    page = await _page(client, root)
    for filename, content, kind in (
        ("logo.svg", SAFE_SVG, "image"),
        ("logo.png", PNG, "image"),
        ("minutes.pdf", b"%PDF-1.4\n", "document"),
        ("notes.txt", b"hello", "document"),
    ):
        r = await client.post(
            f"/api/v3/pages/{page}/attachments",
            headers=root,
            files={"file": (filename, content)},
            data={"kind": kind},
        )
        assert r.status_code == 201, (filename, r.text)
        assert (settings.media_dir / r.json()["name"]).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "inline"),
    [("a.png", True), ("a.JPG", True), ("a.gif", True), ("a.webp", True), ("a.pdf", True), ("a.mp4", True),
     ("a.svg", False), ("a.html", False), ("a.txt", False), ("a.zip", False), ("a", False), ("a.xml", False)],
)  # fmt: skip
def test_media_headers_everywhere_agree(name: str, inline: bool) -> None:
    """core.storage (the API's S3 objects) and the development server answer alike; nginx.conf
    and the Fastly snippet carry the same CSP (checked below)."""
    core = media_headers(name)
    dev = dict(serve.media_headers(name))
    for headers in (core, dev):
        assert headers["Content-Security-Policy"] == MEDIA_CSP
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert ("Content-Disposition" not in headers) is inline, (name, headers)
    assert "sandbox" in MEDIA_CSP and "default-src 'none'" in MEDIA_CSP
    assert serve.MEDIA_CSP == MEDIA_CSP
    assert serve.MEDIA_INLINE == INLINE_MEDIA_EXTENSIONS


def test_origin_and_edge_configs_carry_the_media_policy() -> None:
    repo = Path(__file__).resolve().parents[2]
    nginx = (repo / "deploy" / "origin" / "nginx.conf").read_text()
    vcl = (repo / "deploy" / "fastly" / "snippets" / "media-deliver.vcl").read_text()
    assert "location ^~ /media/" in nginx and f'"{MEDIA_CSP}"' in nginx
    assert f'"{MEDIA_CSP}"' in vcl and '"nosniff"' in vcl and '"attachment"' in vcl


async def test_s3_objects_are_stored_with_their_serving_headers() -> None:
    with running_s3() as s3:
        bucket = s3.bucket("pydotorg-headers")
        storage = S3Storage(s3.endpoint, bucket, ACCESS_KEY, SECRET_KEY, prefix="")
        for name in ("logo.svg", "logo.png", "notes.txt"):
            await storage.save(f"pages/{name}", b"x")
        puts = {name: s3.get(bucket, f"pages/{name}") for name in ("logo.svg", "logo.png", "notes.txt")}
    svg, png, notes = puts["logo.svg"], puts["logo.png"], puts["notes.txt"]
    assert svg is not None and png is not None and notes is not None
    assert svg.content_type == "image/svg+xml"
    assert svg.content_disposition == "attachment"
    assert notes.content_disposition == "attachment"
    assert png.content_type == "image/png" and png.content_disposition == ""


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[str]:
    release = tmp_path / "site" / "releases" / "a"
    release.mkdir(parents=True)
    (release / "404.html").write_text("not here")
    (tmp_path / "site" / "current").symlink_to(release)
    media = tmp_path / "media"
    (media / "pages").mkdir(parents=True)
    (media / "pages" / "evil.html").write_bytes(b"<script>alert(1)</script>")
    (media / "pages" / "logo.svg").write_bytes(SAFE_SVG)
    (media / "pages" / "logo.png").write_bytes(PNG)
    (media / ".secret").write_text("no")
    (tmp_path / "outside.txt").write_text("no")
    server = serve.make_server(tmp_path / "site", "127.0.0.1", 0, media_root=media)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_dev_server_serves_media_as_downloads_in_a_sandbox(dev_server: str) -> None:
    with httpx.Client(base_url=dev_server) as http:
        evil = http.get("/media/pages/evil.html")
        assert evil.status_code == 200 and evil.content == b"<script>alert(1)</script>"
        assert evil.headers["content-disposition"] == "attachment"
        assert MEDIA_CSP in evil.headers.get_list("content-security-policy")
        assert evil.headers["x-content-type-options"] == "nosniff"
        svg = http.get("/media/pages/logo.svg")
        assert svg.headers["content-disposition"] == "attachment"
        assert MEDIA_CSP in svg.headers.get_list("content-security-policy")
        png = http.get("/media/pages/logo.png")
        assert png.status_code == 200 and "content-disposition" not in png.headers
        assert MEDIA_CSP in png.headers.get_list("content-security-policy")
        for path in (
            "/media/.secret",
            "/media/../outside.txt",
            "/media/%2e%2e/outside.txt",
            "/media/nope.png",
        ):
            assert http.get(path).status_code == 404, path


# --- the raw video embed ------------------------------------------------------------------------


async def test_raw_video_embed_only_for_editors(client: Any, actors: Any) -> None:
    root = actors["root"].headers
    raw = '<iframe src="https://www.youtube.com/embed/x"></iframe><script>alert(1)</script>'
    body = {"content": "c", "media_type": 3, "status": 2, "videos": [{"video_embed": raw}]}
    r = await client.post("/api/v3/community/posts", headers=root, json=body)
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["videos"][0]["video_embed"] == raw  # the editor who wrote it
    for who in ("anonymous", "ordinary"):
        headers = actors[who].headers
        one = (await client.get(f"/api/v3/community/posts/{post['id']}", headers=headers)).json()
        listed = (await client.get("/api/v3/community/posts", headers=headers)).json()["data"]
        for video in (one["videos"][0], listed[0]["videos"][0]):
            assert "video_embed" not in video, who
            assert (
                "<script" not in video["video_embed_html"]
                and "youtube.com/embed/x" in video["video_embed_html"]
            )
    editor = (await client.get(f"/api/v3/community/posts/{post['id']}", headers=root)).json()
    assert editor["videos"][0]["video_embed"] == raw


@pytest.fixture
def nginx_media(tmp_path: Path) -> Iterator[str]:
    """deploy/origin/nginx.conf run by the local nginx, with its /media/ alias pointed at a
    temporary media directory (see tests/site/test_redirects.py's ``nginx_origin``)."""
    from tests.site.test_redirects import run_origin_nginx

    media = {
        "pages/evil.html": b"<script>alert(1)</script>",
        "pages/logo.svg": SAFE_SVG,
        "pages/logo.png": PNG,
        "pages/.secret": b"no",
    }
    with run_origin_nginx(tmp_path / "nginx", media) as base:
        yield base


def test_origin_nginx_serves_media_as_downloads_in_a_sandbox(nginx_media: str) -> None:
    with httpx.Client(base_url=nginx_media) as http:
        evil = http.get("/media/pages/evil.html")
        assert evil.status_code == 200 and evil.content == b"<script>alert(1)</script>"
        assert evil.headers["content-disposition"] == "attachment"
        assert MEDIA_CSP in evil.headers.get_list("content-security-policy")
        assert evil.headers["x-content-type-options"] == "nosniff"
        assert http.get("/media/pages/logo.svg").headers["content-disposition"] == "attachment"
        png = http.get("/media/pages/logo.png")
        assert png.status_code == 200 and "content-disposition" not in png.headers
        assert MEDIA_CSP in png.headers.get_list("content-security-policy")
        for path in ("/media/pages/.secret", "/media/../site/current/404.html", "/media/nope.png"):
            assert http.get(path).status_code == 404, path
