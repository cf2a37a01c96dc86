"""Outgoing mail behind one small interface: SMTP, files under ``.state/mail/``, or memory.

Messages are built with ``email.message.EmailMessage``, whose header handling refuses CR/LF in
header values, so user input cannot inject headers.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from pydotorg.settings import Settings


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (e.g. a contract PDF). It travels inside the message itself
    (MIME, base64), so the queued ``mail.send`` payload stays one RFC 5322 text."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def build_message(
    *,
    to: list[str],
    subject: str,
    body: str,
    from_email: str,
    reply_to: str | None = None,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A plain-text message; with ``html``, a text/html alternative of the same body; with
    ``attachments``, a multipart/mixed message carrying them."""
    message = EmailMessage()
    message["From"] = from_email
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


class MemoryMailer:
    """The test outbox."""

    def __init__(self) -> None:
        self.outbox: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.outbox.append(message)


class FileMailer:
    """Development: one ``.eml`` file per message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}.eml"
        (self.directory / name).write_bytes(bytes(message))


class SmtpMailer:
    """Production: ``smtp://user:password@host:port?starttls=1`` (or ``smtps://``)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("PYDOTORG_SMTP_URL must look like smtp://user:pass@host:port")
        self.host = parts.hostname
        self.ssl = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.ssl else 25)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in {"1", "true"}

    def _send(self, message: EmailMessage) -> None:
        smtp_cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with smtp_cls(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)


def create_mailer(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(settings.smtp_url)
    if settings.mail_backend == "memory":
        return MemoryMailer()
    return FileMailer(settings.mail_dir)
