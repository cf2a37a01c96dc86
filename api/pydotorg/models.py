"""Every model, imported so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from pydotorg.core.changes import Change
from pydotorg.core.db import Base
from pydotorg.domains.banners import models as banners
from pydotorg.domains.boxes import models as boxes
from pydotorg.domains.codesamples import models as codesamples
from pydotorg.domains.downloads import models as downloads
from pydotorg.domains.navigation import models as navigation
from pydotorg.domains.pages import models as pages
from pydotorg.domains.users import models as users

metadata = Base.metadata

__all__ = [
    "Base",
    "Change",
    "banners",
    "boxes",
    "codesamples",
    "downloads",
    "metadata",
    "navigation",
    "pages",
    "users",
]
