"""The job board: job types, job categories, job listings and their review comments (inventory 1.10).

Field names follow python.org's ``jobs`` models. Each markup field is three columns, as
django-markupfield stored it: the raw text, its markup type and the sanitized HTML. The listing's
``job_types`` many-to-many lives in ``job_job_types``; its foreign key to ``jobs`` is checked at
commit (deferred) so the Django importer can write a job's types while converting the job, before
the job rows themselves are upserted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, ContentManageable, IntPK, NameSlug
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
MODERATE = register("jobs.moderate", "Can moderate job listings (review, approve, reject, remove, feature)")

DRAFT = "draft"
REVIEW = "review"
APPROVED = "approved"
REJECTED = "rejected"
ARCHIVED = "archived"
REMOVED = "removed"
EXPIRED = "expired"
STATUSES = (DRAFT, REVIEW, APPROVED, REJECTED, ARCHIVED, REMOVED, EXPIRED)
# python.org's ``Job.editable``: the owner may still change the listing.
EDITABLE = frozenset({DRAFT, REVIEW, REJECTED})


class JobType(IntPK, NameSlug, Base):
    """e.g. "Web", "Cloud"; only active types can be given to a listing."""

    __tablename__ = "job_types"
    __change_domain__ = "jobs"
    __change_kind__ = "type"

    active: Mapped[bool] = mapped_column(Boolean, default=True)


class JobCategory(IntPK, NameSlug, Base):
    """e.g. "Software Developer"; every listing has exactly one."""

    __tablename__ = "job_categories"
    __change_domain__ = "jobs"
    __change_kind__ = "category"

    active: Mapped[bool] = mapped_column(Boolean, default=True)


job_job_types = Table(
    "job_job_types",
    Base.metadata,
    Column(
        "job_id",
        ForeignKey("jobs.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        primary_key=True,
    ),
    Column("job_type_id", ForeignKey("job_types.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Job(IntPK, ContentManageable, Base):
    """A listing; ``creator_id`` is its owner (python.org's ``Job.objects.by(user)``)."""

    __tablename__ = "jobs"
    __change_domain__ = "jobs"
    __change_kind__ = "job"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'review', 'approved', 'rejected', 'archived', 'removed', 'expired')",
            name="status",
        ),
    )

    category_id: Mapped[int] = mapped_column(ForeignKey("job_categories.id"), index=True)
    other_job_type: Mapped[str] = mapped_column(String(100), default="")
    company_name: Mapped[str] = mapped_column(String(100), default="")
    company_description: Mapped[str] = mapped_column(Text, default="")
    company_description_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    company_description_html: Mapped[str] = mapped_column(Text, default="")
    job_title: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), index=True)
    location_slug: Mapped[str] = mapped_column(String(350), index=True)
    country_slug: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    description_html: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    requirements_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    requirements_html: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    url: Mapped[str] = mapped_column(String(200), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=REVIEW, index=True)
    expires: Mapped[datetime | None] = mapped_column(nullable=True)
    telecommuting: Mapped[bool] = mapped_column(Boolean, default=False)
    agencies: Mapped[bool] = mapped_column(Boolean, default=True)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    category: Mapped[JobCategory] = relationship(lazy="raise")
    job_types: Mapped[list[JobType]] = relationship(
        secondary=job_job_types, lazy="raise", order_by=JobType.name
    )

    @property
    def display_name(self) -> str:
        return f"{self.job_title}, {self.company_name}"

    @property
    def display_location(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


Index("ix_jobs_creator_id", Job.creator_id)


class JobReviewComment(IntPK, ContentManageable, Base):
    """A comment between the owner and the moderators. Not public, so not in the change feed."""

    __tablename__ = "job_review_comments"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_markup_type: Mapped[str] = mapped_column(String(30), default="restructuredtext")
    comment_html: Mapped[str] = mapped_column(Text, default="")
