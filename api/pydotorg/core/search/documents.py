"""What the search index holds and answers, whatever the engine.

A domain describes its searchable records with a ``SearchSource`` (in its ``search.py``): the
result type it produces, the change-feed kinds it depends on, and a loader that turns record ids
into ``SearchDocument``s, leaving out every record a visitor could not open (drafts, private
posts, unapproved or expired jobs). The entry points compose the sources; ``core`` knows none.

Text reaches the engines as plain text (tags stripped, whitespace collapsed). Excerpts come back
with the matched words between ``MARK_START`` and ``MARK_END`` (private-use characters that the
documents never contain), and ``marked_html`` turns that into escaped HTML with ``<mark>``: the
only HTML a search result carries, and none of it from the content itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import msgspec
import nh3
from sqlalchemy.ext.asyncio import AsyncSession

MARK_START = "\ue000"
MARK_END = "\ue001"
PER_PAGE = 20
MAX_PAGE = 50  # 1,000 results: deeper pages are not worth a query
MAX_QUERY_LENGTH = 200
MAX_TEXT_CHARS = 20_000  # what a document's body contributes to the index (bounds the tsvector)
EXCERPT_WORDS = 50  # python.org's description: the first 50 words

_SPACE = re.compile(r"\s+")
_PRIVATE = re.compile("[\ue000-\uf8ff]")


class SearchDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One searchable page of the site. ``id`` is ``<type>:<record id>``; ``url`` the page's path
    on the site; ``keywords`` weigh more than ``text`` and less than ``title``; ``boost`` scales
    the relevance (python.org's index-time boosts, inventory 3.4); ``date`` is shown and breaks
    ties (newest first) unless ``order`` says otherwise (upcoming events: the soonest first);
    ``detail`` is the one line under the title (company and place, venue)."""

    id: str
    type: str
    title: str
    url: str
    text: str = ""
    keywords: str = ""
    boost: float = 1.0
    date: datetime | None = None
    detail: str = ""
    order: float | None = None  # ties go to the higher order; default: the date (newest first)

    @property
    def tiebreak(self) -> float:
        """What breaks ties between equally relevant results, higher first."""
        if self.order is not None:
            return self.order
        return self.date.timestamp() if self.date else 0.0


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    type: str
    title: str
    url: str
    excerpt: str  # safe HTML: escaped text with <mark> around the matched words
    date: str | None  # ISO date
    detail: str


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    q: str
    type: str | None = None
    page: int = 1
    per_page: int = PER_PAGE


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    total: int  # matches of ``type`` (or of every type)
    hits: list[SearchHit]
    facets: dict[str, int]  # matches per type, whatever ``type`` is
    corrected: str | None = None  # the query actually run, when a misspelt one found nothing


# How a change to a watched kind reaches a source: "self" re-reads the changed record's document,
# "all" re-reads every document of the source (a calendar renamed changes every event's URL).
Reach = Literal["self", "all"]
Loader = Callable[[AsyncSession, Collection[int] | None, datetime], Awaitable[list[SearchDocument]]]


@dataclass(frozen=True)
class SearchSource:
    """A result type and how to read its documents.

    ``load(session, ids, now)`` returns the documents of the records ``ids`` (all of them when
    ``ids`` is None) that a visitor can open at ``now``; an id it leaves out is removed from the
    index. ``time_dependent`` sources (boosts or visibility that move with the date) are read
    again by the daily job."""

    type: str
    label: str  # plural, for the facets: "Releases"
    watches: Mapping[tuple[str, str], Reach]
    load: Loader
    time_dependent: bool = False
    order: int = field(default=100)  # the facets' order on the page


def document_id(type_: str, record_id: int | str) -> str:
    return f"{type_}:{record_id}"


def clean(value: str | None) -> str:
    """Plain text on one line, without the excerpt marks' private-use characters."""
    if not value:
        return ""
    return _SPACE.sub(" ", _PRIVATE.sub("", value)).strip()


def html_text(value: str | None) -> str:
    """The text of sanitized HTML: tags dropped, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    stripped = nh3.clean(value.replace("<", " <"), tags=set(), clean_content_tags={"script", "style"})
    return clean(html.unescape(stripped))[:MAX_TEXT_CHARS]


def first_words(text: str, count: int = EXCERPT_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def marked_html(text: str) -> str:
    """Escape ``text`` and turn the engine's marks into ``<mark>``; unbalanced marks are closed."""
    out: list[str] = []
    open_ = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", text):
        if part == MARK_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == MARK_END:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(html.escape(part, quote=False))
    if open_:
        out.append("</mark>")
    return "".join(out)
