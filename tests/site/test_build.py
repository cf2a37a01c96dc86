"""The site builder against a live test API (uvicorn on a free port): a full build, then a
series of edits, creates and deletes, an incremental build, and a byte-for-byte comparison
with a fresh full build of the same data."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from pydotorg.app import create_app
from pydotorg.core.db import transaction
from pydotorg.domains.users.models import UserPermission
from pydotorg.domains.users.services import create_api_key
from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import running_worker, serve_asgi
from tests.site.test_cdn import API_KEY, DICTIONARY, SERVICE, FakeFastly

SITE = "https://www.python.org"


@pytest.fixture(scope="module")
def live_api(settings: Any, mailer: Any) -> Iterator[str]:
    app = create_app(settings, mailer=mailer, configure_logs=False)
    with serve_asgi(app, lifespan="on") as url:
        yield url


@pytest.fixture
async def builder_key(actors: Any, sessionmaker: Any) -> str:
    builder = await actors.create("site-builder")
    async with transaction(sessionmaker) as s:
        s.add(UserPermission(user_id=builder.user_id, permission="site.read_changes"))
        _, key = await create_api_key(s, builder.user_id, "builder")
    return key


def _build(
    api: str,
    out: Path,
    key: str,
    *,
    full: bool = False,
    site_url: str = SITE,
    env: dict[str, str] | None = None,
) -> str:
    args = [
        sys.executable,
        "-m",
        "sitebuilder.build",
        "--api",
        api,
        "--out",
        str(out),
        "--site-url",
        site_url,
    ]
    if full:
        args.append("--full")
    environment = {
        **os.environ,
        "PYDOTORG_SITE_API_KEY": key,
        "PYDOTORG_FASTLY_API_KEY": "",
        "PYDOTORG_ENVIRONMENT": "test",
        **(env or {}),
    }
    result = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def _tree(root: Path) -> dict[str, bytes]:
    current = root / "current"
    return {str(p.relative_to(current)): p.read_bytes() for p in sorted(current.rglob("*")) if p.is_file()}


async def test_full_then_incremental_equals_full(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    out = tmp_path / "origin"
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("full build:"), summary
    site = out / "current"
    home = (site / "index.html").read_text()
    assert "Python 3.10.19" in home and "<title>" in home
    downloads = (site / "downloads" / "index.html").read_text()
    assert "Python 3.8.20" in downloads and "Python 9.7.2" not in downloads
    assert (site / "downloads/release/python-31019/index.html").exists()
    assert not (site / "downloads/release/python-972").exists()  # drafts never published
    release = (site / "downloads/release/python-275/index.html").read_text()
    assert "Windows x86 MSI Installer (2.7.5)" in release and "11.8 MB" in release
    assert (site / "downloads/windows/index.html").exists()
    page = (site / "download/releases/2.7.5/index.html").read_text()
    assert "Python 2.7.5" in page
    feed = ElementTree.fromstring((site / "downloads/feed.rss").read_bytes())
    assert [i.findtext("title") for i in feed.iter("item")][:2] == ["Python 3.9.90", "Python 3.10.19"]
    assert len(list(feed.iter("item"))) == 7
    sitemap = (site / "sitemap.xml").read_text()
    assert f"<loc>{SITE}/downloads/release/python-31019/</loc>" in sitemap
    assert "Sitemap:" in (site / "robots.txt").read_text()
    assert (site / "404.html").exists() and (site / "theme").is_dir()
    latest = {
        "downloads/latest/python3": "/downloads/release/python-31019/",
        "downloads/latest/python3.8": "/downloads/release/python-3820/",
        "downloads/latest/python3.10": "/downloads/release/python-31019/",
        "downloads/latest/prerelease": "/downloads/release/python-3990/",
        "downloads/latest/python2": "/downloads/release/python-275/",
        "downloads/latest/pymanager": "/downloads/",  # none exists: fall back (appendix B.2)
    }
    for path, target in latest.items():
        html = (site / path / "index.html").read_text()
        assert f'content="0; url={SITE}{target}"' in html, (path, html)
    assert "/downloads/latest/" not in sitemap

    # Nothing changed: an incremental build writes nothing.
    assert _build(live_api, out, builder_key).startswith("incremental build: 0 written")

    root = actors["root"].headers
    async with httpx.AsyncClient(base_url=live_api, headers=root) as api:
        r = await api.post(
            "/api/v3/downloads/releases",
            json={
                "name": "Python 3.10.20",
                "is_published": True,
                "is_latest": True,
                "release_date": "2025-12-01T00:00:00Z",
                "content": "Security <b>fixes</b><script>x</script>",
            },
        )
        assert r.status_code == 201, r.text
        new_release = r.json()["id"]
        r = await api.post(
            "/api/v3/downloads/files",
            json={
                "name": "Source tarball",
                "os_id": dl.os["linux"],
                "release_id": new_release,
                "url": FTP + "3.10.20/Python-3.10.20.tgz",
                "download_button": True,
            },
        )
        assert r.status_code == 201, r.text
        r = await api.patch(f"/api/v3/pages/{dl.page}", json={"title": "Python 2.7.5 (legacy)"})
        assert r.status_code == 200
        r = await api.delete(f"/api/v3/downloads/files/{dl.files['Mac OS X 64-bit/32-bit installer']}")
        assert r.status_code == 204
        r = await api.patch(
            f"/api/v3/downloads/releases/{dl.releases['Python 3.8.19']}", json={"is_published": False}
        )
        assert r.status_code == 200
        r = await api.patch(
            f"/api/v3/downloads/releases/{dl.releases['Python 3.10.18']}",
            json={"content": "Only the *text* changes."},
        )
        assert r.status_code == 200
        r = await api.post(
            "/api/v3/pages",
            json={
                "title": "Quotes about Python",
                "path": "about/quotes",
                "content": "About *Python*",
                "content_markup_type": "markdown",
            },
        )
        assert r.status_code == 201

    summary = _build(live_api, out, builder_key)
    assert summary.startswith("incremental build:"), summary
    written = int(summary.split(": ")[1].split(" written")[0])
    total = len(
        [
            p
            for p in _tree(out)
            if p.endswith((".html", ".xml", ".rss", ".txt")) and not p.startswith("theme/")
        ]
    )
    assert 0 < written < total  # only what the edits touched
    site = out / "current"
    new_page = (site / "downloads/release/python-31020/index.html").read_text()
    assert "<b>fixes</b>" in new_page and "<script>" not in new_page
    assert "has been superseded by" in (site / "downloads/release/python-31019/index.html").read_text()
    assert not (site / "downloads/release/python-3819").exists()
    assert "Python 2.7.5 (legacy)" in (site / "download/releases/2.7.5/index.html").read_text()
    assert (
        "Mac OS X 64-bit/32-bit installer"
        not in (site / "downloads/release/python-275/index.html").read_text()
    )
    assert "<em>Python</em>" in (site / "about/quotes/index.html").read_text()

    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    incremental, full = _tree(out), _tree(fresh)
    assert sorted(incremental) == sorted(full)
    different = [p for p in full if incremental[p] != full[p]]
    assert different == [], different
    assert filecmp.dircmp(out / "current", fresh / "current").diff_files == []
    assert "<em>text</em>" in (site / "downloads/release/python-31018/index.html").read_text()


def test_build_without_key_or_api_fails_cleanly(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitebuilder.build",
            "--api",
            "http://127.0.0.1:9",
            "--out",
            str(tmp_path / "o"),
            "--api-key",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and result.stderr.startswith("error: GET /api/v3/changes")
    assert not (tmp_path / "o" / "current").exists()  # a failed build publishes nothing
    result = subprocess.run(
        [sys.executable, "-m", "sitebuilder.build", "--api", "http://x", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYDOTORG_SITE_API_KEY"},
    )
    assert result.returncode == 2 and "site.read_changes" in result.stderr


async def test_text_only_edit_rebuilds_one_page(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(
            f"/api/v3/downloads/releases/{dl.releases['Python 3.8.20']}", json={"content": "Just *notes*."}
        )
        assert r.status_code == 200
    summary = _build(live_api, out, builder_key)
    # The release's page and its /getit/ mirror, nothing else.
    assert summary.startswith("incremental build: 2 written,"), summary
    assert "<em>notes</em>" in (out / "current/downloads/release/python-3820/index.html").read_text()
    report = json.loads((out / "_state/last-build.json").read_text())
    assert report["published"] == [
        "downloads/release/python-3820/index.html",
        "getit/release/python-3820/index.html",
    ]
    assert report["purged_urls"] == ["/downloads/release/python-3820/", "/getit/release/python-3820/"]
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_a_section_added_since_the_last_build_is_fetched_whole(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    """A snapshot saved by a builder that had no ``users`` section (its data and its name missing):
    the next incremental build, with no change in the feed, reads that section whole and
    publishes its pages, exactly as a full build of the same data does."""
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    username = actors["ordinary"].username
    profile = out / f"current/users/{username}/index.html"
    assert profile.exists()
    state = out / "_state/snapshot.json"
    saved = json.loads(state.read_text())
    assert "users" in saved["sections"]
    saved["sections"].remove("users")
    saved["data"] = {k: v for k, v in saved["data"].items() if not k.startswith("profile:")}
    saved["outputs"] = {k: v for k, v in saved["outputs"].items() if not k.startswith("users/")}
    state.write_text(json.dumps(saved))
    for page in (out / "current/users").glob("*/index.html"):
        if page.parent.name != "edit":
            page.unlink()  # as that builder published them: no profile pages
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("incremental build:"), summary
    assert f"/users/{username}/" in json.loads((out / "_state/last-build.json").read_text())["purged_urls"]
    assert profile.exists()
    assert "users" in json.loads(state.read_text())["sections"]
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_rebuild_job_builds_and_publishes(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    settings: Any,
    sessionmaker: Any,
    mailer: Any,
    tmp_path: Path,
) -> None:
    import msgspec

    job_settings = msgspec.structs.replace(
        settings,
        site_api_key=builder_key,
        site_api_url=live_api,
        site_origin_dir=str(tmp_path / "site"),
        queue_name="site-job-test",
        site_url=SITE,
        site_watch_seconds=0,  # the test enqueues each build itself
    )
    async with running_worker(job_settings, sessionmaker, mailer) as queue:
        result = await queue.apply("site.rebuild", timeout=120, retries=3)
        assert result["built"] is True and result["summary"].startswith("full build:"), result
        assert (tmp_path / "site/current/downloads/index.html").exists()
        async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
            r = await api.patch(f"/api/v3/pages/{dl.page}", json={"title": "Renamed by the job test"})
            assert r.status_code == 200
        result = await queue.apply("site.rebuild", timeout=120, retries=3)
        assert result["summary"].startswith("incremental build: 1 written"), result  # the CMS page
        page = (tmp_path / "site/current/download/releases/2.7.5/index.html").read_text()
        assert "Renamed by the job test" in page


async def _import_shared(sessionmaker: Any, *names: str) -> None:
    from pydotorg.dev.paths import PYTHON_ORG_DATA
    from pydotorg.django_import import importer

    objects: list[Any] = []
    for name in names:
        objects.extend(json.loads((PYTHON_ORG_DATA / name).read_text()))
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert report.ok, report.failures


async def test_boxes_menus_landing_pages_and_purge_precision(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    sessionmaker: Any,
    tmp_path: Path,
) -> None:
    await _import_shared(sessionmaker, "boxes.json", "sitetree_menus.json")
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.post(
            "/api/v3/downloads/files",
            json={
                "name": "Windows installer (64-bit)",
                "os_id": dl.os["windows"],
                "release_id": dl.releases["Python 3.10.19"],
                "url": FTP + "3.10.19/python-3.10.19-amd64.exe",
                "download_button": True,
            },
        )
        assert r.status_code == 201, r.text
        for body in (
            {"title": "PSF Mission", "path": "psf/mission", "template_name": "psf/default.html"},
            {"title": "PSF Bylaws", "path": "psf/bylaws", "template_name": "psf/full-width.html"},
            {"title": "Python 3.8.20 (old page)", "path": "download/releases/3.8.20"},
        ):
            r = await api.post("/api/v3/pages", json={**body, "content": "Text."})
            assert r.status_code == 201, r.text
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    home = (site / "index.html").read_text()
    # python.org's real boxes on the home page, the generated download box with our data.
    assert "lets you work quickly" in home and "Start with our Beginner" in home
    assert (
        'Latest: <a href="https://www.python.org/downloads/release/python-31019/">Python 3.10.19</a>' in home
    )
    assert (
        "Python Software Foundation" in home and "<script" not in home.split("</head>")[1].split("<footer")[0]
    )
    # The menus come from the imported tree: top bar, main navigation with drop-downs, footer.
    for text in ('title="The Python Software Foundation">PSF</a>', ">PyPI</a>", ">Success Stories</a>"):
        assert text in home, text
    assert 'data-box="supernav-python-downloads"' in home and ">Alternative Implementations</a>" in home
    assert "History / Mission" not in home  # not in the menu (inmenu false)
    footer = home.split('<footer class="main-footer">')[1]
    assert ">Contributing</a>" in footer and ">Core Mentorship</a>" in footer
    assert ">Contributing</a>" not in home.split('id="mainnav"')[1].split("</nav>")[0]
    # /box/<label>/ fragments: stored boxes as they are, generated ones from release data.
    about_box = (site / "box/supernav-python-about/index.html").read_text()
    assert about_box.lstrip().startswith('<li class="tier-2 super-navigation">') and "<html" not in about_box
    supernav = (site / "box/supernav-python-downloads/index.html").read_text()
    assert 'class="download-os-windows"' in supernav and "3.10.19-amd64.exe" in supernav
    assert "3.10.5" not in supernav  # the stored (stale) box is replaced by the generated one
    assert (
        'href="https://www.python.org/downloads/source/">Read more'
        in (site / "box/download-sources/index.html").read_text()
    )
    # Landing pages made of boxes and release data.
    assert "Python is powerful... and fast" in (site / "about/index.html").read_text()
    doc = (site / "doc/index.html").read_text()
    assert "Browse Python 3.10.19 Documentation" in doc and "Beginner" in doc
    versions = (site / "doc/versions/index.html").read_text()
    assert (
        ">Python 3.10</h2>" in versions
        and "Python 2.1.2</a>, documentation released on 16 January 2002" in versions
    )
    assert "Python 3.9.90" not in versions  # pre-releases have no docs entry
    assert "Become a Member" in (site / "psf-landing/index.html").read_text()
    assert (site / "humans.txt").read_text().startswith("/* TEAM */")
    # CMS templates by template_name: PSF pages carry the PSF banner and the PSF sections' menu.
    mission = (site / "psf/mission/index.html").read_text()
    assert 'class="landing-banner psf-banner"' in mission and 'class="left-sidebar"' in mission
    assert ">Public records</a>" in mission.split('class="left-sidebar"')[1]  # PSF > About
    bylaws = (site / "psf/bylaws/index.html").read_text()
    assert "psf-banner" in bylaws and 'class="left-sidebar"' not in bylaws  # full width
    # A legacy release page moves to the release's page when the release has no page of its own.
    moved = (site / "download/releases/3.8.20/index.html").read_text()
    assert 'content="0; url=https://www.python.org/downloads/release/python-3820/"' in moved
    redirects = json.loads((site / "_redirects.json").read_text())
    assert redirects["/downloads/latest/python3/"] == {
        "location": "/downloads/release/python-31019/",
        "status": 302,
    }
    assert redirects["/getit/latest/python3/"] == redirects["/downloads/latest/python3/"]
    assert redirects["/download/releases/3.8.20/"] == {
        "location": "/downloads/release/python-3820/",
        "status": 301,
    }
    assert "/download/releases/2.7.5/" not in redirects  # 2.7.5's release page is that page
    # /getit/ mirrors the downloads URLs byte for byte; the sitemap lists only the canonical ones.
    assert (site / "getit/release/python-275/index.html").read_bytes() == (
        site / "downloads/release/python-275/index.html"
    ).read_bytes()
    assert (site / "getit/index.html").exists() and (site / "getit/feed.rss").exists()
    sitemap = (site / "sitemap.xml").read_text()
    assert "/getit/" not in sitemap and "/box/" not in sitemap and f"{SITE}/doc/versions/" in sitemap

    # Purge precision: a release edit publishes and purges exactly the files whose bytes changed:
    # its page, the lists that show it (and their /getit/ twins), and nothing else.
    before = _tree(out)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(
            f"/api/v3/downloads/releases/{dl.releases['Python 3.8.20']}",
            json={"release_date": "2024-09-08T00:00:00Z"},
        )
        assert r.status_code == 200
    _build(live_api, out, builder_key)
    after = _tree(out)
    changed = sorted(p for p in after if before.get(p) != after[p])
    report = json.loads((out / "_state/last-build.json").read_text())
    assert sorted(report["published"]) == changed
    assert "downloads/release/python-3820/index.html" in changed and "downloads/index.html" in changed
    assert "downloads/feed.rss" not in changed or "Python 3.8.20" in after["downloads/feed.rss"].decode()
    assert not any(p.startswith(("about/", "box/supernav-python-about", "psf-landing/")) for p in changed)
    assert "downloads/release/python-275/index.html" not in changed
    expected_urls = sorted({"/" + p.removesuffix("index.html") for p in changed})
    assert report["purged_urls"] == expected_urls and report["purged_keys"] == []

    # A box edit re-renders the pages that show it and its fragment; a menu edit every page.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        box = (await api.get("/api/v3/boxes/label/homepage-jobs")).json()
        r = await api.patch(f"/api/v3/boxes/{box['id']}", json={"content": "<p>Hiring? Post a job.</p>"})
        assert r.status_code == 200
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert sorted(report["published"]) == ["box/homepage-jobs/index.html", "index.html", "shell/index.html"]
    assert "Hiring? Post a job." in (site / "index.html").read_text()
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch("/api/v3/navigation/items/124", json={"title": "Android phones"})
        assert r.status_code == 200
    summary = _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert report["purged_keys"] == ["site"], summary  # every page changed: one purge of the site key
    assert ">Android phones</a>" in (site / "downloads/release/python-275/index.html").read_text()
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_banners_and_code_samples(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        for i, title in enumerate(("Functions Defined", "Compound Data Types", "Draft sample")):
            r = await api.post(
                "/api/v3/codesamples",
                json={
                    "code": f"<pre><code>&gt;&gt;&gt; print({i})</code></pre>",
                    "copy": f"<h1>{title}</h1>",
                    "is_published": title != "Draft sample",
                    "sort_order": 10 - i,  # the order editors set, not the insertion order
                },
            )
            assert r.status_code == 201, r.text
        r = await api.post(
            "/api/v3/banners",
            json={"title": "Vote now", "message": "PSF elections are open", "link": "/psf/", "active": True},
        )
        assert r.status_code == 201
        psf_only = r.json()["id"]
        r = await api.post(
            "/api/v3/banners",
            json={
                "title": "Read more",
                "message": "Python 3.10.19 is out",
                "link": "https://x.example/",
                "active": True,
                "psf_pages_only": False,
            },
        )
        assert r.status_code == 201
        site_wide = r.json()["id"]
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    home = (site / "index.html").read_text()
    assert home.index("Compound Data Types") < home.index("Functions Defined") and "Draft sample" not in home
    assert "Python 3.10.19 is out" in home and "PSF elections" not in home
    assert "Python 3.10.19 is out" in (site / "downloads/index.html").read_text()
    # PSF pages show the first active banner of any kind (sort_order, then id): the PSF one.
    assert "PSF elections are open" in (site / "psf-landing/index.html").read_text()
    # Deactivating the site-wide banner re-renders exactly the pages that showed it.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/banners/{site_wide}", json={"active": False})
        assert r.status_code == 200
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert sorted(report["published"]) == [
        "downloads/index.html",
        "getit/index.html",
        "index.html",
        "shell/index.html",
    ]
    assert "Python 3.10.19 is out" not in (site / "index.html").read_text()
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.delete(f"/api/v3/banners/{psf_only}")
        assert r.status_code == 204
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    # The PSF pages that show it: the landing, the board minutes and the sponsors page.
    assert sorted(report["published"]) == [
        "psf-landing/index.html",
        "psf/records/board/minutes/index.html",
        "psf/sponsors/index.html",
    ], report
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_news_pages_and_boxes(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    sessionmaker: Any,
    tmp_path: Path,
) -> None:
    from pydotorg.django_import import importer

    python_blog = "https://blog.python.org/feeds/posts/default?alt=rss"  # PYDOTORG_PYTHON_BLOG_FEED_URL
    objects: list[dict[str, Any]] = [
        {
            "model": "blogs.feed",
            "pk": 1,
            "fields": {
                "name": "Python Insider",
                "website_url": "https://blog.python.org/",
                "feed_url": python_blog,
            },
        },
        {
            "model": "blogs.feed",
            "pk": 2,
            "fields": {
                "name": "PSF",
                "website_url": "https://pyfound.blogspot.com/",
                "feed_url": "https://pyfound.blogspot.com/feeds/posts/default",
            },
        },
        {
            "model": "blogs.feedaggregate",
            "pk": 1,
            "fields": {"name": "PSF News", "slug": "psf-news", "description": "PSF landing", "feeds": [2]},
        },
    ]
    for i in range(1, 8):
        objects.append(
            {
                "model": "blogs.blogentry",
                "pk": i,
                "fields": {
                    "title": f"Post {i}",
                    "summary": f"<p>Body of post {i}</p><script>x()</script>",
                    "pub_date": f"2026-01-{i:02d}T10:00:00Z",
                    "url": f"https://{'blog.python.org' if i % 2 else 'pyfound.blogspot.com'}/post-{i}.html",
                    "feed": 1 if i % 2 else 2,
                },
            }
        )
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert report.ok, report.failures
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    home = (site / "index.html").read_text()
    news = home.split("Latest News")[1].split("</section>")[0]
    assert [f"Post {i}" in news for i in (7, 6, 5, 4, 3, 2)] == [True] * 5 + [False]  # the 5 newest
    blogs = (site / "blogs/index.html").read_text()
    assert blogs.index("Post 7") < blogs.index("Post 2") and "Post 1<" not in blogs  # 6 newest
    assert "Body of post 7" in blogs and "<script>" not in blogs.split("</head>")[1].split("<footer")[0]
    supernav = (site / "box/supernav-python-blog/index.html").read_text()
    assert "Post 7" in supernav and "post-7.html" in supernav  # the Python blog's newest post
    psf = (site / "psf-landing/index.html").read_text()
    assert "Post 6" in psf and "Post 7" not in psf.split("PSF News")[1]  # only the aggregate's feed
    # A new PSF post re-renders exactly the pages that list it.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch("/api/v3/blogs/entries/6", json={"title": "Post six, renamed"})
        assert r.status_code == 200, r.text
    _build(live_api, out, builder_key)
    report_json = json.loads((out / "_state/last-build.json").read_text())
    assert sorted(report_json["published"]) == [
        "blogs/index.html",
        "index.html",
        "psf-landing/index.html",
        "shell/index.html",
    ]
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def _post_job(api: httpx.AsyncClient, moderator: dict[str, str], n: int, **extra: Any) -> int:
    body = {
        "job_title": f"Python developer {n}",
        "company_name": f"Company {n}",
        "category": "engineering",
        "job_types": ["full-time"],
        "city": "Amsterdam" if n % 2 else "Lima",
        "country": "Netherlands" if n % 2 else "Peru",
        "description": f"Build *things* number {n}.",
        "requirements": "Python.",
        "email": f"jobs{n}@example.org",
        "job_url": "https://example.org/jobs",
        **extra,
    }
    r = await api.post("/api/v3/jobs", json=body)
    assert r.status_code == 201, r.text
    job_id = int(r.json()["id"])
    assert (await api.post(f"/api/v3/jobs/{job_id}/submit")).status_code == 200
    assert (await api.post(f"/api/v3/jobs/{job_id}/approve", headers=moderator)).status_code == 200
    return job_id


async def test_job_board_pages(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    moderator = (await actors.create("moderator", permissions=("jobs.moderate",))).headers
    owner = await actors.create("employer")
    async with httpx.AsyncClient(base_url=live_api, headers=owner.headers) as api:
        for path, body in (
            ("/api/v3/jobs/categories", {"name": "Engineering", "slug": "engineering"}),
            ("/api/v3/jobs/types", {"name": "Full Time", "slug": "full-time"}),
        ):
            assert (await api.post(path, json=body, headers=moderator)).status_code == 201
        ids = [await _post_job(api, moderator, n, telecommuting=n == 3) for n in range(1, 28)]
        r = await api.post(
            "/api/v3/jobs",
            json={
                **{
                    "job_title": "Secret draft",
                    "company_name": "X",
                    "category": "engineering",
                    "city": "C",
                    "country": "D",
                    "description": "d",
                    "requirements": "r",
                    "email": "x@example.org",
                    "job_url": "https://example.org",
                }
            },
        )
        assert r.status_code == 201
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    first = (site / "jobs/index.html").read_text()
    assert "27 jobs listed" in first and "Python developer 27" in first and "Python developer 2<" not in first
    second = (site / "jobs/page/2/index.html").read_text()
    assert "Python developer 2<" in second and 'rel="prev"' in second  # 25 per page
    assert "Secret draft" not in "".join(p.read_text() for p in site.rglob("*.html"))  # drafts never public
    assert not (site / f"jobs/{ids[-1] + 1}").exists()
    detail = (site / f"jobs/{ids[0]}/index.html").read_text()
    assert "<em>things</em>" in detail and "jobs1@example.org" not in detail  # e-mail obfuscated
    assert "&#106;&#111;&#98;&#115;&#49;&#64;" in detail
    assert (site / "jobs/type/full-time/index.html").exists() and (
        site / "jobs/category/engineering/index.html"
    ).exists()
    assert "Amsterdam" in (site / "jobs/locations/index.html").read_text()
    assert "Python developer 3" in (site / "jobs/location/telecommute/index.html").read_text()
    assert "(27)" in (site / "jobs/types/index.html").read_text()
    feed = ElementTree.fromstring((site / "jobs/feed/rss/index.rss").read_bytes())
    titles = [i.findtext("title") for i in feed.iter("item")]
    assert len(titles) == 20 and titles[0] == "Python developer 27, Company 27"
    # Removing one listing re-renders the lists and pages that show it, not every job page.
    async with httpx.AsyncClient(base_url=live_api, headers=moderator) as api:
        assert (await api.post(f"/api/v3/jobs/{ids[10]}/remove")).status_code == 200
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert f"jobs/{ids[10]}/index.html" in report["deleted_files"]
    assert f"jobs/{ids[0]}/index.html" not in report["published"]  # an unrelated listing: untouched
    assert "/jobs/feed/rss/" in report["purged_urls"] and "/jobs/" in report["purged_urls"]
    # Approving a new listing publishes its page and the lists that show it, and purges them.
    async with httpx.AsyncClient(base_url=live_api, headers=owner.headers) as api:
        new_id = await _post_job(api, moderator, 99)
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert {f"jobs/{new_id}/index.html", "jobs/index.html", "jobs/feed/rss/index.rss"} <= set(
        report["published"]
    )
    assert f"/jobs/{new_id}/" in report["purged_urls"]
    assert f"jobs/{ids[5]}/index.html" not in report["published"]  # not a neighbour or related one
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_event_pages_ical_and_home_widget(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    from icalendar import Calendar

    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await api.post(path, json=body)
            assert r.status_code == 201, (path, r.text)
            return dict(r.json())

        await post("/api/v3/events/calendars", {"name": "Python Events", "slug": "python-events"})
        await post(
            "/api/v3/events/categories",
            {"name": "Conference", "slug": "conference", "calendar": "python-events"},
        )
        venue = await post(
            "/api/v3/events/locations",
            {"name": "Convention Center", "address": "Long Beach", "calendar": "python-events"},
        )
        pycon = await post(
            "/api/v3/events",
            {
                "title": "PyCon US 2099",
                "calendar": "python-events",
                "categories": ["conference"],
                "venue_id": venue["id"],
                "featured": True,
                "description": "The *big* one.",
                "occurring_rule": {
                    "dt_start": "2099-05-12T00:00:00Z",
                    "dt_end": "2099-05-20T00:00:00Z",
                    "all_day": True,
                },
            },
        )
        sprint = await post(
            "/api/v3/events",
            {
                "title": "Weekly sprint",
                "calendar": "python-events",
                "recurring_rules": [
                    {
                        "begin": "2020-01-06T18:00:00Z",
                        "finish": "2099-12-31T00:00:00Z",
                        "duration": "2 hours",
                        "frequency": 2,
                        "interval": 1,
                    }
                ],
            },
        )
        old = await post(
            "/api/v3/events",
            {
                "title": "PyCon 2001",
                "calendar": "python-events",
                "occurring_rule": {
                    "dt_start": "2001-03-05T09:00:00Z",
                    "dt_end": "2001-03-08T17:00:00Z",
                    "all_day": False,
                },
            },
        )
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    landing = (site / "events/index.html").read_text()
    assert "PyCon US 2099" in landing and "Weekly sprint" in landing and "You just missed" in landing
    upcoming = (site / "events/python-events/index.html").read_text()
    assert (
        "PyCon US 2099" in upcoming and "PyCon 2001" not in upcoming and 'class="featured-event"' in upcoming
    )
    assert "PyCon 2001" in (site / "events/python-events/past/index.html").read_text()
    assert "PyCon US 2099" in (site / "events/python-events/categories/conference/index.html").read_text()
    assert "PyCon US 2099" in (site / f"events/python-events/locations/{venue['id']}/index.html").read_text()
    assert (site / "events/python-events/date/2099/05/12/index.html").exists()
    detail = (site / f"events/python-events/{pycon['id']}/index.html").read_text()
    assert "<em>big</em>" in detail and "12 May 2099" in detail and "Long Beach" in detail
    assert 'rel="prev"' in detail  # ordered by start: the sprint (2020) comes before PyCon 2099
    assert (site / f"events/python-events/{old['id']}/index.html").exists()
    home = (site / "index.html").read_text()
    assert "Upcoming Events" in home and "PyCon US 2099" in home.split("Upcoming Events")[1]
    # iCal exports parse as RFC 5545 calendars: all-day dates with an exclusive end, an RRULE.
    cal = Calendar.from_ical((site / "events/python-events/calendar.ics").read_bytes())
    vevents = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(vevents) == {"PyCon US 2099", "Weekly sprint", "PyCon 2001"}
    assert str(vevents["PyCon US 2099"].decoded("dtend")) == "2099-05-21"
    assert vevents["Weekly sprint"]["rrule"]["FREQ"] == ["WEEKLY"]
    assert len(list(Calendar.from_ical((site / "events/calendar.ics").read_bytes()).walk("VEVENT"))) == 3
    # Editing one event re-renders its page, the lists that show it and the exports — not the
    # other events' pages.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/events/{old['id']}", json={"title": "PyCon 2001 (Long Beach)"})
        assert r.status_code == 200, r.text
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    published = set(report["published"])
    assert f"events/python-events/{old['id']}/index.html" in published
    assert "events/python-events/past/index.html" in published and "events/calendar.ics" in published
    assert f"events/python-events/{pycon['id']}/index.html" not in published
    assert "events/python-events/index.html" not in published  # upcoming list: not affected
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)
    assert sprint


async def test_board_minutes_pages(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        ids = {}
        for day, published in (
            ("2026-01-14", True),
            ("2026-02-11", True),
            ("2026-03-11", False),
            ("2025-12-10", True),
        ):
            r = await api.post(
                "/api/v3/minutes",
                json={"date": day, "content": f"Meeting of *{day}*.", "is_published": published},
            )
            assert r.status_code == 201, r.text
            ids[day] = r.json()["id"]
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    base = site / "psf/records/board/minutes"
    listing = (base / "index.html").read_text()
    assert (
        listing.index("February 11, 2026") < listing.index("January 14, 2026")
        and "March 11, 2026" not in listing
    )
    page = (base / "2026-01-14/index.html").read_text()
    assert "<em>2026-01-14</em>" in page and ">2026-02-11</a>" in page
    assert (
        "2026-03-11" not in page and "2025-12-10" not in page
    )  # same year, published only (B: drafts leaked)
    assert not (base / "2026-03-11").exists()
    feed = ElementTree.fromstring((base / "feed/index.rss").read_bytes())
    assert [i.findtext("title") for i in feed.iter("item")] == [
        "PSF Meeting Minutes for 2026-02-11",
        "PSF Meeting Minutes for 2026-01-14",
        "PSF Meeting Minutes for 2025-12-10",
    ]
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        assert (
            await api.patch(f"/api/v3/minutes/{ids['2026-03-11']}", json={"is_published": True})
        ).status_code == 200
    _build(live_api, out, builder_key)
    assert "March 11, 2026" in (base / "index.html").read_text() and (base / "2026-03-11/index.html").exists()
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


async def test_success_story_pages_and_featured_story(
    live_api: str,
    dl: Fixture,  # noqa: F811
    builder_key: str,
    actors: Any,
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        for name in ("Education", "Software Development"):
            r = await api.post("/api/v3/success-stories/categories", json={"name": name})
            assert r.status_code == 201, r.text
        ids = []
        for n, (category, featured, published) in enumerate(
            (
                ("education", True, True),
                ("software-development", True, True),
                ("education", False, True),
                ("education", True, False),
            )
        ):
            r = await api.post(
                "/api/v3/success-stories",
                json={
                    "name": f"Story {n}",
                    "company_name": f"Company {n}",
                    "company_url": "https://example.org/",
                    "category": category,
                    "author": f"Author {n}",
                    "pull_quote": f"Python made {n} things easy.",
                    "content": f"How *{n}* went.",
                    "is_published": published,
                    "featured": featured,
                },
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    index = (site / "success-stories/index.html").read_text()
    assert "Python made 0 things easy." in index and "Story 3" not in index  # drafts never public
    assert "<em>1</em>" in (site / "success-stories/story-1/index.html").read_text()
    assert not (site / "success-stories/story-3").exists()
    education = (site / "success-stories/category/education/index.html").read_text()
    assert "Story 0" in education and "Story 2" in education and "Story 1" not in education
    home = (site / "index.html").read_text()
    quote = home.split("Success Stories</h2>")[1].split("</section>")[0]
    assert ("Story 0" in quote) != ("Story 1" in quote)  # one featured, published story
    supernav = (site / "box/supernav-python-success-stories/index.html").read_text()
    assert ("Story 0" in supernav and "Story 0" in quote) or ("Story 1" in supernav and "Story 1" in quote)
    # The choice is the same for a full build of the same day (no randomness between builds).
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/success-stories/{ids[2]}", json={"pull_quote": "Changed quote."})
        assert r.status_code == 200, r.text
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert (
        "success-stories/story-2/index.html" in report["published"]
        and "index.html" not in report["published"]
    )


async def test_stored_redirects(live_api: str, builder_key: str, actors: Any, tmp_path: Path) -> None:
    """python.org's django.contrib.redirects: a page per stored redirect (meta refresh, or a 410
    notice), the real statuses in _redirects.json, a published page winning over a redirect at
    its path, and edits/deletes reaching the site incrementally."""
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        ids = {}
        for old, new in (
            ("/old-news/", "/blogs/"),
            ("/sprints.html", "https://wiki.python.org/moin/Sprints"),
            ("/gone-page/", ""),
            ("/robots.txt", "/elsewhere/"),  # a file the site publishes: the redirect never applies
        ):
            r = await api.post("/api/v3/redirects", json={"old_path": old, "new_path": new})
            assert r.status_code == 201, r.text
            ids[old] = r.json()["id"]
    out = tmp_path / "origin"
    fake = FakeFastly()  # the edge dictionary answers data redirects with their real status
    with serve_asgi(fake) as fastly_url:
        fastly = {
            "PYDOTORG_FASTLY_API_KEY": API_KEY,
            "PYDOTORG_FASTLY_SERVICE_ID": SERVICE,
            "PYDOTORG_FASTLY_API_URL": fastly_url,
            "PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID": DICTIONARY,
        }
        _build(live_api, out, builder_key, env=fastly)
        assert fake.dictionary["/old-news/"] == "301 /blogs/" and fake.dictionary["/gone-page/"] == "410 "
        assert fake.dictionary["/downloads/latest/"].startswith("302 /downloads/")
        held = dict(fake.dictionary)
        fake.requests.clear()
        _build(live_api, out, builder_key, env=fastly)  # nothing changed: the dictionary is not read
        assert not [r for r in fake.requests if "/dictionary/" in r.path]
    site = out / "current"
    assert held == {
        path: f"{entry['status']} {entry['location']}"
        for path, entry in json.loads((site / "_redirects.json").read_text()).items()
    }
    moved = (site / "old-news/index.html").read_text()
    assert f'content="0; url={SITE}/blogs/"' in moved
    external = (site / "sprints.html").read_text()
    assert 'url=https://wiki.python.org/moin/Sprints"' in external and "testserverhttps" not in external
    gone = (site / "gone-page/index.html").read_text()
    assert "This page has been removed" in gone and "noindex" in gone
    assert (site / "robots.txt").read_text().startswith("User-agent")
    data = json.loads((site / "_redirects.json").read_text())
    assert data["/old-news/"] == {"location": "/blogs/", "status": 301}
    assert data["/sprints.html"] == {"location": "https://wiki.python.org/moin/Sprints", "status": 301}
    assert data["/gone-page/"] == {"location": "", "status": 410}
    assert "/robots.txt" not in data
    assert "gone-page" not in (site / "sitemap.xml").read_text()
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/redirects/{ids['/old-news/']}", json={"new_path": "/events/"})
        assert r.status_code == 200
        assert (await api.delete(f"/api/v3/redirects/{ids['/gone-page/']}")).status_code == 204
    _build(live_api, out, builder_key)
    site = out / "current"
    report = json.loads((out / "_state/last-build.json").read_text())
    assert sorted(report["published"]) == ["_redirects.json", "old-news/index.html"]
    assert "/events/" in (site / "old-news/index.html").read_text()
    assert not (site / "gone-page").exists()
    assert "/gone-page/" not in json.loads((site / "_redirects.json").read_text())


async def test_community_pages(
    live_api: str, builder_key: str, actors: Any, tmp_path: Path, settings: Any
) -> None:
    """/community/ lists public posts newest first, 25 per page, under python.org's community
    boxes; each public post has a page drawn by its media type; private posts are never listed
    or published, and a post made private disappears from the site incrementally."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(24)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        ids = []
        for n in range(27):
            r = await api.post(
                "/api/v3/community/posts",
                json={
                    "title": f"Post {n:02d}",
                    "content": f"<p>Body {n}</p>",
                    "status": 2,
                    "abstract": f"About {n}",
                },
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        photo = await api.post(
            "/api/v3/community/posts",
            json={
                "title": "PyCon photos",
                "content": "<p>Montreal</p><script>alert(1)</script>",
                "media_type": 2,
                "status": 2,
                "photos": [{"caption": "Keynote", "click_through_url": "https://us.pycon.org/"}],
            },
        )
        assert photo.status_code == 201, photo.text
        photo_post = photo.json()
        r = await api.post(
            f"/api/v3/community/posts/{photo_post['id']}/photos/{photo_post['photos'][0]['id']}/image",
            files={"file": ("keynote.png", png, "image/png")},
        )
        assert r.status_code == 201, r.text
        image_url = r.json()["photos"][0]["image_public_url"]
        video = await api.post(
            "/api/v3/community/posts",
            json={
                "title": "A talk",
                "content": "<p>Watch</p>",
                "media_type": 3,
                "status": 2,
                "videos": [
                    {
                        "video_embed": '<iframe src="https://www.youtube.com/embed/abc"></iframe>'
                        '<iframe src="https://evil.example/x"></iframe>',
                        "caption": "The talk",
                    }
                ],
            },
        )
        link = await api.post(
            "/api/v3/community/posts",
            json={
                "title": "Links",
                "content": "<p>Read</p>",
                "media_type": 4,
                "status": 2,
                "links": [{"url": "https://planetpython.org/"}],
            },
        )
        private = await api.post(
            "/api/v3/community/posts", json={"title": "Secret draft", "content": "<p>No</p>", "status": 1}
        )
        assert video.status_code == link.status_code == private.status_code == 201
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    first = (site / "community/index.html").read_text()
    second = (site / "community/page/2/index.html").read_text()
    assert first.count('class="post post-') == 25 and second.count('class="post post-') == 5
    assert first.index("Links") < first.index("A talk") < first.index("PyCon photos") < first.index("Post 26")
    assert "Post 01" in second and "Post 00" in second and 'rel="prev"' in second
    assert not (site / "community/page/3").exists()
    assert "Secret draft" not in first + second
    assert not (site / f"community/{private.json()['id']}").exists()
    photo_page = (site / f"community/{photo_post['id']}/index.html").read_text()
    assert f'src="{image_url}"' in photo_page and "<figcaption>Keynote</figcaption>" in photo_page
    assert 'href="https://us.pycon.org/"' in photo_page and "<script>" not in photo_page
    video_page = (site / f"community/{video.json()['id']}/index.html").read_text()
    assert 'src="https://www.youtube.com/embed/abc"' in video_page and "evil.example" not in video_page
    link_page = (site / f"community/{link.json()['id']}/index.html").read_text()
    assert '<a href="https://planetpython.org/"' in link_page
    text_page = (site / f"community/{ids[3]}/index.html").read_text()
    assert '<h1 class="page-title">Post 03</h1>' in text_page and "<p>Body 3</p>" in text_page
    # Made private: its page goes, the lists change, nothing else is re-rendered.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/community/posts/{link.json()['id']}", json={"status": 1})
        assert r.status_code == 200
    _build(live_api, out, builder_key)
    site = out / "current"
    report = json.loads((out / "_state/last-build.json").read_text())
    assert not (site / f"community/{link.json()['id']}").exists()
    assert f"community/{link.json()['id']}/index.html" in report["deleted_files"]
    assert sorted(report["published"]) == [
        "community/index.html",
        "community/page/2/index.html",
        "sitemap.xml",
    ]
