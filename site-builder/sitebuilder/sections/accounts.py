"""Visitors' own pages: ``/accounts/login/``, a static shell whose script calls the API with the
visitor's session (nothing private is ever in a public file)."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site


def plan(site: Site) -> list[Output]:
    return [Output("accounts/login/index.html", "accounts/login.html", {})]


SECTION = Section("accounts", plan=plan)
