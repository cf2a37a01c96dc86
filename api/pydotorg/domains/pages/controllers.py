"""``/api/v3/pages/``: CMS pages by id and by path, with image and document uploads."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import Principal, permission_required, principal_of
from pydotorg.core.previews import Loaded, PreviewKind, changed_fields
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import read_upload
from pydotorg.domains.pages import schemas
from pydotorg.domains.pages import services as svc
from pydotorg.domains.pages.models import ADD_PAGE, CHANGE_PAGE, DELETE_PAGE, Image, Page

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


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


class PagesController(Controller):
    path = "/api/v3/pages"
    tags = ["pages"]

    @get("/", operation_id="pages_list", summary="Pages by path (drafts only for editors)")
    async def list_pages(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        path_prefix: Annotated[str | None, Parameter(max_length=500)] = None,
        is_published: FromQuery[bool | None] = None,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> schemas.PageList:
        rows, meta = await svc.list_pages(
            tx,
            principal_of(request),
            limit=limit,
            offset=offset,
            path_prefix=path_prefix,
            is_published=is_published,
            q=q,
        )
        return schemas.PageList(data=[page_read(p) for p in rows], meta=meta)

    @get("/{page_id:int}", operation_id="pages_read", summary="One page")
    async def read_page(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], page_id: PK
    ) -> schemas.PageRead:
        return page_read(await svc.get_page(tx, page_id, principal_of(request)))

    @get("/by-path", operation_id="pages_by_path", summary="The page served at a URL path")
    async def by_path(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        path: Annotated[str, Parameter(min_length=1, max_length=500)],
    ) -> schemas.PageRead:
        return page_read(await svc.page_at(tx, path, principal_of(request)))

    @post(
        "/",
        operation_id="pages_create",
        summary="Add a page",
        guards=[permission_required(ADD_PAGE)],
    )
    async def create_page(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.PageCreate]
    ) -> schemas.PageRead:
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
        tx: NamedDependency[AsyncSession],
        page_id: PK,
        data: JSONBody[schemas.PageUpdate],
    ) -> schemas.PageRead:
        page = await svc.get_page(tx, page_id, principal_of(request))
        return page_read(await svc.save_page(tx, given_fields(data), page))

    @delete(
        "/{page_id:int}",
        operation_id="pages_delete",
        summary="Delete a page with its images and documents (their files too)",
        guards=[permission_required(DELETE_PAGE)],
    )
    async def delete_page(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        page_id: PK,
    ) -> None:
        page = await svc.get_page(tx, page_id, principal_of(request))
        await svc.delete_page(tx, page, storage)

    @get(
        "/{page_id:int}/attachments",
        operation_id="pages_attachments",
        summary="Images and documents of a page",
    )
    async def attachments(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], page_id: PK
    ) -> list[schemas.AttachmentRead]:
        await svc.get_page(tx, page_id, principal_of(request))
        storage: Storage = request.app.state.storage
        images, documents = await svc.attachments(tx, page_id)
        out = [
            schemas.AttachmentRead(
                id=i.id, page_id=i.page_id, kind="image", name=i.image, url=storage.url(i.image)
            )
            for i in images
        ]
        out += [
            schemas.AttachmentRead(
                id=d.id,
                page_id=d.page_id,
                kind="document",
                name=d.document,
                url=storage.url(d.document),
            )
            for d in documents
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
        tx: NamedDependency[AsyncSession],
        page_id: PK,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.AttachmentRead:
        page = await svc.get_page(tx, page_id, principal_of(request))
        kind = data.get("kind", "document")
        if kind not in ("image", "document"):
            raise ValidationFailed({"kind": ["Must be 'image' or 'document'."]})
        upload = await read_upload(data, image=kind == "image")
        storage: Storage = request.app.state.storage
        attachment = await svc.attach(tx, page, kind, upload, storage)
        name = attachment.image if isinstance(attachment, Image) else attachment.document
        return schemas.AttachmentRead(
            id=attachment.id, page_id=page.id, kind=kind, name=name, url=storage.url(name)
        )

    @delete(
        "/{page_id:int}/attachments/{kind:str}/{attachment_id:int}",
        operation_id="pages_detach",
        summary="Remove an image or document",
        guards=[permission_required(CHANGE_PAGE)],
    )
    async def detach(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        page_id: PK,
        kind: Annotated[str, Parameter(pattern="^(image|document)$")],
        attachment_id: PK,
    ) -> None:
        await svc.get_page(tx, page_id, principal_of(request))
        await svc.detach(tx, page_id, kind, attachment_id, request.app.state.storage)


async def _preview(
    session: AsyncSession, principal: Principal, page_id: int, changes: dict[str, Any] | None
) -> Loaded:
    """A page as its public read will answer once published (``changes`` saved, to be rolled back)."""
    page = await svc.get_page(session, page_id, principal)
    if changes:
        page = await svc.save_page(session, changed_fields(schemas.PageUpdate, changes), page)
    return msgspec.structs.replace(page_read(page), is_published=True), {}


PREVIEWS = (PreviewKind("page", CHANGE_PAGE, _preview, takes_changes=True),)
