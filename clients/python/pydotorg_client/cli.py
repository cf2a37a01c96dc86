"""``pydotorg-edit``: the editors' command line on the typed client (docs/editors.md).

Log in once per API URL (the token is kept in ``$XDG_CONFIG_HOME/pydotorg/credentials.json``, 0600),
then list, show, create, edit (in ``$EDITOR``, sending only what changed, with ``If-Match`` so a
concurrent edit is never overwritten), publish, unpublish and delete pages, releases, events, boxes,
banners, code samples, success stories, minutes and community posts (``SPECS``: one entry each; a
verb the resource has no field for is not offered); upload page files and community post photos;
review the jobs queue and the event suggestions. argparse keeps the client's dependencies to httpx
and msgspec.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import getpass
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec

from pydotorg_client import models
from pydotorg_client._api import Client
from pydotorg_client.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)

DEFAULT_API = "https://www.python.org"
SEPARATOR = "---"


class CliError(Exception):
    """A message for the user, then exit 1 (no traceback)."""


# -- credentials -----------------------------------------------------------------------------------


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pydotorg"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def load_credentials() -> dict[str, str]:
    path = credentials_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise CliError(f"{path} is not valid JSON ({e}); remove it and log in again") from e
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_credentials(creds: dict[str, str]) -> None:
    """Written to a new 0600 file in the 0700 directory, then renamed over the old one."""
    directory = config_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=directory)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(creds, f, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, credentials_path())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def api_url(args: argparse.Namespace) -> str:
    """``--api``, else ``$PYDOTORG_API``, else the URL logged in to last, else python.org."""
    if args.api:
        return str(args.api).rstrip("/")
    if os.environ.get("PYDOTORG_API"):
        return os.environ["PYDOTORG_API"].rstrip("/")
    creds = load_credentials()
    return list(creds)[-1] if creds else DEFAULT_API


def connect(args: argparse.Namespace) -> Client:
    url = api_url(args)
    token = load_credentials().get(url)
    if token is None:
        raise CliError(f"not logged in to {url}: run `pydotorg-edit login --api {url}` first")
    return Client(url, token=token)


def read_secret(prompt: str) -> str:
    """A hidden prompt on a terminal; one line of stdin otherwise (scripts, tests)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    return sys.stdin.readline().strip()


def cmd_login(args: argparse.Namespace) -> int:
    url = api_url(args)
    with contextlib.closing(Client(url)) as client:
        if args.api_key:
            token = read_secret("API key: ")
            if not token:
                raise CliError("no API key given")
            client.credential = token
        else:
            username = args.username or ask("Username or e-mail: ")
            password = read_secret("Password: ")
            try:
                token = client.login(username, password)
            except (BadRequest, Unauthorized) as e:
                raise CliError(f"log-in refused: {e.detail}") from e
        me = client.users.me()
    creds = load_credentials()
    creds.pop(url, None)  # re-inserted last: the default URL is the one logged in to last
    creds[url] = token
    save_credentials(creds)
    print(f"Logged in to {url} as {me.username}; token saved in {credentials_path()}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    url = api_url(args)
    creds = load_credentials()
    token = creds.pop(url, None)
    if token is None:
        print(f"Not logged in to {url}")
        return 0
    with contextlib.closing(Client(url, token=token)) as client, contextlib.suppress(ApiError):
        client.logout()  # ends a password session; an API key stays valid (revoke it on the site)
    save_credentials(creds)
    print(f"Logged out of {url}")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        me = client.users.me()
        roles = [r for r, on in (("superuser", me.is_superuser), ("staff", me.is_staff)) if on]
        print(
            f"{me.username} <{me.email}> on {client.base_url}" + (f" ({', '.join(roles)})" if roles else "")
        )
    return 0


# -- documents: front matter + content -------------------------------------------------------------


def render_document(front: dict[str, Any], content: str) -> str:
    """``key: <JSON value>`` lines between ``---`` lines, then the content as is."""
    lines = [SEPARATOR]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    lines.append(SEPARATOR)
    return "\n".join(lines) + "\n" + content + ("" if content.endswith("\n") or not content else "\n")


def parse_document(text: str) -> tuple[dict[str, Any], str]:
    """The inverse of ``render_document``. A value that is not JSON is taken as a bare string."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != SEPARATOR:
        raise CliError("the document must begin with a '---' line (the front matter)")
    front: dict[str, Any] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == SEPARATOR:
            content = "\n".join(lines[number:])
            return front, content
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, raw = line.partition(":")
        if not colon or not key.strip():
            raise CliError(f"line {number}: expected 'key: value', got {line!r}")
        raw = raw.strip()
        try:
            front[key.strip()] = json.loads(raw)
        except ValueError:
            front[key.strip()] = raw
    raise CliError("the front matter has no closing '---' line")


def strip_trailing_newline(content: str) -> str:
    return content[:-1] if content.endswith("\n") else content


# -- resources -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    flag: str
    param: str
    kind: Callable[[str], Any] = str
    help: str = ""


def yes_no(value: str) -> bool:
    if value.lower() in {"yes", "true", "1", "y"}:
        return True
    if value.lower() in {"no", "false", "0", "n"}:
        return False
    raise argparse.ArgumentTypeError(f"expected yes or no, not {value!r}")


@dataclass(frozen=True)
class Spec:
    """What the generic commands need to know of a resource."""

    name: str  # the command: pages
    noun: str  # in messages: page
    resource: Callable[[Client], Any]
    create_model: type[msgspec.Struct]
    update_model: type[msgspec.Struct]
    front: tuple[str, ...]  # front-matter fields, in this order
    content: str  # the body field below the front matter
    title: str  # the field that names a record in messages
    columns: tuple[str, ...]  # the list table
    filters: tuple[Filter, ...] = ()
    publish: dict[str, Any] = field(default_factory=dict)  # empty: no publish/unpublish verbs
    unpublish: dict[str, Any] = field(default_factory=dict)
    template: dict[str, Any] = field(default_factory=dict)
    search: bool = False  # the list takes ``q`` (--search)
    # The read shape -> the update shape, where they differ (an event's ``venue`` object is sent
    # back as ``venue_id``); the document and the "what changed" diff are made of its result.
    editable: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Verbs of this resource alone (uploads, event submissions): adds them to its sub-parsers.
    verbs: Callable[[Any, argparse.ArgumentParser], None] | None = None


def choice_of(names: dict[str, int]) -> Callable[[str], int]:
    """A filter given by name or by the API's number (``--status public`` or ``--status 2``)."""

    def convert(value: str) -> int:
        if value in names:
            return names[value]
        if value.isdigit() and int(value) in names.values():
            return int(value)
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(names)}, not {value!r}")

    return convert


