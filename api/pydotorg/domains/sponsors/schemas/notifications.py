"""/api/v3/sponsors/ shapes for the staff's e-mail templates, their previews and sending
notifications to the contacts of chosen sponsorships."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

RecordId = Annotated[int, Meta(ge=1, le=2**31 - 1)]
InternalName = Annotated[str, Meta(min_length=1, max_length=128)]
Subject = Annotated[str, Meta(min_length=1, max_length=128, description="Jinja template (sandboxed)")]
Content = Annotated[
    str, Meta(min_length=1, max_length=100_000, description="Jinja template (sandboxed, autoescaped)")
]
ContactType = Literal["primary", "administrative", "accounting", "manager"]


class EmailTemplateRead(msgspec.Struct):
    id: int
    internal_name: str
    subject: str
    content: str
    created_at: dt.datetime
    updated_at: dt.datetime


class EmailTemplateList(msgspec.Struct):
    data: list[EmailTemplateRead]
    meta: ListMeta


class EmailTemplateCreate(Input):
    internal_name: InternalName
    subject: Subject
    content: Content


class EmailTemplateUpdate(Input):
    internal_name: InternalName | UnsetType = UNSET
    subject: Subject | UnsetType = UNSET
    content: Content | UnsetType = UNSET


class EmailTemplateDraft(Input):
    """Unsaved template text to preview (the subject is optional)."""

    content: Content
    subject: Subject | None = None


class EmailTemplatePreview(msgspec.Struct):
    """A template rendered with an empty context: the subject as plain text, the content
    autoescaped (safe to show as HTML) and as the text/plain part would carry it."""

    subject: str | None
    content_html: str
    content_text: str


class NotificationRequest(Input):
    """Which sponsorships, which of their sponsor's contacts, and what: a stored template
    (``template_id``) or a subject and content written for this sending."""

    sponsorship_ids: Annotated[list[RecordId], Meta(min_length=1, max_length=500)]
    contact_types: Annotated[list[ContactType], Meta(min_length=1, max_length=4)]
    template_id: RecordId | None = None
    subject: Subject | None = None
    content: Content | None = None


class NotificationRecipient(msgspec.Struct):
    """One message: a sponsorship's contacts of the chosen types, and what they receive."""

    sponsorship_id: int
    sponsor_name: str
    to: list[str]
    subject: str
    content_html: str


class NotificationSkipped(msgspec.Struct):
    sponsorship_id: int
    sponsor_name: str
    reason: str


class NotificationPlan(msgspec.Struct):
    """Who receives what (``recipients``) and which sponsorships receive nothing, and why
    (``skipped``); a preview and the sending it previews give the same lists. ``sent`` is the
    number of messages queued (0 in a preview)."""

    notification: str
    contact_types: list[str]
    recipients: list[NotificationRecipient]
    skipped: list[NotificationSkipped]
    sent: int = 0
