"""A PostgreSQL database with python.org's Django layout (``django_schema.sql``)
and a loader that puts ``dumpdata`` objects into it the way ``manage.py loaddata`` does: the
inverse of ``source``. The migration tests and the benchmark (``make bench``) read from it.

The loader maps a foreign key field to its ``<field>_id`` column and many-to-many lists to rows
of the through table, resolves natural keys (users by ``["username"]``, permissions by
``[codename, app_label, model]``, content types by ``[app_label, model]``, creating the content
type and permission rows they need), and fills every NOT NULL column the object leaves out with
the Django model's default, since Django keeps its defaults in Python and the database has none.
An object whose (model, pk) came earlier replaces it, as ``loaddata`` saves the last.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from pydotorg.django_import.layout import (
    CONTENT_TYPE,
    CONTENT_TYPE_TABLE,
    LAYOUT,
    PERMISSION,
    PERMISSION_TABLE,
    USER,
    DjangoTable,
)
from pydotorg.django_import.source import asyncpg_dsn, quote

SCHEMA = Path(__file__).with_name("django_schema.sql")
# The SQL below is built from the layout's table names (constants, quoted) and binds every value
# as a parameter: hence the S608 exemptions.
STRING_TYPES = frozenset({"character varying", "text", "character"})
NOW = object()  # Django's ``default=timezone.now``

_CM = {"created": NOW, "updated": NOW}  # apps/cms ContentManageable
_RST = "restructuredtext"
# Explicit model defaults of NOT NULL columns, by table. A string column not listed falls back to
# "" and a nullable one to NULL, as Django's Field.get_default() does for fields without one.
DEFAULTS: dict[str, dict[str, Any]] = {
    "users_user": {
        "is_superuser": False,
        "is_staff": False,
        "is_active": True,
        "date_joined": NOW,
        "bio_markup_type": "markdown",
        "search_visibility": 1,
        "email_privacy": 2,
        "public_profile": True,
    },
    "users_membership": {"membership_type": 0, "votes": False, **_CM},
    "account_emailaddress": {"verified": False, "primary": False},
    "users_usergroup": {"approved": False, "trusted": False},
    "tastypie_apikey": {"created": NOW},
    "authtoken_token": {"created": NOW},
    "waffle_flag": {
        "testing": False,
        "superusers": True,
        "staff": False,
        "authenticated": False,
        "rollout": False,
        "created": NOW,
        "modified": NOW,
    },
    "sitetree_treeitem": {
        "urlaspattern": False,
        "hidden": False,
        "inmenu": True,
        "inbreadcrumbs": True,
        "insitetree": True,
        "access_loggedin": False,
        "access_guest": False,
        "access_restricted": False,
        "access_perm_type": 1,
        "sort_order": 0,
    },
    "banners_banner": {"active": False, "psf_pages_only": True},
    "blogs_relatedblog": _CM,
    "boxes_box": {**_CM, "content_markup_type": _RST},
    "codesamples_codesample": {
        **_CM,
        "code_markup_type": "html",
        "copy_markup_type": "html",
        "is_published": False,
    },
    "community_post": {**_CM, "content_markup_type": "html", "media_type": 1, "meta": {}, "status": 1},
    "community_link": _CM,
    "community_photo": _CM,
    "community_video": _CM,
    "companies_company": {"about_markup_type": _RST},
    "pages_page": {**_CM, "content_markup_type": _RST, "is_published": True, "content_type": "text/html"},
    "downloads_os": _CM,
    "downloads_release": {
        **_CM,
        "version": 3,
        "is_latest": False,
        "is_published": False,
        "pre_release": False,
        "show_on_download_page": True,
        "release_date": NOW,
        "content_markup_type": "markdown",
    },
    "downloads_releasefile": {**_CM, "is_source": False, "filesize": 0, "download_button": False},
    "events_calendar": _CM,
    "events_event": {**_CM, "description_markup_type": _RST, "featured": False},
    "events_occurringrule": {"dt_start": NOW, "dt_end": NOW, "all_day": False},
    "events_recurringrule": {
        "begin": NOW,
        "finish": NOW,
        "duration_internal": "00:15:00",
        "duration": "15 min",
        "interval": 1,
        "frequency": 2,  # dateutil's WEEKLY
        "all_day": False,
    },
    "events_alarm": {**_CM, "trigger": 24},
    "jobs_jobtype": {"active": True},
    "jobs_jobcategory": {"active": True},
    "jobs_job": {
        **_CM,
        "company_description_markup_type": _RST,
        "description_markup_type": _RST,
        "requirements_markup_type": _RST,
        "status": "review",
        "telecommuting": False,
        "agencies": True,
        "is_featured": False,
    },
    "jobs_jobreviewcomment": {**_CM, "comment_markup_type": _RST},
    "minutes_minutes": {**_CM, "content_markup_type": _RST, "is_published": False},
    "nominations_electionkind": {"accent_color": "#0073b7", "nomination_form": "board"},
    "nominations_election": {"description_markup_type": "markdown", "hide_previous_service": False},
    "nominations_nominee": {"accepted": False, "approved": False},
    "nominations_nomination": {
        "nomination_statement_markup_type": "markdown",
        "accepted": False,
        "approved": False,
        "coc_acknowledged": False,
        "mission_alignment": False,
        "eligibility_confirmed": False,
    },
    "successstories_story": {**_CM, "content_markup_type": _RST, "is_published": False, "featured": False},
    "sponsors_sponsorshipprogram": {"order": 0},
    "sponsors_sponsorshippackage": {
        "order": 0,
        "advertise": False,
        "logo_dimension": 175,
        "allow_a_la_carte": True,
    },
    "sponsors_legalclause": {"order": 0},
    "sponsors_sponsorshipbenefit": {
        "order": 0,
        "package_only": False,
        "new": False,
        "unavailable": False,
        "standalone": False,
        "soft_capacity": False,
    },
    "sponsors_logoplacementconfiguration": {"link_to_sponsors_page": False, "describe_as_sponsor": False},
    "sponsors_logoplacement": {"link_to_sponsors_page": False, "describe_as_sponsor": False},
    "sponsors_providedtextassetconfiguration": {"shared": False},
    "sponsors_providedfileassetconfiguration": {"shared": False},
    "sponsors_providedtextasset": {"shared": False},
    "sponsors_providedfileasset": {"shared": False},
    "sponsors_sponsor": _CM,
    "sponsors_sponsorcontact": {
        "primary": False,
        "administrative": False,
        "accounting": False,
        "manager": False,
    },
    "sponsors_sponsorship": {
        "status": "applied",
        "locked": False,
        "applied_on": NOW,
        "for_modified_package": False,
    },
    "sponsors_sponsorbenefit": {"order": 0, "added_by_user": False, "standalone": False},
    "sponsors_contract": {
        "status": "draft",
        "revision": 0,
        "benefits_list_markup_type": "markdown",
        "legal_clauses_markup_type": "markdown",
        "created_on": NOW,
        "last_update": NOW,
    },
    "sponsors_sponsoremailnotificationtemplate": {"created_at": NOW, "updated_at": NOW},
    "work_groups_workgroup": {
        **_CM,
        "active": True,
        "approved": False,
        **{
            f"{name}_markup_type": _RST
            for name in ("purpose", "active_time", "core_values", "rules", "communication", "support")
        },
    },
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Column:
    data_type: str
    nullable: bool


@dataclass
class LoadReport:
    """What ``load_objects`` did: rows per label, labels it has no table for, defaults it filled."""

    loaded: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    # (label, pk) -> {field: value} for the fields the object left out
    defaulted: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=dict)


def _database_url(admin_dsn: str, name: str) -> str:
    return f"{admin_dsn.rsplit('/', 1)[0]}/{name}"


async def create_django_database(admin_dsn: str, name: str) -> str:
    """(Re)create database ``name`` on the admin URL's server with python.org's Django tables."""
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    admin = await asyncpg.connect(asyncpg_dsn(admin_dsn))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {quote(name)}")
    finally:
        await admin.close()
    url = _database_url(admin_dsn, name)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(SCHEMA.read_text())
    finally:
        await conn.close()
    return url


async def drop_django_database(admin_dsn: str, name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    admin = await asyncpg.connect(asyncpg_dsn(admin_dsn))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
    finally:
        await admin.close()


async def table_columns(conn: asyncpg.Connection) -> dict[str, dict[str, Column]]:
    """Every public table's columns: name -> (data type, nullable)."""
    rows = await conn.fetch(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    )
    columns: dict[str, dict[str, Column]] = defaultdict(dict)
    for row in rows:
        columns[row["table_name"]][row["column_name"]] = Column(row["data_type"], row["is_nullable"] == "YES")
    return dict(columns)


