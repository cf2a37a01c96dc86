"""Search (issue 16) through ``GET /api/v3/search``: what is indexed and what never is, the
change feed keeping the index in step (an edit, an unpublish and a delete within one job run),
the answer's shape (types, URLs, marked excerpts, facets, pages, stable order), typos, and the
400s. The same tests run against both engines: PostgreSQL (the default) and Meilisearch (the
production adapter, here against tests/meilisearch_fake.py, or a real server when
``PYDOTORG_TEST_MEILISEARCH_URL`` is set)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.db import transaction
from pydotorg.core.search import create_engine
from pydotorg.core.search.indexing import index_changes, reindex, search_cursor
from pydotorg.domains.blogs.models import BlogEntry, Feed
from pydotorg.domains.community.models import STATUS_PRIVATE, STATUS_PUBLIC, Post
from pydotorg.domains.downloads.models import Release
from pydotorg.domains.events.models import Calendar, Event, EventLocation, OccurringRule
from pydotorg.domains.jobs.models import Job, JobCategory, JobType
from pydotorg.domains.minutes.models import Minutes
from pydotorg.domains.pages.models import Page
from pydotorg.domains.successstories.models import Story, StoryCategory
from pydotorg.indexes import SEARCH_SOURCES

NOW = datetime.now(UTC)


class Search:
    """A client of one engine's app, and one run of the indexing job on demand."""

    def __init__(self, client: Any, engine: Any, sessionmaker: Any) -> None:
        self.client = client
        self.engine = engine
        self.sessionmaker = sessionmaker

    async def index(self) -> dict[str, int]:
        return await index_changes(self.sessionmaker, self.engine, SEARCH_SOURCES)

    async def get(self, q: str, **params: Any) -> dict[str, Any]:
        r = await self.client.get("/api/v3/search", params={"q": q, **params})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def ids(self, q: str, **params: Any) -> list[str]:
        return [hit["id"] for hit in (await self.get(q, **params))["results"]]


@pytest.fixture(params=["postgres", "meilisearch"])
async def search(
    request: Any, clean: None, settings: Any, mailer: Any, sessionmaker: Any
) -> AsyncIterator[Search]:
    # Its own queue: the session's worker, once another test started it, would otherwise run the
    # indexing these tests run themselves, one job run at a time.
    settings = msgspec.structs.replace(settings, queue_name="search-tests")
    if request.param == "postgres":
        app = create_app(settings, mailer=mailer, configure_logs=False)
        async with AsyncTestClient(app=app) as client:
            yield Search(client, create_engine(settings), sessionmaker)
        return
    from tests.meilisearch_fake import meilisearch_for_tests

    with meilisearch_for_tests() as meili:
        meili_settings = msgspec.structs.replace(
            settings,
            search_engine="meilisearch",
            meilisearch_url=meili.url,
            meilisearch_api_key=meili.key,
            meilisearch_index=meili.index,
        )
        app = create_app(meili_settings, mailer=mailer, configure_logs=False)
        # The app runs in the test client's own event loop: the test indexes through its own engine.
        engine = create_engine(meili_settings)
        try:
            async with AsyncTestClient(app=app) as client:
                yield Search(client, engine, sessionmaker)
        finally:
            await engine.aclose()


