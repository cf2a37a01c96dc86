"""/api/v3/sponsors/contracts/{id}/preview, /document and /send (services/contracts.py): the
statement of work opened as PDF (pypdf) and DOCX (python-docx) and searched for the sponsor, every
benefit, the fee in figures and in words and the legal clauses with their footnote references;
the renewal variant; a sponsor name made of Markdown and HTML printed literally; file names for
long and hostile names; sending (draft -> awaiting signature, both files stored and served back,
sent_on, the audit entry, the PSF's mail), a second send refused, a storage outage answered 503
with the contract left in draft; the formats; the fee in words; who may read and send."""

from __future__ import annotations

import io
import itertools
import re
import socket
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import docx
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from pydotorg.app import create_app
from pydotorg.core.availability import V3_DETAIL
from pydotorg.core.db import transaction, utcnow
from pydotorg.domains.sponsors.models import (
    APPROVED,
    AWAITING_SIGNATURE,
    DRAFT,
    EXECUTED,
    FINALIZED,
    NULLIFIED,
    OUTDATED,
    TIERED_BENEFIT,
    BenefitFeature,
    Contract,
    LegalClause,
    Sponsor,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipPackage,
    SponsorshipProgram,
    benefit_legal_clauses,
)
from pydotorg.domains.sponsors.services.contracts import (
    BULLET,
    Run,
    benefit_lines,
    clause_lines,
    document_name,
    fee_in_words,
    long_date,
    number_to_words,
    parse,
    parse_inline,
)
from pydotorg.domains.sponsors.services.transitions import markdown_escape, new_contract
from pydotorg.settings import Settings
from tests.helpers import assert_no_more_mail, check_permission_matrix, wait_for_mail

BASE = "/api/v3/sponsors/contracts"
CHANGE_CONTRACT = "sponsors.change_contract"
CHANGE_SPONSORSHIP = "sponsors.change_sponsorship"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INJECTION = "**bold** <b>x</b> [link](javascript:alert(1)) [^1] # _x_ `code` \\ & $x$"
TODAY = utcnow().date()
START = date(2026, 3, 1)
FEE = 125000
BENEFITS = (
    "Foundation - Logo on python.org",
    "PyCon US 2026 - PyCon passes (4)",
    "Foundation - Newsletter",
)
CLAUSES = ("Clause one: publicity.", "Clause two: logo use.")
_SLUGS = itertools.count(1)
NAME = re.compile(r"^SoW-[A-Z0-9]+(-[A-Z0-9]+)*-[0-9a-f]{16}\.(pdf|docx)$")


@dataclass
class Made:
    contract_id: int
    sponsorship_id: int
    sponsor_id: int


