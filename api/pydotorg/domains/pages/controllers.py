"""``/api/v3/pages/``: CMS pages by id and by path, with image and document uploads."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import Principal, permission_required, principal_of, register, staff_or
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage, safe_name
from pydotorg.core.uploads import read_upload
from pydotorg.domains.pages import schemas
from pydotorg.domains.pages import services as svc
from pydotorg.domains.pages.models import DocumentFile, Image, Page

ADD_PAGE = register("pages.add_page", "Can add pages")
CHANGE_PAGE = register("pages.change_page", "Can change pages (and see drafts)")
DELETE_PAGE = register("pages.delete_page", "Can delete pages")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_PAGE)


def page_read(p: Page) -> schemas.PageRead:
    return schemas.PageRead(
        id=p.id,
        title=p.title,
        keywords=p.keywords,
        description=p.description,
        path=p.path,
        url=f"/{p.path}/",
        content=p.content,
        content_markup_type=p.content_markup_type,
        content_html=p.content_html,
        is_published=p.is_published,
        content_type=p.content_type,
        template_name=p.template_name,
        created=p.created,
        updated=p.updated,
    )


async def _page(tx: AsyncSession, page_id: int, principal: Principal | None) -> Page:
    page = await tx.get(Page, page_id)
    if page is None or not (page.is_published or can_see_drafts(principal)):
        raise NotFoundException(f"No page with id {page_id}.")
    return page


class PagesController(Controller):
    path = "/api/v3/pages"
    tags = ["pages"]

    @get("/", operation_id="pages_list", summary="Pages by path (drafts only for editors)")
    async def list_pages(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        path_prefix: Annotated[str | None, Parameter(max_length=500)] = None,
        is_published: bool | None = None,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> schemas.PageList:
        stmt = select(Page).order_by(Page.path, Page.id)
        if not can_see_drafts(principal_of(request)):
            stmt = stmt.where(Page.is_published)
        if path_prefix:
            stmt = stmt.where(Page.path.startswith(path_prefix.strip("/"), autoescape=True))
        if is_published is not None:
            stmt = stmt.where(Page.is_published == is_published)
        if q:
            stmt = stmt.where(Page.title.icontains(q, autoescape=True))
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.PageList(data=[page_read(p) for p in rows], meta=meta)

    @get("/{page_id:int}", operation_id="pages_read", summary="One page")
    async def read_page(
        self, request: Request[Any, Any, Any], tx: AsyncSession, page_id: PK
    ) -> schemas.PageRead:
        return page_read(await _page(tx, page_id, principal_of(request)))

    @get("/by-path", operation_id="pages_by_path", summary="The page served at a URL path")
    async def by_path(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        path: Annotated[str, Parameter(min_length=1, max_length=500)],
    ) -> schemas.PageRead:
        page = await svc.by_path(tx, path, can_see_drafts=can_see_drafts(principal_of(request)))
        if page is None:
            raise NotFoundException(f"No page at {path!r}.")
        return page_read(page)

    @post(
        "/",
        operation_id="pages_create",
        summary="Add a page",
        guards=[permission_required(ADD_PAGE)],
    )
    async def create_page(self, tx: AsyncSession, data: schemas.PageCreate) -> schemas.PageRead:
        return page_read(await svc.save_page(tx, given_fields(data)))

    @patch(
        "/{page_id:int}",
        operation_id="pages_update",
        summary="Change a page",
        guards=[permission_required(CHANGE_PAGE)],
    )
    async def update_page(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        page_id: PK,
        data: schemas.PageUpdate,
    ) -> schemas.PageRead:
        page = await _page(tx, page_id, principal_of(request))
        return page_read(await svc.save_page(tx, given_fields(data), page))

    @delete(
        "/{page_id:int}",
        operation_id="pages_delete",
        summary="Delete a page with its images and documents (their files too)",
        guards=[permission_required(DELETE_PAGE)],
    )
    async def delete_page(
        self, request: Request[Any, Any, Any], tx: AsyncSession, storage: Storage, page_id: PK
    ) -> None:
        page = await _page(tx, page_id, principal_of(request))
        await svc.delete_page(tx, page, storage)

    @get(
        "/{page_id:int}/attachments",
        operation_id="pages_attachments",
        summary="Images and documents of a page",
    )
    async def attachments(
        self, request: Request[Any, Any, Any], tx: AsyncSession, page_id: PK
    ) -> list[schemas.AttachmentRead]:
        await _page(tx, page_id, principal_of(request))
        storage: Storage = request.app.state.storage
        out = [
            schemas.AttachmentRead(
                id=i.id, page_id=i.page_id, kind="image", name=i.image, url=storage.url(i.image)
            )
            for i in await tx.scalars(select(Image).where(Image.page_id == page_id).order_by(Image.id))
        ]
        out += [
            schemas.AttachmentRead(
                id=d.id,
                page_id=d.page_id,
                kind="document",
                name=d.document,
                url=storage.url(d.document),
            )
            for d in await tx.scalars(
                select(DocumentFile).where(DocumentFile.page_id == page_id).order_by(DocumentFile.id)
            )
        ]
        return out

    @post(
        "/{page_id:int}/attachments",
        operation_id="pages_attach",
        summary="Upload an image or a document (multipart field 'file', 'kind')",
        guards=[permission_required(CHANGE_PAGE)],
    )
    async def attach(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        page_id: PK,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.AttachmentRead:
        page = await _page(tx, page_id, principal_of(request))
        kind = data.get("kind", "document")
        if kind not in ("image", "document"):
            raise ValidationFailed({"kind": ["Must be 'image' or 'document'."]})
        upload = await read_upload(data, image=kind == "image")
        storage: Storage = request.app.state.storage
        directory = page.path if kind == "image" else "files"
        name = await storage.save(safe_name(directory, upload.filename), upload.content)
        obj: Image | DocumentFile = (
            Image(page_id=page.id, image=name)
            if kind == "image"
            else DocumentFile(page_id=page.id, document=name)
        )
        tx.add(obj)
        await tx.flush()
        return schemas.AttachmentRead(id=obj.id, page_id=page.id, kind=kind, name=name, url=storage.url(name))

    @delete(
        "/{page_id:int}/attachments/{kind:str}/{attachment_id:int}",
        operation_id="pages_detach",
        summary="Remove an image or document",
        guards=[permission_required(CHANGE_PAGE)],
    )
    async def detach(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        page_id: PK,
        kind: Annotated[str, Parameter(pattern="^(image|document)$")],
        attachment_id: PK,
    ) -> None:
        await _page(tx, page_id, principal_of(request))
        model: Any = Image if kind == "image" else DocumentFile
        obj = await tx.scalar(select(model).where(model.id == attachment_id, model.page_id == page_id))
        if obj is None:
            raise NotFoundException(f"No {kind} with id {attachment_id} on this page.")
        await tx.delete(obj)
        await tx.flush()
        # The file goes once the row is gone; a failed unlink leaves an orphan, never a dangling row.
        storage: Storage = request.app.state.storage
        name = obj.image if kind == "image" else obj.document
        from pydotorg.core.db import add_after_commit

        add_after_commit(tx, lambda: storage.delete(name))
