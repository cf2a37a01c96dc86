"""The pages and answers of python.org's top-level URL map (inventory 0.3) that no section of its
own covers: the fixed landing pages (``sections/landings.py``), ``/funding.json``
(``sections/sitefiles.py``), the legacy media URLs ``/m/<path>`` (``sitebuilder.legacymedia``: the
origin's nginx, the development server and the generated Fastly snippets), ``/_health`` and the
hook of the staff-only "Edit this release" link (its script is tested in Chromium:
``tests/e2e/test_staff_edit_link.py``).

The site is the golden snapshot (``tests/site/golden/snapshot.json``) rendered offline once per
module; nginx is the local one (skipped without it, failed under CI)."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import httpx
import pytest

from sitebuilder import legacymedia, serve
from sitebuilder.outputs import Skipped
from sitebuilder.sections import sitefiles
from tests.site.test_origin_nginx import built  # noqa: F401  (fixture: one offline build of the golden snapshot)
from tests.site.test_redirects import run_origin_nginx, serving

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "tests" / "site" / "golden" / "snapshot.json"
FUNDING = REPO / "data" / "pythondotorg" / "funding.json"
FASTLY = REPO / "deploy" / "fastly"
SITE = "https://www.python.org"
MEDIA_BASE = "https://media.example.org/pydotorg-media/media/"

# Request target -> the media path it redirects to (None: no redirect). The targets are sent byte
# for byte (http.client): httpx would resolve the dot segments itself before sending.
MEDIA_CASES: dict[str, str | None] = {
    "/m/files/logo.png": "files/logo.png",
    "/m/files/logo.png/": "files/logo.png",  # python.org's pattern ended in a slash
    "/m/dir/x%20y.pdf": "dir/x%20y.pdf",  # other escapes are kept as sent
    "/m/caf%C3%A9.png": "caf%C3%A9.png",
    "/m/files/logo.png?size=1": "files/logo.png",  # the query string is dropped
    "/m/": None,
    "/m//": None,
    "/m/./": None,
}
# Traversal attempts: wherever they are answered, the target stays below the base.
TRAVERSALS = (
    "/m/../../secret.txt",
    "/m/x/../../etc/passwd",
    "/m/%2e%2e/%2E%2e/secret.txt",
    "/m/.%2e/.%2E/secret.txt",
    "/m/..%2f..%2fsecret.txt",
    "/m/a%5c..%5c..%5csecret.txt",
    "/m/a\\..\\..\\secret.txt",
    "/m/a/%2e%2e//./b.png",
)
# The edge and the development server remove the segments (python.org's view); a backslash and
# its escape are separators.
STRIPPED = {
    "/m/../../secret.txt": "secret.txt",
    "/m/x/../../etc/passwd": "x/etc/passwd",
    "/m/%2e%2e/%2E%2e/secret.txt": "secret.txt",
    "/m/.%2e/.%2E/secret.txt": "secret.txt",
    "/m/..%2f..%2fsecret.txt": "secret.txt",
    "/m/a%5c..%5c..%5csecret.txt": "a/secret.txt",
    "/m/a\\..\\..\\secret.txt": "a/secret.txt",
    "/m/a/%2e%2e//./b.png": "a/b.png",
}


def raw_get(base: str, target: str) -> tuple[int, str | None, httpx.Headers, bytes]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        headers = httpx.Headers(response.getheaders())
        return response.status, response.getheader("Location"), headers, response.read()
    finally:
        connection.close()


def _below(location: str, base: str) -> bool:
    """Whether ``location`` stays below ``base`` once a browser resolves it (backslashes read as
    slashes, dot segments resolved)."""
    resolved = httpx.URL("http://site.test/").join(location.replace("\\", "/"))
    return str(resolved).startswith(str(httpx.URL("http://site.test/").join(base)))


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(built: Path) -> Path:  # noqa: F811
    return (built / "current").resolve(strict=True)


@pytest.fixture(scope="module")
def nginx(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    with run_origin_nginx(tmp_path_factory.mktemp("urlmap-nginx"), site=built) as base:
        yield base


@pytest.fixture(scope="module")
def nginx_media_base(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The origin's nginx with a deployment's media base (compose's MinIO, say)."""
    prefix = tmp_path_factory.mktemp("urlmap-nginx-base")
    setting = prefix / "media-base.conf"
    setting.write_text(f'set $pyorg_media_base "{MEDIA_BASE}";\n')
    with run_origin_nginx(prefix / "nginx", site=built, extra={"media-base/site.conf": setting}) as base:
        yield base


