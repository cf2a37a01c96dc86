"""What is searchable: every domain's search sources (``domains/<name>/search.py``), composed
here once for the API (``GET /api/v3/search``), the worker (``search.index``) and the command
(``pydotorg search reindex``), as ``models.py`` composes the models. The tuple's order is the
order of the facets."""

from __future__ import annotations

from pydotorg.core.search import SearchSource
from pydotorg.domains.blogs import search as blogs
from pydotorg.domains.community import search as community
from pydotorg.domains.downloads import search as downloads
from pydotorg.domains.events import search as events
from pydotorg.domains.jobs import search as jobs
from pydotorg.domains.minutes import search as minutes
from pydotorg.domains.pages import search as pages
from pydotorg.domains.successstories import search as successstories

SEARCH_SOURCES: tuple[SearchSource, ...] = tuple(
    sorted(
        (
            *downloads.SOURCES,
            *events.SOURCES,
            *jobs.SOURCES,
            *pages.SOURCES,
            *successstories.SOURCES,
            *community.SOURCES,
            *minutes.SOURCES,
            *blogs.SOURCES,
        ),
        key=lambda s: s.order,
    )
)
