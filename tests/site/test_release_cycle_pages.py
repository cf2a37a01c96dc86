"""The release-cycle data on the site (inventory 1.8, 4.2): the "Active Python Releases" table on
/downloads/ (and /getit/) and the end-of-life warning on release pages, built against a live test
API whose data ``downloads.refresh_release_cycle`` fetched from a local server. A change of the
data rebuilds exactly the pages that show it, and the incremental build equals a full one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pydotorg.core.db import transaction
from pydotorg.domains.downloads import release_cycle
from pydotorg.domains.downloads.services import save_release
from tests.api.test_release_cycle import CYCLE_BYTES, CycleServer
from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import serve_asgi
from tests.site.test_build import _build, _tree, builder_key, live_api  # noqa: F401  (fixtures)

SITE = "https://www.python.org"


@pytest.fixture
def peps() -> Iterator[CycleServer]:
    server = CycleServer()
    with serve_asgi(server) as url:
        server.url = url
        yield server


def _report(out: Path) -> dict[str, Any]:
    return json.loads((out / "_state/last-build.json").read_text())


def _with_mirrors(*paths: str) -> list[str]:
    return sorted([*paths, *("getit/" + p.removeprefix("downloads/") for p in paths)])


def _active_table(html: str) -> str:
    return html.split('id="active-releases"')[1].split("</section>")[0]


async def test_release_cycle_table_warning_and_exact_rebuilds(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    sessionmaker: Any,
    settings: Any,
    peps: CycleServer,
    tmp_path: Path,
) -> None:
    async with transaction(sessionmaker) as s:  # a Python 2 series the data does not list
        await save_release(
            s,
            {
                "name": "Python 2.5.6",
                "version": 2,
                "is_published": True,
                "release_date": datetime(2011, 5, 26, tzinfo=UTC),
            },
        )
    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    landing = (site / "downloads/index.html").read_text()
    assert "The list of active release series is not available right now." in _active_table(landing)
    assert "reached end-of-life" not in (site / "downloads/release/python-275/index.html").read_text()

    # The data arrives: the landing and the pages of the series it makes end-of-life.
    local = msgspec.structs.replace(
        settings, release_cycle_url=peps.url + "/release-cycle.json", release_cycle_timeout_seconds=2.0
    )
    assert (await release_cycle.refresh(sessionmaker, local))["status"] == "stored"
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("incremental build:"), summary
    report = _report(out)
    latest_fallbacks = [f"downloads/latest/python3.{n}/index.html" for n in (11, 12, 13, 14)]
    assert sorted(p for p in report["published"] if p != "_redirects.json") == _with_mirrors(
        "downloads/index.html",
        "downloads/release/python-275/index.html",
        "downloads/release/python-256/index.html",  # Python <= 2, not listed: end-of-life
        "downloads/release/python-000/index.html",
        "downloads/release/python-3820/index.html",
        "downloads/release/python-3819/index.html",
        "downloads/release/python-3990/index.html",
        *latest_fallbacks,  # table rows without a release of their own: to /downloads/
    )
    landing = (site / "downloads/index.html").read_text()
    table = _active_table(landing)
    rows = [row.split("</th>")[0].rsplit(">", 1)[1] for row in table.split('<th scope="row"')[1:]]
    assert rows == ["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"]  # 3.15/3.16 not released yet
    assert (
        'end-of-life, last release was <a href="https://www.python.org/downloads/release/python-3990/">3.9.90</a>'
        in table
    )
    assert 'href="https://www.python.org/downloads/latest/python3.14/"' in table
    assert '<a href="https://peps.python.org/pep-0745/">PEP 745</a>' in table
    assert '<td class="release-start">2025-10-07</td>' in table and "2030-10" in table
    assert (site / "getit/index.html").read_bytes() == (site / "downloads/index.html").read_bytes()
    redirects = json.loads((site / "_redirects.json").read_text())
    assert redirects["/downloads/latest/python3.14/"] == {"location": "/downloads/", "status": 302}
    old = (site / "downloads/release/python-3820/index.html").read_text()
    assert "Python 3.8.20 reached end-of-life on 2024-10-07." in " ".join(old.split())
    assert "It is no longer supported and does not receive security updates." in " ".join(old.split())
    assert "Python 2.5.6 reached end-of-life." in " ".join(
        (site / "downloads/release/python-256/index.html").read_text().split()
    )
    assert "reached end-of-life" not in (site / "downloads/release/python-31019/index.html").read_text()

    # One series reaches its end of life: the landing, /getit/ and that series' pages, nothing else.
    moved = json.loads(CYCLE_BYTES)
    moved["3.10"].update(status="end-of-life", end_of_life="2026-10-04")
    peps.body = json.dumps(moved).encode()
    result = await release_cycle.refresh(sessionmaker, local)
    assert result["updated"] == ["3.10"]
    summary = _build(live_api, out, builder_key)
    report = _report(out)
    expected = _with_mirrors(
        "downloads/index.html",
        "downloads/release/python-31019/index.html",
        "downloads/release/python-31018/index.html",
    )
    assert sorted(report["published"]) == expected, summary
    assert sorted(report["purged_urls"]) == sorted("/" + p.removesuffix("index.html") for p in expected)
    table = _active_table((site / "downloads/index.html").read_text())
    assert ">3.9<" not in table  # only the newest end-of-life series is listed
    assert (
        'last release was <a href="https://www.python.org/downloads/release/python-31019/">3.10.19</a>'
        in table
    )
    page = " ".join((site / "downloads/release/python-31018/index.html").read_text().split())
    assert "Python 3.10.18 reached end-of-life on 2026-10-04." in page

    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)
