"""Downloads (inventory 1.8): /downloads/, the operating-system list and a page per operating
system, a page per release, python.org's ``/downloads/latest/...`` redirects, the releases feed,
and ``/getit/``, python.org's exact duplicate of all of them.

Reads the operating systems (``os:<id>``, ``view:os/<slug>``), the landing (``view:landing``)
and every release (``release:<id>``, ``view:release/<slug>``, and which release each file
belongs to). A change re-reads the releases it touches and every release of their series (a
release's page names the newest of its series); the lists only when the change can show there.
The boxes built from this data (``download-sources`` and others) are planned by ``boxes``.

The PEPs release-cycle data (the landing's "Active Python Releases" table, the end-of-life
warning on release pages) comes inside the landing and each release's ``is_eol``/``end_of_life``.
A ``release_cycle`` change names a series ("3.10"): it re-reads the landing and that series'
releases, so the landing (and /getit/) and those release pages are all that can change. The
series the data lists are kept too (``view:release-cycle``): when the data appears or goes
away, every Python <= 2 release it does not list changes (python.org counts them end-of-life
only when the data is there), so those are re-read as well.
"""

from __future__ import annotations

import re
from typing import Any

from sitebuilder.outputs import Output, record_of, rss, url_of
from sitebuilder.sections.base import Change, Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

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
DOWNLOAD_BOXES = (
    "download-banner",
    "download-otherreleases",
    "download-widget1",
    "download-widget3",
    "download-widget4",
    "usermessage-releaseschedule",
    "download-dev",
    "download-pgp",
)


def fetch(api: Api, snap: Snapshot, release_ids: set[int] | None = None, *, lists: bool = True) -> None:
    """Re-read the downloads views; ``release_ids`` None means every release."""
    if lists:
        for key in [k for k in snap.data if k.startswith(("os:", "view:os/"))]:
            del snap.data[key]
        systems = list(api.pages_of("/api/v3/downloads/os"))
        views = api.get_many([f"/api/v3/downloads/os/slug/{os['slug']}/releases" for os in systems])
        for os, view in zip(systems, views, strict=True):
            snap.data[f"os:{os['id']}"] = os
            snap.data[f"view:os/{os['slug']}"] = view
        snap.data["view:landing"] = api.get("/api/v3/downloads/landing")
        snap.data[RELEASE_CYCLE_KEY] = _cycle_series(api)
    if release_ids is None:
        for key in [k for k in snap.data if k.startswith(("release:", "view:release/"))]:
            del snap.data[key]
        snap.file_release.clear()
        releases = list(api.pages_of("/api/v3/downloads/releases"))
    else:
        # A release's page also names the newest release of its series ("superseded by"), so
        # every release of a touched series is re-read; unless the change shows nowhere but on
        # the release's own page (``lists`` False: none of the ``SUMMARY_FIELDS`` changed).
        asked = sorted(release_ids)
        fresh = dict(zip(asked, _releases(api, asked), strict=True))
        series = set()
        if lists:
            series = {
                _series(snap.data[f"release:{r}"]["name"]) for r in release_ids if f"release:{r}" in snap.data
            }
            series.update(_series(release["name"]) for release in fresh.values() if release is not None)
        series.discard("")
        release_ids = set(release_ids) | {
            int(k.split(":")[1])
            for k, v in snap.data.items()
            if k.startswith("release:") and _series(v["name"]) in series
        }
        more = sorted(rid for rid in release_ids if rid not in fresh)
        fresh.update(zip(more, _releases(api, more), strict=True))
        releases = []
        touched = set(release_ids)
        for fid in [f for f, r in snap.file_release.items() if r in touched]:
            del snap.file_release[fid]
        for rid in sorted(release_ids):
            old = snap.data.pop(f"release:{rid}", None)
            if old is not None:
                snap.data.pop(f"view:release/{old['slug']}", None)
            release = fresh[rid]
            if release is not None:
                releases.append(release)
    details = api.get_many([f"/api/v3/downloads/releases/slug/{release['slug']}" for release in releases])
    for release, detail in zip(releases, details, strict=True):
        snap.data[f"release:{release['id']}"] = release
        snap.data[f"view:release/{release['slug']}"] = detail
        for group in detail["files_by_os"]:
            for rfile in group["files"]:
                snap.file_release[str(rfile["id"])] = release["id"]


