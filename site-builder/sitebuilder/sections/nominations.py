"""PSF elections and nominations (inventory 1.14): ``/nominations/elections/`` (every election
grouped by status), each election's page, its nominees list, the public nominees' and the
public nominations' pages, and the visitors' own pages (nominate, edit, accept, "your
nominations") as static shells whose script (``nominations.js``) calls the API.

Reads ``election:<id>`` (every election, anonymously) and ``nominee:<id>`` (the nominees the
API lists publicly: only for elections whose nominations are complete). Statuses are evaluated
at the start of the build's day (UTC), as the events' "upcoming" is, so every build of a day
agrees byte for byte whatever the hour; the first build of a new day re-reads everything
(``daily``), and so does any change to the nominations domain (a handful of records).

python.org shuffled the nominees list on every request; here the order is a hash of the
election and the nominee, so it is the same in every build (and in incremental and full
builds) and a new nominee does not move the others relative to each other.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time
from typing import Any

from sitebuilder.outputs import Output, record_of
from sitebuilder.sections.base import Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

DEFAULT_ACCENT = "#0073b7"
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
OPEN = "Nominations Open"
NOT_YET_OPEN = "Nominations Not Yet Open"
CLOSED = "Nominations Closed"
NOT_BEGUN = "Voting Not Yet Begun"
COMMENCED = "Commenced"
# The order of the groups on /nominations/elections/: what a visitor can act on first.
STATUS_ORDER = (OPEN, NOT_YET_OPEN, NOT_BEGUN, CLOSED, COMMENCED)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _day_start(snap: Snapshot) -> datetime:
    today = date.fromisoformat(snap.data.get("view:today") or "1970-01-01")
    return datetime.combine(today, time(0), tzinfo=UTC)


def evaluate(election: dict[str, Any], now: datetime) -> tuple[str, bool, bool]:
    """The API's ``status``, ``nominations_open`` and ``nominations_complete`` at ``now``
    (docs/api/v3-nominations.md, "Elections")."""
    start, end = _moment(election["nominations_open_at"]), _moment(election["nominations_close_at"])
    complete = end is not None and end < now
    if start is not None and end is not None:
        if start < now < end:
            return OPEN, True, complete
        return (NOT_YET_OPEN if start > now else CLOSED), False, complete
    status = NOT_BEGUN if date.fromisoformat(election["date"]) > now.date() else COMMENCED
    return status, False, complete


def fetch(api: Api, snap: Snapshot) -> None:
    for key in [k for k in snap.data if k.startswith(("election:", "nominee:"))]:
        del snap.data[key]
    now = _day_start(snap)
    for election in api.pages_of("/api/v3/nominations/elections"):
        snap.data[f"election:{election['id']}"] = election
        if not evaluate(election, now)[2]:
            continue  # the API lists nominees publicly only once nominations are complete
        for nominee in api.pages_of(f"/api/v3/nominations/elections/{election['slug']}/nominees"):
            if nominee["accepted"] and nominee["approved"]:
                snap.data[f"nominee:{nominee['id']}"] = nominee


def _when(value: str | None) -> str | None:
    moment = _moment(value)
    return None if moment is None else moment.astimezone(UTC).strftime("%B %-d, %Y, %H:%M UTC")


def _election(election: dict[str, Any], now: datetime) -> dict[str, Any]:
    status, is_open, complete = evaluate(election, now)
    color = election["accent_color"]
    kind = election["kind"]
    return {
        "id": election["id"],
        "name": election["name"],
        "slug": election["slug"],
        "url": f"/nominations/election/{election['slug']}/",
        "nominees_url": f"/nominations/elections/{election['slug']}/nominees/",
        "date": date.fromisoformat(election["date"]).strftime("%B %-d, %Y"),
        "kind": kind["name"] if kind else None,
        "accent_color": color if COLOR.fullmatch(color) else DEFAULT_ACCENT,
        "opens": _when(election["nominations_open_at"]),
        "closes": _when(election["nominations_close_at"]),
        "status": status,
        "open": is_open,
        "complete": complete,
    }


def _order(election: dict[str, Any], nominee: dict[str, Any]) -> str:
    """The nominee's place in the list: a hash seeded by the election, fixed for every build."""
    seed = f"{election['id']}:{election['slug']}:{nominee['id']}"
    return hashlib.sha256(seed.encode()).hexdigest()


def _nomination(n: dict[str, Any]) -> dict[str, Any]:
    return {
        k: n[k]
        for k in (
            "id",
            "url",
            "name",
            "employer",
            "other_affiliations",
            "previous_board_service",
            "nomination_statement_html",
            "nominee_name",
            "nominee_url",
            "self_nomination",
        )
    }