POST_STATUSES = {"private": 1, "public": 2}
POST_MEDIA_TYPES = {"text": 1, "photo": 2, "video": 3, "link": 4}


def pick(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: data[k] for k in keys if k in data}


def event_editable(data: dict[str, Any]) -> dict[str, Any]:
    """An event as ``EventUpdate`` takes it: category slugs, ``venue_id``, the rules' input fields
    (a recurring rule keeps its ``id``, so an unchanged rule is kept, not replaced)."""
    venue = data.get("venue")
    rule = data.get("occurring_rule")
    return {
        **data,
        "categories": [c["slug"] for c in data.get("categories") or []],
        "venue_id": venue["id"] if venue else None,
        "occurring_rule": None if rule is None else pick(rule, "dt_start", "dt_end", "all_day"),
        "recurring_rules": [
            pick(r, "id", "begin", "finish", "duration", "interval", "frequency", "all_day")
            for r in data.get("recurring_rules") or []
        ],
    }


def story_editable(data: dict[str, Any]) -> dict[str, Any]:
    category = data.get("category")
    return {**data, "category": category["slug"] if isinstance(category, dict) else category}


def post_editable(data: dict[str, Any]) -> dict[str, Any]:
    """A community post as ``PostUpdate`` takes it: each link, photo and video with its ``id`` (kept
    in place, an uploaded image with it) and the fields a request sets."""
    return {
        **data,
        "links": [pick(link, "id", "url") for link in data.get("links") or []],
        "photos": [
            pick(photo, "id", "image_url", "caption", "click_through_url")
            for photo in data.get("photos") or []
        ],
        "videos": [
            pick(video, "id", "video_embed", "caption", "click_through_url")
            for video in data.get("videos") or []
        ],
    }


def add_page_upload(actions: Any, common: argparse.ArgumentParser) -> None:
    attach = actions.add_parser("upload", parents=[common], help="upload an image or document")
    attach.add_argument("id", type=int)
    attach.add_argument("file")
    attach.add_argument("--kind", choices=("image", "document"), default="image")
    attach.set_defaults(run=cmd_attach)


