"""Django fixtures -> code samples (``codesamples.codesample``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.domains.codesamples.models import CodeSample
from pydotorg.domains.codesamples.services import rendered

MARKUPS = {"html", "markdown", "restructuredtext", "text"}


def _markup(value: Any, field: str) -> str:
    markup = "text" if value == "plain" else str(value or "html")
    if markup not in MARKUPS:
        raise RowError(f"{field} {markup!r} is not one of {sorted(MARKUPS)}")
    return markup


async def convert_sample(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": int(pk),
        "code": str(fields.get("code") or ""),
        "code_markup_type": _markup(fields.get("code_markup_type"), "code_markup_type"),
        "copy": str(fields.get("copy") or ""),
        "copy_markup_type": _markup(fields.get("copy_markup_type"), "copy_markup_type"),
        "is_published": bool(fields.get("is_published", False)),
        "sort_order": 0,
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }
    row["code_html"], row["copy_html"] = rendered(CodeSample(**row))
    return row


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport(
        "codesamples.codesample", CodeSample.__table__, convert_sample, ("codesamples", "sample"), order=20
    ),
)
