"""/api/v3/sponsors/ mail: the staff's e-mail templates (CRUD, syntax errors naming the line,
previews, the audit trail), sending notifications (the preview lists exactly who receives what and
the sending sends that; only sponsorships holding an e-mail targetable benefit receive, appendix
B.12; one audit entry per sponsorship with python.org's text), each automatic notification's
recipients, subject and attachment, and the asset-deadline reminder job on a fixed clock. The
permission matrices of every write are named in tests/security/test_permission_matrices.py.

Rows are made with the ORM; mail is read from the memory outbox the worker delivers to."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from pydotorg.core.db import transaction, utcnow
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    EMAIL_TARGETABLE,
    REJECTED,
    REQUIRED_IMG,
    REQUIRED_RESPONSE,
    REQUIRED_TEXT,
    TIERED_BENEFIT,
    BenefitFeature,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    SponsorContact,
    Sponsorship,
    SponsorshipPackage,
    SponsorshipProgram,
)
from pydotorg.domains.sponsors.services import notifications as svc
from pydotorg.domains.users.models import EmailAddress, User
from tests.helpers import assert_no_more_mail, check_permission_matrix, wait_for_mail

BASE = "/api/v3/sponsors"
SEND_NOTIFICATIONS = "sponsors.change_sponsoremailnotificationtemplate"
CHANGE_SPONSORSHIP = "sponsors.change_sponsorship"
YEAR = 2026
PSF = "psf-sponsors@python.org"
FROM = "sponsors@python.org"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MATRIX = {
    "anonymous": 401,
    "ordinary": 403,
    "staffer": 403,
    "sponsorships": 403,  # holds the neighbouring sponsors permission
}


@dataclass
class Contact:
    name: str
    email: str
    types: tuple[str, ...]


DEFAULT_CONTACTS = (
    Contact("Jane Doe", "jane@acme.example", ("primary", "manager")),
    Contact("Bob Books", "bob@acme.example", ("accounting", "administrative")),
)


async def make_sponsorship(
    sessionmaker: Any,
    *,
    name: str = "Acme",
    contacts: tuple[Contact, ...] = DEFAULT_CONTACTS,
    targetable: bool = True,
    status: str = APPLIED,
    submitted_by: int | None = None,
    customised: bool = False,
    assets: tuple[tuple[str, str, date | None], ...] = (),
) -> int:
    """A sponsorship of package Visionary with two benefit copies: "Logo" (tiered, and e-mail
    targetable if asked) and "Assets" carrying ``assets`` as required-asset features
    ``(kind, internal_name, due_date)`` held by the sponsorship."""
    async with transaction(sessionmaker) as tx:
        program = SponsorshipProgram(name="Foundation", order=1)
        package = SponsorshipPackage(
            name="Visionary", slug=f"visionary-{name.lower()[:40]}", year=YEAR, sponsorship_amount=150000
        )
        sponsor = Sponsor(
            name=name,
            description="Makes things",
            landing_page_url="https://acme.example/",
            web_logo="sponsor_web_logos/acme.png",
            primary_phone="+1 555 0100",
            city="Oslo",
            country="NO",
        )
        tx.add_all([program, package, sponsor])
        await tx.flush()
        tx.add_all(
            SponsorContact(sponsor_id=sponsor.id, name=c.name, email=c.email, **{t: True for t in c.types})
            for c in contacts
        )
        sponsorship = Sponsorship(
            sponsor_id=sponsor.id,
            submitted_by_id=submitted_by,
            status=status,
            year=YEAR,
            package_id=package.id,
            sponsorship_fee=150000,
            for_modified_package=customised,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            rejected_on=date(2026, 2, 1) if status == REJECTED else None,
        )
        tx.add(sponsorship)
        await tx.flush()
        logo = SponsorBenefit(sponsorship_id=sponsorship.id, name="Logo", program_name="Foundation", order=1)
        extra = SponsorBenefit(sponsorship_id=sponsorship.id, name="Assets", program_name="PyCon", order=2)
        tx.add_all([logo, extra])
        await tx.flush()
        tx.add(
            BenefitFeature(sponsor_benefit_id=logo.id, kind=TIERED_BENEFIT, package_id=package.id, quantity=3)
        )
        if targetable:
            tx.add(BenefitFeature(sponsor_benefit_id=logo.id, kind=EMAIL_TARGETABLE))
        for kind, internal_name, due in assets:
            tx.add(
                BenefitFeature(
                    sponsor_benefit_id=extra.id,
                    kind=kind,
                    related_to="sponsorship",
                    internal_name=internal_name,
                    label=f"Label of {internal_name}",
                    due_date=due,
                )
            )
        return sponsorship.id


async def fill_asset(sessionmaker: Any, sponsorship_id: int, internal_name: str, **value: Any) -> None:
    async with transaction(sessionmaker) as tx:
        tx.add(SponsorAsset(sponsorship_id=sponsorship_id, internal_name=internal_name, **value))


async def notifier(actors: Any) -> Any:
    await actors.create("sponsorships", permissions=(CHANGE_SPONSORSHIP,))
    return await actors.create("notifier", permissions=(SEND_NOTIFICATIONS,))


async def audit_rows(db_conn: Any, action: str) -> list[tuple[Any, ...]]:
    rows = await db_conn.fetch(
        "SELECT actor_id, object_kind, object_id, sponsorship_id, message FROM sponsor_audit_entries "
        "WHERE action=$1 ORDER BY id",
        action,
    )
    return [tuple(r) for r in rows]


def psf_first(messages: list[Any]) -> list[Any]:
    """The worker delivers concurrently: order two messages as (to the PSF, to the applicant)."""
    return sorted(messages, key=lambda m: m["To"] != PSF)


def body(message: Any, subtype: str = "plain") -> str:
    return str(message.get_body((subtype,)).get_content())


# --- e-mail templates ----------------------------------------------------------------------------


async def test_template_crud_validation_and_audit(client: Any, db_conn: Any, actors: Any) -> None:
    staff = await notifier(actors)
    broken = await client.post(
        f"{BASE}/email-templates",
        json={"internal_name": "t", "subject": "Hi", "content": "one\ntwo\n{% if x }\n{% endif %}"},
        headers=staff.headers,
    )
    assert broken.status_code == 400, broken.text
    assert broken.json()["extra"] == {"content": ["line 3: unexpected '}'"]}
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_email_templates") == 0

    created = await client.post(
        f"{BASE}/email-templates",
        json={
            "internal_name": "welcome",
            "subject": "Welcome {{ sponsor_name }}",
            "content": "Dear {{ sponsor_name }}",
        },
        headers=staff.headers,
    )
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    row = await db_conn.fetchrow("SELECT internal_name, subject, content FROM sponsor_email_templates")
    assert tuple(row) == ("welcome", "Welcome {{ sponsor_name }}", "Dear {{ sponsor_name }}")

    bad_subject = await client.patch(
        f"{BASE}/email-templates/{template_id}", json={"subject": "{{ sponsor_name"}, headers=staff.headers
    )
    assert bad_subject.status_code == 400
    assert list(bad_subject.json()["extra"]) == ["subject"]
    assert bad_subject.json()["extra"]["subject"][0].startswith("line 1: ")
    changed = await client.patch(
        f"{BASE}/email-templates/{template_id}",
        json={"content": "Hello {{ sponsor_name }}!"},
        headers=staff.headers,
    )
    assert changed.status_code == 200 and changed.json()["content"] == "Hello {{ sponsor_name }}!"
    assert (
        await db_conn.fetchval("SELECT content FROM sponsor_email_templates") == "Hello {{ sponsor_name }}!"
    )

    listed = await client.get(f"{BASE}/email-templates", headers=staff.headers)
    assert [t["internal_name"] for t in listed.json()["data"]] == ["welcome"]
    assert listed.json()["meta"]["total"] == 1
    assert (await client.get(f"{BASE}/email-templates/{template_id}", headers=staff.headers)).json()[
        "subject"
    ] == ("Welcome {{ sponsor_name }}")
    assert (await client.get(f"{BASE}/email-templates", headers=actors["staffer"].headers)).status_code == 403

    assert (
        await client.delete(f"{BASE}/email-templates/{template_id}", headers=staff.headers)
    ).status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_email_templates") == 0
    assert (
        await client.get(f"{BASE}/email-templates/{template_id}", headers=staff.headers)
    ).status_code == 404
    entries = [
        (r[0], r[1], r[2], r[4])
        for action in ("email_template.create", "email_template.update", "email_template.delete")
        for r in await audit_rows(db_conn, action)
    ]
    assert entries == [
        (staff.user_id, "email_template", template_id, "E-mail template 'welcome' created"),
        (staff.user_id, "email_template", template_id, "E-mail template 'welcome' changed: content"),
        (staff.user_id, "email_template", template_id, "E-mail template 'welcome' deleted"),
    ]


async def test_template_previews_escape_and_refuse(client: Any, db_conn: Any, actors: Any) -> None:
    staff = await notifier(actors)
    template_id = await db_conn.fetchval(
        "INSERT INTO sponsor_email_templates (internal_name, subject, content, created_at, updated_at) "
        "VALUES ('t', 'Hi {{ sponsor_name }}!', $1, now(), now()) RETURNING id",
        "Dear {{ sponsor_name }},\n<b>{{ '<i>' }}</b> & more",
    )
    stored = await client.post(f"{BASE}/email-templates/{template_id}/preview", headers=staff.headers)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {
        "subject": "Hi !",
        "content_html": "Dear ,\n<b>&lt;i&gt;</b> & more",
        "content_text": "Dear ,\n<b><i></b> & more",
    }
    draft = await client.post(
        f"{BASE}/email-templates/preview", json={"content": "{{ '<script>' }}"}, headers=staff.headers
    )
    assert draft.json() == {"subject": None, "content_html": "&lt;script&gt;", "content_text": "<script>"}
    for content, line in (
        ("ok\n{{ ''.__class__ }}", "line 2: access to attribute '__class__'"),
        ("{% include 'secret.txt' %}", "line 1: {% include %} is not allowed"),
        ("a\nb\n{% if x }", "line 3: unexpected '}'"),
    ):
        refused = await client.post(
            f"{BASE}/email-templates/preview", json={"content": content}, headers=staff.headers
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["extra"]["content"][0].startswith(line)
    missing = await client.post(f"{BASE}/email-templates/999/preview", headers=staff.headers)
    assert missing.status_code == 404


async def test_email_template_matrices(client: Any, db_conn: Any, actors: Any) -> None:
    await notifier(actors)
    expected = {**MATRIX, "notifier": 201, "root": 201}

    async def created(name: str, response: Any) -> None:
        stored = await db_conn.fetchval(
            "SELECT internal_name FROM sponsor_email_templates WHERE id=$1", response.json()["id"]
        )
        assert stored == f"by {name}"

    async def create(name: str) -> tuple[str, str, Any]:
        return (
            "POST",
            f"{BASE}/email-templates",
            {"internal_name": f"by {name}", "subject": "S", "content": "C"},
        )

    await check_permission_matrix(client, db_conn, actors.callers, expected, create, changed=created)

    template_id = await db_conn.fetchval(
        "INSERT INTO sponsor_email_templates (internal_name, subject, content, created_at, updated_at) "
        "VALUES ('t', 'S', 'C', now(), now()) RETURNING id"
    )

    async def update(name: str) -> tuple[str, str, Any]:
        return ("PATCH", f"{BASE}/email-templates/{template_id}", {"content": f"for {name}"})

    async def updated(name: str, response: Any) -> None:
        assert await db_conn.fetchval(
            "SELECT content FROM sponsor_email_templates WHERE id=$1", template_id
        ) == (f"for {name}")

    await check_permission_matrix(
        client, db_conn, actors.callers, {**expected, "notifier": 200, "root": 200}, update, changed=updated
    )

    async def previewed(name: str, response: Any) -> None:
        assert response.json()["content_text"].startswith("for ")

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**expected, "notifier": 200, "root": 200},
        ("POST", f"{BASE}/email-templates/{template_id}/preview", None),
        changed=previewed,
    )

    async def draft_previewed(name: str, response: Any) -> None:
        assert response.json()["content_html"] == "&lt;b&gt;"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**expected, "notifier": 200, "root": 200},
        ("POST", f"{BASE}/email-templates/preview", {"content": "{{ '<b>' }}"}),
        changed=draft_previewed,
    )

    async def target(name: str) -> tuple[str, str, Any]:
        made = await db_conn.fetchval(
            "INSERT INTO sponsor_email_templates (internal_name, subject, content, created_at, updated_at) "
            "VALUES ($1, 'S', 'C', now(), now()) RETURNING id",
            name,
        )
        return ("DELETE", f"{BASE}/email-templates/{made}", None)

    async def deleted(name: str, response: Any) -> None:
        assert (
            await db_conn.fetchval(
                "SELECT count(*) FROM sponsor_email_templates WHERE internal_name=$1", name
            )
            == 0
        )

    await check_permission_matrix(
        client, db_conn, actors.callers, {**expected, "notifier": 204, "root": 204}, target, changed=deleted
    )


# --- sending notifications -----------------------------------------------------------------------


async def three_sponsorships(sessionmaker: Any) -> tuple[int, int, int]:
    """Targetable with contacts; without the e-mail targetable benefit; targetable but without
    a contact of the types chosen in these tests (primary, administrative)."""
    reached = await make_sponsorship(sessionmaker, name="Smith & <Co>")
    untargetable = await make_sponsorship(sessionmaker, name="Quiet Ltd", targetable=False)
    no_contacts = await make_sponsorship(
        sessionmaker, name="Books Inc", contacts=(Contact("Ann", "ann@books.example", ("accounting",)),)
    )
    return reached, untargetable, no_contacts


async def test_preview_lists_exactly_what_send_sends(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any, worker: Any, mailer: Any
) -> None:
    staff = await notifier(actors)
    reached, untargetable, no_contacts = await three_sponsorships(sessionmaker)
    template_id = await db_conn.fetchval(
        "INSERT INTO sponsor_email_templates (internal_name, subject, content, created_at, updated_at) "
        "VALUES ('Assets reminder', $1, $2, now(), now()) RETURNING id",
        "{{ sponsor_name }}: your {{ sponsorship_level }} benefits",
        "Dear {{ sponsor_name }},\n{{ sponsorship_start_date }} to {{ sponsorship_end_date }} ({{ sponsorship_status }})",
    )
    request = {
        "sponsorship_ids": [no_contacts, untargetable, reached, reached],
        "contact_types": ["administrative", "primary"],
        "template_id": template_id,
    }
    preview = await client.post(f"{BASE}/notifications/preview", json=request, headers=staff.headers)
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["notification"] == "Assets reminder"
    assert plan["contact_types"] == ["primary", "administrative"]
    assert plan["sent"] == 0
    assert plan["recipients"] == [
        {
            "sponsorship_id": reached,
            "sponsor_name": "Smith & <Co>",
            "to": ["jane@acme.example", "bob@acme.example"],
            "subject": "Smith & <Co>: your Visionary benefits",
            "content_html": "Dear Smith &amp; &lt;Co&gt;,\nJanuary 1, 2026 to December 31, 2026 (applied)",
        }
    ]
    assert plan["skipped"] == [
        {"sponsorship_id": untargetable, "sponsor_name": "Quiet Ltd", "reason": svc.NOT_TARGETABLE},
        {"sponsorship_id": no_contacts, "sponsor_name": "Books Inc", "reason": svc.NO_CONTACTS},
    ]
    assert mailer.outbox == [] and await audit_rows(db_conn, "sponsorship.notify") == []

    sent = await client.post(f"{BASE}/notifications/send", json=request, headers=staff.headers)
    assert sent.status_code == 200, sent.text
    assert sent.json() == {**plan, "sent": 1}
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    delivered = [(m["To"], m["Subject"], m["From"]) for m in mailer.outbox]
    previewed = [(", ".join(r["to"]), r["subject"], FROM) for r in plan["recipients"]]
    assert delivered == previewed
    assert body(message).strip() == "Dear Smith & <Co>,\nJanuary 1, 2026 to December 31, 2026 (applied)"
    assert "Dear Smith &amp; &lt;Co&gt;," in body(message, "html")
    assert await audit_rows(db_conn, "sponsorship.notify") == [
        (
            staff.user_id,
            "sponsorship",
            reached,
            reached,
            "Notification 'Assets reminder' was sent to contacts: primary, administrative",
        )
    ]


async def test_ad_hoc_notification_and_refusals(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any, worker: Any, mailer: Any
) -> None:
    staff = await notifier(actors)
    reached, untargetable, _ = await three_sponsorships(sessionmaker)
    ids = [reached, untargetable]

    async def refused(payload: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(f"{BASE}/notifications/send", json=payload, headers=staff.headers)
        assert response.status_code == 400, response.text
        return dict(response.json()["extra"])

    base = {"sponsorship_ids": ids, "contact_types": ["accounting"]}
    assert set(await refused(base)) == {"subject", "content"}
    assert list(await refused({**base, "template_id": 1, "subject": "S", "content": "C"})) == ["template_id"]
    assert await refused({**base, "template_id": 999}) == {"template_id": ["No e-mail template with id 999."]}
    assert await refused({**base, "sponsorship_ids": [reached, 999], "subject": "S", "content": "C"}) == {
        "sponsorship_ids": ["No sponsorship with id 999."]
    }
    syntax = await refused({**base, "subject": "S", "content": "a\n{{ sponsor_name.upper() }}"})
    assert syntax["content"][0].startswith("line 2: access to attribute 'upper'")
    wrong_type = await client.post(
        f"{BASE}/notifications/preview",
        json={**base, "contact_types": ["ceo"], "subject": "S", "content": "C"},
        headers=staff.headers,
    )
    assert wrong_type.status_code == 400
    assert await audit_rows(db_conn, "sponsorship.notify") == []

    sent = await client.post(
        f"{BASE}/notifications/send",
        json={**base, "subject": "Invoice for {{ sponsor_name }}", "content": "Hello {{ sponsor_name }}"},
        headers=staff.headers,
    )
    assert sent.status_code == 200, sent.text
    assert [r["sponsorship_id"] for r in sent.json()["recipients"]] == [reached]
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    assert (message["To"], message["Subject"]) == ("bob@acme.example", "Invoice for Smith & <Co>")
    [(_, _, _, _, text)] = await audit_rows(db_conn, "sponsorship.notify")
    assert text == "Notification 'custom: Invoice for {{ sponsor_name }}' was sent to contacts: accounting"


async def test_notification_matrices(
    client: Any, db_conn: Any, sessionmaker: Any, actors: Any, worker: Any
) -> None:
    await notifier(actors)
    reached, _, _ = await three_sponsorships(sessionmaker)
    request = {
        "sponsorship_ids": [reached],
        "contact_types": ["primary"],
        "subject": "S {{ sponsor_name }}",
        "content": "C",
    }
    expected = {**MATRIX, "notifier": 200, "root": 200}

    async def previewed(name: str, response: Any) -> None:
        assert [r["to"] for r in response.json()["recipients"]] == [["jane@acme.example"]]

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        expected,
        ("POST", f"{BASE}/notifications/preview", request),
        changed=previewed,
    )

    async def sent(name: str, response: Any) -> None:
        assert response.json()["sent"] == 1
        [entry] = await db_conn.fetch(
            "SELECT actor_id FROM sponsor_audit_entries WHERE action='sponsorship.notify' ORDER BY id DESC LIMIT 1"
        )
        assert entry["actor_id"] == actors[name].user_id

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        expected,
        ("POST", f"{BASE}/notifications/send", request),
        changed=sent,
    )


# --- the automatic notifications -----------------------------------------------------------------


async def applicant_world(sessionmaker: Any, actors: Any, **options: Any) -> tuple[int, Any]:
    """A sponsorship submitted by ``applicant`` whose contacts are: the applicant again (other
    case), a verified account's address, and an address no account has verified."""
    applicant = await actors.create("applicant")
    await actors.create("boss")
    async with transaction(sessionmaker) as tx:
        stranger = User(username="stranger", email="stranger@acme.example")
        tx.add(stranger)
        await tx.flush()
        tx.add(EmailAddress(user_id=stranger.id, email="stranger@acme.example", verified=False))
    contacts = (
        Contact("Applicant", "APPLICANT@example.org", ("primary",)),
        Contact("Boss", "boss@example.org", ("manager",)),
        Contact("Stranger", "stranger@acme.example", ("accounting",)),
    )
    sponsorship_id = await make_sponsorship(
        sessionmaker, contacts=contacts, submitted_by=applicant.user_id, **options
    )
    return sponsorship_id, applicant


