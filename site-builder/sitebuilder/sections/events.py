"""The events pages (inventory 1.9): /events/, the calendars, each calendar's upcoming and past
events (6 per page), its categories and locations, events by date, each event's page with the
previous and next event, the iCal exports, and the suggestion form.

"Now" is the start of the build's day (UTC): the API evaluates every event ``at`` that instant,
and the first build of a new day re-reads the events (``daily``), so a full and an incremental
build of the same day are identical and no page is more than a day stale.

Reads ``event:<id>`` and the calendars, categories and locations (``view:events/...``); an event's
change re-reads that event, a calendar's, category's or location's re-reads them all.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vRecur

from sitebuilder.outputs import Output, TextRenderer, paginated, record_of
from sitebuilder.sections.base import Change, Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

EVENTS_PER_PAGE = 6  # python.org's calendar pages
TAXONOMY_PER_PAGE = 30
FREQUENCIES = {0: "YEARLY", 1: "MONTHLY", 2: "WEEKLY", 3: "DAILY"}
EVENTS_BOXES = ("events-subscriptions",)


def fetch(api: Api, snap: Snapshot, event_ids: set[int] | None = None) -> None:
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


def refetch(api: Api, snap: Snapshot, changes: list[Change]) -> None:
    if any(c["kind"] != "event" for c in changes):  # calendar, category or location: the lists
        fetch(api, snap)  # and the events that name them
    else:
        fetch(api, snap, {int(c["id"]) for c in changes})


def build_now(snap: Snapshot) -> datetime:
    """ "Now" for the events pages: the start (UTC) of the build's day (see the module docstring)."""
    return datetime.combine(
        date.fromisoformat(snap.data.get("view:today") or "1970-01-01"), datetime.min.time(), UTC
    )


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _start(event: dict[str, Any]) -> str:
    """python.org's order key: the occurring rule's start, else the first recurring begin."""
    if event["occurring_rule"]:
        return str(event["occurring_rule"]["dt_start"])
    begins = [r["begin"] for r in event["recurring_rules"]]
    return str(min(begins)) if begins else "9999"


def is_upcoming(event: dict[str, Any], now: datetime) -> bool:
    """python.org's ``for_datetime(now)``: starts after now, or a recurring rule runs past now."""
    rule = event["occurring_rule"]
    return bool(rule and _dt(rule["dt_start"]) > now) or any(
        _dt(r["finish"]) > now for r in event["recurring_rules"]
    )


def is_past(event: dict[str, Any], now: datetime) -> bool:
    """python.org's ``until_datetime(now)``: ended before now, or a recurring rule began before."""
    rule = event["occurring_rule"]
    return bool(rule and _dt(rule["dt_end"]) < now) or any(
        _dt(r["begin"]) < now for r in event["recurring_rules"]
    )


def is_now(event: dict[str, Any], now: datetime) -> bool:
    rule = event["occurring_rule"]
    return bool(rule and _dt(rule["dt_start"]) <= now <= _dt(rule["dt_end"]))


def _when(event: dict[str, Any]) -> dict[str, Any] | None:
    return event["next_occurrence"] or event["previous_occurrence"] or event["occurring_rule"]


def _summary(event: dict[str, Any]) -> dict[str, Any]:
    venue = event["venue"]
    return {
        "id": event["id"],
        "url": event["url"],
        "title": event["title"],
        "calendar": event["calendar"],
        "featured": event["featured"],
        "when": _when(event),
        "venue": {"name": venue["name"], "id": venue["id"]} if venue else None,
    }


