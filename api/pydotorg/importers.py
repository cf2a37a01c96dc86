"""Every domain's Django importers, registered with ``core.importer``."""

from __future__ import annotations

# The app module imports every controller, and controllers register the named permissions the
# users importer maps Django permissions onto.
from pydotorg import app as _app  # noqa: F401
from pydotorg.core.importer import REGISTRY
from pydotorg.domains.banners import importers as banners
from pydotorg.domains.blogs import importers as blogs
from pydotorg.domains.boxes import importers as boxes
from pydotorg.domains.codesamples import importers as codesamples
from pydotorg.domains.community import importers as community
from pydotorg.domains.companies import importers as companies
from pydotorg.domains.downloads import importers as downloads
from pydotorg.domains.events import importers as events
from pydotorg.domains.flags import importers as flags
from pydotorg.domains.jobs import importers as jobs
from pydotorg.domains.minutes import importers as minutes
from pydotorg.domains.navigation import importers as navigation
from pydotorg.domains.pages import importers as pages
from pydotorg.domains.redirects import importers as redirects
from pydotorg.domains.successstories import importers as successstories
from pydotorg.domains.users import importers as users
from pydotorg.domains.workgroups import importers as workgroups

__all__ = [
    "REGISTRY",
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
    "minutes",
    "navigation",
    "pages",
    "redirects",
    "successstories",
    "users",
    "workgroups",
]
