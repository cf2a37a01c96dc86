"""``/api/v3/redirects``: python.org's database redirects. Public reads (the origin and the CDN
answer them); writes need the ``redirects.*`` permissions."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.domains.redirects import schemas
from pydotorg.domains.redirects import services as svc
from pydotorg.domains.redirects.models import ADD_REDIRECT, CHANGE_REDIRECT, DELETE_REDIRECT, Redirect

OldPathQuery = Annotated[str | None, Parameter(max_length=200, description="exactly this old path")]


def redirect_read(r: Redirect) -> schemas.RedirectRead:
    return schemas.RedirectRead(
        id=r.id, old_path=r.old_path, new_path=r.new_path, created=r.created, updated=r.updated
    )


RedirectsController = content_controller(
    "RedirectsController",
    ContentRoutes(
        path="/api/v3/redirects",
        tag="redirects",
        prefix="redirects",
        id_name="redirect_id",
        summaries={
            "list": "Redirects by old path",
            "read": "One redirect",
            "create": "Add a redirect (an empty new_path answers 410 Gone)",
            "update": "Change a redirect",
            "delete": "Delete a redirect",
        },
        add=ADD_REDIRECT,
        change=CHANGE_REDIRECT,
        remove=DELETE_REDIRECT,
        read_schema=schemas.RedirectRead,
        create_schema=schemas.RedirectCreate,
        update_schema=schemas.RedirectUpdate,
        list_schema=schemas.RedirectList,
        to_read=redirect_read,
        get=svc.get_redirect,
        find=svc.list_redirects,
        save=svc.save_redirect,
        filters=[("old_path", OldPathQuery)],
        per_caller=False,
    ),
)
