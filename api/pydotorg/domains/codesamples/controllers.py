"""``/api/v3/codesamples/``: the home page slideshow. Anyone sees published samples."""

from __future__ import annotations

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.domains.codesamples import schemas
from pydotorg.domains.codesamples import services as svc
from pydotorg.domains.codesamples.models import ADD_SAMPLE, CHANGE_SAMPLE, DELETE_SAMPLE, CodeSample


def sample_read(s: CodeSample) -> schemas.CodeSampleRead:
    return schemas.CodeSampleRead(
        id=s.id,
        code=s.code,
        code_markup_type=s.code_markup_type,
        code_html=s.code_html,
        copy=s.copy,
        copy_markup_type=s.copy_markup_type,
        copy_html=s.copy_html,
        is_published=s.is_published,
        sort_order=s.sort_order,
        created=s.created,
        updated=s.updated,
    )


CodeSamplesController = content_controller(
    "CodeSamplesController",
    ContentRoutes(
        path="/api/v3/codesamples",
        tag="codesamples",
        prefix="codesamples",
        id_name="sample_id",
        summaries={
            "list": "Code samples in slideshow order",
            "read": "One code sample",
            "create": "Add a code sample",
            "update": "Change a code sample",
            "delete": "Delete a code sample",
        },
        add=ADD_SAMPLE,
        change=CHANGE_SAMPLE,
        remove=DELETE_SAMPLE,
        read_schema=schemas.CodeSampleRead,
        create_schema=schemas.CodeSampleCreate,
        update_schema=schemas.CodeSampleUpdate,
        list_schema=schemas.CodeSampleList,
        to_read=sample_read,
        get=svc.get_sample,
        find=svc.list_samples,
        save=svc.save_sample,
        filters=[("is_published", bool | None)],
    ),
)
