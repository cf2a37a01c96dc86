"""``pydotorg-edit`` run as a real command (a subprocess) against the app served over HTTP, with its
own ``HOME`` and ``XDG_CONFIG_HOME``; what it did is checked in the database."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import stat
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pydotorg_client import Client
from pydotorg_client.models import PageCreate, ReleaseCreate
from tests.client.conftest import cli_runner
from tests.helpers import PASSWORD

Run = Callable[..., subprocess.CompletedProcess[str]]

# A fake $EDITOR: rewrites the title line of the file it is given. When OTHER_TOKEN is set it first
# changes the page through the API as another caller, as if a colleague saved while it was open.
FAKE_EDITOR = textwrap.dedent(
    """
    import json, os, sys
    import httpx
    path = sys.argv[1]
    if os.environ.get("OTHER_TOKEN"):
        r = httpx.patch(
            os.environ["OTHER_URL"],
            json={"title": "Their title"},
            headers={"Authorization": "Bearer " + os.environ["OTHER_TOKEN"]},
        )
        r.raise_for_status()
    lines = open(path, encoding="utf-8").read().split("\\n")
    key = os.environ.get("FIELD", "title") + ":"
    lines = [key + " " + json.dumps(os.environ["NEW_TITLE"]) if l.startswith(key) else l for l in lines]
    open(path, "w", encoding="utf-8").write("\\n".join(lines))
    """
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture
def run(live_api: str, home: Path, tmp_path: Path) -> Run:
    return cli_runner(home, tmp_path, FAKE_EDITOR)


PAGE_EDITOR = ("pages.add_page", "pages.change_page", "pages.delete_page")


@pytest.fixture
async def editor(actors: Any) -> None:
    """An editor with the pages permissions (staff alone may not change pages)."""
    await actors.create("editor", permissions=PAGE_EDITOR)


@pytest.fixture
def login(run: Run, live_api: str, actors: Any) -> Callable[[str], None]:
    def as_(who: str) -> None:
        done = run("login", "--api", live_api, "--api-key", stdin=actors[who].token + "\n")
        assert done.returncode == 0, done.stderr

    return as_


def leftovers(directory: Path) -> list[Path]:
    return list(directory.glob("pydotorg-page-*"))


def read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def make_page(connect: Callable[..., Client], path: str = "/about/", title: str = "About") -> int:
    return connect("root").pages.create(PageCreate(path=path, title=title, content="Hello\n\nWorld")).id


async def test_login_stores_the_token_0600_and_never_prints_it(
    run: Run, live_api: str, home: Path, db_conn: Any, actors: Any
) -> None:
    done = run("login", "--api", live_api, stdin=f"staffer\n{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    creds_file = home / ".config" / "pydotorg" / "credentials.json"
    token = json.loads(creds_file.read_text())[live_api]
    assert token and token not in done.stdout + done.stderr
    assert "staffer" in done.stdout
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(creds_file.parent.stat().st_mode) == 0o700
    assert list(creds_file.parent.iterdir()) == [creds_file]  # no temporary file left behind
    who = run("whoami")
    assert who.returncode == 0 and who.stdout.startswith("staffer <staffer@example.org>")
    assert token not in who.stdout + who.stderr

    wrong = run("login", "--api", live_api, stdin="staffer\nnot-the-password\n")
    assert wrong.returncode == 1 and "log-in refused" in wrong.stderr and "Traceback" not in wrong.stderr
    assert json.loads(creds_file.read_text())[live_api] == token  # the good token is kept

    out = run("logout")
    assert out.returncode == 0 and json.loads(creds_file.read_text()) == {}
    with contextlib.closing(Client(live_api, token=token)) as client:
        assert client.request("GET", "/api/v3/users/me").status_code == 401
    after = run("whoami")
    assert after.returncode == 1 and "not logged in" in after.stderr


async def test_list_and_show(
    run: Run, login: Callable[[str], None], editor: None, connect: Callable[..., Client], db_conn: Any
) -> None:
    login("editor")
    first = make_page(connect, "/about/", "About")
    make_page(connect, "/psf/", "PSF")
    table = run("pages", "list", "--path-prefix", "/about/")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "path", "title", "is_published", "updated"]
    assert len(lines) == 2 and lines[1].split()[:4] == [str(first), "about", "About", "yes"]
    as_json = json.loads(run("pages", "list", "--json").stdout)
    assert sorted(p["path"] for p in as_json) == ["about", "psf"]
    show = run("pages", "show", str(first))
    assert show.returncode == 0
    assert show.stdout.startswith('---\ntitle: "About"\npath: "about"\nis_published: true\n')
    assert show.stdout.endswith("---\nHello\n\nWorld\n")


async def test_edit_sends_only_what_changed(
    run: Run,
    login: Callable[[str], None],
    editor: None,
    connect: Callable[..., Client],
    db_conn: Any,
    tmp_path: Path,
) -> None:
    login("editor")
    page = make_page(connect)
    await db_conn.execute("UPDATE pages SET description='kept' WHERE id=$1", page)
    done = run("pages", "edit", str(page), env={"NEW_TITLE": "About Python"})
    assert done.returncode == 0, done.stderr
    # The preview lists what is sent: the title alone.
    assert done.stdout.splitlines()[1:] == ['  title: "About" -> "About Python"', f"Saved page {page}."]
    row = await db_conn.fetchrow("SELECT title, description, content FROM pages WHERE id=$1", page)
    assert (row["title"], row["description"], row["content"]) == ("About Python", "kept", "Hello\n\nWorld")
    assert not leftovers(tmp_path)  # the temporary file is gone once saved

    again = run("pages", "edit", str(page), env={"NEW_TITLE": "About Python"})
    assert again.returncode == 0 and "No changes; nothing sent." in again.stdout


async def test_a_concurrent_edit_is_not_overwritten(
    run: Run,
    login: Callable[[str], None],
    editor: None,
    connect: Callable[..., Client],
    db_conn: Any,
    live_api: str,
    actors: Any,
) -> None:
    login("editor")
    page = make_page(connect)
    env = {
        "NEW_TITLE": "Mine",
        "OTHER_TOKEN": actors["root"].token,
        "OTHER_URL": f"{live_api}/api/v3/pages/{page}",
    }
    done = run("pages", "edit", str(page), env=env)
    assert done.returncode == 1
    assert "changed by someone else since you opened it" in done.stderr and "Traceback" not in done.stderr
    assert await db_conn.fetchval("SELECT title FROM pages WHERE id=$1", page) == "Their title"
    assert 'title: "Mine"' in read(done.stderr.rsplit("kept at ", 1)[1].strip())


async def test_delete_asks_first(
    run: Run, login: Callable[[str], None], editor: None, connect: Callable[..., Client], db_conn: Any
) -> None:
    login("editor")
    page = make_page(connect)
    kept = run("pages", "delete", str(page), stdin="n\n")
    assert f"Delete page {page} 'About'? [y/N]" in kept.stdout and kept.returncode == 1
    assert await db_conn.fetchval("SELECT count(*) FROM pages WHERE id=$1", page) == 1
    gone = run("pages", "delete", str(page), stdin="y\n")
    assert gone.returncode == 0, gone.stderr
    assert await db_conn.fetchval("SELECT count(*) FROM pages WHERE id=$1", page) == 0


async def test_publish_and_unpublish(
    run: Run, login: Callable[[str], None], editor: None, connect: Callable[..., Client], db_conn: Any
) -> None:
    login("editor")
    page = make_page(connect)
    assert run("pages", "unpublish", str(page)).returncode == 0
    assert await db_conn.fetchval("SELECT is_published FROM pages WHERE id=$1", page) is False
    assert run("pages", "publish", str(page)).returncode == 0
    assert await db_conn.fetchval("SELECT is_published FROM pages WHERE id=$1", page) is True


async def test_create_from_a_file(
    run: Run, login: Callable[[str], None], editor: None, db_conn: Any, tmp_path: Path
) -> None:
    login("editor")
    doc = tmp_path / "new.md"
    doc.write_text(
        '---\ntitle: "Sprints"\npath: "/about/sprints/"\nis_published: false\n---\nCome *sprint*.\n'
    )
    done = run("pages", "create", str(doc))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Created page 1 'Sprints'\n"
    row = await db_conn.fetchrow("SELECT path, title, is_published, content FROM pages WHERE id=1")
    assert row["path"] == "about/sprints"
    assert (row["title"], row["is_published"], row["content"]) == ("Sprints", False, "Come *sprint*.")


async def test_a_user_without_the_permission_gets_a_clear_403(
    run: Run, login: Callable[[str], None], editor: None, connect: Callable[..., Client], db_conn: Any
) -> None:
    login("ordinary")
    page = make_page(connect)
    done = run("pages", "edit", str(page), env={"NEW_TITLE": "Vandalised"})
    assert done.returncode == 1
    assert "not allowed (403)" in done.stderr and "Traceback" not in done.stderr
    assert await db_conn.fetchval("SELECT title FROM pages WHERE id=$1", page) == "About"


def test_the_document_round_trips() -> None:
    from pydotorg_client.cli import parse_document, render_document

    front = {"title": 'A "quoted": title', "is_published": False, "release_page_id": None}
    text = render_document(front, "---\nbody with a rule\n")
    assert parse_document(text) == (front, "---\nbody with a rule\n")
    assert parse_document("---\ntitle: bare words\n---\n")[0] == {"title": "bare words"}


async def test_releases_share_the_same_commands(
    run: Run, login: Callable[[str], None], connect: Callable[..., Client], db_conn: Any
) -> None:
    login("root")
    release = connect("root").downloads.releases.create(
        ReleaseCreate(
            name="Python 3.14.9", is_published=False, release_date=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
        )
    )
    table = run("releases", "list", "--published", "no")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[1].split()[:5] == [str(release.id), "Python", "3.14.9", "no", "no"]
    done = run("releases", "edit", str(release.id), env={"FIELD": "name", "NEW_TITLE": "Python 3.14.10"})
    assert done.returncode == 0, done.stderr
    assert '  name: "Python 3.14.9" -> "Python 3.14.10"' in done.stdout.splitlines()
    assert run("releases", "publish", str(release.id)).returncode == 0
    row = await db_conn.fetchrow("SELECT name, is_published FROM downloads_releases WHERE id=$1", release.id)
    assert (row["name"], row["is_published"]) == ("Python 3.14.10", True)
