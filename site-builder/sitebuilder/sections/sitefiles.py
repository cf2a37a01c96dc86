"""The files every site has: the 404 page, ``robots.txt`` and ``humans.txt``."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

HUMANS_TXT = """/* TEAM */
Python.org is built and run by the Python Software Foundation and volunteers
from the Python community.
Contact: webmaster@python.org
Site: https://github.com/python/pythondotorg (the previous site)

/* SITE */
Language: English
Standards: HTML5, CSS3
Software: Python, Litestar, SQLAlchemy, Pelican, Jinja2, SAQ, PostgreSQL, Redis, Fastly
"""


def plan(site: Site) -> list[Output]:
    robots = f"User-agent: *\nDisallow: /api/\n\nSitemap: {site.url}/sitemap.xml\n"
    return [
        Output("404.html", "404.html", {}),
        Output("robots.txt", None, text=robots),
        Output("humans.txt", None, text=HUMANS_TXT),
    ]


SECTION = Section("sitefiles", plan=plan)