async def make_contract(
    sessionmaker: Any,
    *,
    sponsor_name: str = "Acme Widgets",
    renewal: bool = False,
    previous_start: date | None = None,
    status: str = DRAFT,
    submitted_by: int | None = None,
) -> Made:
    """An approved 2026 Visionary sponsorship of three benefits (two citing legal clauses, one
    tiered) with the draft contract approval writes (services/transitions.new_contract);
    ``previous_start`` adds the sponsor's finalized sponsorship a renewal renews."""
    async with transaction(sessionmaker) as tx:
        foundation = SponsorshipProgram(name="Foundation", order=1)
        pycon = SponsorshipProgram(name="PyCon US 2026", order=2)
        package = SponsorshipPackage(
            name="Visionary", slug=f"visionary-{next(_SLUGS)}", year=2026,
            sponsorship_amount=150000, order=1,
        )  # fmt: skip
        tx.add_all([foundation, pycon, package])
        await tx.flush()
        second = LegalClause(internal_name="logo use", clause="Clause **two**: logo use.", order=2)
        first = LegalClause(internal_name="publicity", clause="Clause one: publicity.", order=1)
        logo = SponsorshipBenefit(name="Logo on python.org", program_id=foundation.id, year=2026, order=1)
        passes = SponsorshipBenefit(name="PyCon passes", program_id=pycon.id, year=2026, order=2)
        newsletter = SponsorshipBenefit(name="Newsletter", program_id=foundation.id, year=2026, order=3)
        tx.add_all([second, first, logo, passes, newsletter])
        await tx.flush()
        await tx.execute(
            benefit_legal_clauses.insert(),
            [
                {"benefit_id": logo.id, "legal_clause_id": second.id},
                {"benefit_id": logo.id, "legal_clause_id": first.id},
                {"benefit_id": passes.id, "legal_clause_id": second.id},
            ],
        )
        sponsor = Sponsor(
            name=sponsor_name,
            description="Makes widgets",
            mailing_address_line_1="1 Main Street",
            mailing_address_line_2="Suite 9",
            city="Springfield",
            state="IL",
            postal_code="62701",
            country="US",
            state_of_incorporation="Delaware",
            country_of_incorporation="US",
        )
        tx.add(sponsor)
        await tx.flush()
        tx.add(
            SponsorContact(
                sponsor_id=sponsor.id,
                user_id=submitted_by,
                name="Jane Doe",
                email="jane@acme.example",
                phone="+1 555 0100",
                primary=True,
            )
        )
        if previous_start is not None:
            tx.add(
                Sponsorship(
                    sponsor_id=sponsor.id,
                    status=FINALIZED,
                    locked=True,
                    year=previous_start.year,
                    start_date=previous_start,
                    end_date=previous_start + timedelta(days=365),
                    finalized_on=previous_start,
                )
            )
        sponsorship = Sponsorship(
            sponsor_id=sponsor.id, submitted_by_id=submitted_by, status=APPROVED, locked=True,
            year=2026, package_id=package.id, sponsorship_fee=FEE, renewal=renewal,
            start_date=START, end_date=START + timedelta(days=365), approved_on=TODAY,
        )  # fmt: skip
        tx.add(sponsorship)
        await tx.flush()
        copies = []
        for order, (program, benefit) in enumerate(
            ((foundation, logo), (pycon, passes), (foundation, newsletter)), start=1
        ):
            copy = SponsorBenefit(
                sponsorship_id=sponsorship.id, sponsorship_benefit_id=benefit.id,
                program_name=program.name, program_id=program.id, name=benefit.name, order=order,
            )  # fmt: skip
            tx.add(copy)
            copies.append(copy)
        await tx.flush()
        tx.add(
            BenefitFeature(
                sponsor_benefit_id=copies[1].id, kind=TIERED_BENEFIT, quantity=4, package_id=package.id
            )
        )
        await tx.flush()
        contract = await new_contract(tx, sponsorship)
        contract.status = status
        await tx.flush()
        return Made(contract.id, sponsorship.id, sponsor.id)


