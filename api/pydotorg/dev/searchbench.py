"""The search benchmark's data and queries (``make bench``, issue 16), shared with the relevance
test (tests/api/test_search_relevance.py).

The data is python.org's downloads (600 releases, 15,538 files, ``data/bench``) plus, as Django
dumpdata so it loads through the importer like python.org's own: 5,000 events in python.org's two
calendars, named as python.org's events are (conference series and user-group meetups in real
cities, 2020-2034), 2,000 job listings with the board's real categories and types, and python.org's
main CMS pages (their real paths and titles, a short description each).

``QUERIES`` are 50 things people type into python.org's search box, with the result a person
would expect first: a release by its version or series and platform, an event, a job, a page,
misspellings included.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx

EVENT_COUNT = 5000
JOB_COUNT = 2000

CONFERENCES = (
    ("PyCon US", "Pittsburgh", "David L. Lawrence Convention Center", "USA"),
    ("EuroPython", "Prague", "Prague Congress Centre", "Czechia"),
    ("PyCon UK", "Cardiff", "Cardiff City Hall", "United Kingdom"),
    ("PyCon India", "Bengaluru", "NIMHANS Convention Centre", "India"),
    ("PyCon Africa", "Accra", "University of Ghana", "Ghana"),
    ("PyCon APAC", "Manila", "De La Salle University", "Philippines"),
    ("PyCon AU", "Melbourne", "Melbourne Convention Centre", "Australia"),
    ("DjangoCon US", "Durham", "Durham Convention Center", "USA"),
    ("DjangoCon Europe", "Dublin", "Dublin Convention Centre", "Ireland"),
    ("SciPy Conference", "Tacoma", "Tacoma Convention Center", "USA"),
    ("PyOhio", "Cleveland", "Cleveland State University", "USA"),
    ("PyCascades", "Portland", "Portland Art Museum", "USA"),
    ("Python Brasil", "Sao Paulo", "Centro de Convencoes", "Brazil"),
    ("PyCon DE & PyData", "Darmstadt", "darmstadtium", "Germany"),
    ("PyCon Italia", "Florence", "Hotel Mediterraneo", "Italy"),
    ("PyCon JP", "Tokyo", "Ariake Central Tower", "Japan"),
    ("PyCon Kenya", "Nairobi", "Strathmore University", "Kenya"),
    ("PyCon Lithuania", "Vilnius", "Vilnius Tech", "Lithuania"),
)
MEETUPS = ("PyData", "Django Girls", "PyLadies", "Python User Group", "Python Sprint", "Python Meetup")
CITIES = (
    ("Berlin", "Germany"),
    ("London", "United Kingdom"),
    ("Paris", "France"),
    ("Lagos", "Nigeria"),
    ("Toronto", "Canada"),
    ("Chicago", "USA"),
    ("Seattle", "USA"),
    ("Austin", "USA"),
    ("Boston", "USA"),
    ("Amsterdam", "Netherlands"),
    ("Madrid", "Spain"),
    ("Warsaw", "Poland"),
    ("Stockholm", "Sweden"),
    ("Singapore", "Singapore"),
    ("Seoul", "South Korea"),
    ("Mexico City", "Mexico"),
    ("Buenos Aires", "Argentina"),
    ("Cape Town", "South Africa"),
    ("Sydney", "Australia"),
    ("Zurich", "Switzerland"),
    ("Lisbon", "Portugal"),
    ("Kyiv", "Ukraine"),
    ("Jakarta", "Indonesia"),
    ("Bogota", "Colombia"),
)
JOB_TITLES = (
    "Senior Python Developer",
    "Django Developer",
    "Backend Engineer (Python)",
    "Data Engineer",
    "Machine Learning Engineer",
    "Data Scientist",
    "DevOps Engineer",
    "Full Stack Developer (Django and React)",
    "Python Instructor",
    "Site Reliability Engineer",
    "Software Engineer in Test",
    "Scientific Software Developer",
    "FastAPI Backend Developer",
    "Flask Developer",
    "Quantitative Developer",
    "Research Software Engineer",
    "Platform Engineer",
    "Computer Vision Engineer",
    "NLP Engineer",
    "Python Tutor",
)
COMPANIES = (
    "Acme Widgets",
    "Initech",
    "Globex",
    "Umbrella Analytics",
    "Stark Robotics",
    "Wayne Logistics",
    "Tyrell Systems",
    "Hooli",
    "Pied Piper",
    "Soylent Foods",
    "Vandelay Industries",
    "Cyberdyne Research",
    "Monsters University",
    "Oceanic Airlines",
    "Wonka Labs",
    "Gringotts Bank",
)
# Not python.org's own job taxonomy, which the demo seed adds to the same database in the benchmark.
JOB_CATEGORIES = (
    "Software Engineering",
    "Data Science",
    "DevOps",
    "Education",
    "Research Computing",
    "Management",
)
JOB_TYPES = (
    "Full Time",
    "Part Time",
    "Contract",
    "Web Services",
    "Cloud Native",
    "Data Platforms",
    "AI and Machine Learning",
    "Quality Assurance",
)
PAGES = (
    (
        "about",
        "About Python",
        "Python is a programming language that lets you work quickly and integrate systems.",
    ),
    (
        "about/gettingstarted",
        "Python For Beginners",
        "Getting started with Python: install it, read a tutorial.",
    ),
    ("about/help", "Python Help", "Where to get help with Python: mailing lists, forums, the FAQ."),
    ("about/apps", "Applications for Python", "Web development, data science, education and desktop GUIs."),
    ("about/quotes", "Quotes about Python", "What companies and people say about using Python."),
    ("about/legal", "Legal Statements", "Copyright, trademarks and the privacy notice of python.org."),
    ("psf/about", "About the Python Software Foundation", "The PSF holds Python's intellectual property."),
    (
        "psf/membership",
        "PSF Membership",
        "Become a member of the Python Software Foundation: basic, supporting.",
    ),
    ("psf/donations", "Donate to the PSF", "Your donation supports the Python community and PyCon US."),
    (
        "psf/grants",
        "PSF Grants Program",
        "The PSF funds Python workshops, sprints and conferences worldwide.",
    ),
    ("psf/codeofconduct", "Python Software Foundation Code of Conduct", "Our community's code of conduct."),
    (
        "psf/trademarks",
        "Trademark Usage Policy",
        "How to use the Python name and logos under the trademark policy.",
    ),
    ("psf/bylaws", "Bylaws of the Python Software Foundation", "The PSF's bylaws as amended by the members."),
    ("psf/sponsorship", "Sponsor the PSF", "Sponsorship packages for companies that support Python."),
    ("psf/volunteer", "Volunteer for the PSF", "Help the PSF: work groups, events and infrastructure."),
    ("psf/records", "PSF Public Records", "Board resolutions, meeting minutes and annual reports."),
    ("psf/committees", "PSF Work Groups", "The PSF's work groups and committees and their charters."),
    ("psf/license", "History and License", "The Python license, the PSF license agreement."),
    ("community/irc", "Python on IRC", "Chat with Python developers on Libera.Chat in #python."),
    ("community/lists", "Mailing Lists", "Python's mailing lists: python-list, python-announce, tutor."),
    ("community/sigs", "Special Interest Groups", "SIGs work on a topic: packaging, science, education."),
    ("community/logos", "The Python Logo", "Download the Python logo and read how it may be used."),
    (
        "community/diversity",
        "Diversity Statement",
        "The PSF welcomes and encourages participation by everyone.",
    ),
    ("community/workshops", "Python Conferences and Workshops", "Conferences around the world about Python."),
    ("community/merchandise", "Python Merchandise", "T-shirts and stickers with the Python logo."),
    ("community/forums", "Python Forums", "Discussion forums where the community talks about Python."),
    ("community/awards", "PSF Community Service Awards", "Awards for service to the Python community."),
    (
        "dev",
        "Python Developer's Guide",
        "Contribute to CPython: the devguide, the issue tracker and reviews.",
    ),
    ("dev/core-mentorship", "Core Mentorship", "A mentorship program for new contributors to CPython."),
    ("download/other", "Python for Other Platforms", "Ports of Python to other operating systems."),
    ("download/alternatives", "Alternative Python Implementations", "PyPy, MicroPython, GraalPy, Jython."),
    ("doc/essays", "Python Essays", "Essays on Python's design by Guido van Rossum and others."),
    ("doc/av", "Audio and Video Talks", "Recorded talks about Python from conferences."),
    (
        "news/security",
        "Python Security",
        "How to report a security issue in Python to the security response team.",
    ),
    ("success-stories/submit", "Submit a Success Story", "Tell the world how you use Python."),
)

# python.org's pages carry keywords (Page.keywords); these are the ones its pages use for the words
# people search them by.
PAGE_KEYWORDS = {
    "about/gettingstarted": "getting started beginners tutorial install",
    "news/security": "security vulnerability report PSRT",
    "psf/codeofconduct": "code of conduct CoC",
}

# (what a person types, the type and title of the result they expect first)
QUERIES: tuple[tuple[str, str, str], ...] = (
    # Releases: by version, series, platform and file.
    ("3.12", "release", "Python 3.12.14"),
    ("3.12 windows", "release", "Python 3.12.11"),
    ("python 3.13", "release", "Python 3.13.14"),
    ("python 3.14", "release", "Python 3.14.5"),
    ("3.11.4", "release", "Python 3.11.4"),
    ("2.7.18", "release", "Python 2.7.18"),
    ("python 2.7", "release", "Python 2.7.18"),
    ("3.9", "release", "Python 3.9.25"),
    ("3.15", "release", "Python 3.15.0rc2"),
    ("3.13.0", "release", "Python 3.13.0"),
    ("python 3.6.15", "release", "Python 3.6.15"),
    ("macos installer", "release", "Python 3.14.5"),
    ("windows installer 3.10", "release", "Python 3.10.13"),
    ("source tarball 3.8", "release", "Python 3.8.20"),
    ("install manager", "release", "Python install manager 26.2"),
    # Events and calendars: the next edition first.
    ("pycon", "event", "PyCon US 2027"),
    ("pycon us 2027", "event", "PyCon US 2027"),
    ("europython", "event", "EuroPython 2027"),
    ("djangocon", "event", "DjangoCon US 2027"),
    ("djangocon europe", "event", "DjangoCon Europe 2027"),
    ("pycon india", "event", "PyCon India 2027"),
    ("scipy conference", "event", "SciPy Conference 2027"),
    ("pycon africa 2028", "event", "PyCon Africa 2028"),
    ("pyohio", "event", "PyOhio 2027"),
    ("python events", "calendar", "Python Events"),
    ("user group events", "calendar", "User Group Events"),
    # Jobs, job types and categories.
    ("django developer remote", "job", "Django Developer"),
    ("django developer", "job", "Django Developer"),
    ("data scientist", "job", "Data Scientist"),
    ("machine learning", "jobtype", "AI and Machine Learning"),
    ("data science", "jobcategory", "Data Science"),
    ("devops engineer", "job", "DevOps Engineer"),
    ("flask developer", "job", "Flask Developer"),
    ("fastapi", "job", "FastAPI Backend Developer"),
    ("contract", "jobtype", "Contract"),
    ("research software engineer", "job", "Research Software Engineer"),
    # Pages.
    ("code of conduct", "page", "Python Software Foundation Code of Conduct"),
    ("membership", "page", "PSF Membership"),
    ("grants", "page", "PSF Grants Program"),
    ("mailing lists", "page", "Mailing Lists"),
    ("irc", "page", "Python on IRC"),
    ("trademark", "page", "Trademark Usage Policy"),
    ("security", "page", "Python Security"),
    ("getting started", "page", "Python For Beginners"),
    ("donate", "page", "Donate to the PSF"),
    # Misspellings.
    ("pyhton 3.10", "release", "Python 3.10.20"),
    ("djnago developer", "job", "Django Developer"),
    ("europyton", "event", "EuroPython 2027"),
    ("memebership", "page", "PSF Membership"),
    ("trademrk", "page", "Trademark Usage Policy"),
)


def fixture() -> list[dict[str, Any]]:
    """The events, jobs and pages above as Django dumpdata rows."""
    rows: list[dict[str, Any]] = []
    for pk, (name, slug) in enumerate(
        (("Python Events", "python-events"), ("User Group Events", "python-user-group")), 1
    ):
        rows.append({"model": "events.calendar", "pk": pk, "fields": {"name": name, "slug": slug}})
    venues: dict[str, int] = {}

    def venue(name: str, address: str) -> int:
        if name not in venues:
            venues[name] = len(venues) + 1
            rows.append(
                {
                    "model": "events.eventlocation",
                    "pk": venues[name],
                    "fields": {"name": name, "address": address, "calendar": 1},
                }
            )
        return venues[name]

    for pk in range(1, EVENT_COUNT + 1):
        # Each conference once a year, 2020-2034 (270 of them); the rest are user-group meetups.
        conference = pk % 18 == 0 and pk // 18 <= len(CONFERENCES) * 15
        number = pk // 18 - 1
        year = 2020 + (number // len(CONFERENCES) if conference else pk % 15)
        if conference:
            series, city, hall, country = CONFERENCES[number % len(CONFERENCES)]
            title = f"{series} {year}"
            location = venue(hall, f"{city}, {country}")
            calendar = 1
        else:
            city, country = CITIES[pk % len(CITIES)]
            title = f"{MEETUPS[pk % len(MEETUPS)]} {city}"
            location = venue(f"{city} Python Hub", f"{city}, {country}")
            calendar = 2
        start = f"{year}-{1 + pk % 12:02d}-{1 + pk % 28:02d}T09:00:00Z"
        rows.append(
            {
                "model": "events.event",
                "pk": pk,
                "fields": {
                    "title": title,
                    "calendar": calendar,
                    "venue": location,
                    "description": f"Talks, tutorials and sprints in {title.split(' ')[0]} (edition {pk}).",
                    "featured": title.startswith("PyCon US"),
                },
            }
        )
        rows.append(
            {
                "model": "events.occurringrule",
                "pk": pk,
                "fields": {"event": pk, "dt_start": start, "dt_end": start.replace("T09:00", "T17:00")},
            }
        )
    for pk, name in enumerate(JOB_CATEGORIES, 1):
        slug = name.lower().replace(" ", "-")
        rows.append(
            {"model": "jobs.jobcategory", "pk": pk, "fields": {"name": name, "slug": slug, "active": True}}
        )
    for pk, name in enumerate(JOB_TYPES, 1):
        slug = name.lower().replace(" ", "-")
        rows.append(
            {"model": "jobs.jobtype", "pk": pk, "fields": {"name": name, "slug": slug, "active": True}}
        )
    for pk in range(1, JOB_COUNT + 1):
        title = JOB_TITLES[pk % len(JOB_TITLES)]
        city, country = CITIES[pk % len(CITIES)]
        rows.append(
            {
                "model": "jobs.job",
                "pk": pk,
                "fields": {
                    "job_title": title,
                    "company_name": COMPANIES[pk % len(COMPANIES)],
                    "category": 1 + pk % len(JOB_CATEGORIES),
                    "job_types": sorted({1 + pk % 3, 4 + pk % 5}),
                    "city": city,
                    "country": country,
                    "description": f"We are hiring a {title} to work on our Python services ({pk}).",
                    "requirements": "Several years of Python.",
                    "email": f"jobs{pk}@example.org",
                    "url": "https://example.org/jobs",
                    "status": "approved",
                    "telecommuting": pk % 3 == 0,
                    "created": f"2026-{1 + pk % 11:02d}-{1 + pk % 27:02d}T12:00:00Z",
                    "expires": "2099-01-01T00:00:00Z",
                },
            }
        )
    for pk, (path, title, text) in enumerate(PAGES, 1):
        rows.append(
            {
                "model": "pages.page",
                "pk": pk,
                "fields": {
                    "title": title,
                    "path": path,
                    "keywords": PAGE_KEYWORDS.get(path, ""),
                    "content": text,
                    "content_markup_type": "markdown",
                    "is_published": True,
                },
            }
        )
    return rows


def wrk_script(queries: tuple[tuple[str, str, str], ...] = QUERIES) -> str:
    """A wrk script that sends the queries in turn, each connection from its own place in the list."""
    paths = ",\n".join(f'  "/api/v3/search?q={quote_plus(q)}"' for q, _, _ in queries)
    return (
        f"local paths = {{\n{paths}\n}}\n"
        "local i = math.random(#paths)\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


def misses(get: Any) -> list[str]:
    """Every query whose first result is not the expected one; ``get(q)`` returns the API's answer."""
    wrong = []
    for q, type_, title in QUERIES:
        results = get(q)["results"]
        top = (results[0]["type"], results[0]["title"]) if results else None
        if top != (type_, title):
            wrong.append(f"{q!r}: expected {type_} {title!r}, got {top}")
    return wrong


