"""The origin's nginx (deploy/origin/nginx.conf) serving a real build, URL for URL against the
development server (``sitebuilder.serve``) over the same tree.

One table (``_table``) lists every URL with the answer it must get: every URL of the sitemap,
every feed and calendar the builder wrote, every legacy redirect of ``tests/site/test_redirects``
(which exercises every rule of the table), every data redirect of ``_redirects.json``, the 404
page, the ``/box/`` fragments and every other published file. The same check runs on both
servers, so they cannot disagree. nginx's compression and cache headers are checked on top.

The site is the golden snapshot (``tests/site/golden/snapshot.json``) rendered offline once per
module, with one event calendar added so the per-calendar ``.ics`` exists too."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from sitebuilder import serve
from tests.ci import missing_program
from tests.site.test_redirects import CASES as LEGACY_CASES
from tests.site.test_redirects import run_origin_nginx, serving

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "tests" / "site" / "golden" / "snapshot.json"
SITE = "https://www.python.org"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
BROTLI_FILES = REPO / "deploy" / "origin" / "brotli"

# Expected Content-Type by extension, written out here (not taken from either server).
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
}
# Feeds every build writes (python.org's URLs), whatever the data.
KNOWN_FEEDS = (
    "/jobs/feed/rss/",
    "/psf/records/board/minutes/feed/",
    "/downloads/feed.rss",
    "/getit/feed.rss",
    "/events/calendar.ics",
    "/events/python-events/calendar.ics",
)
MISSING = ("/no/such/page/", "/no-such-file.txt", "/jobs/feed/atom/", "/404.html", "/.git/config")


@dataclass(frozen=True)
class Case:
    group: str  # sitemap, feed, redirect, data-redirect, gone, box, file, not-found, slash
    target: str  # request target (path and query)
    status: int
    file: str | None = None  # the published file the body must equal (relative to the release)
    location: str | None = None
    # Where nginx answers differently by design, its (status, file): a data redirect. Fastly answers
    # those from its edge dictionary (and the dev server from _redirects.json); nginx cannot read
    # the JSON per release, so it serves the fallback page the builder writes at the same URL.
    nginx: tuple[int, str] | None = None


def _file_for(release: Path, path: str) -> str:
    relative = path.lstrip("/")
    if path.endswith("/"):
        found = [relative + index for index in serve.INDEX_FILES if (release / relative / index).is_file()]
        assert found, f"{path}: no index file"
        return found[0]
    assert (release / relative).is_file(), path
    return relative


def _url(relative: str) -> str:
    for index in serve.INDEX_FILES:
        if relative == index:
            return "/"
        if relative.endswith("/" + index):
            return "/" + relative[: -len(index)]
    return "/" + relative


def _table(release: Path) -> list[Case]:
    cases: list[Case] = []
    sitemap = ElementTree.parse(release / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.iter() if e.tag.endswith("}loc")]
    assert locs and all(loc.startswith(SITE + "/") for loc in locs)
    for loc in locs:
        path = loc.removeprefix(SITE)
        cases.append(Case("sitemap", path, 200, _file_for(release, path)))
    files = sorted(
        str(p.relative_to(release)) for p in release.rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    feeds = [f for f in files if f.endswith((".rss", ".atom", ".ics"))]
    assert set(KNOWN_FEEDS) <= {_url(f) for f in feeds}
    cases += [Case("feed", _url(f), 200, f) for f in feeds]
    cases += [Case("box", _url(f), 200, f) for f in files if f.startswith("box/")]
    for path, query, expected in LEGACY_CASES:
        if expected is not None:
            target = path + (f"?{query}" if query else "")
            cases.append(Case("redirect", target, expected[0], location=expected[1]))
    data = json.loads((release / "_redirects.json").read_text())
    assert data, "the fixture site has data redirects"
    for path, entry in data.items():
        if entry["status"] == serve.GONE:
            cases.append(Case("gone", path, 410, _file_for(release, path)))
        else:
            fallback = _file_for(release, path)
            assert f'url={SITE}{entry["location"]}"' in (release / fallback).read_text(), path
            cases.append(
                Case(
                    "data-redirect", path, entry["status"], location=entry["location"], nginx=(200, fallback)
                )
            )
    covered = {c.file for c in cases} | {c.nginx[1] for c in cases if c.nginx}
    cases += [
        Case("file", _url(f), 200, f)
        for f in files
        if f not in covered and f != "404.html" and _served(f, data)
    ]
    cases += [Case("not-found", path, 404, "404.html") for path in MISSING]
    cases.append(Case("slash", "/downloads", 301, location="/downloads/"))
    cases.append(Case("slash", "/jobs/feed/rss", 301, location="/jobs/feed/rss/"))
    return cases


def _served(relative: str, data: dict[str, object]) -> bool:
    """Published files answered as themselves (not the meta-refresh pages behind a redirect)."""
    url = _url(relative)
    return url not in data and not relative.startswith("_state/")


def _check(case: Case, response: httpx.Response, release: Path, server: str) -> None:
    where = f"{server} {case.group} {case.target}"
    if server == "nginx" and case.nginx is not None:
        case = Case(case.group, case.target, *case.nginx)
    assert response.status_code == case.status, where
    if case.location is not None:
        assert response.headers["location"] == case.location, where
    if case.file is not None:
        suffix = Path(case.file).suffix
        assert response.headers["content-type"] == TYPES[suffix], where
        assert response.content == (release / case.file).read_bytes(), where


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The origin root of one offline build (``<root>/current`` is the release)."""
    work = tmp_path_factory.mktemp("origin-build")
    snapshot = json.loads(SNAPSHOT.read_text())
    snapshot["data"]["view:events/calendars"] = [
        {
            "id": 1,
            "slug": "python-events",
            "name": "Python Events",
            "description": "",
            "url": "/events/python-events/",
            "rss": "",
            "page_url": "",
        }
    ]
    (work / "snapshot.json").write_text(json.dumps(snapshot))
    root = work / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitebuilder.build",
            "--from-snapshot",
            str(work / "snapshot.json"),
            "--out",
            str(root),
            "--site-url",
            SITE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return root


