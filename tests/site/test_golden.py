"""A small fixture site rendered into a temp folder and compared, byte for byte, with the
expected output committed under ``tests/site/golden/``.

The input is a saved snapshot (``golden/snapshot.json``: the test downloads data, a handful of
python.org's boxes and its menu, and two sponsors on the three logo walls, one with a PNG logo
and one with an SVG: ``_sponsor_walls``), rendered offline with ``sitebuilder.build --from-snapshot``.
After an intended change to the theme or the plan, regenerate both with
``PYDOTORG_UPDATE_GOLDEN=1 pytest tests/site/test_golden.py`` and review the diff."""

from __future__ import annotations

import difflib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydotorg.dev.paths import PYTHON_ORG_DATA
from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import SITE, _build, builder_key, live_api  # noqa: F401  (fixtures)

GOLDEN = Path(__file__).parent / "golden"
SNAPSHOT = GOLDEN / "snapshot.json"
EXPECTED = GOLDEN / "expected"
UPDATE = os.environ.get("PYDOTORG_UPDATE_GOLDEN") == "1"
BOXES = ("homepage-introduction", "homepage-get-started", "supernav-python-about", "aboutpython-banner")
FILES = (
    "index.html",
    "404.html",
    "about/index.html",
    "doc/index.html",
    "doc/versions/index.html",
    "downloads/index.html",
    "downloads/windows/index.html",
    "downloads/release/python-275/index.html",
    "downloads/latest/python3/index.html",
    "downloads/feed.rss",
    "download/releases/2.7.5/index.html",
    "box/supernav-python-about/index.html",
    "box/supernav-python-downloads/index.html",
    "box/homepage-downloads/index.html",
    "getit/release/python-275/index.html",
    "_redirects.json",
    "robots.txt",
    "humans.txt",
    "sitemap.xml",
    "blogs/index.html",
    "jobs/index.html",
    "jobs/feed/rss/index.rss",
    "accounts/login/index.html",
    "psf/sponsors/index.html",
)
# The sponsors of the fixture site: the API's placement items (docs/api/v3-sponsors-placements.md)
# and their logos, put into the snapshot as the builder stores them (no media server needed).
SPONSOR_PACKAGE = {"name": "Visionary", "slug": "visionary", "order": 0, "logo_dimension": 350, "year": 2026}
SPONSOR_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><rect width="240" height="120"/></svg>'
)


async def _regenerate(api: str, key: str, sessionmaker: Any, tmp_path: Path) -> None:
    from tests.site.test_build import _import_shared

    await _import_shared(sessionmaker, "sitetree_menus.json")
    boxes = [
        b for b in json.loads((PYTHON_ORG_DATA / "boxes.json").read_text()) if b["fields"]["label"] in BOXES
    ]
    from pydotorg.core.db import transaction
    from pydotorg.django_import import importer

    async with transaction(sessionmaker) as session:
        await importer.run(session, boxes)
    out = tmp_path / "live"
    _build(api, out, key)
    snap = json.loads((out / "_state/snapshot.json").read_text())
    snap["outputs"], snap["site_version"] = {}, ""
    _sponsor_walls(snap["data"])
    GOLDEN.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(snap, indent=1, sort_keys=True) + "\n")


def _sponsor_walls(data: dict[str, Any]) -> None:
    from PIL import Image

    from sitebuilder.sections.sponsors import logo_info

    png = io.BytesIO()
    Image.new("RGB", (300, 100), (43, 91, 132)).save(png, "PNG")
    logos = {
        f"{SITE}/media/sponsors/golden.png": png.getvalue(),
        f"{SITE}/media/sponsors/golden.svg": SPONSOR_SVG,
    }
    items = [
        {
            "sponsor_id": number,
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "description": "",
            "landing_page_url": f"https://example.org/{number}",
            "web_logo": url,
            "white_logo": None,
            "package": SPONSOR_PACKAGE,
            "year": 2026,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "link_to_sponsors_page": False,
            "describe_as_sponsor": False,
        }
        for number, (name, url) in enumerate(zip(("Golden Raster", "Golden Vector"), logos, strict=True), 1)
    ]
    for flight in ("sponsors", "download", "jobs"):
        data[f"view:sponsors/{flight}"] = items
    data["view:sponsor-logos"] = {url: logo_info(url, body) for url, body in logos.items()}


def _render(tmp_path: Path) -> Path:
    out = tmp_path / "offline"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitebuilder.build",
            "--from-snapshot",
            str(SNAPSHOT),
            "--out",
            str(out),
            "--site-url",
            SITE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].startswith("snapshot build:"), result.stdout
    return out / "current"


async def test_fixture_site_matches_expected_output(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    sessionmaker: Any,
    tmp_path: Path,
) -> None:
    if UPDATE:
        await _regenerate(live_api, builder_key, sessionmaker, tmp_path)
    site = _render(tmp_path)
    if UPDATE:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for name in FILES:
            (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / name, EXPECTED / name)
    problems = []
    for name in FILES:
        got, want = (site / name).read_text(), (EXPECTED / name).read_text()
        if got != want:
            diff = difflib.unified_diff(
                want.splitlines(), got.splitlines(), "expected", "rendered", lineterm=""
            )
            problems.append(f"{name}:\n" + "\n".join(list(diff)[:40]))
    assert not problems, "rendered output differs (PYDOTORG_UPDATE_GOLDEN=1 to accept):\n" + "\n".join(
        problems
    )
    # Rendering the snapshot twice gives the same bytes (no clock, no randomness, no dict order).
    again = _render(tmp_path / "again")
    assert all((again / name).read_bytes() == (site / name).read_bytes() for name in FILES)


def test_offline_build_refuses_a_bad_snapshot(tmp_path: Path) -> None:
    bad = tmp_path / "snapshot.json"
    bad.write_text("not json")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitebuilder.build",
            "--from-snapshot",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and "not a snapshot" in result.stderr
    assert not (tmp_path / "o" / "current").exists()
