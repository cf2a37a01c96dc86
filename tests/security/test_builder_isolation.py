"""One record never stops the site (issue 12, item 3, the builder's half): a record already stored
(imported, or written before the API refused such values) whose data makes an unsafe output path
(``..``, a hidden segment, a 300-byte file name) or a page the theme cannot render is skipped and
reported — in the build's log, ``last-build.json``, the worker's metric and the staff-only
``/api/v3/site/status`` — and everything else is published. Incremental and full builds of the
same data still agree byte for byte.

The bad values are written straight into PostgreSQL, as an import or an older release would have
left them: the API itself refuses them now (tests/security/test_paths_links.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from sitebuilder.outputs import MAX_PATH_BYTES, Output, isolate, unsafe_path
from tests.helpers import running_worker
from tests.site.test_build import SITE, _build, _tree, builder_key, live_api  # noqa: F401  (fixtures)
from tests.site.test_golden import SNAPSHOT

LONG_PLACE = ("Llanfairpwllgwyngyll" * 5, "Gwynedd-" * 12 + "abcd", "Cymru-" * 16 + "abcd")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../escape/index.html",
        "about/../../escape/index.html",
        "about/./x/index.html",
        "about//x/index.html",
        "/etc/passwd",
        "about/.git/index.html",
        ".well-known/x",
        "a\\..\\b/index.html",
        "a\x00b/index.html",
        "a\nb/index.html",
        "caf\udce9/index.html",
        "jobs/location/" + "x" * 256 + "/index.html",
        "/".join(["abcdefghij"] * 100),
    ],
)
def test_unsafe_output_paths_are_named(path: str) -> None:
    assert unsafe_path(path) is not None


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "download/releases/2.7.5/index.html",
        "jobs/location/" + "x" * 255 + "/index.html",
        "events/python-events/calendar.ics",
        "_redirects.json",
        "about/caf\u00e9/index.html",
    ],
)
def test_ordinary_output_paths_pass(path: str) -> None:
    assert unsafe_path(path) is None and len(path.encode()) <= MAX_PATH_BYTES


def test_a_file_in_the_way_skips_the_deeper_output_and_its_mirror() -> None:
    kept, skipped = isolate(
        [
            Output("downloads/index.html", "x.html"),
            Output("downloads/index.html/index.html", "x.html", record=("pages", "page", "7")),
            Output("getit/index.html/index.html", "x.html", alias_of="downloads/index.html/index.html"),
            Output("downloads/../x/index.html", "x.html", record=("pages", "page", "8")),
        ]
    )
    assert [o.path for o in kept] == ["downloads/index.html"]
    assert {s.path: s.record for s in skipped} == {
        "downloads/../x/index.html": ("pages", "page", "8"),
        "downloads/index.html/index.html": ("pages", "page", "7"),
        "getit/index.html/index.html": None,
    }


async def _stored_bad_records(api: httpx.AsyncClient, db_conn: Any, actors: Any) -> dict[str, int]:
    """Good and bad records side by side; the bad values are written past the API."""
    ids: dict[str, int] = {}
    for name, path in (("good", "about/kept"), ("dotdot", "about/bad"), ("hidden", "about/hidden")):
        r = await api.post(
            "/api/v3/pages",
            json={"title": f"Page {name}", "path": path, "content": f"Text of {name}"},
        )
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    await db_conn.execute("UPDATE pages SET path = 'about/../../../escaped' WHERE id = $1", ids["dotdot"])
    await db_conn.execute("UPDATE pages SET path = 'about/.git' WHERE id = $1", ids["hidden"])
    for name, old in (("redirect_good", "/old-kept/"), ("redirect_bad", "/old-bad/")):
        r = await api.post("/api/v3/redirects", json={"old_path": old, "new_path": "/about/kept/"})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    await db_conn.execute(
        "UPDATE redirects SET old_path = '/x/../../../../tmp/owned.html' WHERE id = $1", ids["redirect_bad"]
    )
    moderator = (await actors.create("moderator", permissions=("jobs.moderate",))).headers
    for path, body in (
        ("/api/v3/jobs/categories", {"name": "Engineering", "slug": "engineering"}),
        ("/api/v3/jobs/types", {"name": "Full Time", "slug": "full-time"}),
    ):
        assert (await api.post(path, json=body, headers=moderator)).status_code == 201
    owner = (await actors.create("employer")).headers
    for name, city in (("job_good", "Lima"), ("job_long", "Cardiff")):
        r = await api.post(
            "/api/v3/jobs",
            headers=owner,
            json={
                "job_title": f"Python developer ({name})",
                "company_name": "ACME",
                "category": "engineering",
                "job_types": ["full-time"],
                "city": city,
                "country": "Peru" if name == "job_good" else "Wales",
                "description": "Build things.",
                "requirements": "Python.",
                "email": "jobs@example.org",
                "job_url": "https://example.org/jobs",
            },
        )
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
        assert (await api.post(f"/api/v3/jobs/{ids[name]}/submit", headers=owner)).status_code == 200
        assert (await api.post(f"/api/v3/jobs/{ids[name]}/approve", headers=moderator)).status_code == 200
    city, region, country = LONG_PLACE
    slug = "-".join(p.lower() for p in LONG_PLACE)
    assert len(slug) > 255
    await db_conn.execute(
        "UPDATE jobs SET city = $1, region = $2, country = $3, location_slug = $4 WHERE id = $5",
        city,
        region,
        country,
        slug,
        ids["job_long"],
    )
    return ids


def _skipped_by_record(report: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {(s["domain"], s["kind"], s["id"]): s["path"] for s in report["skipped"]}


async def test_bad_records_are_skipped_and_everything_else_is_published(
    live_api: str,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    db_conn: Any,
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        ids = await _stored_bad_records(api, db_conn, actors)
    out = tmp_path / "origin"
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("full build:") and summary.endswith(", 4 skipped"), summary
    site = out / "current"
    report = json.loads((out / "_state/last-build.json").read_text())
    skipped = _skipped_by_record(report)
    assert skipped == {
        ("pages", "page", str(ids["dotdot"])): "about/../../../escaped/index.html",
        ("pages", "page", str(ids["hidden"])): "about/.git/index.html",
        ("redirects", "redirect", str(ids["redirect_bad"])): "x/../../../../tmp/owned.html",
        (
            "jobs",
            "job",
            str(ids["job_long"]),
        ): f"jobs/location/{'-'.join(p.lower() for p in LONG_PLACE)}/index.html",
    }
    assert all(s["reason"] for s in report["skipped"])
    # Nothing was written outside the tree, or into a hidden directory.
    assert not (tmp_path / "escaped").exists() and not (out.parent.parent / "owned.html").exists()
    assert not any(part.startswith(".") for p in _tree(out) for part in p.split("/"))
    # Everything else is live: the good page and redirect, both jobs' own pages, the lists.
    assert "Text of good" in (site / "about/kept/index.html").read_text()
    assert (site / "old-kept/index.html").exists()
    assert "Python developer (job_long)" in (site / f"jobs/{ids['job_long']}/index.html").read_text()
    jobs_list = (site / "jobs/index.html").read_text()
    assert "Python developer (job_long)" in jobs_list and "Python developer (job_good)" in jobs_list
    assert (site / "jobs/location/lima-peru/index.html").exists()
    # Skipped outputs are not advertised either.
    sitemap = (site / "sitemap.xml").read_text()
    assert "escaped" not in sitemap and ".git" not in sitemap and "llanfair" not in sitemap
    redirects = json.loads((site / "_redirects.json").read_text())
    assert "/old-kept/" in redirects and not any("owned" in k for k in redirects)

    # Later builds keep publishing (and keep reporting); incremental equals full.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/pages/{ids['good']}", json={"content": "Edited text"})
        assert r.status_code == 200, r.text
    summary = _build(live_api, out, builder_key)
    assert summary.startswith("incremental build:") and summary.endswith(", 4 skipped"), summary
    assert "Edited text" in (site / "about/kept/index.html").read_text()
    assert _skipped_by_record(json.loads((out / "_state/last-build.json").read_text())) == skipped
    fresh = tmp_path / "fresh"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)

    # Fixing the record publishes it and the report is empty again.
    await db_conn.execute("UPDATE pages SET path = 'about/fixed' WHERE id = $1", ids["dotdot"])
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/pages/{ids['dotdot']}", json={"title": "Fixed"})
        assert r.status_code == 200, r.text
    summary = _build(live_api, out, builder_key)
    assert summary.endswith(", 3 skipped"), summary
    assert (site / "about/fixed/index.html").exists()


def test_a_page_the_theme_cannot_render_is_left_out(tmp_path: Path) -> None:
    """A rendering error (here a release whose date the theme cannot read) skips that page and
    its /getit/ mirror; every other page is built."""
    snapshot = json.loads(SNAPSHOT.read_text())
    detail = snapshot["data"]["view:release/python-3820"]
    detail["release"]["release_date"] = "not a date"
    broken = tmp_path / "snapshot.json"
    broken.write_text(json.dumps(snapshot))
    out = tmp_path / "offline"
    result = subprocess.run(
        [sys.executable, "-m", "sitebuilder.build", "--from-snapshot", str(broken), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYDOTORG_SITE_URL": SITE},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    site = out / "current"
    assert not (site / "downloads/release/python-3820/index.html").exists()
    assert not (site / "getit/release/python-3820/index.html").exists()
    assert (site / "downloads/release/python-3819/index.html").exists()
    assert (site / "downloads/index.html").exists() and (site / "index.html").exists()
    logged = result.stdout + result.stderr
    assert "site.output_skipped" in logged and "downloads/release/python-3820/index.html" in logged
    assert "rendering failed: ValueError" in logged
    assert f"id={detail['release']['id']}" in logged or f"'id': '{detail['release']['id']}'" in logged


async def test_worker_reports_skipped_records_to_staff(
    live_api: str,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    db_conn: Any,
    settings: Any,
    sessionmaker: Any,
    mailer: Any,
    client: Any,
    tmp_path: Path,
) -> None:
    """The worker's rebuild stores the builder's report; ``GET /api/v3/site/status`` shows it, with
    the published cursor and the change feed's head, to staff and to holders of site.view_status
    only; the metric counts the skipped outputs."""
    from prometheus_client import REGISTRY

    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        ids = await _stored_bad_records(api, db_conn, actors)
    viewer = await actors.create("status-viewer", permissions=("site.view_status",))
    job_settings = msgspec.structs.replace(
        settings,
        site_api_key=builder_key,
        site_api_url=live_api,
        site_origin_dir=str(tmp_path / "site"),
        queue_name="site-isolation-test",
        site_url=SITE,
        site_watch_seconds=0,
    )
    async with running_worker(job_settings, sessionmaker, mailer) as queue:
        result = await queue.apply("site.rebuild", timeout=120, retries=3)
    assert result["built"] is True and result["summary"].endswith(", 4 skipped"), result
    assert REGISTRY.get_sample_value("pydotorg_site_skipped_outputs") == 4

    head = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    for who in (actors["root"].headers, actors["staffer"].headers, viewer.headers):
        r = await client.get("/api/v3/site/status", headers=who)
        assert r.status_code == 200, r.text
        status = r.json()
        assert status["head"] == head and status["published_cursor"] == head and status["behind"] == 0
        assert status["last_error"] is None
        build = status["last_build"]
        assert build["mode"] == "full" and build["cursor"] == head and build["finished_at"]
        assert {(s["domain"], s["kind"], s["id"]) for s in build["skipped"]} == {
            ("pages", "page", str(ids["dotdot"])),
            ("pages", "page", str(ids["hidden"])),
            ("redirects", "redirect", str(ids["redirect_bad"])),
            ("jobs", "job", str(ids["job_long"])),
        }
    assert (await client.get("/api/v3/site/status", headers=actors["ordinary"].headers)).status_code == 403
    assert (await client.get("/api/v3/site/status")).status_code == 401