def pdf_text(data: bytes) -> str:
    """The PDF's text with whitespace folded (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def docx_paragraphs(data: bytes) -> list[Any]:
    return list(docx.Document(io.BytesIO(data)).paragraphs)


def docx_text(data: bytes) -> str:
    return " ".join(" ".join(p.text for p in docx_paragraphs(data)).split())


def media_files(settings: Settings) -> set[str]:
    return {
        p.relative_to(settings.media_dir).as_posix() for p in settings.media_dir.rglob("*") if p.is_file()
    }


async def contract_row(db_conn: Any, contract_id: int) -> dict[str, Any]:
    return dict(await db_conn.fetchrow("SELECT * FROM sponsorship_contracts WHERE id=$1", contract_id))


@pytest.fixture
async def staff(actors: Any) -> Any:
    return await actors.create("contract_staff", permissions=(CHANGE_CONTRACT,))


def assert_agreement(text: str, sponsor_name: str) -> None:
    """What every statement of work must say, in order of appearance."""
    assert sponsor_name.upper() in text
    assert sponsor_name in text  # the notices and the recitals keep the name as typed
    assert "a Delaware, US corporation" in text
    assert "made effective as of the 1st of March 2026" in text
    assert "Sponsorship period: from the 1st of March 2026 to the 1st of March 2027." in text
    assert "2026 Visionary Sponsor of the Programs" in text
    for benefit in BENEFITS:
        assert benefit in text, benefit
    assert "One Hundred Twenty-Five Thousand USD ($125,000)" in text
    for clause in CLAUSES:
        assert clause in text, clause
    assert "**" not in text.replace(sponsor_name, "").replace(sponsor_name.upper(), "")


# --- pure functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (21, "twenty-one"),
        (99, "ninety-nine"),
        (100, "one hundred"),
        (101, "one hundred one"),
        (115, "one hundred fifteen"),
        (1000, "one thousand"),
        (1001, "one thousand one"),
        (15000, "fifteen thousand"),
        (125000, "one hundred twenty-five thousand"),
        (999999, "nine hundred ninety-nine thousand nine hundred ninety-nine"),
        (2500000, "two million five hundred thousand"),
        (1000000000, "one billion"),
        (2**31 - 1, "two billion one hundred forty-seven million four hundred eighty-three thousand "
         "six hundred forty-seven"),
    ],
)  # fmt: skip
def test_number_to_words(number: int, words: str) -> None:
    assert number_to_words(number) == words


def test_fee_in_words_is_title_case() -> None:
    assert fee_in_words(125000) == "One Hundred Twenty-Five Thousand"
    assert fee_in_words(0) == "Zero"


@pytest.mark.parametrize(
    ("day", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (30, "30th"), (31, "31st")],
)  # fmt: skip
def test_long_date(day: int, text: str) -> None:
    assert long_date(date(2026, 12, day)) == f"{text} of December 2026"


@pytest.mark.parametrize(
    ("sponsor_name", "stem"),
    [
        ("Acme Widgets", "ACME-WIDGETS"),
        ("Ünïcödé GmbH & Co. KG", "UNICODE-GMBH-CO-KG"),
        ("../../etc/passwd\x00\r\nX", "ETC-PASSWD-X"),
        ("中文", "SPONSOR"),
        ("", "SPONSOR"),
        ("x" * 100, "X" * 60),
        ("a" * 59 + "/bbbb", "A" * 59),
    ],
)
def test_document_names_are_storage_safe(sponsor_name: str, stem: str) -> None:
    for extension in ("pdf", "docx"):
        name = document_name(sponsor_name, extension)
        assert NAME.match(name), name
        assert name.startswith(f"SoW-{stem}-")
        assert "/" not in name and ".." not in name and len(name) <= 4 + 60 + 1 + 16 + 5
        assert all(32 < ord(c) < 127 for c in name)
    assert document_name("Acme", "pdf") != document_name("Acme", "pdf")  # the random token


def test_escaped_values_parse_to_their_literal_text() -> None:
    assert parse_inline(markdown_escape(INJECTION)) == [Run(INJECTION)]
    assert parse_inline("a **b** [c **d**]{.underline} e[^12]") == [
        Run("a "),
        Run("b", bold=True),
        Run(" "),
        Run("c ", underline=True),
        Run("d", bold=True, underline=True),
        Run(" e"),
        Run("12", superscript=True),
    ]
    blocks = parse(
        "# T\n\n1. one\n\n    (a) x\n\n    (a) y\n\n1. two\n\n    - [^1] c\n\n> l1\n> l2\n\n\\newpage\n"
    )
    shapes = [(b.kind, b.level, b.label, b.text) for b in blocks]
    assert shapes == [
        ("heading", 1, "", "T"),
        ("item", 0, "1.", "one"),
        ("item", 1, "(a)", "x"),
        ("item", 1, "(b)", "y"),
        ("item", 0, "2.", "two"),
        ("item", 1, BULLET, "1 c"),
        ("quote", 0, "", "l1\nl2"),
        ("pagebreak", 0, "", ""),
    ]


def test_contract_texts_split_into_benefits_and_clauses() -> None:
    """The contract's Markdown as approval writes it, and as staff may have edited it."""
    benefits = "- Foundation - Logo [^1][^2]\n\n* PyCon - Booth\n  - Nested - Kept [^2]\n"
    assert benefit_lines(benefits) == ["Foundation - Logo [^1][^2]", "PyCon - Booth", "Nested - Kept [^2]"]
    clauses = "Preamble\n[^1]: One.\n[^2]: Two,\ncontinued.\n\n[^x]: Named."
    assert clause_lines(clauses) == [
        ("", "Preamble"),
        ("1", "One."),
        ("2", "Two, continued."),
        ("x", "Named."),
    ]


