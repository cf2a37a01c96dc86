"""The staff's sponsor e-mail templates: CRUD (each write audited) and previews."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, delete_record
from pydotorg.domains.mailing import services as mailing
from pydotorg.domains.sponsors.models import (
    SponsorEmailTemplate,
)
from pydotorg.domains.sponsors.services import audit

# --- the staff's templates ---------------------------------------------------------------------


async def list_templates(
    tx: AsyncSession, *, limit: int, offset: int
) -> tuple[list[SponsorEmailTemplate], int]:
    total = await tx.scalar(select(func.count()).select_from(SponsorEmailTemplate)) or 0
    rows = await tx.scalars(
        select(SponsorEmailTemplate)
        .order_by(SponsorEmailTemplate.internal_name, SponsorEmailTemplate.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def get_template(tx: AsyncSession, template_id: int) -> SponsorEmailTemplate:
    template = await tx.get(SponsorEmailTemplate, template_id)
    if template is None:
        raise NotFoundException(f"No e-mail template with id {template_id}.")
    return template


async def create_template(
    tx: AsyncSession, principal: Principal, values: Mapping[str, Any]
) -> SponsorEmailTemplate:
    mailing.validate(values["subject"], values["content"])
    template = SponsorEmailTemplate(**values)
    tx.add(template)
    await tx.flush()
    await audit.record(
        tx,
        principal,
        "email_template.create",
        object_kind="email_template",
        object_id=template.id,
        message=f"E-mail template '{template.internal_name}' created",
    )
    return template


async def update_template(
    tx: AsyncSession, principal: Principal, template_id: int, values: Mapping[str, Any]
) -> SponsorEmailTemplate:
    template = await get_template(tx, template_id)
    mailing.validate(values.get("subject"), values.get("content"))
    if assign_changed(template, values):
        await tx.flush()
        await audit.record(
            tx,
            principal,
            "email_template.update",
            object_kind="email_template",
            object_id=template.id,
            message=f"E-mail template '{template.internal_name}' changed: {', '.join(sorted(values))}",
        )
    return template


async def delete_template(tx: AsyncSession, principal: Principal, template_id: int) -> None:
    template = await get_template(tx, template_id)
    name = template.internal_name
    await delete_record(tx, template)
    await audit.record(
        tx,
        principal,
        "email_template.delete",
        object_kind="email_template",
        object_id=template_id,
        message=f"E-mail template '{name}' deleted",
    )


@dataclass(frozen=True)
class TemplatePreview:
    subject: str | None
    content_html: str
    content_text: str


def preview_template(subject: str | None, content: str) -> TemplatePreview:
    """Render with an empty context (python.org's admin preview), or refuse naming the line."""
    mailing.validate(subject, content)
    rendered = mailing.render(subject or "", content, {})
    return TemplatePreview(
        subject=rendered.subject if subject is not None else None,
        content_html=rendered.html,
        content_text=rendered.text,
    )
