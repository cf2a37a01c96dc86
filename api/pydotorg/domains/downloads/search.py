"""Releases in search (python.org's ``ReleaseIndex``): published releases, boosted by age
(1.2 under 90 days, 1.1 under 180, 0.8 over two years), found by their version series too
("3.12" finds every 3.12.x release) and by the platforms their files are for ("3.12 windows"
finds the 3.12 releases with a Windows installer, "macos installer" the ones with one for macOS;
python.org's index had only the name and the page's text)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import document_id, html_text
from pydotorg.domains.downloads.models import OS, Release, ReleaseFile

TYPE = "release"
PRE_RELEASE = 0.9  # a candidate or beta below the final release it precedes ("2.7.18")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?([a-z]+\d*)?")
_FILE_VERSION = re.compile(r"\s*\(?\d+\.\d+[\w.]*\)?")  # file names repeat the version: drop it


def age_boost(released: datetime, now: datetime) -> float:
    age = now - released
    if age < timedelta(days=90):
        return 1.2
    if age < timedelta(days=180):
        return 1.1
    if age > timedelta(days=730):
        return 0.8
    return 1.0


def version_keywords(name: str) -> str:
    """ "Python 3.12.4" -> "3.12 3.12.4 python3.12 python3": the words people search a release by."""
    match = _VERSION.search(name)
    if not match:
        return ""
    major, minor = match.group(1), match.group(2)
    return f"{major}.{minor} {match.group(0)} python{major}.{minor} python{major}"


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = select(
        Release.id,
        Release.name,
        Release.slug,
        Release.release_date,
        Release.content_html,
        Release.pre_release,
    ).where(Release.is_published)
    if ids is not None:
        stmt = stmt.where(Release.id.in_(ids))
    rows = list(await session.execute(stmt))
    files_words: dict[int, set[str]] = {}
    if rows:
        files = select(ReleaseFile.release_id, OS.name, ReleaseFile.name).join(OS, OS.id == ReleaseFile.os_id)
        if ids is not None:
            files = files.where(ReleaseFile.release_id.in_(ids))
        for release_id, os_name, file_name in await session.execute(files):
            words = files_words.setdefault(release_id, set())
            words.update(f"{os_name} {_FILE_VERSION.sub('', file_name)}".split())
    docs = []
    for r in rows:
        url = f"/downloads/release/{r.slug}/"
        docs.append(
            SearchDocument(
                id=document_id(TYPE, r.id),
                type=TYPE,
                title=r.name,
                url=url,
                keywords=f"{version_keywords(r.name)} {' '.join(sorted(files_words.get(r.id, ())))} {url}",
                text=html_text(r.content_html),
                boost=age_boost(r.release_date, now) * (PRE_RELEASE if r.pre_release else 1.0),
                date=r.release_date,
            )
        )
    return docs


SOURCES = (
    SearchSource(
        type=TYPE,
        label="Releases",
        # A file names its release, not itself: a file change re-reads the releases whole (600
        # rows, coalesced with the rest of a release's uploads into one run).
        watches={
            ("downloads", "release"): "self",
            ("downloads", "release_file"): "all",
            ("downloads", "os"): "all",
        },
        load=load,
        time_dependent=True,
        order=10,
    ),
)
