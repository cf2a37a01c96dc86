"""/api/v3/success-stories/ and /api/v3/companies: permission matrices, drafts for editors only,
the linked company's name and URL winning, python.org's submission form (unique name, mail to
the PSF staff with the author in Reply-To, no header injection, rate limit, honeypot), and the
Django import."""

from __future__ import annotations

from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix, wait_for_mail

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
STAMPS = {"created": "2019-05-09T10:00:00Z", "updated": "2019-05-09T10:00:00Z"}  # as dumpdata has them
SUBMISSION = {
    "name": "Python at Example Corp",
    "company_name": "Example Corp",
    "company_url": "https://example.com/",
    "category": "business",
    "author": "Ada Lovelace",
    "author_email": "ada@example.org",
    "pull_quote": "Python made it easy.",
    "content": "We *love* Python.\n\n<script>alert(1)</script>",
}


async def _category(client: Any, actors: Any, name: str = "Business") -> dict[str, Any]:
    r = await client.post(
        "/api/v3/success-stories/categories", headers=actors["root"].headers, json={"name": name}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _ready(request: Any) -> Any:
    return request


async def test_categories_matrix_and_reads(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("curator", permissions=("successstories.add_storycategory",))
    await actors.create("editor", permissions=("successstories.change_storycategory",))
    await actors.create("remover", permissions=("successstories.delete_storycategory",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "curator": 201, "root": 201},
        # The name (and its slug) is unique: the superuser creates its own category.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/success-stories/categories",
                {"name": "Root Category" if caller == "root" else "Software Development"},
            )
        ),
    )
    category = r["curator"].json()
    root_url = f"/api/v3/success-stories/categories/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert category == {
        "id": category["id"],
        "name": "Software Development",
        "slug": "software-development",
        "page_url": "/success-stories/category/software-development/",
    }
    dup = await client.post(
        "/api/v3/success-stories/categories",
        headers=actors["curator"].headers,
        json={"name": "Software development"},
    )
    assert dup.status_code == 409 and "slug" in dup.text
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "curator": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/success-stories/categories/{category['id']}", {"name": "Software"}),
    )
    listing = (await client.get("/api/v3/success-stories/categories")).json()
    assert [c["name"] for c in listing["data"]] == ["Software"] and listing["meta"]["total"] == 1
    # A category with stories cannot be deleted (python.org deleted the stories with it).
    story = await client.post(
        "/api/v3/success-stories",
        headers=actors["root"].headers,
        json={**SUBMISSION, "category": "software-development"},
    )
    assert story.status_code == 201, story.text
    refused = await client.delete(
        f"/api/v3/success-stories/categories/{category['id']}", headers=actors["remover"].headers
    )
    assert refused.status_code == 409 and await db_conn.fetchval("SELECT count(*) FROM story_categories") == 1
    await client.delete(f"/api/v3/success-stories/{story.json()['id']}", headers=actors["root"].headers)

    async def remove_category(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/success-stories/categories/{category['id']}", None)
        spare = await _category(client, actors, "Spare")
        return ("DELETE", f"/api/v3/success-stories/categories/{spare['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove_category,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM story_categories") == 0


async def test_stories_matrix_drafts_company_and_filters(client: Any, actors: Any, db_conn: Any) -> None:
    category = await _category(client, actors)
    await _category(client, actors, "Arts")
    await actors.create("writer", permissions=("successstories.add_story",))
    await actors.create("editor", permissions=("successstories.change_story",))
    await actors.create("remover", permissions=("successstories.delete_story",))
    body = {**SUBMISSION, "content_markup_type": "markdown", "image": "successstories/example.png"}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 403, "writer": 201, "root": 201},
        # The name (and its slug) is unique: the superuser writes its own story.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/success-stories",
                {**body, "name": "Python at Root"} if caller == "root" else body,
            )
        ),
    )
    story = r["writer"].json()
    root_url = f"/api/v3/success-stories/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert story["url"] == "/success-stories/python-at-example-corp/" and story["is_published"] is False
    assert story["category"] == {"id": category["id"], "name": "Business", "slug": "business"}
    assert story["company_name"] == "Example Corp" and story["image"] == "successstories/example.png"
    stored = await db_conn.fetchrow("SELECT content_html, creator_id FROM stories WHERE id=$1", story["id"])
    assert "<em>love</em>" in stored["content_html"] and "<script>" not in stored["content_html"]
    assert stored["creator_id"] == actors["writer"].user_id
    # A draft: invisible to the public (list, id, slug), visible to editors and staff.
    sid = story["id"]
    assert (await client.get("/api/v3/success-stories")).json()["meta"]["total"] == 0
    assert (await client.get(f"/api/v3/success-stories/{sid}")).status_code == 404
    assert (await client.get("/api/v3/success-stories/slug/python-at-example-corp")).status_code == 404
    for who in ("editor", "staffer"):
        h = actors[who].headers
        assert (
            await client.get("/api/v3/success-stories/slug/python-at-example-corp", headers=h)
        ).status_code == 200
        assert (await client.get("/api/v3/success-stories", headers=h)).json()["meta"]["total"] == 1
    # Publish and feature through PATCH; link a company, whose name and URL then win.
    company = await client.post(
        "/api/v3/companies",
        headers=actors["root"].headers,
        json={
            "name": "Example Inc.",
            "url": "https://example.net/",
            "about": "**Big**",
            "about_markup_type": "markdown",
        },
    )
    assert company.status_code == 201 and "<strong>Big</strong>" in company.json()["about_html"]
    patch = {"is_published": True, "featured": True, "company_id": company.json()["id"]}
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "writer": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/success-stories/{sid}", patch),
    )
    public = (await client.get("/api/v3/success-stories/slug/python-at-example-corp")).json()
    assert public["company_name"] == "Example Inc." and public["company_url"] == "https://example.net/"
    assert public["author_email"] is None and public["featured"] is True
    assert (await client.get(f"/api/v3/success-stories/{sid}")).json()["id"] == sid
    assert (await client.get("/api/v3/success-stories?category=business&featured=true")).json()["meta"][
        "total"
    ] == 1
    assert (await client.get("/api/v3/success-stories?category=arts")).json()["data"] == []
    assert (await client.get("/api/v3/success-stories?featured=false")).json()["data"] == []
    bad = await client.patch(
        f"/api/v3/success-stories/{sid}", headers=actors["editor"].headers, json={"category": "nope"}
    )
    assert bad.status_code == 400 and "category" in bad.text
    bad = await client.patch(
        f"/api/v3/success-stories/{sid}", headers=actors["editor"].headers, json={"company_id": 99999}
    )
    assert bad.status_code == 400 and "company_id" in bad.text
    # Deleting the company keeps the story, which shows its own company text again.
    assert (
        await client.delete(f"/api/v3/companies/{company.json()['id']}", headers=actors["root"].headers)
    ).status_code == 204
    public = (await client.get(f"/api/v3/success-stories/{sid}")).json()
    assert public["company_name"] == "Example Corp" and public["company_url"] == "https://example.com/"
    changes = await db_conn.fetch("SELECT DISTINCT domain, kind FROM changes ORDER BY 1, 2")
    assert {(c["domain"], c["kind"]) for c in changes} >= {
        ("companies", "company"),
        ("successstories", "category"),
        ("successstories", "story"),
    }

    async def remove_story(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/success-stories/{sid}", None)
        spare = await client.post(
            "/api/v3/success-stories", headers=actors["writer"].headers, json={**body, "name": "Spare"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/success-stories/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove_story,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM stories") == 0


async def test_companies_matrix(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("companies.add_company",))
    await actors.create("changer", permissions=("companies.change_company",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "changer": 403, "adder": 201, "root": 201},
        # The name (and its slug) is unique: the superuser adds its own company.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/companies",
                {
                    "name": "Root Widgets" if caller == "root" else "Acme Widgets",
                    "email": "info@acme.example",
                },
            )
        ),
    )
    company = r["adder"].json()
    root_url = f"/api/v3/companies/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert company["slug"] == "acme-widgets" and company["logo"] is None
    assert (await client.get(f"/api/v3/companies/{company['id']}")).json()["email"] == "info@acme.example"
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "adder": 403, "changer": 200, "root": 200},
        ("PATCH", f"/api/v3/companies/{company['id']}", {"contact": "Wile E."}),
    )
    assert await db_conn.fetchval("SELECT contact FROM companies") == "Wile E."
    # The logo goes through the storage interface; the row holds the stored path only.
    logo_url = f"/api/v3/companies/{company['id']}/logo"
    png = b"\x89PNG\r\n\x1a\n" + bytes(24)
    bad = await client.post(
        "/api/v3/companies", headers=actors["adder"].headers, json={"name": "X", "logo": "/etc/passwd"}
    )
    assert bad.status_code == 400 and "logo" in bad.text
    for name, expected in (("anonymous", 401), ("ordinary", 403), ("adder", 403)):
        r = await client.put(
            logo_url, headers=actors[name].headers, files={"file": ("a.png", png, "image/png")}
        )
        assert r.status_code == expected, name
    changer = actors["changer"].headers
    r = await client.put(logo_url, headers=changer, files={"file": ("../Acme Logo.png", png, "image/png")})
    assert r.status_code == 200, r.text
    first = r.json()["logo"]
    assert first.startswith("companies/logos/") and ".." not in first
    assert r.json()["logo_url"] == "/media/" + first
    assert await db_conn.fetchval("SELECT logo FROM companies") == first
    assert (settings.media_dir / first).read_bytes() == png
    r = await client.put(
        logo_url, headers=changer, files={"file": ("evil.png", b"<svg onload=x>", "image/png")}
    )
    assert r.status_code == 400 and "not a valid png image" in r.text
    assert await db_conn.fetchval("SELECT logo FROM companies") == first
    r = await client.put(
        logo_url, headers=changer, files={"file": ("new.gif", b"GIF89a" + bytes(10), "image/gif")}
    )
    assert r.status_code == 200
    second = r.json()["logo"]
    assert not (settings.media_dir / first).exists() and (settings.media_dir / second).exists()
    assert (await client.delete(logo_url, headers=changer)).status_code == 204
    assert await db_conn.fetchval("SELECT logo FROM companies") is None
    assert not (settings.media_dir / second).exists()
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "changer": 403, "root": 204},
        ("DELETE", f"/api/v3/companies/{company['id']}", None),
    )
    assert (await client.get("/api/v3/companies")).json()["meta"]["total"] == 0