def add_post_upload(actions: Any, common: argparse.ArgumentParser) -> None:
    upload = actions.add_parser(
        "upload", parents=[common], help="upload a photo's image (a new photo unless --photo is given)"
    )
    upload.add_argument("id", type=int, help="the post")
    upload.add_argument("file", help="png, jpg, gif, svg, webp or ico")
    upload.add_argument("--photo", type=int, help="replace the image of this photo of the post")
    upload.add_argument("--caption", default="", help="the new photo's caption")
    upload.set_defaults(run=cmd_post_upload)


def add_event_submissions(actions: Any, common: argparse.ArgumentParser) -> None:
    group = actions.add_parser("submissions", parents=[common], help="events suggested on the site")
    verbs = group.add_subparsers(dest="submission_action", required=True)
    lst = verbs.add_parser("list", parents=[common], help="a table of suggestions")
    lst.add_argument("--status", choices=("pending", "accepted", "declined"))
    lst.add_argument("--json", action="store_true", help="JSON instead of a table")
    lst.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    lst.set_defaults(run=cmd_submissions_list)
    accept = verbs.add_parser("accept", parents=[common], help="create the event from a suggestion")
    accept.add_argument("id", type=int)
    accept.add_argument("--calendar", required=True, help="the slug of the event's calendar")
    accept.add_argument("--publish", action="store_true", help="publish the new event at once")
    accept.set_defaults(run=cmd_submissions_accept)
    decline = verbs.add_parser("decline", parents=[common], help="decline a suggestion")
    decline.add_argument("id", type=int)
    decline.add_argument("--note", required=True, help="why (kept with the suggestion)")
    decline.set_defaults(run=cmd_submissions_decline)


