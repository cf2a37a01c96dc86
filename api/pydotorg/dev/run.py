"""``pydotorg dev run``: the API, a worker and the static site's server together on this
machine, on the embedded PostgreSQL and Redis unless the environment names others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

import msgspec

from pydotorg.dev import embedded
from pydotorg.dev.seed import credentials_path, stored_credentials, stored_site_key
from pydotorg.settings import Settings


def with_dev_services(settings: Settings, *, need_redis: bool = True) -> Settings:
    """Fill in the embedded servers' URLs when the environment names none (development)."""
    if settings.database_url and (settings.redis_url or not need_redis):
        return settings
    services = embedded.status(settings.state_dir.resolve())
    if services is None:
        raise RuntimeError(
            "no database configured: set PYDOTORG_DATABASE_URL and PYDOTORG_REDIS_URL, "
            "or run `pydotorg dev up` first"
        )
    return msgspec.structs.replace(
        settings,
        database_url=settings.database_url or services.database_url,
        redis_url=settings.redis_url or services.redis_url,
    )


def run(settings: Settings, host: str, port: int, echo: Callable[[str], object]) -> None:
    """Run the API, a worker and the site's server until interrupted (what `make run` ends
    with); ``echo`` prints the addresses."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # `kill` (SIGTERM) stops the API, worker and site like Ctrl-C

    signal.signal(signal.SIGTERM, stop)
    env = dict(os.environ)
    env["PYDOTORG_DATABASE_URL"] = settings.database_url
    env["PYDOTORG_REDIS_URL"] = settings.redis_url
    site_key = settings.site_api_key or stored_site_key(settings)
    env["PYDOTORG_SITE_API_KEY"] = site_key
    env["PYDOTORG_SITE_API_URL"] = f"http://{host}:{port}"
    env.setdefault("PYDOTORG_SITE_URL", f"http://{host}:{port + 1}")
    exe = [sys.executable, "-m", "pydotorg.cli"]
    api_proc = subprocess.Popen(  # noqa: S603
        [*exe, "serve", "--host", host, "--port", str(port)], env=env
    )
    wait_for(f"http://{host}:{port}/readyz")
    site_dir = settings.site_dir
    site_proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "sitebuilder.serve",
            "--root",
            str(site_dir),
            "--host",
            host,
            "--port",
            str(port + 1),
            "--api",  # the site and the API on one origin, as behind Fastly
            f"http://{host}:{port}",
            *(["--media", str(settings.media_dir)] if settings.storage_backend == "local" else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The site's server first: it serves /media/ before anything is published, and the first
    # build reads the sponsor logos from there (sitebuilder/sections/sponsors.py).
    if site_key:
        subprocess.run(  # noqa: S603
            [*exe, "build-site", "--api", f"http://{host}:{port}", "--out", str(site_dir)],
            env=env,
            check=False,
        )
    worker_proc = subprocess.Popen([*exe, "worker"], env=env)  # noqa: S603
    for line in banner(settings, host, port):
        echo(line)
    try:
        while api_proc.poll() is None and worker_proc.poll() is None:
            try:
                api_proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (api_proc, worker_proc, site_proc):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in (api_proc, worker_proc, site_proc):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if api_proc.returncode not in (0, None, -signal.SIGINT, 130):
        raise RuntimeError(f"the API server exited with status {api_proc.returncode}")


def banner(settings: Settings, host: str, port: int) -> list[str]:
    """What ``dev run`` prints once everything is up: the addresses and, on every start, the
    demo accounts (the first seed wrote their passwords to ``.state/demo-credentials.txt``)."""
    base = f"http://{host}:{port}"
    lines = [
        "",
        f"  Site:      http://{host}:{port + 1}/   (rebuilt by the worker after each change)",
        f"  API:       {base}/api/v3/",
        f"  API docs:  {base}/api/schema",
        f"  Health:    {base}/healthz  {base}/readyz  {base}/metrics",
        f"  Mail:      {settings.mail_dir.resolve()}/",
    ]
    accounts = stored_credentials(settings)
    if accounts:
        lines.append(f"  Accounts:  (from {credentials_path(settings).resolve()})")
        lines += [f"    {account}" for account in accounts]
    else:
        lines.append(f"  Accounts:  none recorded in {credentials_path(settings).resolve()}")
    lines += ["  Press Ctrl-C to stop.", ""]
    return lines


def wait_for(url: str, seconds: float = 30) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
