"""Every domain's Django importers, registered with ``core.importer``."""

from __future__ import annotations

from pydotorg.core.importer import REGISTRY
from pydotorg.domains.banners import importers as banners
from pydotorg.domains.boxes import importers as boxes
from pydotorg.domains.codesamples import importers as codesamples
from pydotorg.domains.downloads import importers as downloads
from pydotorg.domains.navigation import importers as navigation
from pydotorg.domains.pages import importers as pages
from pydotorg.domains.users import importers as users

__all__ = ["REGISTRY", "banners", "boxes", "codesamples", "downloads", "navigation", "pages", "users"]
