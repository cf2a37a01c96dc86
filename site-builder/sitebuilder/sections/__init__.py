"""The site's sections, one module each, and ``SECTIONS``: the one list ``fetch.py`` and
``plan.py`` walk, in this order.

The order is the planning order, and it matters where sections share paths: the application
sections come first, then ``pages`` (a CMS page only fills a path none of them took), the site's
fixed files, then ``redirects`` (a stored redirect only fills a path nothing else is published at),
and last the sections that only ``finish`` (the sitemap). Change-feed rows go to every section that
watches them; no two sections watch the same rows.

Adding a section: write ``sections/<name>.py`` with its ``SECTION`` (what it fetches, what
invalidates it, what it plans) and add it to ``SECTIONS`` here.
"""

from __future__ import annotations

from sitebuilder.sections import (
    about,
    accounts,
    blogs,
    boxes,
    community,
    documentation,
    downloads,
    events,
    home,
    jobs,
    landings,
    manage,
    membership,
    minutes,
    navigation,
    nominations,
    pages,
    psf,
    redirects,
    search,
    sitefiles,
    sitemap,
    sponsors,
    sponsorship_forms,
    stories,
    users,
)
from sitebuilder.sections.base import Section

SECTIONS: tuple[Section, ...] = (
    navigation.SECTION,
    home.SECTION,
    downloads.SECTION,
    about.SECTION,
    documentation.SECTION,
    psf.SECTION,
    blogs.SECTION,
    accounts.SECTION,
    membership.SECTION,
    users.SECTION,
    boxes.SECTION,
    jobs.SECTION,
    events.SECTION,
    minutes.SECTION,
    stories.SECTION,
    community.SECTION,
    landings.SECTION,
    nominations.SECTION,
    sponsors.SECTION,
    sponsorship_forms.SECTION,
    search.SECTION,
    manage.SECTION,
    pages.SECTION,
    sitefiles.SECTION,
    redirects.SECTION,
    sitemap.SECTION,
)
