"""/api/v3/sponsors/ staff operations: every allowed and refused transition of the sponsorship and
contract state machines (table-driven, with python.org's refusals), the contract's texts for a
sponsorship whose benefits carry legal clauses (and a sponsor whose name is Markdown), overlaps on
execution, the locking rules, the CSV export, the signed-upload rules, the audit trail, the change
feed, the staff reads and the permission matrices of every write (named in
tests/security/test_permission_matrices.py)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from pydotorg.core.db import transaction, utcnow
from pydotorg.core.markup import render
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    AWAITING_SIGNATURE,
    DRAFT,
    EMAIL_TARGETABLE,
    EXECUTED,
    FINALIZED,
    LOGO_PLACEMENT,
    NULLIFIED,
    OUTDATED,
    REJECTED,
    REQUIRED_IMG,
    REQUIRED_TEXT,
    TIERED_BENEFIT,
    BenefitFeature,
    BenefitFeatureConfiguration,
    Contract,
    LegalClause,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_legal_clauses,
)
from pydotorg.domains.sponsors.services.transitions import MAX_SIGNED_DOCUMENT
from tests.helpers import Multipart, assert_no_more_mail, check_permission_matrix, wait_for_mail

BASE = "/api/v3/sponsors"
REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
CHANGE_SPONSORSHIP = "sponsors.change_sponsorship"
CHANGE_CONTRACT = "sponsors.change_contract"
CHANGE_ASSETS = "sponsors.change_genericasset"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SIGNED_NAME = re.compile(
    r"^sponsors/contracts/signed/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.pdf$"
)
TODAY = utcnow().date()
YEAR = 2026


def approval(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start_date": (TODAY + timedelta(days=10)).isoformat(),
        "end_date": (TODAY + timedelta(days=375)).isoformat(),
        "package_id": 1,
        "sponsorship_fee": 125000,
        "renewal": False,
    }
    return {**body, **overrides}


def signed(name: str = "signed.pdf", content: bytes = PDF, field_name: str = "signed_document") -> Multipart:
    return Multipart(files={field_name: (name, content, "application/pdf")})


def approve_existing_form(name: str = "contract.pdf", content: bytes = PDF, **overrides: Any) -> Multipart:
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in approval(**overrides).items()}
    return Multipart(files={"signed_contract": (name, content, "application/pdf")}, data=data)


# --- the data: one year's configuration and sponsorships made with the ORM -----------------------


@dataclass
class World:
    package_id: int
    other_package_id: int
    newsletter_id: int  # the e-mail targetable benefit of the year
    benefit_ids: list[int] = field(default_factory=list)


async def make_world(sessionmaker: Any) -> World:
    """The 2026 configuration: two programs, two packages, three benefits (one with two legal
    clauses, one tiered, one e-mail targetable), three clauses."""
    async with transaction(sessionmaker) as tx:
        tx.add(SponsorshipCurrentYear(id=1, year=YEAR))
        foundation = SponsorshipProgram(name="Foundation", order=1)
        pycon = SponsorshipProgram(name="PyCon US 2026", order=2)
        visionary = SponsorshipPackage(
            name="Visionary", slug="visionary", year=YEAR, sponsorship_amount=150000, order=1
        )
        supporting = SponsorshipPackage(
            name="Supporting", slug="supporting", year=YEAR, sponsorship_amount=15000, order=2
        )
        tx.add_all([foundation, pycon, visionary, supporting])
        await tx.flush()
        # Clause order decides the footnote numbers, not the order benefits name them.
        second = LegalClause(internal_name="logo use", clause="Clause **two**: logo use.", order=2)
        first = LegalClause(internal_name="publicity", clause="Clause one: publicity.", order=1)
        unused = LegalClause(internal_name="unused", clause="Never cited.", order=3)
        logo = SponsorshipBenefit(name="Logo on python.org", program_id=foundation.id, year=YEAR, order=1)
        passes = SponsorshipBenefit(
            name="PyCon passes", program_id=pycon.id, year=YEAR, order=2, internal_value=3000
        )
        newsletter = SponsorshipBenefit(name="Newsletter", program_id=foundation.id, year=YEAR, order=3)
        tx.add_all([second, first, unused, logo, passes, newsletter])
        await tx.flush()
        await tx.execute(
            benefit_legal_clauses.insert(),
            [
                {"benefit_id": logo.id, "legal_clause_id": second.id},
                {"benefit_id": logo.id, "legal_clause_id": first.id},
                {"benefit_id": passes.id, "legal_clause_id": second.id},
            ],
        )
        tx.add(BenefitFeatureConfiguration(benefit_id=newsletter.id, kind=EMAIL_TARGETABLE))
        return World(
            package_id=visionary.id,
            other_package_id=supporting.id,
            newsletter_id=newsletter.id,
            benefit_ids=[logo.id, passes.id, newsletter.id],
        )


@dataclass
class Made:
    sponsorship_id: int
    sponsor_id: int
    contract_id: int | None = None


async def make_sponsorship(
    sessionmaker: Any,
    world: World,
    *,
    sponsor_name: str = "Acme",
    sponsor_id: int | None = None,
    status: str = APPLIED,
    locked: bool | None = None,
    contract: str | None = None,
    start: date | None = None,
    end: date | None = None,
    overlapped_by_id: int | None = None,
    year: int = YEAR,
    submitted_by: int | None = None,
) -> Made:
    """A sponsorship as an application makes it (benefit copies with their features), moved to
    ``status`` (locked as python.org's save leaves it unless told), with a contract if asked."""
    async with transaction(sessionmaker) as tx:
        if sponsor_id is None:
            sponsor = Sponsor(
                name=sponsor_name,
                description="Makes things",
                landing_page_url="https://acme.example/",
                web_logo="sponsor_web_logos/acme.png",
                primary_phone="+1 555 0100",
            )
            tx.add(sponsor)
            await tx.flush()
            tx.add_all(
                [
                    SponsorContact(
                        sponsor_id=sponsor.id,
                        name="Jane_Doe",
                        email="jane@acme.example",
                        phone="+1 555-0100",
                        primary=True,
                        manager=True,
                    ),
                    SponsorContact(
                        sponsor_id=sponsor.id,
                        name="Bob Books",
                        email="bob@acme.example",
                        phone="555 0199",
                        accounting=True,
                        administrative=True,
                    ),
                ]
            )
            sponsor_id = sponsor.id
        sponsorship = Sponsorship(
            sponsor_id=sponsor_id,
            submitted_by_id=submitted_by,
            status=status,
            locked=status != APPLIED if locked is None else locked,
            year=year,
            package_id=world.package_id,
            sponsorship_fee=150000,
            start_date=start,
            end_date=end,
            approved_on=TODAY if status in (APPROVED, FINALIZED) else None,
            rejected_on=TODAY if status == REJECTED else None,
            finalized_on=TODAY if status == FINALIZED else None,
            overlapped_by_id=overlapped_by_id,
        )
        if status in (APPROVED, FINALIZED) and start is None:
            sponsorship.start_date, sponsorship.end_date = TODAY, TODAY + timedelta(days=365)
        tx.add(sponsorship)
        await tx.flush()
        names = {world.benefit_ids[0]: "Logo on python.org", world.benefit_ids[1]: "PyCon passes"}
        names[world.newsletter_id] = "Newsletter"
        programs = {world.benefit_ids[0]: "Foundation", world.benefit_ids[1]: "PyCon US 2026"}
        programs[world.newsletter_id] = "Foundation"
        copies = []
        for order, benefit_id in enumerate(world.benefit_ids, start=1):
            copy = SponsorBenefit(
                sponsorship_id=sponsorship.id,
                sponsorship_benefit_id=benefit_id,
                program_name=programs[benefit_id],
                name=names[benefit_id],
                order=order,
                benefit_internal_value=1000 * order,
            )
            tx.add(copy)
            copies.append(copy)
        await tx.flush()
        tx.add_all(
            [
                BenefitFeature(
                    sponsor_benefit_id=copies[0].id,
                    kind=LOGO_PLACEMENT,
                    publisher="psf",
                    logo_place="sponsors",
                ),
                BenefitFeature(
                    sponsor_benefit_id=copies[1].id,
                    kind=TIERED_BENEFIT,
                    package_id=world.package_id,
                    quantity=4,
                ),
                BenefitFeature(sponsor_benefit_id=copies[2].id, kind=EMAIL_TARGETABLE),
            ]
        )
        contract_id = None
        if contract is not None:
            row = Contract(status=contract, sponsorship_id=sponsorship.id, sponsor_info="Acme, Makes things")
            tx.add(row)
            await tx.flush()
            contract_id = row.id
        return Made(sponsorship.id, sponsor_id, contract_id)


def signed_files(settings: Any) -> set[str]:
    """Every stored media file, by storage name."""
    return {
        p.relative_to(settings.media_dir).as_posix() for p in settings.media_dir.rglob("*") if p.is_file()
    }


async def sponsorship_row(db_conn: Any, sponsorship_id: int) -> dict[str, Any]:
    return dict(await db_conn.fetchrow("SELECT * FROM sponsorships WHERE id=$1", sponsorship_id))


async def contract_row(
    db_conn: Any, *, sponsorship_id: int | None = None, contract_id: int | None = None
) -> Any:
    if contract_id is not None:
        return await db_conn.fetchrow("SELECT * FROM sponsorship_contracts WHERE id=$1", contract_id)
    return await db_conn.fetchrow(
        "SELECT * FROM sponsorship_contracts WHERE sponsorship_id=$1", sponsorship_id
    )


async def audit_messages(db_conn: Any) -> list[tuple[str, str, str]]:
    rows = await db_conn.fetch("SELECT action, object_kind, message FROM sponsor_audit_entries ORDER BY id")
    return [tuple(r) for r in rows]


@pytest.fixture
async def world(clean: None, sessionmaker: Any) -> World:
    return await make_world(sessionmaker)


@pytest.fixture
async def staff(actors: Any) -> Any:
    """A member of staff holding the sponsorship, contract and asset permissions."""
    return await actors.create(
        "sponsor_staff", permissions=(CHANGE_SPONSORSHIP, CHANGE_CONTRACT, CHANGE_ASSETS)
    )


# --- the sponsorship state machine ---------------------------------------------------------------

# (status, locked, contract status, action, expected status code, the refusal or the new status)
SPONSORSHIP_CASES = [
    (APPLIED, False, None, "approve", 200, APPROVED),
    (APPROVED, True, DRAFT, "approve", 409, "Can't approve a Approved sponsorship."),
    (REJECTED, True, None, "approve", 409, "Can't approve a Rejected sponsorship."),
    (FINALIZED, True, EXECUTED, "approve", 409, "Can't approve a Finalized sponsorship."),
    (APPLIED, False, None, "approve-existing", 200, FINALIZED),
    (APPROVED, True, DRAFT, "approve-existing", 409, "Can't approve a Approved sponsorship."),
    (REJECTED, True, None, "approve-existing", 409, "Can't approve a Rejected sponsorship."),
    (FINALIZED, True, EXECUTED, "approve-existing", 409, "Can't approve a Finalized sponsorship."),
    (APPLIED, False, None, "reject", 200, REJECTED),
    (APPROVED, True, DRAFT, "reject", 409, "Can't reject a Approved sponsorship."),
    (REJECTED, True, None, "reject", 409, "Can't reject a Rejected sponsorship."),
    (FINALIZED, True, EXECUTED, "reject", 409, "Can't reject a Finalized sponsorship."),
    (APPLIED, False, None, "enable-edit", 200, APPLIED),
    (APPROVED, True, DRAFT, "enable-edit", 200, APPLIED),
    (APPROVED, True, None, "enable-edit", 200, APPLIED),
    (REJECTED, True, None, "enable-edit", 200, APPLIED),
    (
        APPROVED,
        True,
        AWAITING_SIGNATURE,
        "enable-edit",
        409,
        "Can't rollback to edit a sponsorship with a Awaiting signature Contract.",
    ),
    (
        APPROVED,
        True,
        NULLIFIED,
        "enable-edit",
        409,
        "Can't rollback to edit a sponsorship with a Nullified Contract.",
    ),
    (FINALIZED, True, EXECUTED, "enable-edit", 409, "Can't rollback to edit a Finalized sponsorship."),
    (FINALIZED, False, EXECUTED, "lock", 200, FINALIZED),
    (APPROVED, False, DRAFT, "lock", 200, APPROVED),
    (FINALIZED, True, EXECUTED, "lock", 409, "The sponsorship is already locked."),
    (
        APPLIED,
        False,
        None,
        "lock",
        409,
        "Can't lock a Applied sponsorship: it is open for editing until it is reviewed.",
    ),
    (FINALIZED, True, EXECUTED, "unlock", 200, FINALIZED),
    (FINALIZED, False, EXECUTED, "unlock", 409, "The sponsorship is already unlocked."),
    (APPROVED, True, DRAFT, "unlock", 409, "Can't unlock a Approved sponsorship."),
    (REJECTED, True, None, "unlock", 409, "Can't unlock a Rejected sponsorship."),
    (APPLIED, False, None, "unlock", 409, "Can't unlock a Applied sponsorship."),
]
# What an allowed action leaves: (locked, contract status or None if it has none, audit messages).
SPONSORSHIP_RESULTS: dict[tuple[str, str | None, str], tuple[bool, str | None, list[str]]] = {
    ("approve", None, APPLIED): (True, DRAFT, ["Sponsorship Approval", "Created After Sponsorship Approval"]),
    ("approve-existing", None, APPLIED): (
        True,
        EXECUTED,
        [
            "Sponsorship Approval",
            "Created After Sponsorship Approval",
            "Existing Contract Uploaded and Executed",
        ],
    ),
    ("reject", None, APPLIED): (True, None, ["Sponsorship Rejected"]),
    ("enable-edit", None, APPLIED): (False, None, ["Sponsorship Rolled Back to Editing"]),
    ("enable-edit", DRAFT, APPROVED): (
        True,
        None,
        ["Draft Contract Deleted on Rollback to Editing", "Sponsorship Rolled Back to Editing"],
    ),
    ("enable-edit", None, APPROVED): (True, None, ["Sponsorship Rolled Back to Editing"]),
    ("enable-edit", None, REJECTED): (True, None, ["Sponsorship Rolled Back to Editing"]),
    ("lock", EXECUTED, FINALIZED): (True, EXECUTED, ["Sponsorship Locked"]),
    ("lock", DRAFT, APPROVED): (True, DRAFT, ["Sponsorship Locked"]),
    ("unlock", EXECUTED, FINALIZED): (False, EXECUTED, ["Sponsorship Unlocked"]),
}


async def _act(client: Any, staff: Any, action: str, sponsorship_id: int) -> Any:
    url = f"{BASE}/sponsorships/{sponsorship_id}/{action}"
    if action == "approve":
        return await client.post(url, headers=staff.headers, json=approval())
    if action == "approve-existing":
        form = approve_existing_form()
        return await client.post(url, headers=staff.headers, files=dict(form.files), data=dict(form.data))
    return await client.post(url, headers=staff.headers)


@pytest.mark.parametrize(("status", "locked", "contract", "action", "code", "outcome"), SPONSORSHIP_CASES)
async def test_sponsorship_transitions(
    client: Any,
    db_conn: Any,
    sessionmaker: Any,
    world: World,
    staff: Any,
    settings: Any,
    status: str,
    locked: bool,
    contract: str | None,
    action: str,
    code: int,
    outcome: str,
) -> None:
    made = await make_sponsorship(sessionmaker, world, status=status, locked=locked, contract=contract)
    before = await sponsorship_row(db_conn, made.sponsorship_id)
    files_before = signed_files(settings)
    r = await _act(client, staff, action, made.sponsorship_id)
    assert r.status_code == code, r.text
    after = await sponsorship_row(db_conn, made.sponsorship_id)
    stored_contract = await contract_row(db_conn, sponsorship_id=made.sponsorship_id)
    if code == 409:
        assert r.json()["detail"] == outcome
        assert after == before
        assert (stored_contract["status"] if stored_contract else None) == contract
        assert await audit_messages(db_conn) == []
        assert signed_files(settings) == files_before
        return
    assert after["status"] == outcome
    expected_locked, expected_contract, messages = SPONSORSHIP_RESULTS[(action, contract, status)]
    assert after["locked"] is expected_locked
    assert (stored_contract["status"] if stored_contract else None) == expected_contract
    assert [m for _, _, m in await audit_messages(db_conn)] == messages
    body = r.json()
    assert body["sponsorship"]["status"] == outcome and body["sponsorship"]["locked"] is expected_locked
    assert body["sponsorship"]["open_for_editing"] is (outcome == APPLIED or not expected_locked)
    if outcome == APPLIED:
        assert after["approved_on"] is None and after["rejected_on"] is None
    if action == "reject":
        assert after["rejected_on"] == TODAY
    if action in ("approve", "approve-existing"):
        assert after["approved_on"] == TODAY and after["package_id"] == world.package_id
        assert after["start_date"] == TODAY + timedelta(days=10) and after["sponsorship_fee"] == 125000
        assert after["level_name_old"] == "Visionary" and after["renewal"] is False
    if action == "approve-existing":
        assert after["finalized_on"] == TODAY
        assert SIGNED_NAME.match(stored_contract["signed_document"])
        assert (settings.media_dir / stored_contract["signed_document"]).read_bytes() == PDF


# --- the contract state machine ------------------------------------------------------------------

CONTRACT_CASES = [
    (DRAFT, "execute", 200, EXECUTED),
    (AWAITING_SIGNATURE, "execute", 200, EXECUTED),
    (EXECUTED, "execute", 409, "Can't execute a Executed contract."),
    (NULLIFIED, "execute", 409, "Can't execute a Nullified contract."),
    (OUTDATED, "execute", 409, "Can't execute a Outdated contract."),
    (AWAITING_SIGNATURE, "nullify", 200, NULLIFIED),
    (DRAFT, "nullify", 409, "Can't nullify a Draft contract."),
    (EXECUTED, "nullify", 409, "Can't nullify a Executed contract."),
    (NULLIFIED, "nullify", 409, "Can't nullify a Nullified contract."),
    (OUTDATED, "nullify", 409, "Can't nullify a Outdated contract."),
    (NULLIFIED, "redraft", 200, DRAFT),
    (DRAFT, "redraft", 409, "Can't return a Draft contract to draft."),
    (AWAITING_SIGNATURE, "redraft", 409, "Can't return a Awaiting signature contract to draft."),
    (EXECUTED, "redraft", 409, "Can't return a Executed contract to draft."),
    (OUTDATED, "redraft", 409, "Can't return a Outdated contract to draft."),
    (DRAFT, "edit", 200, DRAFT),
    (AWAITING_SIGNATURE, "edit", 409, "Can't edit a Awaiting signature contract."),
    (EXECUTED, "edit", 409, "Can't edit a Executed contract."),
    (NULLIFIED, "edit", 409, "Can't edit a Nullified contract."),
    (OUTDATED, "edit", 409, "Can't edit a Outdated contract."),
]
CONTRACT_AUDIT = {
    "execute": "Contract Executed",
    "nullify": "Contract Nullified",
    "redraft": "Contract Returned to Draft",
    "edit": "Changed benefits_list.",
}


@pytest.mark.parametrize(("status", "action", "code", "outcome"), CONTRACT_CASES)
async def test_contract_transitions(
    client: Any,
    db_conn: Any,
    sessionmaker: Any,
    world: World,
    staff: Any,
    settings: Any,
    status: str,
    action: str,
    code: int,
    outcome: str,
) -> None:
    sponsorship_status = FINALIZED if status == EXECUTED else APPROVED
    made = await make_sponsorship(sessionmaker, world, status=sponsorship_status, contract=status)
    assert made.contract_id is not None
    before = await contract_row(db_conn, contract_id=made.contract_id)
    sponsorship_before = await sponsorship_row(db_conn, made.sponsorship_id)
    files_before = signed_files(settings)
    url = f"{BASE}/contracts/{made.contract_id}"
    if action == "execute":
        form = signed()
        r = await client.post(f"{url}/execute", headers=staff.headers, files=dict(form.files))
    elif action == "edit":
        r = await client.patch(url, headers=staff.headers, json={"benefits_list": "- Foundation - Logo"})
    else:
        r = await client.post(f"{url}/{action}", headers=staff.headers)
    assert r.status_code == code, r.text
    after = await contract_row(db_conn, contract_id=made.contract_id)
    sponsorship_after = await sponsorship_row(db_conn, made.sponsorship_id)
    if code == 409:
        assert r.json()["detail"] == outcome
        assert dict(after) == dict(before) and sponsorship_after == sponsorship_before
        assert await audit_messages(db_conn) == []
        assert signed_files(settings) == files_before
        return
    assert after["status"] == outcome == r.json()["status"]
    assert await audit_messages(db_conn) == [
        (f"contract.{action.replace('edit', 'update')}", "contract", CONTRACT_AUDIT[action])
    ]
    # A save that leaves the contract a draft is a new revision (python.org's Contract.save).
    assert after["revision"] == before["revision"] + (1 if outcome == DRAFT else 0)
    if action == "execute":
        assert SIGNED_NAME.match(after["signed_document"])
        assert sponsorship_after["status"] == FINALIZED and sponsorship_after["locked"] is True
        assert sponsorship_after["finalized_on"] == TODAY
    else:
        assert sponsorship_after == sponsorship_before
    if action == "edit":
        assert after["benefits_list"] == "- Foundation - Logo"


async def test_contract_edits_count_revisions(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world)
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    contract = r.json()["contract"]
    assert contract["revision"] == 0 and contract["status"] == DRAFT
    url = f"{BASE}/contracts/{contract['id']}"
    for n, text in enumerate(("First, edited", "Second, edited"), start=1):
        r = await client.patch(url, headers=staff.headers, json={"sponsor_info": text})
        assert r.status_code == 200 and r.json()["revision"] == n
    # The same text again changes nothing: no new revision, no audit entry.
    r = await client.patch(url, headers=staff.headers, json={"sponsor_info": "Second, edited"})
    assert r.json()["revision"] == 2
    stored = await contract_row(db_conn, contract_id=contract["id"])
    assert (stored["sponsor_info"], stored["revision"]) == ("Second, edited", 2)
    assert [m for a, _, m in await audit_messages(db_conn) if a == "contract.update"] == [
        "Changed sponsor_info."
    ] * 2
    r = await client.patch(url, headers=staff.headers, json={"legal_clauses": "x" * 100_001})
    assert r.status_code == 400
    r = await client.patch(url, headers=staff.headers, json={"status": EXECUTED})
    assert r.status_code == 400
    assert (await contract_row(db_conn, contract_id=contract["id"]))["status"] == DRAFT


# --- the contract's texts ------------------------------------------------------------------------


async def test_contract_texts_cite_the_legal_clauses(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world, sponsor_name="Acme")
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    assert r.status_code == 200, r.text
    stored = await contract_row(db_conn, sponsorship_id=made.sponsorship_id)
    assert stored["status"] == DRAFT and stored["revision"] == 0
    assert stored["sponsor_info"] == "Acme, Makes things"
    assert stored["sponsor_contact"] == r"Jane\_Doe - \+1 555\-0100 | jane\@acme\.example"
    # Footnotes are numbered in the clauses' order (publicity before logo use), whatever order a
    # benefit names them in; a clause no benefit cites is left out; the tier shows its quantity.
    assert stored["benefits_list"] == (
        "- Foundation - Logo on python.org [^1][^2]\n- PyCon US 2026 - PyCon passes (4) [^2]\n- Foundation - Newsletter"
    )
    assert stored["legal_clauses"] == "[^1]: Clause one: publicity.\n[^2]: Clause **two**: logo use."
    assert r.json()["contract"]["benefits_list"] == stored["benefits_list"]


async def test_sponsor_values_are_markdown_escaped(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    name = "ACME [Corp](https://evil.example) *Inc* <b>x</b>"
    made = await make_sponsorship(sessionmaker, world, sponsor_name=name)
    await db_conn.execute(
        "UPDATE sponsors SET description=$1 WHERE id=$2", "Makes\n# things\n- and [^1]: more", made.sponsor_id
    )
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    assert r.status_code == 200, r.text
    info = (await contract_row(db_conn, sponsorship_id=made.sponsorship_id))["sponsor_info"]
    assert info == (
        r"ACME \[Corp\]\(https://evil\.example\) \*Inc\* \<b\>x\</b\>, Makes \# things \- and \[\^1\]: more"
    )
    html = render(info, "markdown")
    assert "<a" not in html and "<em>" not in html and "<b>" not in html and "<h1" not in html
    assert "[Corp](https://evil.example) *Inc*" in html


# --- overlaps and locking ------------------------------------------------------------------------


async def test_execution_overlaps_the_sponsors_enabled_sponsorships(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    new = await make_sponsorship(sessionmaker, world, sponsor_name="Acme")
    same = new.sponsor_id

    async def finalized(**kw: Any) -> int:
        return (
            await make_sponsorship(
                sessionmaker, world, sponsor_id=kw.pop("sponsor_id", same), status=FINALIZED, **kw
            )
        ).sponsorship_id

    running = await finalized(start=TODAY - timedelta(days=100), end=TODAY + timedelta(days=100), year=2025)
    ends_before = await finalized(start=TODAY - timedelta(days=100), end=TODAY + timedelta(days=5), year=2025)
    ended = await finalized(start=TODAY - timedelta(days=500), end=TODAY - timedelta(days=1), year=2024)
    already = await finalized(
        start=TODAY - timedelta(days=50), end=TODAY + timedelta(days=50), overlapped_by_id=ended, year=2025
    )
    other_sponsor = (
        await make_sponsorship(sessionmaker, world, sponsor_name="Other", status=FINALIZED)
    ).sponsorship_id
    r = await client.post(
        f"{BASE}/sponsorships/{new.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    contract_id = r.json()["contract"]["id"]
    r = await client.post(
        f"{BASE}/contracts/{contract_id}/execute", headers=staff.headers, files=dict(signed().files)
    )
    assert r.status_code == 200, r.text
    overlapped = {
        row["id"]: row["overlapped_by_id"]
        for row in await db_conn.fetch("SELECT id, overlapped_by_id FROM sponsorships")
    }
    assert overlapped == {
        new.sponsorship_id: None,
        running: new.sponsorship_id,  # enabled and running on the new start date
        ends_before: None,  # enabled, but over before the new one starts
        ended: None,  # not enabled (over)
        already: ended,  # not enabled (already overlapped)
        other_sponsor: None,
    }
    trail = await db_conn.fetch(
        "SELECT sponsorship_id, message FROM sponsor_audit_entries WHERE action='sponsorship.overlap'"
    )
    assert [tuple(t) for t in trail] == [(running, f"Overlapped by sponsorship {new.sponsorship_id}")]


async def test_locking_rules_through_a_sponsorships_life(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world)
    url = f"{BASE}/sponsorships/{made.sponsorship_id}"

    async def state() -> tuple[str, bool, bool]:
        row = await sponsorship_row(db_conn, made.sponsorship_id)
        read = (await client.get(url, headers=staff.headers)).json()["sponsorship"]
        assert (read["status"], read["locked"]) == (row["status"], row["locked"])
        return row["status"], row["locked"], read["open_for_editing"]

    assert await state() == (APPLIED, False, True)
    await client.post(f"{url}/approve", headers=staff.headers, json=approval())
    assert await state() == (APPROVED, True, False)
    # Rolled back, it is open for editing as an application whatever ``locked`` says (python.org).
    await client.post(f"{url}/enable-edit", headers=staff.headers)
    assert await state() == (APPLIED, True, True)
    r = await client.post(f"{url}/approve", headers=staff.headers, json=approval())
    await client.post(
        f"{BASE}/contracts/{r.json()['contract']['id']}/execute",
        headers=staff.headers,
        files=dict(signed().files),
    )
    assert await state() == (FINALIZED, True, False)
    assert (await client.post(f"{url}/unlock", headers=staff.headers)).status_code == 200
    assert await state() == (FINALIZED, False, True)
    assert (await client.post(f"{url}/lock", headers=staff.headers)).status_code == 200
    assert await state() == (FINALIZED, True, False)


async def test_staff_edits_follow_the_lock(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    applied = await make_sponsorship(sessionmaker, world)
    url = f"{BASE}/sponsorships/{applied.sponsorship_id}"
    start, end = TODAY + timedelta(days=1), TODAY + timedelta(days=30)
    body = {"start_date": start.isoformat(), "end_date": end.isoformat(), "sponsorship_fee": 99}
    r = await client.patch(url, headers=staff.headers, json={**body, "package_id": world.other_package_id})
    assert r.status_code == 200, r.text
    row = await sponsorship_row(db_conn, applied.sponsorship_id)
    assert (row["start_date"], row["end_date"], row["sponsorship_fee"]) == (start, end, 99)
    assert row["package_id"] == world.other_package_id and row["locked"] is False  # applied: never locked
    assert await audit_messages(db_conn) == [
        ("sponsorship.update", "sponsorship", "Changed start_date, end_date, package_id, sponsorship_fee.")
    ]
    # The same values again change nothing and leave no entry.
    assert (await client.patch(url, headers=staff.headers, json=body)).status_code == 200
    assert len(await audit_messages(db_conn)) == 1
    refused = [
        ({"end_date": start.isoformat()}, "end_date", "End date must be greater than start date."),
        ({"package_id": 999}, "package_id", "No sponsorship package 999."),
        ({"year": 2027}, "year", "The year of a sponsorship cannot change once set."),
        (
            {"overlapped_by_id": applied.sponsorship_id},
            "overlapped_by_id",
            "It must be another sponsorship of the same sponsor.",
        ),
    ]
    for change, name, message in refused:
        r = await client.patch(url, headers=staff.headers, json=change)
        assert r.status_code == 400 and r.json()["extra"] == {name: [message]}, r.text
    assert await sponsorship_row(db_conn, applied.sponsorship_id) == row

    # Approved, hence locked: dates, package and fee are frozen, the rest is not.
    approved = await make_sponsorship(sessionmaker, world, status=APPROVED, contract=DRAFT)
    url = f"{BASE}/sponsorships/{approved.sponsorship_id}"
    r = await client.patch(
        url, headers=staff.headers, json={"sponsorship_fee": 1, "end_date": end.isoformat()}
    )
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "Can't change end_date, sponsorship_fee of a locked Approved sponsorship; unlock it or roll it back to "
        "editing first."
    )
    older = await make_sponsorship(
        sessionmaker, world, sponsor_id=approved.sponsor_id, status=FINALIZED, year=2025
    )
    r = await client.patch(
        url, headers=staff.headers, json={"renewal": True, "overlapped_by_id": older.sponsorship_id}
    )
    assert r.status_code == 200, r.text
    row = await sponsorship_row(db_conn, approved.sponsorship_id)
    assert (row["renewal"], row["overlapped_by_id"], row["sponsorship_fee"]) == (
        True,
        older.sponsorship_id,
        150000,
    )

    # Unlocked, a finalized sponsorship takes the change, and saving it locks it again.
    finalized = await make_sponsorship(sessionmaker, world, status=FINALIZED, locked=False, contract=EXECUTED)
    r = await client.patch(
        f"{BASE}/sponsorships/{finalized.sponsorship_id}", headers=staff.headers, json={"sponsorship_fee": 5}
    )
    assert r.status_code == 200, r.text
    row = await sponsorship_row(db_conn, finalized.sponsorship_id)
    assert (row["sponsorship_fee"], row["locked"]) == (5, True)
    assert r.json()["sponsorship"]["open_for_editing"] is False


async def test_rollback_of_a_rejection_keeps_one_application_per_sponsor(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    rejected = await make_sponsorship(sessionmaker, world, status=REJECTED)
    newer = await make_sponsorship(sessionmaker, world, sponsor_id=rejected.sponsor_id)
    r = await client.post(f"{BASE}/sponsorships/{rejected.sponsorship_id}/enable-edit", headers=staff.headers)
    assert r.status_code == 409
    assert r.json()["detail"] == (
        f"The sponsor already has an application in progress (sponsorship {newer.sponsorship_id}); "
        "a sponsor has one at a time."
    )
    assert (await sponsorship_row(db_conn, rejected.sponsorship_id))["status"] == REJECTED


async def test_approval_input_is_checked(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world)
    url = f"{BASE}/sponsorships/{made.sponsorship_id}/approve"
    before = await sponsorship_row(db_conn, made.sponsorship_id)
    cases = [
        (
            approval(end_date=approval()["start_date"]),
            "end_date",
            "End date must be greater than start date.",
        ),
        (approval(package_id=999), "package_id", "No sponsorship package 999."),
    ]
    for body, name, message in cases:
        r = await client.post(url, headers=staff.headers, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["extra"] == {name: [message]}
    for missing in ("start_date", "end_date", "package_id", "sponsorship_fee", "renewal"):
        body = approval()
        del body[missing]
        r = await client.post(url, headers=staff.headers, json=body)
        assert r.status_code == 400 and missing in r.text
    r = await client.post(url, headers=staff.headers, json=approval(sponsorship_fee=-1))
    assert r.status_code == 400
    assert await sponsorship_row(db_conn, made.sponsorship_id) == before
    assert await contract_row(db_conn, sponsorship_id=made.sponsorship_id) is None
    r = await client.post(f"{BASE}/sponsorships/999/approve", headers=staff.headers, json=approval())
    assert r.status_code == 404
    # The multipart form of approve-existing is checked the same way.
    form = approve_existing_form(end_date="not a date")
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve-existing",
        headers=staff.headers,
        files=dict(form.files),
        data=dict(form.data),
    )
    assert r.status_code == 400 and "end_date" in r.json()["extra"]
    assert await sponsorship_row(db_conn, made.sponsorship_id) == before


# --- signed uploads ------------------------------------------------------------------------------


async def test_signed_upload_rules(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any, settings: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world, status=APPROVED, contract=AWAITING_SIGNATURE)
    url = f"{BASE}/contracts/{made.contract_id}/execute"
    files_before = signed_files(settings)
    refused = [
        (signed("signed.txt", b"%PDF-1.4 but a text file"), "The file must be one of: pdf."),
        (signed("signed.pdf", b"<html>not a pdf</html>"), "The file is not a PDF document."),
        (
            signed("signed.pdf", PDF + b"0" * MAX_SIGNED_DOCUMENT),
            f"The file is larger than {MAX_SIGNED_DOCUMENT} bytes.",
        ),
        (signed("signed.pdf", b""), "The file is empty."),
        (signed(field_name="document"), "Upload a file in the multipart field 'signed_document'."),
    ]
    for form, message in refused:
        r = await client.post(url, headers=staff.headers, files=dict(form.files))
        assert r.status_code == 400, r.text
        assert r.json()["extra"] == {"signed_document": [message]}
    assert (await contract_row(db_conn, contract_id=made.contract_id))["status"] == AWAITING_SIGNATURE
    assert signed_files(settings) == files_before
    # The client's file name is never used: a path in it goes nowhere.
    r = await client.post(url, headers=staff.headers, files=dict(signed("../../../etc/evil.pdf").files))
    assert r.status_code == 200, r.text
    name = (await contract_row(db_conn, contract_id=made.contract_id))["signed_document"]
    assert SIGNED_NAME.match(name) and r.json()["signed_document"] == name
    assert r.json()["signed_document_url"] == f"{settings.media_url.rstrip('/')}/{name}"
    assert signed_files(settings) - files_before == {name}
    assert not list(settings.media_dir.rglob("evil*"))
    assert (settings.media_dir / name).read_bytes() == PDF


# --- change feed ---------------------------------------------------------------------------------


async def test_transitions_reach_the_change_feed(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world)
    start = await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes")
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    contract_id = r.json()["contract"]["id"]
    await client.post(f"{BASE}/sponsorships/{made.sponsorship_id}/enable-edit", headers=staff.headers)
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1 AND kind IN ('sponsorship', 'contract') "
        "ORDER BY cursor",
        start,
    )
    assert [tuple(r) for r in rows] == [
        ("sponsors", "sponsorship", str(made.sponsorship_id), "updated"),
        ("sponsors", "contract", str(contract_id), "created"),
        ("sponsors", "contract", str(contract_id), "deleted"),
        ("sponsors", "sponsorship", str(made.sponsorship_id), "updated"),
    ]


# --- staff reads ---------------------------------------------------------------------------------


async def test_list_filters(client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any) -> None:
    applied = await make_sponsorship(sessionmaker, world, sponsor_name="Applied Co")
    rejected = await make_sponsorship(sessionmaker, world, sponsor_name="Rejected Co", status=REJECTED)
    old = await make_sponsorship(sessionmaker, world, sponsor_name="Old 100% Co", status=FINALIZED, year=2025)
    await db_conn.execute(
        "UPDATE sponsorships SET package_id=$1 WHERE id=$2", world.other_package_id, old.sponsorship_id
    )
    # Only "Applied Co" holds the e-mail targetable benefit.
    await db_conn.execute(
        "UPDATE sponsor_benefits SET sponsorship_benefit_id=NULL WHERE sponsorship_id<>$1 AND sponsorship_benefit_id=$2",
        applied.sponsorship_id,
        world.newsletter_id,
    )

    async def ids(query: str = "") -> list[int]:
        r = await client.get(f"{BASE}/sponsorships{query}", headers=staff.headers)
        assert r.status_code == 200, r.text
        return [row["id"] for row in r.json()["data"]]

    assert await ids() == [old.sponsorship_id, applied.sponsorship_id]
    assert await ids("?status=rejected") == [rejected.sponsorship_id]
    assert await ids("?status=finalized") == [old.sponsorship_id]
    assert await ids(f"?package={world.other_package_id}") == [old.sponsorship_id]
    assert await ids("?year=2026") == [applied.sponsorship_id]
    assert await ids("?q=applied") == [applied.sponsorship_id]
    assert await ids("?q=100%25") == [old.sponsorship_id]  # a literal %, not a wildcard
    assert await ids("?q=d%25C") == []
    assert await ids(f"?email_benefit={world.newsletter_id}") == [applied.sponsorship_id]
    r = await client.get(f"{BASE}/sponsorships?email_benefit={world.benefit_ids[0]}", headers=staff.headers)
    assert r.status_code == 400 and "email_benefit" in r.json()["extra"]
    r = await client.get(f"{BASE}/sponsorships?limit=1&offset=1", headers=staff.headers)
    assert r.json()["meta"] == {"total": 2, "limit": 1, "offset": 1}
    row = r.json()["data"][0]
    assert row["sponsor"] == {"id": applied.sponsor_id, "name": "Applied Co"}
    assert (row["level_name"], row["status_label"], row["open_for_editing"]) == ("Visionary", "Applied", True)
    for bad in ("?status=pending", "?year=1999", "?package=0", f"?q={'x' * 101}"):
        assert (await client.get(f"{BASE}/sponsorships{bad}", headers=staff.headers)).status_code == 400


async def test_detail_and_assets(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any, settings: Any
) -> None:
    made = await make_sponsorship(sessionmaker, world)
    async with transaction(sessionmaker) as tx:
        copy = (
            await tx.execute(
                SponsorBenefit.__table__.select()
                .where(SponsorBenefit.sponsorship_id == made.sponsorship_id)
                .order_by(SponsorBenefit.order)
            )
        ).first()
        assert copy is not None
        tx.add_all(
            [
                BenefitFeature(
                    sponsor_benefit_id=copy.id,
                    kind=REQUIRED_TEXT,
                    related_to="sponsorship",
                    internal_name="conference_blurb",
                    label="Conference blurb",
                    due_date=TODAY + timedelta(days=7),
                ),
                BenefitFeature(
                    sponsor_benefit_id=copy.id,
                    kind=REQUIRED_IMG,
                    related_to="sponsor",
                    internal_name="print_logo",
                    label="Print logo",
                ),
                SponsorAsset(
                    kind="text",
                    sponsorship_id=made.sponsorship_id,
                    internal_name="conference_blurb",
                    text="We ship.",
                ),
                SponsorAsset(kind="img", sponsor_id=made.sponsor_id, internal_name="print_logo", file=""),
            ]
        )
    r = await client.post(
        f"{BASE}/sponsorships/{made.sponsorship_id}/approve", headers=staff.headers, json=approval()
    )
    r = await client.get(f"{BASE}/sponsorships/{made.sponsorship_id}", headers=staff.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_status"] == [FINALIZED] and body["estimated_cost"] == 6000
    assert [b["name_for_display"] for b in body["benefits"]] == [
        "Logo on python.org",
        "PyCon passes (4)",
        "Newsletter",
    ]
    assert [f["kind"] for f in body["benefits"][0]["features"]] == [
        LOGO_PLACEMENT,
        REQUIRED_TEXT,
        REQUIRED_IMG,
    ]
    assert [c["name"] for c in body["contacts"]] == ["Jane_Doe", "Bob Books"]
    assert body["contract"]["status"] == DRAFT and body["contract"]["next_status"] == [
        AWAITING_SIGNATURE,
        EXECUTED,
    ]
    assert [(e["message"], e["actor_id"]) for e in body["audit"]] == [
        ("Sponsorship Approval", staff.user_id),
        ("Created After Sponsorship Approval", staff.user_id),
    ]
    r = await client.get(f"{BASE}/contracts/{body['contract']['id']}", headers=staff.headers)
    assert r.json() == body["contract"]
    r = await client.get(f"{BASE}/sponsorships/{made.sponsorship_id}/assets", headers=staff.headers)
    assert r.status_code == 200, r.text
    assets = {a["internal_name"]: a for a in r.json()["data"]}
    assert list(assets) == ["conference_blurb", "print_logo"]
    assert (assets["conference_blurb"]["has_value"], assets["conference_blurb"]["text"]) == (True, "We ship.")
    assert assets["conference_blurb"]["due_date"] == (TODAY + timedelta(days=7)).isoformat()
    assert (assets["print_logo"]["has_value"], assets["print_logo"]["file_url"]) == (False, None)
    await db_conn.execute(
        "UPDATE sponsor_assets SET file='sponsors-app-assets/x.png' WHERE internal_name='print_logo'"
    )
    r = await client.get(f"{BASE}/sponsorships/{made.sponsorship_id}/assets", headers=staff.headers)
    logo = {a["internal_name"]: a for a in r.json()["data"]}["print_logo"]
    assert (
        logo["has_value"] is True
        and logo["file_url"] == f"{settings.media_url.rstrip('/')}/sponsors-app-assets/x.png"
    )
    assert (await client.get(f"{BASE}/sponsorships/999", headers=staff.headers)).status_code == 404
    assert (await client.get(f"{BASE}/contracts/999", headers=staff.headers)).status_code == 404


# --- the CSV export ------------------------------------------------------------------------------


async def test_csv_export(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, staff: Any, settings: Any
) -> None:
    formula = '=HYPERLINK("https://evil.example","click")'
    acme = await make_sponsorship(sessionmaker, world, sponsor_name=formula, status=APPROVED)
    await make_sponsorship(sessionmaker, world, sponsor_name="Rejected Co", status=REJECTED)
    await db_conn.execute(
        "UPDATE sponsorships SET sponsorship_fee=NULL, package_id=NULL WHERE id<>$1", acme.sponsorship_id
    )
    r = await client.get(f"{BASE}/sponsorships/export.csv", headers=staff.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="sponsorships.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == [
        "Company Name",
        "Contact Name(s)",
        "Contact Email(s)",
        "Contact phone number",
        "Contact Type(s)",
        "Start Date",
        "End Date",
        "Logo",
        "Webpage link",
        "Sponsorship Level",
        "Sponsorship Cost",
        "Admin Link",
    ]
    assert len(rows) == 2  # the rejected one is left out, as in the list
    media = settings.media_url.rstrip("/")
    assert rows[1] == [
        "'" + formula,
        "Jane_Doe\nBob Books",
        "jane@acme.example\nbob@acme.example",
        "'+1 555-0100\n555 0199",
        "Primary, Manager\nAdministrative, Accounting",
        TODAY.isoformat(),
        (TODAY + timedelta(days=365)).isoformat(),
        f"{media}/sponsor_web_logos/acme.png",
        "https://acme.example/",
        "Visionary",
        "150000",
        f"https://www.python.org/api/v3/sponsors/sponsorships/{acme.sponsorship_id}",
    ]
    r = await client.get(f"{BASE}/sponsorships/export.csv?status=rejected", headers=staff.headers)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert [row[0] for row in rows[1:]] == ["Rejected Co"] and rows[1][9:11] == ["", ""]


# --- permission matrices -------------------------------------------------------------------------


async def _matrix_callers(actors: Any) -> Any:
    """Besides the usual callers: the applicant (who submitted the sponsorship and is its
    primary contact), a neighbour holding the other sponsors permission, and the holder."""
    await actors.create("applicant")
    await actors.create("contracts", permissions=(CHANGE_CONTRACT, CHANGE_ASSETS))
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP,))
    return actors


async def _sponsorship_matrix(
    client: Any,
    db_conn: Any,
    sessionmaker: Any,
    world: World,
    actors: Any,
    action: str,
    *,
    status: str,
    locked: bool | None = None,
    contract: str | None = None,
    outcome: str,
    message: str,
) -> None:
    made: dict[str, int] = {}

    async def prepare(name: str) -> tuple[str, str, Any]:
        applicant = actors["applicant"].user_id
        fresh = await make_sponsorship(
            sessionmaker, world, sponsor_name=f"Sponsor of {name}", status=status, locked=locked,
            contract=contract, submitted_by=applicant,
        )  # fmt: skip
        await db_conn.execute(
            "UPDATE sponsor_contacts SET user_id=$1 WHERE sponsor_id=$2", applicant, fresh.sponsor_id
        )
        made[name] = fresh.sponsorship_id
        url = f"{BASE}/sponsorships/{fresh.sponsorship_id}/{action}"
        if action == "approve":
            return ("POST", url, approval())
        if action == "approve-existing":
            return ("POST", url, approve_existing_form())
        return ("POST", url, None)

    async def moved(name: str, response: Any) -> None:
        row = await sponsorship_row(db_conn, made[name])
        assert row["status"] == outcome, row
        entry = await db_conn.fetchrow(
            "SELECT actor_id, message FROM sponsor_audit_entries WHERE sponsorship_id=$1 AND object_kind='sponsorship' "
            "ORDER BY id DESC LIMIT 1",
            made[name],
        )
        assert tuple(entry) == (actors[name].user_id, message)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "applicant": 403, "contracts": 403, "sponsorships": 200, "root": 200},
        prepare,
        changed=moved,
    )


async def test_sponsorship_write_matrices(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, actors: Any
) -> None:
    await _matrix_callers(actors)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("approve", {"status": APPLIED, "outcome": APPROVED, "message": "Sponsorship Approval"}),
        ("approve-existing", {"status": APPLIED, "outcome": FINALIZED, "message": "Sponsorship Approval"}),
        ("reject", {"status": APPLIED, "outcome": REJECTED, "message": "Sponsorship Rejected"}),
        (
            "enable-edit",
            {"status": REJECTED, "outcome": APPLIED, "message": "Sponsorship Rolled Back to Editing"},
        ),
        (
            "lock",
            {
                "status": FINALIZED,
                "locked": False,
                "contract": EXECUTED,
                "outcome": FINALIZED,
                "message": "Sponsorship Locked",
            },
        ),
        (
            "unlock",
            {
                "status": FINALIZED,
                "contract": EXECUTED,
                "outcome": FINALIZED,
                "message": "Sponsorship Unlocked",
            },
        ),
    ]
    for action, expected in cases:
        await _sponsorship_matrix(client, db_conn, sessionmaker, world, actors, action, **expected)


