"""Reading python.org's Django database: a database with Django's table layout is filled with the
shared python.org data and hand-written rows for the models that data lacks, and the reader must
give back the same ``dumpdata`` objects, from one snapshot, reporting tables that are missing.

Where the read legitimately differs from the input, the comparison says so:

- references to users: the fixtures use natural keys (``["admin"]``, ``dumpdata
  --natural-foreign``); the reader writes primary keys. Both sides are compared as ids.
- datetimes: fixtures carry milliseconds (``…18:43:33.081Z``, Django's JSON encoder); the reader
  keeps the database's microseconds (``…18:43:33.081000Z``). Compared as instants.
- many-to-many lists: the reader sorts them; the input's order is not kept.
- fields the input leaves out (e.g. a release file's ``created`` and ``description``): the read has
  them with the model default the loader stored (``LoadReport.defaulted``), or ``[]`` for a
  many-to-many field.
- content types (a polymorphic row's ``polymorphic_ctype``, an asset's ``content_type``) travel as
  natural keys ``[app_label, model]`` both ways, so they compare equal as they are.
- the two sponsors dumps repeat the 2022 configuration: as with ``loaddata``, the object that
  comes last for a (model, pk) is the one loaded, and the one compared.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid
from collections.abc import AsyncIterator, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from pydotorg.core.importing import parse_dt
from pydotorg.dev.paths import BENCH_DOWNLOADS, PYTHON_ORG_DATA, python_org_dumps
from pydotorg.django_import.command import read_fixture
from pydotorg.django_import.django_db import (
    LoadReport,
    create_django_database,
    drop_django_database,
    load_objects,
    table_columns,
)
from pydotorg.django_import.layout import LAYOUT, USER
from pydotorg.django_import.source import (
    MissingTable,
    asyncpg_dsn,
    dumpdata_value,
    read_django_database,
    source_counts,
)

# Every dumpdata file (not the release-cycle data or the funding manifest beside them).
FIXTURES = [
    *python_org_dumps(),
    BENCH_DOWNLOADS,
]
TOKEN = "0123456789abcdef0123456789abcdef01234567"
PERMISSION_KEYS = [["change_box", "boxes", "box"], ["can_moderate_jobs", "jobs", "job"]]

# The labels the shared data lacks (or lacks variety in): every LAYOUT label gets rows.
HAND_WRITTEN: list[dict[str, Any]] = [
    {
        "model": "users.user",
        "pk": 10,
        "fields": {
            "password": "pbkdf2_sha256$150000$salt$hash=",
            "last_login": "2024-03-01T10:11:12.123456Z",
            "username": "Guido",
            "email": "guido@example.com",
            "first_name": "Guido",
            "last_name": "van Rossum",
            "date_joined": "2013-01-01T00:00:00Z",
            "bio": "BDFL *emeritus*",
            "_bio_rendered": "<p>BDFL <em>emeritus</em></p>",
            "is_staff": True,
            "groups": [1],
            "user_permissions": [["change_box", "boxes", "box"], ["can_moderate_jobs", "jobs", "job"]],
        },
    },
    {
        "model": "users.user",
        "pk": 11,
        "fields": {
            "password": "!",
            "username": "barry",
            "email": "barry@example.com",
            "public_profile": False,
        },
    },
    {"model": "auth.group", "pk": 1, "fields": {"name": "Job Board Admin", "permissions": PERMISSION_KEYS}},
    {"model": "auth.group", "pk": 2, "fields": {"name": "Empty", "permissions": []}},
    {
        "model": "users.usergroup",
        "pk": 7,
        "fields": {
            "name": "PyAtl",
            "location": "Atlanta, GA",
            "url": "https://www.meetup.com/python-atlanta/",
            "url_type": "meetup",
            "start_date": "2009-01-08",
            "approved": True,
        },
    },
    {
        "model": "account.emailaddress",
        "pk": 10,
        "fields": {"user": ["guido"], "email": "guido@example.com", "verified": True, "primary": True},
    },
    {"model": "account.emailaddress", "pk": 11, "fields": {"user": 11, "email": "barry@example.org"}},
    {
        "model": "users.membership",
        "pk": 1,
        "fields": {
            "creator": ["guido"],
            "membership_type": 5,
            "legal_name": "Guido van Rossum",
            "preferred_name": "Guido",
            "email_address": "guido@example.com",
            "country": "USA",
            "psf_code_of_conduct": True,
            "psf_announcements": None,
            "votes": True,
            "last_vote_affirmation": "2024-01-02T03:04:05.123456Z",
            "created": "2015-01-01T00:00:00Z",
            "updated": "2024-01-02T03:04:05Z",
        },
    },
    {
        "model": "tastypie.apikey",
        "pk": 1,
        "fields": {"user": 10, "key": "a" * 40, "created": "2014-02-03T04:05:06Z"},
    },
    {"model": "authtoken.token", "pk": TOKEN, "fields": {"user": 11, "created": "2020-05-06T07:08:09.5Z"}},
    {"model": "sites.site", "pk": 1, "fields": {"domain": "www.python.org", "name": "Python.org"}},
    {"model": "redirects.redirect", "pk": 1, "fields": {"site": 1, "old_path": "/old/", "new_path": "/new/"}},
    {"model": "redirects.redirect", "pk": 2, "fields": {"site": 1, "old_path": "/gone/", "new_path": ""}},
    {
        "model": "waffle.flag",
        "pk": 3,
        "fields": {
            "name": "beta",
            "everyone": False,
            "percent": "12.5",
            "note": "",
            "created": "2023-01-01T00:00:00Z",
            "modified": "2023-01-01T00:00:00Z",
            "groups": [2, 1],
            "users": [["barry"], 10],
        },
    },
    {
        "model": "sitetree.treeitem",
        "pk": 1000,
        "fields": {
            "title": "Staff",
            "url": "/admin/",
            "tree": 1,
            "parent": 1,
            "access_restricted": True,
            "access_permissions": [["change_box", "boxes", "box"]],
        },
    },
    {
        "model": "banners.banner",
        "pk": 1,
        "fields": {"title": "Donate", "message": "Support", "link": "/psf/"},
    },
    {
        "model": "blogs.feed",
        "pk": 1,
        "fields": {
            "name": "Python Insider",
            "website_url": "https://blog.python.org/",
            "feed_url": "https://blog.python.org/feeds/posts/default",
            "last_import": None,
        },
    },
    {
        "model": "blogs.blogentry",
        "pk": 1,
        "fields": {
            "title": "Python 3.14 released",
            "summary": "<p>Now out.</p>",
            "pub_date": "2025-10-07T12:00:00Z",
            "url": "https://blog.python.org/2025/10/python-314.html",
            "feed": 1,
        },
    },
    {
        "model": "blogs.feedaggregate",
        "pk": 1,
        "fields": {"name": "PSF news", "slug": "psf-news", "description": "PSF landing", "feeds": [1]},
    },
    {
        "model": "blogs.relatedblog",
        "pk": 1,
        "fields": {
            "name": "planet",
            "feed_url": "https://planetpython.org/rss20.xml",
            "blog_url": "https://planetpython.org/",
            "blog_name": "Planet Python",
            "last_entry_published": "2025-01-01T00:00:00+00:00",
            "last_entry_title": "Hello",
            "creator": ["guido"],
        },
    },
    {
        "model": "codesamples.codesample",
        "pk": 1,
        "fields": {
            "code": "<pre>print('hi')</pre>",
            "_code_rendered": "<pre>print('hi')</pre>",
            "copy": "<h1>Simple</h1>",
            "_copy_rendered": "<h1>Simple</h1>",
            "is_published": True,
        },
    },
    {
        "model": "community.post",
        "pk": 1,
        "fields": {
            "title": "Über Python",
            "content": "<p>text</p>",
            "_content_rendered": "<p>text</p>",
            "abstract": None,
            "media_type": 4,
            "source_url": "https://example.com/",
            "meta": {"tags": ["a", "b"], "nested": {"n": 1, "ok": True}},
            "status": 2,
            "creator": 10,
        },
    },
    {"model": "community.link", "pk": 1, "fields": {"post": 1, "url": "https://example.com/link"}},
    {"model": "community.photo", "pk": 1, "fields": {"post": 1, "image_url": "https://example.com/p.png"}},
    {"model": "community.video", "pk": 1, "fields": {"post": None, "video_embed": "<iframe></iframe>"}},
    {
        "model": "companies.company",
        "pk": 1,
        "fields": {"name": "ACME", "slug": "acme", "about": "Makes *things*", "email": None, "url": None},
    },
    {"model": "successstories.storycategory", "pk": 1, "fields": {"name": "Science", "slug": "science"}},
    {
        "model": "successstories.story",
        "pk": 1,
        "fields": {
            "name": "ACME and Python",
            "slug": "acme-and-python",
            "company_name": "ACME",
            "company_url": "https://acme.example/",
            "company": 1,
            "category": 1,
            "author": "Wile E.",
            "pull_quote": "Python!",
            "content": "Story",
            "is_published": True,
            "submitted_by": ["barry"],
        },
    },
    {"model": "jobs.jobtype", "pk": 1, "fields": {"name": "Backend", "slug": "backend"}},
    {"model": "jobs.jobtype", "pk": 2, "fields": {"name": "Remote", "slug": "remote", "active": False}},
    {"model": "jobs.jobcategory", "pk": 1, "fields": {"name": "Software", "slug": "software"}},
    {
        "model": "jobs.job",
        "pk": 1,
        "fields": {
            "category": 1,
            "job_types": [2, 1],
            "company_name": "ACME",
            "job_title": "Developer",
            "city": "Memphis",
            "region": "TN",
            "country": "USA",
            "location_slug": "memphis-tn-usa",
            "country_slug": "usa",
            "description": "Write Python",
            "requirements": "Python",
            "email": "jobs@acme.example",
            "url": "https://acme.example/jobs",
            "submitted_by": 10,
            "status": "approved",
            "expires": "2026-01-01T00:00:00Z",
            "created": "2025-10-01T09:30:00.654321Z",
        },
    },
    {"model": "jobs.jobreviewcomment", "pk": 1, "fields": {"job": 1, "comment": "Looks good", "creator": 10}},
    {
        "model": "minutes.minutes",
        "pk": 1,
        "fields": {"date": "2024-05-01", "content": "Board met.", "is_published": True},
    },
    {
        "model": "nominations.electionkind",
        "pk": 1,
        "fields": {"name": "Packaging Council", "slug": "packaging-council"},
    },
    {
        "model": "nominations.election",
        "pk": 1,
        "fields": {
            "name": "2025 Packaging Council Election",
            "date": "2025-09-01",
            "kind": 1,
            "nominations_open_at": "2025-07-01T00:00:00Z",
            "description": "*Vote*",
        },
    },
    {"model": "nominations.nominee", "pk": 1, "fields": {"election": 1, "user": ["guido"], "accepted": True}},
    {
        "model": "nominations.nomination",
        "pk": 1,
        "fields": {"election": 1, "name": "Guido", "nominator": 10, "nominee": 1, "coc_acknowledged": True},
    },
    {"model": "pages.page", "pk": 1, "fields": {"title": "About", "path": "about", "content": "About"}},
    {"model": "pages.image", "pk": 1, "fields": {"page": 1, "image": "about/logo.png"}},
    {"model": "pages.documentfile", "pk": 1, "fields": {"page": 1, "document": "files/a.pdf"}},
    {"model": "events.alarm", "pk": 1, "fields": {"event": 1, "trigger": 48, "creator": ["guido"]}},
    {
        "model": "events.recurringrule",
        "pk": 2,
        "fields": {
            "event": 2,
            "begin": "2024-10-08T18:45:16Z",
            "finish": "2025-10-08T18:45:16Z",
            "duration_internal": "1 02:30:00.250000",
            "duration": "1 day 2 hours 30 min",
            "frequency": 1,
        },
    },
    # sponsors: what the shared dumps lack (legal clauses and conflicts between benefits, a
    # contract with its two markdown MarkupFields, an e-mail template).
    {
        "model": "sponsors.legalclause",
        "pk": 1,
        "fields": {"order": 0, "internal_name": "trademarks", "clause": "Use our marks kindly.", "notes": ""},
    },
    *[
        {
            "model": "sponsors.sponsorshipbenefit",
            "pk": pk,
            "fields": {
                "order": order,
                "name": name,
                "description": None,
                "program": 1,
                "year": 2023,
                "internal_description": None,
                "internal_value": 500,
                "packages": [1],
                "legal_clauses": [1],
                "conflicts": [other],  # Django stores both directions of a symmetrical M2M
            },
        }
        for pk, other, order, name in ((900, 901, 90, "Blog post"), (901, 900, 91, "Newsletter feature"))
    ],
    {
        "model": "sponsors.contract",
        "pk": 1,
        "fields": {
            "status": "draft",
            "revision": 1,
            "document": "sponsors/contracts/example.pdf",
            "sponsorship": 1,
            "sponsor_info": "Example Company, Example description",
            "sponsor_contact": "Fred Contact - 5555555555 | test@example.com",
            "benefits_list": "- Foundation - Promotion of Python case study [^1]",
            "benefits_list_markup_type": "markdown",
            "_benefits_list_rendered": "<ul><li>Foundation - Promotion of Python case study</li></ul>",
            "legal_clauses": "[^1]: Use our marks kindly.",
            "legal_clauses_markup_type": "markdown",
            "_legal_clauses_rendered": "",
            "created_on": "2024-10-09",
            "last_update": "2024-10-10",
            "sent_on": None,
        },
    },
    {
        "model": "sponsors.sponsoremailnotificationtemplate",
        "pk": 1,
        "fields": {
            "internal_name": "approved",
            "subject": "{{ sponsor_name }}: approved",
            "content": "Your {{ sponsorship_level }} sponsorship is approved.",
            "created_at": "2024-02-03T04:05:06.789012Z",
            "updated_at": "2024-02-03T04:05:06.789012Z",
        },
    },
    {
        "model": "work_groups.workgroup",
        "pk": 1,
        "fields": {
            "name": "Packaging WG",
            "slug": "packaging-wg",
            "purpose": "Packaging",
            "active_time": "Ongoing",
            "core_values": "Openness",
            "rules": "Consensus",
            "communication": "Discourse",
            "organizers": [["guido"]],
            "members": [11, 10],
        },
    },
]


def _input_objects() -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for path in FIXTURES:
        objects.extend(read_fixture(path))
    return objects + HAND_WRITTEN


@dataclass
class Source:
    url: str
    objects: list[dict[str, Any]]  # everything loaded (labels in LAYOUT)
    report: LoadReport
    column_types: dict[str, dict[str, str]]  # table -> column -> data type


@pytest.fixture(scope="module")
async def source(servers: tuple[str, str]) -> AsyncIterator[Source]:
    admin_url, _ = servers
    name = f"django_src_{os.getpid()}"
    url = await create_django_database(admin_url, name)
    try:
        objects = _input_objects()
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            report = await load_objects(conn, objects)
            columns = await table_columns(conn)
        finally:
            await conn.close()
        kept = [obj for obj in objects if obj["model"] in LAYOUT]
        types = {table: {c: info.data_type for c, info in cols.items()} for table, cols in columns.items()}
        yield Source(url, kept, report, types)
    finally:
        await drop_django_database(admin_url, name)


def _comparable(
    label: str, fields: Mapping[str, Any], source: Source, usernames: dict[str, int]
) -> dict[str, Any]:
    """Fields with user natural keys as ids, datetimes as instants and many-to-many lists sorted."""
    spec = LAYOUT[label]
    types = source.column_types[spec.table]

    def reference(target: str, value: Any) -> Any:
        if target == USER and isinstance(value, list):
            return usernames[str(value[0]).lower()]
        return value

    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in spec.many_to_many:
            target = spec.many_to_many[name].target_label
            out[name] = sorted(reference(target, v) for v in value)
        elif name in spec.foreign_keys:
            out[name] = reference(spec.foreign_keys[name].target, value)
        elif types[name] == "timestamp with time zone" and value is not None:
            out[name] = parse_dt(value)
        else:
            out[name] = value
    return out


async def test_read_gives_back_every_loaded_object(source: Source) -> None:
    snapshot = await read_django_database(source.url)

    assert snapshot.missing == []
    assert not source.report.skipped
    assert set(source.report.loaded) == set(LAYOUT), "every LAYOUT label has rows to compare"
    assert {label: n for label, n in snapshot.counts.items() if n} == dict(source.report.loaded)
    assert len(snapshot.objects) == sum(source.report.loaded.values())

    usernames = {str(o["fields"]["username"]).lower(): o["pk"] for o in source.objects if o["model"] == USER}
    read = {(o["model"], o["pk"]): o for o in snapshot.objects}
    expected = {(o["model"], o["pk"]): o for o in source.objects}
    assert read.keys() == expected.keys()
    for key, obj in expected.items():
        label, _ = key
        got = _comparable(label, read[key]["fields"], source, usernames)
        want = _comparable(label, obj["fields"], source, usernames)
        assert {name: got.get(name) for name in want} == want, key
        # What the input left out comes back as the model default the loader stored.
        defaults = _comparable(label, source.report.defaulted.get(key, {}), source, usernames)
        defaults |= {name: [] for name in LAYOUT[label].many_to_many if name not in want}
        assert {name: value for name, value in got.items() if name not in want} == defaults, key

    # Objects come table by table in primary-key order, with JSON-ready values.
    for label in LAYOUT:
        pks = [o["pk"] for o in snapshot.objects if o["model"] == label]
        assert pks == sorted(pks)
    json.dumps(snapshot.objects)


async def test_values_are_written_as_dumpdata_writes_them(source: Source) -> None:
    snapshot = await read_django_database(
        source.url,
        [
            "users.user",
            "auth.group",
            "authtoken.token",
            "waffle.flag",
            "community.post",
            "events.recurringrule",
            "sponsors.genericasset",
            "sponsors.fileasset",
            "sponsors.sponsorshipbenefit",
        ],
    )
    by_key = {(o["model"], o["pk"]): o["fields"] for o in snapshot.objects}
    # Content types by natural key; a polymorphic child keyed by its parent's pk, which is
    # therefore not among its fields.
    asset = by_key[("sponsors.genericasset", 1)]
    assert (asset["polymorphic_ctype"], asset["content_type"], asset["object_id"]) == (
        ["sponsors", "fileasset"],
        ["sponsors", "sponsorship"],
        1,
    )
    assert by_key[("sponsors.fileasset", 1)] == {"file": ""}
    assert by_key[("sponsors.sponsorshipbenefit", 900)]["conflicts"] == [901]
    assert by_key[("sponsors.sponsorshipbenefit", 901)]["conflicts"] == [900]

    guido = by_key[("users.user", 10)]
    assert "id" not in guido and guido["username"] == "Guido"
    assert guido["last_login"] == "2024-03-01T10:11:12.123456Z"
    assert guido["date_joined"] == "2013-01-01T00:00:00Z"
    assert guido["groups"] == [1]
    # Permissions by natural key, sorted; users and groups by primary key.
    assert guido["user_permissions"] == [["can_moderate_jobs", "jobs", "job"], ["change_box", "boxes", "box"]]
    assert by_key[("auth.group", 1)]["permissions"] == sorted(PERMISSION_KEYS)
    assert by_key[("auth.group", 2)]["permissions"] == []
    flag = by_key[("waffle.flag", 3)]
    assert (flag["percent"], flag["groups"], flag["users"]) == ("12.5", [1, 2], [10, 11])
    assert by_key[("waffle.flag", 1)]["percent"] is None
    # DRF's token is keyed by its key, which is therefore not among the fields.
    assert by_key[("authtoken.token", TOKEN)] == {"created": "2020-05-06T07:08:09.500000Z", "user": 11}
    assert by_key[("community.post", 1)]["meta"] == {"tags": ["a", "b"], "nested": {"n": 1, "ok": True}}
    assert by_key[("events.recurringrule", 1)]["duration_internal"] == "00:15:00"
    assert by_key[("events.recurringrule", 2)]["duration_internal"] == "1 02:30:00.250000"


def _run_elsewhere(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion on another thread's event loop (and connection), blocking."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def _insert_rows_meanwhile(url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO boxes_box (id, created, updated, label, content, content_markup_type, "
                "_content_rendered) VALUES (9001, now(), now(), 'late-box', 'x', 'html', 'x')"
            )
            await conn.execute(
                "INSERT INTO downloads_releasefile (id, created, updated, name, slug, description, is_source, "
                "url, gpg_signature_file, sigstore_signature_file, sigstore_cert_file, sigstore_bundle_file, "
                "sbom_spdx2_file, md5_sum, sha256_sum, filesize, download_button, os_id, release_id) "
                "VALUES (99001, now(), now(), 'late', 'late-file', '', false, "
                "'https://www.python.org/ftp/late.tgz', '', '', '', '', '', '', '', 1, false, 3, 1)"
            )
    finally:
        await conn.close()


async def _delete_late_rows(url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("DELETE FROM boxes_box WHERE id = 9001")
        await conn.execute("DELETE FROM downloads_releasefile WHERE id = 99001")
    finally:
        await conn.close()


async def test_one_snapshot_and_progress_per_batch(source: Source) -> None:
    labels = ["downloads.os", "downloads.releasefile", "boxes.box"]
    before = await source_counts(source.url, labels)
    calls: list[tuple[str, int, int]] = []

    def progress(label: str, done: int, total: int) -> None:
        calls.append((label, done, total))
        if len(calls) == 1:  # after the first batch, another connection adds rows and commits
            _run_elsewhere(_insert_rows_meanwhile(source.url))

    try:
        snapshot = await read_django_database(source.url, labels, batch_size=4000, progress=progress)
        after = await source_counts(source.url, labels)
    finally:
        await _delete_late_rows(source.url)

    assert after == {**before, "downloads.releasefile": 15539, "boxes.box": before["boxes.box"] + 1}
    # Rows committed after the read began are not seen, in tables read later or not.
    assert snapshot.counts == before
    keys = {(o["model"], o["pk"]) for o in snapshot.objects}
    assert ("boxes.box", 9001) not in keys and ("downloads.releasefile", 99001) not in keys
    assert len(keys) == sum(before.values())
    assert calls == [
        ("downloads.os", 5, 5),
        *[("downloads.releasefile", done, 15538) for done in (4000, 8000, 12000, 15538)],
        ("boxes.box", before["boxes.box"], before["boxes.box"]),
    ]


async def test_source_counts_match_what_was_loaded(source: Source) -> None:
    counts = await source_counts(source.url.replace("postgresql://", "postgresql+asyncpg://", 1), None)
    assert counts == {label: source.report.loaded.get(label, 0) for label in LAYOUT}


async def test_missing_tables_are_reported_and_skipped(servers: tuple[str, str]) -> None:
    admin_url, _ = servers
    name = f"django_src_{os.getpid()}_partial"
    url = await create_django_database(admin_url, name)
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await load_objects(conn, json.loads((PYTHON_ORG_DATA / "flags.json").read_text()))
            # A source from before community posts, and one whose flag-users table is gone.
            await conn.execute(
                "DROP TABLE community_link, community_photo, waffle_flag_users, auth_permission CASCADE"
            )
        finally:
            await conn.close()
        calls: list[tuple[str, int, int]] = []
        labels = ["waffle.flag", "community.link", "auth.group", "community.post", "community.photo"]
        snapshot = await read_django_database(url, labels, progress=lambda *call: calls.append(call))
        counts = await source_counts(url, labels)
    finally:
        await drop_django_database(admin_url, name)

    assert snapshot.missing == [
        MissingTable("waffle.flag", "waffle_flag_users"),
        MissingTable("community.link", "community_link"),
        MissingTable("auth.group", "auth_permission"),
        MissingTable("community.photo", "community_photo"),
    ]
    assert [str(m) for m in snapshot.missing] == [
        "table waffle_flag_users missing (waffle.flag read without it)",
        "table community_link missing (community.link not read)",
        "table auth_permission missing (auth.group read without it)",
        "table community_photo missing (community.photo not read)",
    ]
    label, table = snapshot.missing[0]
    assert (label, table) == ("waffle.flag", "waffle_flag_users")
    assert [(o["model"], o["pk"]) for o in snapshot.objects] == [("waffle.flag", 1), ("waffle.flag", 2)]
    assert all("users" not in o["fields"] and o["fields"]["groups"] == [] for o in snapshot.objects)
    assert snapshot.counts == {"waffle.flag": 2, "auth.group": 0, "community.post": 0}
    assert calls == [("waffle.flag", 2, 2), ("auth.group", 0, 0), ("community.post", 0, 0)]
    assert counts == {"waffle.flag": 2, "auth.group": 0, "community.post": 0}


async def test_unknown_labels_and_bad_batch_sizes_are_refused(source: Source) -> None:
    with pytest.raises(ValueError, match=r"polls\.question"):
        await read_django_database(source.url, ["boxes.box", "polls.question"])
    with pytest.raises(ValueError, match=r"polls\.question"):
        await source_counts(source.url, ["polls.question"])
    with pytest.raises(ValueError, match="batch_size"):
        await read_django_database(source.url, ["boxes.box"], batch_size=0)


def test_layout_covers_every_importer() -> None:
    from pydotorg.django_import.registry import LABELS

    assert sorted(set(LABELS) - set(LAYOUT)) == []


def test_dumpdata_values() -> None:
    assert dumpdata_value(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"
    assert dumpdata_value(datetime(2024, 1, 2, 3, 4, 5, 60)) == "2024-01-02T03:04:05.000060"
    assert dumpdata_value(date(2024, 1, 2)) == "2024-01-02"
    assert dumpdata_value(time(9, 30)) == "09:30:00"
    assert dumpdata_value(timedelta(minutes=15)) == "00:15:00"
    assert dumpdata_value(timedelta(days=-1, seconds=86399)) == "-1 23:59:59"
    assert dumpdata_value(Decimal("0.5")) == "0.5"
    assert dumpdata_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert dumpdata_value(b"\x00\xff") == "AP8="
    assert dumpdata_value([datetime(2024, 1, 2, tzinfo=UTC), None]) == ["2024-01-02T00:00:00Z", None]
    assert dumpdata_value({"a": [1]}) == {"a": [1]}
