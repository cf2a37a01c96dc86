"""The main menu tree (python.org's sitetree ``main``): the top bar, the main navigation with its
drop-downs and the footer of every page. It plans no file of its own: every page shows it, so
``sitebuilder.menus`` makes it part of every page's hash.

Reads ``view:nav/main``, re-read whole on any navigation change.
"""

from __future__ import annotations

from sitebuilder.sections.base import Section, Watch
from sitebuilder.snapshot import Api, Snapshot


def fetch(api: Api, snap: Snapshot) -> None:
    snap.refresh(api, "view:nav/main", "/api/v3/navigation/trees/main")


SECTION = Section("navigation", fetch=fetch, watches=(Watch("navigation"),))
