"""Record helpers every domain's services share: change only what differs, load a record the caller
may see or answer 404, and refuse a value another row already holds.

Generic over SQLAlchemy models (core knows no domain): each domain passes its model, its
visibility rule and its own message, so the answers (status codes, details, the field named in
``extra``) stay the domain's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from litestar.exceptions import NotFoundException
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from pydotorg.core.errors import ConflictException, ValidationFailed

Record = TypeVar("Record")


def assign_changed(record: object, values: Mapping[str, Any]) -> bool:
    """Set each attribute in ``values`` that differs from the record's; True if any did.

    Assigning an equal value still marks a SQLAlchemy attribute as modified, and an unchanged
    record must not look edited (no UPDATE, no ``updated`` bump, no change-feed row)."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def visible_or_404(
    record: Record | None, message: str, visible: Callable[[Record], bool] | None = None
) -> Record:
    """``record`` if it exists and ``visible`` (when given) accepts it; else a 404 with ``message``.

    A record the caller may not see (a draft, an unapproved or private one) answers exactly as a
    missing one, so its existence is not revealed."""
    if record is None or (visible is not None and not visible(record)):
        raise NotFoundException(message)
    return record


async def get_visible_or_404(
    session: AsyncSession,
    model: type[Record],
    key: Any,
    message: str,
    *,
    visible: Callable[[Record], bool] | None = None,
    options: Sequence[ORMOption] = (),
) -> Record:
    """The ``model`` row with primary key ``key`` (or, when ``key`` is a SQL condition, the row
    matching it) if the caller may see it (``visible_or_404``); else a 404 with ``message``."""
    if isinstance(key, ColumnElement):
        record = await session.scalar(select(model).where(key).options(*options))
    else:
        record = await session.get(model, key, options=options)
    return visible_or_404(record, message, visible)


async def is_taken(
    session: AsyncSession,
    model: Any,
    condition: ColumnElement[bool],
    *,
    exclude: Any | None = None,
    scope: Sequence[ColumnElement[bool]] = (),
) -> bool:
    """Whether a row of ``model`` other than ``exclude`` (a record or a primary key) matches
    ``condition`` and every ``scope`` condition (the tree, the calendar or the feed a value is
    unique in)."""
    stmt = select(model.id).where(condition, *scope)
    if exclude is not None:
        stmt = stmt.where(model.id != getattr(exclude, "id", exclude))
    return bool(await session.scalar(stmt.limit(1)))


async def ensure_unique(
    session: AsyncSession,
    model: Any,
    field: str,
    value: Any,
    message: str,
    *,
    exclude: Any | None = None,
    scope: Sequence[ColumnElement[bool]] = (),
    condition: ColumnElement[bool] | None = None,
    errors: dict[str, list[str]] | None = None,
    conflict: bool = False,
) -> None:
    """Refuse ``value`` for ``field`` when another row (not ``exclude``) already holds it.

    ``condition`` replaces the plain ``model.field == value`` (e.g. a case-insensitive match).
    The refusal names the field: with ``errors`` the message is added there under ``field`` (for
    services that report every problem at once); with ``conflict`` it is a 409 whose ``extra``
    names the field; otherwise ``ValidationFailed({field: [message]})``, which /api/v3/ answers
    with 409 when the message says the value "already exists"."""
    match = condition if condition is not None else getattr(model, field) == value
    if not await is_taken(session, model, match, exclude=exclude, scope=scope):
        return
    if errors is not None:
        errors.setdefault(field, []).append(message)
    elif conflict:
        raise ConflictException(message, extra={"field": field})
    else:
        raise ValidationFailed({field: [message]})


async def delete_record(session: AsyncSession, record: object) -> None:
    """Delete ``record`` through the ORM (so the change feed sees it) and flush, so a refusal by
    the database (a foreign key still pointing at it) surfaces inside the request."""
    await session.delete(record)
    await session.flush()
