"""The site search page (issue 16): ``/search/``, python.org's Haystack search page as a static
shell. Its script (``search.js``) reads ``q``, ``type`` and ``page`` from the page's own URL, asks
``GET /api/v3/search`` on the same origin and shows the results, so a search is a URL that can be
shared, bookmarked and gone back to. The header's search box on every page (``search_form`` in
``includes/macros.html``) and the JSON-LD ``SearchAction`` in ``base.html`` point here.

The file is the same for every query and shows no record, so the section fetches nothing and
watches no change: a theme change re-renders it like every other page. It carries ``noindex`` (a
results page is not a page for a search engine's index) and stays out of the sitemap."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

SEARCH_PAGE = "search/index.html"


def plan(site: Site) -> list[Output]:
    return [Output(SEARCH_PAGE, "search.html", {"noindex": True})]


SECTION = Section("search", plan=plan)
