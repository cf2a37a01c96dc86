"""Legacy redirects (inventory appendix A): the table's answers, the generated deploy files, the
origin's real nginx answering the same, and the development server (``sitebuilder.serve``)
over HTTP: files, content types, 404s, traversal, ``_redirects.json`` and the atomic switch."""

from __future__ import annotations

import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sitebuilder import redirects, serve
from sitebuilder.redirects import Redirect, resolve
from tests.ci import missing_program

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "deploy" / "origin" / "nginx.conf"

WIKI = "https://wiki.python.org/moin"
COC = "https://policies.python.org/python.org/code-of-conduct/"

# (path, query, expected (status, location) or None), straight from appendix A.
CASES: list[tuple[str, str, tuple[int, str] | None]] = [
    # Personal pages; /~guido keeps the rest of the path.
    ("/~barry", "", (301, "http://barry.warsaw.us/")),
    ("/~bwarsaw", "", (301, "http://barry.warsaw.us/")),
    ("/~barry/old.html", "", None),
    ("/~guido", "", (301, "https://gvanrossum.github.io/")),
    ("/~guido/", "", (301, "https://gvanrossum.github.io/")),
    ("/~guido/Resume.html", "", (301, "https://gvanrossum.github.io/Resume.html")),
    ("/~guido/images/guido.jpg", "", (301, "https://gvanrossum.github.io/images/guido.jpg")),
    # Community and PSF; prefixes match any continuation.
    ("/consortium", "", (301, "/psf")),
    ("/consortium/members.html", "", (301, "/psf")),
    ("/community/psf/", "", (301, "/psf")),
    ("/community-landing", "", (301, "/community/")),
    ("/community-landing/anything/", "", (301, "/community/")),
    ("/contact.html", "", (301, "/community")),
    ("/topics/xml/", "", (301, "http://pyxml.sourceforge.net/topics")),
    ("/topics/web", "", (301, f"{WIKI}/WebProgramming")),
    ("/topics/database/", "", (301, f"{WIKI}/DatabaseProgramming")),
    ("/doc/topics/database/", "", (301, f"{WIKI}/DatabaseProgramming")),
    ("/audio/", "", (301, f"{WIKI}/Audio")),
    # Documentation.
    ("/doc/Summary.html", "", (301, "http://legacy.python.org/doc/intros/summary")),
    ("/doc/NonEnglish.html", "", (301, f"{WIKI}/Languages")),
    ("/doc/nonenglish/", "", (301, f"{WIKI}/Languages")),
    ("/doc/Intros.html", "", (301, "/about/gettingstarted/")),
    *(
        (f"/doc/faq/{name}/", "", (301, f"https://docs.python.org/faq/{name}"))
        for name in (
            "installed",
            "gui",
            "windows",
            "extending",
            "library",
            "design",
            "programming",
            "general",
        )
    ),
    ("/doc/faq/general/index.html", "", (301, "https://docs.python.org/faq/general")),
    ("/doc/faq/windows", "", None),
    ("/doc/faq/", "", None),
    ("/doc/", "", None),
    ("/doc/howto/regex/", "", (301, "https://docs.python.org/dev/howto/index.html")),
    ("/doc/Comparisons.html", "", (301, f"{WIKI}/LanguageComparisons")),
    ("/dev/lists.html", "", (301, "/community/lists")),
    ("/dev/doc/devel/", "", (301, "https://docs.python.org/dev")),
    ("/security", "", (301, "/news/security")),
    ("/security/", "", (301, "/news/security")),
    ("/sigs/", "", (301, "/community/sigs")),
    # Jobs, help, news, blog.
    ("/Jobs.html", "", (301, "/jobs/")),
    ("/newjobs", "", (301, "/jobs")),
    ("/newjobs/", "", (301, "/jobs/")),
    ("/newjobs/42/", "", (301, "/jobs/42/")),
    ("/Help.html", "", (301, "/about/help")),
    ("/help", "", (301, "/about/help")),
    ("/help/", "", (301, "/about/help")),
    ("/News.html", "", (301, "/news")),
    ("/news/", "", (302, "/blogs/")),
    ("/news/security", "", (302, "/blogs/")),
    ("/news", "", None),
    ("/blog/", "", (301, "https://python.org/blogs/")),
    ("/blogs/", "", None),
    # Downloads: exact /download/ paths versus the /download/download_*.html prefixes.
    ("/2.2.3/descrintro.html", "", (301, "/download/releases/2.2.3/descrintro/")),
    ("/download/download_linux.html", "", (301, "/download/linux")),
    ("/download/download_mac.html", "", (301, "/download/mac")),
    ("/download/download_os2.html", "", (301, "/download/other")),
    ("/download/download_other.html", "", (301, "/download/other")),
    ("/download/download_source.html", "", (301, "/download/source")),
    ("/download/download_win31.html", "", (301, "/download/windows")),
    ("/download/download_windows.html", "", (301, "/download/windows")),
    ("/windows/", "", (301, "/download/windows/")),
    ("/windows/python.msi", "", (301, "/download/windows/")),
    ("/windows", "", None),
    ("/download/", "", (301, "/downloads/")),
    ("/download/", "utm_source=x", (301, "/downloads/")),
    ("/download", "", None),
    ("/download/releases/2.7/", "", None),
    ("/download/source/", "", (301, "/downloads/source/")),
    ("/download/source/old/", "", None),
    ("/download/mac/", "", (301, "/downloads/macos/")),
    ("/download/mac/tcltk/", "", None),
    ("/download/windows/", "", (301, "/downloads/windows/")),
    ("/download/windows", "", None),
    ("/downloads/", "", None),
    ("/Mirrors.html", "", (301, "/mirrors/")),
    ("/Mirrors", "", (301, "/mirrors/")),
    ("/mirrors/", "", None),
    # Wiki, old feeds, trackers, lists.
    ("/cgi-bin/moinmoin/FrontPage", "", (301, "https://wiki.python.org/moin")),
    ("/python.rdf", "", (301, "http://legacy.python.org/channews.rdf")),
    ("/mailman-bugs", "", (301, "http://sourceforge.net/bugs/?group_id=103")),
    ("/mailman-bugs/", "", (301, "http://sourceforge.net/bugs/?group_id=103")),
    ("/python-bugs", "", (301, "http://bugs.python.org/")),
    ("/python-bugs/", "", (301, "http://bugs.python.org/")),
    ("/jpython/", "", (301, "http://www.jython.org/")),
    ("/mailman/listinfo/python-dev", "", (301, "https://mail.python.org/mailman/listinfo/python-dev")),
    (
        "/pipermail/python-dev/2000-July/",
        "",
        (301, "https://mail.python.org/pipermail/python-dev/2000-July/"),
    ),
    # PyPI keeps the query string; the others drop it.
    ("/pypi", "", (301, "https://pypi.python.org/pypi")),
    ("/pypi/requests/json", "", (301, "https://pypi.python.org/pypi/requests/json")),
    ("/pypi", ":action=search&term=web", (301, "https://pypi.python.org/pypi?:action=search&term=web")),
    ("/pypi/Django/", "page=2", (301, "https://pypi.python.org/pypi/Django/?page=2")),
    ("/mailman/listinfo/", "x=1", (301, "https://mail.python.org/mailman/listinfo/")),
    # PEPs: a regex beats the /peps/ prefix; the /dev/peps/ regex sends everything on.
    ("/peps/pep-0008.html", "", (301, "/dev/peps/pep-0008/")),
    ("/peps/pep-3000.html", "", (301, "/dev/peps/pep-3000/")),
    ("/peps/", "", (302, "/dev/peps/")),
    ("/peps/pep-0008/", "", (302, "/dev/peps/")),
    ("/peps/pep-0008.txt", "", (302, "/dev/peps/")),
    ("/peps/index.html", "", (302, "https://peps.python.org/index")),
    ("/dev/peps/", "", (302, "https://peps.python.org/")),
    ("/dev/peps", "", (302, "https://peps.python.org/")),
    ("/dev/peps/pep-0008/", "", (302, "https://peps.python.org/pep-0008/")),
    ("/dev/peps/peps.rss", "", (301, "https://peps.python.org/peps.rss/")),
    ("/dev/peps/peps.rss/", "", (301, "https://peps.python.org/peps.rss/")),
    ("/dev/peps/pepsxrss", "", (302, "https://peps.python.org/pepsxrss")),
    ("/peps", "", None),
    # SourceForge issue numbers.
    ("/sf/1234", "", (302, "https://bugs.python.org/issue1234")),
    # Code of conduct (a regex beats the /psf/codeofconduct prefix for the page itself).
    ("/psf/conduct", "", (302, COC)),
    ("/psf/conduct/", "", (302, COC)),
    ("/psf/conduct/enforcement/", "", (302, f"{COC}Enforcement-Procedures/")),
    ("/psf/conduct/reporting", "", (302, f"{COC}Procedures-for-Reporting-Incidents/")),
    ("/psf/archive/codeofconduct/", "", (302, COC)),
    ("/psf/codeofconduct", "", (302, COC)),
    ("/psf/codeofconduct/", "", (302, COC)),
    ("/psf/codeofconduct/old.html", "", (301, "/psf/conduct")),
    ("/psf/conduct/other/", "", None),
    # The site's own pages are untouched.
    ("/", "", None),
    ("/about/", "", None),
    ("/psf/", "", None),
    ("/community/", "", None),
    ("/jobs/", "", None),
    ("/downloads/latest/python3/", "", None),
]