# --- preview -------------------------------------------------------------------------------------


async def test_preview_pdf(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Settings, staff: Any
) -> None:
    made = await make_contract(sessionmaker)
    before = media_files(settings)
    r = await client.get(f"{BASE}/{made.contract_id}/preview", headers=staff.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    match = re.fullmatch(r'inline; filename="(.+)"', r.headers["content-disposition"])
    assert match and NAME.match(match.group(1)) and match.group(1).startswith("SoW-ACME-WIDGETS-")
    assert r.content.startswith(b"%PDF-")
    text = pdf_text(r.content)
    assert text.startswith('SPONSORSHIP AGREEMENT THIS SPONSORSHIP AGREEMENT (the "Agreement")')
    assert "RENEWAL" not in text
    assert "Recitals Incorporated" in text and "Entire Agreement" in text
    assert "WHEREAS, Sponsor is Acme Widgets, Makes widgets; and" in text
    assert "Jane Doe Acme Widgets 1 Main Street Suite 9 Springfield, IL 62701 US" in text
    assert_agreement(text, "Acme Widgets")
    # The clauses are listed with their footnote numbers.
    assert f"{BULLET} 1 Clause one: publicity. {BULLET} 2 Clause two: logo use." in text
    # Nothing is stored, nothing changes.
    row = await contract_row(db_conn, made.contract_id)
    assert (row["status"], row["document"], row["document_docx"], row["sent_on"]) == (DRAFT, "", "", None)
    assert media_files(settings) == before
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0


async def test_preview_docx(client: Any, sessionmaker: Any, staff: Any) -> None:
    made = await make_contract(sessionmaker)
    r = await client.get(f"{BASE}/{made.contract_id}/preview?format=docx", headers=staff.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX_TYPE
    match = re.fullmatch(r'attachment; filename="(.+)"', r.headers["content-disposition"])
    assert match and NAME.match(match.group(1)) and match.group(1).endswith(".docx")
    text = docx_text(r.content)
    assert_agreement(text, "Acme Widgets")
    paragraphs = docx_paragraphs(r.content)
    # Each benefit cites its clauses as superscript footnote numbers, in the clauses' order.
    cited = {}
    for paragraph in paragraphs:
        for benefit in BENEFITS:
            if paragraph.text.startswith(f"{paragraph.runs[0].text}{benefit}"):
                cited[benefit] = [run.text for run in paragraph.runs if run.font.superscript]
    assert cited == {BENEFITS[0]: ["1", "2"], BENEFITS[1]: ["2"], BENEFITS[2]: []}
    clauses = [p for p in paragraphs if any(c in p.text for c in CLAUSES)]
    assert [[r.text for r in p.runs if r.font.superscript] for p in clauses] == [["1"], ["2"]]
    # "Clause **two**" of the clause's Markdown is bold, not asterisks.
    assert [r.text for r in clauses[1].runs if r.bold] == ["two"]
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["SPONSORSHIP AGREEMENT", "RECITALS", "AGREEMENT"]
    assert "EXHIBIT A" in headings


async def test_renewal_variant(client: Any, sessionmaker: Any, staff: Any) -> None:
    made = await make_contract(sessionmaker, renewal=True, previous_start=date(2025, 2, 22))
    pdf = await client.get(f"{BASE}/{made.contract_id}/preview?format=pdf", headers=staff.headers)
    word = await client.get(f"{BASE}/{made.contract_id}/preview?format=docx", headers=staff.headers)
    assert (pdf.status_code, word.status_code) == (200, 200), (pdf.text, word.text)
    for text in (pdf_text(pdf.content), docx_text(word.content)):
        assert text.startswith("SPONSORSHIP AGREEMENT RENEWAL THIS SPONSORSHIP AGREEMENT RENEWAL")
        assert "with the effective date of the 22nd of February 2025 and a term of one year" in text
        assert "wishes to renew its support of the Programs" in text
        assert "Replacement of the Exhibit" in text and "Renewal." in text
        assert "Recitals Incorporated" not in text and "Entire Agreement" not in text
        assert "executed this Sponsorship Agreement Renewal as of the Effective Date" in text
        assert_agreement(text, "Acme Widgets")
    # A renewal whose earlier agreement is unknown says so, as python.org does.
    other = await make_contract(sessionmaker, sponsor_name="Newcomer", renewal=True)
    r = await client.get(f"{BASE}/{other.contract_id}/preview", headers=staff.headers)
    assert r.status_code == 200, r.text
    assert "with the effective date of the UNKNOWN and a term of one year" in pdf_text(r.content)


async def test_sponsor_markup_prints_literally(client: Any, sessionmaker: Any, staff: Any) -> None:
    made = await make_contract(sessionmaker, sponsor_name=INJECTION)
    pdf = await client.get(f"{BASE}/{made.contract_id}/preview", headers=staff.headers)
    word = await client.get(f"{BASE}/{made.contract_id}/preview?format=docx", headers=staff.headers)
    assert (pdf.status_code, word.status_code) == (200, 200), (pdf.text, word.text)
    for text in (pdf_text(pdf.content), docx_text(word.content)):
        assert f'and {INJECTION.upper()} ("Sponsor")' in text
        assert f"WHEREAS, Sponsor is {INJECTION}, Makes widgets; and" in text
        assert f"Jane Doe {INJECTION} 1 Main Street" in text
        assert "One Hundred Twenty-Five Thousand USD ($125,000)" in text
    # In the DOCX the name in the notices is one plain run: no bold, no link, no footnote.
    notice = next(p for p in docx_paragraphs(word.content) if p.text.startswith("Jane Doe"))
    assert [(r.text, r.bold, r.font.superscript) for r in notice.runs] == [(notice.text, None, None)]
    assert f"\n{INJECTION}\n" in notice.text
    assert "hyperlink" not in docx.Document(io.BytesIO(word.content)).element.xml
    # The file names keep letters and digits only.
    name = re.fullmatch(r'inline; filename="(.+)"', pdf.headers["content-disposition"])
    assert name and name.group(1).startswith("SoW-BOLD-B-X-B-LINK-JAVASCRIPT-ALERT-1-1-X-CODE-X-")


async def test_a_character_the_pdf_cannot_print(
    client: Any, db_conn: Any, sessionmaker: Any, staff: Any
) -> None:
    """The PDF's standard fonts print Windows-1252: anything else is a 400 naming it (python.org
    refuses what LaTeX cannot print); the DOCX prints it, and sending stores nothing."""
    made = await make_contract(sessionmaker, sponsor_name="Ünï 中文")
    r = await client.get(f"{BASE}/{made.contract_id}/preview", headers=staff.headers)
    assert r.status_code == 400, r.text
    assert 'cannot print the character "中" (U+4E2D)' in r.json()["extra"]["contract"][0]
    r = await client.get(f"{BASE}/{made.contract_id}/preview?format=docx", headers=staff.headers)
    assert r.status_code == 200 and "ÜNÏ 中文" in docx_text(r.content)
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 400, r.text
    assert (await contract_row(db_conn, made.contract_id))["status"] == DRAFT


async def test_preview_formats_and_missing_contracts(client: Any, sessionmaker: Any, staff: Any) -> None:
    made = await make_contract(sessionmaker)
    for bad in ("html", "PDF", "pdfx", "", "docx%00"):
        r = await client.get(f"{BASE}/{made.contract_id}/preview?format={bad}", headers=staff.headers)
        assert r.status_code == 400, (bad, r.text)
        assert "format" in r.text
    r = await client.get(f"{BASE}/{made.contract_id + 1000}/preview", headers=staff.headers)
    assert r.status_code == 404, r.text
    r = await client.post(f"{BASE}/{made.contract_id + 1000}/send", headers=staff.headers)
    assert r.status_code == 404, r.text


async def test_no_document_before_sending(
    client: Any, sessionmaker: Any, settings: Settings, staff: Any, worker: Any, mailer: Any
) -> None:
    made = await make_contract(sessionmaker)
    r = await client.get(f"{BASE}/{made.contract_id}/document", headers=staff.headers)
    assert r.status_code == 404, r.text
    assert r.json()["detail"] == f"Contract {made.contract_id} has no stored PDF document: it was never sent."
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 200, r.text
    docx_name = r.json()["contract"]["document_docx"]
    await wait_for_mail(mailer)  # delivered within the test, so no job outlives it
    (settings.media_dir / docx_name).unlink()
    r = await client.get(f"{BASE}/{made.contract_id}/document?format=docx", headers=staff.headers)
    assert r.status_code == 404, r.text
    assert r.json()["detail"] == f"The stored document {docx_name} is missing from the media storage."
    r = await client.get(f"{BASE}/{made.contract_id}/document?format=doc", headers=staff.headers)
    assert r.status_code == 400, r.text


async def test_read_permissions(
    client: Any, sessionmaker: Any, actors: Any, worker: Any, mailer: Any
) -> None:
    applicant = await actors.create("applicant")
    made = await make_contract(sessionmaker, submitted_by=applicant.user_id)
    sent = await make_contract(sessionmaker, sponsor_name="Sent Ltd", submitted_by=applicant.user_id)
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP,))
    await actors.create("contracts", permissions=(CHANGE_CONTRACT,))
    expected = {"anonymous": 401, "ordinary": 403, "staffer": 403, "applicant": 403, "sponsorships": 403}
    expected |= {"contracts": 200, "root": 200}
    r = await client.post(f"{BASE}/{sent.contract_id}/send", headers=actors["root"].headers)
    assert r.status_code == 200, r.text
    await wait_for_mail(mailer)
    for name, status in expected.items():
        r = await client.get(f"{BASE}/{made.contract_id}/preview", headers=actors[name].headers)
        assert r.status_code == status, (name, r.text)
        if status == 200:
            assert "ACME WIDGETS" in pdf_text(r.content)
        r = await client.get(f"{BASE}/{sent.contract_id}/document", headers=actors[name].headers)
        assert r.status_code == status, (name, r.text)
        if status == 200:
            assert "SENT LTD" in pdf_text(r.content)