async def test_submission_is_stored_and_mailed(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any, settings: Any
) -> None:
    await _category(client, actors)
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 201},
        ("POST", "/api/v3/success-stories/submissions", SUBMISSION),
    )
    created = r["ordinary"].json()
    row = await db_conn.fetchrow("SELECT * FROM stories WHERE id=$1", created["id"])
    assert row["is_published"] is False and row["featured"] is False
    assert row["submitted_by_id"] == actors["ordinary"].user_id and row["slug"] == "python-at-example-corp"
    assert row["content"] == SUBMISSION["content"] and row["content_markup_type"] == "markdown"
    assert "<script>" not in row["content_html"] and row["author_email"] == "ada@example.org"
    # The submitter does not see the draft afterwards; the public neither.
    assert (
        await client.get(f"/api/v3/success-stories/{created['id']}", headers=actors["ordinary"].headers)
    ).status_code == 404
    [message] = await wait_for_mail(mailer)
    assert message["Subject"] == "New success story submission: Python at Example Corp"
    assert message["To"] == settings.success_stories_to_email == "psf-staff@python.org"
    assert message["From"] == settings.default_from_email and message["Reply-To"] == "ada@example.org"
    assert message["Bcc"] is None and message["Cc"] is None
    body = message.get_content()
    for line in (
        "Name: Python at Example Corp",
        "Company name: Example Corp",
        "Company URL: https://example.com/",
        "Category: Business",
        "Author: Ada Lovelace",
        "Author email: ada@example.org",
        "Python made it easy.",
        "<script>alert(1)</script>",
        f"/api/v3/success-stories/{created['id']}",
    ):
        assert line in body, line
    # python.org's clean_name: the same name, or a name with the same slug, is refused.
    h = actors["ordinary"].headers
    for name in ("Python at Example Corp", "python at example corp!"):
        dup = await client.post(
            "/api/v3/success-stories/submissions", headers=h, json={**SUBMISSION, "name": name}
        )
        assert dup.status_code == 409 and dup.json()["detail"] == "Please use a unique name.", dup.text
    assert await db_conn.fetchval("SELECT count(*) FROM stories") == 1 and len(mailer.outbox) == 1


