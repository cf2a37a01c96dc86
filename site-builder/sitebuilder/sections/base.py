"""What a site section is, and what every section is given to plan its outputs.

A ``Section`` declares, in its own module, the three things the builder needs from it: what it
reads from the API into the snapshot (``fetch``), which change-feed rows make that stale and how
it re-reads them (``watches``, ``refetch``, ``daily``), and the output files it plans from the
snapshot (``plan``, and ``finish`` for files made from every other output). ``fetch.py`` and
``plan.py`` do nothing but walk ``sitebuilder.sections.SECTIONS`` in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sitebuilder.outputs import Output, Skipped
from sitebuilder.snapshot import Api, Snapshot

# One change-feed row: ``cursor``, ``domain``, ``kind``, ``id``, ``action``.
Change = dict[str, Any]
Fetch = Callable[[Api, Snapshot], None]
Refetch = Callable[[Api, Snapshot, list[Change]], None]


@dataclass(frozen=True)
class Watch:
    """The change-feed rows a section re-reads on: one ``domain``, and only ``kind`` of it
    when given."""

    domain: str
    kind: str | None = None

    def matches(self, change: Change) -> bool:
        return change["domain"] == self.domain and (self.kind is None or change["kind"] == self.kind)


@dataclass(frozen=True)
class Records:
    """A collection the snapshot keeps one record per key (``<prefix>:<id>``): listed whole from
    ``path`` by a full fetch, re-read one by one (``<path>/<id>``) as the change feed names them.
    A record the API no longer shows (deleted, or not public: ``public`` says False) is dropped."""

    prefix: str
    path: str
    public: Callable[[Any], bool] = bool

    def fetch(self, api: Api, snap: Snapshot) -> None:
        for record in api.pages_of(self.path):
            snap.data[f"{self.prefix}:{record['id']}"] = record

    def refetch(self, api: Api, snap: Snapshot, changes: list[Change]) -> None:
        for change in changes:
            ident = change["id"]
            snap.refresh(api, f"{self.prefix}:{ident}", f"{self.path}/{ident}", public=self.public)


# The downloads landing's shape when the snapshot has none yet (an empty site).
EMPTY_LANDING: dict[str, Any] = {
    "latest_python3": None,
    "latest_python2": None,
    "latest_pymanager": None,
    "featured": [],
    "active_series": [],
    "releases": [],
}


# The sponsor logo walls (sections/sponsors.py): python.org's ``list_sponsors`` places on the
# PSF's site, the snapshot keys they are kept under, and the thumbnail heights of the walls that
# show thumbnails (python.org's sorl-thumbnail "x150" and "x100").
SPONSOR_FLIGHTS = ("sponsors", "download", "jobs")
SPONSOR_LOGOS_KEY = "view:sponsor-logos"  # logo URL -> what the builder learned of it (or "error")
THUMBNAIL_HEIGHTS = {"download": 150, "jobs": 100}
THUMBNAILS_DIR = "media-thumbs"
# A package's grid cell when a sponsorship has none (python.org's default logo_dimension).
DEFAULT_LOGO_DIMENSION = 175


def sponsor_wall_key(flight: str) -> str:
    return f"view:sponsors/{flight}"


def thumbnail_path(digest: str, height: int) -> str:
    """The output path of a logo's PNG thumbnail: named by the logo's content, so a new logo is a
    new file and an unchanged one is never rewritten."""
    return f"{THUMBNAILS_DIR}/{digest[:16]}-h{height}.png"


def _fit(width: int | None, height: int | None, box: int) -> tuple[int, int]:
    """A logo's displayed size inside a ``box`` x ``box`` square (python.org's ``max-width`` and
    ``max-height``); a logo of unknown shape (an SVG without a size) fills the square."""
    if not width or not height:
        return box, box
    scale = min(box / width, box / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _ideal(width: int | None, height: int | None, dimension: int) -> tuple[int, int]:
    """python.org's ``ideal_size`` filter on /psf/sponsors/: the width that gives every logo of a
    package the same area (100 x ``logo_dimension`` square pixels), never wider than the cell."""
    if not width or not height:
        width = height = dimension
    ideal = min(dimension, int(width * math.sqrt((100 * dimension) / (width * height))))
    return max(1, ideal), max(1, round(ideal * height / width))


def _link(url: str | None) -> str | None:
    """A sponsor's landing page, when it is a web address a link may point to."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _sponsor_logo(flight: str, item: dict[str, Any], logos: dict[str, Any]) -> dict[str, Any] | None:
    """The ``<img>`` of one sponsor on one wall, or None when it is shown by name (no logo, or
    one the builder could not fetch or decode)."""
    url = item["web_logo"]
    info = logos.get(url) if url else None
    if not info or "error" in info:
        return None
    if flight in THUMBNAIL_HEIGHTS:
        box = THUMBNAIL_HEIGHTS[flight]
        thumb = info.get("thumbs", {}).get(str(box))
        if thumb is not None:  # a raster logo: its PNG thumbnail, made by the builder
            width, height = _fit(thumb["width"], box, box)
            return {"src": "/" + thumbnail_path(info["sha"], box), "width": width, "height": height}
        width, height = _fit(info["width"], info["height"], box)  # an SVG, used as it is
        return {"src": url, "width": width, "height": height}
    package = item["package"]
    dimension = package["logo_dimension"] if package else DEFAULT_LOGO_DIMENSION
    width, height = _ideal(info["width"], info["height"], dimension)
    return {"src": url, "width": width, "height": height}


