"""Code samples: the home page's slideshow of code and explanation (inventory 1.5)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_SAMPLE = register("codesamples.add_codesample", "Can add code samples")
CHANGE_SAMPLE = register("codesamples.change_codesample", "Can change code samples (and see drafts)")
DELETE_SAMPLE = register("codesamples.delete_codesample", "Can delete code samples")


class CodeSample(IntPK, ContentManageable, Base):
    __tablename__ = "code_samples"
    __change_domain__ = "codesamples"
    __change_kind__ = "sample"

    code: Mapped[str] = mapped_column(Text, default="")
    code_markup_type: Mapped[str] = mapped_column(String(30), default="html")
    code_html: Mapped[str] = mapped_column(Text, default="")
    copy: Mapped[str] = mapped_column(Text, default="")
    copy_markup_type: Mapped[str] = mapped_column(String(30), default="html")
    copy_html: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # python.org took "the first 5 published" in database order; this makes the order defined.
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
