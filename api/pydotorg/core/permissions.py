"""Named permissions, the authenticated principal and the guards every domain uses.

A permission is ``<domain>.<codename>`` (``downloads.add_release``, ``jobs.moderate``), granted
to a user directly or through a group, as in Django. Superusers hold every permission; inactive
users hold none. Each domain registers the names it checks with ``register`` in its
``models.py`` (``pydotorg.models`` imports them all); granting an unregistered name is refused,
so typos cannot silently grant nothing. The platform's own (``site.*``) are declared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

PERMISSIONS: dict[str, str] = {}


def register(name: str, description: str) -> str:
    domain, _, codename = name.partition(".")
    if not domain or not codename:
        raise ValueError(f"permission {name!r} must look like '<domain>.<codename>'")
    PERMISSIONS[name] = description
    return name


READ_CHANGES = register("site.read_changes", "Can read the change feed (the site builder)")
VIEW_SITE_STATUS = register(
    "site.view_status", "Can see the state of site builds (published cursor, skipped records, errors)"
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling. ``method``: token, cookie, apikey, tastypie or drf."""

    user_id: int
    username: str
    is_staff: bool
    is_superuser: bool
    is_active: bool
    permissions: frozenset[str] = field(default_factory=frozenset)
    method: str = "token"
    session_id: int | None = None
    csrf_token: str = ""

    def has_perm(self, name: str) -> bool:
        return self.is_active and (self.is_superuser or name in self.permissions)

    def has_any(self, *names: str) -> bool:
        return any(self.has_perm(n) for n in names)


def may_administer(actor: Principal, *, target_is_staff: bool, target_is_superuser: bool) -> bool:
    """Whether ``actor`` may change another account through the user-administration routes.

    Levels are anonymous < user < staff < superuser. A permission such as ``users.change_user``
    reaches ordinary accounts only: staff members and superusers (their e-mail, activity,
    flags, grants and credentials) are changed by a superuser, so no permission lets anyone act
    on an account at or above the level of staff unless they are a superuser themselves."""
    if not actor.is_active:
        return False
    return actor.is_superuser or not (target_is_staff or target_is_superuser)


def staff_or(principal: Principal | None, permission: str) -> bool:
    """An active staff member, or someone holding ``permission``: who sees a domain's drafts
    (unpublished, inactive, private or unapproved records)."""
    return (
        principal is not None
        and principal.is_active
        and (principal.is_staff or principal.has_perm(permission))
    )


def staff_or_permission(name: str) -> Guard:
    """Guard: an active staff member, or someone holding ``name`` (``staff_or``)."""
    if name not in PERMISSIONS:
        raise ValueError(f"unknown permission {name!r}")

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not staff_or(require_principal(connection), name):
            raise PermissionDeniedException(f"Staff access or the {name} permission is required.")

    guard.__name__ = f"staff_or_permission({name})"
    return guard


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def require_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException("Authentication credentials were not provided.")
    return principal


def login_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    require_principal(connection)


def staff_required(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal = require_principal(connection)
    if not (principal.is_active and (principal.is_staff or principal.is_superuser)):
        raise PermissionDeniedException("Staff access is required.")


def permission_required(*names: str) -> Guard:
    """Guard: the caller must hold at least one of ``names``."""
    for name in names:
        if name not in PERMISSIONS:
            raise ValueError(f"unknown permission {name!r}")

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = require_principal(connection)
        if not principal.has_any(*names):
            raise PermissionDeniedException(f"The {' or '.join(names)} permission is required.")

    guard.__name__ = f"permission_required({', '.join(names)})"
    return guard
