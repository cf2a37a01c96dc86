"""Redirects stored in the database (python.org's ``django.contrib.redirects``): an old path on
the site answers 301 to a new path or URL, or 410 Gone when the new path is empty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK, utcnow
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_REDIRECT = register("redirects.add_redirect", "Can add redirects")
CHANGE_REDIRECT = register("redirects.change_redirect", "Can change redirects")
DELETE_REDIRECT = register("redirects.delete_redirect", "Can delete redirects")


class Redirect(IntPK, Base):
    __tablename__ = "redirects"
    __change_domain__ = "redirects"
    __change_kind__ = "redirect"

    # python.org serves one site, so Django's unique (site, old_path) is unique old_path here.
    old_path: Mapped[str] = mapped_column(String(200), unique=True)
    new_path: Mapped[str] = mapped_column(String(200), default="")  # "" means gone (410)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow)
