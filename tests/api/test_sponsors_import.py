"""python.org's sponsors fixtures (``sponsors.json``, the configuration of 2022, and
``sponsors-admin.json``, a fuller dump of the same site with a sponsor, its application and its
assets) through ``pydotorg import-django``: each polymorphic parent + child pair becomes one row
of the right kind, stored field by field; generic asset owners become owner columns; the
many-to-many links, symmetrical conflicts included; a second run writes nothing; ``--verify``
agrees per label; broken rows are reported and the rest imported."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.django_import import importer
from tests.helpers import run_import_django

USERS = PYTHON_ORG_DATA / "users.json"
CONFIGURATION = PYTHON_ORG_DATA / "sponsors.json"
ADMIN = PYTHON_ORG_DATA / "sponsors-admin.json"


def _objects(*paths: Any) -> list[dict[str, Any]]:
    return [obj for path in paths for obj in json.loads(path.read_text())]


def _row(stdout: str, label: str) -> list[str]:
    return next(line.split() for line in stdout.splitlines() if line.split()[:1] == [label])


async def _one(db_conn: Any, sql: str, *args: Any) -> dict[str, Any]:
    row = await db_conn.fetchrow(sql, *args)
    assert row is not None, sql
    return dict(row)


async def test_both_fixtures_import_field_by_field(settings: Any, db_conn: Any) -> None:
    # The configuration dump first, the fuller one last: where both hold a row, the last wins,
    # as with ``manage.py loaddata``.
    files = ("--fixtures", str(USERS), "--fixtures", str(CONFIGURATION), "--fixtures", str(ADMIN))
    result = run_import_django(settings, "--quiet", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no importer" not in result.stdout
    # Every Django label is reported with its rows, children among their parents.
    admin_counts = Counter(obj["model"] for obj in _objects(ADMIN))
    benefit_links = sum(
        len(obj["fields"]["packages"])
        for obj in _objects(ADMIN)
        if obj["model"] == "sponsors.sponsorshipbenefit"
    )
    for label, count in admin_counts.items():
        # "written" counts rows whose data was stored, plus the links a benefit row wrote.
        written = count + (benefit_links if label == "sponsors.sponsorshipbenefit" else 0)
        assert _row(result.stdout, label)[1:4] == [str(count), str(written), "0"], label
    total_rows = sum(admin_counts.values()) + 4  # + two users and their two addresses
    assert f"wrote {total_rows + benefit_links} of {total_rows} rows" in result.stdout

    # The configuration: one row per polymorphic pair, with the child's model as its kind.
    logo = await _one(db_conn, "SELECT * FROM benefit_feature_configurations WHERE id = 51")
    assert {k: logo[k] for k in ("kind", "publisher", "logo_place", "link_to_sponsors_page")} == {
        "kind": "logo_placement",
        "publisher": "psf",
        "logo_place": "sponsors",
        "link_to_sponsors_page": False,
    }
    assert (logo["describe_as_sponsor"], logo["package_id"], logo["internal_name"]) == (False, None, None)
    tiered = await _one(db_conn, "SELECT * FROM benefit_feature_configurations WHERE id = 26")
    assert {k: tiered[k] for k in ("kind", "benefit_id", "package_id", "quantity", "display_label")} == {
        "kind": "tiered_benefit",
        "benefit_id": 62,
        "package_id": 1,
        "quantity": 2,
        "display_label": "",
    }
    assert tiered["publisher"] is None and tiered["related_to"] is None
    image = await _one(db_conn, "SELECT * FROM benefit_feature_configurations WHERE id = 111")
    assert {
        k: image[k]
        for k in ("kind", "related_to", "internal_name", "due_date", "min_width", "max_width", "min_height")
    } == {
        "kind": "required_img_asset",
        "related_to": "sponsorship",
        "internal_name": "pycon-static-slide",
        "due_date": date(2022, 4, 8),
        "min_width": 1024,
        "max_width": 4096,
        "min_height": 768,
    }
    assert image["max_height"] == 3072 and image["label"] == "Your slide for display between sessions."
    provided = await _one(db_conn, "SELECT * FROM benefit_feature_configurations WHERE id = 114")
    assert (provided["kind"], provided["shared"], provided["shared_file"], provided["label"]) == (
        "provided_file_asset",
        True,
        "2022-PYCON-Exhibitor-Kit-3.pdf",
        "Pycon 2022 Exhibitor Kit",
    )
    assert provided["help_text"] == 'PDF password is "2022pyconus"' and provided["due_date"] is None
    # sponsors-admin.json, loaded last, corrected this name; its version is the one kept.
    assert (
        await db_conn.fetchval("SELECT internal_name FROM benefit_feature_configurations WHERE id = 162")
        == "pycon-us-2022-complimentary-lead-retrieval"
    )
    kinds = dict(
        await db_conn.fetch("SELECT kind, count(*) FROM benefit_feature_configurations GROUP BY kind")
    )
    assert kinds == {
        "tiered_benefit": 46,
        "provided_text_asset": 7,
        "provided_file_asset": 7,
        "logo_placement": 6,
        "email_targetable": 4,
        "required_response_asset": 4,
        "required_text_asset": 3,
        "required_img_asset": 1,
    }
    assert await db_conn.fetchval("SELECT year FROM sponsorship_current_year WHERE id = 1") == 2022
    package = await _one(db_conn, "SELECT * FROM sponsorship_packages WHERE id = 1")
    assert {k: package[k] for k in ("name", "slug", "year", "sponsorship_amount", "logo_dimension")} == {
        "name": "Visionary",
        "slug": "visionary",
        "year": 2022,
        "sponsorship_amount": 150000,
        "logo_dimension": 350,
    }
    benefit = await _one(db_conn, "SELECT * FROM sponsorship_benefits WHERE id = 2")
    assert (benefit["name"], benefit["program_id"], benefit["internal_value"], benefit["capacity"]) == (
        "Meet with the PSF Board of Directors",
        1,
        5000,
        4,
    )
    packages = await db_conn.fetch("SELECT package_id FROM sponsorship_benefit_packages WHERE benefit_id = 2")
    assert sorted(r["package_id"] for r in packages) == [1, 2]
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_benefit_packages") == benefit_links

    # The sponsor, its contact and its application (submited_by [sic] by natural key).
    sponsor = await _one(db_conn, "SELECT * FROM sponsors WHERE id = 1")
    assert {
        k: sponsor[k]
        for k in (
            "name",
            "landing_page_url",
            "twitter_handle",
            "web_logo",
            "white_logo",
            "print_logo",
            "country",
            "country_of_incorporation",
            "state_of_incorporation",
            "postal_code",
        )
    } == {
        "name": "Example Company",
        "landing_page_url": "https://zombo.com",
        "twitter_handle": "_scriptr",
        "web_logo": "sponsor_web_logos/bg_wMANY2Y.jpg",  # the storage path as python.org kept it
        "white_logo": None,
        "print_logo": None,
        "country": "US",
        "country_of_incorporation": "US",
        "state_of_incorporation": "",
        "postal_code": "1991",
    }
    contact = await _one(db_conn, "SELECT * FROM sponsor_contacts WHERE id = 1")
    assert {
        k: contact[k] for k in ("sponsor_id", "user_id", "primary", "administrative", "manager", "email")
    } == {
        "sponsor_id": 1,
        "user_id": None,
        "primary": True,
        "administrative": True,
        "manager": False,
        "email": "test@example.com",
    }
    admin_id = await db_conn.fetchval("SELECT id FROM users WHERE username = 'admin'")
    sponsorship = await _one(db_conn, "SELECT * FROM sponsorships WHERE id = 1")
    assert {
        k: sponsorship[k]
        for k in (
            "submitted_by_id",
            "sponsor_id",
            "status",
            "applied_on",
            "year",
            "for_modified_package",
            "level_name_old",
            "package_id",
            "sponsorship_fee",
            "overlapped_by_id",
            "renewal",
        )
    } == {
        "submitted_by_id": admin_id,
        "sponsor_id": 1,
        "status": "applied",
        "applied_on": date(2024, 10, 8),
        "year": 2022,
        "for_modified_package": True,
        "level_name_old": "Visionary",
        "package_id": 1,
        "sponsorship_fee": 150000,
        "overlapped_by_id": None,
        "renewal": None,
    }
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_benefits WHERE sponsorship_id = 1") == 41
    copy = await _one(db_conn, "SELECT * FROM sponsor_benefits WHERE id = 1")
    assert (copy["sponsorship_benefit_id"], copy["program_id"], copy["program_name"], copy["name"]) == (
        33,
        1,
        "Foundation",
        "Promotion of Python case study",
    )
    assert copy["benefit_internal_value"] == 1000 and copy["added_by_user"] is False

    # Features of each kind, on the sponsorship's benefit copies.
    features = dict(await db_conn.fetch("SELECT kind, count(*) FROM benefit_features GROUP BY kind"))
    assert features == {
        "provided_file_asset": 7,
        "tiered_benefit": 7,
        "logo_placement": 6,
        "provided_text_asset": 6,
        "email_targetable": 4,
        "required_response_asset": 4,
        "required_text_asset": 3,
        "required_img_asset": 1,
    }
    placement = await _one(db_conn, "SELECT * FROM benefit_features WHERE id = 2")
    assert (
        placement["kind"],
        placement["sponsor_benefit_id"],
        placement["publisher"],
        placement["logo_place"],
    ) == (
        "logo_placement",
        3,
        "psf",
        "sponsors",
    )
    tier = await _one(db_conn, "SELECT * FROM benefit_features WHERE id = 5")
    assert (tier["kind"], tier["package_id"], tier["quantity"]) == ("tiered_benefit", 1, 4)
    slide = await _one(db_conn, "SELECT * FROM benefit_features WHERE id = 27")
    assert (slide["kind"], slide["internal_name"], slide["min_width"], slide["max_height"]) == (
        "required_img_asset",
        "pycon-static-slide",
        1024,
        3072,
    )
    text = await _one(db_conn, "SELECT * FROM benefit_features WHERE id = 21")
    assert (text["kind"], text["max_length"], text["due_date"]) == (
        "required_text_asset",
        None,
        date(2022, 4, 18),
    )
    guide = await _one(db_conn, "SELECT * FROM benefit_features WHERE id = 1")
    assert (guide["kind"], guide["shared"], guide["shared_file"]) == (
        "provided_file_asset",
        True,
        "PSF_style_guide_for_case_studies_and_success_stories-v2.pdf",
    )

    # Assets of each kind, owned by the sponsorship or the sponsor as the generic key said.
    assets = dict(await db_conn.fetch("SELECT kind, count(*) FROM sponsor_assets GROUP BY kind"))
    assert assets == {"text": 9, "file": 7, "response": 4, "img": 1}
    by_id = {r["id"]: dict(r) for r in await db_conn.fetch("SELECT * FROM sponsor_assets")}
    assert {k: by_id[1][k] for k in ("kind", "sponsor_id", "sponsorship_id", "internal_name", "uuid")} == {
        "kind": "file",
        "sponsor_id": None,
        "sponsorship_id": 1,
        "internal_name": "PSF-style-guide-case-studies",
        "uuid": uuid.UUID("b18bfddc-e6de-4d9f-977c-68c35c537de7"),
    }
    assert (by_id[2]["kind"], by_id[2]["sponsor_id"], by_id[2]["sponsorship_id"]) == ("file", 1, None)
    assert (by_id[15]["kind"], by_id[15]["file"], by_id[15]["response"]) == ("img", "", None)
    assert (by_id[3]["kind"], by_id[3]["text"]) == ("text", "")
    assert (by_id[5]["kind"], by_id[5]["response"]) == ("response", None)

    # The change feed names every row with the kinds the models declare.
    feed = dict(
        await db_conn.fetch(
            "SELECT kind, count(DISTINCT object_id) FROM changes WHERE domain = 'sponsors' GROUP BY kind"
        )
    )
    assert feed == {
        "program": 4,
        "package": 11,
        "benefit": 47,
        "current_year": 1,
        "feature_configuration": 78,
        "sponsor": 1,
        "contact": 1,
        "sponsorship": 1,
        "sponsor_benefit": 41,
        "feature": 38,
        "asset": 21,
    }
    changes = await db_conn.fetchval("SELECT count(*) FROM changes")

    again = run_import_django(settings, "--quiet", *files)
    assert again.returncode == 0, again.stderr
    assert f"wrote 0 of {total_rows} rows" in again.stdout
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes

    # --verify: counts and checksums per Django label, children's included.
    check = run_import_django(settings, "--quiet", "--verify", *files)
    assert check.returncode == 0, check.stdout + check.stderr
    for label, count in admin_counts.items():
        line = _row(check.stdout, label)
        assert line[1:4] == [str(count), str(count), "0"] and line[-1] == "ok", line
    # A changed kind-specific column is found and named under the parent and its child label.
    await db_conn.execute("UPDATE benefit_feature_configurations SET quantity = 99 WHERE id = 26")
    check = run_import_django(settings, "--quiet", "--verify", *files)
    assert check.returncode == 1
    assert _row(check.stdout, "sponsors.benefitfeatureconfiguration")[3] == "1"
    assert _row(check.stdout, "sponsors.tieredbenefitconfiguration")[-1] == "MISMATCH"
    assert _row(check.stdout, "sponsors.logoplacementconfiguration")[-1] == "ok"
    assert "differs at pk 26: quantity" in check.stdout


def _configuration() -> list[dict[str, Any]]:
    """A small hand-written year: two programs' worth of benefits, one clause, one package."""
    return [
        {"model": "sponsors.sponsorshipprogram", "pk": 1, "fields": {"order": 0, "name": "Foundation"}},
        {
            "model": "sponsors.sponsorshippackage",
            "pk": 1,
            "fields": {"name": "Visionary", "sponsorship_amount": 150000, "slug": "visionary", "year": 2024},
        },
        {
            "model": "sponsors.legalclause",
            "pk": 1,
            "fields": {
                "order": 0,
                "internal_name": "trademark",
                "clause": "Use our marks kindly.",
                "notes": "",
            },
        },
        {
            "model": "sponsors.sponsorshipbenefit",
            "pk": 10,
            "fields": {
                "name": "Logo on python.org",
                "program": 1,
                "year": 2024,
                "packages": [1],
                "legal_clauses": [1],
                "conflicts": [11],  # one direction only: the other is stored too
            },
        },
        {
            "model": "sponsors.sponsorshipbenefit",
            "pk": 11,
            "fields": {"name": "Logo on the downloads page", "program": 1, "year": 2024, "packages": []},
        },
        {
            "model": "sponsors.benefitfeatureconfiguration",
            "pk": 1,
            "fields": {"polymorphic_ctype": ["sponsors", "logoplacementconfiguration"], "benefit": 10},
        },
        {
            "model": "sponsors.logoplacementconfiguration",
            "pk": 1,
            "fields": {"publisher": "psf", "logo_place": "sidebar", "link_to_sponsors_page": True},
        },
        {
            # An id, as a dump without --natural-foreign writes it: the child row decides.
            "model": "sponsors.benefitfeatureconfiguration",
            "pk": 2,
            "fields": {"polymorphic_ctype": 41, "benefit": 11},
        },
        {"model": "sponsors.emailtargetableconfiguration", "pk": 2, "fields": {}},
        {
            "model": "sponsors.sponsor",
            "pk": 1,
            "fields": {
                "name": "ACME",
                "description": "",
                "web_logo": "sponsor_web_logos/acme.png",
                "country": "GB",
            },
        },
    ]


