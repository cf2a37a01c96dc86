"""Every model, imported so the metadata is complete (Alembic, tests) and every named permission
is registered (each domain declares its permissions in its ``models.py``): import this, not the
app, where the whole permission registry is needed (the Django importer)."""

from __future__ import annotations

from pydotorg.core.changes import Change
from pydotorg.core.db import Base
from pydotorg.core.search.postgres import SearchCursor, SearchRow, SearchWord
from pydotorg.domains.banners import models as banners
from pydotorg.domains.blogs import models as blogs
from pydotorg.domains.boxes import models as boxes
from pydotorg.domains.codesamples import models as codesamples
from pydotorg.domains.community import models as community
from pydotorg.domains.companies import models as companies
from pydotorg.domains.downloads import models as downloads
from pydotorg.domains.events import models as events
from pydotorg.domains.flags import models as flags
from pydotorg.domains.jobs import models as jobs
from pydotorg.domains.minutes import models as minutes
from pydotorg.domains.navigation import models as navigation
from pydotorg.domains.nominations import models as nominations
from pydotorg.domains.pages import models as pages
from pydotorg.domains.previews import models as previews
from pydotorg.domains.redirects import models as redirects
from pydotorg.domains.sponsors import models as sponsors
from pydotorg.domains.successstories import models as successstories
from pydotorg.domains.users import invalidation as _auth_invalidation  # noqa: F401  (commit listeners)
from pydotorg.domains.users import models as users
from pydotorg.domains.workgroups import models as workgroups

metadata = Base.metadata

__all__ = [
    "Base",
    "Change",
    "SearchCursor",
    "SearchRow",
    "SearchWord",
    "banners",
    "blogs",
    "boxes",
    "codesamples",
    "community",
    "companies",
    "downloads",
    "events",
    "flags",
    "jobs",
    "metadata",
    "minutes",
    "navigation",
    "nominations",
    "pages",
    "previews",
    "redirects",
    "sponsors",
    "successstories",
    "users",
    "workgroups",
]
