"""The PSF's sponsors on the site (inventory 1.16, "Public display of sponsors"): python.org's
``list_sponsors`` template tag, as three logo walls read from ``/api/v3/sponsors/placements``
(publisher ``psf``): ``/psf/sponsors/`` (``flight=sponsors``, planned here), the downloads
landing (``download``, planned by ``downloads``) and the jobs sidebar (``jobs``, planned by
``jobs``). Other sections read a wall with ``site.sponsor_wall(flight)`` and put it in the
context of exactly the pages that show it, so a sponsors change re-renders those pages only.

Reads ``view:sponsors/<flight>`` and ``view:sponsor-logos`` (what the builder learned of each logo
URL). Any sponsors change re-reads the three walls whole (a few dozen rows), and so does the first
build of a day: sponsorships start and end at midnight UTC.

Logos: each logo URL is fetched once. A stored file is never overwritten (a new upload gets a new
name), so what a URL holds never changes and a URL fetched before is not fetched again; a URL
that failed is tried again at the next re-read. A raster logo (PNG, JPEG, GIF, WebP) gets PNG
thumbnails 150 and 100 pixels high (python.org's sorl-thumbnail ``"x150"`` / ``"x100"``,
``format="PNG"``), published by the build at ``/media-thumbs/<content hash>-h<height>.png``; the
thumbnails live in the snapshot, so a build from a saved snapshot needs no network. An SVG is
shown from its own URL. A logo that cannot be fetched or decoded is left out and reported (the
build's ``skipped``), and the sponsor is shown by name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import warnings
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image

from sitebuilder.outputs import Output, Skipped, record_of
from sitebuilder.sections.base import (
    DEFAULT_LOGO_DIMENSION,
    SPONSOR_FLIGHTS,
    SPONSOR_LOGOS_KEY,
    THUMBNAIL_HEIGHTS,
    Section,
    Site,
    Watch,
    sponsor_wall_key,
    thumbnail_path,
)
from sitebuilder.snapshot import Api, Snapshot

PUBLISHER = "psf"
SPONSORS_PAGE = "psf/sponsors/index.html"
# What the builder reads of one logo: at most this many bytes and pixels, within this time.
MAX_LOGO_BYTES = 10 * 1024 * 1024
MAX_LOGO_PIXELS = 50_000_000
LOGO_TIMEOUT = 15.0
RASTER_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_SVG_ATTR = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""")
_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")
PAGE_BOXES = ("psf-banner",)


class LogoError(Exception):
    """Why a logo cannot be shown (not fetched, too large, not an image)."""


def fetch(api: Api, snap: Snapshot) -> None:
    walls = {
        flight: api.get(f"/api/v3/sponsors/placements?publisher={PUBLISHER}&flight={flight}")
        for flight in SPONSOR_FLIGHTS
    }
    for flight, wall in walls.items():
        snap.data[sponsor_wall_key(flight)] = wall
    known: dict[str, Any] = snap.data.get(SPONSOR_LOGOS_KEY) or {}
    urls = sorted({item["web_logo"] for wall in walls.values() for item in wall if item["web_logo"]})
    logos: dict[str, Any] = {}
    with httpx.Client(timeout=LOGO_TIMEOUT, follow_redirects=True, max_redirects=3) as client:
        for url in urls:
            cached = known.get(url)
            logos[url] = cached if cached is not None and "error" not in cached else read_logo(client, url)
    snap.data[SPONSOR_LOGOS_KEY] = logos  # logos no wall shows any more are dropped


def read_logo(client: httpx.Client, url: str) -> dict[str, Any]:
    """What a wall needs of one logo: its content hash, format and size, and for a raster logo
    its PNG thumbnails (base64); ``{"error": reason}`` when it cannot be shown."""
    try:
        return logo_info(url, _download(client, url))
    except LogoError as exc:
        return {"error": str(exc)}


def logo_info(url: str, data: bytes) -> dict[str, Any]:
    """``read_logo``'s answer for the bytes ``url`` holds; raises ``LogoError``."""
    digest = hashlib.sha256(data).hexdigest()
    if _is_svg(url, data):
        width, height = _svg_size(data)
        return {"sha": digest, "format": "svg", "width": width, "height": height}
    return {"sha": digest, **_thumbnails(data)}