RELEASE_CYCLE_KEY = "view:release-cycle"


def _cycle_series(api: Api) -> list[str]:
    """The series the release-cycle data lists ("3.14", ...), newest first."""
    return [row["version"] for row in api.pages_of("/api/v3/downloads/release-cycle")]


def _releases(api: Api, release_ids: list[int]) -> list[Any]:
    """Each release by id, None for one the API no longer shows."""
    return api.get_many([f"/api/v3/downloads/releases/{rid}" for rid in release_ids], allow_404=True)


def refetch(api: Api, snap: Snapshot, changes: list[Change]) -> None:
    touched_releases: set[int] = set()
    lists_changed = False  # anything the landing, per-OS lists or "superseded by" can show
    cycle = {change["id"] for change in changes if change["kind"] == "release_cycle"}
    if cycle:
        lists_changed = True
        listed_before = set(snap.data.get(RELEASE_CYCLE_KEY) or [])
        listed = set(_cycle_series(api))
        affected = set(cycle)
        if bool(listed_before) != bool(listed):  # the data appeared or went away
            affected |= {
                series
                for series in map(_series, (r["name"] for r in snap.items("release")))
                if series and int(series.split(".")[0]) <= PYTHON_2 and series not in listed
            }
        touched_releases.update(r["id"] for r in snap.items("release") if _series(r["name"]) in affected)
    for change in changes:
        kind, ident = change["kind"], change["id"]
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
    fetch(api, snap, release_ids=touched_releases, lists=lists_changed)


PYTHON_2 = 2
_VERSION = re.compile(r"^Python ([0-9]+(?:\.[0-9]+)*)")


def _version_number(name: str) -> str:
    """python.org's ``Release.get_version``: "Python 3.9.0rc1" -> "3.9.0"; "" without one."""
    match = _VERSION.match(name)
    return match[1] if match else ""


def _series(name: str) -> str:
    """ "Python 3.10.19" -> "3.10"; names without a version -> ""."""
    parts = name.removeprefix("Python ").split(".")
    return f"{parts[0]}.{parts[1]}" if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() else ""


def source_file(snap: Snapshot, release: dict[str, Any] | None) -> str:
    """The URL of a release's source tarball (its download-button file for "source", else the
    first source file)."""
    if release is None:
        return ""
    detail = snap.data.get(f"view:release/{release['slug']}") or {}
    for group in detail.get("files_by_os", []):
        if group["os"]["slug"] == "source" and group["files"]:
            button = [f for f in group["files"] if f["download_button"]]
            return str((button or group["files"])[0]["url"])
    return ""


def download_sources(site: Site) -> dict[str, Any]:
    """The generated ``download-sources`` box: the newest releases' source tarballs."""
    py3, py2 = site.landing["latest_python3"], site.landing["latest_python2"]
    return {
        "latest_python3": py3,
        "latest_python2": py2,
        "source3": source_file(site.snap, py3),
        "source2": source_file(site.snap, py2),
    }


