"""``MeilisearchEngine`` against a fake Meilisearch on a local port (tests/meilisearch_fake.py),
through the real SDK and HTTP: the documents, settings and filters it sends, how it maps answers
to ``SearchResults``, and how it fails (``SearchUnavailable`` when Meilisearch is down or answers
5xx, an API key refused, a failed task).

With ``PYDOTORG_TEST_MEILISEARCH_URL`` (and ``PYDOTORG_TEST_MEILISEARCH_KEY``) naming a real
Meilisearch, the same tests run against it; only the checks of the requests the fake records and
of its outage switches are skipped then. No database: these tests use none of the app fixtures.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from meilisearch_python_sdk.models.settings import MeilisearchSettings

from pydotorg.core.search.documents import SearchDocument, SearchQuery
from pydotorg.core.search.engine import SearchEngine, SearchUnavailable
from pydotorg.core.search.meilisearch import MeilisearchEngine, document_key, filter_value
from tests.meilisearch_fake import FakeMeilisearch, MeilisearchForTests, meilisearch_for_tests

SESSION: Any = None  # Meilisearch ignores the session


def recording(
    meilisearch: MeilisearchForTests, what: str = "checks the requests the fake records"
) -> FakeMeilisearch:
    """The fake; against a real server, skips the rest of the test (its behaviour checks,
    written before this call, have run)."""
    if meilisearch.fake is None:
        pytest.skip(f"{what}: PYDOTORG_TEST_MEILISEARCH_URL names a real Meilisearch")
    return meilisearch.fake


async def change_settings(
    meilisearch: MeilisearchForTests, index: str, settings: MeilisearchSettings
) -> None:
    """Settings changed behind the engine's back, as an operator could."""
    async with AsyncClient(meilisearch.url, meilisearch.key or None) as client:
        task = await client.index(index).update_settings(settings)
        assert (await client.wait_for_task(task.task_uid, timeout_in_ms=10_000)).status == "succeeded"


@pytest.fixture
def meilisearch() -> Iterator[MeilisearchForTests]:
    with meilisearch_for_tests() as meilisearch:
        yield meilisearch


@pytest.fixture
async def engine(meilisearch: MeilisearchForTests) -> AsyncIterator[MeilisearchEngine]:
    """An engine on the test's own index."""
    engine = MeilisearchEngine(meilisearch.url, meilisearch.key, meilisearch.index, timeout=5)
    try:
        yield engine
    finally:
        await engine.aclose()


def doc(
    id: str, title: str, text: str = "", *, boost: float = 1.0, date: datetime | None = None, **more: Any
) -> SearchDocument:
    type_ = id.split(":")[0]
    return SearchDocument(
        id=id,
        type=type_,
        title=title,
        url=f"/{type_}/{id.split(':')[1]}/",
        text=text,
        boost=boost,
        date=date,
        **more,
    )


async def ids(engine: MeilisearchEngine, q: str, **query: Any) -> list[str]:
    results = await engine.search(SESSION, SearchQuery(q=q, **query))
    return [h.id for h in results.hits]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_keys_and_filter_values() -> None:
    assert document_key("release:12") == "release-12"
    assert document_key("page:about/psf.html") == "page-about_2f_psf_2e_html"
    assert filter_value('say "hi" \\o/') == '"say \\"hi\\" \\\\o/"'


async def test_engine_satisfies_the_protocol(engine: MeilisearchEngine) -> None:
    checked: SearchEngine = engine
    assert checked.name == f"meilisearch:{engine.index_uid}"


