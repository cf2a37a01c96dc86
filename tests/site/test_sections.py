"""The sections registry keeps its own rules: one name per section, no change-feed row read by two
sections (each row re-reads exactly one part of the snapshot), and every change kind the API
records is either watched by some section or listed here as shown on no page, so a new domain
cannot be silently left out of rebuilds."""

from __future__ import annotations

import itertools

from pydotorg import models  # noqa: F401  (loads every model, so Base knows every table)
from pydotorg.core.db import Base
from sitebuilder.sections import SECTIONS


def test_section_names_are_unique() -> None:
    names = [s.name for s in SECTIONS]
    assert len(names) == len(set(names))


def test_no_two_sections_watch_the_same_rows() -> None:
    for a, b in itertools.combinations(SECTIONS, 2):
        for wa, wb in itertools.product(a.watches, b.watches):
            overlap = wa.domain == wb.domain and (wa.kind is None or wb.kind is None or wa.kind == wb.kind)
            assert not overlap, f"{a.name} and {b.name} both watch {wa} / {wb}"


# Change kinds no built page shows, and why.
NOT_ON_THE_SITE = {
    ("flags", "flag"): "feature flags are read through the API; no page shows them",
    ("pages", "document"): "attachments are media files; pages link them by URL",
    ("pages", "image"): "attachments are media files; pages link them by URL",
    ("users", "group"): "no built page shows groups",
    ("workgroups", "workgroup"): "work groups are not on the built site yet",
}


def test_every_recorded_change_kind_is_watched() -> None:
    recorded = {
        (mapper.class_.__change_domain__, mapper.class_.__change_kind__)
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__change_domain__", None)
    }
    assert recorded
    unwatched = {
        (domain, kind)
        for domain, kind in recorded
        if not any(s.claims({"domain": domain, "kind": kind}) for s in SECTIONS)
    }
    assert unwatched == set(NOT_ON_THE_SITE), "update NOT_ON_THE_SITE or add a section"
