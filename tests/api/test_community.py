"""/api/v3/community/posts: permission matrices, private posts for editors only, one document with
its links, photos and videos (replaced as lists, written atomically), sanitized content and
video embeds, photo and video uploads, the change feed naming the post, and the Django import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from pydotorg.domains.community.services import sanitize_embed
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
URL = "/api/v3/community/posts"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
TABLES = ("community_posts", "community_links", "community_photos", "community_videos")
YOUTUBE = '<iframe width="560" height="315" src="https://www.youtube.com/embed/abc" allowfullscreen></iframe>'
DOCUMENT: dict[str, Any] = {
    "title": "PyCon US 2014",
    "content": "<p>Photos from <b>Montreal</b>.</p>",
    "abstract": "PyCon in pictures",
    "media_type": 2,
    "source_url": "https://us.pycon.org/2014/",
    "meta": {"tags": ["pycon"], "featured": True},
    "status": 2,
    "links": [{"url": "https://us.pycon.org/2014/about/"}, {"url": "https://www.python.org/psf/"}],
    "photos": [{"caption": "Keynote", "click_through_url": "https://example.org/keynote"}],
    "videos": [{"video_embed": YOUTUBE, "caption": "The keynote"}],
}


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


async def counts(db_conn: Any) -> dict[str, int]:
    return {t: await db_conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}


async def changes(db_conn: Any, after: int = 0) -> list[tuple[str, str, str, str]]:
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1 ORDER BY cursor", after
    )
    return [tuple(r) for r in rows]


async def cursor(db_conn: Any) -> int:
    return int(await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes"))


async def _create(client: Any, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    r = await client.post(URL, headers=headers, json={**DOCUMENT, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_matrix_document_and_nested_replace(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("community.add_post", "community.change_post"))
    await actors.create("remover", permissions=("community.delete_post",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        ("POST", URL, DOCUMENT),
    )
    post = r["editor"].json()
    # The superuser's post is stored too; remove it so the counts below are the editor's post.
    root_post = r["root"].json()["id"]
    assert (await client.delete(f"{URL}/{root_post}", headers=actors["root"].headers)).status_code == 204
    pid = post["id"]
    assert post["url"] == f"/community/{pid}/" and post["meta"] == DOCUMENT["meta"]
    assert [link["url"] for link in post["links"]] == [link["url"] for link in DOCUMENT["links"]]
    assert post["photos"][0]["image"] == "" and post["photos"][0]["image_public_url"] is None
    assert post["videos"][0]["video_embed_html"].startswith('<iframe width="560"')
    stored = await db_conn.fetchrow(
        "SELECT title, content_markup_type, media_type, status, meta::text AS meta, creator_id "
        "FROM community_posts WHERE id=$1",
        pid,
    )
    assert dict(stored) == {
        "title": "PyCon US 2014",
        "content_markup_type": "html",
        "media_type": 2,
        "status": 2,
        "meta": '{"tags": ["pycon"], "featured": true}',
        "creator_id": actors["editor"].user_id,
    }
    assert await counts(db_conn) == dict(zip(TABLES, (1, 2, 1, 1), strict=True))
    assert await db_conn.fetchval("SELECT count(*) FROM community_links WHERE post_id=$1", pid) == 2

    # A list given replaces the list: kept by id (and changed), added without one, the rest deleted.
    first, second = post["links"]
    photo = post["photos"][0]
    before = await cursor(db_conn)
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200},
        (
            "PATCH",
            f"{URL}/{pid}",
            {
                "links": [
                    {"id": second["id"], "url": "https://www.python.org/psf-landing/"},
                    {"url": "https://pyfound.org/"},
                ],
                "photos": [{"id": photo["id"], "caption": "Opening keynote"}],
            },
        ),
    )
    updated = r["editor"].json()
    assert [(link["id"] == second["id"], link["url"]) for link in updated["links"]] == [
        (True, "https://www.python.org/psf-landing/"),
        (False, "https://pyfound.org/"),
    ]
    # An item is given whole: what it leaves out takes the default (its uploaded file stays).
    assert updated["photos"][0]["id"] == photo["id"]
    assert (updated["photos"][0]["caption"], updated["photos"][0]["click_through_url"]) == (
        "Opening keynote",
        "",
    )
    assert updated["title"] == "PyCon US 2014" and len(updated["videos"]) == 1  # not named: unchanged
    rows = await db_conn.fetch("SELECT id, url FROM community_links WHERE post_id=$1 ORDER BY id", pid)
    assert [r["url"] for r in rows] == ["https://www.python.org/psf-landing/", "https://pyfound.org/"]
    assert first["id"] not in {r["id"] for r in rows}
    # The parts have no feed entry of their own: the post is reported.
    assert await changes(db_conn, before) == [("community", "post", str(pid), "updated")]
    assert datetime.fromisoformat(updated["updated"]) > datetime.fromisoformat(post["updated"])

    # Replacing the link list again would change it again, so the superuser's row is its own edit.
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "root": 200},
        ("PATCH", f"{URL}/{pid}", {"videos": []}),
    )
    assert r["root"].json()["videos"] == []
    assert await counts(db_conn) == dict(zip(TABLES, (1, 2, 1, 0), strict=True))

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"{URL}/{pid}", None)
        spare = await _create(client, actors["editor"].headers, links=[], photos=[], videos=[])
        return ("DELETE", f"{URL}/{spare['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await counts(db_conn) == dict.fromkeys(TABLES, 0)
    assert ("community", "post", str(pid), "deleted") in await changes(db_conn)


async def test_private_posts_filters_and_order(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("community.add_post", "community.change_post"))
    editor = actors["editor"].headers
    text = await _create(client, editor, title="Text", media_type=1, status=2, links=[], photos=[], videos=[])
    private = await _create(client, editor, title="Secret", media_type=4, status=1)
    link = await _create(client, editor, title="Link", media_type=4, status=2)
    r = await client.post(URL, headers=editor, json={"content": "x"})
    assert (
        r.status_code == 201 and r.json()["status"] == 1 and r.json()["media_type"] == 1
    )  # python.org's defaults
    default = r.json()
    assert default["content_markup_type"] == "html" and default["title"] is None

    public = (await client.get(URL)).json()
    assert [p["title"] for p in public["data"]] == ["Link", "Text"]  # newest first, public only
    assert public["meta"] == {"total": 2, "limit": 100, "offset": 0}
    for caller in ("anonymous", "ordinary"):
        headers = actors[caller].headers
        assert (await client.get(f"{URL}/{private['id']}", headers=headers)).status_code == 404
        listed = (await client.get(URL, headers=headers)).json()["data"]
        assert private["id"] not in {p["id"] for p in listed}
        assert (await client.get(f"{URL}?status=1", headers=headers)).json()["data"] == []
    assert (await client.get(f"{URL}/{link['id']}")).json()["title"] == "Link"
    for caller in ("staffer", "editor"):
        headers = actors[caller].headers
        assert (await client.get(f"{URL}/{private['id']}", headers=headers)).status_code == 200
        assert (await client.get(URL, headers=headers)).json()["meta"]["total"] == 4
        only_private = (await client.get(f"{URL}?status=1", headers=headers)).json()["data"]
        assert [p["title"] for p in only_private] == [None, "Secret"]
    links = (await client.get(f"{URL}?media_type=4")).json()["data"]
    assert [p["id"] for p in links] == [link["id"]]
    links = (await client.get(f"{URL}?media_type=4", headers=editor)).json()["data"]
    assert [p["id"] for p in links] == [link["id"], private["id"]]
    assert [p["id"] for p in (await client.get(f"{URL}?media_type=1&limit=1&offset=0")).json()["data"]] == [
        text["id"]
    ]
    for query in ("media_type=5", "media_type=0", "status=3", "limit=0"):
        assert (await client.get(f"{URL}?{query}", headers=editor)).status_code == 400, query
    assert (await client.get(f"{URL}/999999")).status_code == 404


async def test_invalid_input_writes_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("community.add_post", "community.change_post"))
    editor = actors["editor"].headers
    post = await _create(client, editor)
    pid = post["id"]
    before = await counts(db_conn)
    stored = dict(await db_conn.fetchrow("SELECT * FROM community_posts WHERE id=$1", pid))
    bad_creates: list[tuple[dict[str, Any], str]] = [
        (
            {"photos": [{"caption": "ok"}, {"click_through_url": "javascript:alert(1)"}]},
            "photos[1].click_through_url",
        ),
        ({"links": [{"url": "/relative/path"}]}, "links[0].url"),
        ({"links": [{"url": "https://"}]}, "links[0].url"),
        ({"source_url": "data:text/html,x"}, "source_url"),
        ({"media_type": 5}, "media_type"),
        ({"status": 3}, "status"),
        ({"title": "x" * 201}, "title"),
        ({"content": ""}, "content"),
        ({"content_markup_type": "php"}, "content_markup_type"),
        (
            {"photos": [{"click_through_url": "https://example.org/" + "x" * 200}]},
            "photos[0].click_through_url",
        ),
        ({"videos": [{"video_embed": "x", "video_data": "../../etc/passwd"}]}, "video_data"),
        ({"links": [{"id": post["links"][0]["id"], "url": "https://example.org/"}]}, "links[0].id"),
        ({"meta": ["not", "an", "object"]}, "meta"),
        ({"links": [{"url": f"https://example.org/{i}"} for i in range(101)]}, "links"),
    ]
    for body, field in bad_creates:
        r = await client.post(URL, headers=editor, json={**DOCUMENT, **body})
        assert r.status_code == 400 and field in r.text, (body, r.text)
    bad_updates: list[tuple[dict[str, Any], str]] = [
        # Valid post fields and a valid first list do not get written when a later item is bad.
        (
            {
                "title": "Changed",
                "links": [{"url": "https://example.org/new"}],
                "videos": [{"video_embed": YOUTUBE}, {"click_through_url": "ftp://example.org/"}],
            },
            "videos[1].click_through_url",
        ),
        ({"title": "Changed", "links": [{"id": 999999, "url": "https://example.org/"}]}, "links[0].id"),
        (
            {"photos": [{"id": post["photos"][0]["id"]}, {"id": post["photos"][0]["id"]}]},
            "photos[1].id",
        ),
        ({"title": None, "status": 0}, "status"),
        ({"meta": {"bad": ["\u0000"]}}, "meta"),
        ({"meta": {"deep": [[[]]] * 2 + [_nested(900)]}}, "meta"),
    ]
    for body, field in bad_updates:
        r = await client.patch(f"{URL}/{pid}", headers=editor, json=body)
        assert r.status_code == 400 and field in r.text, (body, r.text)
    assert await counts(db_conn) == before
    assert dict(await db_conn.fetchrow("SELECT * FROM community_posts WHERE id=$1", pid)) == stored
    # Another post's link cannot be taken over by id.
    other = await _create(client, editor)
    r = await client.patch(f"{URL}/{pid}", headers=editor, json={"links": [{"id": other["links"][0]["id"]}]})
    assert r.status_code == 400 and "links[0].id" in r.text
    assert (
        await db_conn.fetchval("SELECT post_id FROM community_links WHERE id=$1", other["links"][0]["id"])
        == other["id"]
    )


async def test_sanitized_content_and_embeds(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("community.add_post", "community.change_post"))
    embed = (
        '<p>Watch:</p><script>alert("x")</script>'
        '<iframe src="https://evil.example/embed/1"></iframe>'
        '<iframe src="https://www.youtube.com/embed/abc" onload="x()" width="560"></iframe>'
    )
    post = await _create(
        client,
        actors["editor"].headers,
        content='<p onclick="x()">Hi</p><script>steal()</script><a href="javascript:x()">a</a>',
        videos=[{"video_embed": embed}],
    )
    html = post["content_html"]
    assert "Hi" in html and "<script" not in html and "onclick" not in html and "javascript:" not in html
    video = post["videos"][0]
    assert (
        video["video_embed_html"] == '<iframe src="https://www.youtube.com/embed/abc" width="560"></iframe>'
    )
    row = await db_conn.fetchrow(
        "SELECT video_embed, video_embed_html FROM community_videos WHERE id=$1", video["id"]
    )
    assert row["video_embed"] == embed and row["video_embed_html"] == video["video_embed_html"]
    r = await client.patch(
        f"{URL}/{post['id']}",
        headers=actors["editor"].headers,
        json={"content": "*Hello*", "content_markup_type": "markdown"},
    )
    assert r.json()["content_html"] == "<p><em>Hello</em></p>"


def test_embed_allow_list() -> None:
    player = 'src="https://www.youtube.com/embed/a"'
    assert sanitize_embed(f'<iframe {player} allowfullscreen frameborder="0"></iframe>') == (
        f'<iframe {player} allowfullscreen="" frameborder="0"></iframe>'
    )
    # Old embed codes: the same player over https.
    assert sanitize_embed('<iframe src="//player.vimeo.com/video/7"></iframe>') == (
        '<iframe src="https://player.vimeo.com/video/7"></iframe>'
    )
    assert sanitize_embed('<iframe src="http://www.youtube-nocookie.com/embed/b"></iframe>') == (
        '<iframe src="https://www.youtube-nocookie.com/embed/b"></iframe>'
    )
    for src in (
        "https://evil.example/embed",
        "https://www.youtube.com.evil.example/embed",
        "https://www.youtube.com@evil.example/",
        "https://evil.example\\@www.youtube.com/",
        "https://www.youtube.com:8443/embed",
        "https://youtube.com/embed/a",
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "ftp://www.youtube.com/a",
    ):
        assert sanitize_embed(f'<iframe src="{src}"></iframe>') == "", src
    # Nothing but the iframe survives, not even what the parser kept inside it.
    assert sanitize_embed(f'<iframe {player}><iframe src="https://evil.example/"></iframe></iframe>') == (
        f"<iframe {player}></iframe>"
    )
    assert sanitize_embed(f'<iframe {player} title="a&quot;><script>x</script>"></iframe>') == (
        f'<iframe {player} title="a&quot;&gt;&lt;script&gt;x&lt;/script&gt;"></iframe>'
    )
    assert sanitize_embed(f'<iframe {player} width="1;x" srcdoc="<script>x</script>"></iframe>') == (
        f"<iframe {player}></iframe>"
    )
    assert sanitize_embed('<object data="https://www.youtube.com/v/x"></object><embed src="x"><p>x</p>') == ""
    assert sanitize_embed("") == ""


async def test_uploads(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("editor", permissions=("community.add_post", "community.change_post"))
    await actors.create("adder", permissions=("community.add_post",))
    await actors.create("remover", permissions=("community.delete_post",))
    editor = actors["editor"].headers
    post = await _create(client, editor, status=1)
    pid, photo_id, video_id = post["id"], post["photos"][0]["id"], post["videos"][0]["id"]
    photo_url = f"{URL}/{pid}/photos/{photo_id}/image"
    files = {"file": ("../../keynote photo.png", PNG, "image/png")}
    for caller, status in (("anonymous", 401), ("ordinary", 403), ("staffer", 403), ("adder", 403)):
        r = await client.post(photo_url, headers=actors[caller].headers, files=files)
        assert r.status_code == status, (caller, r.text)
    assert await db_conn.fetchval("SELECT image FROM community_photos WHERE id=$1", photo_id) == ""
    assert not (settings.media_dir / "community" / "photos" / "keynote-photo.png").exists()

    before = await cursor(db_conn)
    r = await client.post(photo_url, headers=editor, files=files)
    assert r.status_code == 201, r.text
    photo = r.json()["photos"][0]
    name = photo["image"]
    assert name.startswith("community/photos/") and ".." not in name
    assert photo["image_public_url"] == "/media/" + name
    assert (settings.media_dir / name).read_bytes() == PNG
    assert await db_conn.fetchval("SELECT image FROM community_photos WHERE id=$1", photo_id) == name
    assert await changes(db_conn, before) == [("community", "post", str(pid), "updated")]
    listed = (await client.get(URL, headers=editor)).json()["data"][0]
    assert listed["photos"][0]["image_public_url"] == "/media/" + name

    # A file that is not what its name says, or no file, is refused; nothing changes.
    for upload in (
        {"file": ("fake.png", b"<script>alert(1)</script>", "image/png")},
        {"file": ("evil.exe", b"MZ" + bytes(30), "application/octet-stream")},
        {"other": ("a.png", PNG, "image/png")},
        # Large enough to be spooled to disk: refused the same way after the post was read (the
        # request's transaction rolled back at once, not in a later clean-up; this was a 500).
        {"file": ("large.png", b"not an image" * 200_000, "image/png")},
    ):
        r = await client.post(photo_url, headers=editor, files=upload)
        assert r.status_code == 400 and "file" in r.text, r.text
    assert await db_conn.fetchval("SELECT image FROM community_photos WHERE id=$1", photo_id) == name
    assert (
        await client.post(f"{URL}/{pid}/photos/999999/image", headers=editor, files=files)
    ).status_code == 404

    # Replacing the image deletes the old file once the new one is stored.
    r = await client.post(photo_url, headers=editor, files={"file": ("second.png", PNG, "image/png")})
    assert r.status_code == 201
    replacement = r.json()["photos"][0]["image"]
    assert replacement != name and (settings.media_dir / replacement).exists()
    assert not (settings.media_dir / name).exists()

    video_url = f"{URL}/{pid}/videos/{video_id}/data"
    r = await client.post(
        video_url, headers=editor, files={"file": ("talk.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")}
    )
    assert r.status_code == 201, r.text
    video = r.json()["videos"][0]
    assert video["video_data"].startswith("community/videos/talk") and video[
        "video_data_public_url"
    ].startswith("/media/community/videos/")
    assert (settings.media_dir / video["video_data"]).exists()
    r = await client.post(video_url, headers=editor, files={"file": ("talk.png", PNG, "image/png")})
    assert r.status_code == 400 and "mp4" in r.text
    r = await client.post(
        video_url, headers=actors["ordinary"].headers, files={"file": ("t.mp4", b"x", "video/mp4")}
    )
    assert r.status_code == 403

    # Removing the photo from the post removes its file after the commit; so does deleting the post.
    r = await client.patch(f"{URL}/{pid}", headers=editor, json={"photos": []})
    assert r.status_code == 200
    assert not (settings.media_dir / replacement).exists()
    assert (await client.delete(f"{URL}/{pid}", headers=actors["remover"].headers)).status_code == 204
    assert not (settings.media_dir / video["video_data"]).exists()
    assert await counts(db_conn) == dict.fromkeys(TABLES, 0)


async def test_django_import(client: Any, actors: Any, sessionmaker: Any, db_conn: Any) -> None:
    stamps = {"created": "2014-04-12T10:00:00Z", "updated": "2014-04-12T10:00:00Z"}
    objects: list[dict[str, Any]] = [
        {
            "model": "community.post",
            "pk": 5,
            "fields": {
                **stamps,
                "title": "PyCon 2014",
                "content": '<p onclick="x()">Montreal</p><script>x()</script>',
                "content_markup_type": "html",
                "_content_rendered": "<script>stale()</script>",
                "abstract": None,
                "media_type": 3,
                "source_url": "https://us.pycon.org/2014/",
                "meta": {"source": "flickr"},
                "status": 2,
                "creator": ["ordinary"],
                "last_modified_by": None,
            },
        },
        {
            "model": "community.post",
            "pk": 6,
            "fields": {
                **stamps,
                "title": None,
                "content": "draft",
                "media_type": 1,
                "status": 1,
                "meta": "{}",
            },
        },
        {
            "model": "community.post",
            "pk": 7,
            "fields": {**stamps, "content": "x", "media_type": 9, "status": 2},
        },
        {"model": "community.link", "pk": 1, "fields": {**stamps, "post": 5, "url": "https://us.pycon.org/"}},
        {"model": "community.link", "pk": 2, "fields": {**stamps, "post": None, "url": "https://a.example/"}},
        {"model": "community.link", "pk": 3, "fields": {**stamps, "post": 7, "url": "https://b.example/"}},
        {"model": "community.link", "pk": 4, "fields": {**stamps, "post": 5, "url": "javascript:x()"}},
        {
            "model": "community.photo",
            "pk": 1,
            "fields": {
                **stamps,
                "post": 5,
                "image": "community/photos/keynote.jpg",
                "image_url": "",
                "caption": "Keynote",
                "click_through_url": "",
            },
        },
        {
            "model": "community.video",
            "pk": 1,
            "fields": {
                **stamps,
                "post": 5,
                "video_embed": '<iframe src="//www.youtube.com/embed/x"></iframe><script>x()</script>',
                "video_data": "",
                "caption": "",
                "click_through_url": "",
            },
        },
    ]
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown
    assert sorted((f.label, f.pk) for f in report.failures) == [
        ("community.link", 2),
        ("community.link", 3),
        ("community.link", 4),
        ("community.post", 7),
    ]
    row = await db_conn.fetchrow("SELECT * FROM community_posts WHERE id=5")
    assert row["content_html"] == "<p>Montreal</p>" and row["creator_id"] == actors["ordinary"].user_id
    assert row["media_type"] == 3 and row["status"] == 2 and row["created"].year == 2014
    assert await db_conn.fetchval("SELECT meta::text FROM community_posts WHERE id=6") == "{}"
    assert await counts(db_conn) == dict(zip(TABLES, (2, 1, 1, 1), strict=True))
    assert await db_conn.fetchval("SELECT video_embed_html FROM community_videos WHERE id=1") == (
        '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    )
    # The parts' change rows name their post.
    assert {c for c in await changes(db_conn) if c[0] == "community"} == {
        ("community", "post", "5", "updated"),
        ("community", "post", "6", "updated"),
    }
    public = (await client.get(URL)).json()["data"]
    assert [p["id"] for p in public] == [5]
    assert public[0]["photos"][0]["image_public_url"] == "/media/community/photos/keynote.jpg"
    assert public[0]["videos"][0]["video_embed_html"].startswith("<iframe")

    before = await cursor(db_conn)
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects)
    assert sum(again.written.values()) == 0 and await cursor(db_conn) == before
    # A part that moved to another post is reported, not a crash of the whole import.
    moved = [{**objects[3], "fields": {**objects[3]["fields"], "post": 6}}]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, moved)
    assert [(f.label, f.pk) for f in report.failures] == [("community.link", 1)]
    # New ids continue after the imported ones.
    r = await client.post(URL, headers=actors["root"].headers, json=DOCUMENT)
    assert r.status_code == 201 and r.json()["id"] == 7
