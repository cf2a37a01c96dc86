"""Error responses in Litestar's shape: ``{"status_code", "detail", "extra"}``.

Database errors that reach a handler are input problems, not server faults: a unique
constraint is a 409, a value the column cannot hold is a 400. Nothing here turns into a 500.
asyncpg's data errors (SQLSTATE class 22, e.g. a NUL character in a query parameter) arrive as
plain ``DBAPIError``s, not ``DataError``s, so they are recognised by their SQLSTATE. A JSON body
that msgspec cannot decode without raising something other than ``DecodeError`` (invalid UTF-8,
nesting too deep) is a 400 as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions.responses import create_exception_response
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

log = structlog.get_logger(__name__)


class ConflictException(HTTPException):
    status_code = HTTP_409_CONFLICT


class BadRequest(HTTPException):
    status_code = HTTP_400_BAD_REQUEST


class ValidationFailed(Exception):
    """Per-field messages from a service, e.g. ``{"url": ["Release file URLs must ..."]}``.

    /api/v3/ answers 400 (409 when every problem is an existing duplicate); the legacy APIs
    render the same messages in their own shapes."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = {k: list(v) for k, v in errors.items()}

    @property
    def is_conflict(self) -> bool:
        return all(m.endswith("already exists.") for msgs in self.errors.values() for m in msgs)


def validation_failed_handler(_: Request[Any, Any, Any], exc: ValidationFailed) -> Response[Any]:
    status = 409 if exc.is_conflict else 400
    fields = ", ".join(exc.errors)
    detail = f"Conflict on {fields}." if status == 409 else f"Invalid value for {fields}."
    return Response(_body(status, detail, exc.errors), status_code=status)


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


def data_error_handler(_: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    log.info("data_error", error=str(exc.orig))
    if "0x00" in str(exc.orig):  # PostgreSQL text cannot hold NUL (invalid byte sequence)
        return Response(_body(400, "Invalid value: NUL characters are not allowed."), status_code=400)
    first_line = str(exc.orig).splitlines()[0] if str(exc.orig) else "invalid value"
    detail = first_line.split(":", 1)[-1].strip() or "invalid value"
    return Response(_body(400, f"Invalid value: {detail}"), status_code=400)


def is_data_error(exc: DBAPIError) -> bool:
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
    return sqlstate.startswith("22")


def dbapi_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """asyncpg reports data exceptions (SQLSTATE 22xxx) as a generic ``DBAPIError``."""
    if is_data_error(exc):
        return data_error_handler(request, exc)
    return create_exception_response(request, exc)  # Litestar's usual 500


def _from_json_decoder(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code if tb is not None else None
    return code is not None and code.co_name == "decode_json" and "litestar" in code.co_filename


def undecodable_body_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """msgspec raises these (not ``DecodeError``) for invalid UTF-8 and for deep nesting."""
    if not _from_json_decoder(exc):
        return create_exception_response(request, exc)  # Litestar's usual 500
    reason = "nesting too deep" if isinstance(exc, RecursionError) else "invalid UTF-8"
    return Response(_body(400, f"JSON is malformed: {reason}"), status_code=400)


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    IntegrityError: integrity_error_handler,
    DataError: data_error_handler,
    DBAPIError: dbapi_error_handler,
    UnicodeDecodeError: undecodable_body_handler,
    RecursionError: undecodable_body_handler,
    ValidationFailed: validation_failed_handler,
}
