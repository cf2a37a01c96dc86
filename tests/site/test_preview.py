"""Draft previews end to end: the API, the worker's ``previews.render`` job and the builder's
preview mode (``python -m sitebuilder.preview``) against a live API and a built site. A preview
shows the draft in the real theme; the public site, the builder's saved state and the CDN are
left exactly as they were."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from pydotorg.app import create_app
from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import running_worker, serve_asgi
from tests.site.test_build import SITE, _build, builder_key  # noqa: F401  (fixture)


def _fingerprint(root: Path) -> dict[str, str]:
    """Every file under the origin directory (releases, ``current``, the saved state) by content."""
    current = (root / "current").resolve()
    files = {f"current/{p.relative_to(current)}": p for p in current.rglob("*") if p.is_file()}
    files.update({str(p.relative_to(root)): p for p in (root / "_state").rglob("*") if p.is_file()})
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in sorted(files.items())}


@pytest.fixture
def preview_settings(settings: Any, builder_key: str, tmp_path: Path) -> Any:  # noqa: F811
    return msgspec.structs.replace(
        settings,
        site_api_key=builder_key,
        site_origin_dir=str(tmp_path / "site"),
        queue_name="preview-test",
        site_url=SITE,
        site_watch_seconds=0,
    )


@pytest.fixture
def preview_api(preview_settings: Any, mailer: Any) -> Iterator[str]:
    app = create_app(preview_settings, mailer=mailer, configure_logs=False)
    with serve_asgi(app, lifespan="on") as url:
        yield url


async def ready(api: httpx.AsyncClient, token: str, seconds: float = 90) -> dict[str, Any]:
    for _ in range(int(seconds * 5)):
        status = (await api.get(f"/api/v3/previews/{token}/status")).json()
        if status["status"] != "pending":
            return status
        await asyncio.sleep(0.2)
    raise AssertionError("the preview was not rendered in time")


async def test_draft_page_and_edited_release_previews_leave_the_site_alone(
    preview_api: str,
    preview_settings: Any,
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    sessionmaker: Any,
    mailer: Any,
    tmp_path: Path,
) -> None:
    settings = msgspec.structs.replace(preview_settings, site_api_url=preview_api)
    out = tmp_path / "site"
    root = actors["root"].headers
    editor = await actors.create("editor", permissions=("pages.change_page", "downloads.change_release"))
    async with httpx.AsyncClient(base_url=preview_api, headers=root) as api:
        r = await api.post(
            "/api/v3/pages",
            json={
                "title": "Coming soon",
                "path": "about/coming-soon",
                "content": "The *draft* text of a page nobody has seen.",
                "is_published": False,
            },
        )
        assert r.status_code == 201, r.text
        page_id = r.json()["id"]
    _build(preview_api, out, builder_key)
    release_path = out / "current/downloads/release/python-31019/index.html"
    public_release = release_path.read_text()
    assert not (out / "current/about/coming-soon").exists()
    before = _fingerprint(out)

    async with (
        running_worker(settings, sessionmaker, mailer),
        httpx.AsyncClient(base_url=preview_api, headers=editor.headers) as api,
    ):
        r = await api.post("/api/v3/previews", json={"type": "page", "id": page_id})
        assert r.status_code == 201, r.text
        page_token = r.json()["token"]
        r = await api.post(
            "/api/v3/previews",
            json={
                "type": "release",
                "id": dl.releases["Python 3.10.19"],
                "changes": {"content": "Edited release notes, not yet published."},
            },
        )
        assert r.status_code == 201, r.text
        release_token = r.json()["token"]
        assert (await ready(api, page_token))["status"] == "ready"
        assert (await ready(api, release_token))["status"] == "ready"

        # The command line: `pydotorg-edit pages preview ID` waits for it and prints the URL.
        config = tmp_path / "config"
        (config / "pydotorg").mkdir(parents=True)
        (config / "pydotorg/credentials.json").write_text(json.dumps({preview_api: editor.token}))
        command = [sys.executable, "-m", "pydotorg_client.cli", "--api", preview_api]
        done = await asyncio.to_thread(
            subprocess.run,
            [*command, "pages", "preview", str(page_id)],
            env={**os.environ, "XDG_CONFIG_HOME": str(config)},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        cli_url = done.stdout.strip()
        assert (
            cli_url.startswith(f"{SITE}/api/v3/previews/")
            and cli_url != f"{SITE}/api/v3/previews/{page_token}"
        )
        cli_page = await api.get(cli_url.removeprefix(SITE))
        assert cli_page.status_code == 200 and "The <em>draft</em> text" in cli_page.text

        anonymous = httpx.AsyncClient(base_url=preview_api)  # the private URL needs no credentials
        page = await anonymous.get(f"/api/v3/previews/{page_token}")
        release = await anonymous.get(f"/api/v3/previews/{release_token}")
        await anonymous.aclose()

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store, private"
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    html = page.text
    assert "The <em>draft</em> text of a page nobody has seen." in html
    assert "<title>Coming soon" in html and "Preview — not published" in html
    assert '<link rel="stylesheet" href="/theme/css/style.css">' in html  # the theme, same host
    assert 'id="site-map"' in html or "<footer" in html  # the whole page around it, menus included
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<meta name="referrer" content="no-referrer">' in html

    assert "Edited release notes, not yet published." in release.text
    assert "Python 3.10.19" in release.text and "Preview — not published" in release.text
    # The public site and the builder's saved state are exactly as the build left them; the worker's
    # own start-up rebuild (core/tasks.py) found nothing to publish or purge.
    after = _fingerprint(out)
    for name in ("current", "_state/snapshot.json"):
        assert {k: v for k, v in after.items() if k.startswith(name)} == {
            k: v for k, v in before.items() if k.startswith(name)
        }
    report = json.loads((out / "_state/last-build.json").read_text())
    assert report["published"] == [] and report["purged_urls"] == [] and report["purged_keys"] == []
    assert release_path.read_text() == public_release
    assert "Edited release notes" not in public_release
    assert not (out / "current/about/coming-soon").exists()
    assert not (out / "_state/pending-purges.json").exists()
    async with httpx.AsyncClient(base_url=preview_api) as api:
        stored = (await api.get(f"/api/v3/downloads/releases/{dl.releases['Python 3.10.19']}")).json()
        assert "Edited release notes" not in stored["content"]
        assert (await api.get(f"/api/v3/pages/{page_id}")).status_code == 404  # still a draft
