"""The site plan: every output file, the template that renders it and the data it uses, from
every section in ``sitebuilder.sections.SECTIONS`` (each plans its own outputs).

Each ``Output`` carries its whole context, and its hash (template + context + theme) is the
dependency record: an incremental build re-renders exactly the outputs whose hash changed, and
rendering is a pure function of the context, so incremental and full builds are byte-identical.
"""

from __future__ import annotations

from sitebuilder.outputs import Output, Skipped, isolate
from sitebuilder.sections import SECTIONS
from sitebuilder.sections.base import Site
from sitebuilder.snapshot import Snapshot


def plan(snap: Snapshot, site_url: str) -> tuple[list[Output], list[Skipped]]:
    """Every output of the site, sorted by path, and the outputs left out because a record's data
    makes a path that cannot be written (``outputs.isolate``). A skipped output is also left out
    of the sitemap and ``_redirects.json``; pages that list its record still list it."""
    with snap.frozen():  # planning only reads
        site = Site.of(snap, site_url, reserved=[path for s in SECTIONS for path in s.final])
        outputs: list[Output] = []
        for section in SECTIONS:
            if section.plan is not None:
                planned = section.plan(site)
                outputs.extend(planned)
                site.planned.update(o.path for o in planned)
        outputs, skipped = isolate(outputs)
        # What the sections left out while planning (a sponsor logo that could not be fetched).
        skipped = sorted(skipped + site.skipped, key=lambda s: s.path)
        for section in SECTIONS:
            if section.finish is not None:
                outputs.extend(section.finish(site, outputs, skipped))
    return sorted(outputs, key=lambda o: o.path), skipped