async def test_sponsorship_update_matrix(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, actors: Any
) -> None:
    await _matrix_callers(actors)
    made = await make_sponsorship(sessionmaker, world, submitted_by=actors["applicant"].user_id)

    async def change(name: str) -> tuple[str, str, Any]:
        fee = 1000 + len(name)
        return (
            "PATCH",
            f"{BASE}/sponsorships/{made.sponsorship_id}",
            {"sponsorship_fee": fee, "renewal": True},
        )

    async def changed(name: str, response: Any) -> None:
        row = await sponsorship_row(db_conn, made.sponsorship_id)
        assert (row["sponsorship_fee"], row["renewal"]) == (1000 + len(name), True)
        entry = await db_conn.fetchrow(
            "SELECT actor_id, action FROM sponsor_audit_entries WHERE sponsorship_id=$1 ORDER BY id DESC LIMIT 1",
            made.sponsorship_id,
        )
        assert tuple(entry) == (actors[name].user_id, "sponsorship.update")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "applicant": 403, "contracts": 403, "sponsorships": 200, "root": 200},
        change,
        changed=changed,
    )


async def _contract_matrix(
    client: Any,
    db_conn: Any,
    sessionmaker: Any,
    world: World,
    actors: Any,
    action: str,
    *,
    status: str,
    outcome: str,
    message: str,
) -> None:
    made: dict[str, int] = {}

    async def prepare(name: str) -> tuple[str, str, Any]:
        fresh = await make_sponsorship(
            sessionmaker, world, sponsor_name=f"Sponsor of {name}", status=APPROVED, contract=status
        )
        assert fresh.contract_id is not None
        made[name] = fresh.contract_id
        url = f"{BASE}/contracts/{fresh.contract_id}"
        if action == "edit":
            return ("PATCH", url, {"sponsor_info": f"Edited by {name}"})
        if action == "execute":
            return ("POST", f"{url}/execute", signed())
        return ("POST", f"{url}/{action}", None)

    async def moved(name: str, response: Any) -> None:
        row = await contract_row(db_conn, contract_id=made[name])
        assert row["status"] == outcome, row
        entry = await db_conn.fetchrow(
            "SELECT actor_id, message FROM sponsor_audit_entries WHERE object_kind='contract' AND object_id=$1",
            made[name],
        )
        assert tuple(entry) == (actors[name].user_id, message)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "applicant": 403, "sponsorships": 403, "contracts": 200, "root": 200},
        prepare,
        changed=moved,
    )


