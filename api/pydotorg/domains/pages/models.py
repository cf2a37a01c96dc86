"""CMS pages at any path, with their images and documents (inventory 1.15)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_PAGE = register("pages.add_page", "Can add pages")
CHANGE_PAGE = register("pages.change_page", "Can change pages (and see drafts)")
DELETE_PAGE = register("pages.delete_page", "Can delete pages")


class Page(IntPK, ContentManageable, Base):
    __tablename__ = "pages"
    __change_domain__ = "pages"
    __change_kind__ = "page"

    title: Mapped[str] = mapped_column(String(500))
    keywords: Mapped[str] = mapped_column(String(1000), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(String(500), unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    content_html: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    content_type: Mapped[str] = mapped_column(String(150), default="text/html")
    template_name: Mapped[str] = mapped_column(String(100), default="")


class Image(IntPK, Base):
    """An image a page's content refers to; ``image`` is the storage path."""

    __tablename__ = "page_images"
    __change_domain__ = "pages"
    __change_kind__ = "image"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    image: Mapped[str] = mapped_column(String(400))


class DocumentFile(IntPK, Base):
    """A downloadable document attached to a page; ``document`` is the storage path."""

    __tablename__ = "page_documents"
    __change_domain__ = "pages"
    __change_kind__ = "document"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(String(500))
