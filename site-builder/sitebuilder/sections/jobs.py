"""The job board's pages (inventory 1.10): /jobs/ and its lists by type, category and place,
the taxonomy indexes, each listing's page and the RSS feed, from the visible listings only.

Reads ``job:<id>``: the visible listings (approved, not expired), anonymously, so drafts and
jobs under review are never in the snapshot. A job's change re-reads that job, a type's or a
category's re-reads them all (every listing shows its name), and so does a new day (expiry and
the "New" badge depend on the date).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from sitebuilder.outputs import Output, paginated, record_of, rss
from sitebuilder.sections.base import Change, Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

JOBS_PER_PAGE = 25  # python.org's job lists
JOBS_FEED_SIZE = 20
NEW_JOB_DAYS = 30  # python.org's "New" badge
JOBS_BOXES = ("jobs-subscribe", "jobs-getfeatured")


def fetch(api: Api, snap: Snapshot, job_ids: set[int] | None = None) -> None:
    """Visible job listings; ``job_ids`` None means all of them."""
    if job_ids is None:
        for key in [k for k in snap.data if k.startswith("job:")]:
            del snap.data[key]
        for job in api.pages_of("/api/v3/jobs"):
            snap.data[f"job:{job['id']}"] = job
        return
    for job_id in sorted(job_ids):
        snap.refresh(
            api, f"job:{job_id}", f"/api/v3/jobs/{job_id}", public=lambda j: j["status"] == "approved"
        )


def refetch(api: Api, snap: Snapshot, changes: list[Change]) -> None:
    if any(c["kind"] != "job" for c in changes):  # a type or category: every listing shows its name
        fetch(api, snap)
    else:
        fetch(api, snap, {int(c["id"]) for c in changes})


def _job_summary(job: dict[str, Any], today: date) -> dict[str, Any]:
    created = datetime.fromisoformat(job["created"].replace("Z", "+00:00")).date()
    return {
        "id": job["id"],
        "url": job["url"],
        "title": job["job_title"],
        "company": job["company_name"],
        "location": job["display_location"],
        "location_slug": job["location_slug"],
        "telecommuting": job["telecommuting"],
        "types": [t["name"] for t in job["job_types"]],
        "category": job["category"]["name"],
        "created": job["created"],
        "is_new": (today - created).days <= NEW_JOB_DAYS,
        "is_featured": job["is_featured"],
    }


def job_pages(
    snap: Snapshot, site_url: str, boxes: dict[str, str], sponsors: list[dict[str, Any]]
) -> list[Output]:
    """/jobs/ and its lists, taxonomies, details and feed, from the visible listings (inventory 1.10).
    Every page shows the sidebar: its boxes and the "Job Board Sponsors" wall (``sponsors``)."""
    today = date.fromisoformat(snap.data.get("view:today") or "1970-01-01")
    jobs = sorted(snap.items("job"), key=lambda j: (j["created"], j["id"]), reverse=True)
    summaries = [_job_summary(j, today) for j in jobs]
    # Lists show the number of listings; a listing's own page does not, so approving one job
    # re-renders the lists, its neighbours and its category, not every listing (python.org put the
    # count on every job page).
    sidebar = {"boxes": boxes, "sponsors": sponsors, "jobs_count": len(jobs)}
    out = paginated(
        "jobs/", "jobs/list.html", summaries, JOBS_PER_PAGE, {**sidebar, "heading": "Python Jobs"}
    )
    types: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    for job, summary in zip(jobs, summaries, strict=True):
        for t in job["job_types"]:
            type_record = record_of("jobs", "type", t["id"])
            types.setdefault(
                t["slug"], {"name": t["name"], "slug": t["slug"], "items": [], "record": type_record}
            )["items"].append(summary)
        c = job["category"]
        category_record = record_of("jobs", "category", c["id"])
        categories.setdefault(
            c["slug"], {"name": c["name"], "slug": c["slug"], "items": [], "record": category_record}
        )["items"].append(summary)
        # A place is no record of its own: its page is made from the city, region and country of
        # the newest listing there.
        place = locations.setdefault(
            job["location_slug"],
            {
                "name": job["display_location"],
                "slug": job["location_slug"],
                "country": job["country"],
                "items": [],
                "record": record_of("jobs", "job", job["id"]),
            },
        )
        place["items"].append(summary)
    for kind, groups, label in (("type", types, "Job type"), ("category", categories, "Job category")):
        for slug, group in sorted(groups.items()):
            out += paginated(
                f"jobs/{kind}/{slug}/",
                "jobs/list.html",
                group["items"],
                JOBS_PER_PAGE,
                {**sidebar, "heading": f"{label}: {group['name']}"},
                record=group["record"],
            )
    for slug, place in sorted(locations.items()):
        if slug == "telecommute":
            continue  # python.org's /jobs/location/telecommute/ is the telecommuting list below
        out += paginated(
            f"jobs/location/{slug}/",
            "jobs/list.html",
            place["items"],
            JOBS_PER_PAGE,
            {**sidebar, "heading": f"Jobs in {place['name']}"},
            record=place["record"],
        )
    remote = [s for s in summaries if s["telecommuting"]]
    out += paginated(
        "jobs/location/telecommute/",
        "jobs/list.html",
        remote,
        JOBS_PER_PAGE,
        {**sidebar, "heading": "Telecommuting jobs"},
    )

    def index(groups: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"name": g["name"], "slug": g["slug"], "count": len(g["items"])}
            for g in sorted(groups.values(), key=lambda g: (g["name"].lower(), g["slug"]))
        ]

    out.append(
        Output(
            "jobs/types/index.html",
            "jobs/index-types.html",
            {**sidebar, "groups": index(types), "kind": "type", "heading": "Job Types"},
        )
    )
    out.append(
        Output(
            "jobs/categories/index.html",
            "jobs/index-types.html",
            {**sidebar, "groups": index(categories), "kind": "category", "heading": "Job Categories"},
        )
    )
    places = [
        {"name": p["name"], "slug": p["slug"], "count": len(p["items"])}
        for p in sorted(
            locations.values(), key=lambda p: (p["country"].lower(), p["name"].lower(), p["slug"])
        )
    ]
    out.append(
        Output(
            "jobs/locations/index.html",
            "jobs/index-types.html",
            {**sidebar, "groups": places, "kind": "location", "heading": "Job Locations"},
        )
    )
    position = {s["id"]: i for group in categories.values() for i, s in enumerate(group["items"])}
    for i, job in enumerate(jobs):
        newer = summaries[i - 1] if i > 0 else None
        older = summaries[i + 1] if i + 1 < len(jobs) else None
        # python.org showed five jobs of the same category; here the five listed after this one
        # (older), topped up with newer ones, so a new listing changes a few pages, not all.
        same = categories[job["category"]["slug"]]["items"]
        here = position[job["id"]]
        related = (same[here + 1 : here + 6] + same[max(0, here - 5) : here][::-1])[:5]
        keys = (
            "id",
            "url",
            "job_title",
            "company_name",
            "display_name",
            "category",
            "job_types",
            "other_job_type",
            "display_location",
            "location_slug",
            "telecommuting",
            "agencies",
            "description_html",
            "requirements_html",
            "company_description_html",
            "contact",
            "email",
            "job_url",
            "created",
            "expires",
        )
        out.append(
            Output(
                f"jobs/{job['id']}/index.html",
                "jobs/detail.html",
                {
                    "job": {k: job[k] for k in keys},
                    "newer": newer,
                    "older": older,
                    "related": related,
                    "boxes": boxes,
                    "sponsors": sponsors,
                },
                record=record_of("jobs", "job", job["id"]),
            )
        )
    out.append(Output("jobs/feed/rss/index.rss", None, text=_jobs_feed(jobs[:JOBS_FEED_SIZE], site_url)))
    # The owner's pages: static shells whose script calls the API with the visitor's session, so a
    # listing that is not public never reaches a public file. python.org's /jobs/<id>/edit/ and
    # /jobs/<id>/preview/ are /jobs/edit/?id=<id> and /jobs/preview/?id=<id> here.
    for path, template in (
        ("jobs/create/index.html", "jobs/form.html"),
        ("jobs/edit/index.html", "jobs/form.html"),
        ("jobs/preview/index.html", "jobs/preview.html"),
        ("jobs/mine/index.html", "jobs/mine.html"),
        ("jobs/thanks/index.html", "jobs/thanks.html"),
    ):
        out.append(Output(path, template, {"boxes": boxes, "sponsors": sponsors}))
    return out


def _jobs_feed(jobs: list[dict[str, Any]], site_url: str) -> str:
    """RSS 2.0 "Python Job Board": the 20 newest visible listings (python.org's feed also listed
    expired ones: appendix B)."""
    return rss(
        "Python Job Board",
        f"{site_url}/jobs/",
        "The newest jobs posted on the Python Job Board",
        [
            (
                job["display_name"],
                f"{site_url}{job['url']}",
                f"<p>{escape(job['display_location'])}</p>{job['description_html']}{job['requirements_html']}",
                job["created"],
            )
            for job in jobs
        ],
    )


def plan(site: Site) -> list[Output]:
    return job_pages(site.snap, site.url, site.pick(JOBS_BOXES), site.sponsor_wall("jobs"))


SECTION = Section("jobs", fetch=fetch, watches=(Watch("jobs"),), refetch=refetch, daily=True, plan=plan)
