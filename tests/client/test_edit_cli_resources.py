"""``pydotorg-edit`` for events, boxes, banners, code samples, stories, minutes and community posts,
the jobs review commands, uploads and event submissions: the real command (a subprocess) against
the app served over HTTP, with a fake ``$EDITOR``; what it did is checked in the database."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydotorg.domains.jobs.models import MODERATE
from pydotorg_client import Client
from pydotorg_client.models import (
    BoxCreate,
    CalendarCreate,
    CategoryCreate,
    EventSubmissionCreate,
    JobCreate,
    LocationCreate,
    PageCreate,
    PostCreate,
    StoryCategoryCreate,
    TaxonomyCreate,
)
from tests.client.conftest import cli_runner
from tests.helpers import db_fingerprint

Run = Callable[..., subprocess.CompletedProcess[str]]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)

# A fake $EDITOR. EDITS is a JSON object: each key's front-matter line gets that JSON value (a line
# is added when the key has none); CONTENT, when set, replaces everything below the front matter.
# With OTHER_URL it first PATCHes OTHER_BODY there as OTHER_TOKEN, a colleague saving meanwhile.
FAKE_EDITOR = textwrap.dedent(
    """
    import json, os, sys
    import httpx
    path = sys.argv[1]
    if os.environ.get("OTHER_URL"):
        r = httpx.patch(
            os.environ["OTHER_URL"],
            json=json.loads(os.environ["OTHER_BODY"]),
            headers={"Authorization": "Bearer " + os.environ["OTHER_TOKEN"]},
        )
        r.raise_for_status()
    lines = open(path, encoding="utf-8").read().split("\\n")
    end = lines.index("---", 1)
    front, body = lines[1:end], lines[end + 1 :]
    for key, value in json.loads(os.environ.get("EDITS", "{}")).items():
        line = key + ": " + json.dumps(value)
        hits = [i for i, l in enumerate(front) if l.startswith(key + ":")]
        if hits:
            front[hits[0]] = line
        else:
            front.append(line)
    if "CONTENT" in os.environ:
        body = os.environ["CONTENT"].split("\\n")
    open(path, "w", encoding="utf-8").write("\\n".join(["---", *front, "---", *body]))
    """
)


@pytest.fixture
def run(live_api: str, tmp_path: Path) -> Run:
    home = tmp_path / "home"
    home.mkdir()
    return cli_runner(home, tmp_path, FAKE_EDITOR)


@pytest.fixture
def login(run: Run, live_api: str, actors: Any) -> Callable[[str], None]:
    def as_(who: str) -> None:
        done = run("login", "--api", live_api, "--api-key", stdin=actors[who].token + "\n")
        assert done.returncode == 0, done.stderr

    return as_


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def edits(**values: Any) -> dict[str, str]:
    return {"EDITS": json.dumps(values)}


def read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def leftovers(directory: Path, pattern: str) -> list[Path]:
    return list(directory.glob(pattern))


def fetch(url: str) -> httpx.Response:
    return httpx.get(url)


# -- one round trip per resource -------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A resource's commands: the document ``create`` is given and a column it sets, the field an
    ``edit`` changes (front matter) and where that lands, and the column publish/unpublish flip."""

    command: str
    noun: str
    table: str
    document: str
    created: tuple[str, Any]
    edit: tuple[str, Any, str, Any]  # field, new JSON value, column, stored value
    published: tuple[str, Any, Any] | None  # column, published value, unpublished value
    show_line: str  # a line `show` prints
    setup: Callable[[Client], Any] | None = None


