"""Boxes: the fragments of HTML editors keep in the API (python.org's ``boxes`` app), placed by
pages through ``Site.pick`` and published on their own at ``/box/<label>/`` for the main
navigation's drop-downs and other sites; and the boxes python.org's code regenerated from release,
story and blog data, rendered here at build time from the same data. A generated box wins over a
stored one with the same label (docs/site-builder.md).

Reads ``box:<id>``; a change re-reads that box.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output, record_of
from sitebuilder.sections.base import Records, Section, Site, Watch
from sitebuilder.sections.blogs import supernav_blog
from sitebuilder.sections.downloads import download_sources
from sitebuilder.sections.stories import featured_story

GENERATED_BOXES = (
    "supernav-python-downloads",
    "download-sources",
    "homepage-downloads",
    "supernav-python-blog",
    "supernav-python-success-stories",
)
RECORDS = Records("box", "/api/v3/boxes")


def generated_boxes(site: Site) -> dict[str, dict[str, Any]]:
    """Each generated box's template context, by label."""
    landing = site.landing
    return {
        "homepage-downloads": {"latest_python3": landing["latest_python3"]},
        "download-sources": download_sources(site),
        "supernav-python-success-stories": {"story": featured_story(site.snap)},
        "supernav-python-blog": supernav_blog(site),
        "supernav-python-downloads": {
            "latest_python3": landing["latest_python3"],
            "latest_pymanager": landing["latest_pymanager"],
            "featured": landing["featured"],
        },
    }


def plan(site: Site) -> list[Output]:
    outputs = []
    box_ids = {b["label"]: b["id"] for b in site.snap.items("box")}
    for label, html in sorted(site.boxes.items()):
        if label not in GENERATED_BOXES:
            record = record_of("boxes", "box", box_ids[label])
            outputs.append(Output(f"box/{label}/index.html", "box.html", {"html": html}, record=record))
    for label, ctx in generated_boxes(site).items():
        outputs.append(Output(f"box/{label}/index.html", f"boxes/{label}.html", ctx))
    return outputs


SECTION = Section(
    "boxes", fetch=RECORDS.fetch, watches=(Watch("boxes", "box"),), refetch=RECORDS.refetch, plan=plan
)