async def test_contract_write_matrices(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, actors: Any
) -> None:
    await _matrix_callers(actors)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("edit", {"status": DRAFT, "outcome": DRAFT, "message": "Changed sponsor_info."}),
        ("execute", {"status": AWAITING_SIGNATURE, "outcome": EXECUTED, "message": "Contract Executed"}),
        ("nullify", {"status": AWAITING_SIGNATURE, "outcome": NULLIFIED, "message": "Contract Nullified"}),
        ("redraft", {"status": NULLIFIED, "outcome": DRAFT, "message": "Contract Returned to Draft"}),
    ]
    for action, expected in cases:
        await _contract_matrix(client, db_conn, sessionmaker, world, actors, action, **expected)


async def test_staff_read_matrices(
    client: Any, db_conn: Any, sessionmaker: Any, world: World, actors: Any
) -> None:
    await _matrix_callers(actors)
    made = await make_sponsorship(
        sessionmaker, world, status=APPROVED, contract=DRAFT, submitted_by=actors["applicant"].user_id
    )
    sponsorships = {**REFUSED, "applicant": 403, "contracts": 403, "sponsorships": 200, "root": 200}
    for url in (
        f"{BASE}/sponsorships",
        f"{BASE}/sponsorships/{made.sponsorship_id}",
        f"{BASE}/sponsorships/export.csv",
    ):
        await check_permission_matrix(client, db_conn, actors.callers, sponsorships, ("GET", url, None))
    assets = {**REFUSED, "applicant": 403, "sponsorships": 403, "contracts": 200, "root": 200}
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        assets,
        ("GET", f"{BASE}/sponsorships/{made.sponsorship_id}/assets", None),
    )
    either = {**REFUSED, "applicant": 403, "sponsorships": 200, "contracts": 200, "root": 200}
    await check_permission_matrix(
        client, db_conn, actors.callers, either, ("GET", f"{BASE}/contracts/{made.contract_id}", None)
    )


