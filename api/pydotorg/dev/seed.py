"""Demo data for development (``pydotorg seed --demo``, what ``make run`` loads): three demo
accounts, the site builder's account and API key, a few CMS pages, success stories, code samples,
community posts, the Python Insider feed, python.org's downloads at full scale, its boxes, menu
and events, and two upcoming events, python.org's sponsorship configuration with four demo
sponsors whose logos are on /psf/sponsors/, /downloads/ and the jobs sidebar; these go into an
empty database only.

Every run, on an empty or an already seeded database, also makes sure of what the demo's flows
need and adds only what is missing: python.org's job types and categories (``dev/data``, so the
job form has its required category list) and the "Editors" group, with the permissions the demo
``editor`` account is described with, holding that account."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import pydotorg.models  # noqa: F401  (every domain's named permissions, for the Editors group)
from pydotorg.core.db import create_engine, slugify, transaction
from pydotorg.core.permissions import Principal
from pydotorg.core.storage import Storage, create_storage, safe_name
from pydotorg.dev.paths import BENCH_DOWNLOADS, DEMO_DATA_DIR, PYTHON_ORG_DATA
from pydotorg.django_import import importer
from pydotorg.django_import.command import read_fixture
from pydotorg.domains.blogs.feeds import parse as parse_feed
from pydotorg.domains.blogs.feeds import store_entries
from pydotorg.domains.blogs.services import save_feed
from pydotorg.domains.codesamples.services import save_sample
from pydotorg.domains.community.services import save_post
from pydotorg.domains.downloads.release_cycle import load_file as load_release_cycle
from pydotorg.domains.events.services import calendar_by_slug, save_calendar, save_event
from pydotorg.domains.jobs.models import JobCategory, JobType
from pydotorg.domains.jobs.services import save_taxonomy
from pydotorg.domains.nominations.services import save_election, save_kind
from pydotorg.domains.pages.services import save_page
from pydotorg.domains.redirects.services import save_redirect
from pydotorg.domains.sponsors import models as sponsors
from pydotorg.domains.successstories.services import save_category, save_story
from pydotorg.domains.users import schemas as user_schemas
from pydotorg.domains.users.models import Group, GroupPermission, User, UserPermission, user_groups
from pydotorg.domains.users.services import create_api_key, create_group, create_user, set_grants
from pydotorg.settings import Settings

SITE_KEY_FILE = "site-api-key"
CREDENTIALS_FILE = "demo-credentials.txt"
JOB_TAXONOMY_FILE = DEMO_DATA_DIR / "job_taxonomy.json"
# The CMS pages python.org's menu and boxes link to (short stand-ins of ours, in Markdown), the
# user group calendar of its menu and one redirect: no link of the demo site is broken.
DEMO_LINKED_PAGES_FILE = DEMO_DATA_DIR / "demo_pages.json"

# The demo accounts: username, role, and the description printed with the password (the
# password stays the last word of the line: the benchmark reads it from there).
EDITORS_GROUP = "Editors"
DEMO_ACCOUNTS = (
    ("admin", "superuser", "superuser: everything"),
    (
        "editor",
        "staff",
        f"staff, {EDITORS_GROUP} group: moderates jobs; edits pages, events, success stories, "
        "community posts, boxes, banners and code samples",
    ),
    ("reader", "user", "user: posts jobs, suggests events, submits stories"),
)
# What the Editors group holds: what the editor's description above promises. Accounts, feature
# flags, downloads, board minutes and nominations stay with superusers and their own groups.
EDITOR_PERMISSIONS = (
    "jobs.moderate",
    "pages.add_page",
    "pages.change_page",
    "pages.delete_page",
    "events.add_event",
    "events.change_event",
    "events.delete_event",
    "events.view_submission",
    "events.add_eventcategory",
    "events.change_eventcategory",
    "events.add_eventlocation",
    "events.change_eventlocation",
    "successstories.add_story",
    "successstories.change_story",
    "successstories.delete_story",
    "successstories.add_storycategory",
    "successstories.change_storycategory",
    "companies.add_company",
    "companies.change_company",
    "community.add_post",
    "community.change_post",
    "community.delete_post",
    "boxes.add_box",
    "boxes.change_box",
    "banners.add_banner",
    "banners.change_banner",
    "banners.delete_banner",
    "codesamples.add_codesample",
    "codesamples.change_codesample",
    "codesamples.delete_codesample",
)
# Who grants the Editors group its permissions: the operator running the seed (a superuser's
# rights; no account of the database acts).
_OPERATOR = Principal(
    user_id=0, username="pydotorg seed", is_staff=True, is_superuser=True, is_active=True, method="cli"
)

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
# Demo sponsors (ours): name, package slug (python.org's imported 2022 packages), logo file in
# ``dev/data``. The package decides the walls: Visionary holds python.org's "Logo on
# python.org/downloads/", "Python Job Board support" and "Logo on python.org" benefits (logo
# placements psf/download, psf/jobs and psf/sponsors), Sustainability the last two, Supporting
# only the sponsors page.
DEMO_SPONSORS = (
    ("Pythonic Cloud", "visionary", "sponsor-pythonic-cloud.svg", "https://example.org/pythonic-cloud"),
    ("Snake Data Labs", "visionary", "sponsor-snake-data-labs.png", "https://example.org/snake-data-labs"),
    ("Indent Systems", "sustainability", "sponsor-indent-systems.png", "https://example.org/indent-systems"),
    ("Duck Typing Co.", "supporting", "sponsor-duck-typing.svg", "https://example.org/duck-typing"),
)
# The logo walls the demo sponsorships place logos on (the rest of a package's benefits are left
# out of the demo sponsorships).
DEMO_SPONSOR_PLACES = ("sponsors", "download", "jobs")

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
    return BENCH_DOWNLOADS


@dataclass
class SeedReport:
    """What one ``seed --demo`` added: the accounts created (username, description, password),
    the rows imported, and what the every-run part added (nothing on a second run)."""

    created: list[tuple[str, str, str]] = field(default_factory=list)
    imported: int = 0
    job_types: list[str] = field(default_factory=list)
    job_categories: list[str] = field(default_factory=list)
    editor_grants: list[str] = field(default_factory=list)

    @property
    def added_anything(self) -> bool:
        return bool(
            self.created or self.imported or self.job_types or self.job_categories or self.editor_grants
        )


def job_taxonomy() -> tuple[list[str], list[str]]:
    """python.org's job types and job categories (``dev/data/job_taxonomy.json``)."""
    data = json.loads(JOB_TAXONOMY_FILE.read_text())
    return list(data["job_types"]), list(data["job_categories"])


