"""Django fixtures -> working groups (``work_groups.workgroup``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.workgroups.models import CHARTER_FIELDS, WorkGroup
from pydotorg.domains.workgroups.services import rendered

SLUG = re.compile(r"^[-a-z0-9_]{1,200}$")


def _checked_link(value: str | None, name: str) -> str | None:
    """The site's one link rule (core/urls.py): a row with a link a browser would misread is
    reported and skipped, as the API refuses it."""
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


async def convert_group(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    slug = str(fields.get("slug") or "")
    if not SLUG.match(slug):
        raise RowError(f"slug {slug!r} is not a slug")
    if await ctx.session.scalar(select(WorkGroup.id).where(WorkGroup.slug == slug, WorkGroup.id != int(pk))):
        raise RowError(f"slug {slug!r} is already used")
    # python.org kept a markup type per field; they were all reStructuredText in practice.
    markup = str(fields.get("purpose_markup_type") or "restructuredtext")
    markup = markup if markup in ("restructuredtext", "markdown", "text") else "restructuredtext"
    row: dict[str, Any] = {
        "id": int(pk),
        "name": str(fields.get("name") or slug)[:200],
        "slug": slug,
        "active": bool(fields.get("active", True)),
        "approved": bool(fields.get("approved", False)),
        "short_description": str(fields.get("short_description") or ""),
        "markup_type": markup,
        "url": _checked_link(str(fields.get("url") or "")[:200], "url"),
        "organizer_ids": sorted(
            {int(await ctx.user_id(u) or 0) for u in fields.get("organizers") or []} - {0}
        ),
        "member_ids": sorted({int(await ctx.user_id(u) or 0) for u in fields.get("members") or []} - {0}),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }
    for name in CHARTER_FIELDS:
        row[name] = str(fields.get(name) or "")
    row.update(rendered(WorkGroup(**row)))
    return row


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport(
        "work_groups.workgroup", WorkGroup.__table__, convert_group, ("workgroups", "workgroup"), order=20
    ),
)