BROKEN: list[dict[str, Any]] = [
    # An unknown kind.
    {
        "model": "sponsors.benefitfeatureconfiguration",
        "pk": 3,
        "fields": {"polymorphic_ctype": ["sponsors", "hologramconfiguration"], "benefit": 10},
    },
    # A parent without its child, and a child without its parent.
    {
        "model": "sponsors.benefitfeatureconfiguration",
        "pk": 4,
        "fields": {"polymorphic_ctype": ["sponsors", "tieredbenefitconfiguration"], "benefit": 10},
    },
    {"model": "sponsors.tieredbenefitconfiguration", "pk": 5, "fields": {"package": 1, "quantity": 2}},
    # A parent whose content type names another child than the one found.
    {
        "model": "sponsors.benefitfeatureconfiguration",
        "pk": 6,
        "fields": {"polymorphic_ctype": ["sponsors", "logoplacementconfiguration"], "benefit": 10},
    },
    {"model": "sponsors.emailtargetableconfiguration", "pk": 6, "fields": {}},
    # Values the API refuses: a publisher python.org never had, a year out of range.
    {
        "model": "sponsors.benefitfeatureconfiguration",
        "pk": 7,
        "fields": {"polymorphic_ctype": ["sponsors", "logoplacementconfiguration"], "benefit": 10},
    },
    {
        "model": "sponsors.logoplacementconfiguration",
        "pk": 7,
        "fields": {"publisher": "pyweek", "logo_place": "docs"},
    },
    {
        "model": "sponsors.sponsorshippackage",
        "pk": 2,
        "fields": {"name": "Old", "sponsorship_amount": 1, "slug": "old", "year": 2019},
    },
    # An asset whose owner does not exist, and one held by a content type that cannot own one.
    {
        "model": "sponsors.genericasset",
        "pk": 1,
        "fields": {
            "polymorphic_ctype": ["sponsors", "textasset"],
            "uuid": "2f1c4a0e-2b7e-4f7e-9a51-0d6f3f1b5a11",
            "content_type": ["sponsors", "sponsor"],
            "object_id": 77,
            "internal_name": "bio",
        },
    },
    {"model": "sponsors.textasset", "pk": 1, "fields": {"text": "hello"}},
    {
        "model": "sponsors.genericasset",
        "pk": 2,
        "fields": {
            "polymorphic_ctype": ["sponsors", "textasset"],
            "uuid": "5b0c1f7e-8a3e-4c1d-9e0f-6a7b8c9d0e1f",
            "content_type": ["sponsors", "contract"],
            "object_id": 1,
            "internal_name": "bio",
        },
    },
    {"model": "sponsors.textasset", "pk": 2, "fields": {"text": "hello"}},
    # An owner given by content type id (a dump without --natural-foreign): not resolvable here.
    {
        "model": "sponsors.genericasset",
        "pk": 4,
        "fields": {
            "polymorphic_ctype": 52,
            "uuid": "0c6b2f8e-3d4a-4b5c-8d9e-0f1a2b3c4d5e",
            "content_type": 12,
            "object_id": 1,
            "internal_name": "bio",
        },
    },
    {"model": "sponsors.textasset", "pk": 4, "fields": {"text": "hello"}},
]


