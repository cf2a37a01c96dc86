"""Community posts and their links, photos and videos (inventory 1.6).

Posts are in the change feed. Links, photos and videos are parts of their post, not recorded on
their own: a write that changes them bumps the post's ``updated`` in the same flush, so the feed
reports the post (``services``), and the fixture importer names the post as well (``importers``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_POST = register("community.add_post", "Can add community posts")
CHANGE_POST = register("community.change_post", "Can change community posts (and see private ones)")
DELETE_POST = register("community.delete_post", "Can delete community posts")

# python.org's Post.MEDIA_CHOICES and Post.STATUS_CHOICES.
MEDIA_TEXT, MEDIA_PHOTO, MEDIA_VIDEO, MEDIA_LINK = 1, 2, 3, 4
MEDIA_TYPES = {MEDIA_TEXT: "text", MEDIA_PHOTO: "photo", MEDIA_VIDEO: "video", MEDIA_LINK: "link"}
STATUS_PRIVATE, STATUS_PUBLIC = 1, 2
STATUSES = {STATUS_PRIVATE: "private", STATUS_PUBLIC: "public"}


class Link(IntPK, ContentManageable, Base):
    __tablename__ = "community_links"
    # The fixture importer upserts on (post_id, id) so it can report the post as changed; the
    # index also serves "the links of a post".
    __table_args__ = (UniqueConstraint("post_id", "id"),)

    # Nullable as in python.org (the admin inline always set it); a post takes its links along.
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), nullable=True
    )
    url: Mapped[str] = mapped_column(String(1000), default="")


class Photo(IntPK, ContentManageable, Base):
    __tablename__ = "community_photos"
    __table_args__ = (UniqueConstraint("post_id", "id"),)

    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), nullable=True
    )
    image: Mapped[str] = mapped_column(String(400), default="")  # storage path, community/photos/
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    click_through_url: Mapped[str] = mapped_column(String(200), default="")


class Video(IntPK, ContentManageable, Base):
    __tablename__ = "community_videos"
    __table_args__ = (UniqueConstraint("post_id", "id"),)

    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), nullable=True
    )
    # The embed code as python.org stored it (raw HTML); only ``video_embed_html`` is served.
    video_embed: Mapped[str] = mapped_column(Text, default="")
    video_embed_html: Mapped[str] = mapped_column(Text, default="")
    video_data: Mapped[str] = mapped_column(String(400), default="")  # storage path, community/videos/
    caption: Mapped[str] = mapped_column(Text, default="")
    click_through_url: Mapped[str] = mapped_column(String(200), default="")


class Post(IntPK, ContentManageable, Base):
    __tablename__ = "community_posts"
    __change_domain__ = "community"
    __change_kind__ = "post"
    __table_args__ = (
        CheckConstraint("media_type IN (1, 2, 3, 4)", name="media_type"),
        CheckConstraint("status IN (1, 2)", name="status"),
    )

    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="html")
    content_html: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_type: Mapped[int] = mapped_column(default=MEDIA_TEXT)
    source_url: Mapped[str] = mapped_column(String(1000), default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[int] = mapped_column(default=STATUS_PRIVATE, index=True)

    # python.org's related_link / related_photo / related_video, in the order they were written.
    links: Mapped[list[Link]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by=Link.id
    )
    photos: Mapped[list[Photo]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by=Photo.id
    )
    videos: Mapped[list[Video]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by=Video.id
    )
