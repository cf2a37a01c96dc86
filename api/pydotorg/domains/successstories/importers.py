"""Django fixtures -> success stories (``successstories.storycategory``, ``successstories.story``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import render
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.companies.importers import markup_of, slug_of, text_or_none, unique_slug
from pydotorg.domains.companies.models import Company
from pydotorg.domains.successstories.models import Story, StoryCategory


def _checked_link(value: str | None, name: str) -> str | None:
    """The site's one link rule (core/urls.py): a row with a link a browser would misread is
    reported and skipped, as the API refuses it."""
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


async def convert_category(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name, slug = slug_of(fields, "category")
    await unique_slug(ctx, StoryCategory.__table__, pk, slug)
    return {"id": int(pk), "name": name, "slug": slug}


async def convert_story(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name, slug = slug_of(fields, "story")
    await unique_slug(ctx, Story.__table__, pk, slug)
    category_id = await ctx.require(StoryCategory.__table__, fields.get("category"), "category")
    if category_id is None:
        raise RowError("a story needs a category")
    markup = markup_of(fields, "content")
    content = str(fields.get("content") or "")
    company_name, author = str(fields.get("company_name") or ""), str(fields.get("author") or "")
    if len(company_name) > 500 or len(author) > 500:
        raise RowError("company_name and author are at most 500 characters")
    return {
        "id": int(pk),
        "name": name,
        "slug": slug,
        "company_name": company_name,
        "company_url": _checked_link(str(fields.get("company_url") or "")[:200], "company_url"),
        "company_id": await ctx.require(Company.__table__, fields.get("company"), "company"),
        "category_id": category_id,
        "author": author,
        "author_email": text_or_none(fields.get("author_email"), 100),
        "pull_quote": str(fields.get("pull_quote") or ""),
        "content": content,
        "content_markup_type": markup,
        "content_html": render(content, markup),
        "is_published": bool(fields.get("is_published", False)),
        "featured": bool(fields.get("featured", False)),
        "image": text_or_none(fields.get("image"), 400),
        "submitted_by_id": await ctx.user_id(fields.get("submitted_by")),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport(
        "successstories.storycategory",
        StoryCategory.__table__,
        convert_category,
        ("successstories", "category"),
        order=20,
    ),
    ModelImport(
        "successstories.story", Story.__table__, convert_story, ("successstories", "story"), order=30
    ),
)
