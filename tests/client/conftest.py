"""The client against the real app served over HTTP (uvicorn in a thread, as the site builder's tests
do), a counting transport to see how many requests a call made, and ``pydotorg-edit`` run as a
process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydotorg.app import create_app
from pydotorg_client import Client
from tests.helpers import serve_asgi


@pytest.fixture(scope="session")
def live_api(settings: Any, mailer: Any) -> Iterator[str]:
    app = create_app(settings, mailer=mailer, configure_logs=False)
    with serve_asgi(app, lifespan="on") as url:
        yield url


class Counting(httpx.HTTPTransport):
    """A real transport that remembers each request it sent (method, path and query)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.raw_path.decode()}")
        return super().handle_request(request)


@pytest.fixture
def connect(live_api: str, actors: Any) -> Iterator[Callable[..., Client]]:
    """``connect("root")``: a client with that actor's log-in token (``actors`` made the users)."""
    opened: list[Client] = []

    def make(who: str | None = None, **kwargs: Any) -> Client:
        client = Client(live_api, token=actors[who].token if who else None, **kwargs)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def cli_runner(
    home: Path, tmp_path: Path, fake_editor: str
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``pydotorg-edit`` run as a separate process, as an editor runs it: its own ``$HOME`` (so its
    own credentials file), ``fake_editor`` as ``$EDITOR``, nothing from the caller's ``VISUAL`` or
    ``PYDOTORG_API``."""
    editor = tmp_path / "editor.py"
    editor.write_text(fake_editor, encoding="utf-8")

    def call(
        *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "EDITOR": f"{sys.executable} {editor}",
            "TMPDIR": str(tmp_path),
            **(env or {}),
        }
        environ.pop("VISUAL", None)
        environ.pop("PYDOTORG_API", None)
        return subprocess.run(
            [sys.executable, "-m", "pydotorg_client.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environ,
            timeout=60,
            check=False,
        )

    return call
