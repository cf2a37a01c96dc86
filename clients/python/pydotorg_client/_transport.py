"""The hand-written half of the client: authentication, retries, errors, pagination, ETags.

The generated ``_api.py`` calls ``_call`` and ``_paginate`` of ``SyncTransport`` or
``AsyncTransport``; both share ``_Base`` for everything that does no I/O.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import email.utils
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import httpx
import msgspec

from pydotorg_client.errors import error_for

__version__ = "0.1.0"
T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 503})


class _Meta(msgspec.Struct):
    total: int
    limit: int
    offset: int


class _Page(msgspec.Struct, Generic[T]):
    data: list[T]
    meta: _Meta


_PAGE: Any = _Page  # subscripted with an item type only known at run time


class _Login(msgspec.Struct):
    token: str | None = None


def _segment(value: object) -> str:
    """A path parameter, percent-encoded (a slash in a slug stays inside its segment)."""
    return urllib.parse.quote(str(value), safe="")


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return value


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class Paginator(Generic[T]):
    """Iterates every item of a list, fetching ``page_size`` at a time as the loop reaches them.
    ``total`` is the API's count, known once the first page has arrived."""

    def __init__(self, fetch: Callable[[int, int], _Page[T]], page_size: int, offset: int) -> None:
        self._fetch, self._page_size, self._offset = fetch, page_size, offset
        self.total: int | None = None

    def __iter__(self) -> Iterator[T]:
        offset = self._offset
        while True:
            page = self._fetch(self._page_size, offset)
            self.total = page.meta.total
            yield from page.data
            offset += len(page.data)
            if not page.data or offset >= page.meta.total:
                return


class AsyncPaginator(Generic[T]):
    """``Paginator`` for ``async for``."""

    def __init__(self, fetch: Callable[[int, int], Awaitable[_Page[T]]], page_size: int, offset: int) -> None:
        self._fetch, self._page_size, self._offset = fetch, page_size, offset
        self.total: int | None = None

    async def __aiter__(self) -> AsyncIterator[T]:
        offset = self._offset
        while True:
            page = await self._fetch(self._page_size, offset)
            self.total = page.meta.total
            for item in page.data:
                yield item
            offset += len(page.data)
            if not page.data or offset >= page.meta.total:
                return


