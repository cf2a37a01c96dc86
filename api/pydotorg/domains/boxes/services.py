"""Box rules: unique labels and sanitized rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.domains.boxes.models import Box

BOX_DEFAULTS: dict[str, Any] = {"content": "", "content_markup_type": "restructuredtext"}


def render_box(box: Box) -> str:
    return render(box.content or "", box.content_markup_type)


async def save_box(session: AsyncSession, data: Mapping[str, Any], box: Box | None = None) -> Box:
    values = dict(data)
    if "label" in values:
        stmt = select(Box.id).where(Box.label == values["label"])
        if box is not None:
            stmt = stmt.where(Box.id != box.id)
        if await session.scalar(stmt):
            raise ValidationFailed({"label": ["Box with this label already exists."]})
    if box is None:
        box = Box(**{**BOX_DEFAULTS, **values})
    else:
        for key, value in values.items():
            if getattr(box, key) != value:
                setattr(box, key, value)
    html = render_box(box)
    if box.content_html != html:
        box.content_html = html
    session.add(box)
    await session.flush()
    return box
