"""Success stories in search (python.org did not index them): published stories, by name,
company, author, category, pull quote and content; the line under the title is the company."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, html_text
from pydotorg.domains.successstories.models import Story, StoryCategory
from pydotorg.domains.successstories.services import story_url


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = (
        select(
            Story.id,
            Story.name,
            Story.slug,
            Story.company_name,
            Story.author,
            Story.pull_quote,
            Story.content_html,
            Story.created,
            StoryCategory.name.label("category"),
        )
        .join(StoryCategory, StoryCategory.id == Story.category_id)
        .where(Story.is_published)
    )
    if ids is not None:
        stmt = stmt.where(Story.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("story", s.id),
            type="story",
            title=clean(s.name),
            url=story_url(s.slug),
            keywords=clean(f"success story {s.company_name} {s.author} {s.category}"),
            text=clean(f"{clean(s.pull_quote)} {html_text(s.content_html)}"),
            date=s.created,
            detail=clean(s.company_name),
        )
        for s in await session.execute(stmt)
    ]


SOURCES = (
    SearchSource(
        type="story",
        label="Success stories",
        watches={("successstories", "story"): "self", ("successstories", "category"): "all"},
        load=load,
        order=80,
    ),
)
