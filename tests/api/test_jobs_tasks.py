"""The job board's periodic SAQ jobs run by the real worker (expiry through the model and the
change feed, the monthly report's mail), their schedule, the mail text that follows the expiry
setting, and the import of Django fixtures (a synthetic ``dumpdata`` list with bad rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from pydotorg import worker as tasks
from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from pydotorg.domains.jobs import mail
from pydotorg.domains.jobs.models import Job
from tests.helpers import assert_no_more_mail, wait_for_mail

NOW = datetime.now(UTC)


async def _job(db_conn: Any, *, status: str, created: datetime, expires: datetime | None = None) -> int:
    """A listing written straight to the table (the state the periodic jobs act on)."""
    category = await db_conn.fetchval("SELECT id FROM job_categories WHERE slug='dev'")
    if category is None:
        category = await db_conn.fetchval(
            "INSERT INTO job_categories (name, slug, active) VALUES ('Dev', 'dev', true) RETURNING id"
        )
    return int(
        await db_conn.fetchval(
            """INSERT INTO jobs (category_id, other_job_type, company_name, company_description,
                   company_description_markup_type, company_description_html, job_title, city, region,
                   country, location_slug, country_slug, description, description_markup_type,
                   description_html, requirements, requirements_markup_type, requirements_html,
                   contact, email, url, status, expires, telecommuting, agencies, is_featured,
                   created, updated)
               VALUES ($1, '', 'Acme', '', 'text', '', 'Dev', 'Oslo', '', 'Norway', 'oslo-norway',
                   'norway', 'd', 'text', '<p>d</p>', 'r', 'text', '<p>r</p>', '', 'a@example.org',
                   'https://acme.example', $2, $3, false, true, false, $4, $4)
               RETURNING id""",
            category,
            status,
            expires,
            created,
        )
    )


async def test_expire_job_moves_status_through_the_model(
    client: Any, db_conn: Any, worker: Any, settings: Any
) -> None:
    past = await _job(db_conn, status="approved", created=NOW, expires=NOW - timedelta(minutes=1))
    future = await _job(db_conn, status="approved", created=NOW, expires=NOW + timedelta(days=1))
    in_review = await _job(db_conn, status="review", created=NOW, expires=NOW - timedelta(days=1))
    assert (await client.get(f"/api/v3/jobs/{past}")).status_code == 404  # invisible already
    cursor = await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes")

    result = await worker.queue.apply("jobs.expire", timeout=30)
    assert result == {"expired": [past]}
    statuses = dict(await db_conn.fetch("SELECT id, status FROM jobs ORDER BY id"))
    assert statuses == {past: "expired", future: "approved", in_review: "review"}
    changes = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1", cursor
    )
    assert [tuple(c) for c in changes] == [("jobs", "job", str(past), "updated")]
    # A second run finds nothing to do and writes nothing.
    assert await worker.queue.apply("jobs.expire", timeout=30) == {"expired": []}
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE cursor > $1", cursor) == 1


async def test_monthly_report_counts_this_and_last_month_once(
    client: Any, db_conn: Any, worker: Any, mailer: Any
) -> None:
    def at(year: int, month: int, day: int) -> datetime:
        return datetime(year, month, day, 12, tzinfo=UTC)

    for status, created in (
        ("approved", at(2026, 11, 2)),
        ("approved", at(2026, 11, 20)),
        ("review", at(2026, 11, 27)),
        ("rejected", at(2026, 10, 31)),
        ("approved", at(2025, 11, 5)),  # same month a year ago: python.org counted it
        ("draft", at(2026, 12, 1)),  # after the month
    ):
        await _job(db_conn, status=status, created=created)

    result = await worker.queue.apply("jobs.monthly_report", today="2026-11-27", timeout=30)
    assert result == {"sent": True, "month": "2026-11"}
    (report,) = await wait_for_mail(mailer, 1)
    assert report["Subject"] == "Monthly Jobs Report for November 2026"
    assert report["To"] == "jobs@python.org" and report["From"] == "jobs@python.org"
    text = report.get_content()
    assert "November 2026: 3 submissions\n" in text
    assert "    approved  2\n" in text and "    review    1\n" in text
    assert "October 2026: 1 submissions\n" in text and "    rejected  1\n" in text
    # Once a month, however often the schedule fires on the 27th.
    again = await worker.queue.apply("jobs.monthly_report", today="2026-11-27", timeout=30)
    assert again == {"sent": False, "reason": "already sent this month"}
    await assert_no_more_mail(mailer, 1)


def test_schedule_and_registration(settings: Any) -> None:
    names = [name for name, _ in tasks.JOB_FUNCTIONS]
    assert {"jobs.expire", "jobs.monthly_report"} <= set(names)
    crons = {job.function.__qualname__: job for job in tasks.CRON_JOBS}
    # SAQ enqueues a cron job by its function's __qualname__: the registered names.
    assert crons["jobs.expire"].cron == "*/10 * * * *"
    assert crons["jobs.monthly_report"].cron == "0 * 27 * *"
    assert all(job.timeout and job.retries for job in crons.values())
    production = msgspec.structs.replace(settings, environment="production")
    assert tasks.create_worker(production, queue=tasks.create_queue(settings)).cron_jobs == tasks.CRON_JOBS
    assert tasks.create_worker(settings, queue=tasks.create_queue(settings)).cron_jobs == []


def test_approval_mail_states_the_configured_period(settings: Any) -> None:
    job = Job(
        id=7,
        job_title="Dev",
        company_name="Acme",
        contact="",
        email="a@example.org",
        expires=datetime(2027, 1, 15, tzinfo=UTC),
    )
    text = mail.approved(msgspec.structs.replace(settings, job_expiry_days=30), job, "Rev").get_content()
    assert "for 30 days, until 15 January 2027." in text and text.startswith("Dear Job Submitter,\n")


FIXTURE: list[dict[str, Any]] = [
    {"model": "jobs.jobtype", "pk": 1, "fields": {"name": "Web", "slug": "web", "active": True}},
    {"model": "jobs.jobtype", "pk": 2, "fields": {"name": "Cloud", "slug": "cloud", "active": False}},
    {"model": "jobs.jobtype", "pk": 3, "fields": {"name": "Web again", "slug": "web", "active": True}},
    {
        "model": "jobs.jobcategory",
        "pk": 4,
        "fields": {"name": "Software Engineer", "slug": "", "active": True},
    },
    {
        "model": "jobs.job",
        "pk": 10,
        "fields": {
            "created": "2026-11-01T09:00:00Z",
            "updated": "2026-11-02T09:00:00Z",
            "creator": None,
            "last_modified_by": None,
            "category": 4,
            "job_types": [1, 2],
            "other_job_type": "",
            "company_name": "Acme",
            "company_description": "<b>We</b><script>x()</script>",
            "company_description_markup_type": "html",
            "_company_description_rendered": "<b>We</b><script>x()</script>",
            "job_title": "Python Developer",
            "city": "Memphis",
            "region": None,
            "country": "USA",
            "location_slug": "stale",
            "country_slug": "stale",
            "description": "Build *things*",
            "description_markup_type": "markdown",
            "requirements": "Python\nSQL",
            "requirements_markup_type": "plain",
            "contact": None,
            "email": "jobs@acme.example",
            "url": "https://acme.example/job",
            "submitted_by": None,
            "status": "approved",
            "expires": "2099-01-01T00:00:00Z",
            "telecommuting": True,
            "agencies": False,
            "is_featured": True,
        },
    },
    {"model": "jobs.job", "pk": 11, "fields": {"category": 4, "job_title": "Bad", "status": "pending"}},
    {"model": "jobs.job", "pk": 12, "fields": {"category": 99, "job_title": "Orphan", "status": "draft"}},
    {
        "model": "jobs.jobreviewcomment",
        "pk": 5,
        "fields": {"job": 10, "comment": "Looks *good*", "comment_markup_type": "markdown"},
    },
    {"model": "jobs.jobreviewcomment", "pk": 6, "fields": {"job": 11, "comment": "x"}},
]


async def test_import_django_fixtures(client: Any, sessionmaker: Any, db_conn: Any) -> None:
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, FIXTURE)
    assert not unknown
    failures = {(f.label, f.pk): f.reason for f in report.failures}
    assert set(failures) == {
        ("jobs.jobtype", 3),
        ("jobs.job", 11),
        ("jobs.job", 12),
        ("jobs.jobreviewcomment", 6),
    }
    assert "slug 'web' is already used by 1" in failures[("jobs.jobtype", 3)]
    assert "status 'pending'" in failures[("jobs.job", 11)]
    assert "job category 99 does not exist" in failures[("jobs.job", 12)]
    assert "job 11 does not exist" in failures[("jobs.jobreviewcomment", 6)]
    assert dict(report.written) == {
        "jobs.jobtype": 2,
        "jobs.jobcategory": 1,
        "jobs.job": 1,
        "jobs.jobreviewcomment": 1,
    }
    row = await db_conn.fetchrow("SELECT * FROM jobs WHERE id=10")
    assert (row["location_slug"], row["country_slug"], row["region"], row["contact"]) == (
        "memphis-usa",
        "usa",
        "",
        "",
    )
    assert row["company_description_html"] == "<b>We</b>"  # sanitized on import
    assert row["description_html"] == "<p>Build <em>things</em></p>"
    assert row["requirements_markup_type"] == "text" and row["requirements_html"] == "<p>Python<br>SQL</p>"
    assert await db_conn.fetchval("SELECT slug FROM job_categories WHERE id=4") == "software-engineer"
    pairs = await db_conn.fetch("SELECT job_id, job_type_id FROM job_job_types ORDER BY job_type_id")
    assert [tuple(p) for p in pairs] == [(10, 1), (10, 2)]
    assert await db_conn.fetchval("SELECT comment_html FROM job_review_comments WHERE id=5") == (
        "<p>Looks <em>good</em></p>"
    )
    feed = await db_conn.fetch("SELECT kind, object_id FROM changes WHERE domain='jobs' ORDER BY cursor")
    assert sorted(tuple(c) for c in feed) == [("category", "4"), ("job", "10"), ("type", "1"), ("type", "2")]
    # The imported listing is public, with its types; the inactive type is kept on it.
    job = (await client.get("/api/v3/jobs/10")).json()
    assert job["url"] == "/jobs/10/" and job["job_url"] == "https://acme.example/job"
    assert [t["slug"] for t in job["job_types"]] == ["cloud", "web"]
    assert job["is_featured"] is True and job["telecommuting"] is True and job["agencies"] is False

    # A second run writes nothing and adds nothing to the feed; new rows get fresh ids.
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, FIXTURE)
    assert sum(again.written.values()) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='jobs'") == 4
    assert await db_conn.fetchval("SELECT count(*) FROM job_job_types") == 2
    nxt = await db_conn.fetchval("SELECT nextval(pg_get_serial_sequence('jobs', 'id'))")
    assert nxt == 11
    assert (await db_conn.fetchval("SELECT created FROM jobs WHERE id=10")) == datetime(
        2026, 11, 1, 9, tzinfo=UTC
    )
