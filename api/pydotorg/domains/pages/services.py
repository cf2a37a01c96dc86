"""CMS page rules: path validation and normalisation, sanitized rendering, lookups by path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import add_after_commit
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.storage import Storage
from pydotorg.core.urls import public_path_errors
from pydotorg.domains.pages.models import DocumentFile, Image, Page

# python.org's rule: optional leading slash, segments of [a-z0-9-.], optional trailing slash.
PATH_RE = re.compile(r"^/?[a-z0-9\-.]+(/[a-z0-9\-.]+)*/?$")
MAX_PATH = 500  # the column (python.org's CharField(max_length=500))
PAGE_MARKUP_TYPES = ("restructuredtext", "markdown", "markdown_unsafe", "html", "plain", "text")


PAGE_DEFAULTS: dict[str, Any] = {
    "title": "",
    "keywords": "",
    "description": "",
    "path": "",
    "content": "",
    "content_markup_type": "restructuredtext",
    "is_published": True,
    "content_type": "text/html",
    "template_name": "",
}


def normalize_path(path: str) -> str:
    return path.strip("/")


def path_errors(path: str) -> list[str]:
    """python.org's page rule (lowercase letters, digits, '-', '.'), then the site's one rule for
    published paths (``core/urls.py``: no ``.``/``..``/hidden segments, bounded segments, no
    path the builder owns)."""
    if not path or not PATH_RE.match(path) or not normalize_path(path):
        return ["Enter a valid path: lowercase letters, digits, '-', '.' and '/' only."]
    return public_path_errors(f"/{normalize_path(path)}/", max_length=MAX_PATH + 2)


def render_page(page: Page) -> str:
    kind = page.content_markup_type
    if kind == "markdown_unsafe":
        kind = "markdown"  # raw HTML allowed in the source, then sanitized like everything else
    elif kind == "plain":
        kind = "text"
    return render(page.content or "", kind)


async def save_page(session: AsyncSession, data: Mapping[str, Any], page: Page | None = None) -> Page:
    values = dict(data)
    errors: dict[str, list[str]] = {}
    if "path" in values or page is None:
        raw = values.get("path", "") or ""
        if msgs := path_errors(raw):
            errors["path"] = msgs
        else:
            values["path"] = normalize_path(raw)
            stmt = select(Page.id).where(Page.path == values["path"])
            if page is not None:
                stmt = stmt.where(Page.id != page.id)
            if await session.scalar(stmt):
                errors["path"] = ["Page with this path already exists."]
    if page is None and not values.get("title"):
        errors["title"] = ["This field is required."]
    markup = values.get("content_markup_type")
    if markup is not None and markup not in PAGE_MARKUP_TYPES:
        errors["content_markup_type"] = [f'"{markup}" is not a valid choice.']
    if errors:
        raise ValidationFailed(errors)
    if page is None:
        page = Page(**{**PAGE_DEFAULTS, **values})
    else:
        for key, value in values.items():
            if getattr(page, key) != value:
                setattr(page, key, value)
    page.content_html = render_page(page)
    session.add(page)
    await session.flush()
    return page


async def by_path(session: AsyncSession, path: str, *, can_see_drafts: bool) -> Page | None:
    """python.org's fallback lookup: the path as given, then with the trailing slash toggled."""
    stmt = select(Page).where(Page.path == normalize_path(path))
    if not can_see_drafts:
        stmt = stmt.where(Page.is_published)
    return await session.scalar(stmt)


async def delete_page(session: AsyncSession, page: Page, storage: Storage) -> None:
    """Delete a page with its images and documents (their rows cascade), and their stored files
    once the delete has committed: a failed unlink leaves an orphan file, never a row pointing
    at a missing one. A file another page's row still names is kept."""
    names = [
        *await session.scalars(select(Image.image).where(Image.page_id == page.id)),
        *await session.scalars(select(DocumentFile.document).where(DocumentFile.page_id == page.id)),
    ]
    await session.delete(page)
    await session.flush()
    if not names:
        return
    kept = {
        *await session.scalars(select(Image.image).where(Image.image.in_(names))),
        *await session.scalars(select(DocumentFile.document).where(DocumentFile.document.in_(names))),
    }
    for name in dict.fromkeys(names):
        if name and name not in kept:
            add_after_commit(session, partial(storage.delete, name))