def _case_id(case: tuple[str, str, tuple[int, str] | None]) -> str:
    path, query, _ = case
    return path + (f"?{query}" if query else "")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_resolve(case: tuple[str, str, tuple[int, str] | None]) -> None:
    path, query, expected = case
    assert resolve(path, query) == expected


def test_every_rule_is_exercised() -> None:
    found = [redirects.find(path) for path, _, _ in CASES]
    used = {rule for rule, _ in filter(None, found)}
    assert set(redirects.REDIRECTS) - used == set()


def test_generated_order_answers_like_nginx_precedence() -> None:
    """The generated configs use one first-match list; it must agree with nginx's rule."""
    order = redirects.effective_order()
    assert sorted(order, key=repr) == sorted(redirects.REDIRECTS, key=repr)
    for path, _, _ in CASES:
        first = next(((r, loc) for r in order if (loc := r.location_for(path)) is not None), None)
        assert first == redirects.find(path), path


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (lambda: Redirect("regex", "/unanchored", "/x"), "anchored"),
        (lambda: Redirect("prefix", "relative", "/x"), "slash"),
        (lambda: Redirect("regex", "^/(a)$", "/$2"), "group"),
        (lambda: Redirect("regex", "^/(a)$", "/x?y=1", keep_query=True), "query"),
        (lambda: Redirect("prefix", "/a b", "/x"), "configuration"),
    ],
)
def test_bad_rules_are_refused(rule: Callable[[], Redirect], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule()


@pytest.mark.parametrize("relative", sorted(redirects.DEPLOY_FILES))
def test_committed_deploy_files_match_the_table(relative: str) -> None:
    committed = (REPO / relative).read_text()
    assert committed == redirects.DEPLOY_FILES[relative](), (
        f"{relative} is out of date: run `uv run python -m sitebuilder.redirects write`"
    )


def test_cli_prints_the_generated_files() -> None:
    for command, generate in (
        ("nginx", redirects.nginx_conf),
        ("vcl", redirects.fastly_vcl),
        ("vcl-error", redirects.fastly_vcl_error),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "sitebuilder.redirects", command],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == generate()


def test_nginx_conf_includes_the_redirects_before_its_regex_locations() -> None:
    conf = NGINX_CONF.read_text()
    include = conf.index("include pydotorg/redirects.conf;")
    assert include < conf.index("location ~ /\\.(?!well-known/)")
    assert include < conf.index("location ~ [^/]$")


# --- the development server ----------------------------------------------------------------------

SECRET = "do-not-serve-this"


def write_tree(release: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        target = release / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return release


def switch_current(root: Path, release: str) -> None:
    """What LocalDirectoryOrigin does: a new symlink renamed over ``current``."""
    temporary = root / ".current.tmp"
    temporary.symlink_to(Path("releases") / release)
    os.replace(temporary, root / "current")


RELEASE_A = {
    "index.html": "<h1>home A</h1>",
    "404.html": "<h1>not here</h1>",
    "downloads/index.html": "<h1>downloads</h1>",
    "downloads/latest/python3/index.html": '<meta http-equiv="refresh" content="0; url=/downloads/">',
    "jobs/feed.rss": "<rss/>",
    "events/python-events.ics": "BEGIN:VCALENDAR",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *",
    "static/css/style.css": "body {}",
    "static/js/main.js": "1;",
    "static/data.bin": "??",
    "static/empty-dir/.keep": "",
    ".well-known/security.txt": "Contact: mailto:security@python.org",
    ".git/config": SECRET,
}


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """An origin root: releases/a (live), a secret next to the tree and one outside the root."""
    root = tmp_path / "site"
    release = write_tree(root / "releases" / "a", RELEASE_A)
    (root / "releases" / "secret.txt").write_text(SECRET)
    (root / "secret.txt").write_text(SECRET)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (outside / "index.html").write_text(SECRET)
    (release / "leak.txt").symlink_to(outside / "secret.txt")
    (release / "leakdir").symlink_to(outside, target_is_directory=True)
    (release / "up").symlink_to(Path(".."), target_is_directory=True)
    (release / "alias.html").symlink_to("index.html")  # inside the tree: fine
    (root / "current").symlink_to(Path("releases") / "a")
    return root


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """``make_server`` on a free port in a thread; yields the base URL."""
    server = serve.make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def site(origin: Path) -> Iterator[httpx.Client]:
    with serving(origin) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def raw_get(client: httpx.Client, target: str) -> tuple[int, str | None, str]:
    """GET with the request target sent byte for byte (httpx removes ``..`` segments itself);
    returns status, Location and body."""
    url = client.base_url
    connection = http.client.HTTPConnection(url.host, url.port, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read().decode(errors="replace")
    finally:
        connection.close()


def test_serves_files_and_directory_indexes(site: httpx.Client) -> None:
    home = site.get("/")
    assert (home.status_code, home.text) == (200, "<h1>home A</h1>")
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    downloads = site.get("/downloads/")
    assert (downloads.status_code, downloads.text) == (200, "<h1>downloads</h1>")
    assert site.get("/robots.txt").text == "User-agent: *"
    assert site.get("/alias.html").text == "<h1>home A</h1>"
    assert site.get("/.well-known/security.txt").status_code == 200


def test_head_sends_the_headers_without_a_body(site: httpx.Client) -> None:
    response = site.head("/downloads/")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len("<h1>downloads</h1>"))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == b""
    assert site.head("/nope/").status_code == 404
    assert site.head("/download/").headers["location"] == "/downloads/"


def test_directory_without_slash_redirects(site: httpx.Client) -> None:
    response = site.get("/downloads")
    assert (response.status_code, response.headers["location"]) == (301, "/downloads/")
    assert site.get("/downloads?page=2").headers["location"] == "/downloads/?page=2"
    # Never "//downloads/", which a browser would read as another host.
    assert raw_get(site, "//downloads")[:2] == (301, "/downloads/")
    # A directory without index.html is not listed.
    assert site.get("/static/css/").status_code == 404
    assert site.get("/static/empty-dir").status_code == 404
    # A file with a trailing slash is not a directory.
    assert site.get("/robots.txt/").status_code == 404


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/jobs/feed.rss", "application/rss+xml; charset=utf-8"),
        ("/events/python-events.ics", "text/calendar; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/static/css/style.css", "text/css; charset=utf-8"),
        ("/static/js/main.js", "application/javascript; charset=utf-8"),
        ("/static/data.bin", "application/octet-stream"),
        ("/downloads/", "text/html; charset=utf-8"),
    ],
)
def test_content_types(site: httpx.Client, path: str, expected: str) -> None:
    response = site.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected


def test_content_types_are_the_origins() -> None:
    """serve.py's table is nginx.conf's `types` block and `charset_types`."""
    conf = NGINX_CONF.read_text()
    types_block = re.search(r"\btypes \{(.*?)\}", conf, re.S)
    assert types_block is not None
    declared: dict[str, str] = {}
    for line in types_block.group(1).splitlines():
        words = line.split("#")[0].replace(";", "").split()
        for extension in words[1:]:
            declared[extension] = words[0]
    assert declared == serve.CONTENT_TYPES
    charset_types = re.search(r"charset_types(.*?);", conf, re.S)
    assert charset_types is not None
    assert {"text/html", *charset_types.group(1).split()} == serve.CHARSET_TYPES
    assert f"default_type {serve.DEFAULT_TYPE};" in conf


def test_missing_file_is_the_404_page(site: httpx.Client) -> None:
    for path in ("/no/such/page/", "/no-such-file.txt", "/404.html"):
        response = site.get(path)
        assert (response.status_code, response.text) == (404, "<h1>not here</h1>"), path
        assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/../../secret.txt",
        "/downloads/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/downloads/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/./index.html",
        "/leak.txt",
        "/leakdir/secret.txt",
        "/leakdir/",
        "/up/secret.txt",
        "/.git/config",
        "/index.html%00.txt",
    ],
)
def test_nothing_outside_the_tree_is_served(site: httpx.Client, target: str) -> None:
    status, _, body = raw_get(site, target)
    assert (status, body) == (404, "<h1>not here</h1>")
    assert SECRET not in body


