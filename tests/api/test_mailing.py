"""The mailing domain (inventory 1.11): stored templates render in a sandbox that reaches no
attribute of any object, refuses include/import/extends and unbounded repetition, autoescapes
the HTML rendering, leaves undefined variables empty and names the field and the line of every
error; and a message with an HTML part and an attachment survives the queued ``mail.send``
payload (RFC 5322 text) intact."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from pydotorg.core.db import transaction
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.mail import Attachment, build_message
from pydotorg.domains.mailing import services as mailing
from tests.helpers import assert_no_more_mail, wait_for_mail


def refused(subject: str, content: str, context: dict[str, Any] | None = None) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        mailing.render(subject, content, context or {})
    return caught.value.errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "line 1\n{{ ''.__class__ }}",
            "line 2: access to attribute '__class__' of a str value is not allowed",
        ),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "line 1: access to attribute '__class__'"),
        ("{{ sponsor_name.upper() }}", "line 1: access to attribute 'upper' of a str value"),
        ("{{ sponsor_name|attr('__class__') }}", "line 1: access to attribute '__class__'"),
        ("{{ {'a': 1}.items() }}", "line 1: access to attribute 'items' of a dict value"),
        ("{{ missing.__class__ }}", "line 1: access to attribute '__class__' of a ChainableUndefined"),
        ("a\n\n{% include 'base.html' %}", "line 3: {% include %} is not allowed in an e-mail template"),
        ("{% import 'macros.html' as m %}", "line 1: {% import %} is not allowed"),
        ("{% from 'macros.html' import m %}", "line 1: {% from … import %} is not allowed"),
        ("{% extends 'base.html' %}", "line 1: {% extends %} is not allowed"),
        ("{{ 'x' * 100000 }}", "line 1: repeating a value beyond 10000 items is not allowed"),
        ("{{ 9 ** 9999 }}", "line 1: exponents above 64 are not allowed"),
        ("{{ range(10) }}", "line 1: "),
        ("{{ lipsum() }}", "line 1: "),
        ("x\n{{ 1 / 0 }}", "line 2: division by zero"),
        (
            "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
            "the template nests expressions or blocks too deeply",
        ),
        ("{% if 1 %}" * 3000 + "{% endif %}" * 3000, "the template nests expressions or blocks too deeply"),
    ],
)
def test_sandbox_refuses_what_a_template_may_not_reach(content: str, message: str) -> None:
    errors = refused("Subject", content, {"sponsor_name": "Acme"})
    assert list(errors) == ["content"]
    assert errors["content"][0].startswith(message), errors


def test_syntax_errors_name_the_field_and_the_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        mailing.validate("Hello {{ sponsor_name", "one\ntwo\n{{ x }}}\n")
    # A "}" after a closed expression is text; inside an unclosed block it is the error.
    with pytest.raises(ValidationFailed) as content_only:
        mailing.validate("Fine", "one\ntwo\n{% if x }\n{% endif %}")
    assert content_only.value.errors == {"content": ["line 3: unexpected '}'"]}
    assert list(caught.value.errors) == ["subject"]
    assert caught.value.errors["subject"][0].startswith("line 1: ")
    # Both fields at once, each with its own line.
    with pytest.raises(ValidationFailed) as both:
        mailing.validate("{% for %}", "a\n{% endif %}")
    assert set(both.value.errors) == {"subject", "content"}
    assert both.value.errors["content"][0].startswith("line 2: ")
    mailing.validate("Hello {{ sponsor_name }}", "{% if sponsor_name %}Dear {{ sponsor_name }}{% endif %}")


def test_autoescaping_undefined_values_and_plain_text() -> None:
    rendered = mailing.render(
        "Hello  {{ sponsor_name }}\nand more",
        "<p>Dear {{ sponsor_name }}</p>{{ missing }}{{ missing.deeper.still }}|{{ level|upper }}",
        {"sponsor_name": "Smith & <Co>", "level": "visionary"},
    )
    assert rendered.html == "<p>Dear Smith &amp; &lt;Co&gt;</p>|VISIONARY"
    assert rendered.text == "<p>Dear Smith & <Co></p>|VISIONARY"
    # A header: unescaped, its whitespace (line breaks too) collapsed.
    assert rendered.subject == "Hello Smith & <Co> and more"
    # Only plain values reach a template: anything else is left out (and renders empty).
    odd = mailing.render("s", "[{{ thing }}]", {"thing": object()})  # type: ignore[dict-item]
    assert odd.text == "[]"
    assert mailing.preview("Dear {{ sponsor_name }},\n<b>{{ '<i>' }}</b>") == "Dear ,\n<b>&lt;i&gt;</b>"
    assert mailing.preview_subject("Hi {{ sponsor_name }}  there") == "Hi there"
    macro = "{% macro tag(v) %}[{{ v }}]{% endmacro %}{{ tag(sponsor_name) }}"
    assert mailing.render("s", macro, {"sponsor_name": "<x>"}).html == "[&lt;x&gt;]"


def test_unique_addresses_and_the_html_document() -> None:
    assert mailing.unique_addresses(["A@x.org", " a@X.org ", "", "b@x.org"]) == ["A@x.org", "b@x.org"]
    document = mailing.html_document("a &amp; b", title="<Title>")
    assert "<title>&lt;Title&gt;</title>" in document
    assert '<div style="white-space: pre-wrap">a &amp; b</div>' in document


def test_an_attachment_and_html_part_survive_the_queued_payload() -> None:
    pdf = b"%PDF-1.4\n\x00\xff binary\n%%EOF\n"
    message = build_message(
        to=["psf@example.org"],
        subject="Statement of work",
        body="Plain & simple",
        from_email="sponsors@python.org",
        html="<p>Plain &amp; simple</p>",
        attachments=[Attachment("Contract.pdf", pdf, "application/pdf")],
    )
    parsed = email.message_from_string(message.as_string(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)).get_content().strip() == "Plain & simple"  # type: ignore[union-attr]
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Plain &amp; simple</p>"  # type: ignore[union-attr]
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "Contract.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


async def test_queue_email_sends_after_commit_only(
    sessionmaker: Any, settings: Any, mailer: Any, worker: Any, clean: None
) -> None:
    ctx = mailing.MailContext(settings=settings, mailer=mailer, queue=worker.queue)
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as tx:
            mailing.queue_email(tx, ctx, to=["a@example.org"], subject="Lost", text="x", from_email="f@x.org")
            raise RuntimeError("rolled back")
    async with transaction(sessionmaker) as tx:
        mailing.queue_email(tx, ctx, to=[], subject="Nobody", text="x", from_email="f@x.org")
        mailing.queue_email(
            tx,
            ctx,
            to=["a@example.org", "A@example.org", "b@example.org"],
            subject="Kept",
            text="body",
            from_email="f@x.org",
            attachments=[Attachment("a.txt", b"hello", "text/plain")],
        )
    [message] = await wait_for_mail(mailer)
    await assert_no_more_mail(mailer, 1)
    assert (message["Subject"], message["To"], message["From"]) == (
        "Kept",
        "a@example.org, b@example.org",
        "f@x.org",
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == "hello"
