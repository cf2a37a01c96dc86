"""Django fixtures -> redirects (``redirects.redirect``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError
from pydotorg.domains.redirects.models import Redirect
from pydotorg.domains.redirects.services import check

SITE_ID = 1  # python.org's settings.SITE_ID: the only site it serves


async def convert_redirect(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    site = fields.get("site")
    if str(site) != str(SITE_ID):
        raise RowError(f"site {site} is not python.org's site {SITE_ID}")
    old_path, new_path = str(fields.get("old_path") or ""), str(fields.get("new_path") or "")
    if errors := check(old_path, new_path):
        values = {"old_path": old_path, "new_path": new_path}
        raise RowError("; ".join(f"{f} {values[f]!r}: {' '.join(m)}" for f, m in errors.items()))
    table = Redirect.__table__
    other = await ctx.session.scalar(
        select(table.c.id).where(table.c.old_path == old_path, table.c.id != int(pk))
    )
    if other is not None or old_path in ctx.seen["redirects.old_path"]:
        raise RowError(f"old_path {old_path!r} already has a redirect")
    ctx.seen["redirects.old_path"].add(old_path)
    # Django kept no timestamps: ``created`` is the first import; ``updated`` only moves when a
    # later run changes the row (it is bookkeeping, so alone it never makes a row differ).
    return {"id": int(pk), "old_path": old_path, "new_path": new_path, "updated": utcnow()}


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport(
        "redirects.redirect", Redirect.__table__, convert_redirect, ("redirects", "redirect"), order=20
    ),
)
