"""Django fixtures -> community posts (``community.post``, ``community.link``, ``community.photo``,
``community.video``).

Links, photos and videos are upserted on ``(post_id, id)``, so the change rows the runner writes
for them name their post (kind ``post``), as the site builder needs. A part without a post was
never shown by python.org and is reported, as is one that moved to another post.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import MARKUP_TYPES, render
from pydotorg.domains.community.models import MEDIA_TYPES, STATUSES, Link, Photo, Post, Video
from pydotorg.domains.community.schemas import URL
from pydotorg.domains.community.services import meta_errors, sanitize_embed

POST = ("community", "post")
HTTP_URL = re.compile(URL)  # what the API accepts: an absolute http(s) URL, or empty


def _markup(fields: Mapping[str, Any]) -> str:
    value = str(fields.get("content_markup_type") or "html")
    markup = "text" if value == "plain" else value
    if markup not in MARKUP_TYPES:
        raise RowError(f"content_markup_type {value!r} is not one of {sorted(MARKUP_TYPES)}")
    return markup


def _choice(fields: Mapping[str, Any], name: str, choices: Mapping[int, str], default: int) -> int:
    value = fields.get(name, default)
    if value not in choices or isinstance(value, bool):
        raise RowError(f"{name} {value!r} is not one of {sorted(choices)}")
    return int(value)


def _text(fields: Mapping[str, Any], name: str, limit: int | None = None) -> str:
    value = str(fields.get(name) or "")
    if limit is not None and len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _url(fields: Mapping[str, Any], name: str, limit: int) -> str:
    value = _text(fields, name, limit)
    if not HTTP_URL.match(value):
        raise RowError(f"{name} {value[:100]!r} is not an http(s) URL")
    return value


def _stored(fields: Mapping[str, Any], name: str) -> str:
    """A storage path as python.org's FileField kept it (``community/photos/x.jpg``)."""
    value = _text(fields, name, 400)
    if value.startswith("/") or ".." in value.split("/") or "\\" in value:
        raise RowError(f"{name} {value[:100]!r} is not a relative storage path")
    return value


def _meta(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):  # django-jsonfield dumped some values as a JSON string
        value = json.loads(value)
    if not isinstance(value, dict):
        raise RowError("meta is not a JSON object")
    if problems := meta_errors(value):
        raise RowError(f"meta: {problems[0]}")
    return value


def _stamps(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
    }


async def convert_post(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    title = fields.get("title")
    if title is not None and len(str(title)) > 200:
        raise RowError("title is longer than 200 characters")
    markup = _markup(fields)
    content = _text(fields, "content")
    abstract = fields.get("abstract")
    return {
        "id": int(pk),
        "title": None if title is None else str(title),
        "content": content,
        "content_markup_type": markup,
        # python.org's _content_rendered is not trusted: rendered and sanitized again.
        "content_html": render(content, markup),
        "abstract": None if abstract is None else str(abstract),
        "media_type": _choice(fields, "media_type", MEDIA_TYPES, 1),
        "source_url": _url(fields, "source_url", 1000),
        "meta": _meta(fields.get("meta")),
        "status": _choice(fields, "status", STATUSES, 1),
        **_stamps(fields),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


async def _part(pk: Any, fields: Mapping[str, Any], ctx: ImportContext, table: Any) -> dict[str, Any]:
    """The columns every part has: its post, the stamps and who made it."""
    post_id = await ctx.require(Post.__table__, fields.get("post"), "post")
    if post_id is None:
        raise RowError("it belongs to no post (python.org never showed it)")
    key = f"{table.name}.post_id"
    if key not in ctx.existing:
        rows = await ctx.session.execute(select(table.c.id, table.c.post_id))
        ctx.existing[key] = {tuple(row) for row in rows}
    # (post_id, id) is the upsert key: a part stored under another post would collide on id.
    moved = [post for part_id, post in ctx.existing[key] if part_id == int(pk) and post != post_id]
    if moved:
        raise RowError(f"it belongs to post {moved[0]}, not {post_id}; delete it there first")
    return {
        "id": int(pk),
        "post_id": post_id,
        **_stamps(fields),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


async def convert_link(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        **await _part(pk, fields, ctx, Link.__table__),
        "url": _url(fields, "url", 1000),
    }


async def convert_photo(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        **await _part(pk, fields, ctx, Photo.__table__),
        "image": _stored(fields, "image"),
        "image_url": _url(fields, "image_url", 1000),
        "caption": _text(fields, "caption"),
        "click_through_url": _url(fields, "click_through_url", 200),
    }


async def convert_video(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    embed = _text(fields, "video_embed")
    return {
        **await _part(pk, fields, ctx, Video.__table__),
        "video_embed": embed,
        "video_embed_html": sanitize_embed(embed),
        "video_data": _stored(fields, "video_data"),
        "caption": _text(fields, "caption"),
        "click_through_url": _url(fields, "click_through_url", 200),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("community.post", Post.__table__, convert_post, POST, order=20),
    *(
        ModelImport(label, model.__table__, convert, POST, order=21, key=("post_id", "id"))
        for label, model, convert in (
            ("community.link", Link, convert_link),
            ("community.photo", Photo, convert_photo),
            ("community.video", Video, convert_video),
        )
    ),
)
