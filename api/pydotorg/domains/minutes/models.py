"""PSF board meeting minutes (inventory 1.13)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_MINUTES = register("minutes.add_minutes", "Can add board minutes")
CHANGE_MINUTES = register("minutes.change_minutes", "Can change board minutes (and see drafts)")
DELETE_MINUTES = register("minutes.delete_minutes", "Can delete board minutes")


class Minutes(IntPK, ContentManageable, Base):
    __tablename__ = "minutes"
    __change_domain__ = "minutes"
    __change_kind__ = "minutes"

    # One meeting a day: the date is the page's URL (/psf/records/board/minutes/YYYY-MM-DD/).
    date: Mapped[date] = mapped_column(Date, unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    content_html: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
