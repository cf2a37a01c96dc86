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
from typing import Any

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


def _live(bucket: Bucket) -> dict[str, bytes]:
    """What a reader of the bucket sees: the site's objects, not the origin's bookkeeping."""
    return {k.removeprefix("www/"): o.body for k, o in bucket.objects().items() if not k.startswith("www/_")}


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
    # The nginx origin's CDN headers, as user metadata (x-amz-meta-*), kept by the promoting copy.
    assert objects["www/downloads/index.html"].metadata == {
        "surrogate-key": "site html section-downloads",
        "surrogate-control": "max-age=2592000, stale-if-error=86400",
    }
    assert objects["www/static/css/style.css"].metadata["surrogate-key"] == "site static section-static"
    manifest = json.loads(objects[f"www/_publish/{release}.json"].body)
    assert manifest["id"] == release and manifest["full"] is True and manifest["state"] == "live"
    assert sorted(manifest["uploaded"]) == sorted(set(SITE) - {"old/page.html"})
    assert manifest["deleted"] == ["old/page.html"]
    assert json.loads(objects["www/_publish/current.json"].body) == {"id": release, "previous": None}
    assert objects[f"www/_publish/{release}.json"].content_type == "application/json"
    assert objects[f"www/_publish/{release}.json"].cache_control == "no-store"
    # Nothing left staged or pending.
    assert not [k for k in objects if k.startswith(("www/_staging/", "www/_publish/pending"))]