def model_default(table: str, column: str, info: Column, now: str) -> Any:
    """The value Django would store for a column the object leaves out."""
    if column in DEFAULTS.get(table, {}):
        value = DEFAULTS[table][column]
        return now if value is NOW else value
    if info.nullable:
        return None
    if info.data_type in STRING_TYPES:
        return ""
    raise ValueError(f"{table}.{column} is NOT NULL and its model has no default")


class _References:
    """Natural keys -> primary keys, creating content types and permissions on first use."""

    def __init__(self, conn: asyncpg.Connection, usernames: Mapping[str, Any]) -> None:
        self.conn = conn
        self.usernames = dict(usernames)
        self.permissions: dict[tuple[str, str, str], int] = {}
        self.content_types: dict[tuple[str, str], int] = {}

    async def resolve(self, target: str, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if target == USER and len(value) == 1:
            name = str(value[0]).lower()
            if name not in self.usernames:
                found = await self.conn.fetchval("SELECT id FROM users_user WHERE lower(username) = $1", name)
                if found is None:
                    raise ValueError(f"no user {value[0]!r}")
                self.usernames[name] = found
            return self.usernames[name]
        if target == PERMISSION and len(value) == 3:
            return await self._permission(*(str(part) for part in value))
        if target == CONTENT_TYPE and len(value) == 2:
            return await self._content_type(str(value[0]), str(value[1]))
        raise ValueError(f"cannot resolve natural key {value!r} of {target}")

    async def _content_type(self, app_label: str, model: str) -> int:
        key = (app_label, model)
        if key not in self.content_types:
            self.content_types[key] = await self.conn.fetchval(
                f"SELECT id FROM {CONTENT_TYPE_TABLE} WHERE app_label = $1 AND model = $2",  # noqa: S608
                app_label,
                model,
            ) or await self.conn.fetchval(
                f"INSERT INTO {CONTENT_TYPE_TABLE} (app_label, model) VALUES ($1, $2) RETURNING id",  # noqa: S608
                app_label,
                model,
            )
        return self.content_types[key]

    async def _permission(self, codename: str, app_label: str, model: str) -> int:
        key = (codename, app_label, model)
        if key not in self.permissions:
            content_type = await self._content_type(app_label, model)
            self.permissions[key] = await self.conn.fetchval(
                f"SELECT id FROM {PERMISSION_TABLE} WHERE content_type_id = $1 AND codename = $2",  # noqa: S608
                content_type,
                codename,
            ) or await self.conn.fetchval(
                f"INSERT INTO {PERMISSION_TABLE} (name, content_type_id, codename) VALUES ($1, $2, $3) "  # noqa: S608
                "RETURNING id",
                f"Can {codename.replace('_', ' ')}",
                content_type,
                codename,
            )
        return self.permissions[key]


async def load_objects(conn: asyncpg.Connection, objects: Iterable[Mapping[str, Any]]) -> LoadReport:
    """INSERT ``dumpdata`` objects into the Django layout in one transaction, then reset sequences.

    Labels without a table in ``LAYOUT`` are counted in ``skipped``; a field with no column, or a
    NOT NULL column without a value or model default, is an error.
    """
    # The last object of a (model, pk) wins; without a pk there is nothing to replace by.
    latest = {
        (obj.get("model"), obj.get("pk") if obj.get("pk") is not None else i): obj
        for i, obj in enumerate(objects)
    }
    items = list(latest.values())
    report = LoadReport()
    columns = await table_columns(conn)
    now = datetime.now(UTC).isoformat()
    usernames = {
        str(obj["fields"]["username"]).lower(): obj["pk"]
        for obj in items
        if obj.get("model") == USER and obj.get("fields", {}).get("username")
    }
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with conn.transaction():
        references = _References(conn, usernames)
        for obj in items:
            label = str(obj.get("model"))
            spec = LAYOUT.get(label)
            if spec is None:
                report.skipped[label] += 1
                continue
            row, links = await _row(spec, obj, columns[spec.table], references)
            filled: dict[str, Any] = {}
            fk_fields = spec.fk_columns
            for column, info in columns[spec.table].items():
                if column not in row:
                    row[column] = model_default(spec.table, column, info, now)
                    filled[fk_fields.get(column, column)] = row[column]
            if filled:
                report.defaulted[(label, obj["pk"])] = filled
            rows[spec.table].append(row)
            for through, link in links:
                rows[through].append(link)
            report.loaded[label] += 1
        for table, batch in rows.items():
            names = ", ".join(quote(name) for name in sorted({name for row in batch for name in row}))
            await conn.execute(
                f"INSERT INTO {quote(table)} ({names}) "  # noqa: S608
                f"SELECT {names} FROM jsonb_populate_recordset(NULL::{quote(table)}, $1::jsonb)",
                json.dumps(batch),
            )
        await reset_sequences(conn, columns)
    return report


async def _row(
    spec: DjangoTable,
    obj: Mapping[str, Any],
    columns: Mapping[str, Column],
    references: _References,
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    pk = obj["pk"]
    row: dict[str, Any] = {spec.pk: pk}
    links: list[tuple[str, dict[str, Any]]] = []
    for name, value in (obj.get("fields") or {}).items():
        if name in spec.many_to_many:
            m2m = spec.many_to_many[name]
            for target in value or []:
                target_pk = await references.resolve(m2m.target_label, target)
                links.append((m2m.through, {m2m.owner: pk, m2m.target: target_pk}))
        elif name in spec.foreign_keys:
            fk = spec.foreign_keys[name]
            row[fk.column] = await references.resolve(fk.target, value)
        elif name in columns:
            row[name] = value
        else:
            raise ValueError(f"{obj['model']} {pk}: {spec.table} has no column for field {name!r}")
    return row, links


async def reset_sequences(conn: asyncpg.Connection, columns: Mapping[str, Mapping[str, Column]]) -> None:
    """Point every identity sequence past the highest id, as ``loaddata`` does."""
    for table, table_columns_ in columns.items():
        if "id" not in table_columns_:
            continue
        sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", quote(table))
        if sequence:
            await conn.execute(
                f"SELECT setval($1::regclass, coalesce(max(id), 1), max(id) IS NOT NULL) FROM {quote(table)}",  # noqa: S608
                sequence,
            )


__all__ = [
    "LoadReport",
    "create_django_database",
    "drop_django_database",
    "load_objects",
    "model_default",
    "table_columns",
]
