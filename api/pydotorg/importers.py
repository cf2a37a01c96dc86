"""Every domain's Django importers, registered with ``core.importer``."""

from __future__ import annotations

from pydotorg.core.importer import REGISTRY
from pydotorg.domains.boxes import importers as boxes
from pydotorg.domains.downloads import importers as downloads
from pydotorg.domains.navigation import importers as navigation
from pydotorg.domains.pages import importers as pages
from pydotorg.domains.users import importers as users

__all__ = ["REGISTRY", "boxes", "downloads", "navigation", "pages", "users"]
