"""Limit/offset lists for ``/api/v3/``: ``{"data": [...], "meta": {total, limit, offset}}``."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar.params import Parameter
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=2**31 - 1, description="rows to skip")]


class ListMeta(msgspec.Struct):
    total: int
    limit: int
    offset: int


async def paginate(
    session: AsyncSession, stmt: Select[Any], limit: int, offset: int
) -> tuple[list[Any], ListMeta]:
    """One page of ``stmt`` (its ORDER BY kept) and the total count of rows it selects."""
    total = int(await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = list(await session.scalars(stmt.limit(limit).offset(offset)))
    return rows, ListMeta(total=total, limit=limit, offset=offset)