CASES = [
    Case(
        "boxes",
        "box",
        "boxes",
        '---\nlabel: "sidebar-news"\ncontent_markup_type: "markdown"\n---\n**News**\n',
        ("content", "**News**"),
        ("label", "sidebar-events", "label", "sidebar-events"),
        None,
        'label: "sidebar-news"',
    ),
    Case(
        "banners",
        "banner",
        "banners",
        '---\ntitle: "Sprint"\nlink: "https://example.org/sprint"\nactive: false\n---\nCome and sprint\n',
        ("message", "Come and sprint"),
        ("sort_order", 7, "sort_order", 7),
        ("active", True, False),
        "active: false",
    ),
    Case(
        "codesamples",
        "code sample",
        "code_samples",
        '---\nis_published: false\ncopy: "<h1>Loops</h1>"\ncode_markup_type: "text"\n---\n'
        "for i in range(3):\n    print(i)\n",
        ("code", "for i in range(3):\n    print(i)"),
        ("copy", "<h1>Lists</h1>", "copy", "<h1>Lists</h1>"),
        ("is_published", True, False),
        'copy: "<h1>Loops</h1>"',
    ),
    Case(
        "stories",
        "story",
        "stories",
        '---\nname: "Python at Acme"\ncategory: "business"\nauthor: "Ada"\ncompany_name: "Acme"\n'
        'company_url: "https://acme.example/"\npull_quote: "Python!"\n---\nIt worked.\n',
        ("content", "It worked."),
        (
            "category",
            "education",
            "(SELECT slug FROM story_categories c WHERE c.id = category_id)",
            "education",
        ),
        ("is_published", True, False),
        'category: "business"',  # the read's category object, as the slug an update takes
        lambda c: [
            c.successstories.categories.create(StoryCategoryCreate(name=n)) for n in ("Business", "Education")
        ],
    ),
    Case(
        "minutes",
        "minutes",
        "minutes",
        '---\ndate: "2026-01-15"\nis_published: false\n---\nThe board met.\n',
        ("content", "The board met."),
        ("date", "2026-01-16", "date", dt.date(2026, 1, 16)),
        ("is_published", True, False),
        'date: "2026-01-15"',
    ),
    Case(
        "community",
        "community post",
        "community_posts",
        '---\ntitle: "PyCon photos"\nstatus: 1\nmedia_type: 2\ncontent_markup_type: "markdown"\n'
        'links: [{"url": "https://us.pycon.org/"}]\n---\nPhotos from *PyCon*.\n',
        ("content", "Photos from *PyCon*."),
        ("title", "PyCon US photos", "title", "PyCon US photos"),
        ("status", 2, 1),
        'links: [{"id": 1, "url": "https://us.pycon.org/"}]',  # links keep their id when sent back
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.command for c in CASES])
async def test_each_resource_round_trips(
    case: Case,
    run: Run,
    login: Callable[[str], None],
    connect: Callable[..., Client],
    db_conn: Any,
    tmp_path: Path,
) -> None:
    login("root")
    if case.setup:
        case.setup(connect("root"))
    doc = tmp_path / "new.md"
    doc.write_text(case.document, encoding="utf-8")
    assert ok(run(case.command, "create", str(doc))).startswith(f"Created {case.noun} 1 ")
    column, value = case.created
    assert await db_conn.fetchval(f"SELECT {column} FROM {case.table} WHERE id=1") == value

    table = ok(run(case.command, "list")).splitlines()
    assert len(table) == 2 and table[0].startswith("id ") and table[1].split()[0] == "1"
    assert [row["id"] for row in json.loads(ok(run(case.command, "list", "--json")))] == [1]
    assert case.show_line in ok(run(case.command, "show", "1")).splitlines()

    field, new, column, stored = case.edit
    lines = ok(run(case.command, "edit", "1", env=edits(**{field: new}))).splitlines()
    # The edited field alone is listed as sent, and the other columns keep their values.
    assert len(lines) == 3 and lines[1].startswith(f"  {field}: ") and lines[1].endswith(json.dumps(new))
    assert lines[2] == f"Saved {case.noun} 1."
    assert await db_conn.fetchval(f"SELECT {column} FROM {case.table} WHERE id=1") == stored
    assert await db_conn.fetchval(f"SELECT {case.created[0]} FROM {case.table} WHERE id=1") == value

    if case.published:
        column, on, off = case.published
        ok(run(case.command, "publish", "1"))
        assert await db_conn.fetchval(f"SELECT {column} FROM {case.table} WHERE id=1") == on
        ok(run(case.command, "unpublish", "1"))
        assert await db_conn.fetchval(f"SELECT {column} FROM {case.table} WHERE id=1") == off
    else:  # not offered: argparse names the verbs there are
        refused = run(case.command, "publish", "1")
        assert refused.returncode == 2 and "invalid choice: 'publish'" in refused.stderr

    kept = run(case.command, "delete", "1", stdin="n\n")
    assert kept.returncode == 1 and f"Delete {case.noun} 1 " in kept.stdout
    assert await db_conn.fetchval(f"SELECT count(*) FROM {case.table}") == 1
    ok(run(case.command, "delete", "1", stdin="y\n"))
    assert await db_conn.fetchval(f"SELECT count(*) FROM {case.table}") == 0


# -- events: the read shape is mapped to the update shape ------------------------------------------

