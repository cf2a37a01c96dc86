"""Django fixtures -> pages (``pages.page``, ``pages.image``, ``pages.documentfile``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.domains.pages.models import DocumentFile, Image, Page
from pydotorg.domains.pages.services import PAGE_DEFAULTS, normalize_path, path_errors, render_page


async def convert_page(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    path = str(fields.get("path") or "")
    if errors := path_errors(path):
        raise RowError(f"path {path!r}: {errors[0]}")
    row = {**PAGE_DEFAULTS}
    for name in (
        "title",
        "keywords",
        "description",
        "content",
        "content_markup_type",
        "content_type",
        "template_name",
    ):
        if fields.get(name) is not None:
            row[name] = str(fields[name])
    row.update(
        id=int(pk),
        path=normalize_path(path),
        is_published=bool(fields.get("is_published", True)),
        created=parse_dt(fields.get("created")) or utcnow(),
        updated=parse_dt(fields.get("updated")) or utcnow(),
        creator_id=await ctx.user_id(fields.get("creator")),
        last_modified_by_id=await ctx.user_id(fields.get("last_modified_by")),
    )
    page = Page(**row)
    row["content_html"] = render_page(page)
    return row


async def convert_image(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "page_id": await ctx.require(Page.__table__, fields.get("page"), "page"),
        "image": str(fields.get("image") or ""),
    }


async def convert_document(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "page_id": await ctx.require(Page.__table__, fields.get("page"), "page"),
        "document": str(fields.get("document") or ""),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("pages.page", Page.__table__, convert_page, ("pages", "page"), order=20),
    ModelImport("pages.image", Image.__table__, convert_image, ("pages", "image"), order=21),
    ModelImport(
        "pages.documentfile",
        DocumentFile.__table__,
        convert_document,
        ("pages", "document"),
        order=21,
    ),
)