SPECS = {
    spec.name: spec
    for spec in (
        Spec(
            name="pages",
            noun="page",
            resource=lambda c: c.pages,
            create_model=models.PageCreate,
            update_model=models.PageUpdate,
            front=(
                "title",
                "path",
                "is_published",
                "description",
                "keywords",
                "content_markup_type",
                "content_type",
                "template_name",
            ),
            content="content",
            title="title",
            columns=("id", "path", "title", "is_published", "updated"),
            filters=(
                Filter("--path-prefix", "path_prefix", help="pages under this URL path"),
                Filter("--published", "is_published", yes_no, "yes or no"),
            ),
            publish={"is_published": True},
            unpublish={"is_published": False},
            search=True,
            verbs=add_page_upload,
            template={
                "title": "",
                "path": "/",
                "is_published": False,
                "description": "",
                "keywords": "",
                "content_markup_type": "restructuredtext",
            },
        ),
        Spec(
            name="releases",
            noun="release",
            resource=lambda c: c.downloads.releases,
            create_model=models.ReleaseCreate,
            update_model=models.ReleaseUpdate,
            front=(
                "name",
                "slug",
                "version",
                "is_published",
                "is_latest",
                "pre_release",
                "show_on_download_page",
                "release_date",
                "release_notes_url",
                "release_page_id",
                "content_markup_type",
            ),
            content="content",
            title="name",
            columns=("id", "name", "is_published", "pre_release", "release_date"),
            filters=(
                Filter("--version", "version", int, "1, 2, 3 or 100"),
                Filter("--published", "is_published", yes_no, "yes or no"),
                Filter("--latest", "is_latest", yes_no, "yes or no"),
                Filter("--pre-release", "pre_release", yes_no, "yes or no"),
            ),
            publish={"is_published": True},
            unpublish={"is_published": False},
            search=True,
            template={
                "name": "Python 3.",
                "version": 3,
                "is_published": False,
                "pre_release": False,
                "release_date": "YYYY-MM-DDT00:00:00Z",
                "content_markup_type": "markdown",
            },
        ),
        Spec(
            name="events",
            noun="event",
            resource=lambda c: c.events,
            create_model=models.EventCreate,
            update_model=models.EventUpdate,
            front=(
                "title",
                "calendar",
                "is_published",
                "featured",
                "occurring_rule",
                "recurring_rules",
                "venue_id",
                "categories",
                "uid",
                "description_markup_type",
            ),
            content="description",
            title="title",
            columns=("id", "calendar", "title", "is_published", "featured", "next_occurrence.dt_start"),
            filters=(
                Filter("--calendar", "calendar", help="a calendar's slug"),
                Filter("--published", "is_published", yes_no, "yes or no (no: drafts)"),
                Filter("--category", "category", help="a category's slug"),
                Filter("--featured", "featured", yes_no, "yes or no"),
                Filter("--upcoming", "upcoming", yes_no, "yes: events still to come"),
                Filter("--past", "past", yes_no, "yes: events that are over"),
                Filter("--starts-after", "starts_after", dt.datetime.fromisoformat, "an ISO date-time"),
                Filter("--starts-before", "starts_before", dt.datetime.fromisoformat, "an ISO date-time"),
            ),
            publish={"is_published": True},
            unpublish={"is_published": False},
            search=True,
            editable=event_editable,
            verbs=add_event_submissions,
            template={
                "title": "",
                "calendar": "python-events",
                "is_published": False,
                "featured": False,
                "occurring_rule": {
                    "dt_start": "YYYY-MM-DDT09:00:00Z",
                    "dt_end": "YYYY-MM-DDT17:00:00Z",
                    "all_day": False,
                },
                "recurring_rules": [],
                "venue_id": None,
                "categories": [],
                "description_markup_type": "restructuredtext",
            },
        ),
        Spec(
            name="boxes",
            noun="box",
            resource=lambda c: c.boxes,
            create_model=models.BoxCreate,
            update_model=models.BoxUpdate,
            front=("label", "content_markup_type"),
            content="content",
            title="label",
            columns=("id", "label", "content_markup_type", "updated"),
            filters=(Filter("--label-prefix", "label_prefix", help="boxes whose label starts so"),),
            template={"label": "", "content_markup_type": "restructuredtext"},
        ),
        Spec(
            name="banners",
            noun="banner",
            resource=lambda c: c.banners,
            create_model=models.BannerCreate,
            update_model=models.BannerUpdate,
            front=("title", "link", "active", "psf_pages_only", "sort_order"),
            content="message",
            title="title",
            columns=("id", "title", "active", "psf_pages_only", "sort_order", "link"),
            filters=(Filter("--active", "active", yes_no, "yes or no"),),
            publish={"active": True},
            unpublish={"active": False},
            template={
                "title": "",
                "link": "https://",
                "active": False,
                "psf_pages_only": True,
                "sort_order": 0,
            },
        ),
        Spec(
            name="codesamples",
            noun="code sample",
            resource=lambda c: c.codesamples,
            create_model=models.CodeSampleCreate,
            update_model=models.CodeSampleUpdate,
            front=("is_published", "sort_order", "code_markup_type", "copy_markup_type", "copy"),
            content="code",
            title="copy",
            columns=("id", "is_published", "sort_order", "copy"),
            filters=(Filter("--published", "is_published", yes_no, "yes or no"),),
            publish={"is_published": True},
            unpublish={"is_published": False},
            template={
                "is_published": False,
                "sort_order": 0,
                "code_markup_type": "html",
                "copy_markup_type": "html",
                "copy": "<h1>...</h1><p>...</p>",
            },
        ),
        Spec(
            name="stories",
            noun="story",
            resource=lambda c: c.successstories,
            create_model=models.StoryCreate,
            update_model=models.StoryUpdate,
            front=(
                "name",
                "slug",
                "category",
                "is_published",
                "featured",
                "author",
                "author_email",
                "company_name",
                "company_url",
                "company_id",
                "pull_quote",
                "image",
                "content_markup_type",
            ),
            content="content",
            title="name",
            columns=("id", "name", "category.slug", "is_published", "featured", "updated"),
            filters=(
                Filter("--category", "category", help="a category's slug"),
                Filter("--featured", "featured", yes_no, "yes or no"),
                Filter("--published", "is_published", yes_no, "yes or no"),
            ),
            publish={"is_published": True},
            unpublish={"is_published": False},
            editable=story_editable,
            template={
                "name": "",
                "category": "",
                "is_published": False,
                "author": "",
                "company_name": "",
                "company_url": "https://",
                "pull_quote": "",
                "content_markup_type": "restructuredtext",
            },
        ),
        Spec(
            name="minutes",
            noun="minutes",
            resource=lambda c: c.minutes,
            create_model=models.MinutesCreate,
            update_model=models.MinutesUpdate,
            front=("date", "is_published", "content_markup_type"),
            content="content",
            title="title",
            columns=("id", "date", "is_published", "updated"),
            filters=(Filter("--year", "year", int, "meetings of this year"),),
            publish={"is_published": True},
            unpublish={"is_published": False},
            template={"date": "YYYY-MM-DD", "is_published": False, "content_markup_type": "restructuredtext"},
        ),
        Spec(
            name="community",
            noun="community post",
            resource=lambda c: c.community,
            create_model=models.PostCreate,
            update_model=models.PostUpdate,
            front=(
                "title",
                "status",
                "media_type",
                "abstract",
                "source_url",
                "content_markup_type",
                "links",
                "photos",
                "videos",
                "meta",
            ),
            content="content",
            title="title",
            columns=("id", "title", "status", "media_type", "updated"),
            filters=(
                Filter("--status", "status", choice_of(POST_STATUSES), "private or public"),
                Filter(
                    "--media-type", "media_type", choice_of(POST_MEDIA_TYPES), "text, photo, video or link"
                ),
            ),
            publish={"status": POST_STATUSES["public"]},
            unpublish={"status": POST_STATUSES["private"]},
            editable=post_editable,
            verbs=add_post_upload,
            template={
                "title": "",
                "status": POST_STATUSES["private"],
                "media_type": POST_MEDIA_TYPES["text"],
                "source_url": "",
                "content_markup_type": "markdown",
                "links": [],
                "photos": [],
            },
        ),
    )
}


