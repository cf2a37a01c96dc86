"""No broken internal link on the site ``make run`` builds (issue 19).

Every page and file of the published tree is read for the URLs it points at: ``href``, ``src``
and ``srcset`` and the ``<meta http-equiv="refresh">`` target in HTML, ``url()`` in the theme's
CSS, ``<loc>`` in the sitemap, ``<link>`` in the RSS/Atom feeds and ``Sitemap:`` in robots.txt.
The ones on our own host (the build's site URL, or www.python.org / python.org, which the
imported python.org data spells out) are asked once each of whoever would answer them:

- the origin's real nginx (deploy/origin/nginx.conf with its generated includes) over the tree,
  without following redirects: a 404 (or 410) is broken; a redirect to one of our own paths is
  followed only to check that its target is not broken in turn;
- ``/api/...``: the API the site was built from (Fastly sends /api/ there on python.org);
- ``/media/...``: the API's media storage (the demo's files in ``media_dir``);
- ``/m/<path>``: python.org's legacy media URLs, a redirect to ``/media/<path>`` in the media
  storage; a file the demo's storage does not have is python.org's own media (the imported
  boxes point at it), which production's bucket carries: listed, not failed;
- ``/ftp/...``: not ours to check (a different Fastly backend on python.org, inventory 1.8).

Relative URLs resolve against the page they are on. The ``/box/<label>/`` fragments are the
exception: they are placed inside other pages (and the drop-downs), so their document-relative
URLs only mean something there and are checked on the pages that carry the box.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import httpx
import pytest

from tests.site.demo_site import DemoSite
from tests.site.test_redirects import run_origin_nginx

PYTHON_ORG_HOSTS = ("www.python.org", "python.org")
NOT_OURS = ("/ftp/",)  # python.org's download files: another backend
INDEX_FILES = ("index.html", "index.rss")
REFRESH = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*['\"]?([^'\"]*)", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)""")
MAX_REDIRECTS = 5
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


