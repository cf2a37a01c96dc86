"""PSF working groups (inventory 1.19): charters kept by the PSF. python.org has no public page
for them (admin only), so here they are an API resource."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK, NameSlug
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_GROUP = register("workgroups.add_workgroup", "Can add work groups")
CHANGE_GROUP = register("workgroups.change_workgroup", "Can change work groups (and see unapproved ones)")
DELETE_GROUP = register("workgroups.delete_workgroup", "Can delete work groups")

# The charter's sections (python.org's MarkupFields, reStructuredText by default).
CHARTER_FIELDS = ("purpose", "active_time", "core_values", "rules", "communication", "support")


class WorkGroup(IntPK, NameSlug, ContentManageable, Base):
    __tablename__ = "work_groups"
    __change_domain__ = "workgroups"
    __change_kind__ = "workgroup"

    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    approved: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    short_description: Mapped[str] = mapped_column(Text, default="")
    markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    purpose: Mapped[str] = mapped_column(Text, default="")
    purpose_html: Mapped[str] = mapped_column(Text, default="")
    active_time: Mapped[str] = mapped_column(Text, default="")
    active_time_html: Mapped[str] = mapped_column(Text, default="")
    core_values: Mapped[str] = mapped_column(Text, default="")
    core_values_html: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    rules_html: Mapped[str] = mapped_column(Text, default="")
    communication: Mapped[str] = mapped_column(Text, default="")
    communication_html: Mapped[str] = mapped_column(Text, default="")
    support: Mapped[str] = mapped_column(Text, default="")
    support_html: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(200), default="")
    # Users by id; kept as arrays so an edit of the list is one change of the group.
    organizer_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    member_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