async def seed_demo(settings: Settings, fixture: Path) -> SeedReport:
    """Load the demo data into an empty database (nothing of it if users already exist), then,
    on any database, add the job types and categories and the editor's grants that are
    missing (``SeedReport``). One transaction: all of it or nothing."""
    engine = create_engine(settings)
    report = SeedReport()
    try:
        async with transaction(async_sessionmaker(engine, expire_on_commit=False)) as s:
            if not await s.scalar(select(func.count()).select_from(User)):
                report.created, report.imported = await _seed_empty(s, settings, fixture)
            types, categories = job_taxonomy()
            report.job_types = await _ensure_taxonomy(s, JobType, types)
            report.job_categories = await _ensure_taxonomy(s, JobCategory, categories)
            report.editor_grants = await _ensure_editors(s)
    finally:
        await engine.dispose()
    return report


async def _ensure_taxonomy(
    s: AsyncSession, model: type[JobType | JobCategory], names: list[str]
) -> list[str]:
    """Add the names that neither an existing name (any case) nor slug already stands for."""
    rows = (await s.execute(select(model.name, model.slug))).all()
    taken = {name.casefold() for name, _ in rows} | {slug for _, slug in rows}
    added = []
    for name in names:
        if name.casefold() in taken or slugify(name) in taken:
            continue
        await save_taxonomy(s, model, {"name": name})
        taken |= {name.casefold(), slugify(name)}
        added.append(name)
    return added


async def _ensure_editors(s: AsyncSession) -> list[str]:
    """The Editors group with every permission of ``EDITOR_PERMISSIONS``, and the ``editor``
    account in it (when that account exists); returns what was added."""
    added: list[str] = []
    group = await s.scalar(select(Group).where(Group.name == EDITORS_GROUP))
    if group is None:
        await create_group(
            s, _OPERATOR, user_schemas.GroupCreate(name=EDITORS_GROUP, permissions=list(EDITOR_PERMISSIONS))
        )
        added += [f"{EDITORS_GROUP}: {p}" for p in EDITOR_PERMISSIONS]
    else:
        held = set(
            await s.scalars(select(GroupPermission.permission).where(GroupPermission.group_id == group.id))
        )
        missing = [p for p in EDITOR_PERMISSIONS if p not in held]
        s.add_all(GroupPermission(group_id=group.id, permission=p) for p in missing)
        await s.flush()
        added += [f"{EDITORS_GROUP}: {p}" for p in missing]
    editor = await s.scalar(select(User).where(User.username == "editor"))
    if editor is not None:
        groups = set(
            await s.scalars(
                select(Group.name)
                .join(user_groups, user_groups.c.group_id == Group.id)
                .where(user_groups.c.user_id == editor.id)
            )
        )
        if EDITORS_GROUP not in groups:
            await set_grants(
                s, _OPERATOR, editor, user_schemas.GrantsUpdate(groups=sorted(groups | {EDITORS_GROUP}))
            )
            added.append(f"editor: {EDITORS_GROUP} group")
    return added