# --- send ----------------------------------------------------------------------------------------


async def test_send(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Settings, staff: Any, worker: Any, mailer: Any
) -> None:
    made = await make_contract(sessionmaker)
    before = media_files(settings)
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    row = await contract_row(db_conn, made.contract_id)
    assert row["status"] == AWAITING_SIGNATURE
    assert row["sent_on"] == TODAY and row["last_update"] == TODAY  # python.org never set sent_on
    assert re.fullmatch(r"sponsors/contracts/SoW-ACME-WIDGETS-[0-9a-f]{16}\.pdf", row["document"])
    assert re.fullmatch(r"sponsors/contracts/docx/SoW-ACME-WIDGETS-[0-9a-f]{16}\.docx", row["document_docx"])
    assert media_files(settings) - before == {row["document"], row["document_docx"]}
    stored_pdf = (settings.media_dir / row["document"]).read_bytes()
    stored_docx = (settings.media_dir / row["document_docx"]).read_bytes()
    assert_agreement(pdf_text(stored_pdf), "Acme Widgets")
    assert_agreement(docx_text(stored_docx), "Acme Widgets")
    assert body["contract"]["status"] == AWAITING_SIGNATURE
    assert body["contract"]["sent_on"] == TODAY.isoformat()
    assert body["documents"] == [
        {
            "format": "pdf",
            "name": row["document"],
            "content_type": "application/pdf",
            "size": len(stored_pdf),
        },
        {"format": "docx", "name": row["document_docx"], "content_type": DOCX_TYPE, "size": len(stored_docx)},
    ]
    entries = await db_conn.fetch(
        "SELECT actor_id, action, object_kind, object_id, sponsorship_id, message FROM sponsor_audit_entries"
    )
    assert [tuple(e) for e in entries] == [
        (staff.user_id, "contract.send", "contract", made.contract_id, made.sponsorship_id, "Contract Sent")
    ]
    # The PSF receives the stored PDF (services/notifications.py), once the send is committed.
    [message] = await wait_for_mail(mailer)
    assert (message["To"], message["Subject"]) == (
        settings.sponsorship_notification_to_email,
        "Statement of work for Acme Widgets sent",
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == row["document"].rsplit("/", 1)[1]
    assert (attachment.get_content_type(), attachment.get_content()) == ("application/pdf", stored_pdf)
    # The stored documents are served to staff as they were sent.
    r = await client.get(f"{BASE}/{made.contract_id}/document", headers=staff.headers)
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, stored_pdf, "application/pdf")
    assert r.headers["content-disposition"] == f'inline; filename="{row["document"].rsplit("/", 1)[1]}"'
    r = await client.get(f"{BASE}/{made.contract_id}/document?format=docx", headers=staff.headers)
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, stored_docx, DOCX_TYPE)
    assert r.headers["content-disposition"].startswith('attachment; filename="SoW-ACME-WIDGETS-')
    # A second send is refused and changes nothing.
    files = media_files(settings)
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "Can't send a Awaiting signature contract."
    assert await contract_row(db_conn, made.contract_id) == row
    assert media_files(settings) == files
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 1
    await assert_no_more_mail(mailer, 1)


