"""Blog news (inventory 1.5): /blogs/ with the latest entries of every feed. The entries are also
shown on the home page ("Latest News"), the PSF landing page (the ``psf-news`` aggregate) and in
the ``supernav-python-blog`` box (the Python blog's newest entry).

Reads ``view:blogs/latest``, ``view:blogs/python`` and ``view:blogs/psf-news``: a few entries,
re-read whole on any blogs change.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

BLOG_ENTRIES_SHOWN = 6  # /blogs/: the latest entry and five more; the home page shows five
PSF_NEWS = "psf-news"  # python.org's feed aggregate on the PSF landing page
BLOG_BOXES = ("blogs-subscriptions", "blogs-copyright")


def fetch(api: Api, snap: Snapshot) -> None:
    """The newest entries of any feed, the newest of the Python blog (the News drop-down), and
    the PSF news aggregate."""
    snap.data["view:blogs/latest"] = api.get(f"/api/v3/blogs/entries?limit={BLOG_ENTRIES_SHOWN}")["data"]
    feeds = list(api.pages_of("/api/v3/blogs/feeds"))
    python_blog = next((f for f in feeds if f["is_python_blog"]), None)
    snap.data["view:blogs/python"] = (
        api.get(f"/api/v3/blogs/entries?feed={python_blog['id']}&limit=1")["data"] if python_blog else []
    )
    aggregate = api.get(f"/api/v3/blogs/aggregates/{PSF_NEWS}", allow_404=True)
    snap.data["view:blogs/psf-news"] = (
        api.get(f"/api/v3/blogs/entries?aggregate={PSF_NEWS}&limit=10")["data"] if aggregate else []
    )


def entry(e: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of a blog entry."""
    return {k: e[k] for k in ("id", "title", "url", "pub_date", "excerpt", "feed_name")}


def latest_entries(snap: Snapshot) -> list[dict[str, Any]]:
    return [entry(e) for e in snap.data.get("view:blogs/latest") or []]


def psf_news(snap: Snapshot) -> list[dict[str, Any]]:
    return [entry(e) for e in snap.data.get("view:blogs/psf-news") or []]


def supernav_blog(site: Site) -> dict[str, Any]:
    """The generated ``supernav-python-blog`` box: the Python blog's newest entry."""
    return {"entry": next((entry(e) for e in site.snap.data.get("view:blogs/python") or []), None)}


def plan(site: Site) -> list[Output]:
    context = {"entries": latest_entries(site.snap), "boxes": site.pick(BLOG_BOXES)}
    return [Output("blogs/index.html", "blogs.html", context)]


SECTION = Section("blogs", fetch=fetch, watches=(Watch("blogs"),), plan=plan)