async def _seed_empty(
    s: AsyncSession, settings: Settings, fixture: Path
) -> tuple[list[tuple[str, str, str]], int]:
    """What goes into an empty database only: the accounts, content and python.org's data."""
    created: list[tuple[str, str, str]] = []
    imported = 0
    for username, role, description in DEMO_ACCOUNTS:
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
        created.append((username, description, password))
    builder = await create_user(
        s,
        username="site-builder",
        email="site-builder@example.org",
        password=None,
        email_verified=True,
    )
    builder.public_profile = False  # a service account: no /users/site-builder/ page
    s.add(UserPermission(user_id=builder.id, permission="site.read_changes"))
    _, site_key = await create_api_key(s, builder.id, "site builder")
    key_path = settings.state_dir / SITE_KEY_FILE
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_text(site_key + "\n")
    key_path.chmod(0o600)
    for title, path, content in DEMO_PAGES:
        await save_page(s, {"title": title, "path": path, "content": content})
    linked = json.loads(DEMO_LINKED_PAGES_FILE.read_text())
    for page in linked["pages"]:
        await save_page(s, {**page, "content_markup_type": "markdown"})
    for redirect in linked["redirects"]:
        await save_redirect(s, redirect)
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
    saved_feed = PYTHON_ORG_DATA / "psf_feed_example.xml"
    if saved_feed.exists():
        parsed = parse_feed(
            saved_feed.read_bytes(),
            base_url=settings.python_blog_feed_url,
            content_type="application/atom+xml",
            python_blog_url=settings.python_blog_url,
        )
        await store_entries(s, insider, parsed.entries)
    # python.org's downloads at full scale, its real boxes and navigation menu.
    for source in (
        fixture,
        PYTHON_ORG_DATA / "boxes.json",
        PYTHON_ORG_DATA / "sitetree_menus.json",
        PYTHON_ORG_DATA / "events.json",  # python.org's small events fixture (its creator: admin)
        PYTHON_ORG_DATA / "sponsors.json",  # python.org's sponsorship configuration (2022)
        # python.org's feature flags: sponsorship applications open to everyone, the PSF
        # membership page for superusers (and waffle's testing mode).
        PYTHON_ORG_DATA / "flags.json",
    ):
        if source.exists():
            report, _ = await importer.run(s, read_fixture(source))
            imported += sum(report.written.values())
    # The PEPs release-cycle data as saved in data/, so /downloads/ has its "Active Python
    # Releases" table offline; the worker's hourly downloads.refresh_release_cycle refreshes it.
    release_cycle_file = PYTHON_ORG_DATA / "release-cycle.json"
    if release_cycle_file.exists():
        stored = await load_release_cycle(s, release_cycle_file.read_bytes())
        imported += len(stored.created)
    # The calendars python.org's menu links to beyond its fixture's (after the import: it
    # writes python.org's primary keys).
    for calendar in linked["calendars"]:
        await save_calendar(s, calendar)
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
    await _seed_sponsors(s, storage)
    # An open PSF Board election, so a new person can nominate someone on ``make run``.
    board = await save_kind(s, {"name": "PSF Board", "nomination_form": "board"})
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    await save_election(
        s,
        {
            "name": f"{now.year} PSF Board Election (demo)",
            "date": (now + timedelta(days=45)).date(),
            "kind": board.slug,
            "nominations_open_at": now - timedelta(days=1),
            "nominations_close_at": now + timedelta(days=30),
            "description": "A demo election of ``make run``: nominations are open for 30 days.",
        },
    )
    return created, imported


