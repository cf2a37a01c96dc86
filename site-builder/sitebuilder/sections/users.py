"""Users on the site (inventory 1.18): ``/users/<username>/``, the public profile of every
searchable account, and ``/users/edit/``, the static shell of the profile form.

A profile is built only for a *searchable* account (active, public profile, indexable: what
``GET /api/v3/profiles`` lists anonymously), so nobody else's name or bio ever reaches a file.
It shows the name, "PSF Basic Member?", the bio (``bio_html``, sanitized by the API) and the
e-mail address only when its owner lets anyone see it; an address for logged-in visitors only
is asked for by the page's script (``users.js``), never baked in. The owner's "Edit" link is the
script's too: the file is the same for everyone.

Reads ``profile:<id>``. A user's change re-reads that profile by id: an edit re-renders its
page, a privacy change or a deletion makes the API answer 404, which drops the record, so the
page is deleted and purged; a new username moves the page. A membership's change (the page's
"PSF Basic Member?") re-reads the list whole: the feed names the membership, not its account.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output, record_of
from sitebuilder.sections.base import Change, Records, Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

PROFILES = Records("profile", "/api/v3/profiles")
EDIT_PAGE = "users/edit/index.html"
# python.org's own URLs under /users/ (users/urls.py): a username never takes them.
RESERVED = frozenset({"edit", "membership", "nominations", "sponsorships"})


def fetch(api: Api, snap: Snapshot) -> None:
    for key in [k for k in snap.data if k.startswith("profile:")]:
        del snap.data[key]
    PROFILES.fetch(api, snap)


def refetch(api: Api, snap: Snapshot, changes: list[Change]) -> None:
    if any(c["kind"] != "user" for c in changes):
        fetch(api, snap)
    else:
        PROFILES.refetch(api, snap, changes)


def _profile(record: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(p for p in (record["first_name"], record["last_name"]) if p)
    return {
        "username": record["username"],
        "name": name,
        "bio_html": record["bio_html"],
        "has_membership": record["has_membership"],
        "email": record["email"],
        "email_for_logged_in": record["email_privacy"] == 1,
    }


def profile_path(username: str) -> str:
    return f"users/{username}/index.html"


def plan(site: Site) -> list[Output]:
    outputs = [Output(EDIT_PAGE, "users/edit.html", {})]
    taken = set(site.planned) | {EDIT_PAGE}
    for record in site.snap.items("profile"):
        path = profile_path(record["username"])
        if record["username"] in RESERVED or path in taken:
            continue
        taken.add(path)
        outputs.append(
            Output(
                path,
                "users/profile.html",
                {"profile": _profile(record)},
                record=record_of("users", "user", record["id"]),
            )
        )
    return outputs


SECTION = Section(
    "users",
    fetch=fetch,
    watches=(Watch("users", "user"), Watch("users", "membership")),
    refetch=refetch,
    plan=plan,
)
