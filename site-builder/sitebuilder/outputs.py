"""Outputs: one file of the site, the template that renders it and the data it shows.

An ``Output``'s hash (template + context + theme/site version) is its dependency record: an
incremental build re-renders exactly the outputs whose hash changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import msgspec


@dataclass
class Output:
    path: str  # relative output path, e.g. "downloads/index.html"
    template: str | None  # a theme template, or None for generated text
    context: dict[str, Any] = field(default_factory=dict)
    text: str | None = None  # for outputs written directly (robots, sitemap, feeds)
    alias_of: str | None = None  # the same bytes as another output (the /getit/ mirror)
    # Generated text too costly to produce when unchanged (iCal): the name of a function in
    # TEXT_RENDERERS, called with ``context`` only when the output is rendered.
    renderer: str | None = None

    @property
    def uses_site_globals(self) -> bool:
        """Whether the output shows the site's menus (every page that extends base.html)."""
        return self.template is not None and not self.template.startswith("box")

    @property
    def url(self) -> str:
        return url_of(self.path)

    def digest(self, version: str) -> str:
        """``version`` covers the theme and the data every page shows (the menus)."""
        payload = msgspec.json.encode(
            [self.template, self.renderer, self.context, self.text, version], order="sorted"
        )
        return hashlib.sha256(payload).hexdigest()


TEXT_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {}


def text_of(output: Output) -> str:
    if output.renderer is not None:
        return TEXT_RENDERERS[output.renderer](output.context)
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
    base: str, template: str, items: list[Any], per_page: int, extra: dict[str, Any]
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
        out.append(Output(path + "index.html", template, context))
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
