"""Parallel rendering (``sitebuilder.build --processes N``): the same data built in one process and
in several gives the same files byte for byte, the same output hashes and the same report; an
output whose rendering raises in a worker process is skipped and reported exactly as in a
sequential build. Every build states how it rendered: one ``site.render_share`` log line per
process of a parallel render, none for a render in the build's own process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import SITE, _tree, builder_key, live_api  # noqa: F401  (fixtures)
from tests.site.test_golden import SNAPSHOT


def _run(args: list[str], key: str = "") -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYDOTORG_SITE_API_KEY": key,
        "PYDOTORG_SITE_URL": SITE,
        "PYDOTORG_FASTLY_API_KEY": "",
        "PYDOTORG_ENVIRONMENT": "test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sitebuilder.build", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _build(api: str, out: Path, key: str, *extra: str) -> tuple[str, str]:
    """The summary line and everything the build logged."""
    result = _run(["--api", api, "--out", str(out), "--site-url", SITE, *extra], key)
    return result.stdout.strip().splitlines()[-1], result.stdout + result.stderr


def _shares(logged: str) -> dict[int, tuple[int, int]]:
    """``site.render_share`` lines: process -> (outputs, failed)."""
    shares = {}
    for line in logged.splitlines():
        if "site.render_share" in line:
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            shares[int(fields["process"])] = (int(fields["outputs"]), int(fields["failed"]))
    return shares


def _without_seconds(summary: str) -> str:
    return re.sub(r", [\d.]+ s\b", "", summary)


def _state(out: Path) -> tuple[dict[str, str], dict[str, Any]]:
    snapshot = json.loads((out / "_state/snapshot.json").read_text())
    report = json.loads((out / "_state/last-build.json").read_text())
    return snapshot["outputs"], report


async def test_parallel_build_equals_sequential_build(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    db_conn: Any,
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        for title, path in (("Kept page", "about/kept"), ("Bad page", "about/bad")):
            r = await api.post(
                "/api/v3/pages", json={"title": title, "path": path, "content": f"Text of {title}"}
            )
            assert r.status_code == 201, r.text
            bad = r.json()["id"]
    # A stored record whose path cannot be written (tests/security/test_builder_isolation.py).
    await db_conn.execute("UPDATE pages SET path = 'about/../../escaped' WHERE id = $1", bad)

    sequential, parallel = tmp_path / "sequential", tmp_path / "parallel"
    one, one_log = _build(live_api, sequential, builder_key, "--processes", "1")
    two, two_log = _build(live_api, parallel, builder_key, "--processes", "2", "--parallel-min", "1")
    assert one.startswith("full build:") and one.endswith(", 1 skipped"), one
    assert _without_seconds(two) == _without_seconds(one)
    # One process rendered everything; two shared it, each rendering a part.
    assert _shares(one_log) == {}
    shares = _shares(two_log)
    assert sorted(shares) == [0, 1] and all(
        outputs > 0 and failed == 0 for outputs, failed in shares.values()
    )
    written = int(one.split("full build: ")[1].split(" written")[0])
    mirrors = sum(1 for path in _tree(sequential) if path.startswith("getit/"))
    assert sum(outputs for outputs, _ in shares.values()) == written - mirrors

    files = _tree(sequential)
    assert len(files) > 100 and "Text of Kept page" in files["about/kept/index.html"].decode()
    assert "Python 3.10.19" in files["downloads/release/python-31019/index.html"].decode()
    assert _tree(parallel) == files
    hashes, report = _state(sequential)
    parallel_hashes, parallel_report = _state(parallel)
    assert parallel_hashes == hashes and len(hashes) == written
    for key in ("skipped", "published", "deleted_files", "purged_urls", "purged_keys", "written", "cursor"):
        assert parallel_report[key] == report[key], key
    assert [(s["domain"], s["kind"], s["id"]) for s in report["skipped"]] == [("pages", "page", str(bad))]

    # An edit re-renders a handful of outputs: below --parallel-min (default 500) the build
    # renders in its own process, and both origins still agree.
    async with httpx.AsyncClient(base_url=live_api, headers=actors["root"].headers) as api:
        r = await api.post(
            "/api/v3/downloads/files",
            json={
                "name": "Windows installer (64-bit)",
                "os_id": dl.os["windows"],
                "release_id": dl.releases["Python 3.10.19"],
                "url": FTP + "3.10.19/python-3.10.19-amd64.exe",
            },
        )
        assert r.status_code == 201, r.text
    one, one_log = _build(live_api, sequential, builder_key, "--processes", "1")
    two, two_log = _build(live_api, parallel, builder_key, "--processes", "2")
    assert one.startswith("incremental build:") and _without_seconds(two) == _without_seconds(one), (one, two)
    assert _shares(two_log) == {}
    page = _tree(parallel)["downloads/release/python-31019/index.html"].decode()
    assert "python-3.10.19-amd64.exe" in page
    assert _tree(parallel) == _tree(sequential)
    assert _state(parallel)[0] == _state(sequential)[0]


def test_an_output_failing_in_a_worker_is_skipped_as_in_a_sequential_build(tmp_path: Path) -> None:
    """Every release page's date is one the theme cannot read: each of them (and its /getit/
    mirror) is left out and logged, whichever process rendered it, and the rest is published."""
    snapshot = json.loads(SNAPSHOT.read_text())
    releases = [key for key in snapshot["data"] if key.startswith("view:release/")]
    assert len(releases) >= 5
    for key in releases:
        snapshot["data"][key]["release"]["release_date"] = "not a date"
    # The costliest outputs go first, to the build's own process while its workers start
    # (render.balance): one CMS page made the costliest of all takes that head start, so the
    # release pages after it are dealt across every process.
    snapshot["data"]["page:1"]["content_html"] = "<p>" + "Python " * 500_000 + "</p>"
    broken = tmp_path / "snapshot.json"
    broken.write_text(json.dumps(snapshot))

    logs = {}
    for processes in ("1", "3"):
        out = tmp_path / f"processes-{processes}"
        result = _run(
            [
                "--from-snapshot",
                str(broken),
                "--out",
                str(out),
                "--processes",
                processes,
                "--parallel-min",
                "1",
            ]
        )
        logs[processes] = result.stdout + result.stderr
    sequential, parallel = tmp_path / "processes-1", tmp_path / "processes-3"

    def skipped(logged: str) -> list[str]:
        return [
            line.split("site.output_skipped", 1)[1]
            for line in logged.splitlines()
            if "site.output_skipped" in line
        ]

    assert skipped(logs["3"]) == skipped(logs["1"])
    failed = [line for line in skipped(logs["1"]) if "rendering failed: ValueError" in line]
    assert len(failed) == len(releases)
    assert len([line for line in skipped(logs["1"]) if "mirrors the skipped" in line]) == len(releases)
    # The failures happened in the spawned workers too, not only in the build's own process.
    shares = _shares(logs["3"])
    assert sorted(shares) == [0, 1, 2] and _shares(logs["1"]) == {}
    assert sum(failed for _, failed in shares.values()) == len(releases)
    assert shares[1][1] > 0 and shares[2][1] > 0, shares
    for key in releases:
        slug = key.removeprefix("view:release/")
        assert not (parallel / "current/downloads/release" / slug / "index.html").exists()
        assert not (parallel / "current/getit/release" / slug / "index.html").exists()
    files = _tree(parallel)
    assert "downloads/index.html" in files and "index.html" in files and "theme/css/style.css" in files
    assert files == _tree(sequential)


def test_a_waiting_build_process_preloads_only_what_is_still_current(tmp_path: Path) -> None:
    """``--wait``: the snapshot read ahead is used only if the file was not replaced since; while
    a build holds the output directory nothing is read, and "go" ends the wait at once."""
    import fcntl
    import time

    from sitebuilder.build import BUILD_LOCK_FILE, Standby
    from sitebuilder.snapshot import Snapshot

    out = tmp_path / "site"
    path = out / "_state" / "snapshot.json"
    Snapshot(cursor=1).save(path)
    standby = Standby(out)
    standby.wait_for_origin()
    assert standby.preloaded_at is not None
    loaded = standby.snapshot(path)
    assert loaded is not None and loaded.cursor == 1
    replaced = Standby(out)
    replaced.wait_for_origin()
    Snapshot(cursor=2).save(path)  # another build saved its state in between
    loaded = replaced.snapshot(path)
    assert loaded is not None and loaded.cursor == 2
    with open(out / BUILD_LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a build is running
        waiting = Standby(out)
        time.sleep(0.2)
        assert waiting.preloaded_at is None
        waiting.go()
        waiting.wait_for_origin()
    assert waiting.preloaded_at is None and waiting.timings()["go_at"] is not None