EVENT = """---
title: "Sprint"
calendar: "python-events"
occurring_rule: {"dt_start": "2026-03-01T09:00:00Z", "dt_end": "2026-03-01T17:00:00Z", "all_day": false}
recurring_rules: [{"begin": "2026-04-01T09:00:00Z", "finish": "2026-06-01T09:00:00Z", "duration": "2 hours"}]
venue_id: 1
categories: ["sprints"]
---
Come *sprint*.
"""


async def test_events(
    run: Run, login: Callable[[str], None], connect: Callable[..., Client], db_conn: Any, tmp_path: Path
) -> None:
    root = connect("root")
    root.events.calendars.create(CalendarCreate(name="Python Events", slug="python-events"))
    root.events.categories.create(CategoryCreate(name="Sprints", calendar="python-events"))
    root.events.locations.create(LocationCreate(name="Leipzig", calendar="python-events"))
    login("root")
    doc = tmp_path / "event.md"
    doc.write_text(EVENT, encoding="utf-8")
    assert ok(run("events", "create", str(doc))) == "Created event 1 'Sprint'\n"
    row = await db_conn.fetchrow("SELECT title, venue_id, description FROM events WHERE id=1")
    assert tuple(row) == ("Sprint", 1, "Come *sprint*.")
    rule = await db_conn.fetchval("SELECT id FROM event_recurring_rules WHERE event_id=1")

    table = ok(run("events", "list", "--calendar", "python-events")).splitlines()
    assert table[0].split() == [
        "id",
        "calendar",
        "title",
        "is_published",
        "featured",
        "next_occurrence.dt_start",
    ]
    assert table[1].split()[:5] == ["1", "python-events", "Sprint", "yes", "no"]
    assert ok(run("events", "list", "--calendar", "other")).splitlines()[1:] == []

    # The document shows what EventUpdate takes: slugs, venue_id, the rules' input fields.
    shown = ok(run("events", "show", "1")).splitlines()
    assert "venue_id: 1" in shown and 'categories: ["sprints"]' in shown
    assert (
        'occurring_rule: {"dt_start": "2026-03-01T09:00:00Z", "dt_end": "2026-03-01T17:00:00Z", '
        '"all_day": false}' in shown
    )
    recurring = json.loads(next(line for line in shown if line.startswith("recurring_rules: "))[17:])
    assert recurring == [
        {
            "id": rule,
            "begin": "2026-04-01T09:00:00Z",
            "finish": "2026-06-01T09:00:00Z",
            "duration": "2 hours",
            "interval": 1,
            "frequency": 2,
            "all_day": False,
        }
    ]

    lines = ok(run("events", "edit", "1", env=edits(title="Sprints"))).splitlines()
    assert lines[1:] == ['  title: "Sprint" -> "Sprints"', "Saved event 1."]  # the rules are not sent
    new_end = {"dt_start": "2026-03-01T09:00:00Z", "dt_end": "2026-03-02T17:00:00Z", "all_day": False}
    ok(run("events", "edit", "1", env=edits(occurring_rule=new_end, venue_id=None)))
    row = await db_conn.fetchrow(
        "SELECT e.title, e.venue_id, o.dt_end FROM events e JOIN event_occurring_rules o ON o.event_id = e.id"
    )
    assert tuple(row) == ("Sprints", None, dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC))
    assert await db_conn.fetchval("SELECT id FROM event_recurring_rules WHERE event_id=1") == rule

    ok(run("events", "unpublish", "1"))
    assert await db_conn.fetchval("SELECT is_published FROM events WHERE id=1") is False
    assert ok(run("events", "list", "--published", "no")).splitlines()[1].split()[0] == "1"
    ok(run("events", "publish", "1"))
    assert await db_conn.fetchval("SELECT is_published FROM events WHERE id=1") is True

    ok(run("events", "delete", "1", "--yes"))
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0


# -- a concurrent edit on a box --------------------------------------------------------------------


