"""Demo data for development (``pydotorg seed --demo``, what ``make run`` loads): three demo
accounts, the site builder's account and API key, a few CMS pages, success stories, code samples,
community posts, the Python Insider feed, python.org's downloads at full scale, its boxes, menu
and events, and two upcoming events."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pydotorg.core.db import create_engine, transaction
from pydotorg.core.storage import create_storage
from pydotorg.dev.paths import shared_data_dir
from pydotorg.django_import import importer
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
from pydotorg.settings import Settings

SITE_KEY_FILE = "site-api-key"
CREDENTIALS_FILE = "demo-credentials.txt"

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


def default_downloads_fixture() -> Path:
    return shared_data_dir() / "bench" / "downloads.json"


async def seed_demo(settings: Settings, fixture: Path) -> tuple[list[tuple[str, str, str]], int]:
    """Load the demo data into an empty database; returns the accounts created (username, role,
    password) and how many rows were imported. Does nothing if users already exist."""
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
            key_path = settings.state_dir / SITE_KEY_FILE
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
                await save_sample(s, {"code": code, "copy": copy, "is_published": True, "sort_order": order})
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


def write_credentials(settings: Settings, created: list[tuple[str, str, str]]) -> tuple[Path, list[str]]:
    """The demo accounts' passwords, in a file only the owner reads."""
    lines = [f"{u} ({role}): password {pw}" for u, role, pw in created]
    path = settings.state_dir / CREDENTIALS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path, lines


def stored_site_key(settings: Settings) -> str:
    """The site builder's API key that the demo seed saved, or ""."""
    path = settings.state_dir / SITE_KEY_FILE
    return path.read_text().strip() if path.exists() else ""
