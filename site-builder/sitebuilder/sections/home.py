"""The home page (inventory 1.1), and python.org's ``/shell/``: the same page with
PythonAnywhere's console instead of the code samples.

Reads the active banners (``view:banners``: the home page shows the first, and so do other
pages, through ``Site.banner``) and the published code samples (``view:codesamples``): short
lists, re-read whole on any change to either. The home page also shows the downloads landing,
the latest news, the upcoming events and the day's featured story, which their sections read.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site, Watch
from sitebuilder.sections.blogs import latest_entries
from sitebuilder.sections.events import upcoming_for_home
from sitebuilder.sections.stories import featured_story
from sitebuilder.snapshot import Api, Snapshot

HOME_BOXES = (
    "homepage-introduction",
    "homepage-get-started",
    "homepage-documentation",
    "homepage-jobs",
    "widget-use-python-for",
    "widget-about-psf",
)
CODE_SAMPLES_SHOWN = 5


def fetch(api: Api, snap: Snapshot) -> None:
    snap.data["view:banners"] = list(api.pages_of("/api/v3/banners"))
    snap.data["view:codesamples"] = list(api.pages_of("/api/v3/codesamples"))


def _sample(c: dict[str, Any]) -> dict[str, Any]:
    return {k: c[k] for k in ("id", "code_html", "copy_html")}


def plan(site: Site) -> list[Output]:
    snap = site.snap
    samples = [_sample(c) for c in (snap.data.get("view:codesamples") or []) if c["is_published"]]
    home = {
        **site.latest,
        "boxes": site.pick(HOME_BOXES),
        "generated": {"homepage-downloads": {"latest_python3": site.landing["latest_python3"]}},
        "banner": site.banner,
        "code_samples": samples[:CODE_SAMPLES_SHOWN],
        "latest_news": latest_entries(snap)[:5],
        "upcoming_events": upcoming_for_home(snap),
        "featured_story": featured_story(snap),
    }
    return [
        Output("index.html", "home.html", home),
        Output("shell/index.html", "home.html", {**home, "code_samples": [], "shell": True}),
    ]


SECTION = Section("home", fetch=fetch, watches=(Watch("banners"), Watch("codesamples")), plan=plan)
