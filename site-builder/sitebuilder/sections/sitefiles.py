"""The files every site has: the 404 page, ``robots.txt`` and ``humans.txt``; and python.org's
``/funding.json``, the PSF's funding manifest (https://fundingjson.org), published byte for byte
from the copy the repository carries (``data/pythondotorg/funding.json``, data/README.md).

python.org's view read its ``static/funding.json`` on every request and answered a JSON 404 when
the file was missing and a 500 when it did not parse. Here the file is checked when the site is
planned: one that does not parse as a JSON object is left out and reported (``skipped`` in
``last-build.json``), so ``/funding.json`` is then the 404 page, and the rest of the site still
publishes. The origin serves it as ``application/json`` (deploy/origin/nginx.conf's types)."""

from __future__ import annotations

import json
from pathlib import Path

from sitebuilder.outputs import Output, Skipped
from sitebuilder.sections.base import Section, Site

FUNDING_JSON = Path(__file__).resolve().parents[3] / "data" / "pythondotorg" / "funding.json"
FUNDING_PATH = "funding.json"

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


def funding_manifest(source: Path = FUNDING_JSON) -> str | Skipped:
    """The manifest's text as the repository has it, or why it cannot be published."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Skipped(FUNDING_PATH, f"{source.name} cannot be read: {exc}")
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        return Skipped(FUNDING_PATH, f"{source.name} is not valid JSON: {exc}")
    if not isinstance(manifest, dict):
        return Skipped(FUNDING_PATH, f"{source.name} is not a JSON object")
    return text


def plan(site: Site) -> list[Output]:
    robots = f"User-agent: *\nDisallow: /api/\n\nSitemap: {site.url}/sitemap.xml\n"
    outputs = [
        Output("404.html", "404.html", {}),
        Output("robots.txt", None, text=robots),
        Output("humans.txt", None, text=HUMANS_TXT),
    ]
    funding = funding_manifest()
    if isinstance(funding, Skipped):
        site.skipped.append(funding)
    else:
        outputs.append(Output(FUNDING_PATH, None, text=funding))
    return outputs


SECTION = Section("sitefiles", plan=plan)
