"""pydotorg-client against the real API over HTTP: a list across two pages, get, create, update and
delete for each v3 resource an editor works on, checked against what the database stored; the two
examples of docs/client.md (publish a release's files, approve pending jobs); field errors; ETags
and ``If-Match``; the token log-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pydotorg.domains.jobs.models import MODERATE
from pydotorg_client import (
    AsyncClient,
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)
from pydotorg_client.models import (
    ApiKeyCreate,
    BannerCreate,
    BannerUpdate,
    BoxCreate,
    BoxUpdate,
    CalendarCreate,
    CalendarUpdate,
    CodeSampleCreate,
    CodeSampleUpdate,
    CompanyCreate,
    CompanyUpdate,
    ElectionKindCreate,
    ElectionKindUpdate,
    EventCreate,
    EventUpdate,
    JobCreate,
    MinutesCreate,
    MinutesUpdate,
    OSCreate,
    OSUpdate,
    PageCreate,
    PageUpdate,
    PostCreate,
    PostUpdate,
    RedirectCreate,
    RedirectUpdate,
    ReleaseCreate,
    ReleaseFileCreate,
    ReleaseUpdate,
    StoryCategoryCreate,
    StoryCategoryUpdate,
    StoryCreate,
    StoryUpdate,
    TaxonomyCreate,
    WorkGroupCreate,
    WorkGroupUpdate,
)
from tests.client.conftest import Counting
from tests.helpers import PASSWORD


@dataclass(frozen=True)
class Kind:
    """A resource's round trip: where it lives on the client, three bodies to create, a change,
    and the table and column the change lands in."""

    name: str
    resource: Callable[[Client], Any]
    create: Callable[[Client, int], Any]
    update: Any
    table: str
    column: str
    expected: Any


def _story(client: Client, i: int) -> StoryCreate:
    if i == 0:
        client.successstories.categories.create(StoryCategoryCreate(name="Business"))
    return StoryCreate(
        name=f"Story {i}",
        author="Ada",
        category="business",
        company_name=f"Company {i}",
        company_url="https://example.org/",
        content="It worked.",
        pull_quote="Python!",
    )


def _event(client: Client, i: int) -> EventCreate:
    if i == 0:
        client.events.calendars.create(CalendarCreate(name="Python Events", slug="python-events"))
    return EventCreate(calendar="python-events", title=f"Sprint {i}")


KINDS = [
    Kind(
        "pages",
        lambda c: c.pages,
        lambda c, i: PageCreate(path=f"/p{i}/", title=f"Page {i}"),
        PageUpdate(title="Changed"),
        "pages",
        "title",
        "Changed",
    ),
    Kind(
        "boxes",
        lambda c: c.boxes,
        lambda c, i: BoxCreate(label=f"box-{i}", content="old"),
        BoxUpdate(content="new"),
        "boxes",
        "content",
        "new",
    ),
    Kind(
        "banners",
        lambda c: c.banners,
        lambda c, i: BannerCreate(title=f"Banner {i}", message="m", link="https://example.org/"),
        BannerUpdate(title="Changed"),
        "banners",
        "title",
        "Changed",
    ),
    Kind(
        "codesamples",
        lambda c: c.codesamples,
        lambda c, i: CodeSampleCreate(code=f">>> print({i})"),
        CodeSampleUpdate(code=">>> 42"),
        "code_samples",
        "code",
        ">>> 42",
    ),
    Kind(
        "successstories",
        lambda c: c.successstories,
        _story,
        StoryUpdate(pull_quote="Changed"),
        "stories",
        "pull_quote",
        "Changed",
    ),
    Kind(
        "minutes",
        lambda c: c.minutes,
        lambda c, i: MinutesCreate(date=dt.date(2024, 1, i + 1), content="old"),
        MinutesUpdate(content="new"),
        "minutes",
        "content",
        "new",
    ),
    Kind(
        "community",
        lambda c: c.community,
        lambda c, i: PostCreate(title=f"Post {i}", content="c"),
        PostUpdate(title="Changed"),
        "community_posts",
        "title",
        "Changed",
    ),
    Kind(
        "events",
        lambda c: c.events,
        _event,
        EventUpdate(title="Changed"),
        "events",
        "title",
        "Changed",
    ),
    Kind(
        "redirects",
        lambda c: c.redirects,
        lambda c, i: RedirectCreate(old_path=f"/old-{i}/", new_path="/new/"),
        RedirectUpdate(new_path="/newer/"),
        "redirects",
        "new_path",
        "/newer/",
    ),
    Kind(
        "work_groups",
        lambda c: c.work_groups,
        lambda c, i: WorkGroupCreate(name=f"Group {i}", communication="mailing list"),
        WorkGroupUpdate(name="Changed"),
        "work_groups",
        "name",
        "Changed",
    ),
    Kind(
        "companies",
        lambda c: c.companies,
        lambda c, i: CompanyCreate(name=f"Company {i}"),
        CompanyUpdate(contact="Ada"),
        "companies",
        "contact",
        "Ada",
    ),
    Kind(
        "downloads.os",
        lambda c: c.downloads.os,
        lambda c, i: OSCreate(name=f"OS {i}"),
        OSUpdate(name="Changed"),
        "downloads_os",
        "name",
        "Changed",
    ),
    Kind(
        "events.calendars",
        lambda c: c.events.calendars,
        lambda c, i: CalendarCreate(name=f"Calendar {i}"),
        CalendarUpdate(name="Changed"),
        "event_calendars",
        "name",
        "Changed",
    ),
    Kind(
        "successstories.categories",
        lambda c: c.successstories.categories,
        lambda c, i: StoryCategoryCreate(name=f"Category {i}"),
        StoryCategoryUpdate(name="Changed"),
        "story_categories",
        "name",
        "Changed",
    ),
    Kind(
        "nominations.kinds",
        lambda c: c.nominations.kinds,
        lambda c, i: ElectionKindCreate(name=f"Kind {i}"),
        ElectionKindUpdate(name="Changed"),
        "election_kinds",
        "name",
        "Changed",
    ),
    Kind(
        "releases",
        lambda c: c.downloads.releases,
        lambda c, i: ReleaseCreate(name=f"Python 3.{i}.0"),
        ReleaseUpdate(name="Python 3.99.0"),
        "downloads_releases",
        "name",
        "Python 3.99.0",
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
async def test_round_trip(kind: Kind, connect: Callable[..., Client], db_conn: Any) -> None:
    transport = Counting()
    client = connect("root", transport=transport)
    resource = kind.resource(client)
    created = [resource.create(kind.create(client, i)) for i in range(3)]
    ids = [c.id for c in created]
    assert await db_conn.fetchval(f"SELECT count(*) FROM {kind.table}") == 3

    transport.sent.clear()
    listed = resource.list(page_size=2)
    assert sorted(item.id for item in listed) == sorted(ids)
    assert listed.total == 3
    pages = [s for s in transport.sent if s.startswith("GET ")]
    assert len(pages) == 2 and "limit=2" in pages[0] and "offset=2" in pages[1], pages

    one = resource.get(ids[1])
    assert one.id == ids[1] and type(one) is type(created[1])
    changed = resource.update(ids[1], kind.update)
    assert getattr(changed, kind.column) == kind.expected
    stored = await db_conn.fetchval(f"SELECT {kind.column} FROM {kind.table} WHERE id=$1", ids[1])
    assert stored == kind.expected

    resource.delete(ids[0])
    assert await db_conn.fetchval(f"SELECT count(*) FROM {kind.table} WHERE id=$1", ids[0]) == 0
    with pytest.raises(NotFound) as missing:
        resource.get(ids[0])
    assert missing.value.status == 404


async def test_publish_a_release_with_its_files(connect: Callable[..., Client], db_conn: Any) -> None:
    """docs/client.md's first example: a draft release, its files, then published."""
    client = connect("root")
    os_ = client.downloads.os.create(OSCreate(name="Source release"))
    release = client.downloads.releases.create(
        ReleaseCreate(
            name="Python 3.14.9", is_published=False, release_date=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        )
    )
    for name, suffix in (("Gzipped source tarball", "tgz"), ("XZ compressed source tarball", "tar.xz")):
        client.downloads.files.create(
            ReleaseFileCreate(
                name=name,
                os_id=os_.id,
                release_id=release.id,
                url=f"https://www.python.org/ftp/python/3.14.9/Python-3.14.9.{suffix}",
                is_source=True,
            )
        )
    files = list(client.downloads.files.list(release_id=release.id))
    assert sorted(f.name for f in files) == ["Gzipped source tarball", "XZ compressed source tarball"]
    published = client.downloads.releases.update(release.id, ReleaseUpdate(is_published=True))
    assert published.is_published is True
    row = await db_conn.fetchrow(
        "SELECT is_published, (SELECT count(*) FROM downloads_release_files WHERE release_id=r.id) AS files "
        "FROM downloads_releases r WHERE id=$1",
        release.id,
    )
    assert row["is_published"] is True and row["files"] == 2


