"""Rendering stored e-mail templates, and queueing the messages they make.

A template is a subject and a content written by staff in Jinja syntax. They render in a
**sandbox** (``jinja2.sandbox.SandboxedEnvironment``), stricter than Jinja's own:

- no attribute of any object is reachable (``{{ ''.__class__ }}``, ``{{ name.upper() }}``,
  ``{{ when.year }}`` are refused); only the context's plain values and Jinja's default filters;
- no globals (``range``, ``dict``, ``namespace`` …), no calls except a template's own macros;
- ``{% include %}``, ``{% import %}``, ``{% from … import %}`` and ``{% extends %}`` are refused
  (there is no loader either);
- a sequence repeated into more than ``MAX_REPEAT`` items, or a power above ``MAX_EXPONENT``, is
  refused, so a template cannot allocate without bound;
- an undefined variable renders empty, and so does any lookup on it (``{{ sponsor.name }}`` when
  ``sponsor`` is not in the context), as python.org's Django engine did.

The content renders twice from the same template: **autoescaped** (the HTML shown by previews and
sent as the text/html part: context values cannot inject markup) and unescaped for the text/plain
part, where entity-escaping would only garble "Smith & Co" into "Smith &amp; Co" (what
python.org's plain-text mails showed). The subject is a header: rendered unescaped, its
whitespace (line breaks included) collapsed to single spaces.

Errors are the caller's input problems: ``ValidationFailed`` naming the field and the line
("content: line 3: unexpected '}'"), answered with 400.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.mail import Attachment, Mailer, build_message
from pydotorg.core.tasks import mail_after_commit
from pydotorg.settings import Settings

SUBJECT, CONTENT = "subject", "content"
MAX_REPEAT = 10_000  # items a repeated string or list may reach ("x" * n)
MAX_EXPONENT = 64
TEMPLATE_NAME = "<template>"  # the file name Jinja gives frames of a template built from a string
ContextValue = str | int | None
TOO_DEEP = "the template nests expressions or blocks too deeply"


class _MailTemplateEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with every attribute closed, no calls but macros, bounded repetition."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Lookups on an undefined value stay undefined (and render empty); its own attributes
        # (``__class__`` …) are closed like every other object's.
        return isinstance(obj, Undefined) and isinstance(value, Undefined)

    def is_safe_callable(self, obj: Any) -> bool:
        return isinstance(obj, Macro)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of a {type(obj).__name__} value is not allowed"
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if repeated and len(sequence) * count > MAX_REPEAT:
                    raise SecurityError(f"repeating a value beyond {MAX_REPEAT} items is not allowed")
        return super().call_binop(context, operator, left, right)


def _environment(*, autoescape: bool) -> _MailTemplateEnvironment:
    environment = _MailTemplateEnvironment(autoescape=autoescape, undefined=ChainableUndefined)
    environment.globals.clear()
    return environment


_ESCAPED = _environment(autoescape=True)
_PLAIN = _environment(autoescape=False)

_REFUSED_TAGS: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Include, "include"),
    (nodes.Import, "import"),
    (nodes.FromImport, "from … import"),
    (nodes.Extends, "extends"),
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str  # the text/plain body
    html: str  # the autoescaped body (previews, the text/html part)


def _syntax_problems(source: str) -> list[str]:
    try:
        tree = _ESCAPED.parse(source)
    except TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.message}"]
    except RecursionError:
        return [TOO_DEEP]
    problems = []
    for node_type, tag in _REFUSED_TAGS:
        for node in tree.find_all(node_type):
            problems.append(f"line {node.lineno}: {{% {tag} %}} is not allowed in an e-mail template")
    return sorted(problems, key=lambda p: int(p.split(":", 1)[0].removeprefix("line ")))


def validate(subject: str | None, content: str | None) -> None:
    """Refuse template syntax errors and the refused tags, naming the field and the line."""
    errors: dict[str, list[str]] = {}
    for field, source in ((SUBJECT, subject), (CONTENT, content)):
        if source is not None and (problems := _syntax_problems(source)):
            errors[field] = problems
    if errors:
        raise ValidationFailed(errors)


def _template_line(traceback: TracebackType | None) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _render_one(field: str, source: str, context: Mapping[str, ContextValue], *, escaped: bool) -> str:
    environment = _ESCAPED if escaped else _PLAIN
    try:
        return environment.from_string(source).render(dict(context))
    except TemplateSyntaxError as exc:
        raise ValidationFailed({field: [f"line {exc.lineno}: {exc.message}"]}) from None
    except RecursionError:
        raise ValidationFailed({field: [TOO_DEEP]}) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        line = _template_line(exc.__traceback__)
        where = f"line {line}: " if line is not None else ""
        reason = exc.message if isinstance(exc, TemplateError) and exc.message else str(exc)
        raise ValidationFailed({field: [f"{where}{reason or type(exc).__name__}"]}) from None


def render(subject: str, content: str, context: Mapping[str, ContextValue]) -> RenderedEmail:
    """Subject and content with ``context`` (plain values only), or ``ValidationFailed``."""
    validate(subject, content)
    plain = {name: value for name, value in context.items() if isinstance(value, str | int) or value is None}
    return RenderedEmail(
        subject=" ".join(_render_one(SUBJECT, subject, plain, escaped=False).split()),
        text=_render_one(CONTENT, content, plain, escaped=False),
        html=_render_one(CONTENT, content, plain, escaped=True),
    )


def preview(content: str) -> str:
    """The content rendered (autoescaped) with an empty context: python.org's admin preview."""
    validate(None, content)
    return _render_one(CONTENT, content, {}, escaped=True)


def preview_subject(subject: str) -> str:
    validate(subject, None)
    return " ".join(_render_one(SUBJECT, subject, {}, escaped=False).split())


def html_document(body_html: str, *, title: str) -> str:
    """The text/html part: the autoescaped body, its line breaks kept as written."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body><div style="white-space: pre-wrap">{body_html}</div></body></html>\n'
    )


# --- queueing ------------------------------------------------------------------------------------


@dataclass
class MailContext:
    """What sending needs besides the session: settings, the mailer (the fallback when the queue
    is unreachable) and the SAQ queue."""

    settings: Settings
    mailer: Mailer
    queue: Any = None

    @classmethod
    def of(cls, state: Any) -> MailContext:
        """From the application's state (a request's ``request.app.state``)."""
        return cls(settings=state.settings, mailer=state.mailer, queue=state.queue)


def unique_addresses(addresses: Sequence[str]) -> list[str]:
    """Non-empty addresses, each once (compared case-insensitively), in the order given."""
    seen: dict[str, str] = {}
    for address in addresses:
        address = address.strip()
        if address and address.casefold() not in seen:
            seen[address.casefold()] = address
    return list(seen.values())


def queue_email(
    tx: AsyncSession,
    ctx: MailContext,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    from_email: str,
    html_body: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Queue one message as a ``mail.send`` job once ``tx`` commits (a rollback sends nothing).
    Nothing is queued for an empty recipient list."""
    recipients = unique_addresses(to)
    if not recipients:
        return
    message = build_message(
        to=recipients,
        subject=subject,
        body=text,
        from_email=from_email,
        html=html_body,
        attachments=attachments,
    )
    mail_after_commit(tx, ctx.queue, ctx.mailer, message)
