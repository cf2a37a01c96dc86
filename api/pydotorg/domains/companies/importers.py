"""Django fixtures -> companies (``companies.company``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.importing import ImportContext, ModelImport, RowError
from pydotorg.core.markup import render
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.companies.models import Company

MARKUPS = {"restructuredtext", "markdown", "html", "text"}


def _checked_link(value: str | None, name: str) -> str | None:
    """The site's one link rule (core/urls.py): a row with a link a browser would misread is
    reported and skipped, as the API refuses it."""
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


def markup_of(fields: Mapping[str, Any], name: str) -> str:
    """A markup type as python.org stored it ("plain" is our "text")."""
    value = str(fields.get(f"{name}_markup_type") or "restructuredtext")
    markup = "text" if value == "plain" else value
    if markup not in MARKUPS:
        raise RowError(f"{name}_markup_type {value!r} is not one of {sorted(MARKUPS)}")
    return markup


def text_or_none(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def slug_of(fields: Mapping[str, Any], label: str) -> tuple[str, str]:
    name, slug = str(fields.get("name") or "").strip(), str(fields.get("slug") or "").strip()
    if not name or not slug:
        raise RowError(f"{label} needs a name and a slug")
    if len(name) > 200 or len(slug) > 200:
        raise RowError("name and slug are at most 200 characters")
    return name, slug


async def unique_slug(ctx: ImportContext, table: Any, pk: Any, slug: str) -> None:
    other = await ctx.session.scalar(select(table.c.id).where(table.c.slug == slug, table.c.id != int(pk)))
    if other is not None or slug in ctx.seen[f"{table.name}.slug"]:
        raise RowError(f"slug {slug!r} is already used")
    ctx.seen[f"{table.name}.slug"].add(slug)


async def convert_company(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name, slug = slug_of(fields, "company")
    await unique_slug(ctx, Company.__table__, pk, slug)
    markup = markup_of(fields, "about")
    about = str(fields.get("about") or "")
    return {
        "id": int(pk),
        "name": name,
        "slug": slug,
        "about": about,
        "about_markup_type": markup,
        "about_html": render(about, markup),
        "contact": text_or_none(fields.get("contact"), 100),
        "email": text_or_none(fields.get("email"), 254),
        "url": _checked_link(text_or_none(fields.get("url"), 200), "url"),
        "logo": text_or_none(fields.get("logo"), 400),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("companies.company", Company.__table__, convert_company, ("companies", "company"), order=20),
)
