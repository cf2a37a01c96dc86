"""Feature flags (python.org's django-waffle ``Flag``, inventory 3.11): named switches such as
``psf_membership`` and ``sponsorship-applications-open``, on for everyone, for some callers, or
for a share of logged-in users."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Column, ForeignKey, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, IntPK, utcnow
from pydotorg.core.permissions import register

# Who the flag is on for, besides the rules on the flag itself (waffle's ``users``/``groups``).
flag_groups = Table(
    "feature_flag_groups",
    Base.metadata,
    Column("flag_id", ForeignKey("feature_flags.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)
flag_users = Table(
    "feature_flag_users",
    Base.metadata,
    Column("flag_id", ForeignKey("feature_flags.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_FLAG = register("flags.add_flag", "Can add feature flags")
CHANGE_FLAG = register("flags.change_flag", "Can change feature flags (and see them all)")
DELETE_FLAG = register("flags.delete_flag", "Can delete feature flags")


class Flag(IntPK, Base):
    __tablename__ = "feature_flags"
    __change_domain__ = "flags"
    __change_kind__ = "flag"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    # True: on for everyone; False: off for everyone; None: the rules below decide.
    everyone: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(3, 1), nullable=True)  # 0.0-99.9
    testing: Mapped[bool] = mapped_column(Boolean, default=False)  # stored, not evaluated
    superusers: Mapped[bool] = mapped_column(Boolean, default=True)
    staff: Mapped[bool] = mapped_column(Boolean, default=False)
    authenticated: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(Text, default="")  # stored, not evaluated
    rollout: Mapped[bool] = mapped_column(Boolean, default=False)  # stored, not evaluated
    note: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    modified: Mapped[datetime] = mapped_column(default=utcnow)
