"""Error responses in Litestar's shape: ``{"status_code", "detail", "extra"}``.

Database errors that reach a handler are input problems, not server faults: a unique
constraint is a 409, a value the column cannot hold is a 400. Nothing here turns into a 500.
"""

from __future__ import annotations

import re
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT
from sqlalchemy.exc import DataError, IntegrityError

log = structlog.get_logger(__name__)


class ConflictException(HTTPException):
    status_code = HTTP_409_CONFLICT


class BadRequest(HTTPException):
    status_code = HTTP_400_BAD_REQUEST


_CONSTRAINT = re.compile(r'constraint "([^"]+)"')
_KEY = re.compile(r"Key \((?:lower\()?([a-z_]+)\)?\)=")


def _body(status: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if extra:
        body["extra"] = extra
    return body


def integrity_error_handler(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[Any]:
    message = str(exc.orig)
    key = _KEY.search(message)
    constraint = _CONSTRAINT.search(message)
    if "unique" in message.lower() or "duplicate key" in message.lower():
        field = key.group(1) if key else (constraint.group(1) if constraint else "value")
        return Response(
            _body(409, f"A record with this {field} already exists.", {"field": field}),
            status_code=409,
        )
    if "foreign key" in message.lower():
        field = key.group(1) if key else "reference"
        return Response(
            _body(400, f"{field} refers to a record that does not exist.", {"field": field}),
            status_code=400,
        )
    name = constraint.group(1) if constraint else "constraint"
    return Response(_body(400, f"The data violates {name}.", {"constraint": name}), status_code=400)


def data_error_handler(_: Request[Any, Any, Any], exc: DataError) -> Response[Any]:
    log.info("data_error", error=str(exc.orig))
    first_line = str(exc.orig).splitlines()[0] if str(exc.orig) else "invalid value"
    detail = first_line.split(":", 1)[-1].strip() or "invalid value"
    return Response(_body(400, f"Invalid value: {detail}"), status_code=400)


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    IntegrityError: integrity_error_handler,
    DataError: data_error_handler,
}