async def test_documents_sent_with_their_key_and_every_field(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    fake = recording(meilisearch)
    released = datetime(2024, 10, 7, 12, 30, tzinfo=UTC)
    await engine.upsert(
        SESSION,
        [
            doc(
                "release:12",
                "Python 3.13.0",
                "The final release.",
                boost=2.5,
                date=released,
                keywords="cpython",
            ),
            doc("job:7", "Backend developer", detail="ACME, Berlin"),
        ],
    )
    index = fake.indexes[engine.index_uid]
    assert fake.bodies("POST", "/indexes") == [{"uid": engine.index_uid, "primaryKey": "key"}]
    assert fake.bodies("POST", f"/indexes/{engine.index_uid}/documents") == [
        [
            {
                "key": "release-12", "id": "release:12", "type": "release", "title": "Python 3.13.0",
                "url": "/release/12/", "keywords": "cpython", "text": "The final release.", "boost": 2.5,
                "date": "2024-10-07T12:30:00+00:00", "order": 1728304200, "detail": "",
            },
            {
                "key": "job-7", "id": "job:7", "type": "job", "title": "Backend developer", "url": "/job/7/",
                "keywords": "", "text": "", "boost": 1.0, "date": None, "order": 0, "detail": "ACME, Berlin",
            },
        ]
    ]  # fmt: skip
    assert index.primary_key == "key"
    assert sorted(index.documents) == ["job-7", "release-12"]
    # Every write waited for its task: the index creation, the settings and the documents.
    tasks = [r.path for r in fake.requests if r.path.startswith("/tasks/")]
    assert len(tasks) >= 3 and all(t["status"] == "succeeded" for t in fake.tasks.values())


async def test_settings_applied_once_by_the_first_write(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    fake = recording(meilisearch)
    await engine.upsert(SESSION, [doc("news:1", "Python news")])
    await engine.delete(SESSION, ["news:1"])
    await engine.replace_type(SESSION, "news", [])
    await engine.clear(SESSION)
    settings = fake.bodies("PATCH", f"/indexes/{engine.index_uid}/settings")
    assert settings == [
        {
            "rankingRules": [
                "words",
                "typo",
                "proximity",
                "attribute",
                "boost:desc",
                "exactness",
                "order:desc",
            ],
            "filterableAttributes": ["type", "id"],
            "searchableAttributes": ["title", "keywords", "text"],
            "displayedAttributes": ["*"],
            "sortableAttributes": ["order", "boost"],
            "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        }
    ]
    assert fake.indexes[engine.index_uid].settings["rankingRules"][4] == "boost:desc"
    # prepare() itself is idempotent: the existing index is kept, the settings sent again.
    await engine.prepare()
    assert fake.bodies("POST", "/indexes") == [{"uid": engine.index_uid, "primaryKey": "key"}]
    assert len(fake.bodies("PATCH", f"/indexes/{engine.index_uid}/settings")) == 2


async def test_upsert_sends_batches_of_a_thousand(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    docs = [doc(f"event:{n}", f"Meetup number {n}", "Python meetup") for n in range(2_500)]
    await engine.upsert(SESSION, docs)
    results = await engine.search(SESSION, SearchQuery(q="meetup"))
    assert results.total == 2_500 and results.facets == {"event": 2_500}
    fake = recording(meilisearch)
    batches = fake.bodies("POST", f"/indexes/{engine.index_uid}/documents")
    assert [len(b) for b in batches] == [1_000, 1_000, 500]
    assert [d["key"] for b in batches for d in b] == [f"event-{n}" for n in range(2_500)]


async def test_replace_type_keeps_exactly_the_given_documents(engine: MeilisearchEngine) -> None:
    await engine.upsert(
        SESSION,
        [doc(f"release:{n}", f"Python {n}") for n in (1, 2, 3)] + [doc("news:1", "Python news")],
    )
    await engine.replace_type(
        SESSION, "release", [doc("release:2", "Python 2 again"), doc("release:4", "Python 4")]
    )
    assert sorted(await ids(engine, "python")) == ["news:1", "release:2", "release:4"]
    assert (await engine.search(SESSION, SearchQuery(q="again"))).hits[0].title == "Python 2 again"
    await engine.replace_type(SESSION, "release", [])
    assert await ids(engine, "python") == ["news:1"]


async def test_replace_type_filters_quote_the_values(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    odd = 'odd"type\\'
    await engine.upsert(SESSION, [doc("release:1", "Python"), doc("news:1", "Python")])
    await engine.upsert(SESSION, [SearchDocument(id=f"{odd}:1", type=odd, title="Python odd", url="/odd/")])
    await engine.replace_type(SESSION, "release", [doc("release:1", "Python")])
    await engine.replace_type(SESSION, odd, [])
    assert sorted(await ids(engine, "python")) == ["news:1", "release:1"]
    fake = recording(meilisearch)
    assert fake.bodies("POST", f"/indexes/{engine.index_uid}/documents/delete") == [
        {"filter": 'type = "release" AND NOT id IN ["release:1"]'},
        {"filter": 'type = "odd\\"type\\\\"'},
    ]


async def test_search_maps_hits_to_safe_excerpts(engine: MeilisearchEngine) -> None:
    text = "Alert: <script>alert(1)</script> Python 3.13 is out & ready, " + "more words " * 40
    await engine.upsert(
        SESSION,
        [
            doc(
                "release:13",
                "Python <3.13>",
                text,
                date=datetime(2024, 10, 7, 12, 0, tzinfo=UTC),
                detail="Final",
            ),
            doc("news:2", "Unrelated", "Nothing to see"),
        ],
    )
    results = await engine.search(SESSION, SearchQuery(q="python"))
    assert (results.total, results.facets, results.corrected) == (1, {"release": 1}, None)
    hit = results.hits[0]
    assert (hit.id, hit.type, hit.url, hit.date, hit.detail) == (
        "release:13",
        "release",
        "/release/13/",
        "2024-10-07",
        "Final",
    )
    assert hit.title == "Python <3.13>"  # plain: the page escapes it
    assert "<mark>Python</mark> 3.13 is out &amp; ready" in hit.excerpt
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.excerpt
    assert "<script>" not in hit.excerpt and "\ue000" not in hit.excerpt
    assert len(hit.excerpt.split()) < 60  # cropped


async def test_excerpt_without_a_match_in_the_text(engine: MeilisearchEngine) -> None:
    await engine.upsert(SESSION, [doc("page:1", "Downloads", "Get the <installer> " + "word " * 80)])
    hit = (await engine.search(SESSION, SearchQuery(q="downloads"))).hits[0]
    assert hit.excerpt.startswith("Get the &lt;installer&gt; word")
    assert "<mark>" not in hit.excerpt and len(hit.excerpt.split()) < 60
    assert hit.date is None


async def test_facets_count_every_type_while_filtering_one(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    await engine.upsert(
        SESSION,
        [doc(f"release:{n}", f"Python {n}") for n in range(3)]
        + [doc(f"news:{n}", "Python news") for n in range(2)]
        + [doc("job:1", "Python developer"), doc("job:2", "Rust developer")],
    )
    results = await engine.search(SESSION, SearchQuery(q="python", type="news"))
    assert results.total == 2
    assert sorted(h.id for h in results.hits) == ["news:0", "news:1"]
    assert results.facets == {"release": 3, "news": 2, "job": 1}
    unfiltered = await engine.search(SESSION, SearchQuery(q="python"))
    assert (unfiltered.total, unfiltered.facets) == (6, {"release": 3, "news": 2, "job": 1})

    fake = recording(meilisearch)
    hits_query, facets_query = fake.bodies("POST", "/multi-search")[0]["queries"]
    assert hits_query["filter"] == 'type = "news"' and hits_query["facets"] is None
    assert (hits_query["page"], hits_query["hitsPerPage"]) == (1, 20)
    assert hits_query["attributesToHighlight"] == ["title", "text"] and hits_query["attributesToCrop"] == [
        "text"
    ]
    assert (hits_query["cropLength"], hits_query["highlightPreTag"], hits_query["highlightPostTag"]) == (
        40,
        "\ue000",
        "\ue001",
    )
    assert hits_query["matchingStrategy"] == "all"
    assert facets_query["filter"] is None and facets_query["facets"] == ["type"]
    assert (facets_query["page"], facets_query["hitsPerPage"]) == (1, 0)
    # Without a type, one query gives the hits and the facets.
    assert len(fake.bodies("POST", "/multi-search")[1]["queries"]) == 1


async def test_pages(engine: MeilisearchEngine, meilisearch: MeilisearchForTests) -> None:
    await engine.upsert(
        SESSION,
        [doc(f"news:{n}", "Python news", date=datetime(2024, 1, 1 + n, tzinfo=UTC)) for n in range(7)],
    )
    pages = [await engine.search(SESSION, SearchQuery(q="python", page=p, per_page=3)) for p in (1, 2, 3, 4)]
    assert [r.total for r in pages] == [7, 7, 7, 7]
    assert [[h.id for h in r.hits] for r in pages] == [
        ["news:6", "news:5", "news:4"],
        ["news:3", "news:2", "news:1"],
        ["news:0"],
        [],
    ]  # equal relevance and boost: the newest first
    fake = recording(meilisearch)
    sent = [b["queries"][0] for b in fake.bodies("POST", "/multi-search")]
    assert [(q["page"], q["hitsPerPage"]) for q in sent] == [(1, 3), (2, 3), (3, 3), (4, 3)]


async def test_ranking_title_then_boost_then_date(engine: MeilisearchEngine) -> None:
    await engine.upsert(
        SESSION,
        [
            doc("news:1", "Conference report", "python everywhere", boost=5.0),
            doc("release:1", "Python 3.12", boost=1.0),
            doc("page:1", "Python community", boost=3.0),
            doc("news:2", "Python weekly", date=datetime(2023, 5, 1, tzinfo=UTC)),
            doc("news:3", "Python weekly", date=datetime(2024, 5, 1, tzinfo=UTC)),
        ],
    )
    assert await ids(engine, "python") == ["page:1", "news:3", "news:2", "release:1", "news:1"]


async def test_typos_and_prefixes(engine: MeilisearchEngine) -> None:
    await engine.upsert(SESSION, [doc("release:1", "Python documentation"), doc("job:1", "Pylons developer")])
    assert await ids(engine, "pyhton") == ["release:1"]  # one typo in a 6-letter word
    assert await ids(engine, "documentaiton") == ["release:1"]
    assert await ids(engine, "pyth") == ["release:1"]  # the last word is a prefix
    assert await ids(engine, "python developer") == []  # every word must match
    results = await engine.search(SESSION, SearchQuery(q="pyhton"))
    assert results.corrected is None


async def test_delete_and_clear(engine: MeilisearchEngine, meilisearch: MeilisearchForTests) -> None:
    await engine.upsert(SESSION, [doc("release:1", "Python one"), doc("release:2", "Python two")])
    await engine.delete(SESSION, ["release:1", "release:99"])
    assert await ids(engine, "python") == ["release:2"]
    await engine.delete(SESSION, [])
    await engine.optimize(SESSION)
    await engine.clear(SESSION)
    assert await ids(engine, "python") == []
    fake = recording(meilisearch)
    assert fake.bodies("POST", f"/indexes/{engine.index_uid}/documents/delete-batch") == [
        ["release-1", "release-99"]
    ]
    assert fake.bodies("DELETE", f"/indexes/{engine.index_uid}/documents") == [None]
    # delete([]) and optimize() sent nothing: the requests are the writes above and their tasks.
    writes = [(r.method, r.path) for r in fake.requests if not r.path.startswith("/tasks/")]
    assert writes == [
        ("GET", f"/indexes/{engine.index_uid}"),
        ("POST", "/indexes"),
        ("GET", f"/indexes/{engine.index_uid}"),
        ("GET", f"/indexes/{engine.index_uid}"),
        ("PATCH", f"/indexes/{engine.index_uid}/settings"),
        ("POST", f"/indexes/{engine.index_uid}/documents"),
        ("POST", f"/indexes/{engine.index_uid}/documents/delete-batch"),
        ("POST", "/multi-search"),
        ("DELETE", f"/indexes/{engine.index_uid}/documents"),
        ("POST", "/multi-search"),
    ]


async def test_a_query_without_words_finds_nothing(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    for q in ("", "   ", "?!"):
        results = await engine.search(SESSION, SearchQuery(q=q))
        assert (results.total, results.hits, results.facets) == (0, [], {})
    assert recording(meilisearch).bodies("POST", "/multi-search") == []


async def test_search_before_any_index_is_unavailable(engine: MeilisearchEngine) -> None:
    with pytest.raises(SearchUnavailable, match="does not exist yet"):
        await engine.search(SESSION, SearchQuery(q="python"))


async def test_unreachable_meilisearch_is_unavailable() -> None:
    engine = MeilisearchEngine(f"http://127.0.0.1:{free_port()}", "key", "pydotorg", timeout=2)
    try:
        with pytest.raises(SearchUnavailable, match="unreachable"):
            await engine.search(SESSION, SearchQuery(q="python"))
        with pytest.raises(SearchUnavailable, match="unreachable"):
            await engine.upsert(SESSION, [doc("release:1", "Python")])
    finally:
        await engine.aclose()


async def test_outage_then_recovery(engine: MeilisearchEngine, meilisearch: MeilisearchForTests) -> None:
    fake = recording(meilisearch, "needs the fake's outage switch")
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    fake.down()
    with pytest.raises(SearchUnavailable, match="unreachable"):
        await engine.search(SESSION, SearchQuery(q="python"))
    with pytest.raises(SearchUnavailable):
        await engine.upsert(SESSION, [doc("release:2", "Python two")])
    fake.up()
    assert await ids(engine, "python") == ["release:1"]
    await engine.upsert(SESSION, [doc("release:2", "Python two")])
    assert sorted(await ids(engine, "python")) == ["release:1", "release:2"]


async def test_server_errors_are_unavailable(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    fake = recording(meilisearch, "needs the fake's outage switch")
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    fake.down(503)
    with pytest.raises(SearchUnavailable, match="answered 503"):
        await engine.search(SESSION, SearchQuery(q="python"))
    with pytest.raises(SearchUnavailable, match="answered 503"):
        await engine.delete(SESSION, ["release:1"])
    fake.down(502, html=True)  # a proxy's error page, not JSON
    with pytest.raises(SearchUnavailable, match="answered 502"):
        await engine.search(SESSION, SearchQuery(q="python"))
    fake.up()
    assert await ids(engine, "python") == ["release:1"]


async def test_timeouts_are_unavailable(meilisearch: MeilisearchForTests) -> None:
    fake = recording(meilisearch, "needs the fake's delay switch")
    engine = MeilisearchEngine(meilisearch.url, meilisearch.key, meilisearch.index, timeout=0.2)
    try:
        await engine.upsert(SESSION, [doc("release:1", "Python")])
        fake.delay = 0.5
        with pytest.raises(SearchUnavailable, match=r"\(search\) failed") as raised:
            await engine.search(SESSION, SearchQuery(q="python"))
        assert isinstance(raised.value.__cause__.__cause__, httpx2.ReadTimeout)
        with pytest.raises(SearchUnavailable, match=r"\(add documents\) failed"):
            await engine.upsert(SESSION, [doc("release:2", "Python two")])
        fake.delay = 0
        await engine.upsert(SESSION, [doc("release:2", "Python two")])  # the job's retry
        assert sorted(await ids(engine, "python")) == ["release:1", "release:2"]
    finally:
        fake.delay = 0
        await engine.aclose()


async def test_wrong_api_key_is_a_clear_error(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    if not meilisearch.key:
        pytest.skip("the real Meilisearch named by PYDOTORG_TEST_MEILISEARCH_URL has no master key")
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    for key, code in (("not-the-key", "invalid_api_key"), ("", "missing_authorization_header")):
        wrong = MeilisearchEngine(meilisearch.url, key, engine.index_uid)
        try:
            with pytest.raises(SearchUnavailable, match=f"refused the API key.*{code}"):
                await wrong.search(SESSION, SearchQuery(q="python"))
            with pytest.raises(SearchUnavailable, match="refused the API key"):
                await wrong.upsert(SESSION, [doc("release:2", "Python")])
        finally:
            await wrong.aclose()
    assert await ids(engine, "python") == ["release:1"]


async def test_failed_task_is_unavailable_with_its_error(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    await change_settings(meilisearch, engine.index_uid, MeilisearchSettings(filterable_attributes=[]))
    with pytest.raises(
        SearchUnavailable, match=r"task \d+ \(delete documents where .*\) failed: invalid_document_filter"
    ):
        await engine.replace_type(SESSION, "release", [])


async def test_a_request_meilisearch_refuses_is_our_bug(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    await engine.upsert(SESSION, [doc("release:1", "Python")])
    await change_settings(meilisearch, engine.index_uid, MeilisearchSettings(filterable_attributes=[]))
    with pytest.raises(MeilisearchApiError, match="invalid_search_filter"):
        await engine.search(SESSION, SearchQuery(q="python", type="release"))


async def test_an_index_with_another_primary_key_is_refused(
    engine: MeilisearchEngine, meilisearch: MeilisearchForTests
) -> None:
    async with AsyncClient(meilisearch.url, meilisearch.key or None) as client:
        await client.create_index(engine.index_uid, "id", timeout_in_ms=10_000)
    with pytest.raises(RuntimeError, match="has the primary key 'id'"):
        await engine.upsert(SESSION, [doc("release:1", "Python")])