def _job(i: int) -> JobCreate:
    return JobCreate(
        job_title=f"Python Developer {i}",
        company_name="Acme Widgets",
        category="software-developer",
        city="Memphis",
        country="USA",
        description="Write Python. " * 20,
        requirements="* Python",
        email="hiring@acme.example",
        job_url=f"https://acme.example/jobs/{i}",
    )


async def test_approve_pending_jobs(connect: Callable[..., Client], actors: Any, db_conn: Any) -> None:
    """docs/client.md's second example: listings submitted by a user, approved by a moderator."""
    await actors.create("moderator", permissions=(MODERATE,))
    await actors.create("owner")
    moderator, owner = connect("moderator"), connect("owner")
    moderator.jobs.categories_create(TaxonomyCreate(name="Software Developer"))
    ids = []
    for i in range(3):
        job = owner.jobs.create(_job(i))
        assert job.status == "draft"
        ids.append(owner.jobs.submit(job.id).id)
    with pytest.raises(Forbidden):  # the owner is no moderator
        list(owner.jobs.review_queue())

    # Approving takes a listing out of the queue, so the queue is read in full first: an iterator
    # that approved as it went would skip what moved up into the page it already passed.
    queue = moderator.jobs.review_queue(page_size=2)
    pending = list(queue)
    approved = [moderator.jobs.approve(job.id).id for job in pending]
    assert approved == ids and queue.total == 3
    statuses = await db_conn.fetch("SELECT status FROM jobs ORDER BY id")
    assert [r["status"] for r in statuses] == ["approved"] * 3
    assert list(moderator.jobs.review_queue()) == []


