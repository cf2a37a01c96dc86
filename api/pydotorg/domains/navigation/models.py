"""Navigation menus: python.org's django-sitetree trees and items (inventory 3.9)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
CHANGE_MENU = register("navigation.change_menu", "Can change navigation menus")


class NavTree(IntPK, Base):
    __tablename__ = "nav_trees"
    __change_domain__ = "navigation"
    __change_kind__ = "tree"

    alias: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(100), default="")


class NavItem(IntPK, Base):
    """One menu entry. ``url`` is a path or absolute URL, or (``url_as_pattern``) the name of
    one of python.org's URL patterns, resolved to a path by the API (``href``)."""

    __tablename__ = "nav_items"
    __table_args__ = (UniqueConstraint("tree_id", "alias"),)
    __change_domain__ = "navigation"
    __change_kind__ = "item"

    tree_id: Mapped[int] = mapped_column(ForeignKey("nav_trees.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("nav_items.id", ondelete="CASCADE"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    hint: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(200))
    url_as_pattern: Mapped[bool] = mapped_column(Boolean, default=False)
    alias: Mapped[str | None] = mapped_column(String(80), nullable=True)
    description: Mapped[str] = mapped_column(String(250), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    in_menu: Mapped[bool] = mapped_column(Boolean, default=True)
    in_breadcrumbs: Mapped[bool] = mapped_column(Boolean, default=True)
    in_sitetree: Mapped[bool] = mapped_column(Boolean, default=True)
    access_loggedin: Mapped[bool] = mapped_column(Boolean, default=False)
    access_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    access_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