async def _seed(sessionmaker: Any) -> dict[str, int]:
    """One public record of every searchable type, and one of each kind a visitor cannot open."""
    ids: dict[str, int] = {}
    async with transaction(sessionmaker) as s:
        rel = Release(
            name="Python 3.12.4",
            slug="python-3124",
            is_published=True,
            release_date=NOW - timedelta(days=30),
            content_html="<p>Python 3.12.4 is the latest <b>maintenance</b> release of the 3.12 series.</p>",
        )
        draft_rel = Release(
            name="Python 3.99.0", slug="python-3990", is_published=False, content_html="secret draft"
        )
        cal = Calendar(
            name="Python Events Calendar", slug="python-events", description="Conferences worldwide"
        )
        venue = EventLocation(name="Pittsburgh Convention Center")
        s.add_all([rel, draft_rel, cal, venue])
        await s.flush()
        event = Event(
            title="PyCon US 2027",
            calendar_id=cal.id,
            venue_id=venue.id,
            featured=True,
            description_html="<p>The largest annual gathering of the Python community.</p>",
        )
        s.add(event)
        await s.flush()
        s.add(
            OccurringRule(
                event_id=event.id, dt_start=NOW + timedelta(days=100), dt_end=NOW + timedelta(days=104)
            )
        )
        category = JobCategory(name="Software Engineer", slug="software-engineer")
        jtype = JobType(name="Backend", slug="backend")
        s.add_all([category, jtype])
        await s.flush()

        def job(title: str, status: str, expires: datetime | None) -> Job:
            return Job(
                job_title=title,
                company_name="Snake Oil Ltd",
                city="Lisbon",
                country="Portugal",
                location_slug="lisbon-portugal",
                country_slug="portugal",
                email="jobs@example.org",
                category_id=category.id,
                status=status,
                expires=expires,
                telecommuting=True,
                description_html="<p>Build Django services.</p>",
                job_types=[jtype],
            )

        visible = job("Senior Django Developer", "approved", NOW + timedelta(days=30))
        review = job("Unreviewed Django Wizard", "review", None)
        expired = job("Expired Django Guru", "approved", NOW - timedelta(days=1))
        page = Page(
            title="About Python", path="about", content_html="<p>Python is a programming language.</p>"
        )
        draft_page = Page(
            title="Secret Plans", path="secret", is_published=False, content_html="<p>secret</p>"
        )
        story_cat = StoryCategory(name="Science", slug="science")
        s.add_all([visible, review, expired, page, draft_page, story_cat])
        await s.flush()
        story = Story(
            name="Python at the Observatory",
            slug="python-at-the-observatory",
            company_name="Star Labs",
            company_url="https://example.org",
            author="Ada",
            category_id=story_cat.id,
            is_published=True,
            content_html="<p>Telescopes run on Python.</p>",
        )
        draft_story = Story(
            name="Unpublished Story",
            slug="unpublished-story",
            company_name="X",
            company_url="https://example.org",
            author="B",
            category_id=story_cat.id,
            content_html="<p>secret</p>",
        )
        post = Post(
            title="Community Sprint Recap",
            content_html="<p>We sprinted on packaging.</p>",
            status=STATUS_PUBLIC,
        )
        private = Post(title="Private Musings", content_html="<p>secret</p>", status=STATUS_PRIVATE)
        minutes = Minutes(
            date=date(2024, 6, 5),
            content_html="<p>The board approved the grants budget.</p>",
            is_published=True,
        )
        draft_minutes = Minutes(date=date(2024, 7, 5), content_html="<p>secret</p>", is_published=False)
        feed = Feed(name="Python Insider", feed_url="https://blog.python.org/feeds/posts/default?alt=rss")
        s.add_all([story, draft_story, post, private, minutes, draft_minutes, feed])
        await s.flush()
        entry = BlogEntry(
            feed_id=feed.id,
            title="Python 3.13 beta announced",
            summary_html="<p>The beta is out.</p>",
            pub_date=NOW - timedelta(days=3),
            url="https://blog.python.org/2024/05/beta.html",
        )
        s.add(entry)
        await s.flush()
        ids.update(
            release=rel.id,
            calendar=cal.id,
            event=event.id,
            job=visible.id,
            jobtype=jtype.id,
            jobcategory=category.id,
            page=page.id,
            story=story.id,
            post=post.id,
            minutes=minutes.id,
            blog=entry.id,
        )
    return ids