@pytest.fixture(scope="module")
def dev(built: Path) -> Iterator[str]:  # noqa: F811
    with serving(built) as base:
        yield base


# --- the landing pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body_class", "meanwhile"),
    [
        ("docs-landing", "python docs", ["/doc/", "https://docs.python.org/3/"]),
        ("pypl-landing", "pypl", ["https://pypi.org/"]),
        ("shop-landing", "shop", []),
    ],
)
def test_wait_for_it_landings(site: Path, path: str, body_class: str, meanwhile: list[str]) -> None:
    html = (site / path / "index.html").read_text()
    assert "<title>Wait for it… | Python.org</title>" in html
    body = re.search(r'<body class="([^"]*)">', html)
    assert body is not None and body.group(1).endswith(f"default-page wait-for-it {body_class}")
    assert '<h1 class="page-title">Wait for it…</h1>' in html
    assert "we know that the link that got you here needs to be finished up" in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'class="main-navigation' in html and 'class="main-footer' in html  # the site's chrome
    links = re.findall(r'<p class="wait-for-it-meanwhile">(.*?)</p>', html)
    assert re.findall(r'href="([^"]+)"', links[0] if links else "") == meanwhile
    assert f"{SITE}/{path}/" not in (site / "sitemap.xml").read_text()


def test_microbit_page(site: Path) -> None:
    html = (site / "community" / "microbit" / "index.html").read_text()
    assert "<title>MicroPython on the BBC micro:bit | Python.org</title>" in html
    assert '<h1 class="page-title">MicroPython on the BBC micro:bit</h1>' in html
    comic = re.search(r'<img src="([^"]+)" width="1038" height="424" alt="A BBC micro:bit comic">', html)
    assert comic is not None and comic.group(1) == f"{SITE}/theme/img/microbit.png"
    assert (site / "theme" / "img" / "microbit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [h for h in re.findall(r"<h2>([^<]+)</h2>", html)] == ["Links", "Community"]
    for link in ("https://micropython.org/", "https://codewith.mu/", "https://pycomic.github.io/"):
        assert f'href="{link}"' in html
    assert '<a href="https://www.python.org/community/">Community</a>' in html  # the breadcrumb
    assert "noindex" not in html
    assert f"<loc>{SITE}/community/microbit/</loc>" in (site / "sitemap.xml").read_text()


def test_style_guide_is_not_built(site: Path) -> None:
    """python.org's /inner/ documented its old theme's CSS for editors (docs/decisions.md)."""
    assert not (site / "inner").exists()


# --- /funding.json ---------------------------------------------------------------------------------


def test_funding_json_is_python_orgs_file(site: Path) -> None:
    published = (site / "funding.json").read_bytes()
    assert published == FUNDING.read_bytes()
    manifest = json.loads(published)
    assert manifest["version"] == "v1.0.0"
    assert manifest["entity"]["name"] == "Python Software Foundation"
    assert [p["guid"] for p in manifest["projects"]] == ["cpython", "pypi", "pyconus", "community"]
    assert {c["guid"] for c in manifest["funding"]["channels"]} >= {"github", "bank"}
    assert "funding.json" not in (site / "sitemap.xml").read_text()


def test_a_broken_funding_file_is_reported_not_published(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"version": "v1.0.0"}\n')
    assert sitefiles.funding_manifest(good) == '{"version": "v1.0.0"}\n'
    for name, content, reason in (
        ("bad.json", '{"version": ', "is not valid JSON"),
        ("list.json", "[]", "is not a JSON object"),
    ):
        (tmp_path / name).write_text(content)
        skipped = sitefiles.funding_manifest(tmp_path / name)
        assert isinstance(skipped, Skipped) and skipped.path == "funding.json"
        assert reason in skipped.reason
    missing = sitefiles.funding_manifest(tmp_path / "missing.json")
    assert isinstance(missing, Skipped) and "cannot be read" in missing.reason


@pytest.mark.parametrize("server", ["nginx", "dev"])
def test_funding_json_is_served_as_json(server: str, request: pytest.FixtureRequest, site: Path) -> None:
    base = request.getfixturevalue(server)
    response = httpx.get(base + "/funding.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.content == (site / "funding.json").read_bytes()
    assert response.json()["entity"]["email"] == "sponsors@python.org"


# --- /_health --------------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["nginx", "dev"])
def test_health_answers_ok_for_any_path_starting_with_it(server: str, request: pytest.FixtureRequest) -> None:
    base = request.getfixturevalue(server)
    for path in ("/_health", "/_health/", "/_healthz", "/_health/deep/check?x=1"):
        status, _, headers, body = raw_get(base, path)
        assert (status, body) == (200, b"OK"), path
        assert headers["content-type"] == "text/plain; charset=utf-8", path
        assert headers["cache-control"] == "no-store", path  # never kept by the CDN or a browser
        assert "surrogate-key" not in headers or headers["surrogate-key"] == "", path
    for path in ("/x/_health", "/_heal"):
        assert raw_get(base, path)[0] == 404, path


# --- /m/<path> -------------------------------------------------------------------------------------


def test_media_path_rule() -> None:
    for target, expected in {**MEDIA_CASES, **STRIPPED}.items():
        path = target.partition("?")[0]
        assert legacymedia.media_path(path) == expected, target
        assert legacymedia.location(MEDIA_BASE, path) == (None if expected is None else MEDIA_BASE + expected)
    assert legacymedia.media_path("/mx/a.png") is None
    assert legacymedia.media_path("/media/a.png") is None
    assert legacymedia.location("https://cdn.example.org/media", "/m/a") == "https://cdn.example.org/media/a"


@pytest.mark.parametrize("base", [legacymedia.DEFAULT_BASE_URL, MEDIA_BASE])
def test_dev_server_media_redirects(base: str, built: Path) -> None:  # noqa: F811
    httpd = serve.make_server(built, "127.0.0.1", 0, media_base_url=base)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        for target, expected in {**MEDIA_CASES, **STRIPPED}.items():
            status, location, headers, _ = raw_get(origin, target)
            if expected is None:
                assert status == 404, target
                continue
            assert (status, location) == (301, base + expected), target
            assert "content-security-policy" in headers  # the site's headers, as on every answer
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.mark.parametrize(("server", "base"), [("nginx", "/media/"), ("nginx_media_base", MEDIA_BASE)])
def test_origin_nginx_media_redirects(server: str, base: str, request: pytest.FixtureRequest) -> None:
    origin = request.getfixturevalue(server)
    for target, expected in MEDIA_CASES.items():
        status, location, headers, _ = raw_get(origin, target)
        if expected is None:
            assert status == 404, target
            continue
        assert (status, location) == (301, base + expected), target
        assert headers["cache-control"] == legacymedia.CACHE_CONTROL, target  # as the edge sends it
    # nginx resolves dot segments (also %2e) before it picks a location, and refuses what would
    # climb above the root; it never redirects anywhere but below the base.
    answers = {target: raw_get(origin, target)[:2] for target in TRAVERSALS}
    for target, (status, location) in answers.items():
        assert status in (301, 400, 404), target
        if status == 301:
            assert location is not None and _below(location, base), (target, location)
            assert ".." not in location and "\\" not in location, (target, location)
    assert answers["/m/a/%2e%2e//./b.png"] == (301, base + "b.png")
    assert answers["/m/a%5c..%5c..%5csecret.txt"][0] == 404  # a backslash is refused
    assert raw_get(origin, "/m/a%3Fb")[0] == 404  # so is "?", which rewrite would send as is


def test_edge_media_redirects_apply_the_modules_steps() -> None:
    """The committed snippets are the module's, and running their regsuball steps (PCRE and
    Python's re read these patterns alike) answers every case as the development server does."""
    snippets = FASTLY / "snippets"
    for relative, generate in legacymedia.DEPLOY_FILES.items():
        assert (REPO / relative).read_text() == generate(), (
            f"{relative}: run python -m sitebuilder.legacymedia write"
        )
    recv = (snippets / "legacy-media-recv.vcl").read_text()
    steps = re.findall(r'regsuball\(req\.http\.X-Pydotorg-Media-Path, \{"(.*?)"\}, \{"(.*?)"\}\);', recv)
    assert tuple(steps) == legacymedia.STEPS
    assert 'if (req.method != "FASTLYPURGE" && req.url.path ~ "^/m/") {' in recv

    def edge(path: str) -> str | None:
        if not re.search(r"^/m/", path):
            return None
        value = re.sub(r"^/m", "", path, count=1)
        for pattern, replacement in steps:
            value = re.sub(pattern, replacement, value)
        return value or None

    for target, expected in {**MEDIA_CASES, **STRIPPED}.items():
        # Fastly's req.url.path: the path as sent, without the query string.
        assert edge(target.partition("?")[0]) == expected, target
    for target in TRAVERSALS:
        cleaned = edge(target)
        assert cleaned is not None and _below("/media/" + cleaned, "/media/"), target
    error = (snippets / "legacy-media-error.vcl").read_text()
    assert "set obj.status = 301;" in error
    assert (
        f'table.lookup({legacymedia.SETTINGS_DICTIONARY}, "{legacymedia.BASE_URL_KEY}", '
        f'"{legacymedia.DEFAULT_BASE_URL}")' in error
    )


def test_terraform_keeps_the_media_base_in_the_settings_dictionary() -> None:
    with (FASTLY / "main.tf").open() as handle:
        main: dict[str, Any] = hcl2.load(handle)
    with (FASTLY / "variables.tf").open() as handle:
        variables = {k: v for block in hcl2.load(handle)["variable"] for k, v in block.items()}
    local_values: dict[str, Any] = {}
    for block in main["locals"]:
        local_values.update(block)
    assert json.loads(local_values["settings_dictionary"]) == legacymedia.SETTINGS_DICTIONARY
    settings = [
        r['"fastly_service_dictionary_items"']['"settings"']
        for r in main["resource"]
        if '"settings"' in r.get('"fastly_service_dictionary_items"', {})
    ]
    assert len(settings) == 1
    assert settings[0]["dictionary_id"] == "${local.settings_dictionary_id}"
    assert settings[0]["items"] == {legacymedia.BASE_URL_KEY: "${var.media_base_url}"}
    assert settings[0]["manage_items"] is True  # Terraform's own items, unlike the redirects
    assert json.loads(variables['"media_base_url"']["default"]) == legacymedia.DEFAULT_BASE_URL


# --- the staff-only edit link ----------------------------------------------------------------------


def test_release_pages_carry_only_an_empty_hidden_hook(site: Path) -> None:
    """Every visitor gets the same bytes: no link, no name of staff, only where the script puts it."""
    html = (site / "downloads" / "release" / "python-275" / "index.html").read_text()
    hooks = re.findall(r'<p class="staff-edit" data-staff-edit="release" data-id="(\d+)" hidden></p>', html)
    assert hooks == ["1"]  # the release's id in the snapshot
    assert "Edit this release" not in html
    assert f'<script src="{SITE}/theme/js/staff.js" defer></script>' in html
    script = (site / "theme" / "js" / "staff.js").read_text()
    assert '"/api/v3/downloads/releases/" + id' in script and "is_staff !== true" in script
    mirror = (site / "getit" / "release" / "python-275" / "index.html").read_text()
    assert mirror == html
