"""Community posts in search (python.org did not index them): public posts only (a private
post is never in the index; making it private removes it), by title, abstract and content. A
post without a title is shown by the start of its abstract or content, as the site lists it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, first_words, html_text
from pydotorg.domains.community.models import STATUS_PUBLIC, Post
from pydotorg.domains.community.services import post_url


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = select(Post.id, Post.title, Post.abstract, Post.content_html, Post.created).where(
        Post.status == STATUS_PUBLIC
    )
    if ids is not None:
        stmt = stmt.where(Post.id.in_(ids))
    docs = []
    for p in await session.execute(stmt):
        body = clean(f"{clean(p.abstract)} {html_text(p.content_html)}")
        docs.append(
            SearchDocument(
                id=document_id("post", p.id),
                type="post",
                title=clean(p.title) or first_words(body, 10) or f"Community post #{p.id}",
                url=post_url(p.id),
                keywords="community",
                text=body,
                date=p.created,
            )
        )
    return docs


SOURCES = (
    SearchSource(
        type="post", label="Community", watches={("community", "post"): "self"}, load=load, order=90
    ),
)
