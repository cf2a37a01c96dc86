"""Box rules: unique labels, sanitized rendering, the list by label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.domains.boxes.models import Box

BOX_DEFAULTS: dict[str, Any] = {"content": "", "content_markup_type": "restructuredtext"}


async def get_box(session: AsyncSession, box_id: int) -> Box:
    return await get_visible_or_404(session, Box, box_id, f"No box with id {box_id}.")


async def box_labelled(session: AsyncSession, label: str) -> Box:
    return await get_visible_or_404(session, Box, Box.label == label, f"No box labelled {label!r}.")


async def list_boxes(
    session: AsyncSession, *, limit: int, offset: int, label_prefix: str | None = None
) -> tuple[list[Box], ListMeta]:
    stmt = select(Box).order_by(Box.label, Box.id)
    if label_prefix:
        stmt = stmt.where(Box.label.startswith(label_prefix, autoescape=True))
    return await paginate(session, stmt, limit, offset)


def render_box(box: Box) -> str:
    return render(box.content or "", box.content_markup_type)


async def save_box(session: AsyncSession, data: Mapping[str, Any], box: Box | None = None) -> Box:
    values = dict(data)
    if "label" in values:
        await ensure_unique(
            session, Box, "label", values["label"], "Box with this label already exists.", exclude=box
        )
    if box is None:
        box = Box(**{**BOX_DEFAULTS, **values})
    else:
        assign_changed(box, values)
    assign_changed(box, {"content_html": render_box(box)})
    session.add(box)
    await session.flush()
    return box