async def test_invalid_submissions_store_and_mail_nothing(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any
) -> None:
    await _category(client, actors)
    h = actors["ordinary"].headers
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "name"),
        ({**SUBMISSION, "name": "x\r\nBcc: victim@example.org"}, "name"),
        ({**SUBMISSION, "name": "two\nlines"}, "name"),
        ({**SUBMISSION, "author_email": "ada@example.org\nBcc: victim@example.org"}, "author_email"),
        ({**SUBMISSION, "author_email": "ada@example.org,victim@example.org"}, "author_email"),
        ({**SUBMISSION, "author_email": "Ada <ada@example.org>"}, "author_email"),
        ({**SUBMISSION, "company_url": "https://example.com/\nBcc: x@example.org"}, "company_url"),
        ({**SUBMISSION, "company_url": "javascript:alert(1)"}, "company_url"),
        ({**SUBMISSION, "author": "a\u2028b"}, "author"),
        ({**SUBMISSION, "category": "nope"}, "category"),
        ({**SUBMISSION, "name": "   "}, "name"),
        ({**SUBMISSION, "name": "!!!"}, "name"),
        ({**SUBMISSION, "name": "a\x00b"}, "NUL"),
        ({**SUBMISSION, "website": "http://spam.example"}, "website"),
        ({**SUBMISSION, "is_published": True}, "is_published"),
    ]
    for body, needle in cases:
        r = await client.post("/api/v3/success-stories/submissions", headers=h, json=body)
        assert r.status_code == 400 and needle in r.text, (body, r.status_code, r.text)
    assert await db_conn.fetchval("SELECT count(*) FROM stories") == 0
    assert mailer.outbox == []