async def test_a_rejection_mails_the_psf_and_the_applicant(
    client: Any, sessionmaker: Any, world: World, staff: Any, actors: Any, worker: Any, mailer: Any
) -> None:
    applicant = await actors.create("applicant")
    made = await make_sponsorship(sessionmaker, world, submitted_by=applicant.user_id)
    assert (await _act(client, staff, "reject", made.sponsorship_id)).status_code == 200
    recipients = sorted(str(m["To"]) for m in await wait_for_mail(mailer, 2))
    await assert_no_more_mail(mailer, 2)
    assert "psf-sponsors@python.org" in recipients
    assert any("applicant@example.org" in to for to in recipients)
    # A refused rejection mails nobody.
    assert (await _act(client, staff, "reject", made.sponsorship_id)).status_code == 409
    await assert_no_more_mail(mailer, 2)


async def test_a_large_signed_contract_for_a_contract_in_the_wrong_state_is_a_409(
    client: Any, sessionmaker: Any, world: World, staff: Any
) -> None:
    """A multipart upload big enough to be spooled to disk, refused after the database was read:
    the request's transaction ends at once and the answer is the refusal, not a 500."""
    made = await make_sponsorship(sessionmaker, world, status=FINALIZED, locked=True, contract=EXECUTED)
    large = PDF + b"%" + b"x" * 3_000_000 + b"\n"
    r = await client.post(
        f"{BASE}/contracts/{made.contract_id}/execute",
        headers=staff.headers,
        files={"signed_document": ("signed.pdf", large, "application/pdf")},
    )
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "Can't execute a Executed contract."
