"""The site plan: every output file, the template that renders it and the data it uses.

Each ``Output`` carries its whole context, and its hash (template + context + theme) is the
dependency record: an incremental build re-renders exactly the outputs whose hash changed, and
rendering is a pure function of the context, so incremental and full builds are byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from xml.sax.saxutils import escape

import msgspec

from sitebuilder.community import community_pages
from sitebuilder.events import event_pages, upcoming_for_home
from sitebuilder.jobs import job_pages
from sitebuilder.outputs import Output, Skipped, isolate, record_of, rss, url_of
from sitebuilder.snapshot import Snapshot
from sitebuilder.stories import featured_story, story_pages

# Box labels each page places (inventory 1.3, 3.8): a page's context carries only its boxes, so
# editing a box re-renders exactly the pages that show it.
HOME_BOXES = (
    "homepage-introduction",
    "homepage-get-started",
    "homepage-documentation",
    "homepage-jobs",
    "widget-use-python-for",
    "widget-about-psf",
)
DOWNLOAD_BOXES = (
    "download-banner",
    "download-otherreleases",
    "download-widget1",
    "download-widget3",
    "download-widget4",
    "usermessage-releaseschedule",
    "download-dev",
    "download-pgp",
)
ABOUT_BOXES = (
    "aboutpython-banner",
    "aboutpython-getstarted",
    "aboutpython-easytolearn",
    "aboutpython-applications",
    "aboutpython-opensource",
    "widget-weneedyou",
)
DOC_BOXES = (
    "documentation-banner",
    "documentation-beginners",
    "documentation-moderate",
    "documentation-advanced",
    "documentation-general",
    "widget-weneedyou",
)
PSF_BOXES = (
    "psf-banner",
    "psf-widget0",
    "psf-widget1",
    "psf-widget2",
    "psf-widget3",
    "psf-widget4",
    "psf-grants",
    "psf-codeofconduct",
)
PAGE_BOXES = ("widget-sidebar-aboutpsf", "psf-banner")
# A CMS page's ``template_name`` (python.org's template paths) -> our template.
PAGE_TEMPLATES = {
    "pages/default.html": "page.html",
    "pages/raw.html": "page_raw.html",
    "psf/default.html": "page_psf.html",
    "psf/full-width.html": "page_psf_full.html",
}
_LEGACY_RELEASE_PAGE = re.compile(r"^download/releases/(\d+)\.(\d+)\.(\d+)$")
COMMUNITY_BOXES = (
    "community-banner",
    "community-widget1",
    "community-widget2",
    "community-widget3",
    "community-irc-channels",
)
# Boxes python.org's code regenerates from release data; here they are rendered from the same data
# at build time, and win over a stored box with the same label (docs/site-builder.md).
GENERATED_BOXES = (
    "supernav-python-downloads",
    "download-sources",
    "homepage-downloads",
    "supernav-python-blog",
    "supernav-python-success-stories",
)
BLOG_BOXES = ("blogs-subscriptions", "blogs-copyright")
JOBS_BOXES = ("jobs-subscribe", "jobs-getfeatured")
EVENTS_BOXES = ("events-subscriptions",)
STORY_BOXES = ("successstory-submityours",)
# The main navigation's drop-downs load these boxes (python.org's supernav), by section URL.
SUPERNAV = {
    "/about/": "supernav-python-about",
    "/downloads/": "supernav-python-downloads",
    "/doc/": "supernav-python-documentation",
    "/community/": "supernav-python-community",
    "/success-stories/": "supernav-python-success-stories",
    "/blogs/": "supernav-python-blog",
    "/events/": "supernav-python-events",
}
EMPTY_LANDING: dict[str, Any] = {
    "latest_python3": None,
    "latest_python2": None,
    "latest_pymanager": None,
    "featured": [],
    "active_series": [],
    "releases": [],
}


def site_globals(snap: Snapshot) -> dict[str, Any]:
    """What every page shows: the top bar, the main navigation and the footer, from the menu
    tree ``main`` (python.org's sitetree). Part of every output's hash."""
    tree = snap.data.get("view:nav/main")
    items = tree["items"] if tree else []
    children: dict[int | None, list[dict[str, Any]]] = {}
    for item in items:
        if (
            item["in_menu"]
            and not item["hidden"]
            and not (item["access_loggedin"] or item["access_restricted"])
        ):
            children.setdefault(item["parent_id"], []).append(item)
    for group in children.values():
        group.sort(key=lambda i: (i["sort_order"], i["id"]))
    labels = {b["label"] for b in snap.items("box")} | set(GENERATED_BOXES)

    def node(item: dict[str, Any], depth: int) -> dict[str, Any]:
        kids = [node(c, depth - 1) for c in children.get(item["id"], [])] if depth > 0 else []
        box = SUPERNAV.get(item["href"])
        return {
            "title": item["title"],
            "url": item["href"],
            "hint": item["hint"],
            "alias": item["alias"] or "",
            "children": kids,
            "box": box if box in labels else "",
        }

    top = [node(i, 0) for i in children.get(None, [])]
    by_alias = {i["alias"]: i for i in children.get(None, []) if i["alias"]}
    python, psf = by_alias.get("python-meta"), by_alias.get("psf-meta")
    sections = [node(i, 1) for i in children.get(python["id"], [])] if python else []
    return {
        "topbar": top,
        "nav": [s for s in sections if s["alias"] != "python-footer"],
        "footer_nav": sections,
        # PSF pages (templates psf/*) show the PSF sections instead (python.org's psf-meta).
        "psf_nav": [node(i, 1) for i in children.get(psf["id"], [])] if psf else [],
    }


def globals_version(theme: str, snap: Snapshot) -> str:
    payload = msgspec.json.encode([theme, site_globals(snap)], order="sorted")
    return hashlib.sha256(payload).hexdigest()[:16]


def plan(snap: Snapshot, site_url: str) -> tuple[list[Output], list[Skipped]]:
    """Every output of the site, sorted by path, and the outputs left out because a record's data
    makes a path that cannot be written (``outputs.isolate``). A skipped output is also left out
    of the sitemap and ``_redirects.json``; pages that list its record still list it."""
    landing = snap.data.get("view:landing") or EMPTY_LANDING
    boxes = {b["label"]: b["content_html"] for b in snap.items("box")}

    def pick(labels: tuple[str, ...]) -> dict[str, str]:
        return {label: boxes.get(label, "") for label in labels}

    generated = _generated_boxes(snap, landing)
    banners = snap.data.get("view:banners") or []
    # inventory 1.1: the first active banner not limited to PSF pages (home, downloads); PSF pages
    # show the first active banner of any kind. "First" is the API's order (sort_order, id).
    banner = next((_banner(b) for b in banners if b["active"] and not b["psf_pages_only"]), None)
    psf_banner = next((_banner(b) for b in banners if b["active"]), None)
    samples = [_sample(c) for c in (snap.data.get("view:codesamples") or []) if c["is_published"]][:5]
    news = [_entry(e) for e in snap.data.get("view:blogs/latest") or []]
    latest = {k: landing[k] for k in ("latest_python3", "latest_python2", "latest_pymanager")}
    home = {
        **latest,
        "boxes": pick(HOME_BOXES),
        "generated": {"homepage-downloads": generated["homepage-downloads"]},
        "banner": banner,
        "code_samples": samples,
        "latest_news": news[:5],
        "upcoming_events": upcoming_for_home(snap),
        "featured_story": featured_story(snap),
    }
    outputs = [
        Output("index.html", "home.html", home),
        # python.org's /shell/: the home page with PythonAnywhere's console instead of the samples.
        Output("shell/index.html", "home.html", {**home, "code_samples": [], "shell": True}),
        Output(
            "downloads/index.html",
            "downloads/index.html",
            {
                "landing": landing,
                "banner": banner,
                "boxes": pick(DOWNLOAD_BOXES),
                "generated": {"download-sources": generated["download-sources"]},
            },
        ),
        Output(
            "downloads/operating-systems/index.html",
            "downloads/operating-systems.html",
            {"oses": [_os(o) for o in snap.items("os")]},
        ),
        Output("about/index.html", "about.html", {"boxes": pick(ABOUT_BOXES)}),
        Output("doc/index.html", "documentation.html", {**latest, "boxes": pick(DOC_BOXES)}),
        Output("doc/versions/index.html", "versions.html", {"versions": docs_by_version(snap)}),
        Output(
            "psf-landing/index.html",
            "psf-landing.html",
            {
                "boxes": pick(PSF_BOXES),
                "banner": psf_banner,
                "psf_news": [_entry(e) for e in snap.data.get("view:blogs/psf-news") or []],
            },
        ),
        Output("blogs/index.html", "blogs.html", {"entries": news, "boxes": pick(BLOG_BOXES)}),
        Output("404.html", "404.html", {}),
        Output("accounts/login/index.html", "accounts/login.html", {}),
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
                    record=record_of("downloads", "os", os["id"]),
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
                    record=record_of("downloads", "release", release["id"]),
                )
            )
    # _redirects.json: each redirect's entry is written where the redirect is made.
    redirects: dict[str, dict[str, Any]] = {}
    latest_pages = _latest_redirects(snap, landing)
    outputs.extend(latest_pages)
    for o in latest_pages:  # 302, and the same under /getit/ (its mirror is added below)
        for path in (o.path, "getit/" + o.path.removeprefix("downloads/")):
            redirects[url_of(path)] = _redirect_entry(o.context["target"], 302)
    # Box fragments for the drop-downs and other sites: stored boxes, then the generated ones.
    box_ids = {b["label"]: b["id"] for b in snap.items("box")}
    for label, html in sorted(boxes.items()):
        if label not in GENERATED_BOXES:
            record = record_of("boxes", "box", box_ids[label])
            outputs.append(Output(f"box/{label}/index.html", "box.html", {"html": html}, record=record))
    for label, ctx in generated.items():
        outputs.append(Output(f"box/{label}/index.html", f"boxes/{label}.html", ctx))
    outputs.append(Output("downloads/feed.rss", None, text=_releases_feed(snap, site_url)))
    # /getit/ is python.org's exact duplicate of the downloads URLs (reachable where /downloads/ is not).
    outputs.extend(
        Output(
            "getit/" + o.path.removeprefix("downloads/"),
            o.template,
            o.context,
            o.text,
            alias_of=o.path,
            record=o.record,
        )
        for o in list(outputs)
        if o.path.startswith("downloads/")
    )
    outputs.extend(job_pages(snap, site_url, pick(JOBS_BOXES)))
    outputs.extend(event_pages(snap, site_url, pick(EVENTS_BOXES)))
    outputs.extend(_minutes_pages(snap, site_url, psf_banner))
    outputs.extend(story_pages(snap, pick(STORY_BOXES)))
    outputs.extend(community_pages(snap, pick(COMMUNITY_BOXES)))
    taken = {o.path for o in outputs}
    releases_by_slug = {r["slug"]: r for r in snap.items("release")}
    for page in snap.items("page"):
        path = f"{page['path']}/index.html"
        if path in taken:  # an application URL wins over a CMS page, as in python.org
            continue
        taken.add(path)
        record = record_of("pages", "page", page["id"])
        release = _release_for_legacy_page(page["path"], releases_by_slug)
        if release is not None:
            # python.org: /download/releases/X.Y.Z/ moves (301) to the release's page when that
            # release has no page of its own.
            moved = {"target": release["url"], "target_title": release["name"]}
            outputs.append(Output(path, "redirect.html", moved, record=record))
            redirects[url_of(path)] = _redirect_entry(release["url"], 301)
            continue
        template = PAGE_TEMPLATES.get(page["template_name"], "page.html")
        context: dict[str, Any] = {"page": _page(page), "boxes": pick(PAGE_BOXES)}
        if template.startswith("page_psf"):
            context["banner"] = psf_banner
        outputs.append(Output(path, template, context, record=record))
    outputs.append(
        Output(
            "robots.txt", None, text=f"User-agent: *\nDisallow: /api/\n\nSitemap: {site_url}/sitemap.xml\n"
        )
    )
    outputs.append(Output("humans.txt", None, text=HUMANS_TXT))
    published = {o.path for o in outputs} | {"_redirects.json", "sitemap.xml"}
    outputs.extend(_stored_redirects(snap, published, redirects))
    outputs, skipped = isolate(outputs)
    left_out = {s.path for s in skipped}
    redirects = {k: v for k, v in redirects.items() if redirect_output_path(k) not in left_out}
    text = msgspec.json.encode(redirects, order="sorted").decode() + "\n"
    outputs.append(Output("_redirects.json", None, text=text))
    outputs.append(Output("sitemap.xml", None, text=_sitemap(outputs, site_url)))
    return sorted(outputs, key=lambda o: o.path), skipped


# Pages for visitors' own accounts and listings: not in the sitemap (they carry noindex too).
NOINDEX = (
    "accounts/",
    "events/submit/",
    "success-stories/create/",
    "jobs/create/",
    "jobs/edit/",
    "jobs/preview/",
    "jobs/mine/",
    "jobs/thanks/",
)

HUMANS_TXT = """/* TEAM */
Python.org is built and run by the Python Software Foundation and volunteers
from the Python community.
Contact: webmaster@python.org
Site: https://github.com/python/pythondotorg (the previous site)

/* SITE */
Language: English
Standards: HTML5, CSS3
Software: Python, Litestar, SQLAlchemy, Pelican, Jinja2, SAQ, PostgreSQL, Redis, Fastly
"""


def _release_for_legacy_page(path: str, releases: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    match = _LEGACY_RELEASE_PAGE.match(path)
    if match is None:
        return None
    release = releases.get("python-" + "".join(match.groups()))
    return release if release is not None and release["release_page_id"] is None else None


def _redirect_entry(location: str, status: int) -> dict[str, Any]:
    """One ``_redirects.json`` entry, for origins and the CDN that answer with the real status."""
    return {"location": location, "status": status}


def _stored_redirects(snap: Snapshot, taken: set[str], redirects: dict[str, dict[str, Any]]) -> list[Output]:
    """Redirects kept in the API (python.org's ``django.contrib.redirects``): 301 to the new path,
    or 410 Gone when it is empty. As with Django's fallback middleware, a page that exists wins:
    a redirect only fills a path nothing else is published at. Each becomes a page (meta refresh,
    or a "gone" notice) for plain origins, and an entry in ``_redirects.json`` under exactly the
    path python.org matched."""
    out = []
    for r in snap.data.get("view:redirects") or []:
        path = redirect_output_path(r["old_path"])
        if path in taken:
            continue
        taken.add(path)
        record = record_of("redirects", "redirect", r["id"])
        if r["new_path"]:
            context = {"target": r["new_path"], "target_title": r["new_path"]}
            out.append(Output(path, "redirect.html", context, record=record))
            redirects[r["old_path"]] = _redirect_entry(r["new_path"], 301)
        else:
            out.append(Output(path, "gone.html", {"old_path": r["old_path"]}, record=record))
            redirects[r["old_path"]] = _redirect_entry("", 410)
    return out


def redirect_output_path(url_path: str) -> str:
    """The file that answers a redirect's path: ``/a/`` and ``/a`` are ``a/index.html``, a path
    whose last segment has a dot (``/a/b.html``) is that file."""
    path = url_path.lstrip("/")
    last = path.rsplit("/", 1)[-1]
    return path + "index.html" if path.endswith("/") else path if "." in last else path + "/index.html"


def _source_file(snap: Snapshot, release: dict[str, Any] | None) -> str:
    """The URL of a release's source tarball (its download-button file for "source", else the
    first source file)."""
    if release is None:
        return ""
    detail = snap.data.get(f"view:release/{release['slug']}") or {}
    for group in detail.get("files_by_os", []):
        if group["os"]["slug"] == "source" and group["files"]:
            button = [f for f in group["files"] if f["download_button"]]
            return str((button or group["files"])[0]["url"])
    return ""


def _generated_boxes(snap: Snapshot, landing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    py3, py2 = landing["latest_python3"], landing["latest_python2"]
    return {
        "homepage-downloads": {"latest_python3": py3},
        "download-sources": {
            "latest_python3": py3,
            "latest_python2": py2,
            "source3": _source_file(snap, py3),
            "source2": _source_file(snap, py2),
        },
        "supernav-python-success-stories": {"story": featured_story(snap)},
        "supernav-python-blog": {
            "entry": next((_entry(e) for e in snap.data.get("view:blogs/python") or []), None),
        },
        "supernav-python-downloads": {
            "latest_python3": py3,
            "latest_pymanager": landing["latest_pymanager"],
            "featured": landing["featured"],
        },
    }


# python.org's /doc/versions/: releases without documentation, and versions older than the
# downloads database (inventory 1.8).
NO_DOCS = {"2.3.6", "2.3.7", "2.4.5", "2.4.6", "2.5.5", "2.5.6"}
LEGACY_DOC_VERSIONS: dict[str, list[tuple[str, str]]] = {
    "2.2": [("2.2p1", "2002-03-29")],
    "2.1": [("2.1.2", "2002-01-16"), ("2.1.1", "2001-07-20"), ("2.1", "2001-04-15")],
    "2.0": [("2.0", "2000-10-16")],
    "1.6": [("1.6", "2000-09-05")],
    "1.5": [
        ("1.5.2p2", "2000-03-22"),
        ("1.5.2p1", "1999-07-06"),
        ("1.5.2", "1999-04-30"),
        ("1.5.1p1", "1998-08-06"),
        ("1.5.1", "1998-04-14"),
        ("1.5", "1998-02-17"),
    ],
    "1.4": [("1.4", "1996-10-25")],
}
_VERSION_NAME = re.compile(r"^Python (\d+)\.(\d+)(?:\.(\d+))?$")


def docs_by_version(snap: Snapshot) -> list[dict[str, Any]]:
    """Published final releases grouped by "X.Y", newest first; ≤ 3.2.0 with patch 0 shown as "X.Y"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in snap.items("release"):
        match = _VERSION_NAME.match(r["name"])
        if r["pre_release"] or not r["is_published"] or match is None:
            continue
        major, minor, patch = int(match[1]), int(match[2]), int(match[3] or 0)
        stage = f"{major}.{minor}.{patch}"
        if stage in NO_DOCS:
            continue
        if (major, minor, patch) <= (3, 2, 0) and patch == 0:
            stage = f"{major}.{minor}"
        groups.setdefault(f"{major}.{minor}", []).append((stage, r["release_date"][:10]))
    for version, legacy in LEGACY_DOC_VERSIONS.items():
        groups.setdefault(version, []).extend(legacy)
    out = []
    for version in sorted(groups, key=lambda v: tuple(int(n) for n in v.split(".")), reverse=True):
        entries = sorted(groups[version], key=lambda e: (e[1], e[0]), reverse=True)
        out.append({"version": version, "releases": [{"stage": st, "date": d} for st, d in entries]})
    return out


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


MINUTES = "psf/records/board/minutes/"


def _minutes_pages(snap: Snapshot, site_url: str, banner: dict[str, Any] | None) -> list[Output]:
    """PSF board minutes (inventory 1.13): the list, a page per meeting with the same year's
    meetings beside it (published ones only: python.org's sidebar also listed drafts), the feed."""
    items = sorted(snap.items("minutes"), key=lambda m: (m["date"], m["id"]), reverse=True)
    brief = [{"date": m["date"], "title": m["title"], "url": m["url"]} for m in items]
    out = [Output(MINUTES + "index.html", "minutes/list.html", {"minutes": brief, "banner": banner})]
    for m in items:
        year = [b for b in brief if b["date"][:4] == m["date"][:4]]
        page = {k: m[k] for k in ("date", "title", "url", "content_html")}
        out.append(
            Output(
                f"{MINUTES}{m['date']}/index.html",
                "minutes/detail.html",
                {"minutes": page, "year": year, "banner": banner},
                record=record_of("minutes", "minutes", m["id"]),
            )
        )
    out.append(Output(MINUTES + "feed/index.rss", None, text=_minutes_feed(items[:20], site_url)))
    return out


def _minutes_feed(items: list[dict[str, Any]], site_url: str) -> str:
    return rss(
        "PSF Board Meeting Minutes Feed",
        f"{site_url}/{MINUTES}",
        "Minutes of the Python Software Foundation's board meetings",
        [
            (
                f"PSF Meeting Minutes for {m['date']}",
                f"{site_url}{m['url']}",
                m["content_html"],
                m["date"] + "T00:00:00+00:00",
            )
            for m in items
        ],
    )


def _entry(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("id", "title", "url", "pub_date", "excerpt", "feed_name")}


def _banner(b: dict[str, Any]) -> dict[str, Any]:
    return {k: b[k] for k in ("id", "title", "message", "link")}


def _sample(c: dict[str, Any]) -> dict[str, Any]:
    return {k: c[k] for k in ("id", "code_html", "copy_html")}


def _os(os: dict[str, Any]) -> dict[str, Any]:
    return {"id": os["id"], "name": os["name"], "slug": os["slug"]}


def _page(page: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "keywords", "description", "path", "url", "content_html", "template_name")
    return {k: page[k] for k in keys}


def _releases_feed(snap: Snapshot, site_url: str) -> str:
    """RSS 2.0 "Python Releases": the 10 most recent published releases (inventory 1.8)."""
    releases = sorted(snap.items("release"), key=lambda r: (r["release_date"], r["id"]), reverse=True)[:10]
    return rss(
        "Python Releases",
        f"{site_url}/downloads/",
        "Latest Python releases from Python.org",
        [
            (r["name"], f"{site_url}{r['url']}", f"Release date: {r['release_date']}", r["release_date"])
            for r in releases
        ],
    )


def _sitemap(outputs: list[Output], site_url: str) -> str:
    urls = sorted(
        o.url
        for o in outputs
        if o.path.endswith(".html")
        and o.path != "404.html"
        and o.template not in ("redirect.html", "gone.html")
        and o.alias_of is None  # the /getit/ mirror duplicates /downloads/
        and not o.path.startswith("box/")  # fragments, not pages
        and not o.path.startswith(NOINDEX)
    )
    body = "".join(f"  <url><loc>{escape(site_url + u)}</loc></url>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"
    )
