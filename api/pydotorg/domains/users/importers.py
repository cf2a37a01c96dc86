"""Django fixtures -> accounts: ``users.user`` (password hashes kept), allauth
``account.emailaddress``, ``users.membership``, ``auth.group``, and the legacy credentials
(``tastypie.apikey``, ``authtoken.token``) so existing scripts keep working."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydotorg.core import tokens
from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt, sync_links
from pydotorg.core.markup import render
from pydotorg.core.permissions import PERMISSIONS
from pydotorg.domains.users.models import (
    ApiKey,
    EmailAddress,
    Group,
    GroupPermission,
    Membership,
    User,
    UserGroup,
    UserPermission,
    user_groups,
)

# Django app labels whose permissions live under another name here.
APP_ALIASES = {"work_groups": "workgroups"}
# Django permissions that map onto one of ours with another name (Django "app.codename").
PERMISSION_ALIASES = {
    "jobs.can_moderate_jobs": "jobs.moderate",  # python.org's custom Job permission
    **{
        f"jobs.{verb}_{model}": "jobs.moderate"
        for verb in ("add", "change", "delete")
        for model in ("job", "jobtype", "jobcategory", "jobreviewcomment")
    },
    **{
        f"sitetree.{verb}_{model}": "navigation.change_menu"
        for verb in ("add", "change", "delete")
        for model in ("tree", "treeitem")
    },
    **{f"auth.{verb}_group": "users.change_group" for verb in ("add", "change", "delete")},
    "users.add_user": "users.change_user",
    "users.delete_user": "users.change_user",
    "users.add_membership": "users.change_membership",
    "users.delete_membership": "users.change_membership",
}


def permission_name(value: Any) -> str:
    """Our named permission for a Django permission natural key ``[codename, app_label, model]``;
    "" when we have none (the caller reports it)."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise RowError(f"permission {value!r} is not a natural key [codename, app_label, model]")
    codename, app = str(value[0]), str(value[1])
    django = f"{app}.{codename}"
    name = PERMISSION_ALIASES.get(django, f"{APP_ALIASES.get(app, app)}.{codename}")
    return name if name in PERMISSIONS else ""


def _permissions(values: Any, ctx: ImportContext) -> set[str]:
    names = set()
    for value in values or []:
        name = permission_name(value)
        if name:
            names.add(name)
        else:
            ctx.unmapped[f"permission {value[1]}.{value[0]}"] += 1
    return names