def plan(site: Site) -> list[Output]:
    snap, landing = site.snap, site.landing
    outputs = [
        Output(
            "downloads/index.html",
            "downloads/index.html",
            {
                "landing": landing,
                "banner": site.banner,
                "boxes": site.pick(DOWNLOAD_BOXES),
                "generated": {"download-sources": download_sources(site)},
                "sponsors": site.sponsor_wall("download"),
            },
        ),
        Output(
            "downloads/operating-systems/index.html",
            "downloads/operating-systems.html",
            {"oses": [_os(o) for o in snap.items("os")]},
        ),
    ]
    for os in snap.items("os"):
        view = snap.data.get(f"view:os/{os['slug']}")
        if view is not None:
            outputs.append(
                Output(
                    f"downloads/{os['slug']}/index.html",
                    "downloads/os.html",
                    {
                        "os_releases": view,
                        "latest_python3": landing["latest_python3"],
                        "latest_pymanager": landing["latest_pymanager"],
                    },
                    record=record_of("downloads", "os", os["id"]),
                )
            )
    for release in snap.items("release"):
        detail = snap.data.get(f"view:release/{release['slug']}")
        if detail is not None:
            outputs.append(
                Output(
                    f"downloads/release/{release['slug']}/index.html",
                    "downloads/release.html",
                    {"detail": detail, "version_number": _version_number(release["name"])},
                    record=record_of("downloads", "release", release["id"]),
                )
            )
    latest_pages = _latest_redirects(snap, landing)
    outputs.extend(latest_pages)
    for o in latest_pages:  # 302, and the same under /getit/ (its mirror is added below)
        for path in (o.path, "getit/" + o.path.removeprefix("downloads/")):
            site.redirect(url_of(path), o.context["target"], 302)
    outputs.append(Output("downloads/feed.rss", None, text=_releases_feed(snap, site.url)))
    # /getit/ is python.org's exact duplicate of the downloads URLs (reachable where /downloads/ is not).
    outputs.extend(
        [
            Output(
                "getit/" + o.path.removeprefix("downloads/"),
                o.template,
                o.context,
                o.text,
                alias_of=o.path,
                record=o.record,
            )
            for o in outputs
        ]
    )
    return outputs


def _os(os: dict[str, Any]) -> dict[str, Any]:
    return {"id": os["id"], "name": os["name"], "slug": os["slug"]}


def _redirect(path: str, release: dict[str, Any] | None) -> Output:
    target, title = (release["url"], release["name"]) if release else ("/downloads/", "Downloads")
    return Output(path, "redirect.html", {"target": target, "target_title": title})


def _latest_redirects(snap: Snapshot, landing: dict[str, Any]) -> list[Output]:
    """python.org's ``/downloads/latest/...`` URLs. A static origin cannot answer 302, so each is a
    page that redirects at once (``meta refresh`` + canonical link); every one falls back to
    /downloads/ when there is no such release (python.org's python2/pymanager fallbacks raised:
    inventory appendix B.2)."""
    py3 = landing["latest_python3"]
    out = [
        _redirect("downloads/latest/index.html", py3),
        _redirect("downloads/latest/python3/index.html", py3),
        _redirect("downloads/latest/python2/index.html", landing["latest_python2"]),
        _redirect("downloads/latest/pymanager/index.html", landing["latest_pymanager"]),
    ]
    pre = [r for r in snap.items("release") if r["pre_release"] and r["version"] == 3]
    newest_pre = max(pre, key=lambda r: (r["release_date"], r["id"])) if pre else None
    out.append(_redirect("downloads/latest/prerelease/index.html", newest_pre))
    for series in landing["active_series"]:
        minor = ".".join(series["version_number"].split(".")[:2])
        if minor.startswith("3."):
            out.append(_redirect(f"downloads/latest/python{minor}/index.html", series))
    # The "Active Python Releases" table links every series it lists to its latest/ URL; one
    # without a published release falls back to /downloads/, as python.org's view did.
    planned = {o.path for o in out}
    for row in landing.get("active_releases") or []:
        path = f"downloads/latest/python{row['version']}/index.html"
        if row["version"].startswith("3.") and path not in planned:
            out.append(_redirect(path, None))
            planned.add(path)
    return out


def _releases_feed(snap: Snapshot, site_url: str) -> str:
    """RSS 2.0 "Python Releases": the 10 most recent published releases (inventory 1.8)."""
    releases = sorted(snap.items("release"), key=lambda r: (r["release_date"], r["id"]), reverse=True)[:10]
    return rss(
        "Python Releases",
        f"{site_url}/downloads/",
        "Latest Python releases from Python.org",
        [
            (r["name"], f"{site_url}{r['url']}", f"Release date: {r['release_date']}", r["release_date"])
            for r in releases
        ],
    )


SECTION = Section("downloads", fetch=fetch, watches=(Watch("downloads"),), refetch=refetch, plan=plan)