async def test_a_concurrent_box_edit_is_not_overwritten(
    run: Run,
    login: Callable[[str], None],
    connect: Callable[..., Client],
    db_conn: Any,
    live_api: str,
    actors: Any,
) -> None:
    box = connect("root").boxes.create(BoxCreate(label="sidebar", content="Old"))
    login("root")
    env = {
        **edits(label="sidebar-mine"),
        "OTHER_URL": f"{live_api}/api/v3/boxes/{box.id}",
        "OTHER_BODY": json.dumps({"content": "Theirs"}),
        "OTHER_TOKEN": actors["root"].token,
    }
    done = run("boxes", "edit", str(box.id), env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"box {box.id} was changed by someone else since you opened it; nothing was sent" in done.stderr
    row = await db_conn.fetchrow("SELECT label, content FROM boxes WHERE id=$1", box.id)
    assert tuple(row) == ("sidebar", "Theirs")
    kept = read(done.stderr.rsplit("kept at ", 1)[1].strip())
    assert 'label: "sidebar-mine"' in kept.splitlines()


# -- the jobs review queue -------------------------------------------------------------------------


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


async def test_jobs_queue_approve_reject_comment(
    run: Run, login: Callable[[str], None], connect: Callable[..., Client], actors: Any, db_conn: Any
) -> None:
    await actors.create("moderator", permissions=(MODERATE,))
    await actors.create("owner")
    connect("moderator").jobs.categories_create(TaxonomyCreate(name="Software Developer"))
    owner = connect("owner")
    first, second = (owner.jobs.submit(owner.jobs.create(_job(i)).id).id for i in range(2))
    owner.jobs.create(_job(2))  # a draft: not in the queue
    login("moderator")

    queue = ok(run("jobs", "queue")).splitlines()
    assert queue[0].split() == ["id", "job_title", "company_name", "status", "created"]
    assert [line.split()[0] for line in queue[1:]] == [str(first), str(second)]
    assert "Python Developer 0" in queue[1] and "review" in queue[1]
    assert [job["id"] for job in json.loads(ok(run("jobs", "queue", "--json")))] == [first, second]

    assert (
        ok(run("jobs", "comment", str(first), "Please name the salary.")) == f"Job {first}: comment done.\n"
    )
    assert ok(run("jobs", "reject", str(first))) == f"Job {first}: reject done.\n"
    assert ok(run("jobs", "approve", str(second))) == f"Job {second}: approve done.\n"
    statuses = await db_conn.fetch("SELECT id, status FROM jobs ORDER BY id")
    assert [tuple(r) for r in statuses] == [(first, "rejected"), (second, "approved"), (3, "draft")]
    comments = await db_conn.fetch("SELECT job_id, comment, creator_id FROM job_review_comments")
    assert [tuple(r) for r in comments] == [(first, "Please name the salary.", actors["moderator"].user_id)]
    assert ok(run("jobs", "queue")).splitlines()[1:] == []


# -- uploads ---------------------------------------------------------------------------------------


@pytest.fixture
def media_site(settings: Any, tmp_path: Path) -> Iterator[str]:
    """The site server serving the API's media directory at /media/, as ``pydotorg dev run`` does
    (nginx serves them from the bucket in production)."""
    from sitebuilder.serve import make_server

    server = make_server(tmp_path, "127.0.0.1", 0, media_root=settings.media_dir)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


LONG_STEM = "p" * 96  # with ".png", a 100-character file name


async def test_uploads_send_the_base_name_and_the_api_names_the_file(
    run: Run,
    login: Callable[[str], None],
    connect: Callable[..., Client],
    db_conn: Any,
    settings: Any,
    tmp_path: Path,
    media_site: str,
) -> None:
    root = connect("root")
    post = root.community.create(PostCreate(title="PyCon", content="Photos", media_type=2))
    page = root.pages.create(PageCreate(path="/about/", title="About", content="Hi"))
    (tmp_path / "local" / "secret").mkdir(parents=True)
    photo = tmp_path / "local" / f"{LONG_STEM}.png"
    photo.write_bytes(PNG)
    via_dots = str(tmp_path / "local" / "secret" / ".." / photo.name)  # a path with ".." in it
    login("root")

    done = ok(run("community", "upload", str(post.id), via_dots, "--caption", "Keynote"))
    row = await db_conn.fetchrow("SELECT id, image, caption FROM community_photos WHERE post_id=$1", post.id)
    # The API made the stored name from the base name alone: its directory, the stem cut to 80.
    # (A name already taken in the media directory gets a suffix: the storage never overwrites.)
    assert re.fullmatch(r"community/photos/p{80}(-[0-9a-f]+)?\.png", row["image"]), row["image"]
    assert row["caption"] == "Keynote"
    assert "local" not in row["image"] and "secret" not in row["image"]
    assert f"photo {row['id']}: stored as {row['image']}, served at /media/{row['image']}" in done
    assert (settings.media_dir / row["image"]).read_bytes() == PNG
    served = fetch(f"{media_site}/media/{row['image']}")
    assert served.status_code == 200 and served.content == PNG

    # --photo replaces that photo's image (the API picks a new name, the old file goes).
    other = tmp_path / "other.png"
    other.write_bytes(PNG + b"2")
    ok(run("community", "upload", str(post.id), str(other), "--photo", str(row["id"])))
    replaced = await db_conn.fetchval("SELECT image FROM community_photos WHERE id=$1", row["id"])
    assert re.fullmatch(r"community/photos/other(-[0-9a-f]+)?\.png", replaced), replaced
    assert (settings.media_dir / replaced).read_bytes() == PNG + b"2"
    assert await db_conn.fetchval("SELECT count(*) FROM community_photos") == 1

    # A file the API refuses: the photo added for it is taken out again, nothing stored.
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not a png")
    refused = run("community", "upload", str(post.id), str(fake))
    assert refused.returncode == 1 and "the API refused (400): file: The file is not a valid png image." in (
        refused.stderr
    )
    assert await db_conn.fetchval("SELECT count(*) FROM community_photos") == 1
    assert not (settings.media_dir / "community" / "photos" / "fake.png").exists()
    missing = run("community", "upload", str(post.id), str(tmp_path / "nope.png"))
    assert missing.returncode == 1 and "nope.png: not a file" in missing.stderr

    # Page files: the same rule.
    done = ok(run("pages", "upload", str(page.id), via_dots))
    image = await db_conn.fetchval("SELECT image FROM page_images WHERE page_id=$1", page.id)
    assert re.fullmatch(r"about/p{80}(-[0-9a-f]+)?\.png", image), image  # under the page's path
    assert f"stored as {image}" in done
    assert (settings.media_dir / image).read_bytes() == PNG
    assert fetch(f"{media_site}/media/{image}").content == PNG


class Recording(httpx.HTTPTransport):
    """A real transport that keeps the body of each request it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        return super().handle_request(request)


async def test_an_upload_sends_the_file_name_without_its_directories(
    connect: Callable[..., Client],
    actors: Any,
    live_api: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What goes over the wire (in process, through a recording transport): the base name only,
    never the local directories, whatever the API would make of them."""
    from pydotorg_client import cli

    root = connect("root")
    post = root.community.create(PostCreate(title="PyCon", content="Photos"))
    page = root.pages.create(PageCreate(path="/about/", title="About", content="Hi"))
    (tmp_path / "local" / "secret").mkdir(parents=True)
    (tmp_path / "local" / f"{LONG_STEM}.png").write_bytes(PNG)
    via_dots = str(tmp_path / "local" / "secret" / ".." / f"{LONG_STEM}.png")
    recording = Recording()
    monkeypatch.setattr(
        cli, "connect", lambda args: Client(live_api, token=actors["root"].token, transport=recording)
    )

    assert cli.main(["community", "upload", str(post.id), via_dots]) == 0
    assert cli.main(["pages", "upload", str(page.id), via_dots]) == 0
    uploads = [body for body in recording.bodies if b"Content-Disposition: form-data" in body]
    assert len(uploads) == 2, capsys.readouterr()
    for body in uploads:
        assert f'filename="{LONG_STEM}.png"'.encode() in body
        assert b"secret" not in body and b"local" not in body and b".." not in body


# -- a user without the permissions ----------------------------------------------------------------


async def test_a_user_without_the_permissions_changes_nothing(
    run: Run,
    login: Callable[[str], None],
    connect: Callable[..., Client],
    db_conn: Any,
    tmp_path: Path,
    actors: Any,
) -> None:
    root = connect("root")
    box = root.boxes.create(BoxCreate(label="sidebar", content="Old"))
    post = root.community.create(PostCreate(title="PyCon", content="Photos", status=2))
    await actors.create("owner")
    owner = connect("owner")
    connect("root").jobs.categories_create(TaxonomyCreate(name="Software Developer"))
    job = owner.jobs.submit(owner.jobs.create(_job(0)).id).id
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    doc = tmp_path / "box.md"
    doc.write_text('---\nlabel: "mine"\n---\nMine\n', encoding="utf-8")
    before = await db_fingerprint(db_conn)
    login("ordinary")
    for who, args, env in (
        ("ordinary", ("boxes", "create", str(doc)), None),
        ("ordinary", ("boxes", "edit", str(box.id)), edits(label="vandalised")),
        ("ordinary", ("boxes", "delete", str(box.id), "--yes"), None),
        ("ordinary", ("community", "unpublish", str(post.id)), None),
        ("ordinary", ("community", "upload", str(post.id), str(photo)), None),
        ("ordinary", ("jobs", "approve", str(job)), None),
        ("staffer", ("boxes", "edit", str(box.id)), edits(label="vandalised")),  # staff is not enough
    ):
        if who == "staffer":
            login("staffer")
        done = run(*args, env=env)
        assert done.returncode == 1, (args, done.stdout)
        assert "not allowed (403)" in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    assert await db_fingerprint(db_conn) == before


# -- event suggestions -----------------------------------------------------------------------------


def _suggestion(name: str) -> EventSubmissionCreate:
    return EventSubmissionCreate(
        event_name=name,
        event_type="conference",
        python_focus="Data",
        expected_attendees="200",
        location="Leipzig, Germany",
        date_from=dt.date(2027, 3, 4),
        date_to=dt.date(2027, 3, 5),
        recurrence="yearly",
        link="https://pydata.example/",
        description="Talks and sprints.",
    )


async def test_event_submissions_accept_and_decline(
    run: Run, login: Callable[[str], None], connect: Callable[..., Client], actors: Any, db_conn: Any
) -> None:
    connect("root").events.calendars.create(CalendarCreate(name="Python Events", slug="python-events"))
    await actors.create("events", permissions=("events.add_event", "events.view_submission"))
    ordinary = connect("ordinary")
    for name in ("PyData Leipzig", "Crypto Expo", "PyCon DE"):
        ordinary.events.submissions.create(_suggestion(name))
    login("events")

    pending = ok(run("events", "submissions", "list", "--status", "pending")).splitlines()
    assert pending[0].split()[:3] == ["id", "status", "event_name"]
    assert sorted(line.split()[0] for line in pending[1:]) == ["1", "2", "3"]

    done = ok(run("events", "submissions", "accept", "1", "--calendar", "python-events", "--publish"))
    assert done == "Accepted suggestion 1 'PyData Leipzig': event 1 in python-events.\n"
    ok(run("events", "submissions", "accept", "3", "--calendar", "python-events"))  # a draft event
    assert ok(run("events", "submissions", "decline", "2", "--note", "Not a Python event.")) == (
        "Declined suggestion 2 'Crypto Expo'.\n"
    )
    rows = await db_conn.fetch(
        "SELECT s.id, s.status, s.event_id, s.decision_note, e.title, e.is_published "
        "FROM event_submissions s LEFT JOIN events e ON e.id = s.event_id ORDER BY s.id"
    )
    assert [tuple(r) for r in rows] == [
        (1, "accepted", 1, "", "PyData Leipzig", True),
        (2, "declined", None, "Not a Python event.", None, None),
        (3, "accepted", 2, "", "PyCon DE", False),
    ]
    assert ok(run("events", "submissions", "list", "--status", "pending")).splitlines()[1:] == []
    accepted = json.loads(ok(run("events", "submissions", "list", "--status", "accepted", "--json")))
    assert sorted((s["id"], s["decided_by"]) for s in accepted) == [(1, "events"), (3, "events")]

    again = run("events", "submissions", "decline", "1", "--note", "changed my mind")
    assert again.returncode == 1 and "(409)" in again.stderr and "Traceback" not in again.stderr
    assert await db_conn.fetchval("SELECT status FROM event_submissions WHERE id=1") == "accepted"
    login("ordinary")
    refused = run("events", "submissions", "accept", "2", "--calendar", "python-events")
    assert refused.returncode == 1 and "not allowed (403)" in refused.stderr
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 2


async def test_create_in_the_editor_from_the_template(
    run: Run, login: Callable[[str], None], db_conn: Any, tmp_path: Path
) -> None:
    login("root")
    untouched = run("minutes", "create", env={"CONTENT": "The board met."})  # date left "YYYY-MM-DD"
    assert untouched.returncode == 1 and "Traceback" not in untouched.stderr
    assert "$.date" in untouched.stderr
    kept = untouched.stderr.rsplit("your text: ", 1)[1].strip()
    assert "The board met." in read(kept)
    assert await db_conn.fetchval("SELECT count(*) FROM minutes") == 0

    done = run("minutes", "create", env={**edits(date="2026-02-01"), "CONTENT": "The board met."})
    assert ok(done) == "Created minutes 1 'PSF Meeting Minutes February 01, 2026'\n"
    row = await db_conn.fetchrow("SELECT date, is_published, content FROM minutes")
    assert tuple(row) == (dt.date(2026, 2, 1), False, "The board met.")  # the template starts unpublished
    assert leftovers(tmp_path, "pydotorg-minutes-new-*") == [Path(kept)]  # the sent one is removed
