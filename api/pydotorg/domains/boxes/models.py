"""Boxes: label-addressed markup snippets the theme places on pages (inventory 1.3)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_BOX = register("boxes.add_box", "Can add boxes")
CHANGE_BOX = register("boxes.change_box", "Can change boxes")
DELETE_BOX = register("boxes.delete_box", "Can delete boxes")


class Box(IntPK, ContentManageable, Base):
    __tablename__ = "boxes"
    __change_domain__ = "boxes"
    __change_kind__ = "box"

    label: Mapped[str] = mapped_column(String(100), unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    content_html: Mapped[str] = mapped_column(Text, default="")
