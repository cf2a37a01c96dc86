"""Community post rules: a post is written as one document with its links, photos and videos;
``content_html`` is rendered and sanitized; a video's embed code is reduced to YouTube and Vimeo
iframes; a change to any part reports the post in the change feed; files of removed photos and
videos are deleted once the change is committed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import msgspec
import nh3
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from pydotorg.core.db import add_after_commit, utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, visible_or_404
from pydotorg.core.storage import Storage, safe_name
from pydotorg.core.uploads import Upload
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.community.models import (
    CHANGE_POST,
    MEDIA_TEXT,
    STATUS_PRIVATE,
    STATUS_PUBLIC,
    Link,
    Photo,
    Post,
    Video,
)

PHOTOS_DIR = "community/photos"  # python.org's upload_to
VIDEOS_DIR = "community/videos"

DEFAULTS: dict[str, Any] = {
    "title": None,
    "content": "",
    "content_markup_type": "html",
    "abstract": None,
    "media_type": MEDIA_TEXT,
    "source_url": "",
    "meta": {},
    "status": STATUS_PRIVATE,
}

Child = Link | Photo | Video
# list name -> (model, what one item is called, the columns a request sets)
PARTS: dict[str, tuple[type[Child], str, tuple[str, ...]]] = {
    "links": (Link, "link", ("url",)),
    "photos": (Photo, "photo", ("image_url", "caption", "click_through_url")),
    "videos": (Video, "video", ("video_embed", "caption", "click_through_url")),
}


def post_url(post_id: int) -> str:
    """python.org's ``Post.get_absolute_url``."""
    return f"/community/{post_id}/"


# --- video embeds ----------------------------------------------------------------------------

EMBED_HOSTS = frozenset({"www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com"})
_EMBED_ATTRIBUTES = {"src", "width", "height", "title", "allow", "allowfullscreen", "frameborder"}
_SIZE = re.compile(r"^\d{1,4}%?$")
# nh3's output: lower-case names, values always in double quotes with '"' escaped, and an
# iframe's content is raw text up to the first "</iframe>".
_IFRAME = re.compile(r'<iframe((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>.*?</iframe>', re.DOTALL)


def embed_src(value: str) -> str | None:
    """An https URL on an allowed player host, or None. Old embed codes used ``http://`` or
    ``//``; the same player over https is what they meant."""
    if value.startswith("//"):
        value = "https:" + value
    elif value.lower().startswith("http://"):
        value = "https://" + value[7:]
    if http_url_errors(value):  # the one link rule (core/urls.py): no backslash, space, userinfo
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or parts.username is not None or parts.password is not None:
        return None
    if port is not None or (parts.hostname or "") not in EMBED_HOSTS:
        return None
    return value


def _embed_attribute(_tag: str, name: str, value: str) -> str | None:
    if name == "src":
        return embed_src(value)
    if name in ("width", "height"):
        return value if _SIZE.match(value) else None
    return value


def sanitize_embed(raw: str) -> str:
    """Only ``<iframe>`` players from ``EMBED_HOSTS`` (https), with size, title and
    fullscreen attributes, each rebuilt empty; everything else is dropped."""
    if not raw:
        return ""
    cleaned = nh3.clean(
        raw,
        tags={"iframe"},
        clean_content_tags={"script", "style"},
        attributes={"iframe": _EMBED_ATTRIBUTES},
        attribute_filter=_embed_attribute,
        url_schemes={"http", "https"},
        link_rel=None,
    )
    return "".join(
        f"<iframe{m.group(1)}></iframe>" for m in _IFRAME.finditer(cleaned) if ' src="' in m.group(1)
    )


# --- reading ---------------------------------------------------------------------------------


def posts_query() -> Any:
    return select(Post).options(
        selectinload(Post.links), selectinload(Post.photos), selectinload(Post.videos)
    )


async def load_post(session: AsyncSession, post_id: int) -> Post | None:
    stmt = posts_query().where(Post.id == post_id).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).first()


def can_see_private(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_POST)


async def get_post(
    session: AsyncSession, post_id: int, principal: Principal | None = None, *, any_status: bool = False
) -> Post:
    """A post with its parts, if the caller may see it (a public one, any for editors, or any at
    all with ``any_status``); else 404."""
    return visible_or_404(
        await load_post(session, post_id),
        f"No community post with id {post_id}.",
        lambda p: any_status or p.status == STATUS_PUBLIC or can_see_private(principal),
    )


def post_part(items: Sequence[Child], part_id: int, noun: str) -> Any:
    """The photo or video ``part_id`` of a post's ``items``; else 404."""
    return visible_or_404(
        next((item for item in items if item.id == part_id), None),
        f"This post has no {noun} with id {part_id}.",
    )


async def list_posts(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    status: int | None = None,
    media_type: int | None = None,
) -> tuple[list[Post], ListMeta]:
    """Posts newest first; private ones only for editors."""
    stmt = posts_query().order_by(Post.created.desc(), Post.id.desc())
    if not can_see_private(principal):
        stmt = stmt.where(Post.status == STATUS_PUBLIC)
    if status is not None:
        stmt = stmt.where(Post.status == status)
    if media_type is not None:
        stmt = stmt.where(Post.media_type == media_type)
    return await paginate(session, stmt, limit, offset)


