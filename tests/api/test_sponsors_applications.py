"""/api/v3/sponsors/: applying to sponsor the PSF and the sponsor dashboard (inventory 1.16).

Every step-1 rule of python.org's form, step 2 for a new sponsor (fields, contacts, logos) and for
an existing one (the in-progress refusal, also when two applications race), the copies, features
and assets an application makes, the "Standalone Only" package, who sees which sponsorship,
providing required assets (text length, yes/no, image sizes), editing a sponsor and its contacts,
and the permission matrices of every write (tests/security/test_permission_matrices.py names
them). The year's configuration is made with the ORM (``offer``)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from pydotorg.core.db import transaction
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.storage import LocalStorage
from pydotorg.domains.sponsors.models import (
    BenefitFeatureConfiguration,
    Sponsor,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_conflicts,
    benefit_packages,
)
from pydotorg.domains.sponsors.services import sponsorships as svc
from tests.helpers import Multipart, assert_no_more_mail, check_permission_matrix, wait_for_mail

BASE = "/api/v3/sponsors"
YEAR = 2026
REFUSED = {"anonymous": 401}


def png(width: int = 300, height: int = 100) -> bytes:
    """The first bytes of a PNG of that size (what the API reads)."""
    header = (
        b"\x00\x00\x00\x0dIHDR"
        + width.to_bytes(4, "big")
        + height.to_bytes(4, "big")
        + b"\x08\x06\x00\x00\x00"
    )
    return b"\x89PNG\r\n\x1a\n" + header + bytes(16)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@dataclass
class Offer:
    """The ids of the configuration ``offer`` makes."""

    visionary: int
    partner: int
    hidden: int
    old_package: int
    benefit: dict[str, int] = field(default_factory=dict)


@pytest.fixture
async def offer(clean: None, sessionmaker: Any) -> Offer:
    """2026: Visionary (a la carte allowed) and Partner (not), a hidden package and one of 2025.
    Visionary holds logo (logo placement, tiered 5 for Visionary, e-mail targetable), booth and
    table (conflicting) and keynote (package only, Visionary only); the hidden package holds an
    unavailable benefit;
    Partner holds logo and a package-only "partner perk". A la carte: extra post (required text
    of at most 20 characters and a yes/no response, on the sponsorship), full (no capacity),
    soft (no capacity, soft). Standalone: job listing (a required image on the sponsor, 100-400
    x 50-200, and a provided text) and sold out (capacity 1)."""
    async with transaction(sessionmaker) as s:
        s.add(SponsorshipCurrentYear(id=1, year=YEAR))
        foundation = SponsorshipProgram(name="Foundation", order=1)
        pypi = SponsorshipProgram(name="PyPI", order=2)
        s.add_all([foundation, pypi])
        packages = {
            "visionary": SponsorshipPackage(
                name="Visionary", slug="visionary", year=YEAR, sponsorship_amount=150_000, advertise=True
            ),
            "partner": SponsorshipPackage(
                name="Partner",
                slug="partner",
                year=YEAR,
                sponsorship_amount=10_000,
                advertise=True,
                allow_a_la_carte=False,
            ),
            "hidden": SponsorshipPackage(name="Hidden", slug="hidden", year=YEAR, sponsorship_amount=1),
            "old": SponsorshipPackage(
                name="Visionary", slug="visionary", year=2025, sponsorship_amount=100_000, advertise=True
            ),
        }
        s.add_all(packages.values())
        await s.flush()

        def benefit(name: str, program: SponsorshipProgram, **fields: Any) -> SponsorshipBenefit:
            fields.setdefault("year", YEAR)
            row = SponsorshipBenefit(name=name, program_id=program.id, internal_value=1000, **fields)
            s.add(row)
            return row

        benefits = {
            "logo": benefit("Logo on python.org", foundation, description="Your logo"),
            "booth": benefit("Booth", foundation),
            "table": benefit("Table", foundation),
            "keynote": benefit("Keynote", foundation, package_only=True),
            "gone": benefit("Gone", foundation, unavailable=True),
            "perk": benefit("Partner perk", pypi, package_only=True),
            "extra": benefit("Extra post", pypi),
            "full": benefit("Full", pypi, capacity=0),
            "soft": benefit("Soft", pypi, capacity=0, soft_capacity=True),
            "job": benefit("Job listing", foundation, standalone=True),
            "sold": benefit("Sold out", foundation, standalone=True, capacity=1),
            "last_year": benefit("Last year", foundation, year=2025),
        }
        await s.flush()
        links = [
            ("logo", "visionary"),
            ("logo", "partner"),
            ("booth", "visionary"),
            ("table", "visionary"),
            ("keynote", "visionary"),
            ("gone", "hidden"),
            ("perk", "partner"),
            ("last_year", "old"),
        ]
        await s.execute(
            benefit_packages.insert(),
            [{"benefit_id": benefits[b].id, "package_id": packages[p].id} for b, p in links],
        )
        await s.execute(
            benefit_conflicts.insert(),
            [
                {"benefit_id": benefits["booth"].id, "conflicting_id": benefits["table"].id},
                {"benefit_id": benefits["table"].id, "conflicting_id": benefits["booth"].id},
            ],
        )
        s.add_all(
            [
                BenefitFeatureConfiguration(
                    benefit_id=benefits["logo"].id,
                    kind="logo_placement",
                    publisher="psf",
                    logo_place="sponsors",
                ),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["logo"].id,
                    kind="tiered_benefit",
                    package_id=packages["visionary"].id,
                    quantity=5,
                ),
                BenefitFeatureConfiguration(benefit_id=benefits["logo"].id, kind="email_targetable"),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["extra"].id,
                    kind="required_text_asset",
                    related_to="sponsorship",
                    internal_name="extra_post_text",
                    label="Post text",
                    max_length=20,
                    due_date=date(YEAR, 6, 1),
                ),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["extra"].id,
                    kind="required_response_asset",
                    related_to="sponsorship",
                    internal_name="extra_post_ok",
                    label="May we post it?",
                ),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["job"].id,
                    kind="required_img_asset",
                    related_to="sponsor",
                    internal_name="job_logo",
                    label="Job board logo",
                    min_width=100,
                    max_width=400,
                    min_height=50,
                    max_height=200,
                ),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["job"].id,
                    kind="provided_text_asset",
                    related_to="sponsorship",
                    internal_name="job_code",
                    label="Job board code",
                ),
                BenefitFeatureConfiguration(
                    benefit_id=benefits["job"].id,
                    kind="provided_file_asset",
                    related_to="sponsor",
                    internal_name="job_guide",
                    label="Job board guide",
                ),
            ]
        )
    return Offer(
        visionary=packages["visionary"].id,
        partner=packages["partner"].id,
        hidden=packages["hidden"].id,
        old_package=packages["old"].id,
        benefit={k: v.id for k, v in benefits.items()},
    )


def sponsor_body(name: str = "Acme Widgets", **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": "We make widgets.",
        "landing_page_url": "https://acme.example.com/",
        "twitter_handle": "acme",
        "primary_phone": "+1 555 0100",
        "mailing_address_line_1": "1 Main Street",
        "city": "Springfield",
        "state": "OR",
        "postal_code": "97477",
        "country": "us",
        "country_of_incorporation": "DE",
        "contacts": [
            {"name": "Pat Primary", "email": "pat@acme.example.com", "phone": "555-1", "primary": True},
            {"name": "Me", "email": "ME@example.org", "phone": "555-2", "accounting": True},
        ],
        **overrides,
    }


def application(
    selection: dict[str, Any], sponsor: dict[str, Any] | None = None, *, logo: bool = True, **files: Any
) -> Multipart:
    body = dict(selection)
    if sponsor is not None:
        body["sponsor"] = sponsor
    uploads = dict(files)
    if logo and sponsor is not None:
        uploads.setdefault("web_logo", ("acme.png", png(), "image/png"))
    # A part without a file name is a plain form field: multipart even when no file is sent.
    return Multipart(files={"application": (None, json.dumps(body)), **uploads})


async def apply(client: Any, caller: Any, body: Multipart, status: int = 201) -> Any:
    r = await client.post(f"{BASE}/applications", headers=caller.headers, files=dict(body.files))
    assert r.status_code == status, r.text
    return r.json()


def visionary(o: Offer, *extra: str, table: bool = False) -> dict[str, Any]:
    """Visionary as offered (logo, keynote, booth or table) plus a la carte ``extra``."""
    chosen = ["logo", "keynote", "table" if table else "booth"]
    return {
        "package_id": o.visionary,
        "benefit_ids": [o.benefit[b] for b in chosen],
        "a_la_carte_ids": [o.benefit[b] for b in extra],
    }


async def validate(client: Any, body: dict[str, Any]) -> Any:
    return await client.post(f"{BASE}/applications/validate", json=body)


# --- step 1 ------------------------------------------------------------------------------------


async def make_sponsor(s: Any, name: str, contact_user_id: int | None = None) -> Sponsor:
    sponsor = Sponsor(name=name, country="US")
    s.add(sponsor)
    await s.flush()
    if contact_user_id is not None:
        s.add(
            SponsorContact(sponsor_id=sponsor.id, user_id=contact_user_id, name="Me", email="me@example.org")
        )
    return sponsor


async def test_step_one_rules(client: Any, offer: Offer, db_conn: Any, sessionmaker: Any) -> None:
    o, b = offer, offer.benefit
    refused: list[tuple[dict[str, Any], str, str]] = [
        ({}, "benefit_ids", "You have to pick a minimum number of benefits."),
        ({"package_id": o.visionary}, "benefit_ids", "You have to pick a minimum number of benefits."),
        (
            {"benefit_ids": [b["logo"]]},
            "package_id",
            "You must pick a package to include the selected benefits.",
        ),
        ({"a_la_carte_ids": [b["extra"]]}, "package_id", "You must pick a package"),
        (
            {"package_id": o.visionary, "benefit_ids": [b["logo"]], "standalone_ids": [b["job"]]},
            "standalone_ids",
            "Application with package cannot have standalone benefits.",
        ),
        (
            {"package_id": o.partner, "benefit_ids": [b["logo"]], "a_la_carte_ids": [b["extra"]]},
            "a_la_carte_ids",
            "Package does not accept a la carte benefits.",
        ),
        (
            {"package_id": o.visionary, "benefit_ids": [b["booth"], b["table"]]},
            "benefit_ids",
            "The application has 1 or more benefits that conflicts.",
        ),
        (
            {"package_id": o.visionary, "benefit_ids": [b["perk"]]},
            "benefit_ids",
            "The application has 1 or more package only benefits but wrong sponsor package.",
        ),
        (
            {"package_id": o.visionary, "benefit_ids": [b["logo"]], "a_la_carte_ids": [b["full"]]},
            "a_la_carte_ids",
            "The application has 1 or more benefits with no capacity.",
        ),
        # Every id must be one the field offers this year.
        ({"package_id": o.hidden, "benefit_ids": [b["logo"]]}, "package_id", "Select a valid choice."),
        ({"package_id": o.old_package, "benefit_ids": [b["logo"]]}, "package_id", "Select a valid choice."),
        ({"package_id": 999_999, "benefit_ids": [b["logo"]]}, "package_id", "Select a valid choice."),
        ({"package_id": o.visionary, "benefit_ids": [b["gone"]]}, "benefit_ids", f"{b['gone']} is not one"),
        (
            {"package_id": o.visionary, "benefit_ids": [b["last_year"]]},
            "benefit_ids",
            "Select a valid choice.",
        ),
        ({"package_id": o.visionary, "benefit_ids": [b["extra"]]}, "benefit_ids", "Select a valid choice."),
        (
            {"package_id": o.visionary, "a_la_carte_ids": [b["logo"]]},
            "a_la_carte_ids",
            "Select a valid choice.",
        ),
        ({"standalone_ids": [b["extra"]]}, "standalone_ids", "Select a valid choice."),
        ({"package_id": o.visionary, "benefit_ids": [b["job"]]}, "benefit_ids", "Select a valid choice."),
    ]
    for body, field_name, message in refused:
        r = await validate(client, body)
        assert r.status_code == 400, (body, r.text)
        assert message in r.json()["extra"][field_name][0], (body, r.json())
    # Bad shapes are 400s too, never 500s.
    for body in ({"benefit_ids": ["x"]}, {"benefit_ids": [0]}, {"package": 1}, {"benefit_ids": [1] * 501}):
        assert (await validate(client, body)).status_code == 400, body

    # A capacity taken by sponsorships of the year is gone (python.org never decremented it).
    r = await validate(client, {"standalone_ids": [b["sold"]]})
    assert r.status_code == 200, r.text
    async with transaction(sessionmaker) as s:
        taker = await make_sponsor(s, "Taker")
        held = Sponsorship(sponsor_id=taker.id, status="applied", year=YEAR)
        s.add(held)
        await s.flush()
        s.add(SponsorBenefit(sponsorship_id=held.id, sponsorship_benefit_id=b["sold"], name="Sold out"))
    r = await validate(client, {"standalone_ids": [b["sold"]]})
    assert r.status_code == 400 and "no capacity" in r.json()["extra"]["standalone_ids"][0]
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorships") == 1


async def test_step_one_answers_the_normalised_selection_and_its_price(client: Any, offer: Offer) -> None:
    o, b = offer, offer.benefit
    # The package as offered (one of the conflicting pair is enough): its price.
    r = await validate(
        client, {**visionary(o), "benefit_ids": [b["logo"], b["keynote"], b["booth"], b["logo"]]}
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["year"] == YEAR and answer["package"]["slug"] == "visionary"
    assert answer["benefit_ids"] == [b["logo"], b["keynote"], b["booth"]]  # repeats dropped
    assert answer["customized"] is False and answer["price"] == 150_000
    assert [x["name"] for x in answer["package_benefits"]] == ["Logo on python.org", "Keynote", "Booth"]
    assert answer["added_benefits"] == []
    # Missing a benefit of the package, or adding one: customised, no price shown.
    for body in (
        {"package_id": o.visionary, "benefit_ids": [b["logo"], b["booth"]]},
        visionary(o, "extra", "soft"),  # a soft capacity is still offered
    ):
        answer = (await validate(client, body)).json()
        assert answer["customized"] is True and answer["price"] is None, answer
    answer = (await validate(client, visionary(o, "extra"))).json()
    assert [x["name"] for x in answer["added_benefits"]] == ["Extra post"]
    assert answer["added_benefits"][0]["program_name"] == "PyPI"
    # Standalone only: no package, nothing priced.
    answer = (await validate(client, {"standalone_ids": [b["job"]]})).json()
    assert answer["package"] is None and answer["price"] is None
    assert [x["name"] for x in answer["added_benefits"]] == ["Job listing"]


# --- step 2 ------------------------------------------------------------------------------------


async def test_new_sponsor_application_stores_everything(
    client: Any, actors: Any, offer: Offer, db_conn: Any, settings: Any, worker: Any, mailer: Any
) -> None:
    me = await actors.create("me")
    body = application(
        visionary(offer, "extra"),
        sponsor_body(),
        web_logo=("../../../etc/" + "x" * 300 + ".png", png(), "image/png"),
        print_logo=("print.svg", SVG, "image/svg+xml"),
    )
    detail = await apply(client, me, body)
    sponsorship_id = detail["sponsorship"]["id"]
    row = await db_conn.fetchrow("SELECT * FROM sponsorships WHERE id=$1", sponsorship_id)
    assert row["status"] == "applied" and row["year"] == YEAR and row["submitted_by_id"] == me.user_id
    # The PSF is told and the applicant thanked, once the application is committed.
    sent = {m["Subject"]: m["To"] for m in await wait_for_mail(mailer, 2)}
    await assert_no_more_mail(mailer, 2)
    assert sent == {
        "New sponsorship application from Acme Widgets": settings.sponsorship_notification_to_email,
        "Thank you for applying to sponsor the Python Software Foundation": sent.get(
            "Thank you for applying to sponsor the Python Software Foundation"
        ),
    }
    assert "me@example.org" in sent["Thank you for applying to sponsor the Python Software Foundation"]
    # The answer names exactly the addresses the confirmation went to (the finished page lists them).
    thanked = sent["Thank you for applying to sponsor the Python Software Foundation"]
    assert detail["notified"] and ", ".join(detail["notified"]) == thanked
    assert row["package_id"] == offer.visionary and row["sponsorship_fee"] == 150_000
    assert row["for_modified_package"] is True and row["applied_on"] == date.today()
    sponsor = await db_conn.fetchrow("SELECT * FROM sponsors WHERE id=$1", row["sponsor_id"])
    assert sponsor["name"] == "Acme Widgets" and sponsor["country"] == "US"
    assert sponsor["country_of_incorporation"] == "DE" and sponsor["creator_id"] == me.user_id
    # Logos are named after the sponsor, never after the uploaded file.
    # (an earlier file of that name is never overwritten: the storage adds a token then)
    assert re.fullmatch(r"sponsor_web_logos/acme-widgets(-[0-9a-f]{8})?\.png", sponsor["web_logo"])
    assert re.fullmatch(r"sponsor_print_logos/acme-widgets(-[0-9a-f]{8})?\.svg", sponsor["print_logo"])
    assert sponsor["white_logo"] is None
    assert (settings.media_dir / sponsor["web_logo"]).read_bytes() == png()
    contacts = await db_conn.fetch(
        'SELECT name, email, user_id, "primary", accounting FROM sponsor_contacts WHERE sponsor_id=$1 ORDER BY id',
        sponsor["id"],
    )
    # The contact with the caller's verified address (any case) is linked to the caller.
    assert [dict(c) for c in contacts] == [
        {
            "name": "Pat Primary",
            "email": "pat@acme.example.com",
            "user_id": None,
            "primary": True,
            "accounting": False,
        },
        {
            "name": "Me",
            "email": "ME@example.org",
            "user_id": me.user_id,
            "primary": False,
            "accounting": True,
        },
    ]
    benefits = await db_conn.fetch(
        "SELECT id, name, program_name, added_by_user, standalone, benefit_internal_value, sponsorship_benefit_id "
        'FROM sponsor_benefits WHERE sponsorship_id=$1 ORDER BY "order"',
        sponsorship_id,
    )
    assert [(b["name"], b["added_by_user"]) for b in benefits] == [
        ("Logo on python.org", False),
        ("Keynote", False),
        ("Booth", False),
        ("Extra post", True),
    ]
    assert benefits[3]["program_name"] == "PyPI" and benefits[0]["benefit_internal_value"] == 1000
    features = await db_conn.fetch(
        "SELECT f.kind, b.name, f.quantity, f.publisher, f.logo_place, f.internal_name, f.max_length "
        "FROM benefit_features f JOIN sponsor_benefits b ON b.id = f.sponsor_benefit_id "
        "WHERE b.sponsorship_id=$1 ORDER BY f.id",
        sponsorship_id,
    )
    assert [(f["name"], f["kind"]) for f in features] == [
        ("Logo on python.org", "logo_placement"),
        ("Logo on python.org", "tiered_benefit"),  # the sponsorship's package is the config's
        ("Logo on python.org", "email_targetable"),
        ("Extra post", "required_text_asset"),
        ("Extra post", "required_response_asset"),
    ]
    assert (
        features[0]["publisher"] == "psf" and features[1]["quantity"] == 5 and features[3]["max_length"] == 20
    )
    assets = await db_conn.fetch(
        "SELECT kind, internal_name, sponsor_id, sponsorship_id FROM sponsor_assets ORDER BY internal_name"
    )
    assert [dict(a) for a in assets] == [
        {
            "kind": "response",
            "internal_name": "extra_post_ok",
            "sponsor_id": None,
            "sponsorship_id": sponsorship_id,
        },
        {
            "kind": "text",
            "internal_name": "extra_post_text",
            "sponsor_id": None,
            "sponsorship_id": sponsorship_id,
        },
    ]
    # The answer is the dashboard's view of it.
    assert detail["sponsorship"]["sponsor"] == {"id": sponsor["id"], "name": "Acme Widgets"}
    assert detail["sponsorship"]["agreed_fee"] is None  # customised: the fee is not agreed yet
    assert detail["benefits"][0]["name_for_display"] == "Logo on python.org (5)"
    assert [(a["label"], a["fulfilled"], a["due_date"]) for a in detail["required_assets"]] == [
        ("Post text", False, "2026-06-01"),
        ("May we post it?", False, None),
    ]


async def test_new_sponsor_rules(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    me = await actors.create("me")
    selection = visionary(offer)
    cases: list[tuple[Multipart, str]] = [
        (application(selection, sponsor_body(), logo=False), "web_logo"),
        (application(selection, sponsor_body(name="   ")), "sponsor.name"),
        (application(selection, sponsor_body(city="  ")), "sponsor.city"),
        (application(selection, sponsor_body(country="XX")), "sponsor.country"),
        (
            application(selection, sponsor_body(country_of_incorporation="ZZ")),
            "sponsor.country_of_incorporation",
        ),
        (
            application(selection, sponsor_body(landing_page_url="javascript:alert(1)")),
            "sponsor.landing_page_url",
        ),
        (
            application(selection, sponsor_body(linked_in_page_url="https://a.example:99999/")),
            "sponsor.linked_in_page_url",
        ),
        (application(selection, sponsor_body(contacts=[])), "sponsor.contacts"),
        (
            application(
                selection, sponsor_body(contacts=[{"name": "A", "email": "a@b.example", "phone": "1"}] * 6)
            ),
            "sponsor.contacts",
        ),
        (
            application(
                selection, sponsor_body(contacts=[{"name": "A", "email": "a@b.example", "phone": "1"}])
            ),
            "sponsor.contacts",  # no primary contact
        ),
        (
            application(
                selection,
                sponsor_body(contacts=[{"name": " ", "email": "a@b.example", "phone": "1", "primary": True}]),
            ),
            "sponsor.contacts[0].name",
        ),
        (application(selection, {k: v for k, v in sponsor_body().items() if k != "city"}), "sponsor"),
        (application(selection), "sponsor"),  # neither sponsor_id nor sponsor
        (application({**selection, "sponsor_id": 1}, sponsor_body()), "sponsor"),  # both
        (application({"package_id": offer.visionary}, sponsor_body()), "benefit_ids"),
        (application(selection, sponsor_body(), web_logo=("logo.html", b"<html>", "text/html")), "web_logo"),
        (
            application(selection, sponsor_body(), web_logo=("logo.png", b"GIF89a....", "image/png")),
            "web_logo",
        ),
        (
            application(
                selection, sponsor_body(), web_logo=("logo.png", png() + bytes(3 * 1024 * 1024), "image/png")
            ),
            "web_logo",
        ),
        (
            application(selection, sponsor_body(), print_logo=("print.exe", b"MZ", "application/x")),
            "print_logo",
        ),
        (
            application(
                selection,
                sponsor_body(),
                white_logo=("w.svg", b'<svg onload="alert(1)"></svg>', "image/svg+xml"),
            ),
            "white_logo",
        ),
        (
            Multipart(files={"web_logo": ("a.png", png(), "image/png"), "application": (None, "{")}),
            "application",
        ),
        (Multipart(files={"application": (None, json.dumps(selection)), "other": (None, "x")}), "other"),
        (Multipart(files={"application": ("app.json", b"{}", "application/json")}), "application"),
        (Multipart(files={"application": (None, '{"sponsor": {"name": 5}}')}), "sponsor.name"),
    ]
    for body, field_name in cases:
        r = await client.post(f"{BASE}/applications", headers=me.headers, files=dict(body.files))
        assert r.status_code == 400, (field_name, r.text)
        assert field_name in r.json().get("extra", {}), (field_name, r.json())
    # A JSON body instead of a form is a 400 too.
    r = await client.post(
        f"{BASE}/applications", headers=me.headers, json={**selection, "sponsor": sponsor_body()}
    )
    assert r.status_code == 400, r.text
    assert await db_conn.fetchval("SELECT count(*) FROM sponsors") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorships") == 0


async def test_existing_sponsor_in_progress_refusal_and_sponsor_assets_across_years(
    client: Any, actors: Any, offer: Offer, db_conn: Any
) -> None:
    me = await actors.create("me")
    other = await actors.create("other")
    first = await apply(client, me, application({"standalone_ids": [offer.benefit["job"]]}, sponsor_body()))
    sponsor_id = first["sponsorship"]["sponsor"]["id"]
    mine = (await client.get(f"{BASE}/me/sponsors", headers=me.headers)).json()["data"]
    assert mine == [{"id": sponsor_id, "name": "Acme Widgets", "application_in_progress": True}]
    assert (await client.get(f"{BASE}/me/sponsors", headers=other.headers)).json()["data"] == []

    again = application({**visionary(offer), "sponsor_id": sponsor_id})
    r = await client.post(f"{BASE}/applications", headers=me.headers, files=dict(again.files))
    assert r.status_code == 400
    assert r.json()["extra"]["sponsor_id"] == [
        "The sponsor Acme Widgets already have open Sponsorship applications. "
        "Get in contact with sponsors@python.org to discuss."
    ]
    # Only a sponsor the caller is a contact of can be chosen; logos belong to a new sponsor.
    r = await client.post(f"{BASE}/applications", headers=other.headers, files=dict(again.files))
    assert r.status_code == 400 and "sponsor_id" in r.json()["extra"]
    with_logo = application(
        {**visionary(offer), "sponsor_id": sponsor_id}, web_logo=("a.png", png(), "image/png")
    )
    r = await client.post(f"{BASE}/applications", headers=me.headers, files=dict(with_logo.files))
    assert r.status_code == 400 and "web_logo" in r.json()["extra"]
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorships") == 1

    # The sponsor-level asset gets a value; the first sponsorship ends; the next year's application
    # reuses that asset (and its value) while sponsorship-level assets are new.
    image = await db_conn.fetchval("SELECT id FROM benefit_features WHERE kind='required_img_asset'")
    r = await client.put(
        f"{BASE}/me/sponsorships/{first['sponsorship']['id']}/assets/{image}/image",
        headers=me.headers,
        files={"file": ("job.png", png(200, 100), "image/png")},
    )
    assert r.status_code == 200, r.text
    await db_conn.execute("UPDATE sponsorships SET status='rejected' WHERE id=$1", first["sponsorship"]["id"])
    await db_conn.execute("UPDATE sponsorship_current_year SET year=2027")
    await db_conn.execute("UPDATE sponsorship_benefits SET year=2027 WHERE year=2026")
    await db_conn.execute("UPDATE sponsorship_packages SET year=2027 WHERE year=2026")
    second = await apply(
        client, me, application({"standalone_ids": [offer.benefit["job"]], "sponsor_id": sponsor_id})
    )
    assert second["sponsorship"]["year"] == 2027 and second["sponsorship"]["sponsor"]["id"] == sponsor_id
    assets = await db_conn.fetch(
        "SELECT internal_name, sponsor_id, sponsorship_id, file FROM sponsor_assets ORDER BY id"
    )
    assert [(a["internal_name"], a["sponsor_id"], a["sponsorship_id"]) for a in assets] == [
        ("job_logo", sponsor_id, None),
        ("job_code", None, first["sponsorship"]["id"]),
        ("job_guide", sponsor_id, None),
        ("job_code", None, second["sponsorship"]["id"]),
    ]
    image_asset = second["required_assets"][0]
    assert image_asset["fulfilled"] is True and image_asset["value"] == "/media/" + assets[0]["file"]


async def test_only_standalone_benefits_use_the_standalone_only_package(
    client: Any, actors: Any, offer: Offer, db_conn: Any
) -> None:
    me = await actors.create("me")
    for name in ("First Co", "Second Co"):
        detail = await apply(
            client, me, application({"standalone_ids": [offer.benefit["job"]]}, sponsor_body(name))
        )
        assert detail["sponsorship"]["package"]["slug"] == "standalone-only"
        assert detail["sponsorship"]["level_name"] == "Standalone Only"
    packages = await db_conn.fetch(
        "SELECT id, name, sponsorship_amount, year, advertise FROM sponsorship_packages WHERE slug='standalone-only'"
    )
    assert len(packages) == 1, "made once, then reused"
    assert dict(packages[0]) | {"id": 0} == {
        "id": 0,
        "name": "Standalone Only",
        "sponsorship_amount": 0,
        "year": YEAR,
        "advertise": False,
    }
    rows = await db_conn.fetch("SELECT package_id, sponsorship_fee, for_modified_package FROM sponsorships")
    assert {tuple(r) for r in rows} == {(packages[0]["id"], 0, True)}
    flags = await db_conn.fetch("SELECT added_by_user, standalone FROM sponsor_benefits")
    assert {tuple(f) for f in flags} == {(True, True)}


async def test_package_as_offered_is_not_modified(
    client: Any, actors: Any, offer: Offer, db_conn: Any
) -> None:
    me = await actors.create("me")
    detail = await apply(client, me, application(visionary(offer, table=True), sponsor_body()))
    assert detail["sponsorship"]["for_modified_package"] is False
    assert detail["sponsorship"]["agreed_fee"] == 150_000
    assert await db_conn.fetchval("SELECT bool_or(added_by_user) FROM sponsor_benefits") is False
    # The Partner package's sponsorship gets no tiered feature: the configuration is Visionary's.
    partner = {"package_id": offer.partner, "benefit_ids": [offer.benefit["logo"], offer.benefit["perk"]]}
    detail = await apply(client, me, application(partner, sponsor_body("Partner Co")))
    kinds = await db_conn.fetch(
        "SELECT f.kind FROM benefit_features f JOIN sponsor_benefits b ON b.id = f.sponsor_benefit_id "
        "WHERE b.sponsorship_id=$1 ORDER BY f.id",
        detail["sponsorship"]["id"],
    )
    assert [k["kind"] for k in kinds] == ["logo_placement", "email_targetable"]
    assert detail["benefits"][0]["name_for_display"] == "Logo on python.org"


async def test_a_racing_second_application_gets_the_same_refusal(
    actors: Any, offer: Offer, sessionmaker: Any, db_conn: Any, settings: Any
) -> None:
    me = await actors.create("me")
    principal = Principal(
        user_id=me.user_id, username="me", is_staff=False, is_superuser=False, is_active=True
    )
    async with transaction(sessionmaker) as s:
        sponsor_id = (await make_sponsor(s, "Racer", me.user_id)).id
    storage = LocalStorage(settings.media_dir)
    data = {**visionary(offer), "sponsor_id": sponsor_id}
    async with sessionmaker() as first:
        first.add(Sponsorship(sponsor_id=sponsor_id, status="applied", year=YEAR))
        await first.flush()  # holds the in-progress slot, not committed yet

        async def second() -> None:
            async with transaction(sessionmaker) as tx:
                await svc.create_application(tx, principal, data, svc.Logos(), storage)

        racing = asyncio.create_task(second())
        await asyncio.sleep(0.5)  # it passed the ordinary check and waits on the unique index
        assert not racing.done()
        await first.commit()
    with pytest.raises(ValidationFailed) as refused:
        await racing
    assert refused.value.errors == {"sponsor_id": [svc.in_progress_message(Sponsor(name="Racer"))]}
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorships") == 1
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_benefits") == 0


# --- the dashboard -----------------------------------------------------------------------------


async def test_visibility(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    me = await actors.create("me")
    contact = await actors.create("contact")
    stranger = await actors.create("stranger")
    viewer = await actors.create("viewer", permissions=("sponsors.change_sponsorship",))
    body = sponsor_body(
        contacts=[{"name": "C", "email": "contact@example.org", "phone": "1", "primary": True}]
    )
    first = (await apply(client, me, application(visionary(offer), body)))["sponsorship"]
    second = (await apply(client, stranger, application(visionary(offer), sponsor_body("Other"))))[
        "sponsorship"
    ]
    url = f"{BASE}/me/sponsorships"
    # Only the applicant's own address links a contact to an account; staff link the others.
    await db_conn.execute(
        "UPDATE sponsor_contacts SET user_id=$1 WHERE email='contact@example.org'", contact.user_id
    )

    async def ids(caller: Any) -> list[int]:
        r = await client.get(url, headers=caller.headers)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["data"]]

    assert await ids(me) == [first["id"]]  # submitted by me
    assert await ids(contact) == [first["id"]]  # I am a contact of its sponsor
    assert await ids(stranger) == [second["id"]]
    assert await ids(viewer) == []  # the list is one's own, whatever one's permissions
    assert (await client.get(url)).status_code == 401
    assert (await client.get(f"{url}/{first['id']}", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"{url}/{first['id']}", headers=contact.headers)).status_code == 200
    assert (await client.get(f"{url}/{first['id']}", headers=viewer.headers)).status_code == 200
    assert (await client.get(f"{url}/999999", headers=me.headers)).status_code == 404
    # A rejected sponsorship leaves the sponsor's dashboard; staff still see it.
    await db_conn.execute("UPDATE sponsorships SET status='rejected', locked=true WHERE id=$1", first["id"])
    assert await ids(me) == []
    assert (await client.get(f"{url}/{first['id']}", headers=me.headers)).status_code == 404
    r = await client.get(f"{url}/{first['id']}", headers=viewer.headers)
    assert r.status_code == 200 and r.json()["sponsorship"]["status"] == "rejected"
    # A finalized one that has not ended is active.
    await db_conn.execute(
        "UPDATE sponsorships SET status='finalized', start_date='2026-01-01', end_date='2999-01-01' WHERE id=$1",
        first["id"],
    )
    summary = (await client.get(url, headers=me.headers)).json()["data"][0]
    assert summary["is_active"] is True and summary["open_for_editing"] is False
    assert summary["url"] == f"/users/sponsorships/detail/?id={first['id']}"


async def test_required_and_provided_assets(
    client: Any, actors: Any, offer: Offer, db_conn: Any, settings: Any
) -> None:
    me = await actors.create("me")
    selection = {"standalone_ids": [offer.benefit["job"]]}
    job = (await apply(client, me, application(selection, sponsor_body())))["sponsorship"]["id"]
    extra = await apply(client, me, application(visionary(offer, "extra"), sponsor_body("Extra Co")))
    extra_id = extra["sponsorship"]["id"]
    text, response = (a["id"] for a in extra["required_assets"])
    image = (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()["required_assets"][
        0
    ]
    assert image["kind"] == "required_img_asset" and image["min_width"] == 100 and image["max_height"] == 200
    url = f"{BASE}/me/sponsorships/{extra_id}/assets"

    async def put(asset: int, body: Any, status: int, field_name: str | None = None) -> Any:
        r = await client.put(f"{url}/{asset}", headers=me.headers, json=body)
        assert r.status_code == status, r.text
        if field_name is not None:
            assert field_name in r.json()["extra"], r.json()
        return r.json()

    await put(text, {"text": "x" * 21}, 400, "text")  # max_length 20
    await put(text, {"text": "   "}, 400, "text")
    await put(text, {"response": "YES"}, 400, "text")
    await put(response, {"text": "yes"}, 400, "response")
    await put(response, {"response": "MAYBE"}, 400)
    await put(response, {}, 400, "response")
    await put(text, {"text": "a", "unknown": 1}, 400)
    await put(image["id"], {"text": "a"}, 404)  # not an asset of this sponsorship
    provided = await db_conn.fetchval("SELECT id FROM benefit_features WHERE kind='provided_text_asset'")
    await put(provided, {"text": "a"}, 404)  # provided assets are the PSF's to give
    answer = await put(text, {"text": "  Our post  "}, 200)
    await put(response, {"response": "NO"}, 200)
    answer = (await client.get(f"{BASE}/me/sponsorships/{extra_id}", headers=me.headers)).json()
    assert [(a["fulfilled"], a["value"]) for a in answer["required_assets"]] == [
        (True, "Our post"),
        (True, "NO"),
    ]
    stored = await db_conn.fetch(
        "SELECT internal_name, text, response FROM sponsor_assets WHERE sponsorship_id=$1 ORDER BY internal_name",
        extra_id,
    )
    assert [tuple(s) for s in stored] == [("extra_post_ok", "", "NO"), ("extra_post_text", "Our post", None)]
    # Assets can still be provided once the sponsorship is approved and locked (as python.org).
    await db_conn.execute("UPDATE sponsorships SET status='approved', locked=true WHERE id=$1", extra_id)
    await put(text, {"text": "Changed"}, 200)
    assert (
        await db_conn.fetchval("SELECT text FROM sponsor_assets WHERE internal_name='extra_post_text'")
        == "Changed"
    )

    # Images: raster only, within the configured sizes; a replaced image's file goes.
    image_url = f"{BASE}/me/sponsorships/{job}/assets/{image['id']}/image"

    async def upload(name: str, content: bytes, status: int) -> Any:
        r = await client.put(image_url, headers=me.headers, files={"file": (name, content, "image/png")})
        assert r.status_code == status, r.text
        return r.json()

    for name, content in (
        ("small.png", png(99, 100)),
        ("wide.png", png(401, 100)),
        ("low.png", png(200, 49)),
        ("high.png", png(200, 201)),
        ("logo.svg", SVG),
        ("fake.png", b"not a png at all"),
    ):
        refused = await upload(name, content, 400)
        assert "file" in refused["extra"], refused
    assert await db_conn.fetchval("SELECT file FROM sponsor_assets WHERE internal_name='job_logo'") == ""
    await upload("../../evil.png", png(100, 50), 200)
    first_file = await db_conn.fetchval("SELECT file FROM sponsor_assets WHERE internal_name='job_logo'")
    assert first_file.startswith("sponsors-app-assets/") and "evil" not in first_file
    answer = await upload("ok.png", png(400, 200), 200)
    second_file = await db_conn.fetchval("SELECT file FROM sponsor_assets WHERE internal_name='job_logo'")
    assert second_file != first_file and (settings.media_dir / second_file).read_bytes() == png(400, 200)
    assert not (settings.media_dir / first_file).exists(), "the replaced image was left behind"
    assert answer["required_assets"][0]["value"] == "/media/" + second_file
    r = await client.put(
        f"{BASE}/me/sponsorships/{extra_id}/assets/{text}/image",
        headers=me.headers,
        files={"file": ("a.png", png(), "image/png")},
    )
    assert r.status_code == 400 and "file" in r.json()["extra"]

    # Provided assets: listed once they have a value; a shared one shows the shared value.
    assert (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()[
        "provided_assets"
    ] == []
    await db_conn.execute("UPDATE sponsor_assets SET text='CODE-1' WHERE internal_name='job_code'")
    provided_read = (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()[
        "provided_assets"
    ]
    assert [(p["label"], p["value"], p["shared"]) for p in provided_read] == [
        ("Job board code", "CODE-1", False)
    ]
    await db_conn.execute(
        "UPDATE benefit_features SET shared=true, shared_text='FOR-ALL' WHERE kind='provided_text_asset'"
    )
    provided_read = (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()[
        "provided_assets"
    ]
    assert [(p["value"], p["shared"]) for p in provided_read] == [("FOR-ALL", True)]
    # A provided file is its URL: the sponsor's own, or the shared one.
    await db_conn.execute(
        "UPDATE sponsor_assets SET file='sponsors-app-assets/guide.pdf' WHERE internal_name='job_guide'"
    )
    provided_read = (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()[
        "provided_assets"
    ]
    assert [(p["kind"], p["value"]) for p in provided_read] == [
        ("provided_text_asset", "FOR-ALL"),
        ("provided_file_asset", "/media/sponsors-app-assets/guide.pdf"),
    ]
    await db_conn.execute(
        "UPDATE benefit_features SET shared=true, shared_file='sponsors/all.pdf' WHERE kind='provided_file_asset'"
    )
    provided_read = (await client.get(f"{BASE}/me/sponsorships/{job}", headers=me.headers)).json()[
        "provided_assets"
    ]
    assert provided_read[1]["value"] == "/media/sponsors/all.pdf"
    kinds = await db_conn.fetch("SELECT internal_name, kind FROM sponsor_assets ORDER BY internal_name")
    assert {(k["internal_name"], k["kind"]) for k in kinds} >= {("job_guide", "file"), ("job_code", "text")}


def test_image_sizes_are_read_from_the_headers() -> None:
    gif = b"GIF89a" + (320).to_bytes(2, "little") + (64).to_bytes(2, "little") + bytes(8)
    jpeg = (
        b"\xff\xd8"
        + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xc0\x00\x11\x08"
        + (480).to_bytes(2, "big")
        + (640).to_bytes(2, "big")
        + bytes(12)
    )
    webp_x = (
        b"RIFF\x00\x00\x00\x00WEBPVP8X" + bytes(8) + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    )
    assert svc.image_size(png(300, 100), "png") == (300, 100)
    assert svc.image_size(gif, "gif") == (320, 64)
    assert svc.image_size(jpeg, "jpg") == (640, 480)
    assert svc.image_size(webp_x, "webp") == (100, 50)
    assert svc.image_size(b"\xff\xd8\x00", "jpeg") is None
    assert svc.image_size(b"RIFF", "webp") is None


# --- sponsors and contacts -------------------------------------------------------------------


async def test_sponsor_edit_rules(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    me = await actors.create("me")
    stranger = await actors.create("stranger")
    detail = await apply(client, me, application(visionary(offer), sponsor_body()))
    sponsor_id = detail["sponsorship"]["sponsor"]["id"]
    url = f"{BASE}/sponsors/{sponsor_id}"
    read = (await client.get(url, headers=me.headers)).json()
    stored_logo = await db_conn.fetchval("SELECT web_logo FROM sponsors WHERE id=$1", sponsor_id)
    assert read["name"] == "Acme Widgets" and read["web_logo_url"] == f"/media/{stored_logo}"
    assert [c["linked_to_you"] for c in read["contacts"]] == [False, True]
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    pat, mine = read["contacts"]

    def keep(contact: dict[str, Any], **changes: Any) -> dict[str, Any]:
        fields = ("id", "name", "email", "phone", "primary", "administrative", "accounting")
        return {k: contact[k] for k in fields} | changes

    for body, field_name in (
        ({"name": "Renamed"}, None),  # read-only: an unknown field
        ({"city": " "}, "city"),
        ({"country": "QQ"}, "country"),
        ({"landing_page_url": "//evil.example"}, None),
        ({"contacts": []}, None),
        ({"contacts": [keep(pat, primary=False)]}, "contacts"),
        ({"contacts": [keep(pat), keep(pat)]}, "contacts"),
        ({"contacts": [keep(pat), {**keep(mine), "id": 999_999}]}, "contacts[1].id"),
        ({"contacts": [keep(pat)] * 6}, None),
    ):
        r = await client.patch(url, headers=me.headers, json=body)
        assert r.status_code == 400, (body, r.text)
        if field_name is not None:
            assert field_name in r.json()["extra"], r.json()
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_contacts") == 2

    # Change fields, change one contact, drop the other, add a new one.
    change: dict[str, Any] = {
        "description": "Widgets, and more.",
        "landing_page_url": None,
        "city": "Portland",
        "country": "ca",
        "contacts": [
            keep(pat, name="Pat P.", email="pat@new.example", primary=True),
            {"name": "Me again", "email": "me@example.org", "phone": "9", "administrative": True},
        ],
    }
    r = await client.patch(url, headers=me.headers, json=change)
    assert r.status_code == 200, r.text
    row = await db_conn.fetchrow("SELECT name, description, landing_page_url, city, country FROM sponsors")
    assert dict(row) == {
        "name": "Acme Widgets",
        "description": "Widgets, and more.",
        "landing_page_url": None,
        "city": "Portland",
        "country": "CA",
    }
    contacts = await db_conn.fetch(
        "SELECT id, name, email, user_id, administrative FROM sponsor_contacts ORDER BY id"
    )
    assert [(c["name"], c["email"], c["user_id"], c["administrative"]) for c in contacts] == [
        ("Pat P.", "pat@new.example", None, False),
        ("Me again", "me@example.org", me.user_id, True),
    ]
    assert contacts[0]["id"] == pat["id"] and mine["id"] not in {c["id"] for c in contacts}
    # A contact of the sponsor (not the submitter) may edit it too, through the sponsorship.
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    await db_conn.execute("UPDATE sponsor_contacts SET user_id=$1 WHERE id=$2", stranger.user_id, pat["id"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 200


# --- permission matrices ---------------------------------------------------------------------


async def test_validate_matrix(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    async def check(caller: str) -> tuple[str, str, Any]:
        return ("POST", f"{BASE}/applications/validate", visionary(offer))

    def answered(caller: str, response: Any) -> None:
        assert response.json()["price"] == 150_000

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 200, "ordinary": 200, "staffer": 200, "root": 200},
        check,
        changed=answered,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorships") == 0


async def test_application_matrix(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    await actors.create(
        "sponsor_admin", permissions=("sponsors.change_sponsor", "sponsors.change_sponsorship")
    )

    async def apply_as(caller: str) -> tuple[str, str, Any]:
        return (
            "POST",
            f"{BASE}/applications",
            application(visionary(offer), sponsor_body(f"Sponsor {caller}")),
        )

    async def created(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT s.name, p.submitted_by_id FROM sponsorships p JOIN sponsors s ON s.id = p.sponsor_id WHERE p.id=$1",
            response.json()["sponsorship"]["id"],
        )
        assert dict(row) == {"name": f"Sponsor {caller}", "submitted_by_id": actors[caller].user_id}

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "ordinary": 201, "staffer": 201, "sponsor_admin": 201, "root": 201},
        apply_as,
        changed=created,
    )


async def _sponsorship_of(
    client: Any, actors: Any, db_conn: Any, offer: Offer, *extra: str
) -> dict[str, Any]:
    """A sponsorship submitted by "owner", with "contact" as a contact of its sponsor."""
    owner = await actors.create("owner")
    await actors.create("contact")
    await actors.create("sponsor_admin", permissions=("sponsors.change_sponsor",))
    await actors.create("sponsorship_admin", permissions=("sponsors.change_sponsorship",))
    body = sponsor_body(
        contacts=[{"name": "C", "email": "contact@example.org", "phone": "1", "primary": True}]
    )
    selection = visionary(offer, *extra) if extra else {"standalone_ids": [offer.benefit["job"]]}
    detail = dict(await apply(client, owner, application(selection, body)))
    await db_conn.execute(
        "UPDATE sponsor_contacts SET user_id=$1 WHERE email='contact@example.org'", actors["contact"].user_id
    )
    return detail


async def test_asset_provide_matrix(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    detail = await _sponsorship_of(client, actors, db_conn, offer, "extra")
    sponsorship_id, text = detail["sponsorship"]["id"], detail["required_assets"][0]["id"]

    async def provide(caller: str) -> tuple[str, str, Any]:
        return ("PUT", f"{BASE}/me/sponsorships/{sponsorship_id}/assets/{text}", {"text": f"By {caller}"})

    async def stored(caller: str, response: Any) -> None:
        value = await db_conn.fetchval(
            "SELECT text FROM sponsor_assets WHERE internal_name='extra_post_text'"
        )
        assert value == f"By {caller}"
        staff_entries = await db_conn.fetchval(
            "SELECT count(*) FROM sponsor_audit_entries WHERE actor_id=$1 AND action='asset.provide'",
            actors[caller].user_id,
        )
        assert staff_entries == (1 if caller in ("sponsorship_admin", "root") else 0)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            **REFUSED,
            "ordinary": 404,
            "staffer": 404,
            "sponsor_admin": 404,
            "owner": 200,
            "contact": 200,
            "sponsorship_admin": 200,
            "root": 200,
        },
        provide,
        changed=stored,
    )


async def test_asset_upload_matrix(
    client: Any, actors: Any, offer: Offer, db_conn: Any, settings: Any
) -> None:
    detail = await _sponsorship_of(client, actors, db_conn, offer)
    sponsorship_id, image = detail["sponsorship"]["id"], detail["required_assets"][0]["id"]
    files: list[str] = []

    async def upload(caller: str) -> tuple[str, str, Any]:
        body = Multipart(files={"file": (f"{caller}.png", png(100 + len(files), 60), "image/png")})
        return ("PUT", f"{BASE}/me/sponsorships/{sponsorship_id}/assets/{image}/image", body)

    async def stored(caller: str, response: Any) -> None:
        name = await db_conn.fetchval("SELECT file FROM sponsor_assets WHERE internal_name='job_logo'")
        assert name.startswith("sponsors-app-assets/") and (settings.media_dir / name).is_file()
        if files:
            assert not (settings.media_dir / files[-1]).exists(), "the replaced image was left behind"
        files.append(name)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            **REFUSED,
            "ordinary": 404,
            "staffer": 404,
            "sponsor_admin": 404,
            "owner": 200,
            "contact": 200,
            "sponsorship_admin": 200,
            "root": 200,
        },
        upload,
        changed=stored,
    )
    assert len(files) == 4


async def test_sponsor_update_matrix(client: Any, actors: Any, offer: Offer, db_conn: Any) -> None:
    detail = await _sponsorship_of(client, actors, db_conn, offer)
    sponsor_id = detail["sponsorship"]["sponsor"]["id"]

    async def edit(caller: str) -> tuple[str, str, Any]:
        return ("PATCH", f"{BASE}/sponsors/{sponsor_id}", {"description": f"Edited by {caller}"})

    async def edited(caller: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT description, last_modified_by_id FROM sponsors WHERE id=$1", sponsor_id
        )
        assert dict(row) == {
            "description": f"Edited by {caller}",
            "last_modified_by_id": actors[caller].user_id,
        }
        audited = await db_conn.fetchval(
            "SELECT count(*) FROM sponsor_audit_entries WHERE actor_id=$1 AND action='sponsor.update'",
            actors[caller].user_id,
        )
        assert audited == (1 if caller in ("sponsor_admin", "root") else 0)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            **REFUSED,
            "ordinary": 404,
            "staffer": 404,
            "sponsorship_admin": 404,
            "owner": 200,
            "contact": 200,
            "sponsor_admin": 200,
            "root": 200,
        },
        edit,
        changed=edited,
    )


async def test_sponsor_logo_upload_matrix(
    client: Any, actors: Any, offer: Offer, db_conn: Any, settings: Any
) -> None:
    detail = await _sponsorship_of(client, actors, db_conn, offer)
    sponsor_id = detail["sponsorship"]["sponsor"]["id"]
    logos = [await db_conn.fetchval("SELECT web_logo FROM sponsors WHERE id=$1", sponsor_id)]

    async def upload(caller: str) -> tuple[str, str, Any]:
        body = Multipart(files={"file": ("../../" + caller + ".gif", b"GIF89a" + bytes(10), "image/gif")})
        return ("PUT", f"{BASE}/sponsors/{sponsor_id}/logos/web_logo", body)

    async def replaced(caller: str, response: Any) -> None:
        logo = await db_conn.fetchval("SELECT web_logo FROM sponsors WHERE id=$1", sponsor_id)
        assert re.fullmatch(r"sponsor_web_logos/acme-widgets(-[0-9a-f]{8})?\.gif", logo), logo
        assert response.json()["web_logo_url"] == f"/media/{logo}"
        assert (settings.media_dir / logo).is_file()
        assert not (settings.media_dir / logos[-1]).exists(), "the replaced logo was left behind"
        logos.append(logo)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            **REFUSED,
            "ordinary": 404,
            "staffer": 404,
            "sponsorship_admin": 404,
            "owner": 200,
            "contact": 200,
            "sponsor_admin": 200,
            "root": 200,
        },
        upload,
        changed=replaced,
    )
    owner = actors["owner"].headers
    for logo, name, content in (
        ("print_logo", "print.gif", b"GIF89a"),  # print logos: eps, svg or png
        ("white_logo", "w.eps", b"%!PS"),  # screen logos are images
        ("white_logo", "w.png", b"not a png"),
    ):
        r = await client.put(
            f"{BASE}/sponsors/{sponsor_id}/logos/{logo}",
            headers=owner,
            files={"file": (name, content, "x/y")},
        )
        assert r.status_code == 400 and "file" in r.json()["extra"], r.text
    r = await client.put(
        f"{BASE}/sponsors/{sponsor_id}/logos/avatar", headers=owner, files={"file": ("a.png", png())}
    )
    assert r.status_code == 400
    r = await client.put(
        f"{BASE}/sponsors/{sponsor_id}/logos/print_logo",
        headers=owner,
        files={"file": ("p.eps", b"%!PS-Adobe")},
    )
    assert r.status_code == 200 and r.json()["print_logo"].endswith(".eps")


# --- resetting a sponsorship's benefits --------------------------------------------------------


async def test_reset_sponsorship_benefits(
    client: Any, actors: Any, offer: Offer, db_conn: Any, sessionmaker: Any
) -> None:
    me = await actors.create("me")
    detail = await apply(client, me, application(visionary(offer, "extra"), sponsor_body()))
    sponsorship_id = detail["sponsorship"]["id"]
    text = detail["required_assets"][0]["id"]
    r = await client.put(
        f"{BASE}/me/sponsorships/{sponsorship_id}/assets/{text}", headers=me.headers, json={"text": "Hi"}
    )
    assert r.status_code == 200
    sponsor_asset = await db_conn.fetchval(
        "INSERT INTO sponsor_assets (uuid, kind, sponsor_id, internal_name, text, file) "
        "VALUES (gen_random_uuid(), 'text', $1, 'kept', 'stays', '') RETURNING id",
        detail["sponsorship"]["sponsor"]["id"],
    )
    before = await db_conn.fetch("SELECT id FROM sponsor_benefits WHERE sponsorship_id=$1", sponsorship_id)
    async with transaction(sessionmaker) as s:
        sponsorship = await s.get(Sponsorship, sponsorship_id)
        assert sponsorship is not None
        result = await svc.reset_sponsorship_benefits(s, sponsorship)
    # Every benefit of the package of the year, none added by the user; the a la carte one is gone
    # with its sponsorship-level assets, the sponsor's asset stays.
    assert (result.removed, result.added, result.year) == (4, 4, YEAR)
    rows = await db_conn.fetch(
        'SELECT id, name, added_by_user FROM sponsor_benefits WHERE sponsorship_id=$1 ORDER BY "order"',
        sponsorship_id,
    )
    assert [(r["name"], r["added_by_user"]) for r in rows] == [
        ("Logo on python.org", False),
        ("Booth", False),
        ("Table", False),
        ("Keynote", False),
    ]
    assert not {r["id"] for r in rows} & {b["id"] for b in before}
    assert (
        await db_conn.fetchval("SELECT count(*) FROM sponsor_assets WHERE sponsorship_id=$1", sponsorship_id)
        == 0
    )
    assert await db_conn.fetchval("SELECT text FROM sponsor_assets WHERE id=$1", sponsor_asset) == "stays"
    features = await db_conn.fetch(
        "SELECT f.kind FROM benefit_features f JOIN sponsor_benefits b ON b.id = f.sponsor_benefit_id "
        "WHERE b.sponsorship_id=$1 ORDER BY f.id",
        sponsorship_id,
    )
    assert [f["kind"] for f in features] == ["logo_placement", "tiered_benefit", "email_targetable"]

    # --update-year: the package's year (and its benefits of that year) win.
    await db_conn.execute(
        "UPDATE sponsorships SET package_id=$1 WHERE id=$2", offer.old_package, sponsorship_id
    )
    async with transaction(sessionmaker) as s:
        sponsorship = await s.get(Sponsorship, sponsorship_id)
        assert sponsorship is not None
        with pytest.raises(ValidationFailed):  # the 2025 package has no 2026 benefits
            await svc.reset_sponsorship_benefits(s, sponsorship)
        result = await svc.reset_sponsorship_benefits(s, sponsorship, update_year=True)
    assert (result.year, result.added) == (2025, 1)
    assert await db_conn.fetchval("SELECT year FROM sponsorships WHERE id=$1", sponsorship_id) == 2025
    names = await db_conn.fetch("SELECT name FROM sponsor_benefits WHERE sponsorship_id=$1", sponsorship_id)
    assert [n["name"] for n in names] == ["Last year"]


async def test_reset_benefit_copy(
    client: Any, actors: Any, offer: Offer, db_conn: Any, sessionmaker: Any
) -> None:
    me = await actors.create("me")
    detail = await apply(client, me, application({"standalone_ids": [offer.benefit["job"]]}, sponsor_body()))
    copy_id = detail["benefits"][0]["id"]
    await db_conn.execute(
        "UPDATE sponsorship_benefits SET name='Job board listing', description='New' WHERE id=$1",
        offer.benefit["job"],
    )
    await db_conn.execute("DELETE FROM benefit_feature_configurations WHERE kind='provided_text_asset'")
    async with transaction(sessionmaker) as s:
        copy = await s.get(SponsorBenefit, copy_id)
        benefit = await s.get(SponsorshipBenefit, offer.benefit["job"])
        assert copy is not None and benefit is not None
        await svc.reset_benefit_copy(s, copy, benefit)
    row = await db_conn.fetchrow("SELECT name, description, added_by_user, standalone FROM sponsor_benefits")
    assert dict(row) == {
        "name": "Job board listing",
        "description": "New",
        "added_by_user": True,
        "standalone": True,
    }
    kinds = await db_conn.fetch("SELECT kind FROM benefit_features WHERE sponsor_benefit_id=$1", copy_id)
    # the provided text's configuration is gone, so is its feature
    assert sorted(k["kind"] for k in kinds) == ["provided_file_asset", "required_img_asset"]
