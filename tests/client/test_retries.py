"""Retries on 429 and 503 honouring ``Retry-After`` (seconds or an HTTP date), with a cap on the
wait and on the attempts, against a small fake server that counts what it was sent."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from pydotorg_client import Client, ServiceUnavailable, TooManyRequests, retry_after_seconds
from pydotorg_client.models import BoxRead
from tests.helpers import serve_asgi


class Flaky:
    """An ASGI app: answers ``script``'s (status, Retry-After) in turn, then 200 with a box."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str | None]] = []
        self.seen: list[tuple[float, str]] = []  # (monotonic time, Authorization)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        self.seen.append((time.monotonic(), headers.get(b"authorization", b"").decode()))
        status, retry_after = self.script.pop(0) if self.script else (200, None)
        body: Any = {"status_code": status, "detail": "slow down"}
        if status == 200:
            now = dt.datetime.now(dt.UTC)
            body = BoxRead(
                id=7,
                label="hello",
                content="",
                content_html="",
                content_markup_type="html",
                created=now,
                updated=now,
            )
        out = [(b"content-type", b"application/json")]
        if retry_after is not None:
            out.append((b"retry-after", retry_after.encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": msgspec.json.encode(body)})


@pytest.fixture(scope="module")
def flaky() -> Iterator[tuple[Flaky, str]]:
    app = Flaky()
    with serve_asgi(app) as url:
        yield app, url


def _waits(app: Flaky) -> list[float]:
    return [b[0] - a[0] for a, b in zip(app.seen, app.seen[1:], strict=False)]


def test_429_waits_the_seconds_it_is_told(flaky: tuple[Flaky, str]) -> None:
    app, url = flaky
    app.script, app.seen = [(429, "1")], []
    with Client(url, api_key="k") as client:
        box = client.boxes.get(7)
    assert box.label == "hello"
    assert len(app.seen) == 2 and all(auth == "Bearer k" for _, auth in app.seen)
    assert 1.0 <= _waits(app)[0] < 2.0


def test_503_waits_until_the_http_date(flaky: tuple[Flaky, str]) -> None:
    app, url = flaky
    when = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), usegmt=True)
    app.script, app.seen = [(503, when)], []
    with Client(url) as client:
        assert client.boxes.get(7).id == 7
    assert len(app.seen) == 2
    assert 0.9 <= _waits(app)[0] <= 2.5  # the date has whole seconds


def test_gives_up_after_the_attempts_and_over_the_cap(flaky: tuple[Flaky, str]) -> None:
    app, url = flaky
    app.script, app.seen = [(503, "0")] * 5, []
    with Client(url, retries=2) as client, pytest.raises(ServiceUnavailable) as gone:
        client.boxes.get(7)
    assert len(app.seen) == 3 and gone.value.retry_after == "0" and gone.value.detail == "slow down"

    app.script, app.seen = [(429, "3600")], []
    started = time.monotonic()
    with Client(url, max_retry_wait=30) as client, pytest.raises(TooManyRequests) as limited:
        client.boxes.get(7)
    assert len(app.seen) == 1 and time.monotonic() - started < 1  # never waits an hour
    assert limited.value.retry_after == "3600"


def test_retry_after_parsing() -> None:
    now = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Mon, 07 Dec 2026 06:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 07 Dec 2026 05:00:00 GMT", now) == 0.0  # past: no wait
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
