"""PSF board minutes (inventory 1.13): the list, a page per meeting with the same year's meetings
beside it (published ones only: python.org's sidebar also listed drafts), and the feed.

Reads ``minutes:<id>``; a change re-reads those minutes.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output, record_of, rss
from sitebuilder.sections.base import Records, Section, Site, Watch

MINUTES = "psf/records/board/minutes/"
RECORDS = Records("minutes", "/api/v3/minutes")


def plan(site: Site) -> list[Output]:
    items = sorted(site.snap.items("minutes"), key=lambda m: (m["date"], m["id"]), reverse=True)
    banner = site.psf_banner
    brief = [{"date": m["date"], "title": m["title"], "url": m["url"]} for m in items]
    out = [Output(MINUTES + "index.html", "minutes/list.html", {"minutes": brief, "banner": banner})]
    for m in items:
        year = [b for b in brief if b["date"][:4] == m["date"][:4]]
        page = {k: m[k] for k in ("date", "title", "url", "content_html")}
        out.append(
            Output(
                f"{MINUTES}{m['date']}/index.html",
                "minutes/detail.html",
                {"minutes": page, "year": year, "banner": banner},
                record=record_of("minutes", "minutes", m["id"]),
            )
        )
    out.append(Output(MINUTES + "feed/index.rss", None, text=_minutes_feed(items[:20], site.url)))
    return out


def _minutes_feed(items: list[dict[str, Any]], site_url: str) -> str:
    return rss(
        "PSF Board Meeting Minutes Feed",
        f"{site_url}/{MINUTES}",
        "Minutes of the Python Software Foundation's board meetings",
        [
            (
                f"PSF Meeting Minutes for {m['date']}",
                f"{site_url}{m['url']}",
                m["content_html"],
                m["date"] + "T00:00:00+00:00",
            )
            for m in items
        ],
    )


SECTION = Section(
    "minutes", fetch=RECORDS.fetch, watches=(Watch("minutes"),), refetch=RECORDS.refetch, plan=plan
)