async def test_submissions_are_rate_limited(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await _category(client, actors)
    limit = int(settings.rate_limit_story_submission.split("/")[0])
    h = actors["ordinary"].headers
    for n in range(limit):
        r = await client.post(
            "/api/v3/success-stories/submissions", headers=h, json={**SUBMISSION, "name": f"Story {n}"}
        )
        assert r.status_code == 201, r.text
    over = await client.post(
        "/api/v3/success-stories/submissions", headers=h, json={**SUBMISSION, "name": "One more"}
    )
    assert over.status_code == 429 and "Retry-After" in over.headers
    assert await db_conn.fetchval("SELECT count(*) FROM stories") == limit


async def test_import(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    story = {
        "name": "Industrial Light & Magic",
        "slug": "industrial-light-magic",
        "company_name": "ILM",
        "company_url": "https://www.ilm.com/",
        "company": 1,
        "category": 1,
        "author": "Tommy Burnette",
        "author_email": None,
        "pull_quote": "Python plays a key role.",
        "content": "ILM runs *Python*.",
        "content_markup_type": "markdown",
        "is_published": True,
        "featured": True,
        "image": "successstories/ilm.png",
        "submitted_by": None,
        "creator": None,
        "last_modified_by": None,
        **STAMPS,
    }
    objects = [
        {
            "model": "companies.company",
            "pk": 1,
            "fields": {
                "name": "ILM",
                "slug": "ilm",
                "about": "VFX",
                "url": "https://www.ilm.com/",
                "logo": "companies/logos/ilm.png",
                "contact": None,
                "email": None,
            },
        },
        {"model": "successstories.storycategory", "pk": 1, "fields": {"name": "Arts", "slug": "arts"}},
        {"model": "successstories.story", "pk": 1, "fields": story},
        {"model": "successstories.story", "pk": 2, "fields": {**story, "slug": "other", "category": 99}},
        {"model": "successstories.story", "pk": 3, "fields": {**story, "name": "Copy"}},
    ]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert sorted((f.label, f.pk) for f in report.failures) == [
        ("successstories.story", 2),
        ("successstories.story", 3),
    ]
    row = await db_conn.fetchrow("SELECT * FROM stories WHERE id=1")
    assert row["content_html"].strip() == "<p>ILM runs <em>Python</em>.</p>" and row["company_id"] == 1
    assert row["created"].isoformat() == "2019-05-09T10:00:00+00:00" and row["featured"] is True
    assert (await db_conn.fetchval("SELECT about_html FROM companies WHERE id=1")).strip() == "<p>VFX</p>"
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects[:3])
    assert sum(again.written.values()) == 0