async def test_every_type_is_found_at_its_url_and_nothing_a_visitor_cannot_open(search: Search) -> None:
    ids = await _seed(search.sessionmaker)
    await search.index()
    expected = {
        ("release", "3.12.4", "/downloads/release/python-3124/"),
        ("calendar", "calendar", "/events/python-events/"),
        ("event", "pycon", f"/events/python-events/{ids['event']}/"),
        ("job", "django developer", f"/jobs/{ids['job']}/"),
        ("jobtype", "backend", "/jobs/type/backend/"),
        ("jobcategory", "software engineer", "/jobs/category/software-engineer/"),
        ("page", "programming language", "/about/"),
        ("story", "observatory", "/success-stories/python-at-the-observatory/"),
        ("post", "sprint", f"/community/{ids['post']}/"),
        ("minutes", "grants budget", "/psf/records/board/minutes/2024-06-05/"),
        ("blog", "beta announced", "https://blog.python.org/2024/05/beta.html"),
    }
    for type_, q, url in expected:
        body = await search.get(q, type=type_)
        hits = [(h["type"], h["url"]) for h in body["results"]]
        assert (type_, url) in hits, (type_, q, body)
        hit = next(h for h in body["results"] if h["url"] == url)
        assert hit["id"] == f"{type_}:{ids[type_]}"
    job = (await search.get("django developer", type="job"))["results"][0]
    assert job["title"] == "Senior Django Developer"
    assert job["detail"] == "Snake Oil Ltd — Lisbon, Portugal"
    event = (await search.get("pycon"))["results"][0]
    assert event["detail"] == "Pittsburgh Convention Center"
    assert event["date"] == (NOW + timedelta(days=100)).date().isoformat()
    # Drafts, private posts, unreviewed and expired jobs: never in the index.
    for q in ("secret", "3.99", "Unreviewed", "Expired Django", "Private Musings", "Unpublished Story"):
        body = await search.get(q)
        assert body["results"] == [] and body["total"] == 0, (q, body)
    # Remote work is searchable on a telecommuting listing (python.org's JobIndex).
    assert f"job:{ids['job']}" in await search.ids("remote")


async def test_an_edit_an_unpublish_and_a_delete_reach_search_within_one_job_run(
    search: Search, actors: Any
) -> None:
    root = actors["root"].headers
    r = await search.client.post(
        "/api/v3/pages",
        headers=root,
        json={"title": "Governance Handbook", "path": "psf/handbook", "content": "How the *board* works."},
    )
    assert r.status_code == 201, r.text
    page_id = r.json()["id"]
    done = await search.index()
    assert await search.ids("handbook") == [f"page:{page_id}"]

    r = await search.client.patch(
        f"/api/v3/pages/{page_id}", headers=root, json={"title": "Stewardship Manual"}
    )
    assert r.status_code == 200, r.text
    done = await search.index()
    assert done["changes"] >= 1
    assert await search.ids("stewardship") == [f"page:{page_id}"]
    assert await search.ids("handbook") == []

    r = await search.client.patch(f"/api/v3/pages/{page_id}", headers=root, json={"is_published": False})
    assert r.status_code == 200, r.text
    await search.index()
    assert await search.ids("stewardship") == []

    r = await search.client.patch(f"/api/v3/pages/{page_id}", headers=root, json={"is_published": True})
    await search.index()
    assert await search.ids("stewardship") == [f"page:{page_id}"]
    r = await search.client.delete(f"/api/v3/pages/{page_id}", headers=root)
    assert r.status_code == 204, r.text
    await search.index()
    assert await search.ids("stewardship") == []
    async with search.sessionmaker() as s:
        head = await s.scalar(msgspec_head())
        assert await search_cursor(s, search.engine) == head


def msgspec_head() -> Any:
    from sqlalchemy import func, select

    from pydotorg.core.changes import Change

    return select(func.max(Change.cursor))


