"""/about/ (inventory 1.2): python.org's "About" landing page, made of boxes only."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

ABOUT_BOXES = (
    "aboutpython-banner",
    "aboutpython-getstarted",
    "aboutpython-easytolearn",
    "aboutpython-applications",
    "aboutpython-opensource",
    "widget-weneedyou",
)


def plan(site: Site) -> list[Output]:
    return [Output("about/index.html", "about.html", {"boxes": site.pick(ABOUT_BOXES)})]


SECTION = Section("about", plan=plan)
