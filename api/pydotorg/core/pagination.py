"""Limit/offset lists for ``/api/v3/``: ``{"data": [...], "meta": {total, limit, offset}}``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=2**31 - 1, description="rows to skip")]


class ListMeta(msgspec.Struct):
    total: int
    limit: int
    offset: int
