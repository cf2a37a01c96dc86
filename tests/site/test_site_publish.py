"""The production publish path (issue 18, items 1 and 6): ``make site-publish`` — what
.github/workflows/site.yml runs when the theme or the builder changes — against a real local S3
server (moto, tests/s3server.py) and the Fastly fake (tests/site/test_cdn.py), then the edit
path with ``PYDOTORG_SITE_ORIGIN=s3``: an incremental build reaches the bucket, and a build whose
upload the bucket refuses leaves the bucket as it was and is completed by the next build."""

# ruff: noqa: F811  (the ``dl`` fixture, imported, is a test's argument)

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import serve_asgi
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, RecordingProxy, S3Server, running_s3
from tests.site.test_build import SITE, builder_key, live_api  # noqa: F401  (fixtures)
from tests.site.test_cdn import API_KEY, DICTIONARY, SERVICE, FakeFastly

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "pydotorg-site"
PREFIX = "www/"


@pytest.fixture(scope="module")
def s3() -> Iterator[tuple[S3Server, RecordingProxy, str]]:
    with running_s3() as server, server.proxy() as (proxy, endpoint):
        yield server, proxy, endpoint


@pytest.fixture(scope="module")
def fastly() -> Iterator[tuple[FakeFastly, str]]:
    fake = FakeFastly()
    with serve_asgi(fake) as url:
        yield fake, url


def _outside_the_venv() -> str:
    """PATH without this virtualenv, so that `make` finds the python3 that has uv, as on a
    developer's or CI's shell."""
    venv_bin = str(Path(sys.prefix) / "bin")
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)