def mail_context(settings: Any, mailer: Any, worker: Any) -> MailContext:
    return MailContext(settings=settings, mailer=mailer, queue=worker.queue)


async def test_new_application_mails(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    sponsorship_id, _ = await applicant_world(
        sessionmaker,
        actors,
        customised=True,
        assets=((REQUIRED_TEXT, "bio_2026", date(2026, 3, 1)), (REQUIRED_IMG, "banner_2026", None)),
    )
    async with transaction(sessionmaker) as tx:
        await svc.notify_new_application(tx, mail_context(settings, mailer, worker), sponsorship_id)
    to_psf, to_applicant = psf_first(await wait_for_mail(mailer, 2))
    await assert_no_more_mail(mailer, 2)
    assert (to_psf["To"], to_psf["From"], to_psf["Subject"]) == (
        PSF,
        FROM,
        "New sponsorship application from Acme",
    )
    psf_text = body(to_psf)
    assert f"https://www.python.org/api/v3/sponsors/sponsorships/{sponsorship_id}" in psf_text
    assert "Package:      Visionary (customised)" in psf_text
    assert "  - Foundation - Logo (3)" in psf_text
    assert "Contact:      Boss <boss@example.org> (manager)" in psf_text
    # The submitter and the verified contacts, each once; the unverified address is left out.
    assert to_applicant["To"] == "applicant@example.org, boss@example.org"
    assert to_applicant["Subject"] == "Thank you for applying to sponsor the Python Software Foundation"
    text = body(to_applicant)
    assert "We will contact you within 2 business days to discuss finalizing your customized" in text
    features = await _feature_ids(sessionmaker, sponsorship_id)
    for label, internal_name in (("Label of bio_2026", "bio_2026"), ("Label of banner_2026", "banner_2026")):
        url = f"https://www.python.org/users/sponsorships/assets/?id={sponsorship_id}&required_asset={features[internal_name]}"
        assert f"- {label}: {url}" in text
    assert "Fee:          to be agreed (customised package)" in text


async def _feature_ids(sessionmaker: Any, sponsorship_id: int) -> dict[str, int]:
    async with sessionmaker() as tx:
        data = await svc.load_sponsorship_mail(tx, sponsorship_id)
    return {f.internal_name or "": f.id for f in data.required_assets}


async def test_standard_package_wording_and_rollback_sends_nothing(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    sponsorship_id, _ = await applicant_world(sessionmaker, actors)
    mail = mail_context(settings, mailer, worker)
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as tx:
            await svc.notify_new_application(tx, mail, sponsorship_id)
            raise RuntimeError("the application failed after all")
    await assert_no_more_mail(mailer, 0)
    async with transaction(sessionmaker) as tx:
        await svc.notify_new_application(tx, mail, sponsorship_id)
    _, to_applicant = psf_first(await wait_for_mail(mailer, 2))
    text = body(to_applicant)
    assert "We will send you a contract reflecting the details of your sponsorship." in text
    assert "required assets" not in text
    assert "Fee:          $150,000" in text


async def test_rejection_mails(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    sponsorship_id, _ = await applicant_world(sessionmaker, actors, status=REJECTED)
    async with transaction(sessionmaker) as tx:
        await svc.notify_rejection(tx, mail_context(settings, mailer, worker), sponsorship_id)
    to_psf, to_applicant = psf_first(await wait_for_mail(mailer, 2))
    await assert_no_more_mail(mailer, 2)
    assert (to_psf["To"], to_psf["Subject"]) == (PSF, "Sponsorship application from Acme rejected")
    assert "was rejected on February 1, 2026" in body(to_psf)
    assert to_applicant["To"] == "applicant@example.org, boss@example.org"
    assert to_applicant["Subject"] == "Your application to sponsor the Python Software Foundation"
    assert "we are unable to accept it as submitted" in body(to_applicant)


async def test_contract_sent_mail_attaches_the_pdf(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, actors: Any
) -> None:
    sponsorship_id, _ = await applicant_world(sessionmaker, actors, status=APPROVED)
    async with transaction(sessionmaker) as tx:
        await svc.notify_contract_sent(
            tx, mail_context(settings, mailer, worker), sponsorship_id, PDF, "Contract-Acme.pdf"
        )
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    assert (message["To"], message["Subject"]) == (PSF, "Statement of work for Acme sent")
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "Contract-Acme.pdf",
        "application/pdf",
    )
    assert attachment.get_content() == PDF


# --- the reminder --------------------------------------------------------------------------------


async def test_asset_reminder_job_on_a_fixed_clock(
    sessionmaker: Any, mailer: Any, worker: Any, actors: Any, db_conn: Any
) -> None:
    applicant = await actors.create("applicant")
    due = date(2026, 3, 8)  # 7 days after the job's "today"
    pending = await make_sponsorship(
        sessionmaker,
        name="Pending",
        submitted_by=applicant.user_id,
        assets=(
            (REQUIRED_TEXT, "bio", due),
            (REQUIRED_RESPONSE, "attend", due),
            (REQUIRED_IMG, "later", date(2026, 4, 1)),
        ),
    )
    fulfilled = await make_sponsorship(
        sessionmaker, name="Fulfilled", submitted_by=applicant.user_id, assets=((REQUIRED_TEXT, "bio", due),)
    )
    await fill_asset(sessionmaker, fulfilled, "bio", kind="text", text="We make things.")
    await make_sponsorship(
        sessionmaker,
        name="Rejected",
        status=REJECTED,
        submitted_by=applicant.user_id,
        assets=((REQUIRED_TEXT, "bio", due),),
    )
    other_day = await make_sponsorship(
        sessionmaker,
        name="Other day",
        submitted_by=applicant.user_id,
        assets=((REQUIRED_TEXT, "bio", date(2026, 3, 9)),),
    )
    # A response asset that exists but holds no answer is still empty.
    await fill_asset(sessionmaker, pending, "attend", kind="response", response=None)

    result = await worker.queue.apply("sponsors.check_assets_due", today="2026-03-01", timeout=30)
    assert result == {"sent": True, "due_date": "2026-03-08", "sponsorships": [pending]}
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    # The contacts' addresses are no account's verified addresses: only the submitter is written to.
    assert message["To"] == "applicant@example.org"
    assert message["Subject"] == "[Action Required] PSF Sponsor deadline approaching in 7 days"
    text = body(message)
    assert "by March 8, 2026" in text
    assert "Label of bio" in text and "Label of attend" in text and "Label of later" not in text
    assert f"https://www.python.org/users/sponsorships/assets/?id={pending}\n" in text
    # Once a day: a second run (a retry, another worker) reminds nobody again.
    again = await worker.queue.apply("sponsors.check_assets_due", today="2026-03-01", timeout=30)
    assert again == {"sent": False, "reason": "already checked today"}
    other = await worker.queue.apply("sponsors.check_assets_due", today="2026-03-02", days=7, timeout=30)
    assert other == {"sent": True, "due_date": "2026-03-09", "sponsorships": [other_day]}
    await wait_for_mail(mailer, 2)
    await assert_no_more_mail(mailer, 2)
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0


async def test_reminder_names_are_registered() -> None:
    from pydotorg.domains.sponsors import tasks
    from pydotorg.worker import CRON_JOBS, JOB_FUNCTIONS

    assert ("sponsors.check_assets_due", tasks.check_assets_due) in JOB_FUNCTIONS
    assert any(job.function is tasks.check_assets_due for job in CRON_JOBS)
    assert tasks.check_assets_due.__qualname__ == "sponsors.check_assets_due"


async def test_verified_emails_follow_python_org(sessionmaker: Any, actors: Any) -> None:
    sponsorship_id, _ = await applicant_world(sessionmaker, actors)
    async with sessionmaker() as tx:
        sponsorship = await tx.get(Sponsorship, sponsorship_id)
        assert await svc.verified_emails(tx, sponsorship) == ["applicant@example.org", "boss@example.org"]
        sponsorship.submitted_by_id = None
        assert await svc.verified_emails(tx, sponsorship) == ["APPLICANT@example.org", "boss@example.org"]


async def test_cli_check_assets_due(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, actors: Any, tmp_path: Any
) -> None:
    """``pydotorg sponsors check-assets-due --days N``, run as a subprocess against the test
    database: the reminder is queued and the worker delivers it."""
    applicant = await actors.create("applicant")
    today = utcnow().date()
    due_soon = await make_sponsorship(
        sessionmaker,
        name="Due soon",
        submitted_by=applicant.user_id,
        assets=((REQUIRED_TEXT, "bio", today + timedelta(days=3)),),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_LOG_LEVEL="ERROR",
    )
    for days, expected in ((7, "0 sponsorship(s) reminded"), (3, f"1 sponsorship(s) reminded: [{due_soon}]")):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pydotorg.cli",
            "sponsors",
            "check-assets-due",
            "--days",
            str(days),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
        assert out.decode().strip() == expected
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    assert (message["To"], message["Subject"]) == (
        "applicant@example.org",
        "[Action Required] PSF Sponsor deadline approaching in 3 days",
    )
