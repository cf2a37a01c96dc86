"""Search with PostgreSQL's full-text search: the default engine, in the application database.

``search_documents`` holds one row per ``SearchDocument`` with a stored, weighted ``tsvector``
(title A, keywords B, text C; the ``english`` configuration, so "releases" finds "release") and a
GIN index. A query goes through ``websearch_to_tsquery`` (quotes, ``or``, ``-word`` work as on a
search engine) and every word then matches as a prefix ("pyth" finds "python", "3.12" finds
"3.12.4"). Relevance is ``ts_rank`` of the words (each word's best field and how often it
occurs; not their distance, not normalised by length) times the document's boost, times 1.25 when
every word matched whole and 1.25 when the query is the title, on a log scale in steps of 1%
(documents alike tie rather than differ by noise); ties go to the newest, then the id, so the
order is stable.

Typos: ``search_words`` keeps every word the documents contain, with a trigram index
(``pg_trgm``). When a query finds nothing, each word the index does not know is replaced by its
most similar known word and the query runs again; the answer says which query it ran.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Computed,
    Float,
    Index,
    String,
    Text,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base
from pydotorg.core.search.documents import (
    MARK_END,
    MARK_START,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    marked_html,
)

CONFIG = "english"
HEADLINE_CHARS = 4_000  # the excerpt is cut from the text's start: ts_headline parses all it is given
HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15"
WORD = re.compile(r"[a-z][a-z0-9]{2,39}")
STEPS = 20  # relevance in steps of 5% (a log scale): documents alike tie, the tie-breaker decides
TEXT_ONLY = 0.1  # a document whose matched words are all in its text, against title or keywords
TITLE_BONUS = 1.25  # the query is the title ("django developer": "Django Developer" first)
EXACT_BONUS = 1.25  # every word matched whole, not only as a prefix ("2.7.18" over "2.7.18rc1")
CANDIDATE_SIMILARITY = 0.2  # trigram similarity of the candidates for a misspelt word
CANDIDATES = 50


class SearchRow(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_type", "type"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    boost: Mapped[float] = mapped_column(Float, default=1.0)
    date: Mapped[datetime | None] = mapped_column(nullable=True)
    order_key: Mapped[float] = mapped_column(Float, default=0.0)  # SearchDocument.tiebreak
    tsv: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            f"setweight(to_tsvector('{CONFIG}'::regconfig, title), 'A') || "
            f"setweight(to_tsvector('{CONFIG}'::regconfig, keywords), 'B') || "
            f"setweight(to_tsvector('{CONFIG}'::regconfig, text), 'C')",
            persisted=True,
        ),
    )


class SearchWord(Base):
    __tablename__ = "search_words"
    __table_args__ = (
        Index(
            "ix_search_words_trgm", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}
        ),
    )

    word: Mapped[str] = mapped_column(String(40), primary_key=True)


class SearchCursor(Base):
    """How far along the change feed each engine's index is (core/search/indexing.py)."""

    __tablename__ = "search_cursors"

    engine: Mapped[str] = mapped_column(String(120), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


# One statement per search: the query parsed by websearch_to_tsquery, and the same with each lexeme
# made a prefix ('python' & '3.12' -> 'python':* & '3.12':*); the matches scored once; the facet
# counts and the page drawn from them; excerpts only for the page. Only module constants are
# formatted in; every value is a bound parameter.
_SEARCH = text(
    f"""
    WITH parsed AS (
        SELECT websearch_to_tsquery('{CONFIG}', :q) AS exact,
               regexp_replace(CAST(websearch_to_tsquery('{CONFIG}', :q) AS text),
                              '(''(?:[^'']|'''')+'')', '\\1:*', 'g') AS prefixed
    ),
    query AS (
        SELECT exact, CAST(prefixed AS tsquery) AS q, CAST(replace(prefixed, ' & ', ' | ') AS tsquery) AS any
        FROM parsed
    ),
    matches AS MATERIALIZED (
        SELECT d.id, d.type, d.order_key,
               round(CAST(ln(greatest(
                   -- words found in the title or keywords rank by those; only in the text, far lower
                   coalesce(nullif(ts_rank('{{0, 0, 0.4, 1}}', d.tsv, query.any, 0), 0),
                            {TEXT_ONLY} * ts_rank(d.tsv, query.any, 0))
                   * d.boost
                   * CASE WHEN d.tsv @@ query.exact THEN {EXACT_BONUS} ELSE 1 END
                   * CASE WHEN lower(d.title) = lower(:q) THEN {TITLE_BONUS} ELSE 1 END,
                   1e-9)) * {STEPS} AS numeric), 0) AS score
        FROM search_documents d, query
        WHERE d.tsv @@ query.q
    ),
    facets AS (
        SELECT coalesce(json_object_agg(type, n), '{{}}') AS counts
        FROM (SELECT type, count(*) AS n FROM matches GROUP BY type) c
    ),
    page AS (
        SELECT * FROM matches
        WHERE CAST(:type AS varchar) IS NULL OR type = :type
        ORDER BY score DESC, order_key DESC, id
        LIMIT :limit OFFSET :offset
    )
    SELECT facets.counts, d.id, d.type, d.title, d.url, d.date, d.detail,
           ts_headline('{CONFIG}', left(d.text, {HEADLINE_CHARS}), query.q, :options) AS excerpt
    FROM facets CROSS JOIN query
    LEFT JOIN page ON true
    LEFT JOIN search_documents d ON d.id = page.id
    ORDER BY page.score DESC, page.order_key DESC, page.id
    """  # noqa: S608
)


class PostgresEngine:
    name = "postgres"

    async def prepare(self) -> None:
        """Nothing to create: the tables and pg_trgm come with the migrations."""

    async def upsert(self, session: AsyncSession, docs: Sequence[SearchDocument]) -> None:
        if not docs:
            return
        rows = [
            {
                "id": d.id,
                "type": d.type,
                "title": d.title,
                "url": d.url,
                "keywords": d.keywords,
                "text": d.text,
                "detail": d.detail,
                "boost": d.boost,
                "date": d.date,
                "order_key": d.tiebreak,
            }
            for d in docs
        ]
        for start in range(0, len(rows), 500):
            stmt = insert(SearchRow).values(rows[start : start + 500])
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[SearchRow.id],
                    set_={c: stmt.excluded[c] for c in rows[0] if c != "id"},
                )
            )
        words = sorted({w for d in docs for w in WORD.findall(f"{d.title} {d.keywords} {d.text}".lower())})
        for start in range(0, len(words), 5_000):
            await session.execute(
                text(
                    "INSERT INTO search_words (word) SELECT unnest(:words) ON CONFLICT DO NOTHING"
                ).bindparams(bindparam("words", type_=ARRAY(String))),
                {"words": words[start : start + 5_000]},
            )

    async def delete(self, session: AsyncSession, ids: Collection[str]) -> None:
        if ids:
            await session.execute(delete(SearchRow).where(SearchRow.id.in_(list(ids))))

    async def replace_type(self, session: AsyncSession, type_: str, docs: Sequence[SearchDocument]) -> None:
        await self.upsert(session, docs)
        keep = [d.id for d in docs]
        await session.execute(delete(SearchRow).where(SearchRow.type == type_, SearchRow.id.not_in(keep)))

    async def clear(self, session: AsyncSession) -> None:
        await session.execute(delete(SearchRow))
        await session.execute(delete(SearchWord))

    async def search(self, session: AsyncSession, query: SearchQuery) -> SearchResults:
        results = await self._run(session, query.q, query)
        if results.total or results.facets:  # found, or found only under other types
            return results
        corrected = await self._correct(session, query.q)
        if corrected is None:
            return results
        again = await self._run(session, corrected, query)
        return SearchResults(total=again.total, hits=again.hits, facets=again.facets, corrected=corrected)

    async def _run(self, session: AsyncSession, q: str, query: SearchQuery) -> SearchResults:
        rows = list(
            await session.execute(
                _SEARCH,
                {
                    "q": q,
                    "type": query.type,
                    "limit": query.per_page,
                    "offset": (query.page - 1) * query.per_page,
                    "options": HEADLINE_OPTIONS,
                },
            )
        )
        facets = {t: int(n) for t, n in (rows[0].counts if rows else {}).items()}
        total = facets.get(query.type, 0) if query.type else sum(facets.values())
        hits = [
            SearchHit(
                id=r.id,
                type=r.type,
                title=r.title,
                url=r.url,
                excerpt=marked_html(r.excerpt or ""),
                date=r.date.date().isoformat() if r.date else None,
                detail=r.detail,
            )
            for r in rows
            if r.id is not None
        ]
        return SearchResults(total=total, hits=hits, facets=facets)

    async def optimize(self, session: AsyncSession) -> None:
        """Fresh planner statistics after a bulk load, so selective queries use the GIN index."""
        await session.execute(text("ANALYZE search_documents"))

    async def _correct(self, session: AsyncSession, q: str) -> str | None:
        """``q`` with each word the index does not know replaced by the closest one it knows:
        trigram candidates (the GIN index, a low threshold: "pyhton" shares few trigrams with
        "python"), then the one at the smallest edit distance, transpositions counting one."""
        words = q.split()
        changed = False
        await session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {CANDIDATE_SIMILARITY}"))
        for i, raw in enumerate(words):
            word = raw.lower()
            if not WORD.fullmatch(word) or len(word) < 4:
                continue
            if await session.scalar(select(SearchWord.word).where(SearchWord.word == word)):
                continue
            rows = await session.execute(
                select(SearchWord.word, func.similarity(SearchWord.word, word))
                .where(
                    SearchWord.word.op("%")(word),
                    func.length(SearchWord.word).between(len(word) - 2, len(word) + 2),
                )
                .order_by(func.similarity(SearchWord.word, word).desc(), SearchWord.word)
                .limit(CANDIDATES)
            )
            allowed = 1 if len(word) < 8 else 2
            scored = [(edit_distance(word, w), -sim, w) for w, sim in rows]
            best = min((c for c in scored if c[0] <= allowed), default=None)
            if best is not None:
                words[i] = best[2]
                changed = True
        return " ".join(words) if changed else None

    async def aclose(self) -> None:
        """Nothing to close: the engine uses the caller's session."""


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
