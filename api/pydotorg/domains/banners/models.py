"""Site banners: the notice bar on the home, downloads and PSF pages (inventory 1.1)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_BANNER = register("banners.add_banner", "Can add banners")
CHANGE_BANNER = register("banners.change_banner", "Can change banners (and see inactive ones)")
DELETE_BANNER = register("banners.delete_banner", "Can delete banners")


class Banner(IntPK, Base):
    __tablename__ = "banners"
    __change_domain__ = "banners"
    __change_kind__ = "banner"

    title: Mapped[str] = mapped_column(String(1024))  # the button's text
    message: Mapped[str] = mapped_column(String(2048))
    link: Mapped[str] = mapped_column(String(1024))
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    psf_pages_only: Mapped[bool] = mapped_column(Boolean, default=True)
    # python.org showed "the first" active banner in database order; this makes the order defined.
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
