"""``/api/v3/codesamples/``: the home page slideshow. Anyone sees published samples."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import Principal, permission_required, principal_of, register, staff_or
from pydotorg.core.schemas import given_fields
from pydotorg.domains.codesamples import schemas
from pydotorg.domains.codesamples.models import CodeSample
from pydotorg.domains.codesamples.services import save_sample

ADD_SAMPLE = register("codesamples.add_codesample", "Can add code samples")
CHANGE_SAMPLE = register("codesamples.change_codesample", "Can change code samples (and see drafts)")
DELETE_SAMPLE = register("codesamples.delete_codesample", "Can delete code samples")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_SAMPLE)


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


async def _sample(tx: AsyncSession, sample_id: int, principal: Principal | None) -> CodeSample:
    sample = await tx.get(CodeSample, sample_id)
    if sample is None or not (sample.is_published or can_see_drafts(principal)):
        raise NotFoundException(f"No code sample with id {sample_id}.")
    return sample


class CodeSamplesController(Controller):
    path = "/api/v3/codesamples"
    tags = ["codesamples"]

    @get("/", operation_id="codesamples_list", summary="Code samples in slideshow order")
    async def list_samples(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        is_published: bool | None = None,
    ) -> schemas.CodeSampleList:
        stmt = select(CodeSample).order_by(CodeSample.sort_order, CodeSample.id)
        if not can_see_drafts(principal_of(request)):
            stmt = stmt.where(CodeSample.is_published)
        if is_published is not None:
            stmt = stmt.where(CodeSample.is_published == is_published)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.CodeSampleList(data=[sample_read(s) for s in rows], meta=meta)

    @get("/{sample_id:int}", operation_id="codesamples_read", summary="One code sample")
    async def read_sample(
        self, request: Request[Any, Any, Any], tx: AsyncSession, sample_id: PK
    ) -> schemas.CodeSampleRead:
        return sample_read(await _sample(tx, sample_id, principal_of(request)))

    @post(
        "/",
        operation_id="codesamples_create",
        summary="Add a code sample",
        guards=[permission_required(ADD_SAMPLE)],
    )
    async def create_sample(self, tx: AsyncSession, data: schemas.CodeSampleCreate) -> schemas.CodeSampleRead:
        return sample_read(await save_sample(tx, given_fields(data)))

    @patch(
        "/{sample_id:int}",
        operation_id="codesamples_update",
        summary="Change a code sample",
        guards=[permission_required(CHANGE_SAMPLE)],
    )
    async def update_sample(
        self, request: Request[Any, Any, Any], tx: AsyncSession, sample_id: PK, data: schemas.CodeSampleUpdate
    ) -> schemas.CodeSampleRead:
        sample = await _sample(tx, sample_id, principal_of(request))
        return sample_read(await save_sample(tx, given_fields(data), sample))

    @delete(
        "/{sample_id:int}",
        operation_id="codesamples_delete",
        summary="Delete a code sample",
        guards=[permission_required(DELETE_SAMPLE)],
    )
    async def delete_sample(self, request: Request[Any, Any, Any], tx: AsyncSession, sample_id: PK) -> None:
        await tx.delete(await _sample(tx, sample_id, principal_of(request)))
        await tx.flush()
