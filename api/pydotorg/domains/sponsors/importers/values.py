"""Reading python.org's field values for the sponsors importers: texts with their limits,
numbers, dates, years, choices, storage paths, content types, references and unique keys. A value
the API would refuse raises ``RowError``, so the row is reported and skipped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from pydotorg.core.importing import PART, ImportContext, RowError
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.sponsors.models import YEAR_MAX, YEAR_MIN

PATH_LIMIT = 400  # our storage-path columns


def text_field(
    fields: Mapping[str, Any], name: str, limit: int | None = None, *, required: bool = False
) -> str:
    value = fields.get(name)
    text = "" if value is None else str(value)
    if required and not text.strip():
        raise RowError(f"{name} is empty")
    if limit is not None and len(text) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return text


def nullable_field(fields: Mapping[str, Any], name: str, limit: int | None = None) -> str | None:
    return None if fields.get(name) is None else text_field(fields, name, limit)


def optional_field(fields: Mapping[str, Any], name: str, limit: int) -> str | None:
    """A value whose blank means "none given" (a URL, a file, a country): NULL then."""
    return text_field(fields, name, limit) or None


def link_field(fields: Mapping[str, Any], name: str) -> str | None:
    value = optional_field(fields, name, 200)
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


def int_field(fields: Mapping[str, Any], name: str, *, default: int | None = None, minimum: int = 0) -> int:
    value = fields.get(name, default)
    if value is None or isinstance(value, bool):
        raise RowError(f"{name} is missing")
    number = int(value)
    if number < minimum:
        raise RowError(f"{name} {number} is below {minimum}")
    return number


def nullable_int_field(fields: Mapping[str, Any], name: str, *, minimum: int = 0) -> int | None:
    return None if fields.get(name) is None else int_field(fields, name, minimum=minimum)


def date_field(fields: Mapping[str, Any], name: str) -> date | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RowError(f"{name} {value!r} is not a YYYY-MM-DD date") from None


def year_field(fields: Mapping[str, Any], *, required: bool = False) -> int | None:
    if fields.get("year") is None and not required:
        return None
    year = int_field(fields, "year")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise RowError(f"year {year} is outside {YEAR_MIN}-{YEAR_MAX}")
    return year


def choice_field(fields: Mapping[str, Any], name: str, choices: Sequence[str] | Mapping[str, str]) -> str:
    value = fields.get(name)
    if value not in choices:
        raise RowError(f"{name} {value!r} is not one of {', '.join(choices)}")
    return str(value)


def path_field(fields: Mapping[str, Any], name: str) -> str:
    """A storage path (FileField/ImageField) as python.org stored it."""
    return text_field(fields, name, PATH_LIMIT)


def change_kind(model: Any) -> tuple[str, str]:
    return (model.__change_domain__, model.__change_kind__)


def content_type_label(value: Any) -> str | None:
    """A content type's ``app_label.model`` from its natural key; ``None`` for a bare id."""
    if isinstance(value, list) and len(value) == 2:
        return f"{value[0]}.{value[1]}"
    if value is None or isinstance(value, int | str):
        return None
    raise RowError(f"content type {value!r} is neither [app_label, model] nor an id")


async def reference(
    ctx: ImportContext, model: Any, value: Any, what: str, *, required: bool = False
) -> int | None:
    found = await ctx.require(model.__table__, value, what)
    if found is None and required:
        raise RowError(f"{what} is missing")
    return found


async def claim(
    ctx: ImportContext, model: Any, where: Mapping[str, Any], pk: int, what: str, *conditions: Any
) -> None:
    """No other row, stored (``conditions`` narrowing which) or earlier in this import, holds
    these values: a unique key the database would otherwise refuse mid-import."""
    value = tuple(where.values())
    shown = value[0] if len(value) == 1 else value
    claimed, pairs = ctx.seen[f"{model.__tablename__}:{what}"], ctx.seen[f"{model.__tablename__}:{what}:pk"]
    if value in claimed and (value, pk) not in pairs:
        other = next(p for v, p in pairs if v == value)
        raise RowError(f"{what} {shown!r}: row {other} has it already")
    table = model.__table__
    stmt = select(table.c.id).where(
        table.c.id != pk, *(table.c[k] == v for k, v in where.items()), *conditions
    )
    if (other := await ctx.session.scalar(stmt.limit(1))) is not None:
        raise RowError(f"{what} {shown!r}: row {other} has it already")
    claimed.add(value)
    pairs.add((value, pk))


def kind_of(pk: Any, fields: Mapping[str, Any], kinds: Mapping[str, str], family: str) -> str:
    """The kind of a merged polymorphic row; a parent without its child or naming another model
    is refused."""
    named = content_type_label(fields.get("polymorphic_ctype"))
    part = fields.get(PART)
    if named is not None and named not in kinds:
        raise RowError(f"polymorphic_ctype {named} is not a kind of {family}")
    if part is None:
        raise RowError(f"no {named or 'child'} row with pk {pk} (a {family} row is one of its kinds)")
    if named is not None and named != part:
        raise RowError(f"polymorphic_ctype {named} does not match its {part} row")
    return kinds[str(part)]
