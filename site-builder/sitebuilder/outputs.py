"""Outputs: one file of the site, the template that renders it and the data it shows.

An ``Output``'s hash (template + context + theme/site version) is its dependency record: an
incremental build re-renders exactly the outputs whose hash changed.

``unsafe_path`` is the one rule every output path passes before anything is rendered: a record
whose data makes a path that could leave the output tree, or that a file system or object store
cannot hold, is skipped and reported (``Skipped``) instead of failing the whole build.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import msgspec


@dataclass(frozen=True)
class TextRenderer:
    """A function that makes an output's text from its context; its ``name`` (not the code) is
    part of the output's hash, so the same name must always make the same text."""

    name: str
    render: Callable[[dict[str, Any]], str]


@dataclass
class Output:
    path: str  # relative output path, e.g. "downloads/index.html"
    template: str | None  # a theme template, or None for generated text
    context: dict[str, Any] = field(default_factory=dict)
    # For outputs written directly: text (robots, sitemap, feeds) or bytes (sponsor logo thumbnails).
    text: str | bytes | None = None
    alias_of: str | None = None  # the same bytes as another output (the /getit/ mirror)
    # Generated text too costly to produce when unchanged (iCal): called with ``context`` only
    # when the output is rendered.
    renderer: TextRenderer | None = None
    # The API record whose data makes this output's path, as the change feed names it
    # ((domain, kind, id)); only for reports when the output has to be skipped, never hashed.
    record: tuple[str, str, str] | None = None

    @property
    def uses_site_globals(self) -> bool:
        """Whether the output shows the site's menus (every page that extends base.html)."""
        return self.template is not None and not self.template.startswith("box")

    @property
    def url(self) -> str:
        return url_of(self.path)

    def digest(self, version: str) -> str:
        """``version`` covers the theme and the data every page shows (the menus)."""
        renderer = self.renderer.name if self.renderer is not None else None
        payload = msgspec.json.encode(
            [self.template, renderer, self.context, self.text, version], order="sorted"
        )
        return hashlib.sha256(payload).hexdigest()


def record_of(domain: str, kind: str, ident: Any) -> tuple[str, str, str]:
    return (domain, kind, str(ident))


@dataclass(frozen=True)
class Skipped:
    """An output the build left out: its path, why, and the record behind it when known."""

    path: str
    reason: str
    record: tuple[str, str, str] | None = None

    def as_dict(self) -> dict[str, str | None]:
        domain, kind, ident = self.record or (None, None, None)
        return {"domain": domain, "kind": kind, "id": ident, "path": self.path, "reason": self.reason}


# NAME_MAX of Linux file systems, in bytes; and a whole path well inside S3's 1,024-byte key limit
# (the origin adds its prefix) and the URL lengths CDNs and browsers handle.
MAX_SEGMENT_BYTES = 255
MAX_PATH_BYTES = 900
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_path(path: Any) -> str | None:
    """Why ``path`` cannot be an output file, or None when it can: a relative POSIX path in
    normal form (no empty, ``.`` or ``..`` segment, no hidden segment, no backslash or control
    character), with no segment over 255 bytes and at most 900 bytes in all."""
    if not isinstance(path, str) or not path:
        return "empty path"
    if _CONTROL.search(path):
        return "control character in path"
    if "\\" in path:
        return "backslash in path"
    try:
        path.encode()
    except UnicodeEncodeError:
        return "path is not valid UTF-8"
    if path.startswith("/"):
        return "absolute path"
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments) or posixpath.normpath(path) != path:
        return "path is not in normal form (empty, '.' or '..' segment)"
    if any(s.startswith(".") for s in segments):
        return "hidden path segment (starts with '.')"
    if any(len(s.encode()) > MAX_SEGMENT_BYTES for s in segments):
        return f"file name longer than {MAX_SEGMENT_BYTES} bytes"
    if len(path.encode()) > MAX_PATH_BYTES:
        return f"path longer than {MAX_PATH_BYTES} bytes"
    return None


def isolate(outputs: Iterable[Output]) -> tuple[list[Output], list[Skipped]]:
    """Split ``outputs`` into those that can be written and those that are skipped: an unsafe
    path (``unsafe_path``); a path below another output's file (``a/index.html`` is a file, so
    ``a/index.html/index.html`` cannot be written: the deeper one is skipped); a mirror of a
    skipped output."""
    outputs = list(outputs)
    skipped: dict[str, Skipped] = {}
    for o in outputs:
        reason = unsafe_path(o.path)
        if reason is not None:
            skipped.setdefault(o.path, Skipped(o.path, reason, o.record))
    files = {o.path for o in outputs if o.path not in skipped}
    for o in outputs:
        if o.path in skipped:
            continue
        parent = posixpath.dirname(o.path)
        while parent:
            if parent in files:
                reason = f"another output is a file at {parent!r}"
                skipped[o.path] = Skipped(o.path, reason, o.record)
                break
            parent = posixpath.dirname(parent)
    for o in outputs:
        if o.alias_of is not None and o.alias_of in skipped and o.path not in skipped:
            skipped[o.path] = Skipped(o.path, f"mirrors the skipped {o.alias_of}", o.record)
    kept = [o for o in outputs if o.path not in skipped]
    return kept, sorted(skipped.values(), key=lambda s: s.path)


def text_of(output: Output) -> str | bytes:
    if output.renderer is not None:
        return output.renderer.render(output.context)
    return output.text or ""


def url_of(path: str) -> str:
    """The URL an output file answers: ``downloads/index.html`` is ``/downloads/``, a feed
    published as ``jobs/feed/rss/index.rss`` is ``/jobs/feed/rss/`` (the origin's index files)."""
    for index in ("index.html", "index.rss"):
        if path == index:
            return "/"
        if path.endswith("/" + index):
            return "/" + path[: -len(index)]
    return "/" + path


def paginated(
    base: str,
    template: str,
    items: list[Any],
    per_page: int,
    extra: dict[str, Any],
    *,
    record: tuple[str, str, str] | None = None,
) -> list[Output]:
    """python.org's ``?page=N`` lists as static pages: ``<base>`` is page 1, ``<base>page/N/``
    the others (docs/site-builder.md)."""
    pages = max(1, -(-len(items) // per_page))
    out = []
    for number in range(1, pages + 1):
        path = base if number == 1 else f"{base}page/{number}/"
        context = {
            **extra,
            "items": items[(number - 1) * per_page : number * per_page],
            "page_number": number,
            "page_count": pages,
            "list_url": "/" + base,
        }
        out.append(Output(path + "index.html", template, context, record=record))
    return out


def rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def rss(title: str, link: str, description: str, items: list[tuple[str, str, str, str]]) -> str:
    """An RSS 2.0 channel; ``items`` are (title, absolute link, description, ISO date), escaped here."""
    body = "".join(
        "    <item>\n"
        f"      <title>{escape(item_title)}</title>\n"
        f"      <link>{escape(item_link)}</link>\n"
        f"      <description>{escape(item_description)}</description>\n"
        f"      <pubDate>{rfc822(date)}</pubDate>\n"
        f"      <guid>{escape(item_link)}</guid>\n"
        "    </item>\n"
        for item_title, item_link, item_description, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0">\n  <channel>\n'
        f"    <title>{escape(title)}</title>\n"
        f"    <link>{escape(link)}</link>\n"
        f"    <description>{escape(description)}</description>\n"
        "    <language>en-us</language>\n" + body + "  </channel>\n</rss>\n"
    )