def _sponsor_walls(snap: Snapshot) -> dict[str, list[dict[str, Any]]]:
    logos = snap.data.get(SPONSOR_LOGOS_KEY) or {}
    walls = {}
    for flight in SPONSOR_FLIGHTS:
        shown = []
        for item in snap.data.get(sponsor_wall_key(flight)) or []:
            sponsor = {
                "name": item["name"],
                "slug": item["slug"],
                "url": _link(item["landing_page_url"]),
                "logo": _sponsor_logo(flight, item, logos),
            }
            if flight == "sponsors":  # /psf/sponsors/ groups by package
                package = item["package"]
                sponsor["package"] = (
                    {k: package[k] for k in ("name", "slug", "logo_dimension")} if package else None
                )
            shown.append(sponsor)
        walls[flight] = shown
    return walls


def _banner(b: dict[str, Any]) -> dict[str, Any]:
    return {k: b[k] for k in ("id", "title", "message", "link")}


@dataclass
class Site:
    """What every section's ``plan`` is given: the snapshot, the site URL, and the data many
    sections show (the downloads landing, the boxes, the banners, the sponsor logo walls).
    ``planned`` holds the paths the sections before this one planned (and those ``finish`` will
    write); ``redirects`` the entries of ``_redirects.json``, added where each redirect is
    planned."""

    snap: Snapshot
    url: str
    landing: dict[str, Any]
    boxes: dict[str, str]  # box label -> its HTML
    banner: dict[str, Any] | None  # for pages outside the PSF's (home, downloads)
    psf_banner: dict[str, Any] | None  # for PSF pages
    # Who is shown on each sponsor logo wall (``SPONSOR_FLIGHTS``), in the API's order, each with
    # the logo to show (``src``, ``width``, ``height``) or None: read it with ``sponsor_wall``.
    sponsor_walls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)
    redirects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What a section left out while planning (reported with the outputs ``isolate`` left out).
    skipped: list[Skipped] = field(default_factory=list)

    @classmethod
    def of(cls, snap: Snapshot, url: str, *, reserved: Iterable[str] = ()) -> Site:
        banners = snap.data.get("view:banners") or []
        return cls(
            snap=snap,
            url=url,
            landing=snap.data.get("view:landing") or EMPTY_LANDING,
            boxes={b["label"]: b["content_html"] for b in snap.items("box")},
            # inventory 1.1: the first active banner not limited to PSF pages (home, downloads);
            # PSF pages show the first active banner of any kind. "First" is the API's order
            # (sort_order, id).
            banner=next((_banner(b) for b in banners if b["active"] and not b["psf_pages_only"]), None),
            psf_banner=next((_banner(b) for b in banners if b["active"]), None),
            sponsor_walls=_sponsor_walls(snap),
            planned=set(reserved),
        )

    def pick(self, labels: tuple[str, ...]) -> dict[str, str]:
        """The boxes a page places, by label (empty when there is none): a page's context
        carries only its boxes, so editing a box re-renders exactly the pages that show it."""
        return {label: self.boxes.get(label, "") for label in labels}

    def sponsor_wall(self, flight: str) -> list[dict[str, Any]]:
        """The sponsors one wall shows (``download``, ``jobs``, ``sponsors``): a page's context
        carries the wall it shows, so a sponsors change re-renders exactly those pages."""
        return self.sponsor_walls.get(flight, [])

    @property
    def latest(self) -> dict[str, Any]:
        """The newest Python 3, Python 2 and install manager releases (several pages name them)."""
        return {k: self.landing[k] for k in ("latest_python3", "latest_python2", "latest_pymanager")}

    def redirect(self, url_path: str, location: str, status: int) -> None:
        """An entry of ``_redirects.json``, for origins and the CDN that answer with the real status."""
        self.redirects[url_path] = {"location": location, "status": status}


Plan = Callable[[Site], list[Output]]
Finish = Callable[[Site, list[Output], list[Skipped]], list[Output]]


@dataclass(frozen=True)
class Section:
    """One part of the site, declared in one module.

    - ``fetch``: what a full build reads from the API into the snapshot;
    - ``watches``: the change-feed rows that make it stale; ``refetch`` re-reads what they name
      (None: ``fetch`` again, whole); ``daily``: also re-read whole by the first build of a day
      (for pages that depend on "now");
    - ``plan``: its output files, from the snapshot;
    - ``finish``: output files made from every other planned output (the sitemap), after unsafe
      paths are left out; ``final`` names them, so no section plans another file there.
    """

    name: str
    fetch: Fetch | None = None
    watches: tuple[Watch, ...] = ()
    refetch: Refetch | None = None
    daily: bool = False
    plan: Plan | None = None
    finish: Finish | None = None
    final: tuple[str, ...] = ()

    def claims(self, change: Change) -> bool:
        return any(w.matches(change) for w in self.watches)
