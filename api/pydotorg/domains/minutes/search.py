"""PSF board minutes in search (python.org did not index them): published minutes, titled as
python.org titles them ("PSF Meeting Minutes June 05, 2024"), by content."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import document_id, html_text
from pydotorg.domains.minutes.models import Minutes
from pydotorg.domains.minutes.services import title, url


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = select(Minutes.id, Minutes.date, Minutes.content_html).where(Minutes.is_published)
    if ids is not None:
        stmt = stmt.where(Minutes.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("minutes", m.id),
            type="minutes",
            title=title(m.date),
            url=url(m.date),
            keywords=f"psf board meeting minutes {m.date:%B %Y}",
            text=html_text(m.content_html),
            date=datetime.combine(m.date, time(), tzinfo=UTC),
        )
        for m in await session.execute(stmt)
    ]


SOURCES = (
    SearchSource(
        type="minutes", label="Board minutes", watches={("minutes", "minutes"): "self"}, load=load, order=100
    ),
)