def _download(client: httpx.Client, url: str) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise LogoError("not an http(s) URL")
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise LogoError(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_LOGO_BYTES:
                    raise LogoError(f"larger than {MAX_LOGO_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise LogoError(f"{type(exc).__name__}: {exc}") from exc
    return b"".join(chunks)


def _is_svg(url: str, data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return urlsplit(url).path.lower().endswith(".svg") or head.startswith((b"<svg", b"<?xml"))


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    """An SVG's width and height (its ``width``/``height`` in pixels, else its ``viewBox``), for
    its shape on the walls; (None, None) when it says neither."""
    tag = _SVG_TAG.search(data[:65536])
    if tag is None:
        raise LogoError("not an SVG image")
    attrs = {
        name.decode(): value.decode("utf-8", "replace") for name, value in _SVG_ATTR.findall(tag.group())
    }
    width, height = (_NUMBER.match(attrs.get(k, "")) for k in ("width", "height"))
    if width and height and float(width.group(1)) > 0 and float(height.group(1)) > 0:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    try:
        w, h = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None, None
    return (round(w), round(h)) if w > 0 and h > 0 else (None, None)


def _thumbnails(data: bytes) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=RASTER_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise LogoError(f"more than {MAX_LOGO_PIXELS} pixels")
                image.load()
                rgba = image.convert("RGBA")
                fmt = (image.format or "").lower()
    except LogoError:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise LogoError(f"not an image: {type(exc).__name__}: {exc}") from exc
    thumbs = {}
    for box in sorted(set(THUMBNAIL_HEIGHTS.values())):
        # sorl-thumbnail's "x<box>": that height, the width in proportion (upscaled if smaller)
        thumb_width = max(1, round(width * box / height))
        buffer = io.BytesIO()
        rgba.resize((thumb_width, box), Image.Resampling.LANCZOS).save(buffer, "PNG", optimize=True)
        thumbs[str(box)] = {"width": thumb_width, "png": base64.b64encode(buffer.getvalue()).decode()}
    return {"format": fmt, "width": width, "height": height, "thumbs": thumbs}


def _groups(sponsors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """/psf/sponsors/'s sections: one per package, in the API's (package) order, each headed
    "<package> Sponsors" and laid out in cells of its ``logo_dimension``. Sponsorships without a
    package (python.org's page failed on them) come last under "Sponsors"."""
    groups: dict[str | None, dict[str, Any]] = {}
    anchors: set[str] = set()
    for sponsor in sponsors:
        package = sponsor["package"]
        key = package["slug"] if package else None
        group = groups.setdefault(
            key,
            {
                "slug": key or "other",
                "label": f"{package['name']} Sponsors" if package else "Sponsors",
                "dimension": package["logo_dimension"] if package else DEFAULT_LOGO_DIMENSION,
                "sponsors": [],
            },
        )
        # The element id /psf/sponsors/#<slug> links to: once per page (a sponsor shown twice, or
        # two names with one slug, keep the first).
        anchor = sponsor["slug"] if sponsor["slug"] and sponsor["slug"] not in anchors else None
        if anchor:
            anchors.add(anchor)
        group["sponsors"].append({**{k: sponsor[k] for k in ("name", "url", "logo")}, "anchor": anchor})
    ordered = [g for k, g in groups.items() if k is not None]
    return ordered + ([groups[None]] if None in groups else [])


def _reports(snap: Snapshot) -> list[Skipped]:
    """One report per logo a wall cannot show (fetched or decoded in vain), per sponsor."""
    logos = snap.data.get(SPONSOR_LOGOS_KEY) or {}
    seen: dict[tuple[str, int], Skipped] = {}
    for flight in SPONSOR_FLIGHTS:
        for item in snap.data.get(sponsor_wall_key(flight)) or []:
            info = logos.get(item["web_logo"]) if item["web_logo"] else None
            if info is not None and "error" in info:
                seen.setdefault(
                    (item["web_logo"], item["sponsor_id"]),
                    Skipped(
                        item["web_logo"],
                        f"sponsor logo not shown ({item['name']} by name): {info['error']}"[:500],
                        record_of("sponsors", "sponsor", item["sponsor_id"]),
                    ),
                )
    return list(seen.values())


def plan(site: Site) -> list[Output]:
    snap = site.snap
    logos = snap.data.get(SPONSOR_LOGOS_KEY) or {}
    site.skipped.extend(_reports(snap))
    outputs = [
        Output(
            SPONSORS_PAGE,
            "psf/sponsors.html",
            {
                "page": {"title": "Python Software Foundation Sponsors", "path": "psf/sponsors"},
                "boxes": site.pick(PAGE_BOXES),
                "banner": site.psf_banner,
                "groups": _groups(site.sponsor_wall("sponsors")),
            },
        )
    ]
    # The thumbnails the downloads and jobs walls show, one file per logo and height.
    thumbnails: dict[str, bytes] = {}
    for flight, box in THUMBNAIL_HEIGHTS.items():
        for item in snap.data.get(sponsor_wall_key(flight)) or []:
            info = logos.get(item["web_logo"]) if item["web_logo"] else None
            thumb = (info or {}).get("thumbs", {}).get(str(box))
            if info is not None and thumb is not None:
                thumbnails[thumbnail_path(info["sha"], box)] = base64.b64decode(thumb["png"])
    outputs += [Output(path, None, text=data) for path, data in sorted(thumbnails.items())]
    return outputs


SECTION = Section("sponsors", fetch=fetch, watches=(Watch("sponsors"),), daily=True, plan=plan)