async def _run(sessionmaker: Any, objects: list[dict[str, Any]]) -> importer.Report:
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown
    return report


async def test_links_and_broken_rows(sessionmaker: Any, db_conn: Any) -> None:
    good = [
        *_configuration(),
        {
            "model": "sponsors.genericasset",
            "pk": 3,
            "fields": {
                "polymorphic_ctype": ["sponsors", "imgasset"],
                "uuid": "7d3f2a10-1111-4a2b-8c3d-123456789abc",
                "content_type": ["sponsors", "sponsor"],
                "object_id": 1,
                "internal_name": "print_logo",
            },
        },
        {"model": "sponsors.imgasset", "pk": 3, "fields": {"image": "sponsors-app-assets/7d3f2a10.png"}},
    ]
    report = await _run(sessionmaker, good + BROKEN)
    failures = {(f.label, f.pk): f.reason for f in report.failures}
    configuration = "sponsors.benefitfeatureconfiguration"
    assert failures == {
        (configuration, 3): failures[(configuration, 3)],
        (configuration, 4): failures[(configuration, 4)],
        ("sponsors.tieredbenefitconfiguration", 5): f"no {configuration} row with pk 5",
        (configuration, 6): failures[(configuration, 6)],
        (configuration, 7): failures[(configuration, 7)],
        ("sponsors.sponsorshippackage", 2): "year 2019 is outside 2022-2050",
        ("sponsors.genericasset", 1): "sponsor 77 does not exist",
        ("sponsors.genericasset", 2): failures[("sponsors.genericasset", 2)],
        ("sponsors.genericasset", 4): failures[("sponsors.genericasset", 4)],
    }
    assert "sponsors.hologramconfiguration is not a kind of" in failures[(configuration, 3)]
    assert "no sponsors.tieredbenefitconfiguration row with pk 4" in failures[(configuration, 4)]
    assert "does not match its sponsors.emailtargetableconfiguration row" in failures[(configuration, 6)]
    assert failures[(configuration, 7)] == "publisher 'pyweek' is not one of psf, pycon, pypi, core"
    assert "neither sponsors.sponsor nor sponsors.sponsorship" in failures[("sponsors.genericasset", 2)]
    assert "content_type 12 is not a natural key" in failures[("sponsors.genericasset", 4)]
    # The rest is imported.
    configurations = await db_conn.fetch(
        "SELECT id, kind, benefit_id FROM benefit_feature_configurations ORDER BY id"
    )
    assert [tuple(r) for r in configurations] == [(1, "logo_placement", 10), (2, "email_targetable", 11)]
    assert await db_conn.fetchval(
        "SELECT link_to_sponsors_page FROM benefit_feature_configurations WHERE id=1"
    )
    asset = await _one(db_conn, "SELECT * FROM sponsor_assets")
    assert (asset["id"], asset["kind"], asset["sponsor_id"], asset["sponsorship_id"], asset["file"]) == (
        3,
        "img",
        1,
        None,
        "sponsors-app-assets/7d3f2a10.png",
    )
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_packages") == 1
    # Links: packages, clauses, and the conflict in both directions.
    links = {
        table: sorted(tuple(r) for r in await db_conn.fetch(f"SELECT * FROM {table}"))
        for table in (
            "sponsorship_benefit_packages",
            "sponsorship_benefit_legal_clauses",
            "sponsorship_benefit_conflicts",
        )
    }
    assert links == {
        "sponsorship_benefit_packages": [(10, 1)],
        "sponsorship_benefit_legal_clauses": [(10, 1)],
        "sponsorship_benefit_conflicts": [(10, 11), (11, 10)],
    }

    # A second run writes nothing; dropping the conflict on one side drops both directions.
    report = await _run(sessionmaker, good)
    assert report.ok and sum(report.written.values()) == 0
    for obj in good:
        if obj["model"] == "sponsors.sponsorshipbenefit" and obj["pk"] == 10:
            obj["fields"]["conflicts"] = []
    report = await _run(sessionmaker, good)
    assert report.written["sponsors.sponsorshipbenefit"] == 2
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_benefit_conflicts") == 0