def as_data(record: msgspec.Struct) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data


def editable_data(spec: Spec, record: msgspec.Struct) -> dict[str, Any]:
    """The record as its document shows it: the read, in the update shape where the two differ."""
    data = as_data(record)
    return spec.editable(data) if spec.editable else data


def label_of(spec: Spec, data: dict[str, Any]) -> str:
    """The record's name in messages, on one line and short (a code sample is named by its copy)."""
    text = " ".join(str(data.get(spec.title) or "").split())
    return text if len(text) <= 60 else text[:57] + "..."


def document_of(spec: Spec, record: msgspec.Struct) -> str:
    data = editable_data(spec, record)
    return render_document({k: data[k] for k in spec.front if k in data}, str(data.get(spec.content) or ""))


def fields_of(spec: Spec, front: dict[str, Any], content: str) -> dict[str, Any]:
    unknown = sorted(set(front) - set(spec.front))
    if unknown:
        raise CliError(f"unknown field(s) in the front matter: {', '.join(unknown)}")
    return {**front, spec.content: strip_trailing_newline(content)}


def changes(spec: Spec, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value the editor changed (removing a line changes nothing)."""
    old = {k: before.get(k) for k in (*spec.front, spec.content)}
    old[spec.content] = strip_trailing_newline(str(old[spec.content] or ""))
    return {k: v for k, v in after.items() if k in old and v != old[k]}


def describe(spec: Spec, before: dict[str, Any], changed: dict[str, Any]) -> str:
    out = []
    for key, value in changed.items():
        if key == spec.content:
            diff = difflib.unified_diff(
                str(before.get(key) or "").splitlines(),
                str(value).splitlines(),
                "before",
                "after",
                lineterm="",
            )
            out.append(f"  {key}:")
            out += [f"    {line}" for line in diff]
        else:
            out.append(
                f"  {key}: {json.dumps(before.get(key), ensure_ascii=False)} -> "
                f"{json.dumps(value, ensure_ascii=False)}"
            )
    return "\n".join(out)


def api_message(e: ApiError) -> str:
    fields = getattr(e, "fields", None) or {}
    detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()) if fields else e.detail
    if isinstance(e, Forbidden):
        return f"not allowed (403): your account lacks the permission for this. {e.detail}"
    if isinstance(e, Unauthorized):
        return f"not logged in or the token expired (401): run `pydotorg-edit login` again. {e.detail}"
    if isinstance(e, NotFound):
        return f"not found (404): {e.detail}"
    return f"the API refused ({e.status}): {detail}"


def editor_command() -> list[str]:
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def run_editor(path: Path) -> None:
    result = subprocess.run([*editor_command(), str(path)], check=False)  # noqa: S603 - the user's $EDITOR
    if result.returncode != 0:
        raise CliError(f"the editor exited with status {result.returncode}; nothing sent. Your text: {path}")


def keep_file(spec: Spec, text: str, label: str) -> Path:
    noun = spec.noun.replace(" ", "-")
    fd, name = tempfile.mkstemp(prefix=f"pydotorg-{noun}-{label}-", suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name)


def lookup(row: dict[str, Any], column: str) -> Any:
    """A column's value; ``a.b`` reads a nested object (``next_occurrence.dt_start``)."""
    value: Any = row
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    def cell(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
            return value[:16].replace("T", " ")  # a timestamp, to the minute
        text = "" if value is None else " ".join(str(value).split())
        return text if len(text) <= 60 else text[:57] + "..."

    cells = [[cell(lookup(row, c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    for line in [list(columns), *cells]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


def cmd_list(spec: Spec, args: argparse.Namespace) -> int:
    query = {f.param: getattr(args, f.param) for f in spec.filters if getattr(args, f.param) is not None}
    if spec.search and args.search:
        query["q"] = args.search
    with contextlib.closing(connect(args)) as client:
        pager = spec.resource(client).list(**query, page_size=min(args.limit, 1000))
        rows = []
        for item in pager:
            rows.append(as_data(item))
            if len(rows) >= args.limit:
                break
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print_table(rows, spec.columns)
    return 0


def cmd_show(spec: Spec, args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        record = spec.resource(client).get(args.id)
    if args.json:
        print(json.dumps(as_data(record), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(document_of(spec, record))
    return 0


def cmd_create(spec: Spec, args: argparse.Namespace) -> int:
    if args.file:
        path = Path(args.file)
        text = path.read_text(encoding="utf-8")
    else:
        path = keep_file(spec, render_document(spec.template, ""), "new")
        run_editor(path)
        text = path.read_text(encoding="utf-8")
    front, content = parse_document(text)
    body = fields_of(spec, front, content)
    with contextlib.closing(connect(args)) as client:
        try:
            model = msgspec.convert(body, spec.create_model)
        except msgspec.ValidationError as e:
            raise CliError(f"{e}; your text: {path}") from e
        try:
            record = spec.resource(client).create(model)
        except ApiError as e:
            raise CliError(f"{api_message(e)}; your text: {path}") from e
    if not args.file:
        path.unlink()
    data = as_data(record)
    print(f"Created {spec.noun} {data['id']} {label_of(spec, data)!r}")
    return 0


def cmd_edit(spec: Spec, args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        resource = spec.resource(client)
        record = resource.get(args.id)
        etag = client.last_etag
        before = editable_data(spec, record)
        path = keep_file(spec, document_of(spec, record), str(args.id))
        run_editor(path)
        front, content = parse_document(path.read_text(encoding="utf-8"))
        changed = changes(spec, before, fields_of(spec, front, content))
        if not changed:
            path.unlink()
            print("No changes; nothing sent.")
            return 0
        print(f"Changing {spec.noun} {args.id} {label_of(spec, before)!r}:")
        print(describe(spec, before, changed))
        try:
            model = msgspec.convert(changed, spec.update_model)
        except msgspec.ValidationError as e:
            raise CliError(f"{e}; your version is kept at {path}") from e
        try:
            resource.update(args.id, model, if_match=etag)
        except PreconditionFailed as e:
            raise CliError(
                f"{spec.noun} {args.id} was changed by someone else since you opened it; "
                f"nothing was sent. Your version is kept at {path}"
            ) from e
        except ApiError as e:
            raise CliError(f"{api_message(e)}; your version is kept at {path}") from e
    path.unlink()
    print(f"Saved {spec.noun} {args.id}.")
    return 0


def set_fields(spec: Spec, args: argparse.Namespace, values: dict[str, Any], verb: str) -> int:
    with contextlib.closing(connect(args)) as client:
        resource = spec.resource(client)
        record = resource.get(args.id)
        etag = client.last_etag
        try:
            resource.update(args.id, msgspec.convert(values, spec.update_model), if_match=etag)
        except PreconditionFailed as e:
            raise CliError(f"{spec.noun} {args.id} changed while being {verb}; try again") from e
    print(f"{verb.capitalize()} {spec.noun} {args.id} {label_of(spec, as_data(record))!r}.")
    return 0


def cmd_delete(spec: Spec, args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        resource = spec.resource(client)
        record = resource.get(args.id)
        etag = client.last_etag
        title = label_of(spec, as_data(record))
        if not args.yes and ask(f"Delete {spec.noun} {args.id} {title!r}? [y/N] ").lower() not in {
            "y",
            "yes",
        }:
            print("Not deleted.")
            return 1
        try:
            resource.delete(args.id, if_match=etag)
        except PreconditionFailed as e:
            raise CliError(f"{spec.noun} {args.id} changed since it was read; not deleted") from e
    print(f"Deleted {spec.noun} {args.id}.")
    return 0


# -- uploads ---------------------------------------------------------------------------------------


def upload_file(name: str) -> Path:
    """The local file to upload. Only its base name is sent: the API makes the stored name from it
    (shortened and cleaned), never from the local directories."""
    path = Path(name)
    if not path.is_file():
        raise CliError(f"{name}: not a file")
    return path


def cmd_attach(args: argparse.Namespace) -> int:
    path = upload_file(args.file)
    with contextlib.closing(connect(args)) as client, path.open("rb") as f:
        out = client.pages.attach(args.id, files={"file": (path.name, f)}, data={"kind": args.kind})
    print(f"Uploaded {path.name} to page {args.id}: stored as {out.name}, served at {out.url}")
    return 0


def cmd_post_upload(args: argparse.Namespace) -> int:
    """A community post's photo image. Without ``--photo`` a photo is added to the post first (a
    conditional PATCH of its photo list) and taken out again if the API refuses the file."""
    path = upload_file(args.file)
    with contextlib.closing(connect(args)) as client:
        post = client.community.get(args.id)
        etag = client.last_etag
        photos = post_editable(as_data(post))["photos"]
        photo_id = args.photo
        added = False
        if photo_id is None:
            body = {"photos": [*photos, {"caption": args.caption}]}
            try:
                grown = client.community.update(
                    args.id, msgspec.convert(body, models.PostUpdate), if_match=etag
                )
            except PreconditionFailed as e:
                raise CliError(
                    f"community post {args.id} changed while the photo was added; try again"
                ) from e
            etag = client.last_etag
            known = {p["id"] for p in photos}
            photo_id = next(p.id for p in grown.photos if p.id not in known)
            added = True
        elif photo_id not in {p["id"] for p in photos}:
            raise CliError(f"community post {args.id} has no photo {photo_id}")
        try:
            with path.open("rb") as f:
                out = client.community.photo_upload(
                    args.id, photo_id, files={"file": (path.name, f)}, if_match=etag
                )
        except ApiError:
            if added:  # the empty photo made for this file goes again
                with contextlib.suppress(ApiError):
                    client.community.update(
                        args.id, msgspec.convert({"photos": photos}, models.PostUpdate), if_match=etag
                    )
            raise
    photo = next(p for p in out.photos if p.id == photo_id)
    print(
        f"Uploaded {path.name} to community post {args.id}, photo {photo_id}: "
        f"stored as {photo.image}, served at {photo.image_public_url}"
    )
    return 0


# -- jobs review -----------------------------------------------------------------------------------


def cmd_jobs_queue(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        rows = [as_data(job) for job in client.jobs.review_queue()]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print_table(rows, ("id", "job_title", "company_name", "status", "created"))
    return 0


def cmd_jobs_action(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        action = getattr(client.jobs, args.action)
        if args.action == "comment":
            action(args.id, models.CommentCreate(comment=args.text))
        else:
            action(args.id)
    print(f"Job {args.id}: {args.action} done.")
    return 0


# -- event submissions ----------------------------------------------------------------------------


def cmd_submissions_list(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        rows = []
        for item in client.events.submissions.list(status=args.status, page_size=min(args.limit, 1000)):
            rows.append(as_data(item))
            if len(rows) >= args.limit:
                break
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print_table(
            rows, ("id", "status", "event_name", "date_from", "location", "submitter_email", "event_id")
        )
    return 0


def cmd_submissions_accept(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        body = models.SubmissionAccept(calendar=args.calendar, publish=args.publish)
        out = client.events.submissions.accept(args.id, body)
    print(f"Accepted suggestion {args.id} {out.event_name!r}: event {out.event_id} in {args.calendar}.")
    return 0


def cmd_submissions_decline(args: argparse.Namespace) -> int:
    with contextlib.closing(connect(args)) as client:
        out = client.events.submissions.decline(args.id, models.SubmissionDecline(note=args.note))
    print(f"Declined suggestion {args.id} {out.event_name!r}.")
    return 0


# -- previews --------------------------------------------------------------------------------------

# The resources a draft preview can show (``POST /api/v3/previews`` type), by command.
PREVIEW_TYPES = {"pages": "page", "releases": "release", "events": "event", "stories": "story", "jobs": "job"}


def cmd_preview(spec: Spec, args: argparse.Namespace) -> int:
    return preview(PREVIEW_TYPES[spec.name], args)


def preview(record_type: str, args: argparse.Namespace) -> int:
    """Ask for a preview of the stored record (a draft shows as if published, a listing under
    review as if approved), wait until the builder has rendered it, print its private URL (and
    open it with ``--open``)."""
    client = connect(args)
    body = models.PreviewCreate(type=record_type, id=args.id)  # type: ignore[arg-type]
    preview = client.previews.create(body)
    deadline = time.monotonic() + args.wait
    while preview.status == "pending":
        if time.monotonic() > deadline:
            raise CliError(f"the preview is not ready after {args.wait:g} s; it is at {preview.url}")
        time.sleep(0.5)
        preview = client.previews.status(preview.token)
    if preview.status == "failed":
        raise CliError(f"the preview could not be rendered: {preview.error or 'unknown error'}")
    print(preview.url)
    print(f"expires {preview.expires_at:%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    if args.open:
        webbrowser.open(preview.url)
    return 0


# -- the parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api", help="the API's base URL (default: $PYDOTORG_API or the last log-in)")
    parser = argparse.ArgumentParser(
        prog="pydotorg-edit",
        description="Edit python.org through its API (docs/editors.md).",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True)

    login = sub.add_parser("login", parents=[common], help="log in and keep the token for this API URL")
    login.add_argument("--username", help="asked for when not given")
    login.add_argument("--api-key", action="store_true", help="read an API key (pyk_...) from stdin instead")
    login.set_defaults(run=cmd_login)
    sub.add_parser("logout", parents=[common], help="end the session, forget the token").set_defaults(
        run=cmd_logout
    )
    sub.add_parser("whoami", parents=[common], help="the account of the stored token").set_defaults(
        run=cmd_whoami
    )

    for spec in SPECS.values():
        group = sub.add_parser(spec.name, parents=[common], help=f"list, show, create, edit {spec.name}")
        actions = group.add_subparsers(dest="action", required=True)

        def bind(fn: Callable[[Spec, argparse.Namespace], int], spec: Spec = spec) -> Callable[..., int]:
            return lambda args: fn(spec, args)

        lst = actions.add_parser("list", parents=[common], help=f"a table of {spec.name}")
        if spec.search:
            lst.add_argument("--search", help="full-text search")
        lst.add_argument("--json", action="store_true", help="JSON instead of a table")
        lst.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
        for f in spec.filters:
            lst.add_argument(f.flag, dest=f.param, type=f.kind, help=f.help)
        lst.set_defaults(run=bind(cmd_list))

        show = actions.add_parser("show", parents=[common], help="the front-matter document")
        show.add_argument("id", type=int)
        show.add_argument("--json", action="store_true", help="the record as JSON")
        show.set_defaults(run=bind(cmd_show))

        create = actions.add_parser("create", parents=[common], help="from a document file, or in $EDITOR")
        create.add_argument(
            "file", nargs="?", help="a front-matter document (default: $EDITOR on a template)"
        )
        create.set_defaults(run=bind(cmd_create))

        edit = actions.add_parser("edit", parents=[common], help="open in $EDITOR, send what changed")
        edit.add_argument("id", type=int)
        edit.set_defaults(run=bind(cmd_edit))

        for verb, values in (("publish", spec.publish), ("unpublish", spec.unpublish)):
            if values:
                fields = ", ".join(f"{name}={json.dumps(value)}" for name, value in values.items())
                act = actions.add_parser(verb, parents=[common], help=f"{verb} it (sets {fields})")
                act.add_argument("id", type=int)
                act.set_defaults(
                    run=lambda args, spec=spec, values=values, verb=verb: set_fields(
                        spec, args, values, verb + "ed"
                    )
                )

        delete = actions.add_parser("delete", parents=[common], help="delete (asks first)")
        delete.add_argument("id", type=int)
        delete.add_argument("--yes", action="store_true", help="do not ask")
        delete.set_defaults(run=bind(cmd_delete))

        if spec.verbs is not None:  # uploads, event submissions
            spec.verbs(actions, common)

        if spec.name in PREVIEW_TYPES:
            _preview_parser(actions, common).set_defaults(run=bind(cmd_preview))

    jobs = sub.add_parser("jobs", parents=[common], help="the job listings review queue")
    job_actions = jobs.add_subparsers(dest="action", required=True)
    queue = job_actions.add_parser("queue", parents=[common], help="listings waiting for review")
    queue.add_argument("--json", action="store_true")
    queue.set_defaults(run=cmd_jobs_queue)
    for action in ("approve", "reject", "comment"):
        act = job_actions.add_parser(action, parents=[common], help=f"{action} a listing")
        act.add_argument("id", type=int)
        if action == "comment":
            act.add_argument("text")
        act.set_defaults(run=cmd_jobs_action)
    _preview_parser(job_actions, common).set_defaults(run=lambda args: preview("job", args))
    return parser


def _preview_parser(actions: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    prev: argparse.ArgumentParser = actions.add_parser(
        "preview", parents=[common], help="a private preview URL (docs/previews.md)"
    )
    prev.add_argument("id", type=int)
    prev.add_argument("--open", action="store_true", help="open it in the web browser")
    prev.add_argument("--wait", type=float, default=120, help="seconds to wait for it (default 120)")
    return prev


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CliError as e:
        print(f"pydotorg-edit: {e}", file=sys.stderr)
        return 1
    except ApiError as e:
        print(f"pydotorg-edit: {api_message(e)}", file=sys.stderr)
        return 1
    except httpx.HTTPError as e:
        print(f"pydotorg-edit: could not reach the API: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
