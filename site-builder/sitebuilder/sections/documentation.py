"""/doc/ (the documentation landing: boxes and the newest releases) and /doc/versions/ (every
release's documentation, from the downloads data: inventory 1.8)."""

from __future__ import annotations

import re
from typing import Any

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site
from sitebuilder.snapshot import Snapshot

DOC_BOXES = (
    "documentation-banner",
    "documentation-beginners",
    "documentation-moderate",
    "documentation-advanced",
    "documentation-general",
    "widget-weneedyou",
)
# python.org's /doc/versions/: releases without documentation, and versions older than the
# downloads database (inventory 1.8).
NO_DOCS = {"2.3.6", "2.3.7", "2.4.5", "2.4.6", "2.5.5", "2.5.6"}
LEGACY_DOC_VERSIONS: dict[str, list[tuple[str, str]]] = {
    "2.2": [("2.2p1", "2002-03-29")],
    "2.1": [("2.1.2", "2002-01-16"), ("2.1.1", "2001-07-20"), ("2.1", "2001-04-15")],
    "2.0": [("2.0", "2000-10-16")],
    "1.6": [("1.6", "2000-09-05")],
    "1.5": [
        ("1.5.2p2", "2000-03-22"),
        ("1.5.2p1", "1999-07-06"),
        ("1.5.2", "1999-04-30"),
        ("1.5.1p1", "1998-08-06"),
        ("1.5.1", "1998-04-14"),
        ("1.5", "1998-02-17"),
    ],
    "1.4": [("1.4", "1996-10-25")],
}
_VERSION_NAME = re.compile(r"^Python (\d+)\.(\d+)(?:\.(\d+))?$")


def docs_by_version(snap: Snapshot) -> list[dict[str, Any]]:
    """Published final releases grouped by "X.Y", newest first; ≤ 3.2.0 with patch 0 shown as "X.Y"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in snap.items("release"):
        match = _VERSION_NAME.match(r["name"])
        if r["pre_release"] or not r["is_published"] or match is None:
            continue
        major, minor, patch = int(match[1]), int(match[2]), int(match[3] or 0)
        stage = f"{major}.{minor}.{patch}"
        if stage in NO_DOCS:
            continue
        if (major, minor, patch) <= (3, 2, 0) and patch == 0:
            stage = f"{major}.{minor}"
        groups.setdefault(f"{major}.{minor}", []).append((stage, r["release_date"][:10]))
    for version, legacy in LEGACY_DOC_VERSIONS.items():
        groups.setdefault(version, []).extend(legacy)
    out = []
    for version in sorted(groups, key=lambda v: tuple(int(n) for n in v.split(".")), reverse=True):
        entries = sorted(groups[version], key=lambda e: (e[1], e[0]), reverse=True)
        out.append({"version": version, "releases": [{"stage": st, "date": d} for st, d in entries]})
    return out


def plan(site: Site) -> list[Output]:
    return [
        Output("doc/index.html", "documentation.html", {**site.latest, "boxes": site.pick(DOC_BOXES)}),
        Output("doc/versions/index.html", "versions.html", {"versions": docs_by_version(site.snap)}),
    ]


SECTION = Section("documentation", plan=plan)
