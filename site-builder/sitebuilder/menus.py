"""What every page shows around its content: the top bar, the main navigation with its
drop-downs and the footer, from the menu tree ``main`` (python.org's sitetree, read by the
``navigation`` section). Part of every page's hash (``globals_version``): a menu edit re-renders
every page, and purges the whole site."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from sitebuilder.sections.boxes import GENERATED_BOXES
from sitebuilder.snapshot import Snapshot

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


def site_globals(snap: Snapshot) -> dict[str, Any]:
    """The menus every page shows, as the theme's ``base.html`` reads them."""
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
