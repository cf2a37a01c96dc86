"""Sponsors on the built site (inventory 1.16, "Public display of sponsors"), built against a live
API whose media are served over HTTP: /psf/sponsors/ by package with python.org's sizes and
anchors, the downloads landing's wall (150 px thumbnails) and the jobs sidebar's (100 px), the
logo thumbnails published once per logo, a logo that cannot be fetched reported while the build
publishes, and a sponsors change re-rendering and purging exactly the pages that show it."""

from __future__ import annotations

import functools
import io
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest
from PIL import Image

from pydotorg.app import create_app
from pydotorg.core.db import transaction
from pydotorg.core.storage import create_storage
from pydotorg.domains.pages.models import Page
from pydotorg.domains.sponsors import models as m
from tests.helpers import serve_asgi
from tests.site.test_build import SITE, _build, _tree, builder_key  # noqa: F401  (fixture)

# The paths the media server answered, in order (what the builder fetched).
FETCHED: list[str] = []


class _Quiet(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        FETCHED.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def media_server(settings: Any) -> Iterator[str]:
    """The media directory over HTTP at /media/, as the site's origin serves it."""
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(settings.state_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def sponsors_api(settings: Any, mailer: Any, media_server: str) -> Iterator[str]:
    """The API with its site (and so its media URLs) at ``media_server``."""
    app = create_app(
        msgspec.structs.replace(settings, site_url=media_server), mailer=mailer, configure_logs=False
    )
    with serve_asgi(app, lifespan="on") as url:
        yield url


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (55, 118, 171, 255)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><rect width="300" height="100"/></svg>'


async def _world(sessionmaker: Any, settings: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Alpha and Beta (Visionary, 350 px: every wall; a 400x100 PNG, a 300x100 SVG), Gamma
    (Sustainability, 300 px: sponsors page and jobs; its logo file is missing), Delta
    (Supporting, 250 px: sponsors page only; no logo), Omega (finalized and active, but no
    placement: nowhere). Returns the sponsors' ids and the logos' stored names."""
    storage = create_storage(settings)
    today = datetime.now(UTC).date()
    alpha_logo = await storage.save("sponsors/alpha.png", _png(400, 100))
    beta_logo = await storage.save("sponsors/beta.svg", SVG)
    ids: dict[str, int] = {}
    async with transaction(sessionmaker) as s:
        packages = {}
        for slug, name, order, dimension in (
            ("visionary", "Visionary", 0, 350),
            ("sustainability", "Sustainability", 1, 300),
            ("supporting", "Supporting", 4, 250),
        ):
            package = m.SponsorshipPackage(
                slug=slug,
                name=name,
                order=order,
                year=today.year,
                logo_dimension=dimension,
                sponsorship_amount=1000,
            )
            s.add(package)
            await s.flush()
            packages[slug] = package
        for name, logo, slug, places in (
            ("Alpha Corp", alpha_logo, "visionary", ("sponsors", "download", "jobs")),
            ("Beta Org", beta_logo, "visionary", ("sponsors", "download", "jobs")),
            ("Gamma", "sponsors/gamma-missing.png", "sustainability", ("sponsors", "jobs")),
            ("Delta", "", "supporting", ("sponsors",)),
            ("Omega", alpha_logo, "supporting", ()),
        ):
            sponsor = m.Sponsor(
                name=name,
                web_logo=logo,
                landing_page_url=f"https://example.org/{name.split()[0].lower()}",
            )
            s.add(sponsor)
            await s.flush()
            sponsorship = m.Sponsorship(
                sponsor_id=sponsor.id,
                status=m.FINALIZED,
                start_date=today - timedelta(days=10),
                end_date=today + timedelta(days=10),
                package_id=packages[slug].id,
                year=today.year,
                applied_on=today - timedelta(days=20),
            )
            s.add(sponsorship)
            await s.flush()
            benefit = m.SponsorBenefit(sponsorship_id=sponsorship.id, name="Logo on python.org", order=1)
            s.add(benefit)
            await s.flush()
            for place in places:
                s.add(
                    m.BenefitFeature(
                        sponsor_benefit_id=benefit.id,
                        kind=m.LOGO_PLACEMENT,
                        publisher="psf",
                        logo_place=place,
                    )
                )
            ids[name] = sponsor.id
        # An imported CMS page at python.org's application URL: the sponsors section wins.
        s.add(Page(title="Old sponsors page", path="psf/sponsors", content_html="<p>Stale CMS copy</p>"))
    return ids, {"alpha": alpha_logo, "beta": beta_logo}


def _report(out: Path) -> dict[str, Any]:
    return json.loads((out / "_state/last-build.json").read_text())


def _imgs(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


async def test_sponsor_walls_built_and_rebuilt_exactly(
    sponsors_api: str,
    builder_key: str,  # noqa: F811
    actors: Any,
    sessionmaker: Any,
    settings: Any,
    media_server: str,
    tmp_path: Path,
) -> None:
    ids, logos = await _world(sessionmaker, settings)
    out = tmp_path / "origin"
    FETCHED.clear()
    summary = _build(sponsors_api, out, builder_key)
    # Each logo a wall shows is fetched once, whatever the number of walls.
    assert sorted(FETCHED) == sorted(
        f"/media/{name}" for name in (*logos.values(), "sponsors/gamma-missing.png")
    )
    assert summary.startswith("full build:"), summary
    site = out / "current"

    # The logo that cannot be fetched is reported; the build published everything else.
    skipped = _report(out)["skipped"]
    assert [(s["domain"], s["kind"], s["id"], s["path"]) for s in skipped] == [
        ("sponsors", "sponsor", str(ids["Gamma"]), f"{media_server}/media/sponsors/gamma-missing.png")
    ]
    assert "HTTP 404" in skipped[0]["reason"]

    # /psf/sponsors/: python.org's application URL wins over the CMS page at the same path.
    page = (site / "psf/sponsors/index.html").read_text()
    assert "Stale CMS copy" not in page
    assert '<h1 class="page-title">Python Software Foundation Sponsors</h1>' in page
    headings = re.findall(r'<h2 id="package-([^"]+)"[^>]*>([^<]*)</h2>', page)
    assert headings == [
        ("visionary", "Visionary Sponsors"),
        ("sustainability", "Sustainability Sponsors"),
        ("supporting", "Supporting Sponsors"),
    ]
    assert re.findall(r'<li id="([^"]+)">', page) == ["alpha-corp", "beta-org", "gamma", "delta"]
    assert "Omega" not in page
    visionary = _section(page, 'id="package-visionary"')
    assert 'data-logo-dimension="350"' in visionary
    # python.org's ideal_size: the width that gives the logo 100 x 350 px², within the 350 px cell
    assert _imgs(visionary) == [
        {
            "src": f"{media_server}/media/{logos['alpha']}",
            "alt": "Alpha Corp logo",
            "width": "350",
            "height": "88",
            "loading": "lazy",
        },
        {
            "src": f"{media_server}/media/{logos['beta']}",
            "alt": "Beta Org logo",
            "width": "324",
            "height": "108",
            "loading": "lazy",
        },
    ]
    assert '<a class="sponsor-logo" href="https://example.org/alpha" rel="sponsored noopener">' in visionary
    # Gamma's logo failed and Delta has none: both by name, still linked to their landing page.
    for name, slug in (("Gamma", "gamma"), ("Delta", "delta")):
        assert (
            f'<a class="sponsor-logo sponsor-logo-missing" href="https://example.org/{slug}" '
            f'rel="sponsored noopener">{name}</a>'
        ) in page
    assert "data-ea-" not in page and "ethicalads" not in page.lower()
    assert f"<loc>{SITE}/psf/sponsors/</loc>" in (site / "sitemap.xml").read_text()

    # /downloads/: the download wall, 150 px thumbnails of raster logos, the SVG as it is.
    downloads = (site / "downloads/index.html").read_text()
    wall = _section(downloads, 'class="sponsor-wall sponsor-wall-download"')
    assert ">Sponsors</h2>" in wall and "Visionary sponsors help to host Python downloads." in wall
    alpha, beta = _imgs(wall)
    thumb_150 = alpha["src"].removeprefix(SITE + "/")
    assert re.fullmatch(r"media-thumbs/[0-9a-f]{16}-h150\.png", thumb_150), alpha
    assert (alpha["width"], alpha["height"]) == ("150", "38")
    assert (beta["src"], beta["width"], beta["height"]) == (
        f"{media_server}/media/{logos['beta']}",
        "150",
        "50",
    )
    assert "Gamma" not in wall and "Delta" not in wall
    with Image.open(site / thumb_150) as thumb:
        assert (thumb.format, thumb.size) == ("PNG", (600, 150))
    assert (site / "getit/index.html").read_bytes() == (site / "downloads/index.html").read_bytes()

    # The jobs sidebar, on every jobs page: "Job Board Sponsors", 100 px thumbnails.
    jobs_pages = sorted(str(p.relative_to(site)) for p in (site / "jobs").rglob("*.html"))
    assert "jobs/index.html" in jobs_pages and "jobs/create/index.html" in jobs_pages
    for path in jobs_pages:
        sidebar = _section((site / path).read_text(), 'class="sponsor-wall sponsor-wall-jobs')
        assert ">Job Board Sponsors</h2>" in sidebar, path
        alpha, beta = _imgs(sidebar)
        assert re.fullmatch(rf"{SITE}/media-thumbs/[0-9a-f]{{16}}-h100\.png", alpha["src"]), alpha
        assert (alpha["width"], alpha["height"], beta["width"], beta["height"]) == ("100", "25", "100", "33")
        assert ">Gamma</span>" in sidebar or ">Gamma</a>" in sidebar
        assert "Delta" not in sidebar
    thumb_100 = alpha["src"].removeprefix(SITE + "/")
    with Image.open(site / thumb_100) as thumb:
        assert thumb.size == (400, 100)
    thumbs = sorted(str(p.relative_to(site)) for p in (site / "media-thumbs").iterdir())
    assert thumbs == sorted([thumb_100, thumb_150])  # once per logo and height (Omega's is Alpha's file)

    # Nothing changed: nothing is fetched again or written.
    assert _build(sponsors_api, out, builder_key).startswith("incremental build: 0 written")

    # A sponsor on the sponsors page only: that page alone is re-rendered and purged.
    async with transaction(sessionmaker) as s:
        (await s.get_one(m.Sponsor, ids["Delta"])).name = "Delta Renamed"
    _build(sponsors_api, out, builder_key)
    report = _report(out)
    assert report["published"] == ["psf/sponsors/index.html"]
    assert report["purged_urls"] == ["/psf/sponsors/"]
    assert ">Delta Renamed</a>" in (site / "psf/sponsors/index.html").read_text()
    # The walls were read again; of the logos only the one that failed was asked for again.
    assert FETCHED[-1] == "/media/sponsors/gamma-missing.png" and len(FETCHED) == 4

    # A sponsor on every wall: the sponsors page, /downloads/ (and its /getit/ mirror) and every
    # jobs page, nothing else; the new logo gets new thumbnails and the old ones are deleted.
    new_logo = await create_storage(settings).save("sponsors/alpha-2.png", _png(200, 100))
    async with transaction(sessionmaker) as s:
        (await s.get_one(m.Sponsor, ids["Alpha Corp"])).web_logo = new_logo
    _build(sponsors_api, out, builder_key)
    report = _report(out)
    new_thumbs = sorted(str(p.relative_to(site)) for p in (site / "media-thumbs").iterdir())
    assert len(new_thumbs) == 2 and not set(new_thumbs) & set(thumbs)
    pages = ["downloads/index.html", "getit/index.html", "psf/sponsors/index.html", *jobs_pages]
    assert report["published"] == sorted([*pages, *new_thumbs])
    assert report["deleted_files"] == thumbs
    assert report["purged_urls"] == sorted(
        {"/" + p.removesuffix("index.html") for p in pages} | {"/" + p for p in [*thumbs, *new_thumbs]}
    )
    with Image.open(site / new_thumbs[1]) as thumb:  # "-h150" sorts after "-h100" for one digest
        assert thumb.size == (300, 150)

    # Incremental builds end where a full build of the same data does.
    fresh = tmp_path / "fresh"
    _build(sponsors_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


def test_dev_server_serves_media_before_a_site_is_published(tmp_path: Path) -> None:
    """``make run`` starts the site's server before the first build, which reads the sponsor
    logos from its /media/: media are answered while pages still say nothing is published."""
    import httpx

    from sitebuilder import serve

    media = tmp_path / "media"
    (media / "sponsors").mkdir(parents=True)
    (media / "sponsors" / "logo.png").write_bytes(_png(4, 2))
    (tmp_path / "outside.png").write_bytes(_png(4, 2))
    server = serve.make_server(tmp_path / "site", "127.0.0.1", 0, media_root=media)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}") as http:
            logo = http.get("/media/sponsors/logo.png")
            assert logo.status_code == 200 and logo.content == _png(4, 2)
            assert logo.headers["content-type"] == "image/png"
            for path in (
                "/media/nope.png",
                "/media/%2e%2e/outside.png",
                "/media/sponsors/%2e%2e/%2e%2e/outside.png",
            ):
                assert http.get(path).status_code == 404, path
            assert http.get("/").status_code == 503
    finally:
        server.shutdown()
        server.server_close()
