"""Users, e-mail addresses, PSF membership, groups, named permissions and credentials.

Field names follow python.org's ``users.User``/``users.Membership`` (inventory 1.18) and
allauth's ``EmailAddress``. Permissions are named strings (``downloads.add_release``) granted to
users and to groups, as Django's are; there is no content-type table.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, IntPK, utcnow
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
VIEW_USER = register("users.view_user", "Can view any user, including private fields")
CHANGE_USER = register("users.change_user", "Can change any user")
VIEW_MEMBERSHIP = register("users.view_membership", "Can view every PSF membership")
CHANGE_MEMBERSHIP = register("users.change_membership", "Can change any PSF membership")
MANAGE_GROUPS = register("users.change_group", "Can manage groups and grant permissions")


class SearchVisibility(IntEnum):
    PUBLIC = 1
    PRIVATE = 0


class EmailPrivacy(IntEnum):
    PUBLIC = 0
    LOGGED_IN = 1
    PRIVATE = 2


class MembershipType(IntEnum):
    BASIC = 0
    SUPPORTING = 1
    SPONSOR = 2
    CONTRIBUTING = 4
    FELLOW = 5


user_groups = Table(
    "user_groups",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class User(IntPK, Base):
    __tablename__ = "users"
    __change_domain__ = "users"
    __change_kind__ = "user"
    __change_ignore__ = frozenset({"last_login", "password"})
    __table_args__ = (
        CheckConstraint("search_visibility IN (0, 1)", name="search_visibility"),
        CheckConstraint("email_privacy IN (0, 1, 2)", name="email_privacy"),
    )

    username: Mapped[str] = mapped_column(String(150))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    password: Mapped[str] = mapped_column(String(256), default="!")
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login: Mapped[datetime | None] = mapped_column(nullable=True)
    date_joined: Mapped[datetime] = mapped_column(default=utcnow)
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_markup_type: Mapped[str] = mapped_column(String(30), default="markdown")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    search_visibility: Mapped[int] = mapped_column(Integer, default=SearchVisibility.PUBLIC)
    email_privacy: Mapped[int] = mapped_column(Integer, default=EmailPrivacy.PRIVATE)
    public_profile: Mapped[bool] = mapped_column(Boolean, default=True)

    groups: Mapped[list[Group]] = relationship(secondary=user_groups, lazy="raise")
    membership: Mapped[Membership | None] = relationship(
        back_populates="creator", lazy="raise", uselist=False
    )


class EmailAddress(IntPK, Base):
    """allauth's ``account.EmailAddress``: verification state per address.

    An address is unique only among verified rows (allauth's ``unique_verified_email``): a
    pending or unconfirmed address on one account never blocks another account; the first to
    confirm it keeps it and the others' unconfirmed rows for it are dropped."""

    __tablename__ = "email_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)


Index("uq_users_username_lower", func.lower(User.username), unique=True)
Index(
    "uq_email_addresses_verified_email",
    func.lower(EmailAddress.email),
    unique=True,
    postgresql_where=EmailAddress.verified,
)
Index("ix_email_addresses_email_lower", func.lower(EmailAddress.email))


class Membership(IntPK, Base):
    """PSF membership record (``users.Membership``)."""

    __tablename__ = "memberships"
    __change_domain__ = "users"
    __change_kind__ = "membership"
    __table_args__ = (CheckConstraint("membership_type IN (0, 1, 2, 4, 5)", name="membership_type"),)

    membership_type: Mapped[int] = mapped_column(Integer, default=MembershipType.BASIC)
    legal_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100))
    email_address: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    psf_code_of_conduct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    psf_announcements: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    votes: Mapped[bool] = mapped_column(Boolean, default=False)
    last_vote_affirmation: Mapped[datetime | None] = mapped_column(nullable=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=True
    )

    creator: Mapped[User | None] = relationship(back_populates="membership", lazy="raise")


class UserGroup(IntPK, Base):
    """Legacy list of Python user groups (``users.UserGroup``); kept for the data, not shown."""

    __tablename__ = "user_group_listings"

    name: Mapped[str] = mapped_column(String(255))
    location: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(200))
    url_type: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[datetime | None] = mapped_column(Date, nullable=True)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)


class Group(IntPK, Base):
    __tablename__ = "groups"
    __change_domain__ = "users"
    __change_kind__ = "group"

    name: Mapped[str] = mapped_column(String(150), unique=True)


class GroupPermission(Base):
    __tablename__ = "group_permissions"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(100), primary_key=True)


class UserPermission(Base):
    __tablename__ = "user_permissions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(100), primary_key=True)


class ApiKey(IntPK, Base):
    """A personal API key (also how Tastypie API keys and DRF tokens are carried over).

    Only a SHA-256 of the key is stored; the key itself is shown once, when created.
    ``origin`` is ``personal``, ``tastypie`` or ``drf``.
    """

    __tablename__ = "api_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(10), default="personal")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuthSession(IntPK, Base):
    """A log-in: a bearer token (``kind='token'``) or a browser cookie session (``'cookie'``)."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64), default="")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    expires: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SocialAccount(IntPK, Base):
    """A GitHub or Google account connected to a user (``services/oauth.py``): signing in with it
    opens that user's session. ``provider_user_id`` is the provider's stable id (GitHub's numeric
    id, Google's ``sub``), never the e-mail, which can change at the provider."""

    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("provider", "provider_user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_user_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    created: Mapped[datetime] = mapped_column(default=utcnow)
