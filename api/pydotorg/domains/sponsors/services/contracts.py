"""The statement of work (python.org's ``contracts.py`` and its "send" use case, inventory 1.16):
the sponsorship agreement rendered from ``templates/sponsorship-agreement.md`` (with its renewal
variant) to PDF and DOCX, the documents' file names, sending a draft contract and reading the
documents stored when it was sent.

python.org feeds the Markdown to pandoc and LaTeX. Here nothing outside Python is needed: the
template is written in a small Markdown subset (headings, numbered, lettered and bulleted items,
address lines, bold, underline, footnote references, backslash escapes, page breaks; see the
template's header), read by ``parse`` into blocks of styled runs, and those blocks are drawn by
fpdf2 (PDF) and python-docx (DOCX). The subset has no HTML, links, images or TeX, so no value can
become anything but text, and every value the template prints is escaped on its way out (the
Jinja environment's ``finalize``); only the contract's own Markdown (benefits, legal clauses, the
sponsor details escaped when the contract was drafted) passes through as Markdown.

The PDF uses the standard PDF fonts (Times), which print Windows-1252 text: a character outside it
(a CJK sponsor name, an emoji) is refused with a 400 naming the character and the place it came
from, as python.org refuses what LaTeX cannot print; the DOCX prints any character.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import docx
from docx.shared import Inches, Pt
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import Align
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.storage import Storage
from pydotorg.domains.sponsors.models import (
    AWAITING_SIGNATURE,
    FINALIZED,
    Contract,
    Sponsor,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.domains.sponsors.services.transitions import (
    CONTRACT_LABELS,
    CONTRACT_NEXT,
    InvalidStatus,
    get_sponsorship,
    markdown_escape,
    primary_contact,
    today,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
AGREEMENT_TEMPLATE = "sponsorship-agreement.md"

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}

# python.org's upload directories for the two documents.
PDF_DIR = "sponsors/contracts/"
DOCX_DIR = "sponsors/contracts/docx/"
# The sponsor part of a document's file name; the whole name stays well under the 400 characters
# of the columns and the 255 bytes of a file system name.
NAME_PART_MAX = 60
UNKNOWN = "UNKNOWN"  # python.org's text for a renewal whose previous agreement it cannot find

CONTRACT_SENT = "Contract Sent"  # python.org's LogEntry message

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# fmt: off
_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def number_to_words(number: int) -> str:
    """An integer in English words, US style ("one hundred twenty-five thousand", no "and");
    python.org's ``num2words`` for the fee in the agreement."""
    if number < 0:
        return f"minus {number_to_words(-number)}"
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_to_words(rest)}" if rest else "")
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            return f"{number_to_words(high)} {name}" + (f" {number_to_words(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def fee_in_words(fee: int) -> str:
    """ "One Hundred Twenty-Five Thousand" (python.org: ``verbose_sponsorship_fee|title``)."""
    return number_to_words(fee).title()


def fee_in_figures(fee: int) -> str:
    return f"${fee:,}"


def long_date(day: date) -> str:
    """python.org's ``{{ d|date:"j" }}{{ suffix }} of {{ d|date:"F Y" }}``: "1st of March 2026"."""
    suffix = "th" if day.day in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} of {MONTHS[day.month - 1]} {day.year}"


# --- file names ----------------------------------------------------------------------------------

_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


def document_name(sponsor_name: str, extension: str, token: str | None = None) -> str:
    """python.org's "SoW: <SPONSOR NAME>-<random token>.<ext>", made safe for every store and
    download: ASCII letters and digits of the name (accents dropped, anything else one "-"), at
    most 60 of them, "SPONSOR" when none is left, and 16 random hex digits, so two documents of
    one sponsor never share a name: ``SoW-ACME-CORP-3f9a0c1e5b7d2468.pdf``."""
    ascii_name = unicodedata.normalize("NFKD", sponsor_name).encode("ascii", "ignore").decode()
    stem = _NOT_NAME.sub("-", ascii_name.upper()).strip("-")[:NAME_PART_MAX].strip("-") or "SPONSOR"
    return f"SoW-{stem}-{token or secrets.token_hex(8)}.{extension}"


