"""/api/v3/jobs/: the job board's status machine with permission matrices (who may make each move,
and that a refused call changes no table), the mail each move sends (recipients, subject, body),
sanitized markup, the public list with its filters and order, the taxonomies and locations, the
moderators' queue and the owner's own listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import assert_no_more_mail, check_permission_matrix, wait_for_mail

MODERATE = "jobs.moderate"
BOARD = "jobs@python.org"
JOB_KEYS = {
    "id",
    "url",
    "job_title",
    "company_name",
    "display_name",
    "category",
    "job_types",
    "other_job_type",
    "city",
    "region",
    "country",
    "display_location",
    "location_slug",
    "country_slug",
    "telecommuting",
    "agencies",
    "description",
    "description_markup_type",
    "description_html",
    "requirements",
    "requirements_markup_type",
    "requirements_html",
    "company_description",
    "company_description_markup_type",
    "company_description_html",
    "contact",
    "email",
    "job_url",
    "status",
    "expires",
    "is_featured",
    "is_new",
    "editable",
    "created",
    "updated",
}


def job_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "job_title": "Senior Python Developer",
        "company_name": "Acme Widgets",
        "category": "software-developer",
        "job_types": ["web", "cloud"],
        "city": "Memphis",
        "region": "TN",
        "country": "USA",
        "description": " ".join(f"word{i}" for i in range(60)),
        "requirements": "* Python\n* SQL",
        "requirements_markup_type": "markdown",
        "contact": "Grace Hopper",
        "email": "hiring@acme.example",
        "job_url": "https://acme.example/jobs/1",
    }
    body.update(overrides)
    return body


async def _no_more_mail(mailer: Any, count: int) -> None:
    await assert_no_more_mail(mailer, count)


async def setup_board(client: Any, actors: Any) -> None:
    """A moderator, an owner, the category and the types the bodies above use."""
    await actors.create("moderator", permissions=(MODERATE,))
    await actors.create("owner")
    h = actors["moderator"].headers
    for path, name in (
        ("categories", "Software Developer"),
        ("categories", "Data Scientist"),
        ("types", "Web"),
        ("types", "Cloud"),
    ):
        r = await client.post(f"/api/v3/jobs/{path}", headers=h, json={"name": name})
        assert r.status_code == 201, r.text
    r = await client.post("/api/v3/jobs/types", headers=h, json={"name": "Legacy", "active": False})
    assert r.status_code == 201 and r.json()["slug"] == "legacy"


async def create_job(client: Any, actors: Any, who: str = "owner", **overrides: Any) -> dict[str, Any]:
    r = await client.post("/api/v3/jobs", headers=actors[who].headers, json=job_body(**overrides))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def approved_job(client: Any, actors: Any, **overrides: Any) -> dict[str, Any]:
    job = await create_job(client, actors, **overrides)
    r = await client.post(f"/api/v3/jobs/{job['id']}/submit", headers=actors["owner"].headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v3/jobs/{job['id']}/approve", headers=actors["moderator"].headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _ready(request: Any) -> Any:
    return request


async def test_draft_review_approve_with_matrices_and_mail(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    await setup_board(client, actors)
    body = job_body(
        description_markup_type="html",
        description='<p onclick="x()">We build <a href="javascript:alert(1)">widgets</a><script>bad()</script></p>',
    )
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "owner": 201, "root": 201},
        ("POST", "/api/v3/jobs", body),
    )
    job = r["owner"].json()
    jid = job["id"]
    assert set(job) == JOB_KEYS
    assert job["status"] == "draft" and job["url"] == f"/jobs/{jid}/" and job["editable"] is True
    assert job["location_slug"] == "memphis-tn-usa" and job["country_slug"] == "usa"
    assert job["display_location"] == "Memphis, TN, USA"
    assert job["display_name"] == "Senior Python Developer, Acme Widgets"
    assert [t["slug"] for t in job["job_types"]] == ["cloud", "web"]  # by name
    assert job["category"] == {"id": 1, "name": "Software Developer", "slug": "software-developer"}
    html = job["description_html"]
    assert (
        "<script>" not in html and "onclick" not in html and "javascript:" not in html and "widgets" in html
    )
    assert job["requirements_html"] == "<ul>\n<li>Python</li>\n<li>SQL</li>\n</ul>"
    row = await db_conn.fetchrow("SELECT * FROM jobs WHERE id=$1", jid)
    owner_id = actors["owner"].user_id
    assert (row["status"], row["creator_id"], row["submitted_by_id"]) == ("draft", owner_id, owner_id)
    assert row["description"] == body["description"] and row["description_html"] == html
    assert row["url"] == "https://acme.example/jobs/1" and row["expires"] is None
    assert await db_conn.fetchval("SELECT count(*) FROM job_job_types WHERE job_id=$1", jid) == 2
    await _no_more_mail(mailer, 0)  # python.org: creating a draft sends nothing

    # Another user cannot see a draft; its owner and moderators can.
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 404, "ordinary": 404, "staffer": 404, "owner": 200, "moderator": 200, "root": 200},
        ("GET", f"/api/v3/jobs/{jid}", None),
    )
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        # A superuser holds jobs.change_job (a moderator), so may edit someone's draft.
        {"anonymous": 401, "ordinary": 404, "staffer": 404, "owner": 200, "root": 200},
        ("PATCH", f"/api/v3/jobs/{jid}", {"job_title": "Python Developer", "job_types": ["web"]}),
    )
    row = await db_conn.fetchrow("SELECT job_title, status FROM jobs WHERE id=$1", jid)
    assert tuple(row) == ("Python Developer", "draft")
    assert await db_conn.fetch("SELECT job_type_id FROM job_job_types WHERE job_id=$1", jid) == [(1,)]

    # Only the owner submits; the board gets one mail.
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        # Submitting is the owner's own act (OWNER_MOVES): a superuser is refused like a moderator.
        {"anonymous": 401, "ordinary": 404, "moderator": 403, "root": 403, "owner": 200},
        ("POST", f"/api/v3/jobs/{jid}/submit", None),
    )
    assert await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", jid) == "review"
    (submitted,) = await wait_for_mail(mailer, 1)
    assert submitted["To"] == BOARD and submitted["From"] == BOARD
    assert submitted["Subject"] == "Job Submitted for Approval: Python Developer, Acme Widgets"
    text = submitted.get_content()
    assert "Title:    Python Developer\n" in text and "Company:  Acme Widgets\n" in text
    assert "Category: Software Developer\n" in text
    assert "Contact:  Grace Hopper <hiring@acme.example>\n" in text
    assert f"Description:\n{body['description']}\n" in text  # the raw text, not the HTML
    assert f"https://www.python.org/api/v3/jobs/{jid}" in text
    again = await client.post(f"/api/v3/jobs/{jid}/submit", headers=actors["owner"].headers)
    assert again.status_code == 409
    await _no_more_mail(mailer, 1)

    # Only moderators approve; the contact and the board are told, with the real period.
    before = datetime.now(UTC)
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 403, "owner": 403, "moderator": 200},
        ("POST", f"/api/v3/jobs/{jid}/approve", None),
    )
    row = await db_conn.fetchrow("SELECT status, expires FROM jobs WHERE id=$1", jid)
    assert row["status"] == "approved"
    assert before + timedelta(days=90) <= row["expires"] <= datetime.now(UTC) + timedelta(days=90)
    approved = (await wait_for_mail(mailer, 2))[1]
    assert approved["To"] == f"hiring@acme.example, {BOARD}" and approved["From"] == BOARD
    assert approved["Subject"] == "Python Job Board: Job entry approved"
    text = approved.get_content()
    assert text.startswith("Dear Grace Hopper,\n")
    assert f"https://www.python.org/jobs/{jid}/" in text
    assert f"for 90 days, until {row['expires'].strftime('%d %B %Y')}." in text
    assert "30 days" not in text
    assert "\nmoderator\nPython Job Board\n" in text  # the reviewer's name
    await _no_more_mail(mailer, 2)

    # Public now; the owner can no longer edit it, a moderator can.
    public = (await client.get(f"/api/v3/jobs/{jid}")).json()
    assert public["status"] == "approved" and public["editable"] is False and public["is_new"] is True
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "owner": 403, "moderator": 200, "root": 200},
        ("PATCH", f"/api/v3/jobs/{jid}", {"city": "Nashville"}),
    )
    row = await db_conn.fetchrow("SELECT city, location_slug, status FROM jobs WHERE id=$1", jid)
    assert tuple(row) == ("Nashville", "nashville-tn-usa", "approved")
    listing = (await client.get("/api/v3/jobs")).json()
    assert [j["id"] for j in listing["data"]] == [jid] and listing["meta"]["total"] == 1
    # The change feed recorded the listing (and the taxonomy), never a comment.
    kinds = await db_conn.fetch("SELECT DISTINCT kind FROM changes WHERE domain='jobs' ORDER BY kind")
    assert [k["kind"] for k in kinds] == ["category", "job", "type"]


async def test_reject_resubmit_and_review_comments(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    await setup_board(client, actors)
    jid = (await create_job(client, actors, contact=""))["id"]
    owner, moderator = actors["owner"].headers, actors["moderator"].headers
    assert (await client.post(f"/api/v3/jobs/{jid}/submit", headers=owner)).status_code == 200
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "owner": 403, "moderator": 200},
        ("POST", f"/api/v3/jobs/{jid}/reject", None),
    )
    rejected = (await wait_for_mail(mailer, 2))[1]
    assert rejected["To"] == f"hiring@acme.example, {BOARD}"
    assert rejected["Subject"] == "Python Job Board: Job entry could not be accepted"
    text = rejected.get_content()
    assert text.startswith("Dear Job Submitter,\n")  # no contact name given
    assert "https://www.python.org/community/jobs/howto/" in text
    assert "https://www.python.org/jobs/mine/" in text
    # A rejected listing is editable again and can be resubmitted.
    r = await client.patch(f"/api/v3/jobs/{jid}", headers=owner, json={"contact": "Ada"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert (await client.post(f"/api/v3/jobs/{jid}/submit", headers=owner)).json()["status"] == "review"
    resubmitted = (await wait_for_mail(mailer, 3))[2]
    assert resubmitted["Subject"] == "Job Submitted for Approval: Senior Python Developer, Acme Widgets"
    assert "Contact:  Ada <hiring@acme.example>\n" in resubmitted.get_content()
    assert "word48 word49 …\n" in resubmitted.get_content()  # the first 50 words of the description

    # Comments: the owner writes to the board only; a third user may not comment.
    comment_url = f"/api/v3/jobs/{jid}/comments"
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 404, "staffer": 404, "owner": 201},
        ("POST", comment_url, {"comment": "Salary is *negotiable*.", "comment_markup_type": "markdown"}),
    )
    comment = r["owner"].json()
    assert comment["comment_html"] == "<p>Salary is <em>negotiable</em>.</p>"
    assert comment["creator_id"] == actors["owner"].user_id and comment["creator_name"] == "owner"
    by_owner = (await wait_for_mail(mailer, 4))[3]
    assert by_owner["To"] == BOARD
    assert (
        by_owner["Subject"] == "Python Job Board: Review comment for: Senior Python Developer, Acme Widgets"
    )
    text = by_owner.get_content()
    assert text.startswith("Dear Python Job Board Admin,\n") and "Salary is *negotiable*." in text
    # The owner may not approve through a comment; nothing is stored, nothing is sent.
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"owner": 403},
        ("POST", comment_url, {"comment": "please approve", "action": "approve"}),
    )
    await _no_more_mail(mailer, 4)
    # A moderator's comment goes to the board and the contact.
    r = await client.post(comment_url, headers=moderator, json={"comment": "Please add a salary range."})
    assert r.status_code == 201, r.text
    by_moderator = (await wait_for_mail(mailer, 5))[4]
    assert by_moderator["To"] == f"{BOARD}, hiring@acme.example"
    text = by_moderator.get_content()
    assert text.startswith("Dear owner,\n")
    assert "There is a new review comment available for your job posting." in text
    # A moderator may approve with a comment: two mails, comment then approval.
    r = await client.post(comment_url, headers=moderator, json={"comment": "Thanks!", "action": "approve"})
    assert r.status_code == 201, r.text
    assert await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", jid) == "approved"
    subjects = [m["Subject"] for m in (await wait_for_mail(mailer, 7))[5:]]
    assert sorted(subjects) == [
        "Python Job Board: Job entry approved",
        "Python Job Board: Review comment for: Senior Python Developer, Acme Widgets",
    ]
    assert await db_conn.fetchval("SELECT count(*) FROM job_review_comments WHERE job_id=$1", jid) == 3
    # Reading comments: owner and moderators; the listing is public now, a third user is refused.
    listed = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "owner": 200, "moderator": 200},
        ("GET", comment_url, None),
    )
    assert [c["comment"] for c in listed["owner"].json()] == [
        "Salary is *negotiable*.",
        "Please add a salary range.",
        "Thanks!",
    ]
    # Once public, a third user's comment is refused (403, not 404) and nothing is stored.
    await check_permission_matrix(
        client, db_conn, actors.callers, {"ordinary": 403}, ("POST", comment_url, {"comment": "hi"})
    )
    await _no_more_mail(mailer, 7)


async def test_moderation_moves_feature_withdraw_and_queues(
    client: Any, actors: Any, db_conn: Any, mailer: Any, worker: Any
) -> None:
    await setup_board(client, actors)
    owner, moderator = actors["owner"].headers, actors["moderator"].headers
    ids = [(await create_job(client, actors, job_title=f"Job {n}"))["id"] for n in range(4)]
    for jid in ids[:3]:
        assert (await client.post(f"/api/v3/jobs/{jid}/submit", headers=owner)).status_code == 200
    # The oldest submission first, including one older than python.org's 120-day window.
    await db_conn.execute("UPDATE jobs SET created = now() - interval '200 days' WHERE id=$1", ids[2])
    queue = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 403, "owner": 403, "moderator": 200},
        ("GET", "/api/v3/jobs/review", None),
    )
    assert [j["id"] for j in queue["moderator"].json()["data"]] == [ids[2], ids[0], ids[1]]

    for action, status in (("archive", "archived"), ("remove", "removed")):
        await check_permission_matrix(
            client,
            db_conn,
            actors.callers,
            {"anonymous": 401, "ordinary": 403, "staffer": 403, "owner": 403, "moderator": 200},
            ("POST", f"/api/v3/jobs/{ids[0]}/{action}", None),
        )
        assert await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", ids[0]) == status
    assert (await client.post(f"/api/v3/jobs/{ids[0]}/remove", headers=moderator)).status_code == 409

    # Featuring: moderators only.
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "owner": 403, "moderator": 200, "root": 200},
        ("POST", f"/api/v3/jobs/{ids[1]}/feature", {"is_featured": True}),
    )
    assert await db_conn.fetchval("SELECT is_featured FROM jobs WHERE id=$1", ids[1]) is True

    # The owner withdraws an approved listing (the position is filled); others cannot.
    assert (await client.post(f"/api/v3/jobs/{ids[1]}/approve", headers=moderator)).status_code == 200
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        # Withdrawing is the owner's own act (OWNER_MOVES): a superuser is refused like a moderator.
        {"anonymous": 401, "ordinary": 403, "moderator": 403, "root": 403, "owner": 200},
        ("POST", f"/api/v3/jobs/{ids[1]}/withdraw", None),
    )
    assert await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", ids[1]) == "removed"
    assert (await client.get(f"/api/v3/jobs/{ids[1]}")).status_code == 404
    # A draft of someone else is invisible, so withdrawing it is a 404.
    r = await client.post(f"/api/v3/jobs/{ids[3]}/withdraw", headers=actors["ordinary"].headers)
    assert r.status_code == 404

    # The owner's own listings in every status; nobody else's.
    await create_job(client, actors, who="ordinary", job_title="Not mine")
    mine = await check_permission_matrix(
        client, db_conn, actors.callers, {"anonymous": 401, "owner": 200}, ("GET", "/api/v3/jobs/mine", None)
    )
    data = mine["owner"].json()["data"]
    assert sorted(j["id"] for j in data) == sorted(ids)
    assert {j["status"] for j in data} == {"removed", "review", "draft"}
    r = await client.get("/api/v3/jobs/mine?status=draft", headers=owner)
    assert [j["id"] for j in r.json()["data"]] == [ids[3]]
    # The moderators' list of everything, by status and by title.
    r = await client.get("/api/v3/jobs/moderate?q=job%202", headers=moderator)
    assert [j["id"] for j in r.json()["data"]] == [ids[2]]
    r = await client.get("/api/v3/jobs/moderate?status=removed", headers=moderator)
    assert sorted(j["id"] for j in r.json()["data"]) == sorted([ids[0], ids[1]])
    assert (await client.get("/api/v3/jobs/moderate", headers=owner)).status_code == 403


async def test_public_list_filters_order_taxonomies_and_locations(
    client: Any, actors: Any, db_conn: Any, worker: Any
) -> None:
    await setup_board(client, actors)
    moderator = actors["moderator"].headers
    memphis = await approved_job(client, actors, job_types=["web"])
    berlin = await approved_job(
        client,
        actors,
        job_title="Data Engineer",
        category="data-scientist",
        job_types=["cloud"],
        city="Berlin",
        region="",
        country="Germany",
        telecommuting=True,
    )
    expired = await approved_job(client, actors, city="Paris", region="", country="France")
    in_review = await create_job(client, actors, city="Oslo", region="", country="Norway")
    await client.post(f"/api/v3/jobs/{in_review['id']}/submit", headers=actors["owner"].headers)
    await client.post(f"/api/v3/jobs/{berlin['id']}/feature", headers=moderator, json={"is_featured": True})
    # An approved listing whose expiry passed is not visible, whatever its status says.
    await db_conn.execute("UPDATE jobs SET expires = now() - interval '1 day' WHERE id=$1", expired["id"])
    await db_conn.execute("UPDATE jobs SET created = now() - interval '40 days' WHERE id=$1", memphis["id"])

    async def ids(query: str = "") -> list[int]:
        r = await client.get(f"/api/v3/jobs{query}")
        assert r.status_code == 200, r.text
        return [j["id"] for j in r.json()["data"]]

    assert await ids() == [berlin["id"], memphis["id"]]  # newest first
    assert await ids("?limit=1000") == [berlin["id"], memphis["id"]]
    assert await ids("?type=web") == [memphis["id"]]
    assert await ids("?category=data-scientist") == [berlin["id"]]
    assert await ids("?location=memphis-tn-usa") == [memphis["id"]]
    assert await ids("?location=paris-france") == []
    assert await ids("?telecommuting=true") == [berlin["id"]]
    assert await ids("?telecommuting=false") == [memphis["id"]]
    assert await ids("?is_featured=true") == [berlin["id"]]
    assert await ids("?limit=1&offset=1") == [memphis["id"]]
    assert (await client.get("/api/v3/jobs?type=nope")).status_code == 404
    assert (await client.get("/api/v3/jobs?category=nope")).status_code == 404
    assert (await client.get("/api/v3/jobs?limit=1001")).status_code == 400
    assert (await client.get(f"/api/v3/jobs/{expired['id']}")).status_code == 404
    old = (await client.get(f"/api/v3/jobs/{memphis['id']}")).json()
    assert old["is_new"] is False

    # The taxonomy pages: name, slug and the count of visible listings; by default only those
    # with visible listings, and for types only active ones (python.org's with_active_jobs()).
    types = (await client.get("/api/v3/jobs/types")).json()
    assert types["data"] == [
        {"id": 2, "name": "Cloud", "slug": "cloud", "active": True, "job_count": 1},
        {"id": 1, "name": "Web", "slug": "web", "active": True, "job_count": 1},
    ]
    assert types["meta"] == {"total": 2, "limit": 100, "offset": 0}
    every = (await client.get("/api/v3/jobs/types?with_jobs=false")).json()["data"]
    assert [(t["slug"], t["job_count"]) for t in every] == [("cloud", 1), ("legacy", 0), ("web", 1)]
    r = await client.patch("/api/v3/jobs/types/1", headers=moderator, json={"active": False})
    assert r.status_code == 200 and r.json() == {
        "id": 1,
        "name": "Web",
        "slug": "web",
        "active": False,
        "job_count": 1,
    }
    assert [t["slug"] for t in (await client.get("/api/v3/jobs/types")).json()["data"]] == ["cloud"]
    categories = (await client.get("/api/v3/jobs/categories")).json()["data"]
    assert [(c["slug"], c["job_count"]) for c in categories] == [
        ("data-scientist", 1),
        ("software-developer", 1),
    ]
    # An inactive type cannot be given to a listing any more.
    r = await client.post("/api/v3/jobs", headers=actors["owner"].headers, json=job_body(job_types=["web"]))
    assert r.status_code == 400 and "job_types" in r.json()["extra"]

    locations = (await client.get("/api/v3/jobs/locations")).json()
    assert locations == {
        "data": [
            {
                "location_slug": "berlin-germany",
                "city": "Berlin",
                "region": "",
                "country": "Germany",
                "country_slug": "germany",
                "display_location": "Berlin, Germany",
                "job_count": 1,
            },
            {
                "location_slug": "memphis-tn-usa",
                "city": "Memphis",
                "region": "TN",
                "country": "USA",
                "country_slug": "usa",
                "display_location": "Memphis, TN, USA",
                "job_count": 1,
            },
        ],
        "meta": {"total": 2, "limit": 100, "offset": 0},
    }


async def test_taxonomy_writes_need_the_permission(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("moderator", permissions=(MODERATE,))
    refused = {"anonymous": 401, "ordinary": 403, "staffer": 403}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**refused, "moderator": 201, "root": 201},
        # The name (and its slug) is unique: the superuser adds its own category.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/jobs/categories",
                {"name": "Release Manager" if caller == "root" else "Systems Administrator"},
            )
        ),
    )
    assert r["moderator"].json()["slug"] == "systems-administrator"
    assert r["root"].json()["slug"] == "release-manager"
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**refused, "moderator": 200, "root": 200},
        ("PATCH", "/api/v3/jobs/categories/1", {"name": "SysAdmin"}),
    )
    assert await db_conn.fetchval("SELECT name FROM job_categories WHERE id=1") == "SysAdmin"
    dup = await client.post(
        "/api/v3/jobs/categories", headers=actors["moderator"].headers, json={"name": "Systems Administrator"}
    )
    assert dup.status_code == 409 and "slug" in dup.json()["extra"]
    assert (
        await client.patch("/api/v3/jobs/types/9", headers=actors["root"].headers, json={})
    ).status_code == 404


async def test_bad_input_is_refused_by_field(client: Any, actors: Any, db_conn: Any) -> None:
    await setup_board(client, actors)
    owner = actors["owner"].headers
    cases = [
        (job_body(category="nope"), "category"),
        (job_body(job_types=["legacy"]), "job_types"),  # inactive
        (job_body(job_types=["nope"]), "job_types"),
        (job_body(job_url="javascript:alert(1)"), "job_url"),
        (job_body(job_url="https:///nohost"), "job_url"),
        (job_body(job_url="http://[::1"), "job_url"),
        (job_body(job_title="   "), "job_title"),
        (job_body(email="not-an-email"), "email"),
        (job_body(description_markup_type="rst"), "description_markup_type"),
        ({**job_body(), "status": "approved"}, "status"),
        ({**job_body(), "expires": "2030-01-01T00:00:00Z"}, "expires"),
    ]
    for body, field in cases:
        r = await client.post("/api/v3/jobs", headers=owner, json=body)
        assert r.status_code == 400 and field in r.text, (field, r.text)
    assert await db_conn.fetchval("SELECT count(*) FROM jobs") == 0
    jid = (await create_job(client, actors))["id"]
    r = await client.patch(f"/api/v3/jobs/{jid}", headers=owner, json={"country": ""})
    assert r.status_code == 400 and "country" in r.text
    assert await db_conn.fetchval("SELECT country FROM jobs WHERE id=$1", jid) == "USA"
