"""Origins: atomic local releases behind a ``current`` symlink, and S3 uploads against a real
S3-compatible server (moto, tests/s3server.py) behind a recording proxy."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitebuilder import origin as origin_module
from sitebuilder.objectstore import ObjectStoreError, S3ObjectStore
from sitebuilder.origin import LocalDirectoryOrigin, S3Origin, content_type
from tests.s3server import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    RecordingProxy,
    S3Server,
    StoredObject,
    running_s3,
)

BUCKET = "pydotorg-site"


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def generation(n: int, files: int = 30) -> dict[str, str | bytes]:
    tree: dict[str, str | bytes] = {
        f"section-{i % 5}/page-{i}/index.html": f"gen {n} page {i}" for i in range(files)
    }
    tree["index.html"] = f"gen {n} home"
    tree["static/logo.png"] = bytes(range(256)) * 4
    tree["marker.txt"] = str(n)
    return tree


def resolved_current(root: Path) -> Path:
    target = os.readlink(root / "current")
    assert not os.path.isabs(target)  # relative, so the tree can be mounted elsewhere
    return root / target


# --- LocalDirectoryOrigin -------------------------------------------------------------------------


async def test_publish_twice(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    assert origin.current_dir() is None
    first_src = make_tree(tmp_path / "build1", generation(1))
    first = await origin.publish(first_src)
    assert read_tree(resolved_current(origin.root)) == read_tree(first_src)

    second_src = make_tree(tmp_path / "build2", {**generation(2), "extra/new.html": "new"})
    second = await origin.publish(second_src)
    assert first != second
    assert resolved_current(origin.root) == origin.releases_dir / second
    assert origin.current_dir() == origin.releases_dir / second
    assert origin.current_release() == second
    assert read_tree(origin.root / "current") == read_tree(second_src)
    assert read_tree(origin.releases_dir / first) == read_tree(first_src)  # the old release is intact
    assert origin.releases() == [first, second]


async def test_old_releases_are_pruned_to_three(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    ids = []
    for n in range(5):
        src = make_tree(tmp_path / f"build{n}", generation(n, files=3))
        ids.append(await origin.publish(src))
        current = resolved_current(origin.root)
        assert read_tree(current) == read_tree(src)  # complete right after each publish
    assert sorted(ids) == ids
    assert origin.releases() == ids[-3:]
    # Pruned releases are renamed away at once and removed in the background.
    deadline = time.monotonic() + 10
    while any(n.startswith(".trash-") for n in os.listdir(origin.releases_dir)):
        assert time.monotonic() < deadline, os.listdir(origin.releases_dir)
        await asyncio.sleep(0.05)
    assert sorted(os.listdir(origin.releases_dir)) == ids[-3:]
    assert origin.current_release() == ids[-1]


async def test_failed_copy_leaves_current_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    good = make_tree(tmp_path / "good", generation(1))
    first = await origin.publish(good)
    entries = sorted(os.listdir(origin.root))

    real_copy = origin_module._copy_file
    calls = 0

    def flaky_copy(src: Path, dst: Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 10:
            raise OSError(28, "No space left on device")
        real_copy(src, dst)

    monkeypatch.setattr(origin_module, "_copy_file", flaky_copy)
    bad = make_tree(tmp_path / "bad", generation(2))
    with pytest.raises(OSError, match="No space left"):
        await origin.publish(bad)
    assert calls == 10
    assert origin.current_release() == first
    assert read_tree(resolved_current(origin.root)) == read_tree(good)
    assert os.listdir(origin.releases_dir) == [first]  # no partial release left behind
    assert sorted(os.listdir(origin.root)) == entries  # no stray temporary symlink

    monkeypatch.setattr(origin_module, "_copy_file", real_copy)
    third = await origin.publish(bad)
    assert origin.releases() == [first, third]
    assert read_tree(origin.root / "current") == read_tree(bad)


async def test_failed_switch_removes_the_new_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    first = await origin.publish(make_tree(tmp_path / "a", generation(1, files=2)))

    def refuse(src: str, dst: str) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(origin_module.os, "replace", refuse)
    with pytest.raises(PermissionError):
        await origin.publish(make_tree(tmp_path / "b", generation(2, files=2)))
    monkeypatch.undo()
    assert origin.releases() == [first]
    assert origin.current_release() == first
    assert not [p for p in os.listdir(origin.root) if p.startswith(".current-")]


async def test_readers_always_see_a_complete_tree(tmp_path: Path) -> None:
    """A reader resolving ``current`` while publishes run only ever finds whole releases."""
    origin = LocalDirectoryOrigin(tmp_path / "site", keep=100)  # nothing pruned under the reader
    files = 40
    await origin.publish(make_tree(tmp_path / "b0", generation(0, files)))
    expected = set(read_tree(tmp_path / "b0"))
    stop = threading.Event()
    problems: list[str] = []
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            tree = resolved_current(origin.root)
            found = read_tree(tree)
            gen = found.get("marker.txt", b"?").decode()
            if set(found) != expected:
                problems.append(f"{tree.name}: {len(found)} files")
            elif any(
                not v.startswith(f"gen {gen} ".encode()) for k, v in found.items() if k.endswith(".html")
            ):
                problems.append(f"{tree.name}: mixed generations")
            reads += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(1, 8):
            await origin.publish(make_tree(tmp_path / f"b{n}", generation(n, files)))
    finally:
        stop.set()
        thread.join(10)
    assert problems == []
    assert reads > 0
    assert read_tree(origin.root / "current")["marker.txt"] == b"7"


async def test_unchanged_files_are_hard_linked(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    src = make_tree(tmp_path / "src", {"a.html": "A1", "b.html": "B1", "c.html": "C1", "gone.html": "G"})
    first = await origin.publish(src)
    make_tree(src, {"a.html": "A2", "c.html": "C22"})  # c.html changed size but is not declared
    second = await origin.publish(src, changed={"/a.html"}, deleted=["gone.html"])
    old, new = origin.releases_dir / first, origin.releases_dir / second
    assert (new / "b.html").stat().st_ino == (old / "b.html").stat().st_ino
    assert (new / "a.html").stat().st_ino != (old / "a.html").stat().st_ino
    assert (new / "c.html").read_text() == "C22"  # a size mismatch is copied, never linked
    assert read_tree(new) == {"a.html": b"A2", "b.html": b"B1", "c.html": b"C22"}
    # a full publish copies everything
    third = await origin.publish(src)
    assert (origin.releases_dir / third / "b.html").stat().st_ino != (new / "b.html").stat().st_ino


async def test_publish_refusals(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    with pytest.raises(FileNotFoundError):
        await origin.publish(tmp_path / "missing")
    with pytest.raises(ValueError, match="relative"):
        await origin.publish(tmp_path, changed=["../etc/passwd"])
    with pytest.raises(ValueError):
        LocalDirectoryOrigin(tmp_path, keep=0)
    squatter = LocalDirectoryOrigin(tmp_path / "other")
    (squatter.root / "current").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="not a symlink"):
        await squatter.publish(make_tree(tmp_path / "x", {"index.html": "x"}))


async def test_activate_rolls_back(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    first = await origin.publish(make_tree(tmp_path / "a", {"index.html": "one"}))
    await origin.publish(make_tree(tmp_path / "b", {"index.html": "two"}))
    await origin.activate(first)
    assert (origin.root / "current" / "index.html").read_text() == "one"
    with pytest.raises(FileNotFoundError):
        await origin.activate("nope")


# --- S3Origin -------------------------------------------------------------------------------------


@dataclass
class Bucket:
    s3: S3Server
    proxy: RecordingProxy
    endpoint: str  # the proxy's: every request is logged

    def objects(self) -> dict[str, StoredObject]:
        return self.s3.objects(BUCKET)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[Bucket]:
    with running_s3() as s3, s3.proxy() as (proxy, endpoint):
        yield Bucket(s3, proxy, endpoint)


@pytest.fixture
def fake_s3(s3_server: Bucket) -> Iterator[Bucket]:
    s3_server.s3.bucket(BUCKET)
    s3_server.proxy.reset()
    yield s3_server
    s3_server.proxy.reset()


@pytest.fixture
def s3(fake_s3: Bucket) -> S3Origin:
    store = S3ObjectStore(
        fake_s3.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION, prefix="www/", backoff=0.01
    )
    return S3Origin(store, concurrency=4)


SITE: dict[str, str | bytes] = {
    "index.html": "<h1>Welcome</h1>",
    "downloads/index.html": "<h1>Downloads</h1>",
    "jobs/feed.rss": "<rss/>",
    "jobs/feed.atom": "<feed/>",
    "events/python-events.ics": "BEGIN:VCALENDAR",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *",
    "static/css/style.css": "body{}",
    "static/js/main.js": "void 0",
    "static/img/logo.png": b"\x89PNG\r\n",
    "old/page.html": "going away",
}


async def test_s3_full_publish(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", SITE)
    release = await s3.publish(src, deleted=["old/page.html"])
    objects = fake_s3.objects()
    types = {k.removeprefix("www/"): o.content_type for k, o in objects.items() if not k.startswith("www/_")}
    assert types == {
        "index.html": "text/html; charset=utf-8",
        "downloads/index.html": "text/html; charset=utf-8",
        "jobs/feed.rss": "application/rss+xml",
        "jobs/feed.atom": "application/atom+xml",
        "events/python-events.ics": "text/calendar; charset=utf-8",
        "sitemap.xml": "application/xml",
        "robots.txt": "text/plain",
        "static/css/style.css": "text/css",
        "static/js/main.js": "application/javascript",
        "static/img/logo.png": "image/png",
    }
    for rel, content in SITE.items():
        if rel != "old/page.html":
            expected = content.encode() if isinstance(content, str) else content
            assert objects[f"www/{rel}"].body == expected
    assert objects["www/index.html"].cache_control == "public, max-age=300"
    assert objects["www/static/css/style.css"].cache_control == "public, max-age=3600"
    # The nginx origin's CDN headers, as user metadata (x-amz-meta-*).
    assert objects["www/downloads/index.html"].metadata == {
        "surrogate-key": "site html section-downloads",
        "surrogate-control": "max-age=2592000, stale-if-error=86400",
    }
    assert objects["www/static/css/style.css"].metadata["surrogate-key"] == "site static section-static"
    manifest = json.loads(objects[f"www/_publish/{release}.json"].body)
    assert manifest["id"] == release and manifest["full"] is True
    assert sorted(manifest["uploaded"]) == sorted(set(SITE) - {"old/page.html"})
    assert manifest["deleted"] == ["old/page.html"]
    assert objects[f"www/_publish/{release}.json"].content_type == "application/json"
    assert objects[f"www/_publish/{release}.json"].cache_control == "no-store"
    assert set(fake_s3.proxy.statuses()) == {200}  # every request accepted


async def test_s3_deletes_after_uploads_and_manifest_last(
    s3: S3Origin, fake_s3: Bucket, tmp_path: Path
) -> None:
    src = make_tree(tmp_path / "site", SITE)
    await s3.publish(src)
    fake_s3.proxy.reset()
    make_tree(src, {"downloads/index.html": "<h1>New downloads</h1>", "news/index.html": "fresh"})
    (src / "old" / "page.html").unlink()
    release = await s3.publish(
        src, changed=["downloads/index.html", "news/index.html"], deleted=["old/page.html", "jobs/feed.atom"]
    )
    methods = fake_s3.proxy.methods()
    puts = [k for m, k in methods if m == "PUT"]
    assert sorted(puts[:-1]) == ["www/downloads/index.html", "www/news/index.html"]
    assert puts[-1] == f"www/_publish/{release}.json"
    # obstore deletes through S3's multi-object Delete (POST /<bucket>?delete), one per path here.
    first_delete = next(i for i, (m, _) in enumerate(methods) if m == "POST")
    assert all(m == "PUT" for m, _ in methods[:first_delete])
    assert [m for m, _ in methods[first_delete:-1]] == ["POST", "POST"]
    assert methods[-1] == ("PUT", f"www/_publish/{release}.json")
    objects = fake_s3.objects()
    assert "www/jobs/feed.atom" not in objects and "www/old/page.html" not in objects
    assert objects["www/downloads/index.html"].body == b"<h1>New downloads</h1>"
    assert objects["www/index.html"].body == b"<h1>Welcome</h1>"  # untouched


async def test_s3_failed_upload_deletes_nothing(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", SITE)
    await s3.publish(src)
    before = {k: o.body for k, o in fake_s3.objects().items()}
    fake_s3.proxy.reset()
    fake_s3.proxy.fail(1000)
    with pytest.raises(ObjectStoreError, match="HTTP 500") as info:
        await s3.publish(src, changed=["index.html"], deleted=["robots.txt"])
    assert "www/index.html" in str(info.value) and "3 attempts" in str(info.value)
    fake_s3.proxy.fail(0)
    assert {m for m, _ in fake_s3.proxy.methods()} == {"PUT"}
    assert {k: o.body for k, o in fake_s3.objects().items()} == before  # no manifest either


async def test_s3_retries_a_flaky_store(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", {"index.html": "hi"})
    fake_s3.proxy.fail(2)
    release = await s3.publish(src)
    objects = fake_s3.objects()
    assert objects["www/index.html"].body == b"hi"
    assert f"www/_publish/{release}.json" in objects
    assert fake_s3.proxy.statuses() == [500, 500, 200, 200]


async def test_s3_unreachable_store_fails_the_publish(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = S3ObjectStore(
        f"http://127.0.0.1:{port}", BUCKET, ACCESS_KEY, SECRET_KEY, prefix="site/", backoff=0.01
    )
    origin = S3Origin(store)
    src = make_tree(tmp_path / "site", {"index.html": "hi"})
    with pytest.raises(ObjectStoreError, match=r"S3 PUT 'site/index.html' .* after 3 attempts"):
        await origin.publish(src)


async def test_s3_refuses_missing_changed_files(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", {"index.html": "hi"})
    with pytest.raises(FileNotFoundError, match=r"nope\.html"):
        await s3.publish(src, changed=["index.html", "nope.html"])
    assert fake_s3.proxy.log == []


def test_content_types() -> None:
    assert content_type("a/b.HTML") == "text/html; charset=utf-8"
    assert content_type("feed.rss") == "application/rss+xml"
    assert content_type("cal.ics") == "text/calendar; charset=utf-8"
    assert content_type("file.unknownext") == "application/octet-stream"


async def test_overlay_publishes_recycle_the_oldest_release(tmp_path: Path) -> None:
    """Many overlay publishes with edits, new files and deletions: once three releases exist the
    oldest is brought up to date and reused, and every published tree is exactly what it should
    be — including paths the reused release last saw several publishes ago."""
    import random

    rng = random.Random(7)
    origin = LocalDirectoryOrigin(tmp_path / "site")
    expected: dict[str, bytes] = {
        k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(0).items()
    }
    await origin.publish(make_tree(tmp_path / "b0", generation(0)))
    inodes_before: set[int] = set()
    history: dict[str, dict[str, bytes]] = {}
    for n in range(1, 25):
        changed: dict[str, str | bytes] = {}
        for rel in rng.sample(sorted(expected), 3):
            changed[rel] = f"edit {n} of {rel}"
        changed[f"new/{n}/index.html"] = f"new page {n}"
        deleted = [
            rel for rel in rng.sample(sorted(expected), 2) if rel not in changed and rel != "index.html"
        ]
        src = make_tree(tmp_path / f"b{n}", changed)
        oldest = origin.releases()[0]
        inodes_before = {os.stat(origin.releases_dir / oldest).st_ino}
        release = await origin.publish(src, changed=list(changed), deleted=deleted, overlay=True)
        for rel in deleted:
            expected.pop(rel)
        expected.update({k: v.encode() if isinstance(v, str) else v for k, v in changed.items()})
        assert read_tree(resolved_current(origin.root)) == expected, n
        history[release] = dict(expected)
        assert origin.current_release() == release and len(origin.releases()) <= 3
        if n >= 3:  # a full set: the new release is the oldest one, renamed and brought up to date
            assert os.stat(origin.releases_dir / release).st_ino in inodes_before, n
    # Every kept release is still a complete, consistent tree (rollback works).
    for older in origin.releases()[:-1]:
        await origin.activate(older)
        assert read_tree(resolved_current(origin.root)) == history[older]
    # A publish after a rollback builds on the release that is live now.
    live = origin.current_release()
    assert live is not None
    src = make_tree(tmp_path / "after-rollback", {"index.html": "after rollback"})
    await origin.publish(src, changed=["index.html"], overlay=True)
    assert read_tree(resolved_current(origin.root)) == {**history[live], "index.html": b"after rollback"}


async def test_a_full_publish_is_never_recycled_over(tmp_path: Path) -> None:
    origin = LocalDirectoryOrigin(tmp_path / "site")
    for n in range(4):
        await origin.publish(make_tree(tmp_path / f"full{n}", generation(n)))  # full publishes
    src = make_tree(tmp_path / "edit", {"index.html": "edited"})
    await origin.publish(src, changed=["index.html"], overlay=True)
    tree = read_tree(resolved_current(origin.root))
    assert tree["index.html"] == b"edited" and tree["marker.txt"] == b"3"
    assert tree == {
        **{k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(3).items()},
        "index.html": b"edited",
    }