# --- the template --------------------------------------------------------------------------------


class Markdown(str):
    """Text the template prints as Markdown, unescaped (the contract's own Markdown)."""

    __slots__ = ()


def _finalize(value: object) -> str:
    """Every printed value stays on its line (so none can start a heading, an item or a page
    break); values that are not the contract's own Markdown are escaped as well."""
    if isinstance(value, Markdown):
        return " ".join(value.split())
    return markdown_escape("" if value is None else str(value))


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # noqa: S701 - Markdown, not HTML: finalize escapes every value for Markdown
    undefined=StrictUndefined,
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Agreement:
    """Everything the agreement prints, read from the contract, its sponsorship and sponsor."""

    renewal: bool
    sponsor_name: str
    incorporation: str
    sponsor_info: str  # Markdown (escaped when the contract was drafted)
    contact_name: str
    contact_phone: str
    contact_email: str
    address_line_1: str
    address_line_2: str
    city_line: str
    effective_date: date | None
    end_date: date | None
    previous_effective_date: date | None
    year: int | None
    level_name: str
    fee: int
    benefits: list[str]  # Markdown, one per benefit
    legal_clauses: list[tuple[str, str]]  # (footnote label, Markdown)


_BULLET = re.compile(r"^\s*[-*+]\s+")
_FOOTNOTE = re.compile(r"^\s*\[\^([^\]\s]+)\]:\s*(.*)$")


def benefit_lines(benefits_list: str) -> list[str]:
    """The contract's benefits, one per Markdown bullet line ("- <program> - <benefit> [^n]")."""
    return [_BULLET.sub("", line).strip() for line in benefits_list.splitlines() if line.strip()]


def clause_lines(legal_clauses: str) -> list[tuple[str, str]]:
    """The contract's footnotes "[^n]: <clause>" as (n, clause); a line that is no footnote
    continues the previous clause (or stands alone, unnumbered)."""
    clauses: list[tuple[str, str]] = []
    for line in legal_clauses.splitlines():
        if not line.strip():
            continue
        match = _FOOTNOTE.match(line)
        if match:
            clauses.append((match.group(1), match.group(2).strip()))
        elif clauses:
            label, text = clauses[-1]
            clauses[-1] = (label, f"{text} {line.strip()}")
        else:
            clauses.append(("", line.strip()))
    return clauses


def incorporation_of(sponsor: Sponsor) -> str:
    parts = [sponsor.state_of_incorporation or "", sponsor.country_of_incorporation or ""]
    return ", ".join(p.strip() for p in parts if p and p.strip()) or UNKNOWN


def render_markdown(agreement: Agreement) -> str:
    """The agreement as Markdown (the template's subset)."""
    context: dict[str, Any] = {
        "renewal": agreement.renewal,
        "sponsor_name": agreement.sponsor_name,
        "sponsor_name_upper": agreement.sponsor_name.upper(),
        "incorporation": agreement.incorporation,
        "sponsor_info": Markdown(agreement.sponsor_info),
        "contact_name": agreement.contact_name,
        "contact_phone": agreement.contact_phone,
        "contact_email": agreement.contact_email,
        "address_line_1": agreement.address_line_1,
        "address_line_2": agreement.address_line_2,
        "city_line": agreement.city_line,
        "effective_date": long_date(agreement.effective_date) if agreement.effective_date else UNKNOWN,
        "end_date": long_date(agreement.end_date) if agreement.end_date else UNKNOWN,
        "previous_effective_date": (
            long_date(agreement.previous_effective_date) if agreement.previous_effective_date else UNKNOWN
        ),
        "year": agreement.year if agreement.year is not None else "",
        "level_name": agreement.level_name,
        "fee_words": fee_in_words(agreement.fee),
        "fee_figures": fee_in_figures(agreement.fee),
        "benefits": [Markdown(b) for b in agreement.benefits],
        "legal_clauses": [(label, Markdown(text)) for label, text in agreement.legal_clauses],
    }
    return _ENV.get_template(AGREEMENT_TEMPLATE).render(context)