class _Base:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        max_retry_wait: float = 60.0,
        user_agent: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if api_key and token:
            raise ValueError("pass api_key or token, not both")
        self.base_url = base_url.rstrip("/")
        self.credential = api_key or token
        self.timeout = timeout
        self.retries = retries
        self.max_retry_wait = max_retry_wait
        agent = user_agent or f"pydotorg-client/{__version__} httpx/{httpx.__version__}"
        self.default_headers = {"User-Agent": agent, "Accept": "application/json", **(headers or {})}
        # Per thread and per asyncio task, so concurrent callers each see their own answer.
        self._last: contextvars.ContextVar[httpx.Response | None] = contextvars.ContextVar(
            f"pydotorg_client_last_{id(self)}", default=None
        )

    @property
    def last_response(self) -> httpx.Response | None:
        """The last answer this thread (or asyncio task) received from this client."""
        return self._last.get()

    @property
    def last_etag(self) -> str | None:
        """The ``ETag`` of that answer: pass it as ``if_match=`` to change what you read."""
        response = self._last.get()
        return response.headers.get("etag") if response is not None else None

    def _request_args(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        json: Any,
        files: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        if_match: str | None,
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        if self.credential:
            headers["Authorization"] = f"Bearer {self.credential}"
        if if_match is not None:
            headers["If-Match"] = if_match
        args: dict[str, Any] = {"headers": headers}
        if params:
            args["params"] = {k: _query_value(v) for k, v in params.items() if v is not None}
        if json is not None:
            args["content"] = msgspec.json.encode(json)
            headers["Content-Type"] = "application/json"
        if files is not None:
            args["files"] = files
            if data:
                args["data"] = dict(data)
        return args

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to give up (and raise)."""
        if response.status_code not in RETRY_STATUSES or attempt >= self.retries:
            return None
        asked = retry_after_seconds(response.headers.get("retry-after"))
        delay = asked if asked is not None else min(0.5 * 2**attempt, self.max_retry_wait)
        return delay if delay <= self.max_retry_wait else None

    def _result(self, response: httpx.Response, result: Any) -> Any:
        self._last.set(response)
        if response.status_code >= 400:
            raise error_for(response)
        if result is None:
            return None
        if result is bytes:
            return response.content
        return msgspec.json.decode(response.content, type=result)


class SyncTransport(_Base):
    """Blocking I/O on an ``httpx.Client`` (``transport=`` lets tests mount a fake)."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.http = httpx.Client(
            base_url=self.base_url, timeout=self.timeout, headers=self.default_headers, transport=transport
        )

    def __enter__(self) -> SyncTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with the client's credentials and retries; no error raised, no decoding."""
        for attempt in range(self.retries + 1):
            response = self.http.request(method, path, **kwargs)
            delay = self._retry_delay(response, attempt)
            if delay is None:
                break
            response.close()
            time.sleep(delay)
        return response

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        if_match: str | None = None,
        result: Any = None,
    ) -> Any:
        args = self._request_args(method, params, json, files, data, if_match)
        return self._result(self.request(method, path, **args), result)

    def _paginate(
        self, path: str, params: Mapping[str, Any], item: type[T], page_size: int, offset: int
    ) -> Paginator[T]:
        def fetch(limit: int, at: int) -> _Page[T]:
            page: _Page[T] = self._call(
                "GET", path, params={**params, "limit": limit, "offset": at}, result=_PAGE[item]
            )
            return page

        return Paginator(fetch, page_size, offset)

    def login(self, login: str, password: str) -> str:
        """Log in with a username (or e-mail) and password; the client then sends the token."""
        answer: _Login = self._call(
            "POST",
            "/api/v3/auth/login",
            json={"login": login, "password": password, "session": "token"},
            result=_Login,
        )
        if not answer.token:
            raise ValueError("the API answered the log-in without a token")
        self.credential = answer.token
        return answer.token

    def logout(self) -> None:
        """End the log-in session of the token (an API key stays valid)."""
        self._call("POST", "/api/v3/auth/logout")
        self.credential = None


class AsyncTransport(_Base):
    """The same on an ``httpx.AsyncClient``."""

    def __init__(
        self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any
    ) -> None:
        super().__init__(base_url, **kwargs)
        self.http = httpx.AsyncClient(
            base_url=self.base_url, timeout=self.timeout, headers=self.default_headers, transport=transport
        )

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self.retries + 1):
            response = await self.http.request(method, path, **kwargs)
            delay = self._retry_delay(response, attempt)
            if delay is None:
                break
            await response.aclose()
            await asyncio.sleep(delay)
        return response

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        if_match: str | None = None,
        result: Any = None,
    ) -> Any:
        args = self._request_args(method, params, json, files, data, if_match)
        return self._result(await self.request(method, path, **args), result)

    def _paginate(
        self, path: str, params: Mapping[str, Any], item: type[T], page_size: int, offset: int
    ) -> AsyncPaginator[T]:
        async def fetch(limit: int, at: int) -> _Page[T]:
            page: _Page[T] = await self._call(
                "GET", path, params={**params, "limit": limit, "offset": at}, result=_PAGE[item]
            )
            return page

        return AsyncPaginator(fetch, page_size, offset)

    async def login(self, login: str, password: str) -> str:
        answer: _Login = await self._call(
            "POST",
            "/api/v3/auth/login",
            json={"login": login, "password": password, "session": "token"},
            result=_Login,
        )
        if not answer.token:
            raise ValueError("the API answered the log-in without a token")
        self.credential = answer.token
        return answer.token

    async def logout(self) -> None:
        await self._call("POST", "/api/v3/auth/logout")
        self.credential = None