async def test_s3_goes_live_only_after_every_upload(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", SITE)
    first = await s3.publish(src)
    fake_s3.proxy.reset()
    make_tree(src, {"downloads/index.html": "<h1>New downloads</h1>", "news/index.html": "fresh"})
    (src / "old" / "page.html").unlink()
    release = await s3.publish(
        src, changed=["downloads/index.html", "news/index.html"], deleted=["old/page.html", "jobs/feed.atom"]
    )
    methods = fake_s3.proxy.methods()
    # Every upload of content goes to the staging area, and all of them come before the first
    # request that changes a live object (a copy onto it, or a delete).
    uploads = [
        i for i, (m, k) in enumerate(methods) if m == "PUT" and k.startswith(f"www/_staging/{release}/")
    ]
    assert len(uploads) == 2
    live = [
        i for i, (m, k) in enumerate(methods) if (m == "PUT" and not k.startswith("www/_")) or m == "POST"
    ]
    assert live and max(uploads) < min(live)
    assert _live(fake_s3)["downloads/index.html"] == b"<h1>New downloads</h1>"
    assert _live(fake_s3)["news/index.html"] == b"fresh"
    assert "jobs/feed.atom" not in _live(fake_s3) and "old/page.html" not in _live(fake_s3)
    assert _live(fake_s3)["index.html"] == b"<h1>Welcome</h1>"  # untouched
    journal = json.loads(fake_s3.objects()[f"www/_publish/{release}.json"].body)
    assert journal["previous"] == first and journal["absent"] == ["news/index.html"]


async def test_s3_failed_upload_changes_nothing_live(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", SITE)
    await s3.publish(src)
    before = _live(fake_s3)
    current = fake_s3.objects()["www/_publish/current.json"].body
    make_tree(src, {"index.html": "<h1>Half</h1>", "robots.txt": "changed"})
    # Let the journal read through, then fail every request: the uploads die half-way.
    fake_s3.proxy.reset()

    class FailingAfter:
        def __init__(self, inner: S3ObjectStore, puts: int) -> None:
            self.inner, self.puts = inner, puts

        async def put(self, path: str, data: bytes, attributes: Any) -> None:
            self.puts -= 1
            if self.puts < 0:
                raise ObjectStoreError(f"S3 PUT {path!r} failed: HTTP 500")
            await self.inner.put(path, data, attributes)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    half = S3Origin(FailingAfter(s3.store, 1), concurrency=1)  # type: ignore[arg-type]
    with pytest.raises(ObjectStoreError, match="HTTP 500"):
        await half.publish(src, changed=["index.html", "robots.txt"], deleted=["sitemap.xml"])
    assert _live(fake_s3) == before
    assert fake_s3.objects()["www/_publish/current.json"].body == current
    assert not [k for k in fake_s3.objects() if k.startswith(("www/_staging/", "www/_publish/pending"))]


async def test_s3_interrupted_promotion_is_completed_and_rolled_back(
    s3: S3Origin, fake_s3: Bucket, tmp_path: Path
) -> None:
    src = make_tree(tmp_path / "site", SITE)
    first = await s3.publish(src)
    before = _live(fake_s3)
    make_tree(src, {"index.html": "<h1>New</h1>", "new/index.html": "new page"})

    class DiesOnSecondPromote:
        """The process dies after the first staged object was copied live."""

        def __init__(self, inner: S3ObjectStore) -> None:
            self.inner, self.promoted = inner, 0

        async def copy(self, source: str, target: str) -> bool:
            if source.startswith("_staging/"):
                self.promoted += 1
                if self.promoted == 2:
                    raise ObjectStoreError("connection reset")
            return bool(await self.inner.copy(source, target))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    dying = S3Origin(DiesOnSecondPromote(s3.store), concurrency=1)  # type: ignore[arg-type]
    with pytest.raises(ObjectStoreError, match="connection reset"):
        await dying.publish(src, changed=["index.html", "new/index.html"], deleted=["robots.txt"])
    assert "www/_publish/pending.json" in fake_s3.objects()
    # The next run completes it from its journal: the staged objects are all there.
    recovered = await s3.recover()
    assert recovered is not None
    live = _live(fake_s3)
    assert live["index.html"] == b"<h1>New</h1>" and live["new/index.html"] == b"new page"
    assert "robots.txt" not in live
    assert json.loads(fake_s3.objects()["www/_publish/current.json"].body) == {
        "id": recovered,
        "previous": first,
    }
    # And an operator can roll it back: replaced objects return, added ones go.
    assert await s3.rollback() == first
    assert _live(fake_s3) == before
    assert fake_s3.objects()["www/index.html"].content_type == "text/html; charset=utf-8"
    assert json.loads(fake_s3.objects()["www/_publish/current.json"].body)["id"] == first
    with pytest.raises(ObjectStoreError, match="nothing to roll back to"):
        await s3.rollback()


async def test_s3_retries_a_flaky_store(s3: S3Origin, fake_s3: Bucket, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "site", {"index.html": "hi"})
    fake_s3.proxy.fail(2)
    release = await s3.publish(src)
    objects = fake_s3.objects()
    assert objects["www/index.html"].body == b"hi"
    assert f"www/_publish/{release}.json" in objects
    assert fake_s3.proxy.statuses()[:3] == [500, 500, 404]  # pending.json: retried, then absent
    assert 500 not in fake_s3.proxy.statuses()[2:]


async def test_s3_unreachable_store_fails_the_publish(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = S3ObjectStore(
        f"http://127.0.0.1:{port}", BUCKET, ACCESS_KEY, SECRET_KEY, prefix="site/", backoff=0.01
    )
    origin = S3Origin(store)
    src = make_tree(tmp_path / "site", {"index.html": "hi"})
    with pytest.raises(ObjectStoreError, match=r"S3 GET 'site/_publish/pending.json' .* after 3 attempts"):
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


async def test_a_moved_publish_takes_the_tree_itself(tmp_path: Path) -> None:
    """``move``: the built tree becomes the release (renamed, nothing copied); deleted paths are
    left out as in any publish."""
    origin = LocalDirectoryOrigin(tmp_path / "site")
    src = make_tree(tmp_path / "src", {**generation(1), "old/gone.html": "x"})
    inode = (src / "index.html").stat().st_ino
    release = await origin.publish(src, changed=None, deleted=["old/gone.html"], move=True)
    assert not src.exists()
    tree = origin.releases_dir / release
    assert (tree / "index.html").stat().st_ino == inode
    assert read_tree(resolved_current(origin.root)) == {
        k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(1).items()
    }
    assert not (tree / "old").exists()
    with pytest.raises(ValueError, match="overlay"):
        await origin.publish(make_tree(tmp_path / "o", {"a": "b"}), changed=["a"], overlay=True, move=True)


async def test_prepare_next_makes_the_next_overlay_publish_a_rename(tmp_path: Path) -> None:
    """After a full publish no old release can be recycled: ``prepare_next`` makes a hard-linked
    copy of the live release ahead of time, the next overlay publish takes it over, and a copy
    made for a release that is no longer live is never used (and is cleared away)."""
    origin = LocalDirectoryOrigin(tmp_path / "site")
    assert origin.prepare_next() is False  # nothing published yet
    first = await origin.publish(make_tree(tmp_path / "full", generation(0)))
    assert origin.prepare_next() is True
    prepared = origin.releases_dir / f".next-{first}"
    assert prepared.is_dir() and origin.releases() == [first]
    assert origin.prepare_next() is True  # already there
    marker_inode = (prepared / "marker.txt").stat().st_ino
    assert marker_inode == (origin.releases_dir / first / "marker.txt").stat().st_ino
    second = await origin.publish(
        make_tree(tmp_path / "e1", {"index.html": "edited"}),
        changed=["index.html"],
        deleted=["section-0/page-0/index.html"],
        overlay=True,
    )
    assert not prepared.exists()
    new = origin.releases_dir / second
    assert (new / "marker.txt").stat().st_ino == marker_inode  # the prepared tree, renamed
    expected = {k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(0).items()}
    expected["index.html"] = b"edited"
    del expected["section-0/page-0/index.html"]
    assert read_tree(resolved_current(origin.root)) == expected
    assert read_tree(origin.releases_dir / first) == {  # the old release is untouched
        k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(0).items()
    }
    # A copy of a release that is no longer live: the publish builds its own tree and clears it.
    assert origin.prepare_next() is True
    await origin.activate(first)
    stale = origin.releases_dir / f".next-{second}"
    assert stale.is_dir()
    third = await origin.publish(
        make_tree(tmp_path / "e2", {"marker.txt": "m"}), changed=["marker.txt"], overlay=True
    )
    assert not stale.exists()
    assert read_tree(origin.releases_dir / third) == {
        **{k: (v if isinstance(v, bytes) else v.encode()) for k, v in generation(0).items()},
        "marker.txt": b"m",
    }
    # With a full set of releases the oldest is recycled instead: nothing to prepare.
    await origin.publish(
        make_tree(tmp_path / "e3", {"marker.txt": "n"}), changed=["marker.txt"], overlay=True
    )
    assert len(origin.releases()) == 3
    assert origin.prepare_next() is False
