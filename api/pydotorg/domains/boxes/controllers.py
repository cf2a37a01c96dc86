"""``/api/v3/boxes/``: the markup snippets the theme places by label."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.domains.boxes import schemas
from pydotorg.domains.boxes import services as svc
from pydotorg.domains.boxes.models import ADD_BOX, CHANGE_BOX, DELETE_BOX, Box


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


@get("/label/{label:str}", operation_id="boxes_by_label", summary="The box with a label")
async def by_label(
    self: Controller, tx: NamedDependency[AsyncSession], label: Annotated[str, Parameter(max_length=100)]
) -> schemas.BoxRead:
    return box_read(await svc.box_labelled(tx, label))


BoxesController = content_controller(
    "BoxesController",
    ContentRoutes(
        path="/api/v3/boxes",
        tag="boxes",
        prefix="boxes",
        id_name="box_id",
        summaries={
            "list": "Boxes by label",
            "read": "One box",
            "create": "Add a box",
            "update": "Change a box",
            "delete": "Delete a box",
        },
        add=ADD_BOX,
        change=CHANGE_BOX,
        remove=DELETE_BOX,
        read_schema=schemas.BoxRead,
        create_schema=schemas.BoxCreate,
        update_schema=schemas.BoxUpdate,
        list_schema=schemas.BoxList,
        to_read=box_read,
        get=svc.get_box,
        find=svc.list_boxes,
        save=svc.save_box,
        filters=[("label_prefix", Annotated[str | None, Parameter(max_length=100)])],
        per_caller=False,
    ),
    by_label=by_label,
)
