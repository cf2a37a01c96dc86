"""The site ``make run`` builds, once per test session: its own database seeded by ``pydotorg seed
--demo`` (python.org's downloads at full scale, boxes, menu, events, the demo pages), the real API
over HTTP and a full build by ``python -m sitebuilder.build``. The checks that read the whole
site (links, HTML validity) share it; nothing a test does touches it.

The database and Redis db are separate from the per-test ones (whose tables every test empties),
so the tree stays what ``make run`` would show.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from pydotorg.app import create_app
from pydotorg.dev.seed import SITE_KEY_FILE
from pydotorg.settings import Settings
from tests.helpers import serve_asgi

BUILD = (sys.executable, "-m", "sitebuilder.build")
DEMO_REDIS_DB = 15  # the per-test settings use 1..14


@dataclass(frozen=True)
class DemoSite:
    root: Path  # the published tree (what the origin serves)
    site_url: str  # where the site is served (``sitebuilder.serve``, as ``make run`` serves it)
    api_url: str  # the API the site was built from (it goes on serving for the session)
    media_dir: Path  # the API's local media storage, served by the site's server at /media/
    redirects: dict[str, Any]  # _redirects.json: path -> {location, status}
    build_summary: str


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _site_server(root: Path, port: int, api: str, media: Path) -> Iterator[None]:
    """``sitebuilder.serve`` as ``make run`` starts it: the published tree, /media/ and the API
    on one origin."""
    args = ["--root", str(root), "--host", "127.0.0.1", "--port", str(port), "--api", api]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitebuilder.serve", *args, "--media", str(media)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, "the site's server exited"
                assert time.monotonic() < deadline, "the site's server did not start"
                time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "pydotorg.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"pydotorg {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="session")
async def demo_site(servers: tuple[str, str], tmp_path_factory: Any) -> AsyncIterator[DemoSite]:
    admin_url, redis_url = servers
    name = f"pydotorg_demo_{os.getpid()}"
    base = admin_url.rsplit("/", 1)[0]
    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    state = tmp_path_factory.mktemp("demo-state")
    out = tmp_path_factory.mktemp("demo-site")
    site_port = _free_port()
    site_url = f"http://127.0.0.1:{site_port}"
    settings = Settings(
        environment="test",
        secret_key="demo-secret-key-" + "x" * 40,
        database_url=f"{base}/{name}",
        redis_url=redis_url.rsplit("/", 1)[0] + f"/{DEMO_REDIS_DB}",
        mail_backend="memory",
        state_dir=state,
        site_url=site_url,
        log_json=False,
        log_level="WARNING",
    ).validated()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(state),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_SITE_URL=site_url,
    )
    try:
        _cli(env, "migrate")
        _cli(env, "seed", "--demo")
        app = create_app(settings, configure_logs=False)
        with serve_asgi(app, lifespan="on") as api, _site_server(out, site_port, api, settings.media_dir):
            # The site's server first, as in make run: the build reads the sponsor logos from /media/.
            build = subprocess.run(
                [*BUILD, "--api", api, "--out", str(out), "--site-url", site_url, "--full"],
                env={
                    **env,
                    "PYDOTORG_SITE_API_KEY": (state / SITE_KEY_FILE).read_text().strip(),
                    "PYDOTORG_FASTLY_API_KEY": "",
                },
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert build.returncode == 0, build.stderr[-3000:]
            root = (out / "current").resolve()
            yield DemoSite(
                root=root,
                site_url=site_url,
                api_url=api,
                media_dir=settings.media_dir,
                redirects=json.loads((root / "_redirects.json").read_text()),
                build_summary=build.stdout.strip().splitlines()[-1],
            )
    finally:
        conn = await asyncpg.connect(_plain(admin_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