@pytest.fixture(scope="module")
def release(built: Path) -> Path:
    return (built / "current").resolve(strict=True)


@pytest.fixture(scope="module")
def nginx(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_origin_nginx(
        tmp_path_factory.mktemp("origin-nginx"), site=built, extra=_brotli_includes()
    ) as base:
        yield base


@pytest.fixture(scope="module")
def dev(built: Path) -> Iterator[str]:
    with serving(built) as base:
        yield base


def _brotli_includes() -> dict[str, Path]:
    """deploy/origin/brotli/ where Debian's brotli module is installed (CI installs it)."""
    if not BROTLI_MODULE.is_file():
        return {}
    return {
        "modules/brotli.conf": BROTLI_FILES / "load-module.conf",
        "compression/brotli.conf": BROTLI_FILES / "compression.conf",
    }


# --- the tests ------------------------------------------------------------------------------------


def test_nginx_and_the_dev_server_answer_every_url_alike(nginx: str, dev: str, release: Path) -> None:
    cases = _table(release)
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.group] = counts.get(case.group, 0) + 1
    with (
        httpx.Client(base_url=nginx, timeout=10, headers={"accept-encoding": "gzip"}) as origin,
        httpx.Client(base_url=dev, timeout=10) as development,
    ):
        for case in cases:
            for name, client in (("nginx", origin), ("dev", development)):
                _check(case, client.get(case.target), release, name)
            head = origin.head(case.target)
            status = case.nginx[0] if case.nginx else case.status
            assert head.status_code == status and head.content == b"", case.target
    # Every kind of URL is there in numbers (figures for the report: print with -s).
    print("origin URLs checked:", len(cases), dict(sorted(counts.items())))
    assert counts["sitemap"] >= 40 and counts["feed"] == len(KNOWN_FEEDS) and counts["box"] >= 5
    assert counts["redirect"] >= 100 and counts["data-redirect"] >= 5