async def test_field_errors(connect: Callable[..., Client], db_conn: Any) -> None:
    client = connect("root")
    with pytest.raises(BadRequest) as invalid:  # request validation: a list of {message, key}
        client.pages.create(PageCreate(path="/x/", title=""))
    assert list(invalid.value.fields) == ["title"], invalid.value.extra
    assert invalid.value.fields["title"] and invalid.value.status == 400

    os_ = client.downloads.os.create(OSCreate(name="Windows"))
    release = client.downloads.releases.create(ReleaseCreate(name="Python 3.1.0"))
    with pytest.raises(BadRequest) as refused:  # a service's per-field messages
        client.downloads.files.create(
            ReleaseFileCreate(
                name="Installer", os_id=os_.id, release_id=release.id, url="ftp://example.org/x"
            )
        )
    assert refused.value.fields == {"url": ["Release file URLs must begin with 'https://www.python.org/'."]}
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 0

    client.pages.create(PageCreate(path="/dup/", title="One"))
    with pytest.raises(Conflict) as duplicate:
        client.pages.create(PageCreate(path="/dup/", title="Two"))
    assert "path" in duplicate.value.fields
    assert await db_conn.fetchval("SELECT count(*) FROM pages") == 1


async def test_etag_and_if_match(connect: Callable[..., Client], db_conn: Any) -> None:
    client = connect("root")
    page = client.pages.create(PageCreate(path="/about/", title="About"))
    client.pages.get(page.id)
    etag = client.last_etag
    assert etag and etag.startswith('"')
    client.pages.update(page.id, PageUpdate(title="One"), if_match=etag)
    written = client.last_etag  # a write answers the new version's tag
    assert written and written != etag
    with pytest.raises(PreconditionFailed) as stale:
        client.pages.update(page.id, PageUpdate(title="Two"), if_match=etag)
    assert stale.value.status == 412 and stale.value.etag == written
    assert await db_conn.fetchval("SELECT title FROM pages WHERE id=$1", page.id) == "One"
    client.pages.get(page.id)
    assert client.last_etag == written
    client.pages.update(page.id, PageUpdate(title="Two"), if_match=stale.value.etag)
    assert await db_conn.fetchval("SELECT title FROM pages WHERE id=$1", page.id) == "Two"


async def test_login_with_a_password_and_an_api_key(connect: Callable[..., Client], actors: Any) -> None:
    client = connect()
    with pytest.raises(Unauthorized):
        client.users.me()
    with pytest.raises(Unauthorized):
        client.login("ordinary", "not-the-password")
    token = client.login("ordinary", PASSWORD)
    assert token and client.users.me().username == "ordinary"
    key = client.users.api_keys.create(ApiKeyCreate(name="editor"))
    client.logout()
    with pytest.raises(Unauthorized):
        client.users.me()
    assert key.key
    with Client(client.base_url, api_key=key.key) as by_key:
        assert by_key.users.me().username == "ordinary"
        assert by_key.http.headers["user-agent"].startswith("pydotorg-client/")


async def test_async_client(live_api: str, actors: Any, db_conn: Any) -> None:
    async with AsyncClient(live_api, token=actors["root"].token) as client:
        for i in range(3):
            await client.boxes.create(BoxCreate(label=f"box-{i}"))
        labels = [box.label async for box in client.boxes.list(page_size=2)]
        assert sorted(labels) == ["box-0", "box-1", "box-2"]
        first = await client.boxes.by_label("box-0")
        await client.boxes.update(first.id, BoxUpdate(content="async"), if_match=client.last_etag)
    assert await db_conn.fetchval("SELECT content FROM boxes WHERE label='box-0'") == "async"
