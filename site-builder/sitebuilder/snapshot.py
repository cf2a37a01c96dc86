"""What the builder knows about the site's data: records and views fetched from the API, the
change-feed cursor they reflect, and the per-output hashes of the last published build.

Public data is fetched anonymously (so drafts never reach a page); only the change feed needs
the builder's API key. A full fetch reads everything; an incremental fetch reads the change feed
after the saved cursor and re-fetches only the records and views those changes touch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

PAGE_SIZE = 1000


class ApiError(RuntimeError):
    pass


class Api:
    """The API over HTTP, with retries on connection errors and 5xx."""

    def __init__(self, base_url: str, api_key: str = "", *, attempts: int = 4, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.attempts = attempts
        self.client = httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(retries=2))

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, *, auth: bool = False, allow_404: bool = False) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}"} if auth and self.api_key else {}
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.get(self.base_url + path, headers=headers)
            except httpx.TransportError as exc:
                if attempt == self.attempts:
                    raise ApiError(f"GET {path}: {exc}") from exc
            else:
                if response.status_code == 404 and allow_404:
                    return None
                if response.status_code < 500 and response.status_code != 429:
                    if response.status_code != 200:
                        raise ApiError(f"GET {path}: HTTP {response.status_code} {response.text[:200]}")
                    return response.json()
                if attempt == self.attempts:
                    raise ApiError(f"GET {path}: HTTP {response.status_code}")
            time.sleep(delay)
            delay *= 2
        raise ApiError(f"GET {path}: gave up")

    def pages_of(self, path: str) -> Iterator[Any]:
        offset = 0
        sep = "&" if "?" in path else "?"
        while True:
            body = self.get(f"{path}{sep}limit={PAGE_SIZE}&offset={offset}")
            yield from body["data"]
            offset += len(body["data"])
            if not body["data"] or offset >= body["meta"]["total"]:
                return


@dataclass
class Snapshot:
    """Keys are strings: ``page:<id>``, ``box:<id>``, ``os:<id>``, ``release:<id>``, ``view:<name>``."""

    cursor: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    file_release: dict[str, int] = field(default_factory=dict)  # release-file id -> release id
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> content hash
    site_version: str = ""  # theme + menus of the last published build (a change purges everything)

    @classmethod
    def load(cls, path: Path) -> Snapshot | None:
        try:
            raw = msgspec.json.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return None
        return cls(
            cursor=raw["cursor"],
            data=raw["data"],
            file_release=raw["file_release"],
            outputs=raw.get("outputs", {}),
            site_version=raw.get("site_version", ""),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        state = {
            "cursor": self.cursor,
            "data": self.data,
            "file_release": self.file_release,
            "outputs": self.outputs,
            "site_version": self.site_version,
        }
        tmp.write_bytes(msgspec.json.encode(state, order="sorted"))
        tmp.replace(path)

    def refresh(self, api: Api, key: str, path: str, *, public: Callable[[Any], bool] = bool) -> None:
        """Re-read one record: stored when the API has it (and ``public`` says it may be
        shown), dropped when it answers 404 — deleted, or a draft an anonymous reader cannot see."""
        record = api.get(path, allow_404=True)
        if record is not None and public(record):
            self.data[key] = record
        else:
            self.data.pop(key, None)

    def items(self, prefix: str) -> list[Any]:
        start = prefix + ":"
        chosen = [(k, v) for k, v in self.data.items() if k.startswith(start)]
        return [v for _, v in sorted(chosen, key=lambda kv: _key_order(kv[0]))]


def _key_order(key: str) -> tuple[str, int | str]:
    kind, _, ident = key.partition(":")
    return (kind, int(ident)) if ident.isdigit() else (kind, ident)


def latest_cursor(api: Api) -> int:
    return int(api.get("/api/v3/changes?after=0&limit=1", auth=True)["meta"]["latest"])


def full_fetch(api: Api) -> Snapshot:
    cursor = latest_cursor(api)  # read first: anything committed later is picked up next time
    snap = Snapshot(cursor=cursor)
    for page in api.pages_of("/api/v3/pages"):
        snap.data[f"page:{page['id']}"] = page
    for box in api.pages_of("/api/v3/boxes"):
        snap.data[f"box:{box['id']}"] = box
    _fetch_navigation(api, snap)
    _fetch_home_lists(api, snap)
    _fetch_blogs(api, snap)
    snap.data["view:today"] = today()
    _fetch_jobs(api, snap)
    _fetch_events(api, snap)
    for minutes in api.pages_of("/api/v3/minutes"):
        snap.data[f"minutes:{minutes['id']}"] = minutes
    _fetch_stories(api, snap)
    for post in api.pages_of("/api/v3/community/posts"):  # anonymous: public posts only
        snap.data[f"post:{post['id']}"] = post
    _fetch_redirects(api, snap)
    _fetch_downloads(api, snap, release_ids=None)
    return snap


def _fetch_redirects(api: Api, snap: Snapshot) -> None:
    """The redirects editors keep in the API (python.org's django.contrib.redirects)."""
    snap.data["view:redirects"] = list(api.pages_of("/api/v3/redirects"))


def _fetch_stories(api: Api, snap: Snapshot, story_ids: set[int] | None = None) -> None:
    """Published success stories (read anonymously: drafts never reach a page) and categories."""
    if story_ids is None:
        snap.data["view:stories/categories"] = list(api.pages_of("/api/v3/success-stories/categories"))
        for key in [k for k in snap.data if k.startswith("story:")]:
            del snap.data[key]
        for story in api.pages_of("/api/v3/success-stories"):
            snap.data[f"story:{story['id']}"] = story
        return
    for story_id in sorted(story_ids):
        snap.refresh(
            api,
            f"story:{story_id}",
            f"/api/v3/success-stories/{story_id}",
            public=lambda s: s["is_published"],
        )


def _fetch_events(api: Api, snap: Snapshot, event_ids: set[int] | None = None) -> None:
    """Calendars, categories, locations and events, evaluated at the start of the build's day
    (``at=``) so upcoming/past and next occurrences are the same for every build of that day.
    ``event_ids`` None re-reads everything."""
    at = f"{snap.data['view:today']}T00:00:00Z"
    if event_ids is None:
        snap.data["view:events/calendars"] = list(api.pages_of("/api/v3/events/calendars"))
        snap.data["view:events/categories"] = list(api.pages_of("/api/v3/events/categories"))
        snap.data["view:events/locations"] = list(api.pages_of("/api/v3/events/locations"))
        for key in [k for k in snap.data if k.startswith("event:")]:
            del snap.data[key]
        for event in api.pages_of(f"/api/v3/events?at={at}&order=id"):
            snap.data[f"event:{event['id']}"] = event
        return
    for event_id in sorted(event_ids):
        snap.refresh(api, f"event:{event_id}", f"/api/v3/events/{event_id}?at={at}")


def today() -> str:
    """The build's day (UTC). Pages that depend on "now" (a job's "New" badge, upcoming events)
    use it, and the first build of a new day re-reads what depends on it."""
    return datetime.now(UTC).date().isoformat()


def _fetch_jobs(api: Api, snap: Snapshot, job_ids: set[int] | None = None) -> None:
    """Visible job listings (approved, not expired), read anonymously: drafts and jobs under
    review are never in the snapshot. ``job_ids`` None means all of them."""
    if job_ids is None:
        for key in [k for k in snap.data if k.startswith("job:")]:
            del snap.data[key]
        for job in api.pages_of("/api/v3/jobs"):
            snap.data[f"job:{job['id']}"] = job
        return
    for job_id in sorted(job_ids):
        snap.refresh(
            api, f"job:{job_id}", f"/api/v3/jobs/{job_id}", public=lambda j: j["status"] == "approved"
        )


BLOG_ENTRIES_SHOWN = 6  # /blogs/: the latest entry and five more; the home page shows five
PSF_NEWS = "psf-news"  # python.org's feed aggregate on the PSF landing page


def _fetch_blogs(api: Api, snap: Snapshot) -> None:
    """The few blog entries pages show: the newest of any feed, the newest of the Python blog
    (the News drop-down), and the PSF news aggregate. Re-read whole on any blogs change."""
    snap.data["view:blogs/latest"] = api.get(f"/api/v3/blogs/entries?limit={BLOG_ENTRIES_SHOWN}")["data"]
    feeds = list(api.pages_of("/api/v3/blogs/feeds"))
    python_blog = next((f for f in feeds if f["is_python_blog"]), None)
    snap.data["view:blogs/python"] = (
        api.get(f"/api/v3/blogs/entries?feed={python_blog['id']}&limit=1")["data"] if python_blog else []
    )
    aggregate = api.get(f"/api/v3/blogs/aggregates/{PSF_NEWS}", allow_404=True)
    snap.data["view:blogs/psf-news"] = (
        api.get(f"/api/v3/blogs/entries?aggregate={PSF_NEWS}&limit=10")["data"] if aggregate else []
    )


def _fetch_home_lists(api: Api, snap: Snapshot) -> None:
    """Active banners and published code samples: short lists, re-read whole on any change."""
    snap.data["view:banners"] = list(api.pages_of("/api/v3/banners"))
    snap.data["view:codesamples"] = list(api.pages_of("/api/v3/codesamples"))


def _fetch_navigation(api: Api, snap: Snapshot) -> None:
    snap.refresh(api, "view:nav/main", "/api/v3/navigation/trees/main")


# The fields of a release that lists and other releases' pages show; an edit that changes none
# of them (the release notes text, say) only re-reads that release's own page.
SUMMARY_FIELDS = (
    "name",
    "slug",
    "version",
    "is_latest",
    "is_published",
    "pre_release",
    "show_on_download_page",
    "release_date",
    "release_notes_url",
    "release_page_id",
)


def _fetch_downloads(api: Api, snap: Snapshot, release_ids: set[int] | None, *, lists: bool = True) -> None:
    """Re-read the downloads views; ``release_ids`` None means every release."""
    if lists:
        for key in [k for k in snap.data if k.startswith(("os:", "view:os/"))]:
            del snap.data[key]
        for os in api.pages_of("/api/v3/downloads/os"):
            snap.data[f"os:{os['id']}"] = os
            snap.data[f"view:os/{os['slug']}"] = api.get(f"/api/v3/downloads/os/slug/{os['slug']}/releases")
        snap.data["view:landing"] = api.get("/api/v3/downloads/landing")
    if release_ids is None:
        for key in [k for k in snap.data if k.startswith(("release:", "view:release/"))]:
            del snap.data[key]
        snap.file_release.clear()
        releases = list(api.pages_of("/api/v3/downloads/releases"))
    else:
        # A release's page also names the newest release of its series ("superseded by"), so
        # every release of a touched series is re-read.
        series = {
            _series(snap.data[f"release:{r}"]["name"]) for r in release_ids if f"release:{r}" in snap.data
        }
        fresh = {}
        for rid in sorted(release_ids):
            release = api.get(f"/api/v3/downloads/releases/{rid}", allow_404=True)
            if release is not None:
                fresh[rid] = release
                if lists:
                    series.add(_series(release["name"]))
        series.discard("")
        release_ids = set(release_ids) | {
            int(k.split(":")[1])
            for k, v in snap.data.items()
            if k.startswith("release:") and _series(v["name"]) in series
        }
        releases = []
        for rid in sorted(release_ids):
            old = snap.data.pop(f"release:{rid}", None)
            if old is not None:
                snap.data.pop(f"view:release/{old['slug']}", None)
            release = (
                fresh[rid] if rid in fresh else api.get(f"/api/v3/downloads/releases/{rid}", allow_404=True)
            )
            if release is not None:
                releases.append(release)
            for fid in [f for f, r in snap.file_release.items() if r == rid]:
                del snap.file_release[fid]
    for release in releases:
        snap.data[f"release:{release['id']}"] = release
        detail = api.get(f"/api/v3/downloads/releases/slug/{release['slug']}")
        snap.data[f"view:release/{release['slug']}"] = detail
        for group in detail["files_by_os"]:
            for rfile in group["files"]:
                snap.file_release[str(rfile["id"])] = release["id"]


def _series(name: str) -> str:
    """ "Python 3.10.19" -> "3.10"; names without a version -> ""."""
    parts = name.removeprefix("Python ").split(".")
    return f"{parts[0]}.{parts[1]}" if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() else ""


def incremental_fetch(api: Api, snap: Snapshot) -> tuple[Snapshot, int]:
    """Apply the change feed after ``snap.cursor``; returns the snapshot and the change count."""
    changes: list[dict[str, Any]] = []
    after = snap.cursor
    while True:
        body = api.get(f"/api/v3/changes?after={after}&limit=1000", auth=True)
        changes.extend(body["data"])
        if not body["data"]:
            break
        after = body["meta"]["next"]
    if not changes and snap.data.get("view:today") == today():
        return snap, 0
    touched_releases: set[int] = set()
    navigation_changed = False
    home_lists_changed = False
    blogs_changed = False
    redirects_changed = False
    job_ids: set[int] = set()
    all_jobs = False
    event_ids: set[int] = set()
    all_events = False
    story_ids: set[int] = set()
    all_stories = False
    new_day = snap.data.get("view:today") != today()
    snap.data["view:today"] = today()
    downloads_changed = False
    lists_changed = False  # anything the landing, per-OS lists or "superseded by" can show
    for change in changes:
        kind, ident = change["kind"], change["id"]
        if change["domain"] == "pages" and kind == "page":
            snap.refresh(api, f"page:{ident}", f"/api/v3/pages/{ident}")
        elif change["domain"] == "boxes" and kind == "box":
            snap.refresh(api, f"box:{ident}", f"/api/v3/boxes/{ident}")
        elif change["domain"] == "navigation":
            navigation_changed = True
        elif change["domain"] in ("banners", "codesamples"):
            home_lists_changed = True
        elif change["domain"] == "blogs":
            blogs_changed = True
        elif change["domain"] == "redirects":
            redirects_changed = True
        elif change["domain"] == "community":  # a post, or one of its links, photos or videos
            snap.refresh(
                api, f"post:{ident}", f"/api/v3/community/posts/{ident}", public=lambda p: p["status"] == 2
            )
        elif change["domain"] == "events":
            if kind == "event":
                event_ids.add(int(ident))
            else:  # a calendar, category or location: lists and the events that name them
                all_events = True
        elif change["domain"] == "successstories" and kind == "story":
            story_ids.add(int(ident))
        elif change["domain"] in ("successstories", "companies"):  # a category or a company
            all_stories = True
        elif change["domain"] == "minutes":
            snap.refresh(api, f"minutes:{ident}", f"/api/v3/minutes/{ident}")
        elif change["domain"] == "jobs":
            if kind == "job":
                job_ids.add(int(ident))
            else:  # a type or category: every listing shows its name
                all_jobs = True
        elif change["domain"] == "downloads":
            downloads_changed = True
            if kind == "release":
                touched_releases.add(int(ident))
                old_release = snap.data.get(f"release:{ident}")
                if change["action"] != "updated" or old_release is None:
                    lists_changed = True
                else:
                    fresh = api.get(f"/api/v3/downloads/releases/{ident}", allow_404=True)
                    if fresh is None or any(fresh[k] != old_release[k] for k in SUMMARY_FIELDS):
                        lists_changed = True
            elif kind == "release_file":
                lists_changed = True
                old = snap.file_release.get(ident)
                if old is not None:
                    touched_releases.add(old)
                rfile = api.get(f"/api/v3/downloads/files/{ident}", allow_404=True)
                if rfile is not None:
                    touched_releases.add(int(rfile["release_id"]))
            elif kind == "os":
                lists_changed = True
                touched_releases.update(int(k.split(":")[1]) for k in snap.data if k.startswith("release:"))
    if navigation_changed:
        _fetch_navigation(api, snap)
    if home_lists_changed:
        _fetch_home_lists(api, snap)
    if blogs_changed:
        _fetch_blogs(api, snap)
    if redirects_changed:
        _fetch_redirects(api, snap)
    if all_jobs or new_day:
        _fetch_jobs(api, snap)
    elif job_ids:
        _fetch_jobs(api, snap, job_ids)
    if all_stories:
        _fetch_stories(api, snap)
    elif story_ids:
        _fetch_stories(api, snap, story_ids)
    if all_events or new_day:
        _fetch_events(api, snap)
    elif event_ids:
        _fetch_events(api, snap, event_ids)
    if downloads_changed:
        _fetch_downloads(api, snap, release_ids=touched_releases, lists=lists_changed)
    if changes:
        snap.cursor = int(changes[-1]["cursor"])
    return snap, len(changes)
