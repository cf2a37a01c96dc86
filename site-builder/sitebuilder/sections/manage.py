"""The editors' console (issue 20): ``/manage/``, a static shell whose script (``manage.js``) does
everything through ``/api/v3/`` on the same origin with the visitor's session cookie and CSRF
header, like every other form of the site.

The file is the same for everyone and holds no record and no user's data: who is looking, what
they may do (``GET /api/v3/users/me``: staff flag and permissions), the resources' forms (built from
the OpenAPI document the API serves) and every record come from the API at run time. A visitor
who is not logged in gets a link to log in and come back; a logged-in non-staff user gets "You do
not have access to the console." and nothing else is asked for. The API checks every call anyway:
the page grants nothing.

It fetches nothing and watches no change (a theme change re-renders it like every other page),
carries ``noindex`` and stays out of the sitemap (``sections/sitemap.py`` leaves ``noindex``
outputs out)."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

MANAGE_PAGE = "manage/index.html"


def plan(site: Site) -> list[Output]:
    return [Output(MANAGE_PAGE, "manage/index.html", {"noindex": True})]


SECTION = Section("manage", plan=plan)
