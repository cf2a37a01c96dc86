"""The site plan: every output file, the template that renders it and the data it uses.

Each ``Output`` carries its whole context, and its hash (template + context + theme) is the
dependency record: an incremental build re-renders exactly the outputs whose hash changed, and
rendering is a pure function of the context, so incremental and full builds are byte-identical.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import msgspec

from sitebuilder.snapshot import Snapshot

NAV = [
    {
        "title": "About",
        "url": "/about/",
        "children": [
            {"title": "Applications", "url": "/about/apps/"},
            {"title": "Quotes", "url": "/about/quotes/"},
            {"title": "Getting Started", "url": "/about/gettingstarted/"},
            {"title": "Help", "url": "/about/help/"},
            {"title": "Python Brochure", "url": "http://brochure.getpython.info/"},
        ],
    },
    {
        "title": "Downloads",
        "url": "/downloads/",
        "children": [
            {"title": "All releases", "url": "/downloads/"},
            {"title": "Source code", "url": "/downloads/source/"},
            {"title": "Windows", "url": "/downloads/windows/"},
            {"title": "macOS", "url": "/downloads/macos/"},
            {"title": "Android", "url": "/downloads/android/"},
            {"title": "Other Platforms", "url": "/download/other/"},
            {"title": "License", "url": "https://docs.python.org/3/license.html"},
            {"title": "Alternative Implementations", "url": "/download/alternatives"},
        ],
    },
    {
        "title": "Documentation",
        "url": "/doc/",
        "children": [
            {"title": "Docs", "url": "/doc/"},
            {"title": "Audio/Visual Talks", "url": "/doc/av"},
            {"title": "Beginner's Guide", "url": "https://wiki.python.org/moin/BeginnersGuide"},
            {"title": "Developer's Guide", "url": "https://devguide.python.org/"},
            {"title": "FAQ", "url": "https://docs.python.org/faq/"},
            {"title": "PEP Index", "url": "https://peps.python.org"},
        ],
    },
    {
        "title": "Community",
        "url": "/community/",
        "children": [
            {"title": "Diversity", "url": "/community/diversity/"},
            {"title": "Mailing Lists", "url": "/community/lists/"},
            {"title": "Forums", "url": "/community/forums/"},
            {"title": "PSF Code of Conduct", "url": "/psf/conduct/"},
            {"title": "Community Awards", "url": "/community/awards"},
        ],
    },
    {"title": "Success Stories", "url": "/success-stories/", "children": []},
    {
        "title": "News",
        "url": "/blogs/",
        "children": [
            {"title": "Python News", "url": "/blogs/"},
            {"title": "PSF Newsletter", "url": "https://www.python.org/psf/newsletter/"},
            {"title": "PSF News", "url": "http://pyfound.blogspot.com/"},
        ],
    },
    {
        "title": "Events",
        "url": "/events/",
        "children": [
            {"title": "Python Events", "url": "/events/python-events/"},
            {"title": "User Group Events", "url": "/events/python-user-group/"},
        ],
    },
]


@dataclass
class Output:
    path: str  # relative output path, e.g. "downloads/index.html"
    template: str | None  # a theme template, or None for generated text
    context: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # for outputs written directly (robots, sitemap, feeds)

    @property
    def url(self) -> str:
        return url_of(self.path)

    def digest(self, theme_version: str) -> str:
        payload = msgspec.json.encode([self.template, self.context, self.text, theme_version], order="sorted")
        return hashlib.sha256(payload).hexdigest()


def url_of(path: str) -> str:
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def plan(snap: Snapshot, site_url: str) -> list[Output]:
    landing = snap.data.get("view:landing") or {
        "latest_python3": None,
        "latest_python2": None,
        "latest_pymanager": None,
        "featured": [],
        "active_series": [],
        "releases": [],
    }
    outputs = [
        Output("index.html", "home.html", {"latest_python3": landing["latest_python3"]}),
        Output("downloads/index.html", "downloads/index.html", {"landing": landing}),
        Output(
            "downloads/operating-systems/index.html",
            "downloads/operating-systems.html",
            {"oses": [_os(o) for o in snap.items("os")]},
        ),
        Output("404.html", "404.html", {}),
    ]
    for os in snap.items("os"):
        view = snap.data.get(f"view:os/{os['slug']}")
        if view is not None:
            outputs.append(
                Output(
                    f"downloads/{os['slug']}/index.html",
                    "downloads/os.html",
                    {
                        "os_releases": view,
                        "latest_python3": landing["latest_python3"],
                        "latest_pymanager": landing["latest_pymanager"],
                    },
                )
            )
    for release in snap.items("release"):
        detail = snap.data.get(f"view:release/{release['slug']}")
        if detail is not None:
            outputs.append(
                Output(
                    f"downloads/release/{release['slug']}/index.html",
                    "downloads/release.html",
                    {"detail": detail},
                )
            )
    outputs.extend(_latest_redirects(snap, landing))
    taken = {o.path for o in outputs}
    for page in snap.items("page"):
        path = f"{page['path']}/index.html"
        if path in taken:  # an application URL wins over a CMS page, as in python.org
            continue
        template = "page_raw.html" if page["template_name"] == "pages/raw.html" else "page.html"
        outputs.append(Output(path, template, {"page": _page(page)}))
        taken.add(path)
    outputs.append(Output("downloads/feed.rss", None, text=_releases_feed(snap, site_url)))
    outputs.append(
        Output(
            "robots.txt", None, text=f"User-agent: *\nDisallow: /api/\n\nSitemap: {site_url}/sitemap.xml\n"
        )
    )
    outputs.append(Output("sitemap.xml", None, text=_sitemap(outputs, site_url)))
    return sorted(outputs, key=lambda o: o.path)


def _redirect(path: str, release: dict[str, Any] | None) -> Output:
    target, title = (release["url"], release["name"]) if release else ("/downloads/", "Downloads")
    return Output(path, "redirect.html", {"target": target, "target_title": title})


def _latest_redirects(snap: Snapshot, landing: dict[str, Any]) -> list[Output]:
    """python.org's ``/downloads/latest/...`` URLs. A static origin cannot answer 302, so each is a
    page that redirects at once (``meta refresh`` + canonical link); every one falls back to
    /downloads/ when there is no such release (python.org's python2/pymanager fallbacks raised:
    inventory appendix B.2)."""
    py3 = landing["latest_python3"]
    out = [
        _redirect("downloads/latest/index.html", py3),
        _redirect("downloads/latest/python3/index.html", py3),
        _redirect("downloads/latest/python2/index.html", landing["latest_python2"]),
        _redirect("downloads/latest/pymanager/index.html", landing["latest_pymanager"]),
    ]
    pre = [r for r in snap.items("release") if r["pre_release"] and r["version"] == 3]
    newest_pre = max(pre, key=lambda r: (r["release_date"], r["id"])) if pre else None
    out.append(_redirect("downloads/latest/prerelease/index.html", newest_pre))
    for series in landing["active_series"]:
        minor = ".".join(series["version_number"].split(".")[:2])
        if minor.startswith("3."):
            out.append(_redirect(f"downloads/latest/python{minor}/index.html", series))
    return out


def _os(os: dict[str, Any]) -> dict[str, Any]:
    return {"id": os["id"], "name": os["name"], "slug": os["slug"]}


def _page(page: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "keywords", "description", "path", "url", "content_html", "template_name")
    return {k: page[k] for k in keys}


def _releases_feed(snap: Snapshot, site_url: str) -> str:
    """RSS 2.0 "Python Releases": the 10 most recent published releases (inventory 1.8)."""
    releases = sorted(snap.items("release"), key=lambda r: (r["release_date"], r["id"]), reverse=True)[:10]
    items = []
    for r in releases:
        link = f"{site_url}{r['url']}"
        items.append(
            "    <item>\n"
            f"      <title>{escape(r['name'])}</title>\n"
            f"      <link>{escape(link)}</link>\n"
            f"      <description>Release date: {escape(r['release_date'])}</description>\n"
            f"      <pubDate>{_rfc822(r['release_date'])}</pubDate>\n"
            f"      <guid>{escape(link)}</guid>\n"
            "    </item>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0">\n  <channel>\n'
        "    <title>Python Releases</title>\n"
        f"    <link>{escape(site_url)}/downloads/</link>\n"
        "    <description>Latest Python releases from Python.org</description>\n"
        "    <language>en-us</language>\n" + "".join(items) + "  </channel>\n</rss>\n"
    )


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def _sitemap(outputs: list[Output], site_url: str) -> str:
    urls = sorted(
        o.url
        for o in outputs
        if o.path.endswith(".html") and o.path != "404.html" and o.template != "redirect.html"
    )
    body = "".join(f"  <url><loc>{escape(site_url + u)}</loc></url>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"
    )
