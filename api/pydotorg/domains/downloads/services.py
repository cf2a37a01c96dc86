"""Downloads rules and queries, shared by /api/v3/ and the legacy v1/v2 adapters.

Rules (inventory 1.8): slugs from names, ``version`` in 1/2/3/100, ``is_latest`` demotes the
other releases of the same version, release-file URLs on www.python.org (new or changed values
must be https), sidecar files equal the artifact URL plus their suffix, unique ``url``, one
download-button file per OS per release. Errors are raised as ``ValidationFailed`` with
per-field messages; each API renders them in its own shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.reads import ReadPool, Where, text_match
from pydotorg.core.reads import select as select_rows
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, is_taken
from pydotorg.core.urls import http_url_errors, slug_errors
from pydotorg.domains.downloads.models import (
    CHANGE_RELEASE,
    OS,
    SIDECAR_SUFFIXES,
    URL_FIELDS,
    Release,
    ReleaseFile,
    Version,
)
from pydotorg.domains.downloads.release_cycle import EOL_COLUMNS, ActiveRelease, active_releases
from pydotorg.domains.downloads.schemas import ReleaseRead
from pydotorg.domains.pages.models import Page

HTTPS_PREFIX = "https://www.python.org/"
LEGACY_PREFIX = "http://www.python.org/"
URL_MESSAGE = "Release file URLs must begin with 'https://www.python.org/'."
BUTTON_MESSAGE = "Only one Release File per OS can have 'Download button' enabled"
RELEASE_MARKUP_TYPES = ("markdown", "restructuredtext", "html", "text", "plain")
_VERSION_RE = re.compile(r"^Python\s(\d+(?:\.\d+)*)")
_SERIES_RE = re.compile(r"^Python 3\.(\d+)\.")


# --- version helpers -----------------------------------------------------------------------


def get_version(name: str) -> str:
    """ "Python 2.7.5" -> "2.7.5"; anything else (incl. "Python2.7.5", tabs) -> ""."""
    if name.startswith("Python ") and not name.startswith("Python  "):
        match = _VERSION_RE.match(name)
        if match:
            return match.group(1)
    return ""


def version_tuple(name: str) -> tuple[int, ...]:
    parts = []
    for part in get_version(name).split("."):
        if not (part.isascii() and part.isdigit()):
            break
        parts.append(int(part))
    return tuple(parts)


def minor_version(name: str) -> str:
    version = version_tuple(name)
    return f"{version[0]}.{version[1]}" if len(version) >= 2 else ""


# --- queries -------------------------------------------------------------------------------


def published() -> Select[Any]:
    return select(Release).where(Release.is_published)


def downloads_list() -> Select[Any]:
    """``Release.objects.downloads()``: published, shown, not pre-release, newest first."""
    return (
        published()
        .where(Release.show_on_download_page, ~Release.pre_release)
        .order_by(Release.release_date.desc(), Release.id.desc())
    )


async def latest(session: AsyncSession, version: int) -> Release | None:
    return await session.scalar(
        published()
        .where(Release.version == version, Release.is_latest)
        .order_by(Release.release_date.desc(), Release.id.desc())
        .limit(1)
    )


async def latest_in_series(session: AsyncSession, minor: int) -> Release | None:
    """Newest published release named "Python 3.<minor>.*" by date (regardless of is_latest)."""
    return await session.scalar(
        published()
        .where(Release.version == Version.PYTHON3, Release.name.like(f"Python 3.{minor}.%"))
        .order_by(Release.release_date.desc(), Release.id.desc())
        .limit(1)
    )


# --- writes --------------------------------------------------------------------------------


async def save_os(session: AsyncSession, data: Mapping[str, Any], os: OS | None = None) -> OS:
    current = {"name": "", "slug": ""} if os is None else {"name": os.name, "slug": os.slug}
    values = {**current, **dict(data)}
    if not values["slug"]:
        values["slug"] = slugify(values["name"])
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = ["This field is required."]
    if not values["slug"]:
        errors["slug"] = ["This field is required."]
    else:  # /downloads/<slug>/ is a directory of the site
        slug = values["slug"]
        if msgs := slug_errors(slug):
            errors["slug"] = msgs
        else:
            await ensure_unique(
                session, OS, "slug", slug, "OS with this slug already exists.", exclude=os, errors=errors
            )
    if errors:
        raise ValidationFailed(errors)
    if os is None:
        os = OS(**values)
        session.add(os)
    else:
        assign_changed(os, values)
    await session.flush()
    return os


RELEASE_DEFAULTS: dict[str, Any] = {
    "name": "",
    "slug": "",
    "version": Version.PYTHON3.value,
    "is_latest": False,
    "is_published": False,
    "pre_release": False,
    "show_on_download_page": True,
    "release_page_id": None,
    "release_notes_url": "",
    "content": "",
    "content_markup_type": "markdown",
}


async def save_release(
    session: AsyncSession, data: Mapping[str, Any], release: Release | None = None
) -> Release:
    creating = release is None
    current = RELEASE_DEFAULTS if release is None else {k: getattr(release, k) for k in RELEASE_DEFAULTS}
    values = {**current, **dict(data)}
    if not values["slug"]:
        values["slug"] = slugify(values["name"] or "")
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = ["This field is required."]
    if values["version"] not in {v.value for v in Version}:
        errors["version"] = [f'"{values["version"]}" is not a valid choice.']
    if values["content_markup_type"] not in RELEASE_MARKUP_TYPES:
        errors["content_markup_type"] = [f'"{values["content_markup_type"]}" is not a valid choice.']
    notes = values["release_notes_url"]
    # The one link and slug rules (core/urls.py) for what this write sets: /downloads/release/<slug>/
    # is a directory of the site.
    if notes and "release_notes_url" in data and http_url_errors(notes):
        errors["release_notes_url"] = ["Enter a valid URL."]
    if (creating or "slug" in data) and (msgs := slug_errors(values["slug"])):
        errors["slug"] = msgs
    page_id = values["release_page_id"]
    if page_id is not None and await session.get(Page, page_id) is None:
        errors["release_page"] = ["The page does not exist."]
    if values["slug"] and "slug" not in errors:
        await ensure_unique(
            session,
            Release,
            "slug",
            values["slug"],
            "Release with this slug already exists.",
            exclude=release,
            errors=errors,
        )
    if errors:
        raise ValidationFailed(errors)
    if release is None:
        release = Release(**values)
        if "release_date" in data:
            release.release_date = data["release_date"]
        session.add(release)
    else:
        assign_changed(release, {**values, **dict(data)})
    if creating or "content" in data or "content_markup_type" in data:
        kind = "text" if release.content_markup_type == "plain" else release.content_markup_type
        release.content_html = render(release.content or "", kind)
    await session.flush()
    await _demote_other_latest(session, release)
    return release


async def _demote_other_latest(session: AsyncSession, release: Release) -> None:
    """Only a *published* latest demotes the others (python.org also let a draft do it,
    leaving no published latest — inventory appendix B.5)."""
    if release.is_latest and release.is_published:
        await session.execute(
            update(Release)
            .where(
                Release.version == release.version,
                Release.id != release.id,
                Release.is_latest,
            )
            .values(is_latest=False)
            .execution_options(synchronize_session="fetch")
        )


def _url_errors(values: Mapping[str, Any], existing: ReleaseFile | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in URL_FIELDS:
        value = values.get(field, "") or ""
        unchanged = existing is not None and getattr(existing, field) == value
        legacy_ok = unchanged and value.startswith(LEGACY_PREFIX)
        if value and not value.startswith(HTTPS_PREFIX) and not legacy_ok:
            errors.setdefault(field, []).append(URL_MESSAGE)
    artifact = values.get("url", "") or ""
    for field, suffix in SIDECAR_SUFFIXES.items():
        value = values.get(field, "") or ""
        if value and field not in errors and value != artifact + suffix:
            errors.setdefault(field, []).append(f"Sidecar URL must match the artifact URL plus '{suffix}'.")
    return errors


RELEASE_FILE_FIELDS = (
    "name",
    "slug",
    "os_id",
    "release_id",
    "description",
    "is_source",
    "url",
    "gpg_signature_file",
    "sigstore_signature_file",
    "sigstore_cert_file",
    "sigstore_bundle_file",
    "sbom_spdx2_file",
    "md5_sum",
    "sha256_sum",
    "filesize",
    "download_button",
)


async def save_release_file(
    session: AsyncSession, data: Mapping[str, Any], rfile: ReleaseFile | None = None
) -> ReleaseFile:
    defaults = {
        "name": "",
        "slug": "",
        "description": "",
        "is_source": False,
        "url": "",
        "gpg_signature_file": "",
        "sigstore_signature_file": "",
        "sigstore_cert_file": "",
        "sigstore_bundle_file": "",
        "sbom_spdx2_file": "",
        "md5_sum": "",
        "sha256_sum": "",
        "filesize": 0,
        "download_button": False,
        "os_id": None,
        "release_id": None,
    }
    current = {f: getattr(rfile, f) for f in RELEASE_FILE_FIELDS} if rfile is not None else defaults
    values = {**current, **dict(data)}
    if not values["slug"]:
        values["slug"] = slugify(values["name"] or "")
    errors = _url_errors(values, rfile)
    for field in ("name", "url"):
        if not values[field]:
            errors.setdefault(field, []).append("This field is required.")
    if values["os_id"] is None or await session.get(OS, values["os_id"]) is None:
        errors.setdefault("os", []).append("Select a valid operating system.")
    if values["release_id"] is None or await session.get(Release, values["release_id"]) is None:
        errors.setdefault("release", []).append("Select a valid release.")
    for field in ("url", "slug"):
        if values[field]:
            await ensure_unique(
                session,
                ReleaseFile,
                field,
                values[field],
                f"Release file with this {field} already exists.",
                exclude=rfile,
                errors=errors,
            )
    if (
        values["download_button"]
        and "os" not in errors
        and "release" not in errors
        and await is_taken(
            session,
            ReleaseFile,
            ReleaseFile.download_button.expression,
            exclude=rfile,
            scope=[ReleaseFile.os_id == values["os_id"], ReleaseFile.release_id == values["release_id"]],
        )
    ):
        errors.setdefault("download_button", []).append(BUTTON_MESSAGE)
    if errors:
        raise ValidationFailed(errors)
    if rfile is None:
        rfile = ReleaseFile(**values)
        session.add(rfile)
    else:
        assign_changed(rfile, values)
    await session.flush()
    return rfile


async def delete_files_of_release(session: AsyncSession, release_id: int) -> int:
    """Delete every file of a release (ORM deletes, so each appears in the change feed)."""
    files = list(await session.scalars(select(ReleaseFile).where(ReleaseFile.release_id == release_id)))
    for rfile in files:
        await session.delete(rfile)
    await session.flush()
    return len(files)


async def delete(session: AsyncSession, obj: Any) -> None:
    await session.delete(obj)
    await session.flush()


# --- views for the public pages ------------------------------------------------------------


@dataclass
class Landing:
    latest_python3: Release | None
    latest_python2: Release | None
    latest_pymanager: Release | None
    featured: dict[str, list[ReleaseFile]]
    series: list[Release]
    releases: list[Release]
    active_releases: list[ActiveRelease]


def sort_by_version_desc(releases: Iterable[Release]) -> list[Release]:
    """Parsed version descending; names without a version last (inventory 1.8)."""
    return sorted(
        releases,
        key=lambda r: (bool(version_tuple(r.name)), version_tuple(r.name), r.release_date),
        reverse=True,
    )


async def landing(session: AsyncSession) -> Landing:
    py3 = await latest(session, Version.PYTHON3)
    py2 = await latest(session, Version.PYTHON2)
    pym = await latest(session, Version.INSTALL_MANAGER)
    featured: dict[str, list[ReleaseFile]] = {}
    ids = [r.id for r in (py3, pym) if r is not None]
    if ids:
        rows = await session.execute(
            select(ReleaseFile, OS.slug)
            .join(OS, OS.id == ReleaseFile.os_id)
            .where(ReleaseFile.release_id.in_(ids), ReleaseFile.download_button)
            .order_by(OS.slug, ReleaseFile.release_id)
        )
        for rfile, os_slug in rows:
            featured.setdefault(os_slug, []).append(rfile)
        # The install manager's file first, then the standalone installer (python.org order).
        for files in featured.values():
            files.sort(key=lambda f: 0 if pym is not None and f.release_id == pym.id else 1)
    all_py3 = await session.scalars(published().where(Release.version == Version.PYTHON3))
    newest: dict[str, Release] = {}
    for release in all_py3:
        minor = minor_version(release.name)
        if not minor:
            continue
        best = newest.get(minor)
        if best is None or (release.release_date, release.id) > (best.release_date, best.id):
            newest[minor] = release
    series = sorted(newest.values(), key=lambda r: version_tuple(r.name), reverse=True)
    releases = sort_by_version_desc(await session.scalars(downloads_list()))
    return Landing(py3, py2, pym, featured, series, releases, await active_releases(session))


async def os_releases(
    session: AsyncSession, os: OS
) -> tuple[list[tuple[Release, list[ReleaseFile]]], list[tuple[Release, list[ReleaseFile]]]]:
    """(stable, pre-releases) published releases with at least one file for ``os``."""
    rows = await session.execute(
        select(Release, ReleaseFile)
        .join(ReleaseFile, ReleaseFile.release_id == Release.id)
        .where(Release.is_published, ReleaseFile.os_id == os.id)
        .order_by(Release.release_date.desc(), Release.id.desc(), ReleaseFile.name.desc())
    )
    grouped: dict[int, tuple[Release, list[ReleaseFile]]] = {}
    for release, rfile in rows:
        grouped.setdefault(release.id, (release, []))[1].append(rfile)
    stable = [g for g in grouped.values() if not g[0].pre_release]
    pre = [g for g in grouped.values() if g[0].pre_release]
    return stable, pre


# --- /api/v3/ reads ---------------------------------------------------------------------------


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_RELEASE)


def _release_visible(principal: Principal | None) -> Any:
    return lambda release: release.is_published or can_see_drafts(principal)


async def get_os(session: AsyncSession, os_id: int) -> OS:
    return await get_visible_or_404(session, OS, os_id, f"No operating system with id {os_id}.")


async def os_with_slug(session: AsyncSession, slug: str) -> OS:
    return await get_visible_or_404(session, OS, OS.slug == slug, f"No operating system with slug {slug!r}.")


async def get_release(session: AsyncSession, release_id: int, principal: Principal | None) -> Release:
    """A release the caller may see (a published one, or any for editors); else 404."""
    return await get_visible_or_404(
        session, Release, release_id, f"No release with id {release_id}.", visible=_release_visible(principal)
    )


async def release_with_slug(session: AsyncSession, slug: str, principal: Principal | None) -> Release:
    return await get_visible_or_404(
        session,
        Release,
        Release.slug == slug,
        f"No release with slug {slug!r}.",
        visible=_release_visible(principal),
    )


async def get_release_file(session: AsyncSession, file_id: int, principal: Principal | None) -> ReleaseFile:
    rfile = await get_visible_or_404(session, ReleaseFile, file_id, f"No release file with id {file_id}.")
    await get_release(session, rfile.release_id, principal)  # files of hidden drafts are hidden too
    return rfile


async def list_os(
    session: AsyncSession, *, limit: int, offset: int, slug: str | None = None
) -> tuple[list[OS], ListMeta]:
    stmt = select(OS).order_by(OS.name, OS.id)
    if slug:
        stmt = stmt.where(OS.slug == slug)
    return await paginate(session, stmt, limit, offset)


# ReleaseRead's fields in order, as SQL: its rows need no per-field work (core/reads.py).
RELEASE_COLUMNS = (
    "id, name, slug, version, is_latest, is_published, pre_release, show_on_download_page, release_date,"
    " release_page_id, release_notes_url, content, content_markup_type, content_html, created, updated,"
    f" '/downloads/release/' || slug || '/', {EOL_COLUMNS}"
)
RELEASE_FILTERS = frozenset(
    {"version", "is_published", "is_latest", "pre_release", "show_on_download_page", "name", "slug"}
)


async def list_releases(
    reads: ReadPool,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    equal: Mapping[str, Any],
    q: str | None = None,
) -> tuple[list[ReleaseRead], ListMeta]:
    """Releases newest first (drafts only for editors); ``equal`` maps column names to the value
    they must have (None: no filter)."""
    conditions = [] if can_see_drafts(principal) else [Where("is_published")]
    for name, value in equal.items():
        if value is not None:
            if name not in RELEASE_FILTERS:
                raise ValueError(name)
            conditions.append(Where(f"{name} = {{}}", value))
    if q:
        conditions.append(text_match("name", "icontains", q))
    found, total = await select_rows(
        reads,
        ReleaseRead,
        columns=RELEASE_COLUMNS,
        source="downloads_releases",
        order="release_date DESC, id DESC",
        conditions=conditions,
        limit=limit,
        offset=offset,
        with_total=True,
    )
    return found, ListMeta(total=total or 0, limit=limit, offset=offset)


async def list_release_files(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    release_id: int | None = None,
    os_id: int | None = None,
    os_slug: str | None = None,
    release_slug: str | None = None,
    download_button: bool | None = None,
) -> tuple[list[ReleaseFile], ListMeta]:
    """Release files (files of drafts only for editors)."""
    stmt = release_file_visibility(select(ReleaseFile), can_see_drafts=can_see_drafts(principal)).order_by(
        ReleaseFile.release_id.desc(), ReleaseFile.os_id, ReleaseFile.name, ReleaseFile.id
    )
    if release_id is not None:
        stmt = stmt.where(ReleaseFile.release_id == release_id)
    if os_id is not None:
        stmt = stmt.where(ReleaseFile.os_id == os_id)
    if os_slug:
        stmt = stmt.where(ReleaseFile.os_id.in_(select(OS.id).where(OS.slug == os_slug)))
    if release_slug:
        stmt = stmt.where(ReleaseFile.release_id.in_(select(Release.id).where(Release.slug == release_slug)))
    if download_button is not None:
        stmt = stmt.where(ReleaseFile.download_button == download_button)
    return await paginate(session, stmt, limit, offset)


async def files_with_os(session: AsyncSession, release: Release) -> list[tuple[ReleaseFile, OS]]:
    """A release's files with their OS, source first, then by OS slug and file name (the release page)."""
    rows = await session.execute(
        select(ReleaseFile, OS)
        .join(OS, OS.id == ReleaseFile.os_id)
        .where(ReleaseFile.release_id == release.id)
        .order_by(OS.slug != "source", OS.slug, ReleaseFile.name)
    )
    return [(rfile, os) for rfile, os in rows]


