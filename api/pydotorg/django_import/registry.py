"""Every domain's Django imports (``IMPORTS`` in ``domains/<name>/importers.py``), by Django
model label. Adding a domain's importer means one more line here.

``PARTS`` maps the child label of a multi-table inheritance (``ModelImport.parts``) to its parent's
label; ``LABELS`` is every label the import reads, parents, children and plain models alike."""

from __future__ import annotations

# The users importer maps Django permissions onto the named permissions every domain's models
# declare: import them all so the permission registry is complete.
import pydotorg.models  # noqa: F401
from pydotorg.core.importing import ModelImport
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
from pydotorg.domains.nominations import importers as nominations
from pydotorg.domains.pages import importers as pages
from pydotorg.domains.redirects import importers as redirects
from pydotorg.domains.sponsors import importers as sponsors
from pydotorg.domains.successstories import importers as successstories
from pydotorg.domains.users import importers as users
from pydotorg.domains.workgroups import importers as workgroups

REGISTRY: dict[str, ModelImport] = {
    spec.label: spec
    for spec in (
        *users.IMPORTS,
        *pages.IMPORTS,
        *boxes.IMPORTS,
        *banners.IMPORTS,
        *codesamples.IMPORTS,
        *navigation.IMPORTS,
        *downloads.IMPORTS,
        *blogs.IMPORTS,
        *community.IMPORTS,
        *companies.IMPORTS,
        *events.IMPORTS,
        *flags.IMPORTS,
        *jobs.IMPORTS,
        *minutes.IMPORTS,
        *nominations.IMPORTS,
        *redirects.IMPORTS,
        *sponsors.IMPORTS,
        *successstories.IMPORTS,
        *workgroups.IMPORTS,
    )
}

PARTS: dict[str, str] = {part: spec.label for spec in REGISTRY.values() for part in spec.parts}
LABELS: tuple[str, ...] = tuple(sorted({*REGISTRY, *PARTS}))
