"""/api/v3/ shapes for community posts, each one document with its links, photos and videos."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import OPTIONAL_HTTP_URL_PATTERN

Markup = Literal["html", "markdown", "restructuredtext", "text"]
MediaType = Annotated[Literal[1, 2, 3, 4], Meta(description="1 text, 2 photo, 3 video, 4 link")]
Status = Annotated[Literal[1, 2], Meta(description="1 private, 2 public")]
Title = Annotated[str, Meta(max_length=200)]
Content = Annotated[str, Meta(min_length=1, max_length=100_000)]
Text = Annotated[str, Meta(max_length=100_000)]
# An absolute http(s) URL with a host, or empty (python.org's blank URLFields).
URL = OPTIONAL_HTTP_URL_PATTERN  # the one link rule (core/urls.py)
Url200 = Annotated[str, Meta(max_length=200, pattern=URL, description="http(s) URL or empty")]
Url1000 = Annotated[str, Meta(max_length=1000, pattern=URL, description="http(s) URL or empty")]
ChildId = Annotated[int, Meta(ge=1, le=2**31 - 1, description="keep this existing item (updated in place)")]
PostMeta = Annotated[dict[str, Any], Meta(max_length=100, description="free-form JSON object")]
MAX_ITEMS = 100


class LinkRead(msgspec.Struct):
    id: int
    url: str
    created: dt.datetime
    updated: dt.datetime


class PhotoRead(msgspec.Struct):
    id: int
    image: str  # storage path ("" when none was uploaded)
    image_public_url: str | None  # where the uploaded image is served
    image_url: str  # an image elsewhere
    caption: str
    click_through_url: str
    created: dt.datetime
    updated: dt.datetime


class VideoRead(msgspec.Struct):
    id: int
    video_embed_html: str  # the sanitized embed: YouTube and Vimeo iframes only
    video_data: str  # storage path ("" when none was uploaded)
    video_data_public_url: str | None
    caption: str
    click_through_url: str
    created: dt.datetime
    updated: dt.datetime
    # The raw embed code as stored: only in answers to editors (who edit it), absent otherwise.
    video_embed: str | UnsetType = UNSET


class PostRead(msgspec.Struct):
    id: int
    url: str
    title: str | None
    content: str
    content_markup_type: str
    content_html: str
    abstract: str | None
    media_type: int
    source_url: str
    meta: dict[str, Any]
    status: int
    links: list[LinkRead]
    photos: list[PhotoRead]
    videos: list[VideoRead]
    created: dt.datetime
    updated: dt.datetime


class LinkInput(Input):
    id: ChildId | None = None
    url: Url1000 = ""


class PhotoInput(Input):
    """``image`` is set by uploading to ``.../photos/{photo_id}/image``; an item with ``id``
    keeps its uploaded image."""

    id: ChildId | None = None
    image_url: Url1000 = ""
    caption: Text = ""
    click_through_url: Url200 = ""


class VideoInput(Input):
    """``video_data`` is set by uploading to ``.../videos/{video_id}/data``."""

    id: ChildId | None = None
    video_embed: Text = ""
    caption: Text = ""
    click_through_url: Url200 = ""


Links = Annotated[list[LinkInput], Meta(max_length=MAX_ITEMS)]
Photos = Annotated[list[PhotoInput], Meta(max_length=MAX_ITEMS)]
Videos = Annotated[list[VideoInput], Meta(max_length=MAX_ITEMS)]


class PostCreate(Input):
    content: Content
    title: Title | None = None
    content_markup_type: Markup = "html"
    abstract: Text | None = None
    media_type: MediaType = 1
    source_url: Url1000 = ""
    meta: PostMeta = {}
    status: Status = 1
    links: Links = []
    photos: Photos = []
    videos: Videos = []


class PostUpdate(Input):
    """A list given here replaces the post's list: items with an ``id`` are kept and updated,
    items without one are added, and the post's items left out are deleted."""

    content: Content | UnsetType = UNSET
    title: Title | UnsetType | None = UNSET
    content_markup_type: Markup | UnsetType = UNSET
    abstract: Text | UnsetType | None = UNSET
    media_type: MediaType | UnsetType = UNSET
    source_url: Url1000 | UnsetType = UNSET
    meta: PostMeta | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    links: Links | UnsetType = UNSET
    photos: Photos | UnsetType = UNSET
    videos: Videos | UnsetType = UNSET


class PostList(msgspec.Struct):
    data: list[PostRead]
    meta: ListMeta
