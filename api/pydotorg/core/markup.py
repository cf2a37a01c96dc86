"""Markup rendering: raw text + markup type -> sanitized HTML (python.org's markupfield).

Every type goes through nh3, including ``html`` (python.org left CMS HTML unsanitized;
inventory appendix B.14 — we fix that).
"""

from __future__ import annotations

import html
from typing import Literal

import markdown
import nh3
from docutils.core import publish_parts

MarkupType = Literal["markdown", "restructuredtext", "html", "text"]
MARKUP_TYPES: tuple[str, ...] = ("markdown", "restructuredtext", "html", "text")

_TAGS = set(nh3.ALLOWED_TAGS) | {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "pre",
    "code",
    "span",
    "div",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "hr",
    "br",
    "sup",
    "sub",
    "section",
    "figure",
    "figcaption",
    "cite",
    "kbd",
    "samp",
    "var",
    "tt",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "ftp"},
        link_rel="noopener noreferrer",
    )


def render(text: str, markup_type: str, *, escape_html: bool = False) -> str:
    """Render ``text``; ``escape_html`` escapes raw HTML in markdown first (user bios)."""
    if not text:
        return ""
    if markup_type == "markdown":
        source = html.escape(text, quote=False) if escape_html else text
        out = markdown.markdown(source, extensions=["fenced_code", "tables", "toc"])
    elif markup_type == "restructuredtext":
        out = publish_parts(
            text,
            writer="html5",
            settings_overrides={
                "raw_enabled": False,
                "file_insertion_enabled": False,
                "report_level": 5,
                "halt_level": 5,
                "input_encoding": "unicode",
            },
        )["body"]
    elif markup_type == "html":
        out = text
    else:
        out = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    return sanitize(out)
