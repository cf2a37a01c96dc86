"""The ``pydotorg`` command. Every command reads the same settings as the service and exits
non-zero with a one-line reason on failure."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from pydotorg.settings import Settings, SettingsError

T = TypeVar("T")


class Failure(click.ClickException):
    """A one-line reason, exit status 1."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise Failure(str(exc)) from None


def _with_dev_services(settings: Settings, *, need_redis: bool = True) -> Settings:
    """Fill in the embedded servers' URLs when the environment names none (development)."""
    if settings.database_url and (settings.redis_url or not need_redis):
        return settings
    from pydotorg.core import embedded

    services = embedded.status(settings.state_dir.resolve())
    if services is None:
        raise Failure(
            "no database configured: set PYDOTORG_DATABASE_URL and PYDOTORG_REDIS_URL, "
            "or run `pydotorg dev up` first"
        )
    import msgspec

    return msgspec.structs.replace(
        settings,
        database_url=settings.database_url or services.database_url,
        redis_url=settings.redis_url or services.redis_url,
    )


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except click.ClickException:
        raise
    except (OSError, ConnectionError) as exc:
        raise Failure(f"{type(exc).__name__}: {exc}") from None


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except (SettingsError, RuntimeError, OSError, ValueError) as exc:
            raise Failure(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
            raise Failure(f"database error: {reason}") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """python.org: the API service, its worker and its tools."""


# --- dev -----------------------------------------------------------------------------------


@main.group()
def dev() -> None:
    """Embedded PostgreSQL and Redis for development, under the state directory."""


@dev.command("up")
@friendly
def dev_up() -> None:
    """Start (or reuse) the embedded servers and print how to reach them."""
    from pydotorg.core import embedded

    settings = _settings()
    services = embedded.up(settings.state_dir.resolve())
    click.echo(f"PostgreSQL: {services.database_url}")
    click.echo(f"Redis:      {services.redis_url}")
    click.echo(f"State:      {services.state_dir}")


@dev.command("down")
@friendly
def dev_down() -> None:
    """Stop the embedded servers (data is kept)."""
    from pydotorg.core import embedded

    stopped = embedded.down(_settings().state_dir.resolve())
    click.echo("stopped" if stopped else "nothing was running")


@dev.command("env")
@friendly
def dev_env() -> None:
    """Print `export PYDOTORG_...=` lines for the running embedded servers."""
    from pydotorg.core import embedded

    services = embedded.status(_settings().state_dir.resolve())
    if services is None:
        raise Failure("the embedded servers are not running; run `pydotorg dev up`")
    click.echo(f"export PYDOTORG_DATABASE_URL={services.database_url}")
    click.echo(f"export PYDOTORG_REDIS_URL={services.redis_url}")


@dev.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@friendly
def dev_run(host: str, port: int) -> None:
    """Run the API and a worker together until interrupted (what `make run` ends with)."""
    import signal
    import subprocess

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # `kill` (SIGTERM) stops the API, worker and site like Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    settings = _with_dev_services(_settings())
    env = dict(os.environ)
    env["PYDOTORG_DATABASE_URL"] = settings.database_url
    env["PYDOTORG_REDIS_URL"] = settings.redis_url
    site_key = settings.site_api_key or _stored_site_key(settings)
    env["PYDOTORG_SITE_API_KEY"] = site_key
    env["PYDOTORG_SITE_API_URL"] = f"http://{host}:{port}"
    env.setdefault("PYDOTORG_SITE_URL", f"http://{host}:{port + 1}")
    exe = [sys.executable, "-m", "pydotorg.cli"]
    api_proc = subprocess.Popen(  # noqa: S603
        [*exe, "serve", "--host", host, "--port", str(port)], env=env
    )
    _wait_for(f"http://{host}:{port}/readyz")
    site_dir = settings.site_dir
    if site_key:
        subprocess.run(  # noqa: S603
            [*exe, "build-site", "--api", f"http://{host}:{port}", "--out", str(site_dir)],
            env=env,
            check=False,
        )
    worker_proc = subprocess.Popen([*exe, "worker"], env=env)  # noqa: S603
    site_proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "sitebuilder.serve",
            "--root",
            str(site_dir),
            "--host",
            host,
            "--port",
            str(port + 1),
            "--api",  # the site and the API on one origin, as behind Fastly
            f"http://{host}:{port}",
            *(["--media", str(settings.media_dir)] if settings.storage_backend == "local" else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{host}:{port}"
    click.echo("")
    click.echo(f"  Site:      http://{host}:{port + 1}/   (rebuilt by the worker after each change)")
    click.echo(f"  API:       {base}/api/v3/")
    click.echo(f"  API docs:  {base}/api/schema")
    click.echo(f"  Health:    {base}/healthz  {base}/readyz  {base}/metrics")
    click.echo(f"  Mail:      {settings.mail_dir.resolve()}/")
    click.echo("  Press Ctrl-C to stop.")
    click.echo("")
    try:
        while api_proc.poll() is None and worker_proc.poll() is None:
            try:
                api_proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (api_proc, worker_proc, site_proc):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in (api_proc, worker_proc, site_proc):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if api_proc.returncode not in (0, None, -signal.SIGINT, 130):
        raise Failure(f"the API server exited with status {api_proc.returncode}")


DEMO_PAGES = [
    (
        "Python For Beginners",
        "about/gettingstarted",
        "Python is a programming language that lets you work quickly and integrate "
        "systems more effectively.\n\n`Learn more <https://docs.python.org/3/>`_",
    ),
    ("Applications for Python", "about/apps", "Python is used in many application domains."),
    (
        "Python Software Foundation",
        "psf",
        "The mission of the Python Software Foundation is to "
        "promote, protect, and advance the Python programming language.",
    ),
]


STORY_CATEGORIES = (
    "Arts",
    "Business",
    "Education",
    "Engineering",
    "Government",
    "Scientific",
    "Software Development",
)
DEMO_STORIES = [
    {
        "name": "Teaching a first course in programming",
        "company_name": "Example University",
        "company_url": "https://example.org/",
        "category": "education",
        "author": "A. Lecturer",
        "pull_quote": "Students wrote useful programs in their second week, not their second term.",
        "content": "We moved our introductory course to Python and kept it there.",
        "content_markup_type": "markdown",
    },
    {
        "name": "Automating a build farm",
        "company_name": "Example Software",
        "company_url": "https://example.com/",
        "category": "software-development",
        "author": "B. Engineer",
        "pull_quote": "A few hundred lines of Python replaced a pile of shell scripts nobody could read.",
        "content": "Our release pipeline is a small Python package with tests.",
        "content_markup_type": "markdown",
    },
]

# Five code samples for the home page slideshow (python.org seeds five of its own in development).
# Demo community posts (ours; python.org's live posts are in its database): one per media type.
DEMO_COMMUNITY_POSTS: list[dict[str, Any]] = [
    {
        "title": "Python Software Foundation Community Awards",
        "abstract": "Recognising the people who make the Python community what it is.",
        "content": "<p>Each quarter the PSF recognises community members who have given their "
        "time and talent to Python.</p>",
        "source_url": "https://www.python.org/community/awards/",
    },
    {
        "title": "Find a Python user group near you",
        "media_type": 4,
        "content": "<p>Local user groups meet all over the world.</p>",
        "links": [{"url": "https://wiki.python.org/moin/LocalUserGroups"}],
    },
    {
        "title": "Talks from PyCon US",
        "media_type": 3,
        "content": "<p>Recordings of the talks are online.</p>",
        "videos": [
            {
                "video_embed": '<iframe title="PyCon US talks" src="https://www.youtube-nocookie.com/embed/videoseries'
                '?list=PL2Uw4_HvXqvb98mQjN0-rYQjdDxJ_hcrs"></iframe>',
                "caption": "PyCon US talks on YouTube",
                "click_through_url": "https://www.youtube.com/@PyConUS",
            }
        ],
    },
]

DEMO_CODE_SAMPLES = [
    (
        '<pre><code><span class="comment"># Functions take arguments and return values</span>\n'
        "&gt;&gt;&gt; def area(width, height=1):\n"
        "...     return width * height\n"
        "&gt;&gt;&gt; area(3, 4)\n"
        '<span class="output">12</span></code></pre>',
        "<h1>Functions Defined</h1><p>Define functions with positional and default arguments, "
        'then call them with any mix of the two. <a href="https://docs.python.org/3/tutorial/'
        'controlflow.html#defining-functions">More about defining functions</a></p>',
    ),
    (
        '<pre><code><span class="comment"># Lists hold anything, in order</span>\n'
        '&gt;&gt;&gt; fruit = ["apple", "pear", "fig"]\n'
        "&gt;&gt;&gt; sorted(fruit, key=len)\n"
        "<span class=\"output\">['fig', 'pear', 'apple']</span></code></pre>",
        "<h1>Compound Data Types</h1><p>Lists, dictionaries, sets and tuples are built in, with "
        'methods and functions that work on all of them. <a href="https://docs.python.org/3/'
        'tutorial/introduction.html#lists">More about lists</a></p>',
    ),
    (
        '<pre><code><span class="comment"># Loops read like prose</span>\n'
        "&gt;&gt;&gt; for n in range(3):\n"
        '...     print(n, "squared is", n * n)\n'
        '<span class="output">0 squared is 0\n1 squared is 1\n2 squared is 4</span></code></pre>',
        "<h1>All the Flow You'd Expect</h1><p>Python knows the usual control flow statements — "
        'if, for, while and match — with a few twists. <a href="https://docs.python.org/3/'
        'tutorial/controlflow.html">More control flow tools</a></p>',
    ),
    (
        '<pre><code><span class="comment"># The interpreter is a calculator</span>\n'
        "&gt;&gt;&gt; 17 / 4\n"
        '<span class="output">4.25</span>\n'
        "&gt;&gt;&gt; 17 // 4, 17 % 4\n"
        '<span class="output">(4, 1)</span></code></pre>',
        "<h1>Intuitive Interpretation</h1><p>Arithmetic works as you would write it; use "
        "parentheses for grouping. "
        '<a href="https://docs.python.org/3/tutorial/introduction.html#numbers">More about '
        "numbers</a></p>",
    ),
    (
        '<pre><code><span class="comment"># f-strings format values inline</span>\n'
        '&gt;&gt;&gt; name = "world"\n'
        '&gt;&gt;&gt; print(f"Hello, {name.title()}!")\n'
        '<span class="output">Hello, World!</span></code></pre>',
        "<h1>Quick &amp; Easy to Learn</h1><p>Experienced programmers in any other language can "
        "pick up Python very quickly, and beginners find the clean syntax easy to use. "
        '<a href="https://docs.python.org/3/tutorial/">Start with the tutorial</a></p>',
    ),
]


def _wait_for(url: str, seconds: float = 30) -> None:
    import time
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise Failure(f"{url} did not answer within {seconds:.0f} s")


@main.command()
@click.option("--demo", is_flag=True, required=True, help="Load the demo data set.")
@click.option(
    "--downloads",
    "downloads_fixture",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Downloads fixture (default: ../shared/data/bench/downloads.json).",
)
@friendly
def seed(demo: bool, downloads_fixture: Path | None) -> None:
    """Load demo data into an empty database (does nothing if users already exist).

    Demo accounts, a few CMS pages and python.org's downloads at full scale."""
    import json
    import secrets

    from pydotorg.paths import shared_data_dir

    settings = _with_dev_services(_settings(), need_redis=False)
    fixture = downloads_fixture or shared_data_dir() / "bench" / "downloads.json"

    async def run() -> tuple[list[tuple[str, str, str]], int]:
        from datetime import UTC, datetime, timedelta

        from sqlalchemy import func, select
        from sqlalchemy.ext.asyncio import async_sessionmaker

        from pydotorg import importers
        from pydotorg.core import importer
        from pydotorg.core.db import create_engine, transaction
        from pydotorg.core.storage import create_storage
        from pydotorg.domains.blogs.feeds import parse as parse_feed
        from pydotorg.domains.blogs.feeds import store_entries
        from pydotorg.domains.blogs.services import save_feed
        from pydotorg.domains.codesamples.services import save_sample
        from pydotorg.domains.community.services import save_post
        from pydotorg.domains.events.services import calendar_by_slug, save_event
        from pydotorg.domains.pages.services import save_page
        from pydotorg.domains.successstories.services import save_category, save_story
        from pydotorg.domains.users.models import User, UserPermission
        from pydotorg.domains.users.services import create_api_key, create_user

        assert importers.REGISTRY
        engine = create_engine(settings)
        created: list[tuple[str, str, str]] = []
        imported = 0
        try:
            async with transaction(async_sessionmaker(engine, expire_on_commit=False)) as s:
                if await s.scalar(select(func.count()).select_from(User)):
                    return created, imported
                for username, role in (("admin", "superuser"), ("editor", "staff"), ("reader", "user")):
                    password = secrets.token_urlsafe(12)
                    await create_user(
                        s,
                        username=username,
                        email=f"{username}@example.org",
                        password=password,
                        is_staff=role != "user",
                        is_superuser=role == "superuser",
                        email_verified=True,
                    )
                    created.append((username, role, password))
                builder = await create_user(
                    s,
                    username="site-builder",
                    email="site-builder@example.org",
                    password=None,
                    email_verified=True,
                )
                s.add(UserPermission(user_id=builder.id, permission="site.read_changes"))
                _, site_key = await create_api_key(s, builder.id, "site builder")
                key_path = settings.state_dir / "site-api-key"
                key_path.parent.mkdir(parents=True, exist_ok=True)
                key_path.write_text(site_key + "\n")
                key_path.chmod(0o600)
                for title, path, content in DEMO_PAGES:
                    await save_page(s, {"title": title, "path": path, "content": content})
                # python.org's success-story categories (its menu) and two demo stories of our own.
                for name in STORY_CATEGORIES:
                    await save_category(s, {"name": name})
                for story in DEMO_STORIES:
                    await save_story(s, {**story, "is_published": True, "featured": True})
                for order, (code, copy) in enumerate(DEMO_CODE_SAMPLES):
                    await save_sample(
                        s, {"code": code, "copy": copy, "is_published": True, "sort_order": order}
                    )
                storage = create_storage(settings)
                for post in DEMO_COMMUNITY_POSTS:
                    await save_post(s, {**post, "status": 2}, storage)
                feed = {"website_url": settings.python_blog_url, "feed_url": settings.python_blog_feed_url}
                insider = await save_feed(s, {"name": "Python Insider", **feed})  # python.org's dev seed
                # The shared copy of the Python Insider feed, so "Latest News" has entries before
                # (or without) the first fetch of the live feed.
                saved_feed = shared_data_dir() / "pythondotorg" / "psf_feed_example.xml"
                if saved_feed.exists():
                    parsed = parse_feed(
                        saved_feed.read_bytes(),
                        base_url=settings.python_blog_feed_url,
                        content_type="application/atom+xml",
                        python_blog_url=settings.python_blog_url,
                    )
                    await store_entries(s, insider, parsed.entries)
                # python.org's downloads at full scale, its real boxes and navigation menu.
                shared = shared_data_dir() / "pythondotorg"
                for source in (
                    fixture,
                    shared / "boxes.json",
                    shared / "sitetree_menus.json",
                    shared / "events.json",  # python.org's small events fixture (its creator: admin)
                ):
                    if source.exists():
                        report, _ = await importer.run(s, json.loads(source.read_text()))
                        imported += sum(report.written.values())
                # Two upcoming events of our own in python.org's calendar (its fixture's are past).
                if await calendar_by_slug(s, "python-events") is not None:
                    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
                    for days, title in ((21, "Python Sprint Weekend"), (45, "Python Meetup: Packaging Q&A")):
                        start = today + timedelta(days=days)
                        await save_event(
                            s,
                            {
                                "calendar": "python-events",
                                "title": title,
                                "description": f"A demo event of ``make run``: {title}.",
                                "occurring_rule": {
                                    "dt_start": start,
                                    "dt_end": start + timedelta(hours=8),
                                    "all_day": False,
                                },
                            },
                        )
        finally:
            await engine.dispose()
        return created, imported

    created, imported = _run(run())
    if not created:
        click.echo("database already has data; nothing seeded")
        return
    lines = [f"{u} ({role}): password {pw}" for u, role, pw in created]
    path = settings.state_dir / "demo-credentials.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    click.echo("seeded demo accounts (also in " + str(path) + "):")
    for line in lines:
        click.echo("  " + line)
    if imported:
        click.echo(
            f"imported {imported} rows (downloads from {fixture}, python.org's boxes, menu and events)"
        )
    else:
        click.echo(f"no shared data at {fixture.parent.parent}; downloads, boxes and menus are empty")


# --- database ------------------------------------------------------------------------------


@main.command()
@friendly
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    from pydotorg.core.migrate import upgrade

    settings = _with_dev_services(_settings(), need_redis=False)
    _run(upgrade(settings.database_url))
    click.echo("database is at the latest migration")


# --- service -------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@friendly
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _with_dev_services(_settings())
    os.environ["PYDOTORG_DATABASE_URL"] = settings.database_url
    os.environ["PYDOTORG_REDIS_URL"] = settings.redis_url
    uvicorn.run(
        "pydotorg.asgi:app",
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        access_log=False,
        proxy_headers=False,
        log_config=None,
    )


@main.command()
@click.option(
    "--metrics-port",
    default=0,
    type=click.IntRange(0, 65535),
    help="Expose the worker's Prometheus metrics on this port (0: off).",
)
@friendly
def worker(metrics_port: int) -> None:
    """Run the SAQ worker (mail, site rebuilds, periodic jobs)."""
    from pydotorg.core.observability import configure_logging
    from pydotorg.core.tasks import create_worker

    settings = _with_dev_services(_settings())
    configure_logging(settings)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1")
    w = create_worker(settings)

    async def run() -> None:
        await w.queue.connect()
        await w.start()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# --- users ---------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", default=None, help="Omit to be prompted.")
@click.option("--staff", is_flag=True)
@click.option("--superuser", is_flag=True)
@friendly
def users_create(username: str, email: str, password: str | None, staff: bool, superuser: bool) -> None:
    """Create an account (its e-mail address counts as verified)."""
    import msgspec

    from pydotorg.domains.users import schemas

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        msgspec.convert({"username": username, "email": email, "password": password}, schemas.SignupRequest)
    except msgspec.ValidationError as exc:
        raise Failure(f"invalid input: {exc}") from None
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> int:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        from pydotorg.core.db import create_engine, transaction
        from pydotorg.domains.users.services import create_user

        engine = create_engine(settings)
        try:
            async with transaction(async_sessionmaker(engine, expire_on_commit=False)) as s:
                user = await create_user(
                    s,
                    username=username,
                    email=email,
                    password=password,
                    is_staff=staff,
                    is_superuser=superuser,
                    email_verified=True,
                )
                return user.id
        finally:
            await engine.dispose()

    from litestar.exceptions import HTTPException

    try:
        user_id = _run(run())
    except HTTPException as exc:
        raise Failure(exc.detail) from None
    click.echo(f"created user {username} (id {user_id})")


@users.command("api-key")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label for the key.")
@friendly
def users_api_key(username: str, name: str) -> None:
    """Create an API key for USERNAME and print it (it is not shown again)."""
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> str:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        from pydotorg.core.db import create_engine, transaction
        from pydotorg.domains.users.services import create_api_key, find_user

        engine = create_engine(settings)
        try:
            async with transaction(async_sessionmaker(engine, expire_on_commit=False)) as s:
                user = await find_user(s, username)
                if user is None:
                    raise Failure(f"no user named {username!r}")
                _, key = await create_api_key(s, user.id, name)
                return key
        finally:
            await engine.dispose()

    click.echo(_run(run()))


async def _announce_changes(settings: Settings) -> None:
    """After a CLI write: refresh the API's caches and queue a site rebuild (best effort)."""
    from redis.asyncio import Redis

    from pydotorg.core.changes import bump_data_version, enqueue_rebuild
    from pydotorg.core.tasks import create_queue

    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    queue = create_queue(settings)
    try:
        await bump_data_version(redis)
        await enqueue_rebuild(queue)
    finally:
        await redis.aclose()
        with contextlib.suppress(Exception):
            await queue.disconnect()


# --- import ------------------------------------------------------------------------------


@main.command("import-django")
@click.option(
    "--fixtures",
    "fixtures",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A dumpdata JSON file (repeatable; more files may follow as arguments).",
)
@click.argument("more", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    "source_url",
    metavar="URL",
    help="Read python.org's Django database (postgresql://…) instead of fixtures; read-only.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--verify",
    is_flag=True,
    help="Write nothing: compare counts and a checksum per model between the source and our database.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly
def import_django(
    fixtures: tuple[Path, ...],
    more: tuple[Path, ...],
    source_url: str | None,
    dry_run: bool,
    verify: bool,
    quiet: bool,
) -> None:
    """Import python.org's Django data, from dumpdata fixtures
    (``pydotorg import-django --fixtures boxes.json sitetree_menus.json``) or straight from its
    database (``pydotorg import-django --database-url postgresql://…``)."""
    from pydotorg import django_import

    fixtures = (*fixtures, *more)
    if more and not fixtures[: -len(more)]:
        raise Failure("give the files after --fixtures")
    if bool(fixtures) == bool(source_url):
        raise Failure("give either --fixtures FILE… or --database-url URL")
    if verify and dry_run:
        raise Failure("--verify writes nothing already; drop --dry-run")
    bars = django_import.ProgressBars(enabled=not quiet)
    if fixtures:
        objects = django_import.load_fixtures(fixtures)
    else:
        assert source_url is not None
        objects, missing = _run(django_import.read_source(source_url, bars))
        for label, table in missing:
            click.echo(f"{label:<28} (table {table} is not in the source; skipped)", err=True)
    settings = _with_dev_services(_settings(), need_redis=False)
    if verify:
        checks = _run(django_import.verify(settings, objects, bars))
        click.echo(django_import.format_checks(checks))
        bad = [c.label for c in checks if not c.ok]
        if bad:
            raise Failure(f"{len(bad)} model(s) differ: {', '.join(bad)}")
        return
    report, unknown = _run(django_import.run_import(settings, objects, bars, dry_run=dry_run))
    click.echo(django_import.format_report(report, unknown, dry_run=dry_run))
    for failure in report.failures[:50]:
        click.echo(f"FAILED {failure.label} pk={failure.pk}: {failure.reason}", err=True)
    if report.written and not dry_run and settings.redis_url:
        _run(_announce_changes(settings))
    if report.failures:
        raise Failure(f"{len(report.failures)} row(s) failed; see above")


# --- blogs ---------------------------------------------------------------------------------


@main.group()
def blogs() -> None:
    """Blog feeds: import their entries (the worker does it every 30 minutes)."""


@blogs.command("import")
@click.option("--force", is_flag=True, help="Download every feed in full (ignore ETag/Last-Modified).")
@friendly
def blogs_import(force: bool) -> None:
    """Import every blog feed and refresh the related blogs; a feed that fails is reported and
    skipped (exit status 1 after the others are stored)."""
    from pydotorg.core.observability import configure_logging

    settings = _with_dev_services(_settings(), need_redis=False)
    configure_logging(settings)

    async def run() -> Any:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        from pydotorg.core.db import create_engine
        from pydotorg.domains.blogs.feeds import import_feeds

        engine = create_engine(settings)
        try:
            report = await import_feeds(
                async_sessionmaker(engine, expire_on_commit=False), settings, force=force
            )
            if report.written and settings.redis_url:
                await _announce_changes(settings)
            return report
        finally:
            await engine.dispose()

    report = _run(run())
    click.echo(f"{'feed':<40} {'status':<14} {'new':>5} {'changed':>8}")
    for o in (*report.feeds, *report.related):
        click.echo(f"{o.name[:40]:<40} {o.status:<14} {o.created:>5} {o.updated:>8}")
    for o in report.failures:
        click.echo(f"FAILED {o.name} (id {o.id}): {o.error}", err=True)
    if report.failures:
        raise Failure(f"{len(report.failures)} feed(s) failed; see above")


# --- events --------------------------------------------------------------------------------


@main.group()
def events() -> None:
    """Events: import the calendars' iCal feeds (the worker does it every hour)."""


@events.command("import-ics")
@click.option("--calendar", "calendar_slug", default=None, help="Only this calendar (its slug).")
@click.option("--force", is_flag=True, help="Download and import in full (ignore ETag/Last-Modified).")
@friendly
def events_import_ics(calendar_slug: str | None, force: bool) -> None:
    """Fetch every calendar's iCal feed and import its events; a calendar that fails is reported
    and skipped (exit status 1 after the others are stored)."""
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> Any:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        from pydotorg.core.db import create_engine
        from pydotorg.domains.events.ical import import_calendars

        engine = create_engine(settings)
        try:
            results = await import_calendars(
                async_sessionmaker(engine, expire_on_commit=False), calendar_slug=calendar_slug, force=force
            )
            if any(r.created or r.updated for r in results) and settings.redis_url:
                await _announce_changes(settings)
            return results
        finally:
            await engine.dispose()

    try:
        results = _run(run())
    except LookupError as exc:
        raise Failure(str(exc.args[0])) from None
    click.echo(f"{'calendar':<30} {'status':<14} {'events':>7} {'new':>5} {'changed':>8} {'skipped':>8}")
    for r in results:
        counts = f"{r.events:>7} {r.created:>5} {r.updated:>8} {len(r.skipped):>8}"
        click.echo(f"{r.calendar[:30]:<30} {r.status:<14} {counts}")
        for reason in r.skipped[:20]:
            click.echo(f"  skipped {reason}", err=True)
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        click.echo(f"FAILED {r.calendar}: {r.error}", err=True)
    if failed:
        raise Failure(f"{len(failed)} calendar(s) failed; see above")


# --- site ----------------------------------------------------------------------------------


@main.command("build-site")
@click.option("--api", "api_url", default=None, help="API base URL (default: PYDOTORG_SITE_API_URL).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Origin directory (default: <state>/site).",
)
@click.option("--full", is_flag=True, help="Fetch and render everything.")
@click.option("--api-key", default=None, help="Key with site.read_changes (default: PYDOTORG_SITE_API_KEY).")
@friendly
def build_site(api_url: str | None, out: Path | None, full: bool, api_key: str | None) -> None:
    """Build the static site from the API and publish it (incremental unless --full)."""
    import subprocess

    settings = _settings()
    key = api_key or settings.site_api_key or _stored_site_key(settings)
    if not key:
        raise Failure("an API key with site.read_changes is needed: --api-key or PYDOTORG_SITE_API_KEY")
    target = out or settings.site_dir
    args = [
        sys.executable,
        "-m",
        "sitebuilder.build",
        "--api",
        api_url or settings.site_api_url,
        "--out",
        str(target),
        "--site-url",
        settings.site_url,
        "--progress",
    ]
    if full:
        args.append("--full")
    env = {**os.environ, "PYDOTORG_SITE_API_KEY": key}
    result = subprocess.run(args, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise Failure(f"the build failed (exit status {result.returncode})")


def _stored_site_key(settings: Settings) -> str:
    path = settings.state_dir / "site-api-key"
    return path.read_text().strip() if path.exists() else ""


# --- OpenAPI -------------------------------------------------------------------------------


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("openapi/openapi.json"),
    show_default=True,
)
@click.option("--check", is_flag=True, help="Fail if the file differs from the app's schema.")
@friendly
def openapi(out: Path, check: bool) -> None:
    """Write (or check) the OpenAPI document generated from the app."""
    from pydotorg.openapi import render_openapi

    text = render_openapi()
    if check:
        current = out.read_text() if out.exists() else ""
        if current != text:
            raise Failure(f"{out} is out of date; run `make openapi`")
        click.echo(f"{out} is current")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
