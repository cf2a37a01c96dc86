"""Community posts (inventory 1.6): ``/community/`` lists the public posts, newest first, 25 per
page (``/community/page/N/``) under python.org's community boxes, and each public post has a page
``/community/<id>/`` drawn by its media type's template (text, photo, video, link).

The snapshot holds public posts only (read anonymously), so a private post is never listed nor
published, and a post made private is deleted from the site by the next build. python.org's
per-type templates were unfinished ("todo: types/photo.html"); ours show what each type carries.

Reads ``post:<id>``; any change to a post, or to one of its links, photos or videos (the feed
names the post), re-reads that post.
"""

from __future__ import annotations

from typing import Any

from sitebuilder.outputs import Output, paginated, record_of
from sitebuilder.sections.base import Records, Section, Site, Watch
from sitebuilder.snapshot import Snapshot

PER_PAGE = 25
MEDIA_TYPES = {1: "text", 2: "photo", 3: "video", 4: "link"}


def _photo(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "src": p["image_public_url"] or p["image_url"],
        "caption": p["caption"],
        "click_through_url": p["click_through_url"],
    }


def _video(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "embed_html": v["video_embed_html"],
        "file_url": v["video_data_public_url"],
        "caption": v["caption"],
        "click_through_url": v["click_through_url"],
    }


def post_context(post: dict[str, Any]) -> dict[str, Any]:
    """What a post's page and its list entry show (the API's read, minus what is never shown)."""
    return {
        "id": post["id"],
        "url": post["url"],
        "title": post["title"] or "",
        "abstract": post["abstract"] or "",
        "content_html": post["content_html"],
        "media": MEDIA_TYPES.get(post["media_type"], "text"),
        "source_url": post["source_url"],
        "created": post["created"],
        "links": [link["url"] for link in post["links"] if link["url"]],
        "photos": [_photo(p) for p in post["photos"] if p["image_public_url"] or p["image_url"]],
        "videos": [_video(v) for v in post["videos"]],
    }


def public_posts(snap: Snapshot) -> list[dict[str, Any]]:
    posts = [p for p in snap.items("post") if p["status"] == 2]
    return sorted(posts, key=lambda p: (p["created"], p["id"]), reverse=True)


def community_pages(snap: Snapshot, boxes: dict[str, str]) -> list[Output]:
    posts = [post_context(p) for p in public_posts(snap)]
    out = paginated("community/", "community.html", posts, PER_PAGE, {"boxes": boxes})
    for post in posts:
        out.append(
            Output(
                f"community/{post['id']}/index.html",
                f"community/{post['media']}.html",
                {"post": post},
                record=record_of("community", "post", post["id"]),
            )
        )
    return out


COMMUNITY_BOXES = (
    "community-banner",
    "community-widget1",
    "community-widget2",
    "community-widget3",
    "community-irc-channels",
)
# Listed anonymously: public posts only.
POSTS = Records("post", "/api/v3/community/posts", public=lambda p: p["status"] == 2)


def plan(site: Site) -> list[Output]:
    return community_pages(site.snap, site.pick(COMMUNITY_BOXES))


SECTION = Section(
    "community", fetch=POSTS.fetch, watches=(Watch("community"),), refetch=POSTS.refetch, plan=plan
)
