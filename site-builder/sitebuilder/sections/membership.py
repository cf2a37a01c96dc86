"""PSF membership (inventory 1.12 and the users app's membership URLs of 1.18).

``/membership/`` is python.org's page behind the ``psf_membership`` feature flag. A static file
is the same for every visitor, so the page holds both states: its script asks
``/api/v3/flags/psf_membership/active`` for the visitor (with their session) and shows either the
membership page or python.org's "not found" text; without JavaScript the visitor sees the latter,
as an anonymous visitor of python.org did.

``/users/membership/`` (join, with the code of conduct), ``edit/`` (with leaving), ``thanks/``,
``affirm/`` and ``affirm/done/`` are static shells whose script (``membership.js``) reads and
writes ``/api/v3/users/me/membership`` with the visitor's session; a visitor who is not logged in
is sent to log in and back. None of these pages shows a record, so the section watches no
change and fetches nothing."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

# Output directory -> template under membership/.
PAGES = {
    "membership": "landing.html",
    "users/membership": "create.html",
    "users/membership/edit": "edit.html",
    "users/membership/thanks": "thanks.html",
    "users/membership/affirm": "affirm.html",
    "users/membership/affirm/done": "affirm_done.html",
}


def plan(site: Site) -> list[Output]:
    return [Output(f"{path}/index.html", f"membership/{template}", {}) for path, template in PAGES.items()]


SECTION = Section("membership", plan=plan)