# --- writing ---------------------------------------------------------------------------------


def _fields(value: Any) -> dict[str, Any]:
    """A nested request struct as a mapping (``given_fields`` converts only the top level)."""
    return msgspec.structs.asdict(value) if isinstance(value, msgspec.Struct) else dict(value)


META_DEPTH = 32


def meta_errors(meta: Any) -> list[str]:
    """What PostgreSQL's jsonb (NUL) or its encoder (deep nesting) would refuse, as messages."""
    stack: list[tuple[Any, int]] = [(meta, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            return ["NUL characters are not allowed."]
        if isinstance(value, dict | list):
            if depth > META_DEPTH:
                return [f"Nested deeper than {META_DEPTH} levels."]
            items = [*value, *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return []


def _files(child: Child) -> list[str]:
    name = child.image if isinstance(child, Photo) else child.video_data if isinstance(child, Video) else ""
    return [name] if name else []


def _check_parts(post: Post | None, lists: Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    """Every ``id`` in a list must be one of this post's items of that kind, given once."""
    errors: dict[str, list[str]] = {}
    for name, items in lists.items():
        _, noun, _ = PARTS[name]
        current = {c.id for c in getattr(post, name)} if post is not None else set()
        seen: set[int] = set()
        for index, item in enumerate(items):
            child_id = _fields(item).get("id")
            if child_id is None:
                continue
            if child_id not in current:
                errors[f"{name}[{index}].id"] = [f"This post has no {noun} with id {child_id}."]
            elif child_id in seen:
                errors[f"{name}[{index}].id"] = [f"The {noun} with id {child_id} is given twice."]
            seen.add(child_id)
    return errors


def _replace_parts(post: Post, name: str, items: Sequence[Any], doomed: list[str]) -> bool:
    """Make ``post.<name>`` the given list; returns whether anything changed."""
    model, _, columns = PARTS[name]
    current: dict[int, Child] = {c.id: c for c in getattr(post, name)}
    kept: list[Child] = []
    changed = False
    for item in items:
        values = _fields(item)
        child_id = values.pop("id", None)
        values = {k: v for k, v in values.items() if k in columns}
        if child_id is None:
            child: Child = model(**values)
            changed = True
        else:
            child = current[child_id]
            changed |= assign_changed(child, values)
        if isinstance(child, Video):
            html = sanitize_embed(child.video_embed or "")
            if child.video_embed_html != html:
                child.video_embed_html = html
                changed = True
        kept.append(child)
    kept_ids = {c.id for c in kept if c.id is not None}
    for child_id, child in current.items():
        if child_id not in kept_ids:
            doomed.extend(_files(child))
            changed = True
    if changed:
        setattr(post, name, kept)
    return changed


def _delete_files_after_commit(session: AsyncSession, storage: Storage, names: list[str]) -> None:
    # The files go once the rows are gone; a failed unlink leaves an orphan, never a dangling row.
    for name in dict.fromkeys(names):
        add_after_commit(session, partial(storage.delete, name))


async def save_post(
    session: AsyncSession, data: Mapping[str, Any], storage: Storage, post: Post | None = None
) -> Post:
    """Create or change a post and the lists given with it, all in the caller's transaction.
    ``post`` must have been loaded with its parts (``load_post``)."""
    values = dict(data)
    lists = {name: values.pop(name) for name in PARTS if name in values}
    errors = _check_parts(post, lists)
    if problems := meta_errors(values.get("meta")):
        errors["meta"] = problems
    if errors:
        raise ValidationFailed(errors)
    doomed: list[str] = []
    if post is None:
        post = Post(**{**DEFAULTS, **values})
        for name in PARTS:
            _replace_parts(post, name, lists.get(name, []), doomed)
    else:
        parts_changed = False
        assign_changed(post, values)
        for name, items in lists.items():
            parts_changed |= _replace_parts(post, name, items, doomed)
        if parts_changed:
            post.updated = utcnow()  # the parts have no feed entry of their own
    assign_changed(post, {"content_html": render(post.content or "", post.content_markup_type)})
    session.add(post)
    await session.flush()
    _delete_files_after_commit(session, storage, doomed)
    loaded = await load_post(session, post.id)
    assert loaded is not None
    return loaded


async def delete_post(session: AsyncSession, post: Post, storage: Storage) -> None:
    parts: list[Child] = [*post.photos, *post.videos]
    doomed = [name for child in parts for name in _files(child)]
    await session.delete(post)
    await session.flush()
    _delete_files_after_commit(session, storage, doomed)


async def attach_file(
    session: AsyncSession, post: Post, child: Photo | Video, upload: Upload, storage: Storage
) -> None:
    """Store an uploaded photo image or video file; the one it replaces goes after the commit."""
    directory, column = (PHOTOS_DIR, "image") if isinstance(child, Photo) else (VIDEOS_DIR, "video_data")
    name = await storage.save(safe_name(directory, upload.filename), upload.content)
    old = getattr(child, column)
    setattr(child, column, name)
    post.updated = utcnow()  # the photo or video has no feed entry of its own
    await session.flush()
    if old and old != name:
        _delete_files_after_commit(session, storage, [old])