@pytest.mark.parametrize(
    ("status", "label"),
    [(EXECUTED, "Executed"), (NULLIFIED, "Nullified"), (OUTDATED, "Outdated")],
)
async def test_send_needs_a_draft(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Settings, staff: Any, status: str, label: str
) -> None:
    made = await make_contract(sessionmaker, status=status)
    before = media_files(settings)
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == f"Can't send a {label} contract."
    row = await contract_row(db_conn, made.contract_id)
    assert (row["status"], row["document"], row["sent_on"]) == (status, "", None)
    assert media_files(settings) == before


async def test_a_long_sponsor_name_gives_bounded_file_names(
    client: Any, db_conn: Any, sessionmaker: Any, staff: Any, worker: Any, mailer: Any
) -> None:
    long_name = ("Very Long Sponsor Name Incorporated " * 3)[:100]
    assert len(long_name) == 100
    made = await make_contract(sessionmaker, sponsor_name=long_name)
    r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
    assert r.status_code == 200, r.text
    row = await contract_row(db_conn, made.contract_id)
    stem = "VERY-LONG-SPONSOR-NAME-INCORPORATED-VERY-LONG-SPONSOR-NAME-I"
    assert re.fullmatch(rf"sponsors/contracts/SoW-{stem}-[0-9a-f]{{16}}\.pdf", row["document"])
    assert re.fullmatch(rf"sponsors/contracts/docx/SoW-{stem}-[0-9a-f]{{16}}\.docx", row["document_docx"])
    [message] = await wait_for_mail(mailer)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == row["document"].rsplit("/", 1)[1]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_storage_outage_is_503_and_the_contract_stays_draft(
    actors: Any, db_conn: Any, sessionmaker: Any, settings: Settings, worker: Any, mailer: Any
) -> None:
    """The object store cannot be reached (nothing listens on its port): the documents cannot be
    stored, the answer is the shared 503, and the contract is still a draft with no documents,
    no sent date and no audit entry."""
    staff = await actors.create("contract_staff", permissions=(CHANGE_CONTRACT,))
    made = await make_contract(sessionmaker)
    down = msgspec.structs.replace(
        settings,
        storage_backend="s3",
        s3_endpoint_url=f"http://127.0.0.1:{closed_port()}",
        s3_bucket="pydotorg-media",
        s3_access_key="AKIDPYDOTORGTEST",
        s3_secret_key="pydotorg/test/secret+key=0123456789abcdef",
    )
    app = create_app(down, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        r = await client.post(f"{BASE}/{made.contract_id}/send", headers=staff.headers)
        assert r.status_code == 503, r.text
        assert r.json() == {"status_code": 503, "detail": V3_DETAIL}
        # The preview stores nothing, so it still works.
        r = await client.get(f"{BASE}/{made.contract_id}/preview", headers=staff.headers)
        assert r.status_code == 200, r.text
    row = await contract_row(db_conn, made.contract_id)
    assert (row["status"], row["document"], row["document_docx"], row["sent_on"]) == (DRAFT, "", "", None)
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0
    await assert_no_more_mail(mailer, 0)  # the PSF hears of no contract


# --- the permission matrix of send (named in tests/security/test_permission_matrices.py) ----------


async def test_send_matrix(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any, worker: Any, mailer: Any
) -> None:
    """Anonymous, an ordinary user, the applicant (who submitted the sponsorship and is its
    primary contact), staff without the permission and the holder of the sponsorships permission
    are refused; the holder of the contracts permission and a superuser send."""
    applicant = await actors.create("applicant")
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP,))
    await actors.create("contracts", permissions=(CHANGE_CONTRACT,))
    made: dict[str, int] = {}

    async def prepare(name: str) -> tuple[str, str, Any]:
        fresh = await make_contract(
            sessionmaker, sponsor_name=f"Sponsor of {name}", submitted_by=applicant.user_id
        )
        made[name] = fresh.contract_id
        return ("POST", f"{BASE}/{fresh.contract_id}/send", None)

    async def sent(name: str, response: Any) -> None:
        row = await contract_row(db_conn, made[name])
        assert (row["status"], row["sent_on"]) == (AWAITING_SIGNATURE, TODAY), row
        assert row["document"] and row["document_docx"]
        entry = await db_conn.fetchrow(
            "SELECT actor_id, message FROM sponsor_audit_entries WHERE object_kind='contract' AND object_id=$1",
            made[name],
        )
        assert tuple(entry) == (actors[name].user_id, "Contract Sent")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {
            "anonymous": 401,
            "ordinary": 403,
            "applicant": 403,
            "staffer": 403,
            "sponsorships": 403,
            "contracts": 200,
            "root": 200,
        },
        prepare,
        changed=sent,
    )
    rows = await db_conn.fetch("SELECT status FROM sponsorship_contracts ORDER BY id")
    assert [r["status"] for r in rows] == [DRAFT] * 5 + [AWAITING_SIGNATURE] * 2
    await wait_for_mail(mailer, 2)  # one mail to the PSF per contract sent
    await assert_no_more_mail(mailer, 2)


async def test_contract_model_is_unchanged_by_preview(sessionmaker: Any, client: Any, staff: Any) -> None:
    """A preview renders the stored texts as they are: an edited draft shows the edit."""
    made = await make_contract(sessionmaker)
    async with transaction(sessionmaker) as tx:
        contract = await tx.get(Contract, made.contract_id)
        assert contract is not None
        contract.benefits_list += "\n- Foundation - A benefit added by staff [^1]"
    r = await client.get(f"{BASE}/{made.contract_id}/preview", headers=staff.headers)
    assert r.status_code == 200, r.text
    assert "Foundation - A benefit added by staff 1" in pdf_text(r.content)
