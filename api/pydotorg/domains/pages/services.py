"""CMS page rules: who sees drafts, path validation and normalisation, sanitized rendering,
lookups by path, the images and documents attached to a page."""

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
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.core.storage import Storage, safe_name
from pydotorg.core.uploads import Upload
from pydotorg.core.urls import public_path_errors
from pydotorg.domains.pages.models import CHANGE_PAGE, DocumentFile, Image, Page

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


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_PAGE)


async def get_page(session: AsyncSession, page_id: int, principal: Principal | None) -> Page:
    """A page the caller may see (a published one, or any for editors); else 404."""
    return await get_visible_or_404(
        session,
        Page,
        page_id,
        f"No page with id {page_id}.",
        visible=lambda p: p.is_published or can_see_drafts(principal),
    )


async def page_at(session: AsyncSession, path: str, principal: Principal | None) -> Page:
    """The page served at ``path`` (``by_path``), if the caller may see it; else 404."""
    page = await by_path(session, path, can_see_drafts=can_see_drafts(principal))
    return visible_or_404(page, f"No page at {path!r}.")


async def list_pages(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    path_prefix: str | None = None,
    is_published: bool | None = None,
    q: str | None = None,
) -> tuple[list[Page], ListMeta]:
    """Pages by path; drafts only for editors."""
    stmt = select(Page).order_by(Page.path, Page.id)
    if not can_see_drafts(principal):
        stmt = stmt.where(Page.is_published)
    if path_prefix:
        stmt = stmt.where(Page.path.startswith(path_prefix.strip("/"), autoescape=True))
    if is_published is not None:
        stmt = stmt.where(Page.is_published == is_published)
    if q:
        stmt = stmt.where(Page.title.icontains(q, autoescape=True))
    return await paginate(session, stmt, limit, offset)


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
            await ensure_unique(
                session,
                Page,
                "path",
                values["path"],
                "Page with this path already exists.",
                exclude=page,
                errors=errors,
            )
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
        assign_changed(page, values)
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


async def attachments(session: AsyncSession, page_id: int) -> tuple[list[Image], list[DocumentFile]]:
    """A page's images and documents, each in upload order."""
    images = await session.scalars(select(Image).where(Image.page_id == page_id).order_by(Image.id))
    documents = await session.scalars(
        select(DocumentFile).where(DocumentFile.page_id == page_id).order_by(DocumentFile.id)
    )
    return list(images), list(documents)


async def attach(
    session: AsyncSession, page: Page, kind: str, upload: Upload, storage: Storage
) -> Image | DocumentFile:
    """Store an uploaded image (under the page's path) or document (under ``files``) and attach it."""
    directory = page.path if kind == "image" else "files"
    name = await storage.save(safe_name(directory, upload.filename), upload.content)
    attachment: Image | DocumentFile = (
        Image(page_id=page.id, image=name)
        if kind == "image"
        else DocumentFile(page_id=page.id, document=name)
    )
    session.add(attachment)
    await session.flush()
    return attachment


async def detach(
    session: AsyncSession, page_id: int, kind: str, attachment_id: int, storage: Storage
) -> None:
    """Remove an image or document of a page; 404 when the page has none with that id."""
    model: Any = Image if kind == "image" else DocumentFile
    attachment = visible_or_404(
        await session.scalar(select(model).where(model.id == attachment_id, model.page_id == page_id)),
        f"No {kind} with id {attachment_id} on this page.",
    )
    await session.delete(attachment)
    await session.flush()
    # The file goes once the row is gone; a failed unlink leaves an orphan, never a dangling row.
    name = attachment.image if kind == "image" else attachment.document
    add_after_commit(session, lambda: storage.delete(name))