def event_pages(snap: Snapshot, site_url: str, boxes: dict[str, str]) -> list[Output]:
    now = build_now(snap)
    calendars = sorted(
        snap.data.get("view:events/calendars") or [], key=lambda c: (c["name"].lower(), c["id"])
    )
    categories = snap.data.get("view:events/categories") or []
    locations = snap.data.get("view:events/locations") or []
    start_of = {e["id"]: _start(e) for e in snap.items("event")}
    events = sorted(snap.items("event"), key=lambda e: (start_of[e["id"]], e["id"]))
    summary_of = {e["id"]: _summary(e) for e in events}
    upcoming_ids = {e["id"] for e in events if is_upcoming(e, now)}
    upcoming = [e for e in events if e["id"] in upcoming_ids]
    past = [e for e in reversed(events) if is_past(e, now)]
    side = {"boxes": boxes}
    out = [
        Output(
            "events/index.html",
            "events/index.html",
            {
                **side,
                "upcoming": [summary_of[e["id"]] for e in upcoming],
                "just_missed": [summary_of[e["id"]] for e in past[:2]],
                "happening_now": [summary_of[e["id"]] for e in events if is_now(e, now)][:2],
                "calendars": [_calendar(c) for c in calendars],
            },
        ),
        Output(
            "events/calendars/index.html",
            "events/calendars.html",
            {**side, "calendars": [_calendar(c) for c in calendars]},
        ),
        Output("events/submit/index.html", "events/submit.html", side),
        Output("events/submit/thanks/index.html", "events/thanks.html", side),
    ]
    for cal in calendars:
        slug = cal["slug"]
        cal_record = record_of("events", "calendar", cal["id"])
        mine = [e for e in events if e["calendar"] == slug]
        cal_upcoming = [summary_of[e["id"]] for e in mine if e["id"] in upcoming_ids]
        cal_past = [summary_of[e["id"]] for e in reversed(mine) if is_past(e, now)]
        cal_categories = [c for c in categories if c["calendar"] == slug]
        cal_locations = [loc for loc in locations if loc["calendar"] == slug]
        sidebar = {
            **side,
            "calendar": _calendar(cal),
            "categories": [{"name": c["name"], "url": c["page_url"]} for c in cal_categories][:10],
            "locations": [{"name": loc["name"], "url": loc["page_url"]} for loc in cal_locations][:10],
        }
        featured = next((s for s in cal_upcoming if s["featured"]), None)
        out += paginated(
            f"events/{slug}/",
            "events/list.html",
            cal_upcoming,
            EVENTS_PER_PAGE,
            {**sidebar, "heading": f"Upcoming {cal['name']}", "featured": featured},
            record=cal_record,
        )
        out += paginated(
            f"events/{slug}/past/",
            "events/list.html",
            cal_past,
            EVENTS_PER_PAGE,
            {**sidebar, "heading": f"Past {cal['name']}", "featured": None},
            record=cal_record,
        )
        out += paginated(
            f"events/{slug}/categories/",
            "events/taxonomy.html",
            [{"name": c["name"], "url": c["page_url"]} for c in cal_categories],
            TAXONOMY_PER_PAGE,
            {**sidebar, "heading": f"{cal['name']}: categories"},
            record=cal_record,
        )
        out += paginated(
            f"events/{slug}/locations/",
            "events/taxonomy.html",
            [
                {"name": loc["name"], "url": loc["page_url"], "address": loc["address"]}
                for loc in cal_locations
            ],
            TAXONOMY_PER_PAGE,
            {**sidebar, "heading": f"{cal['name']}: locations"},
            record=cal_record,
        )
        for category in cal_categories:
            items = [
                summary_of[e["id"]]
                for e in mine
                if e["id"] in upcoming_ids and any(c["slug"] == category["slug"] for c in e["categories"])
            ]
            out += paginated(
                category["page_url"].lstrip("/"),
                "events/list.html",
                items,
                EVENTS_PER_PAGE,
                {**sidebar, "heading": f"{category['name']} events", "featured": None},
                record=record_of("events", "category", category["id"]),
            )
        for loc in cal_locations:
            items = [
                summary_of[e["id"]]
                for e in mine
                if e["id"] in upcoming_ids and e["venue"] and e["venue"]["id"] == loc["id"]
            ]
            out += paginated(
                loc["page_url"].lstrip("/"),
                "events/list.html",
                items,
                EVENTS_PER_PAGE,
                {**sidebar, "heading": f"Events at {loc['name']}", "featured": None},
                record=record_of("events", "location", loc["id"]),
            )
        # python.org's /events/<cal>/date/YYYY/MM/DD/ (events starting after that date): one page
        # per day on which an upcoming event starts.
        soon = [e for e in mine if e["id"] in upcoming_ids]  # sorted by start, like ``mine``
        soon_days = [start_of[e["id"]][:10] for e in soon]
        for day in sorted(set(soon_days)):
            first = bisect_left(soon_days, day)
            after = [summary_of[e["id"]] for e in soon[first : first + EVENTS_PER_PAGE]]
            y, m, d = day.split("-")
            out.append(
                Output(
                    f"events/{slug}/date/{y}/{m}/{d}/index.html",
                    "events/list.html",
                    {
                        **sidebar,
                        "heading": f"{cal['name']} from {day}",
                        "featured": None,
                        "items": after,
                        "page_number": 1,
                        "page_count": 1,
                        "list_url": f"/events/{slug}/date/{y}/{m}/{d}/",
                    },
                    record=cal_record,
                )
            )
        for position, event in enumerate(mine):
            out.append(
                Output(
                    event["url"].lstrip("/") + "index.html",
                    "events/detail.html",
                    {
                        **side,
                        "calendar": _calendar(cal),
                        "event": _detail(event),
                        "previous": _summary(mine[position - 1]) if position > 0 else None,
                        "next": _summary(mine[position + 1]) if position + 1 < len(mine) else None,
                    },
                    record=record_of("events", "event", event["id"]),
                )
            )
        ical_output = _ical_output(f"events/{slug}/calendar.ics", mine, cal["name"], site_url)
        ical_output.record = cal_record
        out.append(ical_output)
    out.append(_ical_output("events/calendar.ics", events, "Python Events", site_url))
    return out