async def test_a_row_changing_kind_keeps_nothing_of_its_old_kind(sessionmaker: Any, db_conn: Any) -> None:
    objects = _configuration()
    assert (await _run(sessionmaker, objects)).ok
    # python.org deleted and re-created the configuration with the same pk as another kind.
    objects = [o for o in objects if o["model"] != "sponsors.logoplacementconfiguration"]
    for obj in objects:
        if obj["model"] == "sponsors.benefitfeatureconfiguration" and obj["pk"] == 1:
            obj["fields"]["polymorphic_ctype"] = ["sponsors", "tieredbenefitconfiguration"]
    objects.append(
        {"model": "sponsors.tieredbenefitconfiguration", "pk": 1, "fields": {"package": 1, "quantity": 3}}
    )
    report = await _run(sessionmaker, objects)
    assert report.ok, report.failures
    assert report.written["sponsors.tieredbenefitconfiguration"] == 1
    row = await _one(db_conn, "SELECT * FROM benefit_feature_configurations WHERE id = 1")
    assert (row["kind"], row["package_id"], row["quantity"]) == ("tiered_benefit", 1, 3)
    assert (row["publisher"], row["logo_place"], row["link_to_sponsors_page"]) == (None, None, False)


async def test_current_year_contract_and_templates(sessionmaker: Any, db_conn: Any) -> None:
    objects = [
        *_configuration(),
        {"model": "sponsors.sponsorshipcurrentyear", "pk": 7, "fields": {"year": 2024}},
        {
            "model": "sponsors.sponsorship",
            "pk": 1,
            "fields": {"sponsor": 1, "status": "finalized", "applied_on": "2024-01-02", "overlapped_by": 2},
        },
        {
            "model": "sponsors.sponsorship",
            "pk": 2,
            "fields": {"sponsor": 1, "status": "applied", "applied_on": "2024-06-01", "year": 2024},
        },
        {
            "model": "sponsors.sponsorship",
            "pk": 3,  # a second application in progress for the same sponsor
            "fields": {"sponsor": 1, "status": "approved", "applied_on": "2024-06-02"},
        },
        {
            "model": "sponsors.contract",
            "pk": 1,
            "fields": {
                "status": "executed",
                "revision": 2,
                "document": "sponsors/contracts/acme.pdf",
                "signed_document": "sponsors/contracts/signed/acme.pdf",
                "sponsorship": 1,
                "sponsor_info": "ACME, rockets",
                "sponsor_contact": "Wile - 555 | wile@acme.example",
                "benefits_list": "- Foundation - Logo on python.org [^1]",
                "benefits_list_markup_type": "markdown",
                "legal_clauses": "[^1]: Use our marks kindly.",
                "created_on": "2024-01-03",
                "last_update": "2024-01-04",
                "sent_on": None,
            },
        },
        {
            "model": "sponsors.sponsoremailnotificationtemplate",
            "pk": 1,
            "fields": {
                "internal_name": "welcome",
                "subject": "Welcome, {{ sponsor_name }}",
                "content": "Thanks!",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-02T00:00:00Z",
            },
        },
    ]
    report = await _run(sessionmaker, objects)
    assert [(f.label, f.pk) for f in report.failures] == [("sponsors.sponsorship", 3)]
    assert "application in progress of sponsor 1: row 2 has it already" in report.failures[0].reason
    assert await db_conn.fetchval("SELECT year FROM sponsorship_current_year WHERE id = 1") == 2024
    # The overlapping sponsorship (later in the dump) is stored first, so the reference holds.
    assert await db_conn.fetchval("SELECT overlapped_by_id FROM sponsorships WHERE id = 1") == 2
    contract = await _one(db_conn, "SELECT * FROM sponsorship_contracts WHERE id = 1")
    assert {
        k: contract[k] for k in ("status", "revision", "sponsorship_id", "document_docx", "created_on")
    } == {
        "status": "executed",
        "revision": 2,
        "sponsorship_id": 1,
        "document_docx": "",
        "created_on": date(2024, 1, 3),
    }
    assert contract["signed_document"] == "sponsors/contracts/signed/acme.pdf"
    assert contract["legal_clauses"] == "[^1]: Use our marks kindly."
    template = await _one(db_conn, "SELECT * FROM sponsor_email_templates WHERE id = 1")
    assert (template["internal_name"], template["subject"], template["created_at"].year) == (
        "welcome",
        "Welcome, {{ sponsor_name }}",
        2024,
    )
    # Only one current year: a second row is refused, whatever its pk.
    report = await _run(
        sessionmaker,
        [
            {"model": "sponsors.sponsorshipcurrentyear", "pk": 7, "fields": {"year": 2025}},
            {"model": "sponsors.sponsorshipcurrentyear", "pk": 8, "fields": {"year": 2026}},
        ],
    )
    assert [(f.label, f.pk) for f in report.failures] == [("sponsors.sponsorshipcurrentyear", 8)]
    assert await db_conn.fetchval("SELECT year FROM sponsorship_current_year") == 2025
