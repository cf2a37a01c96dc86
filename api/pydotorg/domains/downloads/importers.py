"""Django fixtures -> downloads tables (``downloads.os``, ``downloads.release``,
``downloads.releasefile``), with python.org's rules checked row by row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core.db import slugify, utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import render
from pydotorg.core.urls import slug_errors
from pydotorg.domains.downloads.models import OS, URL_FIELDS, Release, ReleaseFile
from pydotorg.domains.pages.models import Page

_ALLOWED_PREFIXES = ("https://www.python.org/", "http://www.python.org/")


def _audit(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Timestamps when the source has them; otherwise set on insert and left alone after."""
    return {k: parse_dt(fields[k]) for k in ("created", "updated") if fields.get(k)}


async def _users(fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


def _str(fields: Mapping[str, Any], name: str, limit: int | None = None) -> str:
    value = fields.get(name)
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise RowError(f"{name}: contains a NUL character")
    if limit is not None and len(text) > limit:
        raise RowError(f"{name}: longer than {limit} characters")
    return text


def _slug(fields: Mapping[str, Any], name: str) -> str:
    """An OS's or release's slug names its page: the site's slug rule (core/urls.py)."""
    slug = _str(fields, "slug", 200) or slugify(name)
    if problems := slug_errors(slug):
        raise RowError(f"slug {slug!r}: {problems[0]}")
    return slug


async def convert_os(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name = _str(fields, "name", 200)
    if not name:
        raise RowError("name is empty")
    return {
        "id": int(pk),
        "name": name,
        "slug": _slug(fields, name),
        **_audit(fields),
        **await _users(fields, ctx),
    }


async def convert_release(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name = _str(fields, "name", 200)
    if not name:
        raise RowError("name is empty")
    version = int(fields.get("version", 3))
    if version not in (1, 2, 3, 100):
        raise RowError(f"version {version} is not one of 1, 2, 3, 100")
    markup = _str(fields, "content_markup_type", 30) or "markdown"
    content = _str(fields, "content")
    return {
        "id": int(pk),
        "name": name,
        "slug": _slug(fields, name),
        "version": version,
        "is_latest": bool(fields.get("is_latest", False)),
        "is_published": bool(fields.get("is_published", False)),
        "pre_release": bool(fields.get("pre_release", False)),
        "show_on_download_page": bool(fields.get("show_on_download_page", True)),
        "release_date": parse_dt(fields.get("release_date")) or utcnow(),
        "release_page_id": await ctx.require(
            Page.__table__,
            fields.get("release_page"),
            "release page",
        ),
        "release_notes_url": _str(fields, "release_notes_url", 200),
        "content": content,
        "content_markup_type": markup,
        "content_html": render(content, "text" if markup == "plain" else markup),
        **_audit(fields),
        **await _users(fields, ctx),
    }


async def convert_release_file(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": int(pk),
        "name": _str(fields, "name", 200),
        "slug": _str(fields, "slug", 200),
        "os_id": await ctx.require(OS.__table__, fields.get("os"), "os"),
        "release_id": await ctx.require(Release.__table__, fields.get("release"), "release"),
        "description": _str(fields, "description"),
        "is_source": bool(fields.get("is_source", False)),
        "md5_sum": _str(fields, "md5_sum", 200),
        "sha256_sum": _str(fields, "sha256_sum", 200),
        "filesize": int(fields.get("filesize") or 0),
        "download_button": bool(fields.get("download_button", False)),
        **_audit(fields),
        **await _users(fields, ctx),
    }
    if not row["name"]:
        raise RowError("name is empty")
    row["slug"] = row["slug"] or slugify(row["name"])
    for name in URL_FIELDS:
        value = _str(fields, name, 200)
        if value and not value.startswith(_ALLOWED_PREFIXES):
            raise RowError(f"{name}: {value!r} is not on www.python.org")
        row[name] = value
    if not row["url"]:
        raise RowError("url is empty")
    # Stored rows are taken as python.org holds them: only the host rule (its database check
    # constraint) is enforced; the sidecar rule applies to new or edited values, as in clean().
    return row


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("downloads.os", OS.__table__, convert_os, ("downloads", "os"), order=30),
    ModelImport(
        "downloads.release",
        Release.__table__,
        convert_release,
        ("downloads", "release"),
        order=31,
    ),
    ModelImport(
        "downloads.releasefile",
        ReleaseFile.__table__,
        convert_release_file,
        ("downloads", "release_file"),
        order=32,
    ),
)
