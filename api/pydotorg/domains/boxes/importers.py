"""Django fixtures -> boxes (``boxes.box``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.domains.boxes.models import Box
from pydotorg.domains.boxes.services import render_box

LABEL_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
MARKUPS = {"restructuredtext", "markdown", "html", "text"}


async def convert_box(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    label = str(fields.get("label") or "")
    if not LABEL_RE.match(label):
        raise RowError(f"label {label!r} is not a slug of at most 100 characters")
    markup = str(fields.get("content_markup_type") or "restructuredtext")
    if markup == "plain":
        markup = "text"
    if markup not in MARKUPS:
        raise RowError(f"content_markup_type {markup!r} is not one of {sorted(MARKUPS)}")
    other = await ctx.session.scalar(select(Box.id).where(Box.label == label, Box.id != int(pk)))
    if other is not None:
        raise RowError(f"label {label!r} is already used by box {other}")
    row: dict[str, Any] = {
        "id": int(pk),
        "label": label,
        "content": str(fields.get("content") or ""),
        "content_markup_type": markup,
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }
    row["content_html"] = render_box(Box(**row))
    return row


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("boxes.box", Box.__table__, convert_box, ("boxes", "box"), order=20),
)