def run(cli: list[str], env: dict[str, str], base: str, wrk: Any, serving: Any, seconds: int = 20) -> int:
    """Reindex from scratch (timed), check every query's first result, then load the search API
    with the queries in turn: ``wrk(url, script, seconds)`` returns (requests/s, p99 ms). The
    target is met with the answer cache (the API at ``base``); the same load on a second API
    without it (``serving(cli, env)``) is the uncached path, reported next to it."""
    started = time.perf_counter()
    result = subprocess.run([*cli, "search", "reindex"], env=env, capture_output=True, text=True)  # noqa: S603
    seconds_taken = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        return 1
    documents = int(result.stdout.rsplit("Indexed ", 1)[1].split(" ")[0])
    reindex_ok = seconds_taken < 20
    print(
        f"\nsearch reindex from scratch (PostgreSQL): {documents:,} documents in {seconds_taken:.1f} s "
        f"(target < 20 s) {'ok' if reindex_ok else 'TOO SLOW'}"
    )
    with httpx.Client(base_url=base, timeout=10) as client:
        wrong = misses(lambda q: client.get("/api/v3/search", params={"q": q}).raise_for_status().json())
    for line in wrong:
        print(f"  first result: {line}")
    found = len(QUERIES) - len(wrong)
    print(f"search relevance: {found}/{len(QUERIES)} queries have the expected first result")
    script = Path(env.get("PYDOTORG_STATE_DIR", ".")) / "search-queries.lua"
    script.write_text(wrk_script())
    wrk(base + "/api/v3/search", script, 2)  # the 2 s warm-up every row of the benchmark has
    rps, p99 = wrk(base + "/api/v3/search", script, seconds)
    load_ok = p99 < 25
    print(
        f"search API, {len(QUERIES)} queries in turn, 32 connections, {seconds} s: {rps:,.0f} req/s, "
        f"p99 {p99:.1f} ms (target p99 < 25 ms) {'ok' if load_ok else 'ABOVE TARGET'}"
    )
    with serving(cli, {**env, "PYDOTORG_SEARCH_CACHE_BYTES": "0"}) as uncached:
        wrk(uncached + "/api/v3/search", script, 2)
        rps, p99 = wrk(uncached + "/api/v3/search", script, seconds)
    print(
        "  the same without the answer cache (each search runs its query): "
        f"{rps:,.0f} req/s, p99 {p99:.0f} ms"
    )
    return 0 if reindex_ok and load_ok and not wrong else 1