def upcoming_for_home(snap: Snapshot, limit: int = 5) -> list[dict[str, Any]]:
    """The home page's "Upcoming Events": the next events of every calendar, soonest first."""
    now = build_now(snap)
    soon = [e for e in snap.items("event") if is_upcoming(e, now) and e["next_occurrence"]]
    soon.sort(key=lambda e: (e["next_occurrence"]["dt_start"], e["id"]))
    return [_summary(e) for e in soon[:limit]]


def _calendar(cal: dict[str, Any]) -> dict[str, Any]:
    return {k: cal[k] for k in ("id", "name", "slug", "description", "url", "rss", "page_url")}


def _detail(event: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "url", "title", "calendar", "description_html", "featured", "venue", "categories")
    return {**{k: event[k] for k in keys}, "when": _when(event), "recurring": bool(event["recurring_rules"])}


ICAL_KEYS = ("id", "uid", "title", "updated", "url", "venue", "occurring_rule", "recurring_rules")


def _render_ical(context: dict[str, Any]) -> str:
    return ical(context["events"], context["name"], context["site_url"])


ICAL = TextRenderer("ical", _render_ical)


def _ical_output(path: str, events: list[dict[str, Any]], name: str, site_url: str) -> Output:
    """The export is generated only when the events it holds changed (its hash is their data)."""
    context = {"events": [{k: e[k] for k in ICAL_KEYS} for e in events], "name": name, "site_url": site_url}
    return Output(path, None, context, renderer=ICAL)


def ical(events: list[dict[str, Any]], name: str, site_url: str) -> str:
    """An RFC 5545 calendar of ``events``: the occurring rule as DTSTART/DTEND (all-day as DATE with
    iCal's exclusive end), recurring rules as RRULE with a DURATION. Stable output: DTSTAMP is the
    event's last change, never the build time."""
    cal = Calendar()
    cal.add("prodid", "-//Python Software Foundation//python.org events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        rules: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
        if event["occurring_rule"]:
            rules.append((event["occurring_rule"], None))
        rules += [(None, r) for r in event["recurring_rules"]]
        for index, (once, recurring) in enumerate(rules):
            vevent = Event()
            uid = event["uid"] or f"event-{event['id']}"
            vevent.add("uid", f"{uid}{f'-{index}' if index else ''}@python.org")
            vevent.add("summary", event["title"])
            vevent.add("dtstamp", _dt(event["updated"]))
            vevent.add("url", f"{site_url}{event['url']}")
            if event["venue"]:
                vevent.add(
                    "location", ", ".join(x for x in (event["venue"]["name"], event["venue"]["address"]) if x)
                )
            if once is not None:
                start, end = _dt(once["dt_start"]), _dt(once["dt_end"])
                if once["all_day"]:
                    vevent.add("dtstart", start.date())
                    vevent.add("dtend", end.date() + timedelta(days=1))
                else:
                    vevent.add("dtstart", start)
                    vevent.add("dtend", end)
            elif recurring is not None:
                vevent.add("dtstart", _dt(recurring["begin"]))
                vevent.add("duration", timedelta(seconds=recurring["duration_seconds"]))
                vevent.add(
                    "rrule",
                    vRecur(
                        freq=FREQUENCIES.get(recurring["frequency"], "WEEKLY"),
                        interval=recurring["interval"],
                        until=_dt(recurring["finish"]),
                    ),
                )
            cal.add_component(vevent)
    return cal.to_ical().decode()


def plan(site: Site) -> list[Output]:
    return event_pages(site.snap, site.url, site.pick(EVENTS_BOXES))


SECTION = Section("events", fetch=fetch, watches=(Watch("events"),), refetch=refetch, daily=True, plan=plan)