# --- the Markdown subset, read into blocks of styled runs ----------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of text in one style; "\\n" in ``text`` is a line break."""

    text: str
    bold: bool = False
    underline: bool = False
    superscript: bool = False


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "item", "quote" or "pagebreak"
    level: int = 0  # a heading's level (1-3), otherwise the indentation (0-3)
    label: str = ""  # an item's "3.", "(b)" or bullet
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


PAGE_BREAK = "\\newpage"
BULLET = "\u2022"
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_UNDERLINED = re.compile(r"\[((?:\\.|[^\]\\])*)\]\{\.underline\}")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_ORDERED = re.compile(r"^\d+\.\s+(.*)$")
_LETTERED = re.compile(r"^\([a-z]\)\s+(.*)$")
_BULLETED = re.compile(r"^[-*+]\s+(.*)$")
_QUOTED = re.compile(r"^>\s?(.*)$")
# Characters no document may hold (XML 1.0 refuses them; they print as nothing): C0 and C1
# controls but the line break, and the non-characters.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def parse_inline(text: str, *, bold: bool = False, underline: bool = False) -> list[Run]:
    """``**bold**``, ``[text]{.underline}``, ``[^n]`` (a superscript n) and backslash escapes;
    every other character is itself."""
    runs: list[Run] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            runs.append(Run(_CONTROL.sub("", "".join(buffer)), bold, underline))
            buffer.clear()

    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCTUATION:
            buffer.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if char == "[":
            ref = _FOOTNOTE_REF.match(text, i)
            if ref:
                flush()
                runs.append(Run(ref.group(1), bold, underline, superscript=True))
                i = ref.end()
                continue
            span = _UNDERLINED.match(text, i)
            if span:
                flush()
                runs.extend(parse_inline(span.group(1), bold=bold, underline=True))
                i = span.end()
                continue
        buffer.append(char)
        i += 1
    flush()
    return [run for run in runs if run.text]


@dataclass
class _Open:
    kind: str
    level: int
    label: str
    lines: list[str]