def test_legacy_redirects_come_first(site: httpx.Client) -> None:
    for path, query, expected in CASES:
        response = site.get(path + (f"?{query}" if query else ""))
        if expected is None:
            assert response.status_code in (200, 404), path
        else:
            assert (response.status_code, response.headers["location"]) == expected, path


def test_data_redirects(site: httpx.Client, origin: Path) -> None:
    redirects_file = origin / "releases" / "a" / "_redirects.json"
    entry = {"location": "/downloads/release/python-3143/", "status": 302}
    redirects_file.write_text(json.dumps({"/downloads/latest/python3/": entry}))

    # Ahead of the meta-refresh page at the same path, with or without the trailing slash.
    for path in ("/downloads/latest/python3/", "/downloads/latest/python3"):
        response = site.get(path)
        assert (response.status_code, response.headers["location"]) == (302, entry["location"]), path
    assert site.get("/downloads/latest/python3/?x=1").headers["location"] == entry["location"]
    assert site.get("/downloads/latest/python2/").status_code == 404

    # The builder rewrites the file: the next request sees the new entries.
    newer = {"location": "/downloads/release/python-3144/", "status": 302}
    redirects_file.write_text(
        json.dumps({"/downloads/latest/python3/": newer, "/downloads/latest/python2/": entry})
    )
    stat = redirects_file.stat()
    os.utime(redirects_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert site.get("/downloads/latest/python3").headers["location"] == newer["location"]
    assert site.get("/downloads/latest/python2/").headers["location"] == entry["location"]

    # A broken file is ignored, not fatal.
    redirects_file.write_text("{not json")
    os.utime(redirects_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert site.get("/downloads/latest/python3/").status_code == 200


def test_gone_paths_answer_410_with_their_notice(site: httpx.Client, origin: Path) -> None:
    release = origin / "releases" / "a"
    write_tree(release, {"old-sprint/index.html": "<h1>removed</h1>"})
    (release / "_redirects.json").write_text(
        json.dumps(
            {
                "/old-sprint/": {"location": "", "status": 410},
                "/nothing-here.html": {"location": "", "status": 410},
                "/moved/": {"location": "https://example.org/new", "status": 301},
            }
        )
    )
    for path in ("/old-sprint/", "/old-sprint"):
        response = site.get(path)
        assert (response.status_code, response.text) == (410, "<h1>removed</h1>"), path
    assert site.get("/nothing-here.html").status_code == 410
    moved = site.get("/moved/")
    assert (moved.status_code, moved.headers["location"]) == (301, "https://example.org/new")


def test_atomic_switch_is_seen_by_the_next_request(site: httpx.Client, origin: Path) -> None:
    assert site.get("/").text == "<h1>home A</h1>"
    release_b = write_tree(
        origin / "releases" / "b",
        {
            "index.html": "<h1>home B</h1>",
            "404.html": "<h1>gone in B</h1>",
            "_redirects.json": json.dumps(
                {"/downloads/latest/": {"location": "/downloads/b/", "status": 302}}
            ),
        },
    )
    assert release_b.is_dir()
    switch_current(origin, "b")
    assert site.get("/").text == "<h1>home B</h1>"
    assert (site.get("/downloads/").status_code, site.get("/downloads/").text) == (404, "<h1>gone in B</h1>")
    assert site.get("/downloads/latest").headers["location"] == "/downloads/b/"
    switch_current(origin, "a")
    assert site.get("/").text == "<h1>home A</h1>"


def test_no_published_site_yet(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        assert httpx.get(f"{base}/").status_code == 503


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        assert process.poll() is None, "the server exited"
        try:
            return httpx.get(url)
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.05)


def test_command_line_server(origin: Path) -> None:
    """What `pydotorg dev run` starts."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitebuilder.serve",
            "--root",
            str(origin),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", process).text == "<h1>home A</h1>"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr.decode()
    assert stderr == b""  # quiet


# --- the origin's own nginx ----------------------------------------------------------------------


@contextmanager
def run_origin_nginx(
    prefix: Path,
    media: dict[str, bytes] | None = None,
    *,
    site: Path | None = None,
    extra: dict[str, Path] | None = None,
) -> Iterator[str]:
    """deploy/origin/nginx.conf with the committed files it includes (redirects.conf, the
    security headers; ``extra``: more includes, include path -> file), run by the local nginx on
    a free port; the site is ``site / "current"`` (default: an almost empty release under
    ``prefix / "site"``) and the media ``prefix / "state" / "media"`` (``media``: path -> bytes).
    Yields the base URL. Skipped without nginx, failed under CI."""
    nginx = shutil.which("nginx") or next(
        (str(p) for p in (Path("/usr/sbin/nginx"), Path("/usr/local/sbin/nginx")) if p.is_file()), None
    )
    if nginx is None:
        missing_program("nginx is not installed (apt-get install nginx)")
    (prefix / "conf" / "pydotorg").mkdir(parents=True)
    if site is None:
        site = prefix / "site"
        write_tree(site / "releases" / "a", {"404.html": "not here"})
        (site / "current").symlink_to(Path("releases") / "a")
    for name, content in (media or {}).items():
        target = prefix / "state" / "media" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    for include in (REPO / "deploy" / "origin").glob("*.conf"):  # the committed includes
        if include.name not in ("nginx.conf", "api-upstream.conf"):
            shutil.copy(include, prefix / "conf" / "pydotorg" / include.name)
    (prefix / "conf" / "pydotorg" / "api-upstream.conf").write_text(
        "upstream pydotorg_api { server 127.0.0.1:9; }\n"
    )
    for name, source in (extra or {}).items():
        (prefix / "conf" / "pydotorg" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, prefix / "conf" / "pydotorg" / name)
    port = free_port()
    conf = NGINX_CONF.read_text()
    for old, new in (
        ("pid /tmp/nginx.pid;", f"pid {prefix}/nginx.pid;"),
        ("/tmp/nginx-", f"{prefix}/nginx-"),  # noqa: S108 (nginx.conf's temp paths, moved out of /tmp)
        ("listen 8080 default_server;", f"listen 127.0.0.1:{port} default_server;"),
        ("root /srv/site/current;", f"root {site}/current;"),
        ("alias /srv/state/media/;", f"alias {prefix}/state/media/;"),
        ("access_log /dev/stdout pydotorg_json;", "access_log off;"),
    ):
        assert old in conf, old
        conf = conf.replace(old, new)
    if os.geteuid() == 0:  # workers would run as nobody, who cannot enter pytest's tmp_path
        conf = f"user {pwd.getpwuid(0).pw_name};\n" + conf
    (prefix / "conf" / "nginx.conf").write_text(conf)
    with (prefix / "error.log").open("wb") as errors:
        process = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"), "-g", "daemon off;"],
            stdout=errors,
            stderr=errors,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(f"{base}/__origin/healthz", process)
        except AssertionError:
            pytest.fail((prefix / "error.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def nginx_origin(tmp_path: Path) -> Iterator[str]:
    """The origin's nginx over an (almost) empty tree at ``tmp_path / "nginx" / "site" /
    "current"`` (see ``run_origin_nginx``)."""
    with run_origin_nginx(tmp_path / "nginx") as base:
        yield base


def test_origin_nginx_answers_like_the_table(nginx_origin: str) -> None:
    with httpx.Client(base_url=nginx_origin) as client:
        for path, query, expected in CASES:
            response = client.get(path + (f"?{query}" if query else ""))
            if expected is None:
                assert response.status_code not in (301, 302), path
            else:
                assert (response.status_code, response.headers["location"]) == expected, path
