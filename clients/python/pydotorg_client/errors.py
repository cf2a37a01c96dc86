"""Exceptions for the API's error answers, one class per status that a caller handles differently.

Every error body of /api/v3/ has Litestar's shape ``{"status_code", "detail", "extra"}``. ``extra``
carries the per-field messages in one of three forms, which ``fields`` reads as one mapping of
field name to messages:

- a service's validation: ``{"url": ["Release file URLs must ..."]}``;
- request validation (msgspec): ``[{"message": "...", "key": "title", "source": "body"}, ...]``;
- a unique or foreign key: ``{"field": "slug"}`` (the message is then ``detail``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PreconditionFailed",
    "ServerError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "field_messages",
]


def field_messages(extra: Any, detail: str) -> dict[str, list[str]]:
    """The per-field messages of an error body's ``extra`` (empty when it names no field)."""
    fields: dict[str, list[str]] = {}
    if isinstance(extra, Mapping):
        if set(extra) == {"field"} and isinstance(extra["field"], str):
            for name in extra["field"].split(", "):
                fields[name] = [detail]
            return fields
        for key, value in extra.items():
            messages = value if isinstance(value, list) else [value]
            fields[str(key)] = [str(m) for m in messages]
    elif isinstance(extra, list):
        for entry in extra:
            if isinstance(entry, Mapping):
                key = str(entry.get("key") or entry.get("source") or "")
                fields.setdefault(key, []).append(str(entry.get("message", detail)))
    return fields


class ApiError(Exception):
    """An answer outside 2xx. ``status``, ``detail`` and ``extra`` come from the error body;
    ``response`` is the httpx response (headers, raw body)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        body: Any = None
        with contextlib.suppress(ValueError):
            body = response.json()
        if isinstance(body, Mapping):
            self.detail = str(body.get("detail", response.reason_phrase))
            self.extra: Any = body.get("extra")
        else:
            self.detail = response.text.strip()[:500] or response.reason_phrase
            self.extra = None
        self.fields = field_messages(self.extra, self.detail)
        super().__init__(
            f"{self.status} {response.request.method} {response.request.url.path}: {self.detail}"
        )

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


class BadRequest(ApiError):
    """400: the request was refused as invalid; ``fields`` maps each field to its messages."""


class Unauthorized(ApiError):
    """401: no credentials, or an expired or revoked token or key."""


class Forbidden(ApiError):
    """403: the credentials do not carry the permission."""


class NotFound(ApiError):
    """404."""


class Conflict(ApiError):
    """409: a duplicate (``fields`` names it) or a state that does not allow the change."""


class PreconditionFailed(ApiError):
    """412: ``If-Match`` named a version that is no longer current; ``etag`` is the current one."""

    @property
    def etag(self) -> str | None:
        etag = self.response.headers.get("etag")
        return str(etag) if etag is not None else None


class _Retryable(ApiError):
    @property
    def retry_after(self) -> str | None:
        """The ``Retry-After`` header as sent (seconds or an HTTP date)."""
        value = self.response.headers.get("retry-after")
        return str(value) if value is not None else None


class TooManyRequests(_Retryable):
    """429, after the client's retries were spent (or the wait asked for was over the cap)."""


class ServiceUnavailable(_Retryable):
    """503, after the client's retries were spent (or the wait asked for was over the cap)."""


class ServerError(ApiError):
    """Any other 5xx."""


BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    429: TooManyRequests,
    503: ServiceUnavailable,
}


def error_for(response: httpx.Response) -> ApiError:
    status = response.status_code
    cls = BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(response)