async def _seed_sponsors(s: AsyncSession, storage: Storage) -> None:
    """The demo sponsors (``DEMO_SPONSORS``): each with its logo stored as uploads are, and a
    finalized sponsorship running from 30 days ago for a year in its package, holding copies of
    the package's benefits that place a logo on a PSF wall (``DEMO_SPONSOR_PLACES``) with their
    logo-placement features. Nothing when python.org's configuration was not imported."""
    today = datetime.now(UTC).date()
    placed = (
        select(sponsors.BenefitFeatureConfiguration)
        .join(
            sponsors.benefit_packages,
            sponsors.benefit_packages.c.benefit_id == sponsors.BenefitFeatureConfiguration.benefit_id,
        )
        .where(
            sponsors.BenefitFeatureConfiguration.kind == sponsors.LOGO_PLACEMENT,
            sponsors.BenefitFeatureConfiguration.publisher == "psf",
            sponsors.BenefitFeatureConfiguration.logo_place.in_(DEMO_SPONSOR_PLACES),
        )
    )
    for name, package_slug, logo_file, landing_page in DEMO_SPONSORS:
        package = await s.scalar(
            select(sponsors.SponsorshipPackage)
            .where(sponsors.SponsorshipPackage.slug == package_slug)
            .order_by(sponsors.SponsorshipPackage.year.desc().nulls_last(), sponsors.SponsorshipPackage.id)
            .limit(1)
        )
        if package is None:
            continue
        logo = await storage.save(
            safe_name("sponsors/logos", logo_file), (DEMO_DATA_DIR / logo_file).read_bytes()
        )
        sponsor = sponsors.Sponsor(
            name=name,
            description=f"{name} is a demo sponsor of ``make run``.",
            landing_page_url=landing_page,
            web_logo=logo,
            primary_phone="+1 555 0100",
            mailing_address_line_1="1 Demo Street",
            city="Wilmington",
            state="DE",
            postal_code="19801",
            country="US",
        )
        s.add(sponsor)
        await s.flush()
        sponsorship = sponsors.Sponsorship(
            sponsor_id=sponsor.id,
            status=sponsors.FINALIZED,
            start_date=today - timedelta(days=30),
            end_date=today + timedelta(days=335),
            applied_on=today - timedelta(days=60),
            approved_on=today - timedelta(days=45),
            finalized_on=today - timedelta(days=31),
            year=package.year,
            package_id=package.id,
            sponsorship_fee=package.sponsorship_amount,
        )
        s.add(sponsorship)
        await s.flush()
        configurations = (
            await s.scalars(
                placed.where(sponsors.benefit_packages.c.package_id == package.id).order_by(
                    sponsors.BenefitFeatureConfiguration.id
                )
            )
        ).all()
        copies: dict[int, sponsors.SponsorBenefit] = {}
        for configuration in configurations:
            copy = copies.get(configuration.benefit_id)
            if copy is None:
                benefit = await s.get_one(sponsors.SponsorshipBenefit, configuration.benefit_id)
                copy = sponsors.SponsorBenefit(
                    sponsorship_id=sponsorship.id,
                    sponsorship_benefit_id=benefit.id,
                    program_id=benefit.program_id,
                    name=benefit.name,
                    description=benefit.description or "",
                    order=benefit.order,
                    benefit_internal_value=benefit.internal_value,
                )
                s.add(copy)
                await s.flush()
                copies[benefit.id] = copy
            s.add(
                sponsors.BenefitFeature(
                    sponsor_benefit_id=copy.id,
                    kind=sponsors.LOGO_PLACEMENT,
                    publisher=configuration.publisher,
                    logo_place=configuration.logo_place,
                    link_to_sponsors_page=configuration.link_to_sponsors_page,
                    describe_as_sponsor=configuration.describe_as_sponsor,
                )
            )
        await s.flush()


def write_credentials(settings: Settings, created: list[tuple[str, str, str]]) -> tuple[Path, list[str]]:
    """The demo accounts' passwords, in a file only the owner reads."""
    lines = [f"{u} ({description}): password {pw}" for u, description, pw in created]
    path = credentials_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path, lines


def stored_site_key(settings: Settings) -> str:
    """The site builder's API key that the demo seed saved, or ""."""
    path = settings.state_dir / SITE_KEY_FILE
    return path.read_text().strip() if path.exists() else ""


def credentials_path(settings: Settings) -> Path:
    return settings.state_dir / CREDENTIALS_FILE


def stored_credentials(settings: Settings) -> list[str]:
    """The demo accounts' lines that the first seed wrote (``write_credentials``), or []."""
    path = credentials_path(settings)
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line.strip()]
