"""/psf-landing/: the Python Software Foundation's landing page, its boxes, the PSF banner and
the PSF news aggregate (read by ``blogs``)."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site
from sitebuilder.sections.blogs import psf_news

PSF_BOXES = (
    "psf-banner",
    "psf-widget0",
    "psf-widget1",
    "psf-widget2",
    "psf-widget3",
    "psf-widget4",
    "psf-grants",
    "psf-codeofconduct",
)


def plan(site: Site) -> list[Output]:
    context = {"boxes": site.pick(PSF_BOXES), "banner": site.psf_banner, "psf_news": psf_news(site.snap)}
    return [Output("psf-landing/index.html", "psf-landing.html", context)]


SECTION = Section("psf", plan=plan)
