"""Django fixtures -> accounts: ``users.user`` (password hashes kept), allauth
``account.emailaddress``, ``users.membership``, ``auth.group``, and the legacy credentials
(``tastypie.apikey``, ``authtoken.token``) so existing scripts keep working."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core import tokens
from pydotorg.core.db import utcnow
from pydotorg.core.importer import ImportContext, ModelImport, RowError, parse_dt, register
from pydotorg.core.markup import render
from pydotorg.domains.users.models import ApiKey, EmailAddress, Group, Membership, User


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


async def convert_group(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {"id": int(pk), "name": str(fields.get("name") or "")}


def _key_converter(origin: str, offset: int) -> Any:
    """Legacy credentials become API keys; ids are offset so both kinds fit one table."""

    async def convert(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
        key = str(fields.get("key") or "")
        if not key:
            raise RowError("empty key")
        user_id = await ctx.user_id(fields.get("user"))
        if user_id is None:
            raise RowError("key without a user")
        ident = int(pk) if str(pk).isdigit() else int(tokens.digest(key)[:7], 16)
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


register(ModelImport("users.user", User.__table__, convert_user, ("users", "user"), order=1))
register(ModelImport("account.emailaddress", EmailAddress.__table__, convert_email, order=2))
register(ModelImport("auth.group", Group.__table__, convert_group, order=2))
register(
    ModelImport(
        "users.membership",
        Membership.__table__,
        convert_membership,
        ("users", "membership"),
        order=3,
    )
)
register(
    ModelImport(
        "tastypie.apikey",
        ApiKey.__table__,
        _key_converter("tastypie", 1_000_000_000),
        order=4,
        sequence=False,
    )
)
register(
    ModelImport(
        "authtoken.token",
        ApiKey.__table__,
        _key_converter("drf", 1_500_000_000),
        order=4,
        sequence=False,
    )
)
