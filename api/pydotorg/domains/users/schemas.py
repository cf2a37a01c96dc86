"""Request and response shapes for users, authentication, API keys and membership.

Inputs forbid unknown fields and bound every string and integer, so bad input is a 400 that
names the field. Read schemas never carry password hashes or API keys (a key appears once, in
``ApiKeyCreated``); a hidden e-mail address is left out of ``UserPublic``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

Username = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=150,
        pattern=r"^[A-Za-z0-9@.+_-]+$",
        description="Letters, digits and @ . + - _",
    ),
]
Email = Annotated[
    str, Meta(min_length=3, max_length=254, pattern=r"^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$")
]
MemberEmail = Annotated[
    str, Meta(min_length=3, max_length=100, pattern=r"^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$")
]
Password = Annotated[str, Meta(min_length=8, max_length=256)]
Name150 = Annotated[str, Meta(max_length=150)]
Str100 = Annotated[str, Meta(max_length=100)]
Token = Annotated[str, Meta(min_length=1, max_length=2000)]
MarkupTypeField = Literal["markdown", "restructuredtext", "html", "text"]


# --- authentication ------------------------------------------------------------------------


class SignupRequest(Input):
    """python.org's sign-up form. ``website`` is its honeypot: the form hides the field from
    people, so only a bot fills it; a filled one is answered like a sign-up and creates nothing."""

    username: Username
    email: Email
    password: Password
    website: Annotated[str, Meta(max_length=200)] = ""


class LoginRequest(Input):
    login: Annotated[str, Meta(min_length=1, max_length=254, description="username or e-mail")]
    password: Annotated[str, Meta(min_length=1, max_length=256)]
    session: Literal["token", "cookie"] = "token"


class VerifyEmailRequest(Input):
    token: Token


class VerificationResendRequest(Input):
    """A new confirmation link: for the address in an expired (but genuine) ``token`` from an
    earlier message, or for an ``email`` typed in. Exactly one of the two."""

    token: Token | None = None
    email: Email | None = None


class PasswordChangeRequest(Input):
    old_password: Annotated[str, Meta(min_length=1, max_length=256)]
    new_password: Password


class PasswordResetRequest(Input):
    email: Email


class PasswordResetConfirm(Input):
    token: Token
    new_password: Password


class Detail(msgspec.Struct):
    detail: str


class LoginResponse(msgspec.Struct):
    user: UserPrivate
    expires: datetime
    token: str | None = None
    token_type: str | None = None
    csrf_token: str | None = None


# --- users ---------------------------------------------------------------------------------


class UserPublic(msgspec.Struct, omit_defaults=True):
    id: int
    username: str
    first_name: str
    last_name: str
    bio: str
    bio_markup_type: str
    bio_html: str
    date_joined: datetime
    has_membership: bool
    email: str | None = None


class ProfileRead(msgspec.Struct):
    """What a searchable user's public profile page shows (``/users/<username>/``), readable
    anonymously. ``email`` is there only when its owner lets anyone see it (``email_privacy``
    0); ``email_privacy`` 1 tells the page to ask the API for it on behalf of a logged-in
    visitor (``GET /users/{username}``), so no static file holds such an address."""

    id: int
    username: str
    first_name: str
    last_name: str
    bio_html: str
    date_joined: datetime
    has_membership: bool
    email_privacy: int
    email: str | None


class UserPrivate(msgspec.Struct):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    bio: str
    bio_markup_type: str
    bio_html: str
    search_visibility: int
    email_privacy: int
    public_profile: bool
    is_active: bool
    is_staff: bool
    is_superuser: bool
    date_joined: datetime
    last_login: datetime | None
    has_membership: bool
    groups: list[str]
    permissions: list[str]
    pending_email: str | None = None  # asked for, not confirmed yet; ``email`` is still in use


class UserUpdate(Input):
    username: Username | UnsetType = UNSET
    first_name: Name150 | UnsetType = UNSET
    last_name: Name150 | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    bio: Annotated[str, Meta(max_length=20_000)] | UnsetType = UNSET
    bio_markup_type: MarkupTypeField | UnsetType = UNSET
    search_visibility: Literal[0, 1] | UnsetType = UNSET
    email_privacy: Literal[0, 1, 2] | UnsetType = UNSET
    public_profile: bool | UnsetType = UNSET
    # python.org's profile form carried its honeypot: hidden from people, so only a bot fills
    # it; a filled one is refused (400) and nothing is stored.
    website: Annotated[str, Meta(max_length=200)] = ""


class UserAdminUpdate(UserUpdate):
    is_active: bool | UnsetType = UNSET
    is_staff: bool | UnsetType = UNSET
    is_superuser: bool | UnsetType = UNSET


# Lists are bounded too: an unbounded ``IN (...)`` would exceed asyncpg's 32767 parameters.
PermissionNames = Annotated[list[Annotated[str, Meta(max_length=100)]], Meta(max_length=1000)]
GroupNames = Annotated[list[Annotated[str, Meta(max_length=150)]], Meta(max_length=1000)]


class GrantsUpdate(Input):
    permissions: PermissionNames | UnsetType = UNSET
    groups: GroupNames | UnsetType = UNSET


class GroupCreate(Input):
    name: Annotated[str, Meta(min_length=1, max_length=150)]
    permissions: PermissionNames = msgspec.field(default_factory=list)


class GroupRead(msgspec.Struct):
    id: int
    name: str
    permissions: list[str]


class PermissionRead(msgspec.Struct):
    name: str
    description: str


# --- API keys ------------------------------------------------------------------------------


class ApiKeyCreate(Input):
    name: Annotated[str, Meta(max_length=100)] = ""


class ApiKeyRead(msgspec.Struct):
    id: int
    name: str
    prefix: str
    origin: str
    created: datetime
    last_used: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created: datetime
    key: str


# --- membership ----------------------------------------------------------------------------


class MembershipCreate(Input):
    legal_name: Annotated[str, Meta(min_length=1, max_length=100)]
    preferred_name: Annotated[str, Meta(min_length=1, max_length=100)]
    email_address: MemberEmail
    city: Annotated[str, Meta(min_length=1, max_length=100)]
    region: Annotated[str, Meta(min_length=1, max_length=100)]
    country: Annotated[str, Meta(min_length=1, max_length=100)]
    postal_code: Annotated[str, Meta(min_length=1, max_length=20)]
    psf_code_of_conduct: bool
    psf_announcements: bool = False
    votes: bool = False
    # The honeypot python.org put on its membership forms: hidden from people, so only a bot
    # fills it; a filled one is refused (400) and nothing is stored.
    website: Annotated[str, Meta(max_length=200)] = ""


class MembershipUpdate(Input):
    legal_name: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    preferred_name: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    email_address: MemberEmail | UnsetType = UNSET
    city: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    region: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    country: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    postal_code: Annotated[str, Meta(min_length=1, max_length=20)] | UnsetType = UNSET
    psf_announcements: bool | UnsetType = UNSET
    votes: bool | UnsetType = UNSET
    website: Annotated[str, Meta(max_length=200)] = ""  # the honeypot, as on create


class MembershipRead(msgspec.Struct):
    id: int
    membership_type: int
    membership_type_name: str
    legal_name: str
    preferred_name: str
    email_address: str
    city: str
    region: str
    country: str
    postal_code: str
    psf_code_of_conduct: bool | None
    psf_announcements: bool | None
    votes: bool
    last_vote_affirmation: datetime | None
    needs_vote_affirmation: bool
    higher_level_member: bool
    created: datetime
    updated: datetime
    username: str | None


# --- lists ---------------------------------------------------------------------------------


class UserList(msgspec.Struct):
    data: list[UserPrivate]
    meta: ListMeta


class ProfileList(msgspec.Struct):
    data: list[ProfileRead]
    meta: ListMeta


class MembershipList(msgspec.Struct):
    data: list[MembershipRead]
    meta: ListMeta


# --- GitHub and Google sign-in (services/oauth.py) -------------------------------------------


class OAuthProviderRead(msgspec.Struct):
    """A configured sign-in provider; ``authorize_url`` is where a browser starts the flow (add
    ``?next=/a/path/`` to come back to a page of the site)."""

    name: str
    label: str
    authorize_url: str


class SocialAccountRead(msgspec.Struct):
    id: int
    provider: str
    label: str
    email: str
    created: datetime


class ConnectionsRead(msgspec.Struct):
    """Your connected sign-in accounts; ``has_password`` says whether a password also opens the
    account (the last connection of an account without one cannot be removed)."""

    has_password: bool
    connections: list[SocialAccountRead]