async def test_excerpts_mark_the_matched_words_and_escape_everything_else(search: Search) -> None:
    async with transaction(search.sessionmaker) as s:
        s.add(
            Page(
                title="Escaping",
                path="escaping",
                content_html="<p>Use &lt;script&gt;alert(1)&lt;/script&gt; &amp; then the walrus operator.</p>",
            )
        )
    await search.index()
    hit = (await search.get("walrus"))["results"][0]
    assert "<mark>walrus</mark>" in hit["excerpt"]
    assert "<script" not in hit["excerpt"]
    assert "&amp; then the" in hit["excerpt"]
    stripped = hit["excerpt"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped


async def test_pages_of_twenty_in_a_stable_order_with_facets_for_every_type(search: Search) -> None:
    async with transaction(search.sessionmaker) as s:
        for n in range(45):
            s.add(
                Page(title=f"Tutorial part {n:02d}", path=f"tutorial/{n}", content_html="<p>A tutorial.</p>")
            )
        s.add(
            Release(
                name="Python 3.0.0",
                slug="python-300",
                is_published=True,
                release_date=NOW - timedelta(days=4000),
                content_html="<p>A tutorial is included.</p>",
            )
        )
    await search.index()
    first = await search.get("tutorial")
    assert first["total"] == 46 and first["pages"] == 3 and first["per_page"] == 20
    assert {f["type"]: f["count"] for f in first["facets"]} == {"release": 1, "page": 45}
    assert [f["label"] for f in first["facets"]] == ["Releases", "Pages"]
    pages = [first["results"]]
    for n in (2, 3):
        pages.append((await search.get("tutorial", page=n))["results"])
    assert [len(p) for p in pages] == [20, 20, 6]
    all_ids = [h["id"] for p in pages for h in p]
    assert len(set(all_ids)) == 46
    assert [h["id"] for h in (await search.get("tutorial"))["results"]] == [h["id"] for h in pages[0]]
    only = await search.get("tutorial", type="release")
    assert only["total"] == 1 and [h["type"] for h in only["results"]] == ["release"]
    assert {f["type"]: f["count"] for f in only["facets"]} == {"release": 1, "page": 45}
    beyond = await search.get("tutorial", page=4)
    assert beyond["results"] == [] and beyond["total"] == 46


async def test_a_misspelt_query_still_finds_what_was_meant(search: Search) -> None:
    async with transaction(search.sessionmaker) as s:
        s.add(Page(title="Python for beginners", path="beginners", content_html="<p>Start here.</p>"))
    await search.index()
    body = await search.get("pyhton beginers")
    assert [h["url"] for h in body["results"]] == ["/beginners/"]
    # PostgreSQL says which query it ran; Meilisearch tolerates the typo itself.
    assert body["corrected"] in (None, "python beginners")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Enter something to search for."),
        ({"q": "   "}, "q", "Enter something to search for."),
        ({"q": "x" * 201}, "q", "Use at most 200 characters"),
        ({"q": "python", "type": "users"}, "type", "Unknown type"),
        ({"q": "python", "page": "0"}, "page", ""),
        ({"q": "python", "page": "51"}, "page", ""),
        ({"q": "python", "page": "two"}, "page", ""),
    ],
)
async def test_bad_parameters_are_400s_naming_the_problem(
    client: Any, params: dict[str, str], field: str, message: str
) -> None:
    r = await client.get("/api/v3/search", params=params)
    assert r.status_code == 400, r.text
    assert field in r.text and message in r.text


async def test_the_worker_indexes_an_approved_job_by_itself(client: Any, actors: Any, worker: Any) -> None:
    """The whole path, nothing called by hand: API writes -> change feed -> search.index in the
    worker -> found; and a rejection takes it out again."""
    import asyncio

    from tests.api.test_jobs import approved_job, setup_board

    async def found(q: str, expect: bool) -> list[str]:
        for _ in range(100):
            urls = [h["url"] for h in (await client.get("/api/v3/search", params={"q": q})).json()["results"]]
            if bool(urls) == expect:
                return urls
            await asyncio.sleep(0.1)
        return urls

    await setup_board(client, actors)
    job = await approved_job(client, actors, job_title="Quantum Pythonista")
    assert await found("quantum pythonista", True) == [f"/jobs/{job['id']}/"]
    r = await client.post(f"/api/v3/jobs/{job['id']}/reject", headers=actors["moderator"].headers)
    assert r.status_code == 200, r.text
    assert await found("quantum pythonista", False) == []


async def test_reindex_rebuilds_from_nothing_and_sets_the_cursor(search: Search) -> None:
    await _seed(search.sessionmaker)
    count = await reindex(search.sessionmaker, search.engine, SEARCH_SOURCES)
    assert count == 11
    async with search.sessionmaker() as s:
        assert await search_cursor(s, search.engine) == await s.scalar(msgspec_head())
    body = await search.get("python")
    assert body["total"] >= 4


