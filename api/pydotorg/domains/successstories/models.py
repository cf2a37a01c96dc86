"""Success stories and their categories (inventory 1.17)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, ContentManageable, IntPK, NameSlug
from pydotorg.core.permissions import register
from pydotorg.domains.companies.models import Company

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_STORY = register("successstories.add_story", "Can add success stories")
CHANGE_STORY = register("successstories.change_story", "Can change success stories (and see drafts)")
DELETE_STORY = register("successstories.delete_story", "Can delete success stories")
ADD_CATEGORY = register("successstories.add_storycategory", "Can add success story categories")
CHANGE_CATEGORY = register("successstories.change_storycategory", "Can change success story categories")
DELETE_CATEGORY = register("successstories.delete_storycategory", "Can delete empty success story categories")


class StoryCategory(IntPK, NameSlug, Base):
    __tablename__ = "story_categories"
    __change_domain__ = "successstories"
    __change_kind__ = "category"


class Story(IntPK, NameSlug, ContentManageable, Base):
    __tablename__ = "stories"
    __change_domain__ = "successstories"
    __change_kind__ = "story"

    company_name: Mapped[str] = mapped_column(String(500))
    company_url: Mapped[str] = mapped_column(String(200))
    # python.org cascaded a company's deletion to its stories; we keep the stories, which then
    # show their own company_name/company_url again.
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Deleting a category with stories is refused by the API (python.org cascaded).
    category_id: Mapped[int] = mapped_column(
        ForeignKey("story_categories.id", ondelete="RESTRICT"), index=True
    )
    author: Mapped[str] = mapped_column(String(500))
    author_email: Mapped[str | None] = mapped_column(String(100), nullable=True)
    pull_quote: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    content_html: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    image: Mapped[str | None] = mapped_column(String(400), nullable=True)  # storage path
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )

    company: Mapped[Company | None] = relationship(lazy="raise")
    category: Mapped[StoryCategory] = relationship(lazy="raise")
