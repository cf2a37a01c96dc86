"""Success stories (inventory 1.17): /success-stories/ (the four latest and up to five per
category), each category, each story, the submission form, the home page's featured story and
the generated ``supernav-python-success-stories`` box.

python.org showed a random featured story on every request. A static page needs one choice per
build that a full and an incremental build agree on: the featured story is picked by the build's
day (a hash of the date), so it changes daily — the ``site.daily`` rebuild — and an unrelated
edit never re-renders the home page.

Reads ``story:<id>`` (published stories, anonymously: drafts never reach a page) and the
categories (``view:stories/categories``); a story's change re-reads that story, a category's or
a company's re-reads them all.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sitebuilder.outputs import Output, record_of
from sitebuilder.sections.base import Change, Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

LATEST = 4
PER_CATEGORY = 5
STORY_BOXES = ("successstory-submityours",)


def fetch(api: Api, snap: Snapshot, story_ids: set[int] | None = None) -> None:
    """Published success stories and the categories; ``story_ids`` None re-reads everything."""
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


def refetch(api: Api, snap: Snapshot, changes: list[Change]) -> None:
    if any(c["domain"] != "successstories" or c["kind"] != "story" for c in changes):
        fetch(api, snap)  # a category or a company: the lists and the stories that name them
    else:
        fetch(api, snap, {int(c["id"]) for c in changes})


def _brief(story: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "url", "company_name", "company_url", "author", "pull_quote", "image")
    return {**{k: story.get(k) for k in keys}, "category": story["category"]["name"]}


def stories_sorted(snap: Snapshot) -> list[dict[str, Any]]:
    return sorted(snap.items("story"), key=lambda s: (s["created"], s["id"]), reverse=True)


def featured_story(snap: Snapshot) -> dict[str, Any] | None:
    """The day's featured story: deterministic for a given day and set of featured stories."""
    featured = sorted((s for s in snap.items("story") if s["featured"]), key=lambda s: s["id"])
    if not featured:
        return None
    day = str(snap.data.get("view:today") or "")
    index = int(hashlib.sha256(day.encode()).hexdigest(), 16) % len(featured)
    return _brief(featured[index])


def story_pages(snap: Snapshot, boxes: dict[str, str]) -> list[Output]:
    stories = stories_sorted(snap)
    categories = sorted(
        snap.data.get("view:stories/categories") or [], key=lambda c: (c["name"].lower(), c["id"])
    )
    by_category: dict[str, list[dict[str, Any]]] = {}
    for story in stories:
        by_category.setdefault(story["category"]["slug"], []).append(_brief(story))
    menu = [{"name": c["name"], "url": c["page_url"]} for c in categories]
    out = [
        Output(
            "success-stories/index.html",
            "stories/index.html",
            {
                "latest": [_brief(s) for s in stories[:LATEST]],
                "categories": [
                    {
                        "name": c["name"],
                        "url": c["page_url"],
                        "stories": by_category.get(c["slug"], [])[:PER_CATEGORY],
                    }
                    for c in categories
                ],
                "boxes": boxes,
            },
        ),
        Output("success-stories/create/index.html", "stories/create.html", {"menu": menu, "boxes": boxes}),
    ]
    for category in categories:
        out.append(
            Output(
                category["page_url"].lstrip("/") + "index.html",
                "stories/category.html",
                {
                    "category": {"name": category["name"]},
                    "stories": by_category.get(category["slug"], []),
                    "menu": menu,
                },
                record=record_of("successstories", "category", category["id"]),
            )
        )
    for story in stories:
        keys = (
            "id",
            "name",
            "url",
            "company_name",
            "company_url",
            "author",
            "pull_quote",
            "content_html",
            "image",
        )
        out.append(
            Output(
                story["url"].lstrip("/") + "index.html",
                "stories/detail.html",
                {"story": {**{k: story.get(k) for k in keys}, "category": story["category"]}, "menu": menu},
                record=record_of("successstories", "story", story["id"]),
            )
        )
    return out


def plan(site: Site) -> list[Output]:
    return story_pages(site.snap, site.pick(STORY_BOXES))


SECTION = Section(
    "stories",
    fetch=fetch,
    watches=(Watch("successstories"), Watch("companies")),
    refetch=refetch,
    plan=plan,
)
