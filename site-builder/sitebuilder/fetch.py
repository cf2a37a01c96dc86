"""Filling the snapshot from the API: a full fetch asks every section for everything it reads; an
incremental fetch reads the change feed after the saved cursor and hands each section the rows it
watches, so only the records and views those changes touch are re-read (``sitebuilder.sections``).
"""

from __future__ import annotations

from sitebuilder.sections import SECTIONS
from sitebuilder.sections.base import Change
from sitebuilder.snapshot import Api, Snapshot, today


def latest_cursor(api: Api) -> int:
    return int(api.get("/api/v3/changes?after=0&limit=1", auth=True)["meta"]["latest"])


def full_fetch(api: Api) -> Snapshot:
    cursor = latest_cursor(api)  # read first: anything committed later is picked up next time
    snap = Snapshot(cursor=cursor)
    snap.data["view:today"] = today()  # the build's day, before the sections that read it
    for section in SECTIONS:
        if section.fetch is not None:
            section.fetch(api, snap)
    snap.sections = [s.name for s in SECTIONS]
    return snap


def _changes_after(api: Api, cursor: int) -> list[Change]:
    changes: list[Change] = []
    after = cursor
    while True:
        body = api.get(f"/api/v3/changes?after={after}&limit=1000", auth=True)
        changes.extend(body["data"])
        if not body["data"]:
            return changes
        after = body["meta"]["next"]


def incremental_fetch(api: Api, snap: Snapshot) -> tuple[Snapshot, int]:
    """Apply the change feed after ``snap.cursor``; returns the snapshot and the change count."""
    changes = _changes_after(api, snap.cursor)
    known = set(snap.sections)
    added = [s.name for s in SECTIONS if s.name not in known]
    if not changes and not added and snap.data.get("view:today") == today():
        return snap, 0
    new_day = snap.data.get("view:today") != today()
    snap.data["view:today"] = today()
    for section in SECTIONS:
        if section.fetch is None:
            continue
        mine = [c for c in changes if section.claims(c)]
        if section.name not in known or (section.daily and new_day):
            section.fetch(api, snap)  # a section this snapshot has never held, or a new day
        elif mine and section.refetch is not None:
            section.refetch(api, snap, mine)
        elif mine:  # no refetch of its own: read again whole
            section.fetch(api, snap)
    snap.sections = [s.name for s in SECTIONS]
    if changes:
        snap.cursor = int(changes[-1]["cursor"])
    return snap, len(changes)