async def link_user(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> int:
    """A user's groups (ids or natural keys ``[name]``) and direct permissions."""
    groups = {await ctx.group_id(value) for value in fields.get("groups") or [] if value is not None}
    changed = await sync_links(ctx, user_groups, "user_id", int(pk), "group_id", groups)
    table = UserPermission.__table__
    wanted = _permissions(fields.get("user_permissions"), ctx)
    return changed + await sync_links(ctx, table, "user_id", int(pk), "permission", wanted)


async def link_group(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> int:
    wanted = _permissions(fields.get("permissions"), ctx)
    return await sync_links(ctx, GroupPermission.__table__, "group_id", int(pk), "permission", wanted)


async def convert_user(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    username = str(fields.get("username") or "")
    if not username or len(username) > 150:
        raise RowError("username is empty or longer than 150 characters")
    bio = str(fields.get("bio") or "")
    markup = str(fields.get("bio_markup_type") or "markdown")
    ctx.usernames[username.lower()] = int(pk)
    return {
        "id": int(pk),
        "username": username,
        "first_name": str(fields.get("first_name") or "")[:150],
        "last_name": str(fields.get("last_name") or "")[:150],
        "email": str(fields.get("email") or ""),
        "password": str(fields.get("password") or "!"),
        "is_staff": bool(fields.get("is_staff")),
        "is_active": bool(fields.get("is_active", True)),
        "is_superuser": bool(fields.get("is_superuser")),
        "last_login": parse_dt(fields.get("last_login")),
        "date_joined": parse_dt(fields.get("date_joined")) or utcnow(),
        "bio": bio,
        "bio_markup_type": markup,
        "bio_html": render(bio, markup if markup != "plain" else "text", escape_html=True),
        "search_visibility": int(fields.get("search_visibility", 1)),
        "email_privacy": int(fields.get("email_privacy", 2)),
        "public_profile": bool(fields.get("public_profile", True)),
    }


async def convert_email(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    user_id = await ctx.user_id(fields.get("user"))
    if user_id is None:
        raise RowError("e-mail address without a user")
    return {
        "id": int(pk),
        "user_id": user_id,
        "email": str(fields.get("email") or ""),
        "verified": bool(fields.get("verified")),
        "primary": bool(fields.get("primary")),
    }


async def convert_membership(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    kind = int(fields.get("membership_type", 0))
    if kind == 3:  # python.org merged "Managing" into "Contributing" (migrations 0016/0017)
        kind = 4
    return {
        "id": int(pk),
        "membership_type": kind,
        **{
            k: str(fields.get(k) or "")
            for k in (
                "legal_name",
                "preferred_name",
                "email_address",
                "city",
                "region",
                "country",
                "postal_code",
            )
        },
        "psf_code_of_conduct": fields.get("psf_code_of_conduct"),
        "psf_announcements": fields.get("psf_announcements"),
        "votes": bool(fields.get("votes")),
        "last_vote_affirmation": parse_dt(fields.get("last_vote_affirmation")),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
    }


URL_TYPES = ("meetup", "distribution list", "other")


async def convert_user_group(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """python.org's legacy list of Python user groups (kept for the data; no page shows it)."""
    url_type = str(fields.get("url_type") or "")
    if url_type not in URL_TYPES:
        raise RowError(f"url_type {url_type!r} is not one of {', '.join(URL_TYPES)}")
    start = fields.get("start_date")
    return {
        "id": int(pk),
        "name": str(fields.get("name") or "")[:255],
        "location": str(fields.get("location") or "")[:255],
        "url": str(fields.get("url") or "")[:200],
        "url_type": url_type,
        "start_date": date.fromisoformat(str(start)) if start else None,
        "approved": bool(fields.get("approved")),
        "trusted": bool(fields.get("trusted")),
    }


async def convert_group(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {"id": int(pk), "name": str(fields.get("name") or "")}


def _key_converter(origin: str, offset: int) -> Any:
    """Legacy credentials become API keys; ids are offset so both kinds fit one table."""

    async def convert(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
        # Django never serializes a primary key inside "fields": DRF's token *is* its pk.
        key = str(fields.get("key") or (pk if origin == "drf" else "") or "")
        if not key:
            raise RowError("empty key")
        user_id = await ctx.user_id(fields.get("user"))
        if user_id is None:
            raise RowError("key without a user")
        ident = int(pk) if str(pk).isascii() and str(pk).isdigit() else int(tokens.digest(key)[:7], 16)
        return {
            "id": offset + ident,
            "user_id": user_id,
            "name": f"python.org {origin}",
            "prefix": key[:12],
            "key_hash": tokens.digest(key),
            "origin": origin,
            "created": parse_dt(fields.get("created")) or utcnow(),
            "last_used": None,
            "revoked_at": None,
        }

    return convert


# Groups first: a user's row links to them.


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("auth.group", Group.__table__, convert_group, order=0, links=link_group),
    ModelImport("users.user", User.__table__, convert_user, ("users", "user"), order=1, links=link_user),
    ModelImport("account.emailaddress", EmailAddress.__table__, convert_email, order=2),
    ModelImport("users.usergroup", UserGroup.__table__, convert_user_group, order=2),
    ModelImport(
        "users.membership",
        Membership.__table__,
        convert_membership,
        ("users", "membership"),
        order=3,
    ),
    ModelImport(
        "tastypie.apikey",
        ApiKey.__table__,
        _key_converter("tastypie", 1_000_000_000),
        order=4,
        sequence=False,
    ),
    ModelImport(
        "authtoken.token",
        ApiKey.__table__,
        _key_converter("drf", 1_500_000_000),
        order=4,
        sequence=False,
    ),
)
