"""``sitemap.xml``: every published page, made from the other sections' outputs once unsafe paths
are left out. Redirects, box fragments, the ``/getit/`` mirror, the 404 page and visitors' own
pages are not in it."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sitebuilder.outputs import Output, Skipped
from sitebuilder.sections.base import Section, Site

SITEMAP_FILE = "sitemap.xml"
# Pages for visitors' own accounts and listings: not in the sitemap (they carry noindex too).
NOINDEX = (
    "accounts/",
    "events/submit/",
    "success-stories/create/",
    "jobs/create/",
    "jobs/edit/",
    "jobs/preview/",
    "jobs/mine/",
    "jobs/thanks/",
    "membership/",
    "users/membership/",
    "users/edit/",
    "users/nominations/",
    "sponsors/application/",
    "users/sponsorships/",
)


def finish(site: Site, outputs: list[Output], skipped: list[Skipped]) -> list[Output]:
    urls = sorted(
        o.url
        for o in outputs
        if o.path.endswith(".html")
        and o.path != "404.html"
        and o.template not in ("redirect.html", "gone.html")
        and o.alias_of is None  # the /getit/ mirror duplicates /downloads/
        and not o.path.startswith("box/")  # fragments, not pages
        and not o.path.startswith(NOINDEX)
        and not o.context.get("noindex")  # a visitor's page under a record's path
    )
    body = "".join(f"  <url><loc>{escape(site.url + u)}</loc></url>\n" for u in urls)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"
    )
    return [Output(SITEMAP_FILE, None, text=text)]


SECTION = Section("sitemap", finish=finish, final=(SITEMAP_FILE,))
