"""``/api/v3/redirects``: python.org's database redirects. Public reads (the origin and the CDN
answer them); writes need the ``redirects.*`` permissions."""

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
from pydotorg.domains.redirects import schemas
from pydotorg.domains.redirects import services as svc
from pydotorg.domains.redirects.models import Redirect

ADD_REDIRECT = register("redirects.add_redirect", "Can add redirects")
CHANGE_REDIRECT = register("redirects.change_redirect", "Can change redirects")
DELETE_REDIRECT = register("redirects.delete_redirect", "Can delete redirects")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
OldPathQuery = Annotated[str | None, Parameter(max_length=200, description="exactly this old path")]


def redirect_read(r: Redirect) -> schemas.RedirectRead:
    return schemas.RedirectRead(
        id=r.id, old_path=r.old_path, new_path=r.new_path, created=r.created, updated=r.updated
    )


async def _redirect(tx: AsyncSession, redirect_id: int) -> Redirect:
    redirect = await tx.get(Redirect, redirect_id)
    if redirect is None:
        raise NotFoundException(f"No redirect with id {redirect_id}.")
    return redirect


class RedirectsController(Controller):
    path = "/api/v3/redirects"
    tags = ["redirects"]

    @get("/", operation_id="redirects_list", summary="Redirects by old path")
    async def list_redirects(
        self,
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        old_path: OldPathQuery = None,
    ) -> schemas.RedirectList:
        stmt = select(Redirect).order_by(Redirect.old_path, Redirect.id)
        if old_path is not None:
            stmt = stmt.where(Redirect.old_path == old_path)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.RedirectList(data=[redirect_read(r) for r in rows], meta=meta)

    @get("/{redirect_id:int}", operation_id="redirects_read", summary="One redirect")
    async def read_redirect(self, tx: AsyncSession, redirect_id: PK) -> schemas.RedirectRead:
        return redirect_read(await _redirect(tx, redirect_id))

    @post(
        "/",
        operation_id="redirects_create",
        summary="Add a redirect (an empty new_path answers 410 Gone)",
        guards=[permission_required(ADD_REDIRECT)],
    )
    async def create_redirect(self, tx: AsyncSession, data: schemas.RedirectCreate) -> schemas.RedirectRead:
        return redirect_read(await svc.save_redirect(tx, given_fields(data)))

    @patch(
        "/{redirect_id:int}",
        operation_id="redirects_update",
        summary="Change a redirect",
        guards=[permission_required(CHANGE_REDIRECT)],
    )
    async def update_redirect(
        self, tx: AsyncSession, redirect_id: PK, data: schemas.RedirectUpdate
    ) -> schemas.RedirectRead:
        redirect = await _redirect(tx, redirect_id)
        return redirect_read(await svc.save_redirect(tx, given_fields(data), redirect))

    @delete(
        "/{redirect_id:int}",
        operation_id="redirects_delete",
        summary="Delete a redirect",
        guards=[permission_required(DELETE_REDIRECT)],
    )
    async def delete_redirect(self, tx: AsyncSession, redirect_id: PK) -> None:
        await tx.delete(await _redirect(tx, redirect_id))
        await tx.flush()