def test_nginx_cache_headers(nginx: str, release: Path) -> None:
    month, day = "max-age=2592000, stale-if-error=86400", "max-age=300, stale-if-error=3600"
    expected = {
        "/": ("public, max-age=300", month, "site html section-root"),
        "/downloads/": ("public, max-age=300", month, "site html section-downloads"),
        "/jobs/feed/rss/": ("public, max-age=300", month, "site feed section-jobs"),
        "/psf/records/board/minutes/feed/": ("public, max-age=300", month, "site feed section-psf"),
        "/events/calendar.ics": ("public, max-age=300", month, "site feed section-events"),
        "/sitemap.xml": ("public, max-age=300", month, "site xml section-root"),
        "/theme/css/style.css": ("public, max-age=300", month, "site other section-theme"),
        "/box/homepage-downloads/": ("public, max-age=300", month, "site html section-box"),
        "/no/such/page/": ("public, max-age=60", day, "site html section-root"),  # keys of /404.html
        "/download/": ("public, max-age=300", month, "site other section-download"),
    }
    with httpx.Client(base_url=nginx, timeout=10) as client:
        for path, (cache, surrogate, keys) in expected.items():
            response = client.get(path)
            got = tuple(
                response.headers.get(h) for h in ("cache-control", "surrogate-control", "surrogate-key")
            )
            assert got == (cache, surrogate, keys), path
        # A 302 (legacy /peps/) is not cached at all; a 301 is, like a page.
        moved = client.get("/peps/")
        assert moved.status_code == 302
        assert (moved.headers["cache-control"], moved.headers["surrogate-control"]) == (
            "no-store",
            "no-store",
        )


@pytest.mark.parametrize(
    "path",
    ["/", "/downloads/", "/jobs/feed/rss/", "/downloads/feed.rss", "/sitemap.xml", "/theme/css/style.css"],
)
def test_nginx_compresses_text(nginx: str, release: Path, path: str) -> None:
    with httpx.Client(base_url=nginx, timeout=10) as client:
        raw = client.get(path, headers={"accept-encoding": "gzip"})
        assert raw.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in raw.headers["vary"]
        assert (
            gzip.decompress(_raw_body(nginx, path, "gzip"))
            == (release / _file_for(release, path)).read_bytes()
        )
        plain = client.get(path, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        # Already compressed formats are sent as they are.
        png = client.get(
            "/media-thumbs/" + _first(release, "media-thumbs"), headers={"accept-encoding": "gzip"}
        )
        assert png.status_code == 200 and "content-encoding" not in png.headers


def test_nginx_brotli_where_debian_has_the_module(nginx: str, release: Path) -> None:
    """deploy/origin/brotli/ with Debian's module (libnginx-mod-http-brotli-filter): ``br`` for
    clients that accept it. No Python brotli decoder here: the body is checked to be the
    compressed form (smaller, not the file), the bytes themselves only by gzip above."""
    if not BROTLI_MODULE.is_file():
        missing_program(
            "Debian's nginx brotli module is missing (apt-get install libnginx-mod-http-brotli-filter)"
        )
    original = (release / "index.html").read_bytes()
    body = _raw_body(nginx, "/", "br")
    assert body != original and 0 < len(body) < len(original) // 2
    with httpx.Client(base_url=nginx, timeout=10) as client:
        both = client.get("/", headers={"accept-encoding": "gzip, br"})
        assert both.headers["content-encoding"] == "br"
        assert "Accept-Encoding" in both.headers["vary"]


def _first(release: Path, directory: str) -> str:
    return sorted(p.name for p in (release / directory).iterdir())[0]


def _raw_body(base: str, path: str, encoding: str) -> bytes:
    """The body as sent (not decoded), with only ``encoding`` accepted."""
    with (
        httpx.Client(base_url=base, timeout=10) as client,
        client.stream("GET", path, headers={"accept-encoding": encoding}) as response,
    ):
        assert response.headers.get("content-encoding") == encoding, path
        return b"".join(response.iter_raw())