def parse(markdown: str) -> list[Block]:
    """The template's Markdown subset as blocks. Items are numbered ("1." counts up, "(a)"
    letters up) per indentation level; a heading or an unindented paragraph ends the lists."""
    blocks: list[Block] = []
    numbers = [0] * 4
    letters = [0] * 4
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            joined = ""
            for line in current.lines:
                if joined and not joined.endswith("\n"):
                    joined += " "
                joined += line
            runs = parse_inline(joined.rstrip("\n"))
            blocks.append(Block(current.kind, current.level, current.label, runs))
            current = None

    def restart(level: int) -> None:
        for deeper in range(level, 4):
            numbers[deeper] = letters[deeper] = 0

    for raw in markdown.splitlines():
        if not raw.strip():
            close()
            continue
        spaces = len(raw) - len(raw.lstrip(" "))
        level = min((spaces + 1) // 4, 3)
        line = raw.strip()
        hard_break = raw.endswith("  ")
        if line == PAGE_BREAK:
            close()
            blocks.append(Block("pagebreak"))
            continue
        heading = _HEADING.match(line) if spaces == 0 else None
        if heading:
            close()
            restart(0)
            blocks.append(Block("heading", len(heading.group(1)), runs=parse_inline(heading.group(2))))
            continue
        quoted = _QUOTED.match(line)
        if quoted:
            if current is None or current.kind != "quote" or current.level != level:
                close()
                current = _Open("quote", level, "", [])
            current.lines.append(quoted.group(1).strip() + "\n")
            continue
        ordered, lettered, bulleted = _ORDERED.match(line), _LETTERED.match(line), _BULLETED.match(line)
        if ordered or lettered or bulleted:
            close()
            restart(level + 1)
            if ordered:
                numbers[level] += 1
                label, text = f"{numbers[level]}.", ordered.group(1)
            elif lettered:
                letters[level] += 1
                label, text = f"({chr(ord('a') + (letters[level] - 1) % 26)})", lettered.group(1)
            else:
                assert bulleted is not None
                label, text = BULLET, bulleted.group(1)
            current = _Open("item", level, label, [text + ("\n" if hard_break else "")])
            continue
        if current is not None and current.kind != "quote":
            current.lines.append(line + ("\n" if hard_break else ""))
            continue
        close()
        if level == 0:
            restart(0)
        current = _Open("paragraph", level, "", [line + ("\n" if hard_break else "")])
    close()
    return blocks


# --- PDF (fpdf2) and DOCX (python-docx) ------------------------------------------------------------

PDF_FONT = "Times"
PDF_SIZE = 12
PDF_MARGIN = 31.75  # python.org's 1.25 in
PDF_INDENT = 9.0  # mm per level, and an item's label
PDF_ENCODING = "windows-1252"  # what the standard PDF fonts print
HEADING_SIZES = {1: 16, 2: 14, 3: 12}


def check_printable(blocks: Sequence[Block]) -> None:
    """A 400 naming the first character the PDF's fonts cannot print."""
    for block in blocks:
        for char in block.text:
            if char == "\n":
                continue
            try:
                char.encode(PDF_ENCODING)
            except UnicodeEncodeError:
                raise ValidationFailed(
                    {
                        "contract": [
                            f'The PDF cannot print the character "{char}" (U+{ord(char):04X}) in '
                            f'"{block.text.strip()[:80]}". Change it in the sponsor details, the '
                            "contacts or the contract text and try again."
                        ]
                    }
                ) from None


def _sections(blocks: Sequence[Block]) -> list[list[Block]]:
    """The blocks between page breaks."""
    sections: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == "pagebreak":
            sections.append([])
        else:
            sections[-1].append(block)
    return sections


def to_pdf(blocks: Sequence[Block], *, title: str = "Sponsorship Agreement") -> bytes:
    """fpdf2's text regions lay out each block as one paragraph (words wrap across the styled
    runs); items hang their label in the indentation."""
    check_printable(blocks)
    pdf = FPDF(orientation="portrait", unit="mm", format="letter")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_margins(PDF_MARGIN, 25.4, PDF_MARGIN)
    pdf.set_auto_page_break(True, margin=25.4)
    pdf.set_title(title)
    pdf.set_author("Python Software Foundation")
    pdf.set_creator("python.org")
    for section in _sections(blocks):
        pdf.add_page()
        with pdf.text_columns(text_align="LEFT", line_height=1.15) as columns:
            for block in section:
                if block.kind == "heading":
                    pdf.set_font(PDF_FONT, "B", HEADING_SIZES.get(block.level, PDF_SIZE))
                    align = Align.C if block.level < 3 else Align.L
                    with columns.paragraph(text_align=align, top_margin=2, bottom_margin=3) as heading:
                        heading.write(block.text)
                    continue
                depth = block.level + (1 if block.kind in ("item", "quote") else 0)
                pdf.set_font(PDF_FONT, "", PDF_SIZE)
                with columns.paragraph(
                    indent=depth * PDF_INDENT,
                    bullet_string=block.label if block.kind == "item" else "",
                    bullet_r_margin=PDF_INDENT - pdf.get_string_width(block.label) if block.label else None,
                    bottom_margin=2.5,
                ) as paragraph:
                    for run in block.runs:
                        style = ("B" if run.bold else "") + ("U" if run.underline else "")
                        pdf.set_font(PDF_FONT, style, PDF_SIZE)
                        pdf.char_vpos = "SUP" if run.superscript else "LINE"
                        paragraph.write(run.text)
                    pdf.char_vpos = "LINE"
    return bytes(pdf.output())


DOCX_INDENT = Inches(0.375)


def _add_runs(paragraph: Paragraph, runs: Sequence[Run]) -> None:
    for piece in runs:
        run = paragraph.add_run(piece.text)  # python-docx turns "\n" into a line break
        run.bold = piece.bold or None
        run.underline = piece.underline or None
        if piece.superscript:
            run.font.superscript = True


def to_docx(blocks: Sequence[Block], *, title: str = "Sponsorship Agreement") -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(1.25)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    document.core_properties.title = title
    document.core_properties.author = "Python Software Foundation"
    for block in blocks:
        if block.kind == "pagebreak":
            document.add_page_break()
            continue
        if block.kind == "heading":
            _add_runs(document.add_heading(level=block.level), block.runs)
            continue
        paragraph = document.add_paragraph()
        layout = paragraph.paragraph_format
        indent = DOCX_INDENT * block.level
        if block.kind == "item":
            layout.left_indent = indent + DOCX_INDENT
            layout.first_line_indent = -DOCX_INDENT
            layout.tab_stops.add_tab_stop(indent + DOCX_INDENT)
            paragraph.add_run(f"{block.label}\t")
        elif block.kind == "quote":
            layout.left_indent = indent + DOCX_INDENT
        else:
            layout.left_indent = indent
        _add_runs(paragraph, block.runs)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- reading a contract --------------------------------------------------------------------------


async def previous_effective_date(tx: AsyncSession, sponsorship: Sponsorship) -> date | None:
    """The start of the sponsor's agreement this one renews: its latest finalized sponsorship that
    started before this one. (python.org takes the second of all the sponsor's sponsorships by
    year, rejected ones and this one's place included.)"""
    if sponsorship.sponsor_id is None:
        return None
    stmt = select(Sponsorship.start_date).where(
        Sponsorship.sponsor_id == sponsorship.sponsor_id,
        Sponsorship.id != sponsorship.id,
        Sponsorship.status == FINALIZED,
        Sponsorship.start_date.is_not(None),
    )
    if sponsorship.start_date is not None:
        stmt = stmt.where(Sponsorship.start_date < sponsorship.start_date)
    return await tx.scalar(stmt.order_by(Sponsorship.start_date.desc()).limit(1))


async def agreement_of(tx: AsyncSession, contract: Contract) -> Agreement:
    if contract.sponsorship_id is None:
        raise InvalidStatus("The contract belongs to no sponsorship any more (it was deleted).")
    sponsorship = await get_sponsorship(tx, contract.sponsorship_id)
    sponsor = await tx.get(Sponsor, sponsorship.sponsor_id) if sponsorship.sponsor_id is not None else None
    if sponsor is None:
        raise InvalidStatus("The contract's sponsorship has no sponsor any more (it was deleted).")
    package_id = sponsorship.package_id
    package = await tx.get(SponsorshipPackage, package_id) if package_id is not None else None
    contact = await primary_contact(tx, sponsor.id)
    renewal = bool(sponsorship.renewal)
    place = " ".join(p for p in (sponsor.state, sponsor.postal_code, sponsor.country) if p)
    return Agreement(
        renewal=renewal,
        sponsor_name=sponsor.name,
        incorporation=incorporation_of(sponsor),
        sponsor_info=contract.sponsor_info,
        contact_name=contact.name if contact is not None else "",
        contact_phone=contact.phone if contact is not None else "",
        contact_email=contact.email if contact is not None else "",
        address_line_1=sponsor.mailing_address_line_1,
        address_line_2=sponsor.mailing_address_line_2,
        city_line=", ".join(p for p in (sponsor.city, place) if p),
        effective_date=sponsorship.start_date,
        end_date=sponsorship.end_date,
        previous_effective_date=await previous_effective_date(tx, sponsorship) if renewal else None,
        year=sponsorship.year,
        level_name=package.name if package is not None else sponsorship.level_name_old,
        fee=sponsorship.sponsorship_fee or 0,
        benefits=benefit_lines(contract.benefits_list),
        legal_clauses=clause_lines(contract.legal_clauses),
    )


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    content: bytes


def title_of(agreement: Agreement) -> str:
    return "Sponsorship Agreement Renewal" if agreement.renewal else "Sponsorship Agreement"


def render_document(agreement: Agreement, fmt: str, *, token: str | None = None) -> Document:
    """The agreement as a PDF or DOCX document (CPU work: call it in a thread)."""
    blocks = parse(render_markdown(agreement))
    title = title_of(agreement)
    content = to_pdf(blocks, title=title) if fmt == "pdf" else to_docx(blocks, title=title)
    return Document(document_name(agreement.sponsor_name, fmt, token), FORMATS[fmt], content)


async def preview(tx: AsyncSession, contract: Contract, fmt: str) -> Document:
    """The contract's document as it would be sent now; nothing is stored."""
    agreement = await agreement_of(tx, contract)
    return await asyncio.to_thread(render_document, agreement, fmt)


@dataclass(frozen=True)
class Sent:
    contract: Contract
    pdf: Document
    docx: Document


async def send(tx: AsyncSession, principal: Principal, storage: Storage, contract: Contract) -> Sent:
    """draft -> awaiting signature: both documents rendered and stored (python.org's
    directories), ``sent_on`` today (python.org never sets it), an audit entry. The files are
    stored last, after every check, and the PDF is removed again when the DOCX cannot be stored;
    a store that cannot be reached raises ``StorageUnavailable`` (503) and the caller's
    transaction, rolled back, leaves the contract in draft."""
    if AWAITING_SIGNATURE not in CONTRACT_NEXT[contract.status]:
        raise InvalidStatus(f"Can't send a {CONTRACT_LABELS[contract.status]} contract.")
    agreement = await agreement_of(tx, contract)
    token = secrets.token_hex(8)
    pdf = await asyncio.to_thread(render_document, agreement, "pdf", token=token)
    word = await asyncio.to_thread(render_document, agreement, "docx", token=token)
    pdf_name = await storage.save(PDF_DIR + pdf.filename, pdf.content)
    try:
        docx_name = await storage.save(DOCX_DIR + word.filename, word.content)
    except BaseException:
        # The store is failing already: the first error is the one to report.
        with contextlib.suppress(Exception):
            await storage.delete(pdf_name)
        raise
    sent_on = today()
    contract.status = AWAITING_SIGNATURE
    contract.document = pdf_name
    contract.document_docx = docx_name
    contract.sent_on = sent_on
    contract.last_update = sent_on
    await tx.flush()
    await audit.record(
        tx,
        principal,
        "contract.send",
        object_kind="contract",
        object_id=contract.id,
        sponsorship_id=contract.sponsorship_id,
        message=CONTRACT_SENT,
    )
    pdf = replace(pdf, filename=PurePosixPath(pdf_name).name)
    word = replace(word, filename=PurePosixPath(docx_name).name)
    return Sent(contract, pdf, word)


async def stored_document(storage: Storage, contract: Contract, fmt: str) -> Document:
    """The document stored when the contract was sent (404 before it was, or if the file is gone)."""
    name = contract.document if fmt == "pdf" else contract.document_docx
    if not name:
        raise NotFoundException(
            f"Contract {contract.id} has no stored {fmt.upper()} document: it was never sent."
        )
    try:
        content = await storage.read(name)
    except FileNotFoundError:
        raise NotFoundException(f"The stored document {name} is missing from the media storage.") from None
    return Document(PurePosixPath(name).name, FORMATS[fmt], content)


def content_disposition(filename: str, *, inline: bool) -> str:
    """The header for a document (its name is ASCII by construction)."""
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'
