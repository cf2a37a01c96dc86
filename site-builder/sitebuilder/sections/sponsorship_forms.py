"""Applying to sponsor the PSF and the sponsor dashboard (inventory 1.16, "Public application
flow" and "Sponsor dashboard"): static shells whose script (``sponsors.js``) calls
``/api/v3/sponsors/...`` with the visitor's session (docs/api/v3-sponsors-applications.md).

- ``/sponsors/application/`` (step 1, anonymous allowed): the script asks
  ``/api/v3/flags/sponsorship-applications-open/active`` and shows either the form, built from
  ``GET /api/v3/sponsors/offer``, or python.org's box ``sponsorship-application-closed``, the one
  thing here the build bakes in. The selection is kept in ``sessionStorage`` (python.org: the
  ``sponsorship_selected_benefits`` cookie).
- ``/sponsors/application/new/`` (step 2) and ``/sponsors/application/finished/``.
- The dashboard under ``/users/sponsorships/``. A static origin cannot have a file per private
  sponsorship, so python.org's ``/users/sponsorships/<pk>/`` is ``detail/?id=<pk>``, ``<pk>/assets/``
  is ``assets/?id=<pk>``, ``<pk>/provided-assets/`` is ``provided-assets/?id=<pk>`` and
  ``sponsor/<pk>/`` is ``sponsor/?id=<pk>`` (``sponsor/edit/`` keeps its path).

Nothing here shows a record: the pages are the same for every visitor and every build, so the
section fetches nothing and watches only the boxes (through ``site.pick``).
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

CLOSED_BOX = "sponsorship-application-closed"

# Output directory -> template under sponsors_forms/. Every page carries noindex and stays out
# of the sitemap (sitemap.NOINDEX): the dashboard is the visitor's own, and the application, like
# /membership/, is behind a feature flag and the same shell whether it is open or closed.
PAGES = {
    "sponsors/application": "select.html",
    "sponsors/application/new": "new.html",
    "sponsors/application/finished": "finished.html",
    "users/sponsorships": "list.html",
    "users/sponsorships/detail": "detail.html",
    "users/sponsorships/assets": "assets.html",
    "users/sponsorships/provided-assets": "provided.html",
    "users/sponsorships/sponsor": "sponsor.html",
    "users/sponsorships/sponsor/edit": "sponsor_choose.html",
}


def plan(site: Site) -> list[Output]:
    out = []
    for path, template in PAGES.items():
        context: dict[str, Any] = {"noindex": True}
        if template == "select.html":
            context["boxes"] = site.pick((CLOSED_BOX,))
        out.append(Output(f"{path}/index.html", f"sponsors_forms/{template}", context))
    return out


SECTION = Section("sponsorship_forms", plan=plan)
