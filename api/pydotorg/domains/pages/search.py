"""CMS pages in search (python.org's ``PageIndex``): published pages, by title, keywords,
description and content; the excerpt comes from the description, then the content."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, html_text
from pydotorg.domains.pages.models import Page


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = select(Page.id, Page.title, Page.keywords, Page.description, Page.path, Page.content_html).where(
        Page.is_published
    )
    if ids is not None:
        stmt = stmt.where(Page.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("page", p.id),
            type="page",
            title=clean(p.title),
            url=f"/{p.path}/",
            keywords=clean(p.keywords),
            text=clean(f"{clean(p.description)} {html_text(p.content_html)}"),
        )
        for p in await session.execute(stmt)
    ]


SOURCES = (
    SearchSource(type="page", label="Pages", watches={("pages", "page"): "self"}, load=load, order=70),
)
