"""Django fixtures -> elections and nominations (``nominations.electionkind``,
``nominations.election``, ``nominations.nominee``, ``nominations.nomination``).

Slugs of kinds and elections are recomputed from the name, as python.org's ``save()`` does; a
nominee keeps the slug python.org stored (its page's URL), or gets one from its account's name.
Statements and descriptions are rendered again through the one sanitizer. Rows the API would
refuse (an unknown form, a colour that is not ``#rrggbb``, a second election or kind whose name
gives the same slug, a nominee's nomination in another election) are reported and skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pydotorg.core.db import slugify
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import render
from pydotorg.core.urls import slug_errors
from pydotorg.domains.nominations.models import (
    DEFAULT_ACCENT_COLOR,
    NOMINATION_FORMS,
    Election,
    ElectionKind,
    Nomination,
    Nominee,
)
from pydotorg.domains.nominations.services import render_statement
from pydotorg.domains.users.models import User

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _text(fields: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = str(fields.get(name) or "").strip()
    if required and not value:
        raise RowError(f"{name} is empty")
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _nullable(fields: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if len(str(value)) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return str(value)


async def _unique_slug(ctx: ImportContext, model: Any, pk: int, name: str) -> str:
    slug = slugify(name)
    if problems := slug_errors(slug):
        raise RowError(f"name {name!r} gives no usable slug: {problems[0]}")
    taken: set[tuple[str, int]] = ctx.seen[f"{model.__tablename__}:slugs"]
    other = next((i for s, i in taken if s == slug and i != pk), None)
    if other is None:
        other = await ctx.session.scalar(select(model.id).where(model.slug == slug, model.id != pk))
    if other is not None:
        raise RowError(f"name {name!r} gives the slug {slug!r} of {other}")
    taken.add((slug, pk))
    return slug


async def convert_kind(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name = _text(fields, "name", 100, required=True)
    color = str(fields.get("accent_color") or DEFAULT_ACCENT_COLOR)
    if not COLOR.match(color):
        raise RowError(f"accent_color {color!r} is not #rrggbb")
    form = str(fields.get("nomination_form") or "board")
    if form not in NOMINATION_FORMS:
        raise RowError(f"nomination_form {form!r} is not one of {sorted(NOMINATION_FORMS)}")
    return {
        "id": int(pk),
        "name": name,
        "slug": await _unique_slug(ctx, ElectionKind, int(pk), name),
        "accent_color": color,
        "nomination_form": form,
    }


async def convert_election(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name = _text(fields, "name", 100, required=True)
    try:
        day = dt.date.fromisoformat(str(fields.get("date") or ""))
    except ValueError:
        raise RowError(f"date {fields.get('date')!r} is not a YYYY-MM-DD date") from None
    start, end = parse_dt(fields.get("nominations_open_at")), parse_dt(fields.get("nominations_close_at"))
    if start is not None and end is not None and end <= start:
        raise RowError("nominations close before they open")
    description = str(fields.get("description") or "")
    return {
        "id": int(pk),
        "name": name,
        "slug": await _unique_slug(ctx, Election, int(pk), name),
        "date": day,
        "kind_id": await ctx.require(ElectionKind.__table__, fields.get("kind"), "election kind"),
        "nominations_open_at": start,
        "nominations_close_at": end,
        "description": description,
        "description_html": render(description, "markdown"),
        "hide_previous_service": bool(fields.get("hide_previous_service", False)),
    }


async def convert_nominee(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    election_id = await ctx.require(Election.__table__, fields.get("election"), "election")
    if election_id is None:
        raise RowError("a nominee needs an election")
    user_id = await ctx.user_id(fields.get("user"))
    if user_id is not None:
        pairs: set[tuple[int, int]] = ctx.seen["nominees:user-election"]
        other = await ctx.session.scalar(
            select(Nominee.id).where(
                Nominee.user_id == user_id, Nominee.election_id == election_id, Nominee.id != int(pk)
            )
        )
        if other is not None or (user_id, election_id) in pairs:
            raise RowError(f"user {user_id} is already a nominee in election {election_id}")
        pairs.add((user_id, election_id))
    slug = _text(fields, "slug", 255)
    if not slug and user_id is not None:
        names = (
            await ctx.session.execute(select(User.first_name, User.last_name).where(User.id == user_id))
        ).one()
        slug = slugify(f"{names[0]} {names[1]}")
    ctx.seen["nominees:election"].add((int(pk), election_id))
    return {
        "id": int(pk),
        "election_id": election_id,
        "user_id": user_id,
        "accepted": bool(fields.get("accepted", False)),
        "approved": bool(fields.get("approved", False)),
        "slug": slug,
    }


async def _nominee_election(ctx: ImportContext, nominee_id: int) -> int | None:
    for seen_id, election_id in ctx.seen["nominees:election"]:
        if seen_id == nominee_id:
            return int(election_id)
    value = await ctx.session.scalar(select(Nominee.election_id).where(Nominee.id == nominee_id))
    return int(value) if value is not None else None


async def convert_nomination(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    election_id = await ctx.require(Election.__table__, fields.get("election"), "election")
    if election_id is None:
        raise RowError("a nomination needs an election")
    nominee_id = await ctx.require(Nominee.__table__, fields.get("nominee"), "nominee")
    if nominee_id is not None and await _nominee_election(ctx, nominee_id) != election_id:
        raise RowError(f"nominee {nominee_id} stands in another election")
    statement = str(fields.get("nomination_statement") or "")
    return {
        "id": int(pk),
        "election_id": election_id,
        "name": _nullable(fields, "name", 1024),
        "email": _nullable(fields, "email", 1024),
        "previous_board_service": _nullable(fields, "previous_board_service", 1024),
        "employer": _nullable(fields, "employer", 1024),
        "other_affiliations": _nullable(fields, "other_affiliations", 2048),
        "nomination_statement": statement,
        "nomination_statement_html": render_statement(statement),
        "nominator_id": await ctx.user_id(fields.get("nominator")),
        "nominee_id": nominee_id,
        **{
            name: bool(fields.get(name, False))
            for name in (
                "accepted",
                "approved",
                "coc_acknowledged",
                "mission_alignment",
                "eligibility_confirmed",
            )
        },
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport(
        "nominations.electionkind", ElectionKind.__table__, convert_kind, ("nominations", "kind"), order=40
    ),
    ModelImport(
        "nominations.election", Election.__table__, convert_election, ("nominations", "election"), order=41
    ),
    ModelImport(
        "nominations.nominee", Nominee.__table__, convert_nominee, ("nominations", "nominee"), order=42
    ),
    ModelImport(
        "nominations.nomination",
        Nomination.__table__,
        convert_nomination,
        ("nominations", "nomination"),
        order=43,
    ),
)