def _public(n: dict[str, Any] | None) -> bool:
    return n is not None and n["accepted"] and n["approved"]


def _nominee(nominee: dict[str, Any]) -> dict[str, Any]:
    own = nominee["self_nomination"]
    return {
        "id": nominee["id"],
        "name": nominee["name"],
        "url": nominee["url"],
        "employer": nominee["display_employer"],
        "other_affiliations": nominee["display_other_affiliations"],
        "previous_service": nominee["display_previous_board_service"],
        "mission_alignment": nominee["display_mission_alignment"],
        "self_nomination": _nomination(own) if _public(own) else None,
        "received": [_nomination(n) for n in nominee["nominations_received"] if _public(n)],
    }


def plan(site: Site) -> list[Output]:
    snap = site.snap
    now = _day_start(snap)
    elections = snap.items("election")
    summaries = {e["id"]: _election(e, now) for e in elections}
    nominees: dict[str, list[dict[str, Any]]] = {}
    for nominee in snap.items("nominee"):
        nominees.setdefault(nominee["election"], []).append(nominee)
    ordered = sorted(elections, key=lambda e: (e["date"], e["id"]), reverse=True)
    groups = [
        {
            "status": status,
            "elections": [summaries[e["id"]] for e in ordered if summaries[e["id"]]["status"] == status],
        }
        for status in STATUS_ORDER
    ]
    out: list[Output] = []
    taken = set(site.planned)

    def add(output: Output) -> None:
        """A path is planned once: the first output wins (an earlier section's, or here the
        newer election's; among nominees of one election who share a name, the first by id,
        as the API answers)."""
        if output.path not in taken:
            taken.add(output.path)
            out.append(output)

    add(
        Output(
            "nominations/elections/index.html",
            "nominations/elections.html",
            {"groups": [g for g in groups if g["elections"]]},
        )
    )
    # The caller's nominations made and received (python.org's /users/nominations/).
    add(Output("users/nominations/index.html", "nominations/mine.html", {"noindex": True}))
    for election in ordered:
        summary = summaries[election["id"]]
        slug = election["slug"]
        record = record_of("nominations", "election", election["id"])
        listed = sorted(
            nominees.get(slug, []) if summary["complete"] else [],
            key=lambda n: _order(election, n),
        )
        add(
            Output(
                f"nominations/election/{slug}/index.html",
                "nominations/election.html",
                {"election": summary, "description_html": election["description_html"]},
                record=record,
            )
        )
        add(
            Output(
                f"nominations/elections/{slug}/nominees/index.html",
                "nominations/nominees.html",
                {
                    "election": summary,
                    "nominees": [
                        {"name": n["name"], "url": n["url"], "employer": n["display_employer"]}
                        for n in listed
                    ],
                },
                record=record,
            )
        )
        for nominee in sorted(listed, key=lambda n: n["id"]):
            shown = _nominee(nominee)
            add(
                Output(
                    f"nominations/elections/{slug}/nominees/{nominee['slug']}/index.html",
                    "nominations/nominee.html",
                    {"election": summary, "nominee": shown},
                    record=record_of("nominations", "nominee", nominee["id"]),
                )
            )
            for nomination in filter(None, [shown["self_nomination"], *shown["received"]]):
                add(
                    Output(
                        f"nominations/{slug}/{nomination['id']}/index.html",
                        "nominations/nomination.html",
                        {"election": summary, "nomination": nomination},
                        record=record_of("nominations", "nomination", nomination["id"]),
                    )
                )
        # The visitors' own pages: the same shell for everyone; the script asks the API.
        # python.org's /nominations/<election>/<id>/edit/ and .../accept/ are
        # /nominations/<election>/edit/?id=<id> and .../accept/?id=<id> here (a static origin
        # cannot have a file per private nomination).
        first_year = 2025 if election["nomination_form_variant"] == "packaging_council" else 2001
        form = {
            "election": summary,
            "variant": election["nomination_form_variant"],
            "previous_service_label": election["previous_service_label"],
            "hide_previous_service": election["hide_previous_service"],
            # The years a previous-service answer may name, newest first (the API's rule).
            "years": list(range(now.year, first_year - 1, -1)),
        }
        for page, template in (("create", "form.html"), ("edit", "form.html"), ("accept", "accept.html")):
            add(
                Output(
                    f"nominations/{slug}/{page}/index.html",
                    f"nominations/{template}",
                    {**form, "mode": page, "noindex": True},
                    record=record,
                )
            )
    return out


SECTION = Section(
    "nominations",
    fetch=fetch,
    watches=(
        Watch("nominations", "kind"),
        Watch("nominations", "election"),
        Watch("nominations", "nominee"),
        Watch("nominations", "nomination"),
    ),
    daily=True,
    plan=plan,
)