async def test_a_meilisearch_outage_leaves_writes_committed_and_the_index_catches_up(
    settings: Any, mailer: Any, sessionmaker: Any, actors: Any, db_conn: Any
) -> None:
    """Meilisearch down: the API's writes still commit (indexing is not in their path), the
    indexing run fails without moving its cursor, searches answer 503; back up, one run catches
    up with everything written meanwhile."""
    from pydotorg.core.changes import SEARCH_KEY
    from pydotorg.core.search import SearchUnavailable
    from pydotorg.core.search.indexing import check_search
    from pydotorg.core.tasks import create_queue
    from tests.meilisearch_fake import start_fake

    fake = start_fake("outage-key")
    meili = msgspec.structs.replace(
        settings,
        search_engine="meilisearch",
        meilisearch_url=fake.url,
        meilisearch_api_key="outage-key",
        queue_name="search-outage",  # no worker serves it: the test runs the index itself
    )
    app = create_app(meili, mailer=mailer, configure_logs=False)
    engine = create_engine(meili)
    queue = create_queue(meili)  # the app's own runs in the test client's event loop
    try:
        async with AsyncTestClient(app=app) as client:
            search = Search(client, engine, sessionmaker)
            await search.index()  # the first run fills the index from nothing
            fake.down()
            r = await client.post(
                "/api/v3/pages",
                headers=actors["root"].headers,
                json={"title": "Outage Notes", "path": "outage"},
            )
            assert r.status_code == 201, r.text
            assert await db_conn.fetchval("SELECT title FROM pages WHERE path = 'outage'") == "Outage Notes"
            async with sessionmaker() as s:
                before = await search_cursor(s, engine)
            with pytest.raises(SearchUnavailable):
                await search.index()
            async with sessionmaker() as s:
                assert await search_cursor(s, engine) == before  # nothing skipped
            r = await client.get("/api/v3/search", params={"q": "outage"})
            assert r.status_code == 503 and r.headers["retry-after"], r.text
            # The search watch sees the index behind the feed and queues a run.
            ctx = {"search_engine": engine, "sessionmaker": sessionmaker, "queue": queue}
            job = await queue.job(SEARCH_KEY)  # the write queued a run after its commit
            assert job is not None and job.function == "search.index" and job.status.value == "queued"
            assert await check_search(ctx) is False  # already queued: not twice
            await queue.abort(job, "lost")  # the run failed for good (all its retries) or was lost
            assert await check_search(ctx) is True  # the watch queues another
            job = await queue.job(SEARCH_KEY)
            assert job is not None and job.status.value == "queued"
            fake.up()
            done = await search.index()
            assert done["upserted"] >= 1
            page_id = await db_conn.fetchval("SELECT id FROM pages WHERE path = 'outage'")
            assert await search.ids("outage") == [f"page:{page_id}"]
            await queue.abort(job, "the test ran the index itself")
            assert await check_search(ctx) is False  # caught up
    finally:
        await queue.disconnect()
        await engine.aclose()
        fake.stop()


@pytest.mark.parametrize(
    "q",
    [
        "'",
        "\\",
        "a:*",
        "!!!",
        "(",
        "python <-> 3",
        "a & b | c",
        '"unclosed phrase',
        "-",
        "or",
        "the",
        "Größe café ñandú",
        "%_%",
        "<script>alert(1)</script>",
        "x" * 200,
    ],
)
async def test_any_text_is_a_query_never_an_error(search: Search, q: str) -> None:
    async with transaction(search.sessionmaker) as s:
        s.add(Page(title="Python café", path="cafe", content_html="<p>Größe matters.</p>"))
    await search.index()
    body = await search.get(q)
    assert body["query"] == q and isinstance(body["results"], list)
    assert body["total"] == sum(f["count"] for f in body["facets"])


async def test_a_nul_character_is_a_400(client: Any) -> None:
    r = await client.get("/api/v3/search", params={"q": "py\x00thon"})
    assert r.status_code == 400, r.text


async def test_a_burst_of_the_same_search_runs_it_once(client: Any, app: Any, monkeypatch: Any) -> None:
    """Concurrent identical searches (a popular query right after the index changed) run the
    engine once; the others get its answer."""
    engine = app.state.search_engine
    original = engine.search
    calls = 0

    async def slow(session: Any, query: Any) -> Any:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        return await original(session, query)

    monkeypatch.setattr(engine, "search", slow)
    query = {"q": f"burst {datetime.now(UTC).timestamp()}"}  # never asked before: not cached
    answers = await asyncio.gather(*(client.get("/api/v3/search", params=query) for _ in range(8)))
    assert [r.status_code for r in answers] == [200] * 8
    assert len({r.content for r in answers}) == 1
    assert calls == 1
    assert app.state.search_cache.computing == {}