def _env(api: str, key: str, out: Path, endpoint: str, fastly_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": _outside_the_venv(),
        "PYDOTORG_ENVIRONMENT": "test",
        "PYDOTORG_SITE_API_URL": api,
        "PYDOTORG_SITE_API_KEY": key,
        "PYDOTORG_SITE_URL": SITE,
        "PYDOTORG_SITE_ORIGIN_DIR": str(out),
        "PYDOTORG_SITE_ORIGIN": "s3",
        "PYDOTORG_SITE_S3_BUCKET": BUCKET,
        "PYDOTORG_SITE_S3_PREFIX": PREFIX,
        "PYDOTORG_S3_ENDPOINT_URL": endpoint,
        "PYDOTORG_S3_REGION": REGION,
        "PYDOTORG_S3_ACCESS_KEY": ACCESS_KEY,
        "PYDOTORG_S3_SECRET_KEY": SECRET_KEY,
        "PYDOTORG_FASTLY_API_KEY": API_KEY,
        "PYDOTORG_FASTLY_SERVICE_ID": SERVICE,
        "PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID": DICTIONARY,
        "PYDOTORG_FASTLY_API_URL": fastly_url,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def _build(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """An edit's build, as the worker runs it (incremental). Its URL purges would go to
    www.python.org itself (Fastly purges a URL at the URL): a CDN that only logs here."""
    args = [sys.executable, "-m", "sitebuilder.build", "--api", env["PYDOTORG_SITE_API_URL"]]
    quiet = {**env, "PYDOTORG_FASTLY_API_KEY": ""}
    return _run([*args, "--out", env["PYDOTORG_SITE_ORIGIN_DIR"], "--site-url", SITE], quiet)


def _live(server: S3Server) -> dict[str, bytes]:
    """What readers get from the bucket: the site's objects, not the origin's bookkeeping."""
    return {
        k.removeprefix(PREFIX): o.body
        for k, o in server.objects(BUCKET).items()
        if not k.removeprefix(PREFIX).startswith(("_publish/", "_staging/", "_previous/"))
    }


def _tree(out: Path) -> dict[str, bytes]:
    current = out / "current"
    return {str(p.relative_to(current)): p.read_bytes() for p in sorted(current.rglob("*")) if p.is_file()}


async def test_site_publish_and_edits_through_the_s3_origin(
    live_api: str,
    dl: Fixture,
    builder_key: str,
    actors: Any,
    s3: tuple[S3Server, RecordingProxy, str],
    fastly: tuple[FakeFastly, str],
    tmp_path: Path,
) -> None:
    server, proxy, endpoint = s3
    fake, fastly_url = fastly
    server.bucket(BUCKET)
    proxy.reset()
    fake.reset()
    out = tmp_path / "site"
    env = _env(live_api, builder_key, out, endpoint, fastly_url)

    # The CI target: a full build, published to the bucket. Nothing was live: nothing to purge.
    first = _run(["make", "--no-print-directory", "site-publish"], env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "full build:" in first.stdout
    live = _live(server)
    assert live == _tree(out) and "downloads/index.html" in live
    objects = server.objects(BUCKET)
    assert objects[f"{PREFIX}downloads/index.html"].content_type == "text/html; charset=utf-8"
    assert objects[f"{PREFIX}downloads/index.html"].metadata["surrogate-key"].startswith("site html")
    assert not [r for r in fake.requests if "/purge" in r.path or r.method == "PURGE"]

    # Again, as after a theme deploy: the whole site republished, then the `site` key purged.
    second = _run(["make", "--no-print-directory", "site-publish"], env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert _live(server) == _tree(out)
    purges = [r.path for r in fake.requests if r.method == "POST" and "/purge" in r.path]
    assert purges == [f"/service/{SERVICE}/purge/site"], purges
    current = json.loads(objects_body(server, "_publish/current.json"))
    assert current["previous"] is not None  # the first publish, which rollback() would restore

    # An edit: the incremental build publishes the page to the bucket.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/pages/{dl.page}", json={"title": "Edited through S3"})
        assert r.status_code == 200
    edit = _build(env)
    assert edit.returncode == 0, edit.stderr[-3000:]
    assert "incremental build: 1 written" in edit.stdout
    page = "download/releases/2.7.5/index.html"
    assert b"Edited through S3" in _live(server)[page]
    assert _live(server) == _tree(out)

    # The bucket refuses every request: the build fails, nothing in the bucket changes.
    before = server.objects(BUCKET)
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.patch(f"/api/v3/pages/{dl.page}", json={"title": "Edited while S3 was down"})
        assert r.status_code == 200
    proxy.fail(10_000)
    failed = _build(env)
    proxy.fail(0)
    assert failed.returncode == 1, (failed.stdout, failed.stderr[-2000:])
    assert "the site bucket refused the publish" in failed.stderr
    assert {k: o.body for k, o in server.objects(BUCKET).items()} == {k: o.body for k, o in before.items()}
    assert (out / "_state" / "pending-remote.json").exists()
    # The bucket is back: the next build, with nothing new to render, publishes what is pending.
    retried = _build(env)
    assert retried.returncode == 0, retried.stderr[-3000:]
    assert b"Edited while S3 was down" in _live(server)[page]
    assert _live(server) == _tree(out)
    assert not (out / "_state" / "pending-remote.json").exists()

    # The operator's way back: the bucket as before that publish, and the whole site purged.
    fake.reset()
    args = [sys.executable, "-m", "sitebuilder.build", "--api", live_api, "--out", str(out), "--rollback"]
    back = _run(args, env)
    assert back.returncode == 0, back.stderr[-3000:]
    assert "rolled back" in back.stdout
    assert b"Edited through S3" in _live(server)[page]
    assert {k: o.body for k, o in server.objects(BUCKET).items() if not k.startswith(PREFIX + "_")} == {
        k: o.body for k, o in before.items() if not k.startswith(PREFIX + "_")
    }
    assert [r.path for r in fake.requests if r.method == "POST"] == [f"/service/{SERVICE}/purge/site"]


def objects_body(server: S3Server, key: str) -> bytes:
    return server.objects(BUCKET)[PREFIX + key].body


def test_site_publish_refuses_an_incomplete_s3_configuration(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": _outside_the_venv(),
        "PYDOTORG_SITE_API_URL": "http://127.0.0.1:9",
        "PYDOTORG_SITE_API_KEY": "k",
        "PYDOTORG_SITE_ORIGIN_DIR": str(tmp_path / "site"),
        "PYDOTORG_SITE_ORIGIN": "s3",
        "PYDOTORG_S3_ENDPOINT_URL": "",
    }
    result = _run(["make", "--no-print-directory", "site-publish"], env)
    assert result.returncode != 0
    assert "PYDOTORG_SITE_S3_BUCKET is required when PYDOTORG_SITE_ORIGIN=s3" in result.stderr
    assert not (tmp_path / "site" / "current").exists()
