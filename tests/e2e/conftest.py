"""What the browser tests share: Debian's Chromium and its launch flags, a static server for the
built site, the builder fixtures (a live API, python.org's downloads fixture, a builder key) and
download-button files for the latest release on each platform.

Chromium comes from Debian (``apt-get install chromium``; ``.ci/run`` installs it) and is driven
by Playwright with ``executable_path``: Playwright's own browser download cannot work here. Without
it every test here is skipped, or fails under CI (``PYDOTORG_CI=1``, see ``tests/ci.py``).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ci import missing_program
from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import builder_key, live_api  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Browsers as python.org's downloads page tells them apart (site.js reads the user agent).
USER_AGENTS = {
    "windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36",
    "macos": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.6 Safari/605.1.15",
    "linux": "Mozilla/5.0 (X11; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
}
# Screenshots for a person to look at (git-ignored); CI can keep them as build artifacts.
ARTIFACTS = Path(__file__).parent / "artifacts"
# One page of every type the site builds (the accessibility and CSP checks open each).
PAGE_TYPES = [
    "/",
    "/downloads/",
    "/downloads/windows/",
    "/downloads/release/python-275/",
    "/downloads/operating-systems/",
    "/download/releases/2.7.5/",  # a CMS page
    "/no/such/page/",  # the 404 page, served with status 404
    "/about/",
    "/doc/",
    "/doc/versions/",
    "/psf-landing/",
    "/accounts/login/",
    "/jobs/create/",
    "/jobs/",
    "/events/",
    "/success-stories/",
    "/psf/records/board/minutes/",
    "/shell/",
    "/community/",
    "/community/3/",  # the demo video post (DEMO_COMMUNITY_POSTS)
    "/psf/sponsors/",  # the sponsors by package (shared_content's sponsor)
    "/community/microbit/",
    "/docs-landing/",  # the "Wait for it" landings
]


@pytest.fixture(scope="session", autouse=True)
def chromium_installed() -> str:
    """Debian's Chromium: skip every browser test without it (fail under CI). Session-scoped so
    that it is decided before the database and the other session fixtures start."""
    if CHROMIUM is None:
        missing_program("Chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def _broken(request: Any, base: str) -> bool:
    """A failed request to our site; a load the browser itself cancelled by navigating on
    (``net::ERR_ABORTED``, e.g. a favicon still in flight) is not a broken page."""
    return request.url.startswith(base) and "ERR_ABORTED" not in (request.failure or "")


@pytest.fixture(autouse=True)
async def shared_content(actors: Any, sessionmaker: Any, tmp_path_factory: Any) -> None:
    """python.org's real navigation menu and boxes, as ``make run`` seeds them."""
    from tests.site.test_build import _import_shared

    await _import_shared(sessionmaker, "boxes.json", "sitetree_menus.json")
    from pydotorg.core.db import transaction
    from pydotorg.core.storage import LocalStorage
    from pydotorg.dev.seed import DEMO_CODE_SAMPLES, DEMO_COMMUNITY_POSTS
    from pydotorg.domains.codesamples.services import save_sample
    from pydotorg.domains.community.services import save_post

    async with transaction(sessionmaker) as session:  # the home page slideshow, as make run seeds it
        for order, (code, copy) in enumerate(DEMO_CODE_SAMPLES):
            await save_sample(
                session, {"code": code, "copy": copy, "is_published": True, "sort_order": order}
            )
        for post in DEMO_COMMUNITY_POSTS:  # /community/ and a post page per media type
            await save_post(session, {**post, "status": 2}, LocalStorage(tmp_path_factory.mktemp("media")))
        await _sponsor(session)


async def _sponsor(session: Any) -> None:
    """A sponsor on the three logo walls (/psf/sponsors/, /downloads/, the jobs sidebar), shown
    by name: it has no logo, so the build fetches nothing from outside."""
    from datetime import UTC, datetime, timedelta

    from pydotorg.domains.sponsors import models as m

    today = datetime.now(UTC).date()
    package = m.SponsorshipPackage(
        slug="visionary", name="Visionary", order=0, year=today.year, logo_dimension=350, sponsorship_amount=1
    )
    sponsor = m.Sponsor(name="Example Sponsor", landing_page_url="https://example.org/")
    session.add_all([package, sponsor])
    await session.flush()
    sponsorship = m.Sponsorship(
        sponsor_id=sponsor.id,
        status=m.FINALIZED,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        package_id=package.id,
        year=today.year,
    )
    session.add(sponsorship)
    await session.flush()
    benefit = m.SponsorBenefit(sponsorship_id=sponsorship.id, name="Logo on python.org")
    session.add(benefit)
    await session.flush()
    session.add_all(
        m.BenefitFeature(
            sponsor_benefit_id=benefit.id, kind=m.LOGO_PLACEMENT, publisher="psf", logo_place=place
        )
        for place in ("sponsors", "download", "jobs")
    )


@pytest.fixture
def served_site(tmp_path: Path, live_api: str) -> Iterator[tuple[Path, str]]:  # noqa: F811
    """The origin directory the test builds into, served like the production origin
    (legacy redirects, the /downloads/latest/ 302s, the 404 page) by sitebuilder.serve."""
    from sitebuilder.serve import make_server

    root = tmp_path / "origin"
    root.mkdir()
    server = make_server(root, "127.0.0.1", 0, api_url=live_api)  # /api/ on the same origin
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def featured_downloads(live_api: str, dl: Fixture, actors: Any) -> dict[str, str]:  # noqa: F811
    """The big download buttons' files, added through the API as python.org has them: the latest
    Python 3 (3.10.19) for Windows, macOS and "source" (python.org's OS slug for the tarball),
    and an install manager whose Windows package comes first. Returns {kind: file URL}."""
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:

        async def create(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await api.post(path, json=body)
            assert r.status_code == 201, r.text
            return r.json()

        source = await create("/api/v3/downloads/os", {"name": "Source code", "slug": "source"})
        manager = await create(
            "/api/v3/downloads/releases",
            {
                "name": "Python install manager 25.2",
                "version": 100,
                "is_latest": True,
                "is_published": True,
                "release_date": "2025-10-01T00:00:00Z",
            },
        )
        py3, windows, macos = dl.releases["Python 3.10.19"], dl.os["windows"], dl.os["macos"]
        files = {  # kind: (release, OS, file name, path under /ftp/python/)
            "manager": (manager["id"], windows, "Windows MSIX package", "pymanager/python-manager-25.2.msix"),
            "windows": (py3, windows, "Windows installer (64-bit)", "3.10.19/python-3.10.19-amd64.exe"),
            "macos": (py3, macos, "macOS 64-bit universal2 installer", "3.10.19/python-3.10.19-macos11.pkg"),
            "source": (py3, source["id"], "Gzipped source tarball", "3.10.19/Python-3.10.19.tgz"),
        }
        for release_id, os_id, name, path in files.values():
            await create(
                "/api/v3/downloads/files",
                {
                    "name": name,
                    "release_id": release_id,
                    "os_id": os_id,
                    "url": FTP + path,
                    "download_button": True,
                },
            )
    return {kind: FTP + path for kind, (*_, path) in files.items()}
