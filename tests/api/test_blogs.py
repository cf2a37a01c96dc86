"""/api/v3/blogs/: public reads (entries newest first, by feed and by aggregate), permission
matrices for every write, feed/aggregate/entry rules, the change feed, and the import of
python.org's Django fixtures (blogs.feed, blogs.blogentry, blogs.feedaggregate, blogs.relatedblog)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from pydotorg.domains.blogs.models import BlogEntry
from pydotorg.domains.blogs.services import entry_text, save_feed
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def _feed(sessionmaker: Any, name: str, url: str, website: str = "https://example.org/") -> int:
    async with transaction(sessionmaker) as s:
        return (await save_feed(s, {"name": name, "feed_url": url, "website_url": website})).id


async def _entries(sessionmaker: Any, feed_id: int, count: int, *, start: datetime = T0) -> list[int]:
    """``count`` entries, one day apart, the last one newest."""
    async with transaction(sessionmaker) as s:
        rows = []
        for n in range(count):
            summary = f"<p>Post <b>{n}</b> of feed {feed_id}</p>"
            rows.append(
                BlogEntry(
                    feed_id=feed_id,
                    title=f"Post {n}",
                    summary=summary,
                    **entry_text(summary),
                    pub_date=start + timedelta(days=n),
                    url=f"https://example.org/{feed_id}/{n}.html",
                )
            )
        s.add_all(rows)
        await s.flush()
        return [r.id for r in rows]


async def _changes(db_conn: Any, after: int = 0) -> list[tuple[str, str, str]]:
    rows = await db_conn.fetch(
        "SELECT kind, object_id, action FROM changes WHERE domain='blogs' AND cursor > $1 ORDER BY cursor",
        after,
    )
    return [(r["kind"], r["object_id"], r["action"]) for r in rows]


async def _cursor(db_conn: Any) -> int:
    return int(await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes"))


async def _ready(request: Any) -> Any:
    return request


async def test_feed_matrix_rules_and_python_blog_flag(
    client: Any, actors: Any, db_conn: Any, settings: Any
) -> None:
    await actors.create("feeder", permissions=("blogs.add_feed", "blogs.change_feed"))
    await actors.create("remover", permissions=("blogs.delete_feed",))
    body = {
        "name": "Python Insider",
        "feed_url": settings.python_blog_feed_url,
        "website_url": settings.python_blog_url,
    }
    root_feed = {"name": "Root", "feed_url": "https://root.example.org/feed"}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "feeder": 201, "root": 201},
        # One feed per URL: the superuser adds its own.
        lambda caller: _ready(("POST", "/api/v3/blogs/feeds", root_feed if caller == "root" else body)),
    )
    feed = r["feeder"].json()
    root_feed_id = r["root"].json()["id"]
    assert (
        await client.delete(f"/api/v3/blogs/feeds/{root_feed_id}", headers=actors["root"].headers)
    ).status_code == 204
    assert feed == {
        "id": feed["id"],
        "name": "Python Insider",
        "website_url": "https://blog.python.org",
        "feed_url": "https://blog.python.org/feeds/posts/default?alt=rss",
        "last_import": None,
        "is_python_blog": True,
    }
    stored = await db_conn.fetchrow(
        "SELECT name, feed_url, website_url FROM blog_feeds WHERE id=$1", feed["id"]
    )
    assert dict(stored) == {k: body[k] for k in ("name", "feed_url", "website_url")}
    h = actors["feeder"].headers
    other = await client.post(
        "/api/v3/blogs/feeds",
        headers=h,
        json={"name": "PSF", "feed_url": "https://pyfound.blogspot.com/feeds/posts/default"},
    )
    assert other.status_code == 201 and other.json()["is_python_blog"] is False
    assert other.json()["website_url"] == ""
    # One feed per URL (409 naming the field); only http(s) URLs; unknown fields refused.
    dup = await client.post("/api/v3/blogs/feeds", headers=h, json={**body, "name": "Again"})
    assert dup.status_code == 409 and "feed_url" in dup.text
    for bad, needle in (
        ({**body, "feed_url": "javascript:alert(1)"}, "feed_url"),
        ({**body, "feed_url": "file:///etc/passwd"}, "feed_url"),
        ({**body, "name": ""}, "name"),
        ({**body, "etag": "x"}, "etag"),
    ):
        resp = await client.post("/api/v3/blogs/feeds", headers=h, json=bad)
        assert resp.status_code == 400 and needle in resp.text, (bad, resp.text)
    assert await db_conn.fetchval("SELECT count(*) FROM blog_feeds") == 2
    # Change: a new URL forgets the old download's validators.
    await db_conn.execute(
        "UPDATE blog_feeds SET etag='\"abc\"', last_modified='yesterday' WHERE id=$1", feed["id"]
    )
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "feeder": 200, "root": 200},
        (
            "PATCH",
            f"/api/v3/blogs/feeds/{feed['id']}",
            {"feed_url": "https://blog.python.org/feeds/posts/default"},
        ),
    )
    assert r["feeder"].json()["is_python_blog"] is False
    row = await db_conn.fetchrow(
        "SELECT feed_url, etag, last_modified FROM blog_feeds WHERE id=$1", feed["id"]
    )
    assert dict(row) == {
        "feed_url": "https://blog.python.org/feeds/posts/default",
        "etag": "",
        "last_modified": "",
    }
    taken = await client.patch(
        f"/api/v3/blogs/feeds/{feed['id']}", headers=h, json={"feed_url": other.json()["feed_url"]}
    )
    assert taken.status_code == 409
    # Public reads: by name, and one by id.
    listing = (await client.get("/api/v3/blogs/feeds")).json()
    assert [f["name"] for f in listing["data"]] == ["PSF", "Python Insider"] and listing["meta"]["total"] == 2
    assert (await client.get(f"/api/v3/blogs/feeds/{feed['id']}")).json()["name"] == "Python Insider"
    assert (await client.get("/api/v3/blogs/feeds/999999")).status_code == 404
    spare: dict[str, Any] = {}

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/blogs/feeds/{feed['id']}", None)
        made = await client.post(
            "/api/v3/blogs/feeds", headers=h, json={"name": "Spare", "feed_url": "https://spare.example.org/"}
        )
        assert made.status_code == 201, made.text
        spare.update(made.json())
        return ("DELETE", f"/api/v3/blogs/feeds/{spare['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "feeder": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM blog_feeds") == 1
    kinds = await _changes(db_conn)
    assert kinds == [
        ("feed", str(feed["id"]), "created"),
        ("feed", str(root_feed_id), "created"),
        ("feed", str(root_feed_id), "deleted"),
        ("feed", str(other.json()["id"]), "created"),
        ("feed", str(feed["id"]), "updated"),
        ("feed", str(feed["id"]), "deleted"),
        ("feed", str(spare["id"]), "created"),
        ("feed", str(spare["id"]), "deleted"),
    ]


async def test_aggregates_matrix_feed_ids_and_entry_filters(
    client: Any, actors: Any, db_conn: Any, sessionmaker: Any
) -> None:
    await actors.create("curator", permissions=("blogs.add_feedaggregate", "blogs.change_feedaggregate"))
    await actors.create("remover", permissions=("blogs.delete_feedaggregate",))
    psf = await _feed(sessionmaker, "PSF News", "https://pyfound.blogspot.com/feeds/posts/default")
    insider = await _feed(sessionmaker, "Python Insider", "https://blog.python.org/feeds/posts/default")
    pycon = await _feed(sessionmaker, "PyCon", "https://pycon.blogspot.com/feeds/posts/default")
    await _entries(sessionmaker, psf, 3)
    await _entries(sessionmaker, insider, 2, start=T0 + timedelta(hours=1))
    await _entries(sessionmaker, pycon, 1, start=T0 + timedelta(days=30))
    body = {"name": "PSF News", "description": "The PSF landing page", "feed_ids": [psf, psf, insider]}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 201, "root": 201},
        # The name (and its slug) is unique: the superuser creates its own.
        lambda caller: _ready(
            ("POST", "/api/v3/blogs/aggregates", {**body, "name": "Root News"} if caller == "root" else body)
        ),
    )
    aggregate = r["curator"].json()
    assert r["root"].json()["slug"] == "root-news"
    root = actors["root"].headers
    assert (await client.delete("/api/v3/blogs/aggregates/root-news", headers=root)).status_code == 204
    assert aggregate == {
        "id": aggregate["id"],
        "name": "PSF News",
        "slug": "psf-news",  # derived from the name, as python.org's admin prepopulated it
        "description": "The PSF landing page",
        "feed_ids": sorted([psf, insider]),
    }
    assert await db_conn.fetchval("SELECT feed_ids FROM blog_feed_aggregates") == sorted([psf, insider])
    h = actors["curator"].headers
    for bad, status, needle in (
        ({"name": "X", "feed_ids": [psf, 999999]}, 400, "No feed with id 999999"),
        ({"name": "Other", "slug": "psf-news"}, 409, "slug"),
        ({"name": "!!!"}, 400, "slug"),
        ({"name": "X", "slug": "no spaces"}, 400, "slug"),
        ({"name": "X", "feed_ids": [0]}, 400, "feed_ids"),
    ):
        resp = await client.post("/api/v3/blogs/aggregates", headers=h, json=bad)
        assert resp.status_code == status and needle in resp.text, (bad, resp.text)
    assert await db_conn.fetchval("SELECT count(*) FROM blog_feed_aggregates") == 1
    # Reads: list and by slug, with the feed ids.
    assert (await client.get("/api/v3/blogs/aggregates")).json()["data"] == [aggregate]
    assert (await client.get("/api/v3/blogs/aggregates/psf-news")).json() == aggregate
    assert (await client.get("/api/v3/blogs/aggregates/nope")).status_code == 404
    # Entries of the aggregate (python.org's feed_list): its feeds only, newest first.
    listing = (await client.get("/api/v3/blogs/entries?aggregate=psf-news&limit=4")).json()
    assert listing["meta"] == {"total": 5, "limit": 4, "offset": 0}
    assert [(e["feed_name"], e["title"]) for e in listing["data"]] == [
        ("PSF News", "Post 2"),
        ("Python Insider", "Post 1"),
        ("PSF News", "Post 1"),
        ("Python Insider", "Post 0"),
    ]
    assert (await client.get("/api/v3/blogs/entries?aggregate=unknown")).json()["meta"]["total"] == 0
    both = (await client.get(f"/api/v3/blogs/entries?aggregate=psf-news&feed={insider}")).json()
    assert {e["feed_id"] for e in both["data"]} == {insider} and both["meta"]["total"] == 2
    # PATCH replaces the set; the change is one "aggregate" change row.
    cursor = await _cursor(db_conn)
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 200, "root": 200},
        ("PATCH", "/api/v3/blogs/aggregates/psf-news", {"feed_ids": [pycon], "description": "Now PyCon"}),
    )
    assert r["curator"].json()["feed_ids"] == [pycon]
    assert await _changes(db_conn, cursor) == [("aggregate", str(aggregate["id"]), "updated")]
    titles = [
        e["title"] for e in (await client.get("/api/v3/blogs/entries?aggregate=psf-news")).json()["data"]
    ]
    assert titles == ["Post 0"]
    same = await client.patch("/api/v3/blogs/aggregates/psf-news", headers=h, json={"feed_ids": [pycon]})
    assert same.status_code == 200 and await _changes(db_conn, cursor) == [
        ("aggregate", str(aggregate["id"]), "updated")
    ]  # nothing differed: no new change row

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", "/api/v3/blogs/aggregates/psf-news", None)
        spare = await client.post("/api/v3/blogs/aggregates", headers=h, json={"name": "Spare"})
        assert spare.status_code == 201, spare.text
        return ("DELETE", "/api/v3/blogs/aggregates/spare", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "curator": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM blog_feed_aggregates") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM blog_feeds") == 3  # its feeds stay


async def test_entries_read_edit_delete_matrix(
    client: Any, actors: Any, db_conn: Any, sessionmaker: Any
) -> None:
    await actors.create("editor", permissions=("blogs.change_blogentry",))
    await actors.create("remover", permissions=("blogs.delete_blogentry",))
    feed = await _feed(sessionmaker, "Python Insider", "https://blog.python.org/feeds/posts/default")
    other = await _feed(sessionmaker, "PSF", "https://pyfound.blogspot.com/feeds/posts/default")
    ids = await _entries(sessionmaker, feed, 3)
    await _entries(sessionmaker, other, 1, start=T0 + timedelta(days=10))
    listing = (await client.get("/api/v3/blogs/entries")).json()
    assert [(e["feed_id"], e["title"]) for e in listing["data"]] == [
        (other, "Post 0"),
        (feed, "Post 2"),
        (feed, "Post 1"),
        (feed, "Post 0"),
    ]
    newest_of_feed = (await client.get(f"/api/v3/blogs/entries?feed={feed}&limit=1")).json()
    assert newest_of_feed["meta"] == {"total": 3, "limit": 1, "offset": 0}
    assert newest_of_feed["data"] == [
        {
            "id": ids[2],
            "feed_id": feed,
            "feed_name": "Python Insider",
            "title": "Post 2",
            "url": f"https://example.org/{feed}/2.html",
            "pub_date": "2026-01-03T12:00:00Z",
            "summary_html": f"<p>Post <b>2</b> of feed {feed}</p>",
            "excerpt": f"Post 2 of feed {feed}",
        }
    ]
    assert (await client.get("/api/v3/blogs/entries?limit=1000")).status_code == 200
    for query in ("limit=1001", "limit=0", "offset=-1", "feed=0", "feed=abc"):
        assert (await client.get(f"/api/v3/blogs/entries?{query}")).status_code == 400, query
    assert (await client.get("/api/v3/blogs/entries/999999")).status_code == 404
    # Staff corrections: the summary is re-sanitized and the excerpt recomputed.
    edit = {
        "title": "Corrected",
        "summary": '<p onclick="x()">Fixed <script>alert(1)</script><a href="javascript:y()">here</a></p>',
        "pub_date": "2026-01-05T08:00:00+02:00",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/blogs/entries/{ids[0]}", edit),
    )
    row = await db_conn.fetchrow("SELECT * FROM blog_entries WHERE id=$1", ids[0])
    assert row["title"] == "Corrected" and row["summary"] == edit["summary"]
    assert row["summary_html"] == '<p>Fixed <a rel="noopener noreferrer">here</a></p>'
    assert row["excerpt"] == "Fixed here"
    assert row["pub_date"] == datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    assert r["editor"].json()["summary_html"] == row["summary_html"]
    h = actors["editor"].headers
    taken = await client.patch(
        f"/api/v3/blogs/entries/{ids[0]}", headers=h, json={"url": f"https://example.org/{feed}/1.html"}
    )
    assert taken.status_code == 409 and "url" in taken.text
    for bad in ({"url": "javascript:alert(1)"}, {"title": ""}, {"feed_id": other}, {"pub_date": "yesterday"}):
        resp = await client.patch(f"/api/v3/blogs/entries/{ids[0]}", headers=h, json=bad)
        assert resp.status_code == 400, (bad, resp.text)
    out_of_range = await client.patch(
        f"/api/v3/blogs/entries/{ids[0]}", headers=h, json={"pub_date": "0001-01-01T00:00:00+01:00"}
    )
    assert out_of_range.status_code == 400 and "pub_date" in out_of_range.text
    cursor = await _cursor(db_conn)
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        # The superuser deletes another entry of the feed.
        lambda caller: _ready(("DELETE", f"/api/v3/blogs/entries/{ids[2 if caller == 'root' else 1]}", None)),
    )
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries WHERE id = ANY($1::int[])", ids[1:]) == 0
    assert await _changes(db_conn, cursor) == [
        ("entry", str(ids[1]), "deleted"),
        ("entry", str(ids[2]), "deleted"),
    ]


async def test_deleting_a_feed_deletes_its_entries_and_leaves_aggregates(
    client: Any, actors: Any, db_conn: Any, sessionmaker: Any
) -> None:
    root = actors["root"].headers
    keep = await _feed(sessionmaker, "PSF", "https://pyfound.blogspot.com/feeds/posts/default")
    gone = await _feed(sessionmaker, "Gone", "https://gone.example.org/feed")
    gone_entries = await _entries(sessionmaker, gone, 2)
    await _entries(sessionmaker, keep, 1)
    created = await client.post(
        "/api/v3/blogs/aggregates",
        headers=root,
        json={"name": "News", "slug": "news", "feed_ids": [keep, gone]},
    )
    assert created.status_code == 201
    cursor = await _cursor(db_conn)
    assert (await client.delete(f"/api/v3/blogs/feeds/{gone}", headers=root)).status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries WHERE feed_id=$1", gone) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 1
    assert (await client.get("/api/v3/blogs/aggregates/news")).json()["feed_ids"] == [keep]
    assert sorted(await _changes(db_conn, cursor)) == sorted(
        [
            *(("entry", str(i), "deleted") for i in gone_entries),
            ("feed", str(gone), "deleted"),
            ("aggregate", str(created.json()["id"]), "updated"),
        ]
    )


async def test_related_blogs_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("relater", permissions=("blogs.add_relatedblog", "blogs.change_relatedblog"))
    await actors.create("remover", permissions=("blogs.delete_relatedblog",))
    body = {
        "name": "planet",
        "feed_url": "https://planetpython.org/rss20.xml",
        "blog_url": "https://planetpython.org/",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "relater": 201, "root": 201},
        ("POST", "/api/v3/blogs/related-blogs", body),
    )
    blog = r["relater"].json()
    root_blog = f"/api/v3/blogs/related-blogs/{r['root'].json()['id']}"
    assert (await client.delete(root_blog, headers=actors["root"].headers)).status_code == 204
    assert {k: blog[k] for k in ("name", "feed_url", "blog_url", "blog_name", "last_entry_published")} == {
        **body,
        "blog_name": "",
        "last_entry_published": None,
    }
    row = await db_conn.fetchrow(
        "SELECT name, feed_url, creator_id FROM blog_related_blogs WHERE id=$1", blog["id"]
    )
    assert (row["name"], row["creator_id"]) == ("planet", actors["relater"].user_id)
    bad = await client.post(
        "/api/v3/blogs/related-blogs", headers=actors["relater"].headers, json={**body, "feed_url": "ftp://x"}
    )
    assert bad.status_code == 400 and "feed_url" in bad.text
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "relater": 200, "root": 200},
        (
            "PATCH",
            f"/api/v3/blogs/related-blogs/{blog['id']}",
            {"blog_name": "Planet Python", "last_entry_published": "2026-01-02T03:04:05Z"},
        ),
    )
    row = await db_conn.fetchrow("SELECT * FROM blog_related_blogs WHERE id=$1", blog["id"])
    assert row["blog_name"] == "Planet Python" and row["last_entry_published"] == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert row["last_modified_by_id"] == actors["relater"].user_id
    listing = (await client.get("/api/v3/blogs/related-blogs")).json()
    assert [b["blog_name"] for b in listing["data"]] == ["Planet Python"]
    assert (await client.get(f"/api/v3/blogs/related-blogs/{blog['id']}")).json()["name"] == "planet"

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/blogs/related-blogs/{blog['id']}", None)
        spare = await client.post(
            "/api/v3/blogs/related-blogs", headers=actors["relater"].headers, json={**body, "name": "spare"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/blogs/related-blogs/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "relater": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM blog_related_blogs") == 0
    # The relater's blog: created, updated, deleted; the superuser's and the spare: created, deleted.
    assert [k for k, _, _ in await _changes(db_conn)] == ["relatedblog"] * 7


FIXTURE: list[dict[str, Any]] = [
    {
        "model": "blogs.feed",
        "pk": 1,
        "fields": {
            "name": "Python Insider",
            "website_url": "https://blog.python.org",
            "feed_url": "https://blog.python.org/feeds/posts/default?alt=rss",
            "last_import": "2026-08-20T10:00:00.123Z",
        },
    },
    {
        "model": "blogs.feed",
        "pk": 2,
        "fields": {
            "name": "PSF",
            "website_url": "https://pyfound.blogspot.com/",
            "feed_url": "https://pyfound.blogspot.com/feeds/posts/default",
        },
    },
    {
        "model": "blogs.feed",
        "pk": 3,
        "fields": {"name": "Local", "website_url": "", "feed_url": "file:///etc/passwd"},
    },
    {
        "model": "blogs.blogentry",
        "pk": 10,
        "fields": {
            "title": "Python 3.14.0 is out",
            "summary": "<p>Get it <b>now</b><script>alert(1)</script></p>",
            # python.org stored the weekday as microseconds (a Tuesday: 1).
            "pub_date": "2025-10-07T14:00:00.000001Z",
            "url": "http://blog.python.org/2025/10/python-3140-is-out.html",  # migration 0004's http
            "feed": 1,
        },
    },
    {
        "model": "blogs.blogentry",
        "pk": 11,
        "fields": {
            "title": "Legacy host",
            "summary": "",
            "pub_date": "2014-01-01T00:00:00Z",
            "url": "http://pythoninsider.blogspot.com/2014/01/legacy.html",
            "feed": 1,
        },
    },
    {
        "model": "blogs.blogentry",
        "pk": 12,
        "fields": {
            "title": "Same",
            "summary": "",
            "pub_date": "2014-01-01T00:00:00Z",
            "url": "https://blog.python.org/2014/01/legacy.html",
            "feed": 1,
        },
    },
    {
        "model": "blogs.blogentry",
        "pk": 13,
        "fields": {
            "title": "Orphan",
            "summary": "",
            "pub_date": "2014-01-01T00:00:00Z",
            "url": "https://x.org/",
            "feed": 99,
        },
    },
    # A row that fails does not hold its link: the next row with that link imports.
    {
        "model": "blogs.blogentry",
        "pk": 14,
        "fields": {"title": "No date", "url": "https://x.org/a", "feed": 2},
    },
    {
        "model": "blogs.blogentry",
        "pk": 15,
        "fields": {
            "title": "Dated",
            "summary": "",
            "pub_date": "2020-01-01T00:00:00Z",
            "url": "https://x.org/a",
            "feed": 2,
        },
    },
    {
        "model": "blogs.feedaggregate",
        "pk": 1,
        "fields": {"name": "PSF News", "slug": "psf-news", "description": "PSF landing", "feeds": [2, 1]},
    },
    {
        "model": "blogs.feedaggregate",
        "pk": 2,
        "fields": {"name": "Bad", "slug": "no spaces", "description": "", "feeds": []},
    },
    {
        "model": "blogs.relatedblog",
        "pk": 1,
        "fields": {
            "created": "2014-02-01T00:00:00Z",
            "updated": "2014-02-01T00:00:00Z",
            "creator": None,
            "last_modified_by": None,
            "name": "planet",
            "feed_url": "https://planetpython.org/rss20.xml",
            "blog_url": "https://planetpython.org/",
            "blog_name": "Planet Python",
            "last_entry_published": "2014-01-31T00:00:00Z",
            "last_entry_title": "Hello",
        },
    },
]


async def test_django_fixture_import(client: Any, db_conn: Any, sessionmaker: Any) -> None:
    async with transaction(sessionmaker) as s:
        report, unknown = await importer.run(s, FIXTURE)
    assert not unknown
    failures = {(f.label, f.pk): f.reason for f in report.failures}
    assert set(failures) == {
        ("blogs.feed", 3),
        ("blogs.blogentry", 12),
        ("blogs.blogentry", 13),
        ("blogs.blogentry", 14),
        ("blogs.feedaggregate", 2),
    }
    assert failures[("blogs.blogentry", 14)] == "pub_date is missing"
    assert "not an http(s) URL" in failures[("blogs.feed", 3)]
    assert "already used by row 11" in failures[("blogs.blogentry", 12)]  # same link once canonical
    assert "feed 99 does not exist" in failures[("blogs.blogentry", 13)]
    assert dict(report.written) == {
        "blogs.feed": 2,
        "blogs.blogentry": 3,
        "blogs.feedaggregate": 1,
        "blogs.relatedblog": 1,
    }
    entry = await db_conn.fetchrow("SELECT * FROM blog_entries WHERE id=10")
    assert entry["url"] == "https://blog.python.org/2025/10/python-3140-is-out.html"
    assert entry["pub_date"] == datetime(2025, 10, 7, 14, 0, tzinfo=UTC)
    assert entry["summary_html"] == "<p>Get it <b>now</b></p>" and entry["excerpt"] == "Get it now"
    assert await db_conn.fetchval("SELECT url FROM blog_entries WHERE id=11") == (
        "https://blog.python.org/2014/01/legacy.html"
    )
    assert (await client.get("/api/v3/blogs/aggregates/psf-news")).json()["feed_ids"] == [1, 2]
    feeds = {f["id"]: f for f in (await client.get("/api/v3/blogs/feeds")).json()["data"]}
    assert feeds[1]["is_python_blog"] is True and feeds[1]["last_import"] == "2026-08-20T10:00:00.123000Z"
    related = (await client.get("/api/v3/blogs/related-blogs/1")).json()
    assert (related["blog_name"], related["last_entry_title"]) == ("Planet Python", "Hello")
    changes = await _changes(db_conn)
    assert sorted(changes) == sorted(
        [
            ("feed", "1", "updated"),
            ("feed", "2", "updated"),
            ("entry", "10", "updated"),
            ("entry", "11", "updated"),
            ("entry", "15", "updated"),
            ("aggregate", "1", "updated"),
            ("relatedblog", "1", "updated"),
        ]
    )
    # A second run writes nothing; sequences follow the imported ids.
    async with transaction(sessionmaker) as s:
        again, _ = await importer.run(s, FIXTURE)
    assert sum(again.written.values()) == 0 and len(again.failures) == 5
    assert len(await _changes(db_conn)) == len(changes)
    async with transaction(sessionmaker) as s:
        assert (await save_feed(s, {"name": "New", "feed_url": "https://new.example.org/feed"})).id == 3