# The builder's HTML is regular (quoted attributes, no markup inside them), so a scan of the tags
# reads it like an HTML parser does (html.parser gives the same URLs, four times slower);
# comments and the bodies of scripts and styles are not markup.
_NOT_MARKUP = re.compile(r"<!--.*?-->|(<(script|style)\b[^>]*>).*?(?=</\2\s*>)", re.S | re.I)
# Only the tags with an attribute that can hold a URL, and those attributes.
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*?\b(?:href|src|srcset|http-equiv)\s*=[^>]*)>", re.I)
_ATTRIBUTE = re.compile(
    r"""(?:^|\s)(href|src|srcset|http-equiv|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I
)


def _html_urls(text: str) -> tuple[list[str], str | None]:
    """``href``, ``src``, ``srcset`` and the refresh target of every tag, and ``<base href>``."""
    urls: list[str] = []
    base = None
    for tag in _TAG.finditer(_NOT_MARKUP.sub(lambda m: m.group(1) or "", text)):
        values: dict[str, str] = {}
        for found in _ATTRIBUTE.finditer(tag.group(2)):
            value = next(v for v in found.group(2, 3, 4) if v is not None)
            values.setdefault(found.group(1).lower(), html.unescape(value) if "&" in value else value)
        name = tag.group(1).lower()
        if name == "base" and "href" in values and base is None:
            base = values["href"]
        urls += [values[a].strip() for a in ("href", "src") if values.get(a, "").strip()]
        if "srcset" in values:
            urls += [c.split()[0] for c in values["srcset"].split(",") if c.strip()]
        if name == "meta" and values.get("http-equiv", "").lower() == "refresh":
            refresh = REFRESH.match(values.get("content", ""))
            if refresh and refresh.group(1).strip():
                urls.append(refresh.group(1).strip())
    return urls, base


def _page_url(relative: str) -> str:
    """The URL path a published file answers at (``a/index.html`` -> ``/a/``)."""
    for index in INDEX_FILES:
        if relative == index:
            return "/"
        if relative.endswith("/" + index):
            return "/" + relative[: -len(index)]
    return "/" + relative


def _urls_of(path: Path, relative: str) -> tuple[list[str], str | None]:
    """The URLs a published file points at, and the base URL its relative ones resolve against
    (``None``: its own URL)."""
    if path.suffix == ".html":
        return _html_urls(path.read_text(encoding="utf-8"))
    if path.suffix == ".css":
        return [m.group(2) for m in CSS_URL.finditer(path.read_text(encoding="utf-8"))], None
    if path.suffix in (".xml", ".rss", ".atom"):
        urls = []
        for element in ElementTree.parse(path).getroot().iter():
            name = element.tag.rsplit("}", 1)[-1]
            if name == "loc" or (name == "link" and element.text and element.text.strip()):
                urls.append((element.text or "").strip())
            elif name == "link" and element.get("href"):
                urls.append(element.get("href", ""))
        return urls, None
    if relative == "robots.txt":
        lines = path.read_text(encoding="utf-8").splitlines()
        return [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")], None
    return [], None


@dataclass
class Crawl:
    pages: int = 0
    links: int = 0
    external: int = 0
    same_page: int = 0
    relative_in_boxes: int = 0
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # target -> pages


def crawl(root: Path, site_url: str) -> Crawl:
    """Every URL to our own host in every published file: target path (and query) -> pages."""
    ours = {urlsplit(site_url).netloc, *PYTHON_ORG_HOSTS}
    result = Crawl()
    resolved: dict[tuple[str, str], str | None] = {}  # (base or "", URL) -> target, None: not ours

    def target_of(page_url: str, url: str) -> str | None:
        key = ("" if url.startswith("/") or SCHEME.match(url) else page_url, url)
        if key not in resolved:
            absolute = urlsplit(urljoin(page_url, url))
            if absolute.scheme in ("http", "https") and absolute.netloc in ours:
                resolved[key] = (absolute.path or "/") + (f"?{absolute.query}" if absolute.query else "")
            else:
                resolved[key] = None
        return resolved[key]

    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or relative.startswith(("_state/", ".")):
            continue
        urls, base = _urls_of(path, relative)
        if not urls and path.suffix not in (".html", ".xml", ".rss", ".atom", ".css"):
            continue
        result.pages += 1
        page = _page_url(relative)
        page_url = urljoin(site_url + page, base) if base else site_url + page
        for url in urls:
            if url.startswith("#"):
                result.same_page += 1  # the page itself (the 404 page's only URL is the one not found)
                continue
            if relative.startswith("box/") and not url.startswith("/") and not SCHEME.match(url):
                result.relative_in_boxes += 1  # checked where the box is placed
                continue
            target = target_of(page_url, url)
            if target is None:
                result.external += 1
                continue
            result.links += 1
            result.sources[target].add(page)
    return result


@dataclass(frozen=True)
class Answer:
    broken: bool
    why: str


class Checker:
    """Who answers a target of ours, and whether that answer is a 404 (or 410)."""

    def __init__(self, origin: httpx.Client, api: httpx.Client, media_dir: Path) -> None:
        self.origin = origin
        self.api = api
        self.media_dir = media_dir.resolve()
        self.not_carried: set[str] = set()  # /m/ files of python.org's own media
        self.not_ours: set[str] = set()
        self.answers: dict[str, Answer] = {}

    def _media(self, path: str) -> bool:
        file = (self.media_dir / unquote(path).lstrip("/")).resolve()
        return file.is_relative_to(self.media_dir) and file.is_file()

    def _ask(self, client: httpx.Client, target: str, depth: int) -> Answer:
        response = client.head(target)
        status = response.status_code
        if status in (404, 410):
            return Answer(True, f"{status}")
        if status in (301, 302, 303, 307, 308) and client is self.origin:
            return self._redirect(target, response.headers["location"], depth)
        return Answer(status >= 500, f"{status}")

    def _redirect(self, target: str, location: str, depth: int) -> Answer:
        parts = urlsplit(urljoin("http://origin" + target, location))
        if parts.netloc not in ("origin", *PYTHON_ORG_HOSTS):
            return Answer(False, f"redirect to {location}")
        if depth >= MAX_REDIRECTS:
            return Answer(True, f"redirect loop at {location}")
        next_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        answer = self.check(next_target, depth + 1)
        return Answer(answer.broken, f"redirect to {next_target}: {answer.why}")

    def check(self, target: str, depth: int = 0) -> Answer:
        if target in self.answers:
            return self.answers[target]
        path = urlsplit(target).path
        if path.startswith(NOT_OURS):
            self.not_ours.add(target)
            answer = Answer(False, "not this origin's")
        elif path.startswith("/media/"):
            found = self._media(path.removeprefix("/media/"))
            answer = Answer(not found, "in media storage" if found else "not in media storage")
        elif path.startswith("/m/"):  # python.org's legacy media URLs: /media/<path> in storage
            if not self._media(path.removeprefix("/m/")):
                self.not_carried.add(target)
            answer = Answer(False, "legacy media")
        elif path == "/api" or path.startswith("/api/"):
            answer = self._ask(self.api, target, depth)
        else:
            answer = self._ask(self.origin, target, depth)
        self.answers[target] = answer
        return answer


@pytest.fixture(scope="module")
def origin(demo_site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The origin's nginx over the demo site's published tree."""
    site = tmp_path_factory.mktemp("links-site")
    (site / "current").symlink_to(demo_site.root, target_is_directory=True)
    with run_origin_nginx(tmp_path_factory.mktemp("links-nginx"), site=site) as base:
        yield base


def check_all(checker: Checker, targets: list[str]) -> dict[str, Answer]:
    with ThreadPoolExecutor(8) as pool:
        return dict(zip(targets, pool.map(checker.check, targets), strict=True))


def report(broken: dict[str, Answer], sources: dict[str, set[str]], limit: int = 5) -> str:
    lines = []
    for target in sorted(broken, key=lambda t: (-len(sources[t]), t)):
        pages = sorted(sources[target])
        more = f" and {len(pages) - limit} more" if len(pages) > limit else ""
        lines.append(f"{target} ({broken[target].why}) from {', '.join(pages[:limit])}{more}")
    return "\n".join(lines)


def test_no_broken_internal_links(demo_site: DemoSite, origin: str) -> None:
    found = crawl(demo_site.root, demo_site.site_url)
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    with (
        httpx.Client(base_url=origin, timeout=10, limits=limits) as origin_client,
        httpx.Client(base_url=demo_site.api_url, timeout=10, limits=limits) as api_client,
    ):
        checker = Checker(origin_client, api_client, demo_site.media_dir)
        # The checker itself: what must count as broken does.
        assert checker.check("/no/such/page/").broken
        assert checker.check("/api/v3/no-such-thing").broken
        assert checker.check("/media/no-such-file.png").broken
        assert not checker.check("/downloads/").broken
        assert not checker.check("/download/").broken  # a legacy redirect to /downloads/
        # A legacy redirect to /download/releases/2.2.3/descrintro/, a page the demo lacks.
        assert checker.check("/2.2.3/descrintro.html").broken
        answers = check_all(checker, sorted(found.sources))
    broken = {target: answer for target, answer in answers.items() if answer.broken}
    print(
        f"\nlinks: {found.pages} files crawled, {found.links} links to our host checked "
        f"({found.external} elsewhere, {found.relative_in_boxes} relative ones in /box/ fragments), "
        f"{len(found.sources)} distinct targets, {len(checker.not_ours)} under /ftp/, "
        f"{len(checker.not_carried)} python.org media the demo does not carry: {sorted(checker.not_carried)}"
    )
    assert found.pages > 1000 and len(found.sources) > 1000  # the whole site was read
    assert not broken, f"{len(broken)} broken internal link targets:\n" + report(broken, found.sources)
