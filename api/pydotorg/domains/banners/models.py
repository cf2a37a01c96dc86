"""Site banners: the notice bar on the home, downloads and PSF pages (inventory 1.1)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK


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
