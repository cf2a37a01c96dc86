"""Applying to sponsor the PSF and the sponsor dashboard in Chromium, on the static pages and
their script (sponsors.js): while the ``sponsorship-applications-open`` flag is off the
application shows python.org's closed box; once it is on, an anonymous visitor picks a package
(which pre-checks its benefits and enables its package-only ones; a conflicting benefit unchecks
the other), a refused selection shows the API's message next to its list, and submitting leads to
step 2 through the log-in. Step 2 refuses a missing city next to the field, then creates a new
sponsor with a logo and two contacts; the finished page names who was mailed. The dashboard
lists the sponsorship, the header's menu links to it, a required image and a required text are
provided (a too small image refused next to its field) and shown as fulfilled; the sponsor page
changes the sponsor. Another user gets "not found" for that sponsorship. Every page runs under the
site's Content-Security-Policy without a violation, and axe-core finds nothing serious."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import Fixture
from tests.e2e.conftest import ARGS, ARTIFACTS, CHROMIUM
from tests.helpers import PASSWORD
from tests.site.test_build import _build

FLAG = "sponsorship-applications-open"
# The sponsorship pages in the state a logged-in visitor without sponsorships first sees them
# (the accessibility and CSP tests open them too). Step 2 is not among them: without a step-1
# selection it goes back to step 1.
SPONSORSHIP_PAGES = [
    "/sponsors/application/",
    "/sponsors/application/finished/",
    "/users/sponsorships/",
    "/users/sponsorships/detail/",
    "/users/sponsorships/assets/",
    "/users/sponsorships/provided-assets/",
    "/users/sponsorships/sponsor/",
    "/users/sponsorships/sponsor/edit/",
]
# The pages that are the same with or without a session (the anonymous CSP run opens them).
PUBLIC_SPONSORSHIP_PAGES = ["/sponsors/application/", "/sponsors/application/finished/"]
CUSTOMIZED = "Please submit your customized sponsorship package application"


async def _log_in(page: Any, username: str) -> None:
    await page.fill("#id-login", username)
    await page.fill("#id-password", PASSWORD)
    await page.click(".stacked-form button[type=submit]")


async def _visit(page: Any, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    await page.wait_for_load_state("networkidle")


def _png(path: Path, width: int, height: int) -> Path:
    from PIL import Image

    Image.new("RGB", (width, height), (48, 105, 152)).save(path, "PNG")
    return path


async def _configure(sessionmaker: Any, year: int, due: Any) -> dict[str, int]:
    """The year's offer, as staff would set it up: two packages, a program with four benefits
    (one package-only, two that conflict, one with a required image and a required text), an a
    la carte and a standalone benefit."""
    from pydotorg.core.db import transaction
    from pydotorg.domains.sponsors import models as m

    async with transaction(sessionmaker) as s:
        await s.merge(m.SponsorshipCurrentYear(id=1, year=year))
        program = m.SponsorshipProgram(name="Foundation", order=0)
        gold = m.SponsorshipPackage(
            name="Gold", slug="gold", order=0, year=year, sponsorship_amount=60000, advertise=True
        )
        silver = m.SponsorshipPackage(
            name="Silver", slug="silver", order=1, year=year, sponsorship_amount=30000, advertise=True
        )
        s.add_all([program, gold, silver])
        await s.flush()

        def benefit(name: str, order: int, **more: Any) -> Any:
            return m.SponsorshipBenefit(name=name, order=order, program_id=program.id, year=year, **more)

        ids: dict[str, Any] = {
            "logo": benefit("Logo on python.org", 0, description="Your logo on the sponsors page."),
            "booth": benefit("Booth at PyCon US", 1, package_only=True),
            "news": benefit("Newsletter mention", 2),
            "social": benefit("Social media shout-out", 3),
            "jobs": benefit("Job board listing", 4),
            "sprint": benefit("Sprint sponsorship", 5, standalone=True),
        }
        s.add_all(ids.values())
        await s.flush()
        links = [("logo", gold), ("logo", silver), ("booth", gold), ("news", gold), ("social", silver)]
        await s.execute(
            m.benefit_packages.insert(),
            [{"benefit_id": ids[b].id, "package_id": p.id} for b, p in links],
        )
        await s.execute(
            m.benefit_conflicts.insert(),
            [
                {"benefit_id": ids["news"].id, "conflicting_id": ids["social"].id},
                {"benefit_id": ids["social"].id, "conflicting_id": ids["news"].id},
            ],
        )
        s.add_all(
            [
                m.BenefitFeatureConfiguration(
                    benefit_id=ids["logo"].id,
                    kind=m.REQUIRED_IMG,
                    related_to="sponsorship",
                    internal_name="sponsorship_logo",
                    label="Sponsorship logo",
                    help_text="A PNG of your logo.",
                    due_date=due,
                    min_width=20,
                    max_width=1000,
                    min_height=20,
                    max_height=1000,
                ),
                m.BenefitFeatureConfiguration(
                    benefit_id=ids["logo"].id,
                    kind=m.REQUIRED_TEXT,
                    related_to="sponsorship",
                    internal_name="sponsor_blurb",
                    label="Sponsor blurb",
                    due_date=due,
                    max_length=500,
                ),
            ]
        )
        out = {name: b.id for name, b in ids.items()}
        out.update(gold=gold.id, silver=silver.id)
        return out


async def test_apply_then_provide_assets_on_the_dashboard(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    db_conn: Any,
    sessionmaker: Any,
    served_site: tuple[Path, str],
    tmp_path: Path,
) -> None:
    from playwright.async_api import async_playwright

    # Here, not at the top: test_accessibility and test_csp import SPONSORSHIP_PAGES from here.
    from tests.e2e.test_accessibility import AXE
    from tests.e2e.test_accessibility import _violations as axe_violations
    from tests.e2e.test_csp import LISTEN, _page_with_log
    from tests.e2e.test_csp import _violations as csp_violations

    today = datetime.now(UTC).date()
    due = today + timedelta(days=30)
    required_by = f"(Required by {due.strftime('%B')} {due.day}, {due.year})"
    ids = await _configure(sessionmaker, today.year, due)
    me = actors["ordinary"]
    outsider = await actors.create("outsider")
    root, base = served_site
    _build(live_api, root, builder_key, site_url=base)
    # The built shells: the same for everyone (no configuration, no sponsor in them), noindex,
    # out of the sitemap; only the closed box is baked in.
    site = root / "current"
    sitemap = (site / "sitemap.xml").read_text()
    for path in [*SPONSORSHIP_PAGES, "/sponsors/application/new/"]:
        html = (site / path.strip("/") / "index.html").read_text()
        assert '<meta name="robots" content="noindex">' in html, path
        assert "/theme/js/sponsors.js" in html, path
        assert "Booth at PyCon US" not in html and "Newsletter mention" not in html, path
        assert base + path not in sitemap, path
    assert (
        "Check back soon for our updated sponsorship options"
        in (site / "sponsors/application/index.html").read_text()
    )
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    errors: list[str] = []
    console: list[str] = []
    step1 = base + "/sponsors/application/"

    def box(benefit: str) -> str:
        return f'.sponsorship-select-form input[type=checkbox][value="{ids[benefit]}"]'

    def package(name: str) -> str:
        return f'input[name=package][value="{ids[name]}"]'

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

        async def person() -> Any:
            context = await browser.new_context()
            await context.add_init_script(LISTEN)
            page = await _page_with_log(context, console)
            page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
            return page

        async def check(page: Any, where: str, shot: str | None = None) -> None:
            problems.extend(await csp_violations(page, console, where))
            if shot:
                await page.screenshot(path=ARTIFACTS / f"sponsors-{shot}.png", full_page=True)

        # No flag yet: python.org's closed box, and no form.
        page = await person()
        await _visit(page, step1)
        closed = page.locator(".sponsorship-closed")
        await closed.wait_for(state="visible")
        assert "Thank you for your interest in sponsoring the PSF!" in await closed.inner_text()
        assert not await page.locator(".sponsorship-select-form").is_visible()
        await check(page, "step 1, closed", "closed")

        async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as client:
            r = await client.post("/api/v3/flags", json={"name": FLAG, "everyone": True})
            assert r.status_code == 201, r.text

        # Step 1, anonymous: a package pre-checks its benefits and enables its package-only ones.
        await _visit(page, step1)
        await page.locator(".sponsorship-select-form").wait_for(state="visible")
        assert await page.is_disabled(box("booth"))  # package-only, no package yet
        await page.check(package("gold"))
        for name, checked in (("logo", True), ("booth", True), ("news", True), ("social", False)):
            assert await page.is_checked(box(name)) is checked, name
        assert await page.inner_text(".sponsorship-cost") == "Sponsorship cost is $60,000 USD"
        await page.check(package("silver"))
        for name, checked in (("logo", True), ("booth", False), ("news", False), ("social", True)):
            assert await page.is_checked(box(name)) is checked, name
        assert await page.is_disabled(box("booth"))
        # A conflicting benefit unchecks the other; the price is then a matter of talking.
        await page.check(package("gold"))
        await page.check(box("social"))
        assert not await page.is_checked(box("news"))
        assert CUSTOMIZED in await page.inner_text(".sponsorship-cost")
        await page.check(package("silver"))  # choosing Gold again starts over from its benefits
        await page.check(package("gold"))
        assert await page.is_checked(box("news")) and not await page.is_checked(box("social"))
        await page.check(box("jobs"))
        await page.check(box("sprint"))
        await page.click(".sponsorship-select-form button[type=submit]")
        refused = page.locator("#id-standalone_ids-error")
        await refused.wait_for(state="visible")
        assert await refused.inner_text() == "Application with package cannot have standalone benefits."
        assert "standalone_ids" in await page.inner_text(".form-errors")
        assert page.url == step1
        await check(page, "step 1, refused", "step1-refused")

        # Accepted: on to step 2, through the log-in and back.
        await page.uncheck(box("sprint"))
        await page.click(".sponsorship-select-form button[type=submit]")
        await page.wait_for_url(base + "/accounts/login/?next=%2Fsponsors%2Fapplication%2Fnew%2F")
        await _log_in(page, "ordinary")
        await page.wait_for_url(base + "/sponsors/application/new/")
        form = page.locator(".sponsorship-new-form")
        await form.wait_for(state="visible")
        assert await page.inner_text(".summary-package") == "Gold"
        package_benefits = await page.inner_text(".summary-package-benefits")
        assert "Logo on python.org" in package_benefits and "Booth at PyCon US" in package_benefits
        assert "Job board listing" in await page.inner_text(".summary-added-benefits")
        assert "customized" in await page.inner_text(".summary-price")
        assert not await page.locator(".sponsor-choice").is_visible()  # a contact of no sponsor yet

        # A new sponsor with a logo and two contacts, the city left out first.
        for field, value in {
            "name": "Acme Widgets",
            "landing_page_url": "https://acme.example/",
            "primary_phone": "+1 555 0100",
            "mailing_address_line_1": "1 Main St",
            "postal_code": "97477",
            "country": "us",
        }.items():
            await page.fill(f"#id-sponsor-{field}", value)
        await page.set_input_files("#id-web_logo", str(_png(tmp_path / "logo.png", 120, 60)))
        first = page.locator(".contact-row").nth(0)
        await first.locator("[data-field=name]").fill("Ordinary Person")
        await first.locator("[data-field=email]").fill("ordinary@example.org")
        await first.locator("[data-field=phone]").fill("555 0101")
        assert await first.locator("[data-field=primary]").is_checked()
        await page.click(".add-contact")
        second = page.locator(".contact-row").nth(1)
        await second.locator("[data-field=name]").fill("Pat Accounting")
        await second.locator("[data-field=email]").fill("pat@acme.example")
        await second.locator("[data-field=phone]").fill("555 0102")
        await second.locator("[data-field=accounting]").check()
        await page.click(".sponsorship-new-form button[type=submit]")
        city_error = page.locator("#id-sponsor-city-error")
        await city_error.wait_for(state="visible")
        assert await city_error.inner_text() == "This field is required."  # msgspec's words, translated
        assert await page.get_attribute("#id-sponsor-city", "aria-invalid") == "true"
        assert (
            await db_conn.fetchval("SELECT count(*) FROM sponsorships WHERE submitted_by_id=$1", me.user_id)
            == 0
        )
        await check(page, "step 2, refused", "step2")

        await page.fill("#id-sponsor-city", "Springfield")
        await page.click(".sponsorship-new-form button[type=submit]")
        await page.wait_for_url(base + "/sponsors/application/finished/")
        await page.locator(".sponsorship-finished").wait_for(state="visible")
        # Mailed: the submitter; pat@acme.example is no verified address of an account, so not.
        assert await page.inner_text(".notified") == "ordinary@example.org"
        assert "Acme Widgets" in await page.inner_text(".finished-sponsor")
        await check(page, "finished", "finished")

        sponsorship = await db_conn.fetchrow(
            "SELECT * FROM sponsorships WHERE submitted_by_id=$1", me.user_id
        )
        assert sponsorship is not None
        assert (sponsorship["status"], sponsorship["package_id"], sponsorship["year"]) == (
            "applied",
            ids["gold"],
            today.year,
        )
        assert sponsorship["for_modified_package"] is True  # an a la carte benefit was added
        sponsor = await db_conn.fetchrow("SELECT * FROM sponsors WHERE id=$1", sponsorship["sponsor_id"])
        assert (sponsor["name"], sponsor["city"], sponsor["country"]) == ("Acme Widgets", "Springfield", "US")
        # Named after the sponsor (plus a suffix that keeps names unique), nothing of the upload's name.
        assert re.fullmatch(r"sponsor_web_logos/acme-widgets(-[0-9a-f]+)?\.png", sponsor["web_logo"])
        contacts = await db_conn.fetch(
            'SELECT name, email, "primary", accounting, user_id FROM sponsor_contacts'
            " WHERE sponsor_id=$1 ORDER BY id",
            sponsor["id"],
        )
        assert [tuple(c) for c in contacts] == [
            ("Ordinary Person", "ordinary@example.org", True, False, me.user_id),
            ("Pat Accounting", "pat@acme.example", False, True, None),
        ]
        benefits = await db_conn.fetch(
            "SELECT name, added_by_user FROM sponsor_benefits WHERE sponsorship_id=$1", sponsorship["id"]
        )
        assert {(b["name"], b["added_by_user"]) for b in benefits} == {
            ("Logo on python.org", False),
            ("Booth at PyCon US", False),
            ("Newsletter mention", False),
            ("Job board listing", True),
        }

        # The dashboard lists it, and the header's menu links to it.
        await _visit(page, base + "/users/sponsorships/")
        groups = page.locator(".sponsorship-groups")
        await groups.wait_for(state="visible")
        listed = await groups.inner_text()
        assert "Applied" in listed and f"Acme Widgets — Gold ({today.year})" in listed
        await page.locator("#account-menu a[href='/users/sponsorships/']").wait_for(state="attached")
        assert (
            await page.inner_text("#account-menu a[href='/users/sponsorships/']") == "Sponsorships Dashboard"
        )
        await check(page, "dashboard", "dashboard")
        await page.click(f"a[href='/users/sponsorships/detail/?id={sponsorship['id']}']")
        await page.locator(".sponsorship-detail").wait_for(state="visible")
        pending = await page.inner_text(".detail-pending-list")
        assert "Sponsorship logo" in pending and "Sponsor blurb" in pending and required_by in pending
        await check(page, "detail", "detail")

        # The required assets: a too small image is refused next to its field, then both are given.
        await page.click(".detail-assets-link a")
        await page.wait_for_url(f"{base}/users/sponsorships/assets/?id={sponsorship['id']}")
        assets_form = page.locator(".sponsorship-assets-form")
        await assets_form.wait_for(state="visible")
        image_field = page.locator(".asset-field", has_text="Sponsorship logo")
        text_field = page.locator(".asset-field", has_text="Sponsor blurb")
        assert required_by in await image_field.locator("label").inner_text()
        assert await text_field.locator("textarea").count() == 1  # max_length 500: a textarea
        await text_field.locator("textarea").fill("Acme makes widgets for Python people.")
        await image_field.locator("input[type=file]").set_input_files(str(_png(tmp_path / "tiny.png", 5, 5)))
        await assets_form.locator("button[type=submit]").click()
        image_error = page.locator(".asset-field", has_text="Sponsorship logo").locator(".field-error")
        await image_error.wait_for(state="visible")
        assert await image_error.inner_text() == "The image must be at least 20 pixels high (it is 5)."
        # The text went through; the image did not.
        assert (
            "(Fulfilled, thank you!)"
            in await page.locator(".asset-field", has_text="Sponsor blurb").inner_text()
        )
        await check(page, "assets, refused image", "assets-refused")
        image_field = page.locator(".asset-field", has_text="Sponsorship logo")
        await image_field.locator("input[type=file]").set_input_files(
            str(_png(tmp_path / "wide.png", 200, 100))
        )
        await page.locator(".sponsorship-assets-form button[type=submit]").click()
        await page.locator(".form-done").wait_for(state="visible")
        for label in ("Sponsorship logo", "Sponsor blurb"):
            field_text = await page.locator(".asset-field", has_text=label).inner_text()
            assert "(Fulfilled, thank you!)" in field_text, label
        assets = {
            a["internal_name"]: a
            for a in await db_conn.fetch(
                "SELECT * FROM sponsor_assets WHERE sponsorship_id=$1", sponsorship["id"]
            )
        }
        assert assets["sponsor_blurb"]["text"] == "Acme makes widgets for Python people."
        assert assets["sponsorship_logo"]["file"].startswith("sponsors-app-assets/")
        assert assets["sponsorship_logo"]["file"].endswith(".png")
        await check(page, "assets, provided", "assets")
        await _visit(page, f"{base}/users/sponsorships/detail/?id={sponsorship['id']}")
        await page.locator(".sponsorship-detail").wait_for(state="visible")
        assert not await page.locator(".detail-pending").is_visible()
        assert "Acme makes widgets" in await page.inner_text(".detail-fulfilled-list")

        # The sponsor page (python.org's sponsor/edit/ leads to it): the name is read-only.
        await _visit(page, base + "/users/sponsorships/sponsor/edit/")
        await page.wait_for_url(f"{base}/users/sponsorships/sponsor/?id={sponsor['id']}")
        edit = page.locator(".sponsor-edit-form")
        await edit.wait_for(state="visible")
        assert await page.input_value("#id-name") == "Acme Widgets"
        assert await page.get_attribute("#id-name", "readonly") is not None
        await page.fill("#id-city", "Portland")
        await page.locator(".contact-row").nth(1).locator(".remove-contact").click()
        await edit.locator("button[type=submit]").click()
        await page.locator(".form-done").wait_for(state="visible")
        assert await db_conn.fetchval("SELECT city FROM sponsors WHERE id=$1", sponsor["id"]) == "Portland"
        emails = await db_conn.fetch("SELECT email FROM sponsor_contacts WHERE sponsor_id=$1", sponsor["id"])
        assert [e["email"] for e in emails] == ["ordinary@example.org"]
        await check(page, "sponsor page", "sponsor")

        # Someone else: the same URLs are "not found", and nothing of Acme shows.
        other = await person()
        await _visit(other, base + "/accounts/login/")
        await _log_in(other, outsider.username or "outsider")
        await other.wait_for_url(base + "/")
        for path in ("detail", "assets", "provided-assets"):
            await _visit(other, f"{base}/users/sponsorships/{path}/?id={sponsorship['id']}")
            await other.locator(".sponsorship-not-found").wait_for(state="visible")
            assert "Acme" not in await other.inner_text("main")
        await _visit(other, f"{base}/users/sponsorships/sponsor/?id={sponsor['id']}")
        await other.locator(".sponsorship-not-found").wait_for(state="visible")
        assert not await other.locator(".sponsor-edit-form").is_visible()
        await _visit(other, base + "/users/sponsorships/")
        await other.locator(".sponsorship-none").wait_for(state="visible")
        await check(other, "another user", "other-user")

        # axe-core on the filled pages (it goes in as an inline script: CSP bypassed here).
        assert AXE.is_file(), f"axe-core is not installed ({AXE} is missing)"
        context = await browser.new_context(bypass_csp=True)
        axe_page = await context.new_page()
        await _visit(axe_page, base + "/accounts/login/")
        await _log_in(axe_page, "ordinary")
        await axe_page.wait_for_url(base + "/")
        await _visit(axe_page, step1)
        await axe_page.locator(".sponsorship-select-form").wait_for(state="visible")
        problems += await axe_violations(axe_page, "step 1")
        await axe_page.check(package("silver"))
        await axe_page.click(".sponsorship-select-form button[type=submit]")
        await axe_page.wait_for_url(base + "/sponsors/application/new/")
        await axe_page.locator(".sponsorship-new-form").wait_for(state="visible")
        problems += await axe_violations(axe_page, "step 2")
        sid = sponsorship["id"]
        for path in (
            "/users/sponsorships/",
            f"/users/sponsorships/detail/?id={sid}",
            f"/users/sponsorships/assets/?id={sid}",
            f"/users/sponsorships/provided-assets/?id={sid}",
            f"/users/sponsorships/sponsor/?id={sponsor['id']}",
        ):
            await _visit(axe_page, base + path)
            problems += await axe_violations(axe_page, path)
        await browser.close()
    assert not errors, errors
    assert not problems, "\n".join(problems)
