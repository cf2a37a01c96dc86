"""``/api/v3/community/posts``: python.org's community posts, each with its links, photos and
videos. Public posts for everyone, private ones for editors; writes need the ``community.*``
permissions."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import permission_required, principal_of
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import VIDEO_TYPES, Multipart, read_upload
from pydotorg.domains.community import schemas
from pydotorg.domains.community import services as svc
from pydotorg.domains.community.models import (
    ADD_POST,
    CHANGE_POST,
    DELETE_POST,
    Link,
    Photo,
    Post,
    Video,
)

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def _public_url(storage: Storage, name: str) -> str | None:
    return storage.url(name) if name else None


def link_read(link: Link) -> schemas.LinkRead:
    return schemas.LinkRead(id=link.id, url=link.url, created=link.created, updated=link.updated)


def photo_read(photo: Photo, storage: Storage) -> schemas.PhotoRead:
    return schemas.PhotoRead(
        id=photo.id,
        image=photo.image,
        image_public_url=_public_url(storage, photo.image),
        image_url=photo.image_url,
        caption=photo.caption,
        click_through_url=photo.click_through_url,
        created=photo.created,
        updated=photo.updated,
    )


def video_read(video: Video, storage: Storage, *, raw_embed: bool = False) -> schemas.VideoRead:
    """``video_embed`` (the raw code) only for editors, who edit it; everyone else, the built site
    included, gets the sanitized ``video_embed_html`` alone."""
    return schemas.VideoRead(
        id=video.id,
        video_embed=video.video_embed if raw_embed else msgspec.UNSET,
        video_embed_html=video.video_embed_html,
        video_data=video.video_data,
        video_data_public_url=_public_url(storage, video.video_data),
        caption=video.caption,
        click_through_url=video.click_through_url,
        created=video.created,
        updated=video.updated,
    )


def post_read(p: Post, storage: Storage, *, raw_embed: bool = False) -> schemas.PostRead:
    return schemas.PostRead(
        id=p.id,
        url=svc.post_url(p.id),
        title=p.title,
        content=p.content,
        content_markup_type=p.content_markup_type,
        content_html=p.content_html,
        abstract=p.abstract,
        media_type=p.media_type,
        source_url=p.source_url,
        meta=p.meta,
        status=p.status,
        links=[link_read(link) for link in p.links],
        photos=[photo_read(photo, storage) for photo in p.photos],
        videos=[video_read(video, storage, raw_embed=raw_embed) for video in p.videos],
        created=p.created,
        updated=p.updated,
    )


class CommunityController(Controller):
    path = "/api/v3/community/posts"
    tags = ["community"]

    @get("/", operation_id="community_list", summary="Community posts, newest first (private for editors)")
    async def list_posts(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        media_type: Annotated[
            int | None, Parameter(ge=1, le=4, description="1 text, 2 photo, 3 video, 4 link")
        ] = None,
        status: Annotated[
            int | None, Parameter(ge=1, le=2, description="1 private, 2 public (editors see both)")
        ] = None,
    ) -> schemas.PostList:
        principal = principal_of(request)
        rows, meta = await svc.list_posts(
            tx, principal, limit=limit, offset=offset, status=status, media_type=media_type
        )
        raw = svc.can_see_private(principal)
        return schemas.PostList(data=[post_read(p, storage, raw_embed=raw) for p in rows], meta=meta)

    @get("/{post_id:int}", operation_id="community_read", summary="One community post")
    async def read_post(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        post_id: PK,
    ) -> schemas.PostRead:
        principal = principal_of(request)
        return post_read(
            await svc.get_post(tx, post_id, principal), storage, raw_embed=svc.can_see_private(principal)
        )

    @post(
        "/",
        operation_id="community_create",
        summary="Add a post with its links, photos and videos",
        guards=[permission_required(ADD_POST)],
    )
    async def create_post(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        data: JSONBody[schemas.PostCreate],
    ) -> schemas.PostRead:
        return post_read(await svc.save_post(tx, given_fields(data), storage), storage, raw_embed=True)

    @patch(
        "/{post_id:int}",
        operation_id="community_update",
        summary="Change a post; a links, photos or videos list given replaces that list",
        guards=[permission_required(CHANGE_POST)],
    )
    async def update_post(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        post_id: PK,
        data: JSONBody[schemas.PostUpdate],
    ) -> schemas.PostRead:
        found = await svc.get_post(tx, post_id, principal_of(request))
        saved = await svc.save_post(tx, given_fields(data), storage, found)
        return post_read(saved, storage, raw_embed=True)

    @delete(
        "/{post_id:int}",
        operation_id="community_delete",
        summary="Delete a post with its links, photos and videos",
        guards=[permission_required(DELETE_POST)],
    )
    async def delete_post(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], post_id: PK
    ) -> None:
        # The delete permission covers private posts too (as python.org's admin did).
        await svc.delete_post(tx, await svc.get_post(tx, post_id, any_status=True), storage)

    @post(
        "/{post_id:int}/photos/{photo_id:int}/image",
        operation_id="community_photo_upload",
        summary="Upload a photo's image (multipart field 'file'; png, jpg, gif, svg, webp, ico)",
        guards=[permission_required(CHANGE_POST)],
    )
    async def upload_photo(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        post_id: PK,
        photo_id: PK,
        data: Multipart,
    ) -> schemas.PostRead:
        found = await svc.get_post(tx, post_id, principal_of(request))
        photo = svc.post_part(found.photos, photo_id, "photo")
        upload = await read_upload(data, image=True)
        await svc.attach_file(tx, found, photo, upload, storage)
        return post_read(found, storage, raw_embed=True)

    @post(
        "/{post_id:int}/videos/{video_id:int}/data",
        operation_id="community_video_upload",
        summary="Upload a video's file (multipart field 'file'; mp4, webm, ogv, mov)",
        guards=[permission_required(CHANGE_POST)],
    )
    async def upload_video(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        post_id: PK,
        video_id: PK,
        data: Multipart,
    ) -> schemas.PostRead:
        found = await svc.get_post(tx, post_id, principal_of(request))
        video = svc.post_part(found.videos, video_id, "video")
        upload = await read_upload(data, allowed=VIDEO_TYPES)
        await svc.attach_file(tx, found, video, upload, storage)
        return post_read(found, storage, raw_embed=True)


ROUTE_HANDLERS = [CommunityController]
