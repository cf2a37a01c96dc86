"""Error responses in Litestar's shape: ``{"status_code", "detail", "extra"}``.

Database errors that reach a handler are input problems, not server faults: a unique
constraint is a 409 naming the field (never the constraint or index), a value the column cannot
hold is a 400. Nothing here turns into a 500.
asyncpg's data errors (SQLSTATE class 22, e.g. a NUL character in a query parameter) arrive as
plain ``DBAPIError``s, not ``DataError``s, so they are recognised by their SQLSTATE. A JSON body
that msgspec cannot decode without raising something other than ``DecodeError`` (invalid UTF-8,
nesting too deep) is a 400 as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from pydotorg.core.availability import is_unavailable, server_error_handler, unavailable_response

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


# PostgreSQL's detail line names the key's columns: ``Key (slug)=(x)``, ``Key (os_id, release_id)
# =(1, 2)``, ``Key (lower(email::text))=(a@b.org)``. Constraint and index names never reach a
# client: they are an implementation detail and say nothing to the caller.
_KEY = re.compile(r"Key \((?P<columns>.*?)\)=\(")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_CHECK = re.compile(r'relation "(?P<table>[^"]+)" violates check constraint "(?P<name>[^"]+)"')


def _body(status: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if extra:
        body["extra"] = extra
    return body


def _key_fields(message: str) -> str | None:
    match = _KEY.search(message)
    if match is None:
        return None
    names = []
    for part in match.group("columns").split(","):
        name = re.sub(r"::[a-z ]+|\b(?:lower|upper)\(|[()]", "", part).strip()
        if _IDENTIFIER.fullmatch(name):
            names.append(name)
    return ", ".join(names) or None


def _check_field(message: str) -> str | None:
    """Our check constraints are named ``ck_<table>_<field>`` (core/db.py's convention)."""
    match = _CHECK.search(message)
    if match is None:
        return None
    prefix = f"ck_{match.group('table')}_"
    name = match.group("name")
    field = name[len(prefix) :] if name.startswith(prefix) else ""
    return field if _IDENTIFIER.fullmatch(field) else None


def _driver_message(exc: DBAPIError) -> str:
    """The error text with PostgreSQL's DETAIL line (asyncpg keeps it on the original error,
    which SQLAlchemy's adapter chains as the cause)."""
    message = str(exc.orig)
    cause = getattr(exc.orig, "__cause__", None)
    detail = getattr(cause, "detail", None) or getattr(exc.orig, "detail", None)
    return f"{message}\nDETAIL: {detail}" if isinstance(detail, str) and detail else message


def integrity_error_handler(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[Any]:
    message = _driver_message(exc)
    log.info("integrity_error", error=message)
    lowered = message.lower()
    if "unique" in lowered or "duplicate key" in lowered:
        field = _key_fields(message) or "value"
        return Response(
            _body(409, f"A record with this {field} already exists.", {"field": field}),
            status_code=409,
        )
    if "foreign key" in lowered:
        field = _key_fields(message) or "reference"
        return Response(
            _body(400, f"{field} refers to a record that does not exist.", {"field": field}),
            status_code=400,
        )
    checked = _check_field(message)
    if checked is not None:
        return Response(_body(400, f"Invalid value for {checked}.", {"field": checked}), status_code=400)
    return Response(_body(400, "The data is not allowed here."), status_code=400)


def data_error_handler(_: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    return _invalid_value(str(exc.orig))


def read_data_error_handler(_: Request[Any, Any, Any], exc: asyncpg.exceptions.DataError) -> Response[Any]:
    """The same SQLSTATE 22 errors from the ORM-free reads (core/reads.py), which asyncpg raises
    unwrapped: a NUL in a filter value, a value out of a column's range."""
    return _invalid_value(str(exc))


def _invalid_value(message: str) -> Response[Any]:
    log.info("data_error", error=message)
    if "0x00" in message:  # PostgreSQL text cannot hold NUL (invalid byte sequence)
        return Response(_body(400, "Invalid value: NUL characters are not allowed."), status_code=400)
    first_line = message.splitlines()[0] if message else "invalid value"
    detail = first_line.split(":", 1)[-1].strip() or "invalid value"
    return Response(_body(400, f"Invalid value: {detail}"), status_code=400)


def is_data_error(exc: DBAPIError) -> bool:
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
    return sqlstate.startswith("22")


def dbapi_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """asyncpg reports data exceptions (SQLSTATE 22xxx) as a generic ``DBAPIError``; a lost or
    refused connection is a 503 (core/availability.py)."""
    if is_unavailable(exc):
        return unavailable_response(request)
    if is_data_error(exc):
        return data_error_handler(request, exc)
    return server_error_handler(request, exc)  # Litestar's usual 500


def _from_json_decoder(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code if tb is not None else None
    return code is not None and code.co_name == "decode_json" and "litestar" in code.co_filename


def is_undecodable_body(exc: BaseException) -> bool:
    """A request body msgspec could not decode (a client error, answered 400)."""
    return isinstance(exc, UnicodeDecodeError | RecursionError) and _from_json_decoder(exc)


def undecodable_body_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """msgspec raises these (not ``DecodeError``) for invalid UTF-8 and for deep nesting."""
    if not is_undecodable_body(exc):
        return server_error_handler(request, exc)  # Litestar's usual 500
    reason = "nesting too deep" if isinstance(exc, RecursionError) else "invalid UTF-8"
    return Response(_body(400, f"JSON is malformed: {reason}"), status_code=400)


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    IntegrityError: integrity_error_handler,
    DataError: data_error_handler,
    DBAPIError: dbapi_error_handler,
    asyncpg.exceptions.DataError: read_data_error_handler,
    UnicodeDecodeError: undecodable_body_handler,
    RecursionError: undecodable_body_handler,
    ValidationFailed: validation_failed_handler,
    # Anything else: 503 when PostgreSQL or Redis is unreachable, Litestar's 500 otherwise.
    HTTP_500_INTERNAL_SERVER_ERROR: server_error_handler,
}
