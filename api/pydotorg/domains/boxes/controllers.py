"""``/api/v3/boxes/``: the markup snippets the theme places by label."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import permission_required, register
from pydotorg.core.schemas import given_fields
from pydotorg.domains.boxes import schemas
from pydotorg.domains.boxes import services as svc
from pydotorg.domains.boxes.models import Box

ADD_BOX = register("boxes.add_box", "Can add boxes")
CHANGE_BOX = register("boxes.change_box", "Can change boxes")
DELETE_BOX = register("boxes.delete_box", "Can delete boxes")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def box_read(b: Box) -> schemas.BoxRead:
    return schemas.BoxRead(
        id=b.id,
        label=b.label,
        content=b.content,
        content_markup_type=b.content_markup_type,
        content_html=b.content_html,
        created=b.created,
        updated=b.updated,
    )


async def _box(tx: AsyncSession, box_id: int) -> Box:
    box = await tx.get(Box, box_id)
    if box is None:
        raise NotFoundException(f"No box with id {box_id}.")
    return box


class BoxesController(Controller):
    path = "/api/v3/boxes"
    tags = ["boxes"]

    @get("/", operation_id="boxes_list", summary="Boxes by label")
    async def list_boxes(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        label_prefix: Annotated[str | None, Parameter(max_length=100)] = None,
    ) -> schemas.BoxList:
        stmt = select(Box).order_by(Box.label, Box.id)
        if label_prefix:
            stmt = stmt.where(Box.label.startswith(label_prefix, autoescape=True))
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.BoxList(data=[box_read(b) for b in rows], meta=meta)

    @get("/{box_id:int}", operation_id="boxes_read", summary="One box")
    async def read_box(self, tx: AsyncSession, box_id: PK) -> schemas.BoxRead:
        return box_read(await _box(tx, box_id))

    @get("/label/{label:str}", operation_id="boxes_by_label", summary="The box with a label")
    async def by_label(
        self, tx: AsyncSession, label: Annotated[str, Parameter(max_length=100)]
    ) -> schemas.BoxRead:
        box = await tx.scalar(select(Box).where(Box.label == label))
        if box is None:
            raise NotFoundException(f"No box labelled {label!r}.")
        return box_read(box)

    @post("/", operation_id="boxes_create", summary="Add a box", guards=[permission_required(ADD_BOX)])
    async def create_box(self, tx: AsyncSession, data: schemas.BoxCreate) -> schemas.BoxRead:
        return box_read(await svc.save_box(tx, given_fields(data)))

    @patch(
        "/{box_id:int}",
        operation_id="boxes_update",
        summary="Change a box",
        guards=[permission_required(CHANGE_BOX)],
    )
    async def update_box(self, tx: AsyncSession, box_id: PK, data: schemas.BoxUpdate) -> schemas.BoxRead:
        return box_read(await svc.save_box(tx, given_fields(data), await _box(tx, box_id)))

    @delete(
        "/{box_id:int}",
        operation_id="boxes_delete",
        summary="Delete a box",
        guards=[permission_required(DELETE_BOX)],
    )
    async def delete_box(self, tx: AsyncSession, box_id: PK) -> None:
        await tx.delete(await _box(tx, box_id))
        await tx.flush()
