"""Companies (inventory 1.7): only an optional link from success stories."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK, NameSlug
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_COMPANY = register("companies.add_company", "Can add companies")
CHANGE_COMPANY = register("companies.change_company", "Can change companies")
DELETE_COMPANY = register("companies.delete_company", "Can delete companies (stories keep their text)")


class Company(IntPK, NameSlug, Base):
    __tablename__ = "companies"
    # The site builder re-reads success stories on any companies change: a story shows its
    # company's name and URL, so a company edit is also a change of its stories' pages.
    __change_domain__ = "companies"
    __change_kind__ = "company"

    about: Mapped[str] = mapped_column(Text, default="")
    about_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    about_html: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str | None] = mapped_column(String(100), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    logo: Mapped[str | None] = mapped_column(String(400), nullable=True)  # storage path