async def superseded_by(session: AsyncSession, release: Release) -> Release | None:
    """The newest release of a Python 3 release's series, when it is another release."""
    minor = minor_version(release.name)
    if release.version == 3 and minor.startswith("3."):
        newest = await latest_in_series(session, int(minor.split(".")[1]))
        if newest is not None and newest.id != release.id:
            return newest
    return None


def visible_releases(stmt: Select[Any], *, can_see_drafts: bool) -> Select[Any]:
    return stmt if can_see_drafts else stmt.where(Release.is_published)


def release_file_visibility(stmt: Select[Any], *, can_see_drafts: bool) -> Select[Any]:
    """Files of draft releases are hidden from the public in v3 (appendix B.1)."""
    if can_see_drafts:
        return stmt
    return stmt.where(ReleaseFile.release_id.in_(select(Release.id).where(Release.is_published)))


def text_filter(column: Any, value: str, lookup: str) -> Any:
    if lookup == "exact":
        return column == value
    if lookup == "iexact":
        return func.lower(column) == value.lower()
    if lookup == "contains":
        return column.contains(value, autoescape=True)
    if lookup == "icontains":
        return column.icontains(value, autoescape=True)
    if lookup == "startswith":
        return column.startswith(value, autoescape=True)
    if lookup == "istartswith":
        return column.istartswith(value, autoescape=True)
    if lookup == "endswith":
        return column.endswith(value, autoescape=True)
    if lookup == "iendswith":
        return column.iendswith(value, autoescape=True)
    raise ValueError(lookup)


__all__ = ["Landing", "ValidationFailed"]
