"""CMS pages (python.org's ``pages`` app) at any path, by their template. A page fills only a path
no section before it took: an application URL wins over a CMS page, as in python.org. A legacy
``/download/releases/X.Y.Z/`` page moves (301) to its release's page when that release has no
page of its own.

Reads ``page:<id>``; a change re-reads that page.
"""

from __future__ import annotations

import re
from typing import Any

from sitebuilder.outputs import Output, record_of, url_of
from sitebuilder.sections.base import Records, Section, Site, Watch

PAGE_BOXES = ("widget-sidebar-aboutpsf", "psf-banner")
# A CMS page's ``template_name`` (python.org's template paths) -> our template.
PAGE_TEMPLATES = {
    "pages/default.html": "page.html",
    "pages/raw.html": "page_raw.html",
    "psf/default.html": "page_psf.html",
    "psf/full-width.html": "page_psf_full.html",
}
_LEGACY_RELEASE_PAGE = re.compile(r"^download/releases/(\d+)\.(\d+)\.(\d+)$")
RECORDS = Records("page", "/api/v3/pages")


def plan(site: Site) -> list[Output]:
    outputs = []
    taken = set(site.planned)
    releases_by_slug = {r["slug"]: r for r in site.snap.items("release")}
    for page in site.snap.items("page"):
        path = f"{page['path']}/index.html"
        if path in taken:  # an application URL wins over a CMS page, as in python.org
            continue
        taken.add(path)
        record = record_of("pages", "page", page["id"])
        release = _release_for_legacy_page(page["path"], releases_by_slug)
        if release is not None:
            moved = {"target": release["url"], "target_title": release["name"]}
            outputs.append(Output(path, "redirect.html", moved, record=record))
            site.redirect(url_of(path), release["url"], 301)
            continue
        template = PAGE_TEMPLATES.get(page["template_name"], "page.html")
        context: dict[str, Any] = {"page": _page(page), "boxes": site.pick(PAGE_BOXES)}
        if template.startswith("page_psf"):
            context["banner"] = site.psf_banner
        outputs.append(Output(path, template, context, record=record))
    return outputs


def _release_for_legacy_page(path: str, releases: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    match = _LEGACY_RELEASE_PAGE.match(path)
    if match is None:
        return None
    release = releases.get("python-" + "".join(match.groups()))
    return release if release is not None and release["release_page_id"] is None else None


def _page(page: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "keywords", "description", "path", "url", "content_html", "template_name")
    return {k: page[k] for k in keys}


SECTION = Section(
    "pages", fetch=RECORDS.fetch, watches=(Watch("pages", "page"),), refetch=RECORDS.refetch, plan=plan
)
