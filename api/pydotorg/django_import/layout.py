"""Where python.org's Django models live in its PostgreSQL database.

For every Django model label we import (plus a few python.org keeps next to them: redirects,
sites, waffle flags, community posts), ``LAYOUT`` names the table, its primary key column, its
foreign keys and its many-to-many tables. Plain columns are not listed: Django names a column
after its field (``dumpdata`` uses the same name), so a reader selects every column and renames
only the foreign keys' ``<field>_id``. A field python.org adds later then flows through unchanged.

The names follow Django's rules (table ``<app_label>_<model>``; foreign key ``<field>_id``;
automatic many-to-many table ``<table>_<field>`` with ``<model>_id`` and ``<target>_id``,
``from_``/``to_`` for a model pointing at itself); the few exceptions are spelled out (the
``django_*`` tables, DRF's token keyed by ``key``). They were checked against python.org's
``apps/*/models.py`` and the models of the pinned third-party apps.

django-polymorphic's subclasses (the sponsors app's feature configurations, features and assets)
are Django multi-table inheritance: the child's table is keyed by ``<parent model>_ptr_id``, the
parent's primary key, and holds only the child's own fields; the parent row names its child's model
in ``polymorphic_ctype``, a content type. Content types (like permissions) travel by natural key,
``[app_label, model]``, since their ids differ from database to database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

USER = "users.user"
GROUP = "auth.group"
PERMISSION = "auth.permission"
CONTENT_TYPE = "contenttypes.contenttype"
# Permissions and content types travel by natural key (our side maps them by name, not by
# python.org's ids).
PERMISSION_TABLE = "auth_permission"
CONTENT_TYPE_TABLE = "django_content_type"


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key column and the label of the model it points at."""

    column: str
    target: str


@dataclass(frozen=True)
class ManyToMany:
    """A many-to-many field stored in its own table: one row per (owner, target) pair."""

    through: str
    owner: str  # column holding this model's primary key
    target: str  # column holding the related model's primary key
    target_label: str


@dataclass(frozen=True)
class DjangoTable:
    """One Django model's table: primary key, foreign keys and many-to-many fields by field name."""

    table: str
    foreign_keys: Mapping[str, ForeignKey] = field(default_factory=dict)
    many_to_many: Mapping[str, ManyToMany] = field(default_factory=dict)
    pk: str = "id"

    @property
    def fk_columns(self) -> dict[str, str]:
        """Column name -> field name, for the foreign keys."""
        return {fk.column: name for name, fk in self.foreign_keys.items()}

    def tables(self) -> list[str]:
        """The model's table and its many-to-many tables."""
        return [self.table, *(m2m.through for m2m in self.many_to_many.values())]


def _model(
    label: str,
    *,
    fks: Mapping[str, str] | None = None,
    m2m: Mapping[str, str] | None = None,
    table: str | None = None,
    pk: str = "id",
) -> DjangoTable:
    """A table named by Django's rules from ``fks`` (field -> target label) and ``m2m`` (same)."""
    app_label, model = label.split(".")
    name = table or f"{app_label}_{model}"
    many: dict[str, ManyToMany] = {}
    for field_name, target in (m2m or {}).items():
        target_model = target.split(".")[1]
        if target == label:
            owner, other = f"from_{model}_id", f"to_{model}_id"
        else:
            owner, other = f"{model}_id", f"{target_model}_id"
        many[field_name] = ManyToMany(f"{name}_{field_name}", owner, other, target)
    return DjangoTable(
        table=name,
        foreign_keys={f: ForeignKey(f"{f}_id", target) for f, target in (fks or {}).items()},
        many_to_many=many,
        pk=pk,
    )


# apps/cms/models.py ContentManageable: created, updated, creator, last_modified_by.
_CM = {"creator": USER, "last_modified_by": USER}

LAYOUT: dict[str, DjangoTable] = {
    # django.contrib, allauth, tastypie, DRF, waffle, sitetree
    "sites.site": _model("sites.site", table="django_site"),
    "redirects.redirect": _model("redirects.redirect", table="django_redirect", fks={"site": "sites.site"}),
    "auth.group": _model(GROUP, m2m={"permissions": PERMISSION}),
    # AUTH_USER_MODEL = "users.User": AbstractUser's M2Ms live in users_user_groups and
    # users_user_user_permissions.
    "users.user": _model(USER, m2m={"groups": GROUP, "user_permissions": PERMISSION}),
    "users.membership": _model("users.membership", fks={"creator": USER}),
    "users.usergroup": _model("users.usergroup"),
    "account.emailaddress": _model("account.emailaddress", fks={"user": USER}),
    "tastypie.apikey": _model("tastypie.apikey", fks={"user": USER}),
    "authtoken.token": _model("authtoken.token", fks={"user": USER}, pk="key"),
    "waffle.flag": _model("waffle.flag", m2m={"groups": GROUP, "users": USER}),
    "sitetree.tree": _model("sitetree.tree"),
    "sitetree.treeitem": _model(
        "sitetree.treeitem",
        fks={"tree": "sitetree.tree", "parent": "sitetree.treeitem"},
        m2m={"access_permissions": PERMISSION},
    ),
    # python.org's apps
    "banners.banner": _model("banners.banner"),
    "blogs.feed": _model("blogs.feed"),
    "blogs.blogentry": _model("blogs.blogentry", fks={"feed": "blogs.feed"}),
    "blogs.feedaggregate": _model("blogs.feedaggregate", m2m={"feeds": "blogs.feed"}),
    "blogs.relatedblog": _model("blogs.relatedblog", fks=_CM),
    "boxes.box": _model("boxes.box", fks=_CM),
    "codesamples.codesample": _model("codesamples.codesample", fks=_CM),
    "community.post": _model("community.post", fks=_CM),
    "community.link": _model("community.link", fks={**_CM, "post": "community.post"}),
    "community.photo": _model("community.photo", fks={**_CM, "post": "community.post"}),
    "community.video": _model("community.video", fks={**_CM, "post": "community.post"}),
    "companies.company": _model("companies.company"),
    "pages.page": _model("pages.page", fks=_CM),
    "pages.image": _model("pages.image", fks={"page": "pages.page"}),
    "pages.documentfile": _model("pages.documentfile", fks={"page": "pages.page"}),
    "downloads.os": _model("downloads.os", fks=_CM),
    "downloads.release": _model("downloads.release", fks={**_CM, "release_page": "pages.page"}),
    "downloads.releasefile": _model(
        "downloads.releasefile", fks={**_CM, "os": "downloads.os", "release": "downloads.release"}
    ),
    "events.calendar": _model("events.calendar", fks=_CM),
    "events.eventcategory": _model("events.eventcategory", fks={"calendar": "events.calendar"}),
    "events.eventlocation": _model("events.eventlocation", fks={"calendar": "events.calendar"}),
    "events.event": _model(
        "events.event",
        fks={**_CM, "calendar": "events.calendar", "venue": "events.eventlocation"},
        m2m={"categories": "events.eventcategory"},
    ),
    "events.occurringrule": _model("events.occurringrule", fks={"event": "events.event"}),
    "events.recurringrule": _model("events.recurringrule", fks={"event": "events.event"}),
    "events.alarm": _model("events.alarm", fks={**_CM, "event": "events.event"}),
    "jobs.jobtype": _model("jobs.jobtype"),
    "jobs.jobcategory": _model("jobs.jobcategory"),
    "jobs.job": _model(
        "jobs.job",
        fks={**_CM, "category": "jobs.jobcategory", "submitted_by": USER},
        m2m={"job_types": "jobs.jobtype"},
    ),
    "jobs.jobreviewcomment": _model("jobs.jobreviewcomment", fks={**_CM, "job": "jobs.job"}),
    "minutes.minutes": _model("minutes.minutes", fks=_CM),
    "nominations.electionkind": _model("nominations.electionkind"),
    "nominations.election": _model("nominations.election", fks={"kind": "nominations.electionkind"}),
    "nominations.nominee": _model(
        "nominations.nominee", fks={"election": "nominations.election", "user": USER}
    ),
    "nominations.nomination": _model(
        "nominations.nomination",
        fks={"election": "nominations.election", "nominator": USER, "nominee": "nominations.nominee"},
    ),
    "successstories.storycategory": _model("successstories.storycategory"),
    "successstories.story": _model(
        "successstories.story",
        fks={
            **_CM,
            "company": "companies.company",
            "category": "successstories.storycategory",
            "submitted_by": USER,
        },
    ),
    "work_groups.workgroup": _model(
        "work_groups.workgroup", fks=_CM, m2m={"organizers": USER, "members": USER}
    ),
}


def _polymorphic(
    parent: str, children: Mapping[str, Mapping[str, str]], fks: Mapping[str, str]
) -> dict[str, DjangoTable]:
    """A django-polymorphic parent (``fks`` besides its content type) and its children (label ->
    the child's own foreign keys), each child keyed by the parent's ``<model>_ptr_id``."""
    ptr = f"{parent.split('.')[1]}_ptr_id"
    tables = {parent: _model(parent, fks={"polymorphic_ctype": CONTENT_TYPE, **fks})}
    for child, child_fks in children.items():
        tables[child] = _model(child, fks=child_fks, pk=ptr)
    return tables


_PACKAGE = {"package": "sponsors.sponsorshippackage"}
_FEATURE_KINDS = (
    "logoplacement",
    "tieredbenefit",
    "emailtargetable",
    "requiredimgasset",
    "requiredtextasset",
    "requiredresponseasset",
    "providedtextasset",
    "providedfileasset",
)

# apps/sponsors/models: the configuration of a year, sponsors and sponsorships, the three
# polymorphic families (configurations, features, assets), contracts and e-mail templates.
LAYOUT |= {
    "sponsors.sponsorshipprogram": _model("sponsors.sponsorshipprogram"),
    "sponsors.sponsorshippackage": _model("sponsors.sponsorshippackage"),
    "sponsors.legalclause": _model("sponsors.legalclause"),
    "sponsors.sponsorshipbenefit": _model(
        "sponsors.sponsorshipbenefit",
        fks={"program": "sponsors.sponsorshipprogram"},
        m2m={
            "packages": "sponsors.sponsorshippackage",
            "legal_clauses": "sponsors.legalclause",
            "conflicts": "sponsors.sponsorshipbenefit",
        },
    ),
    "sponsors.sponsorshipcurrentyear": _model("sponsors.sponsorshipcurrentyear"),
    **_polymorphic(
        "sponsors.benefitfeatureconfiguration",
        {
            f"sponsors.{kind}configuration": _PACKAGE if kind == "tieredbenefit" else {}
            for kind in _FEATURE_KINDS
        },
        {"benefit": "sponsors.sponsorshipbenefit"},
    ),
    "sponsors.sponsor": _model("sponsors.sponsor", fks=_CM),
    "sponsors.sponsorcontact": _model(
        "sponsors.sponsorcontact", fks={"sponsor": "sponsors.sponsor", "user": USER}
    ),
    "sponsors.sponsorship": _model(
        "sponsors.sponsorship",
        fks={
            "submited_by": USER,
            "sponsor": "sponsors.sponsor",
            "package": "sponsors.sponsorshippackage",
            "overlapped_by": "sponsors.sponsorship",
        },
    ),
    "sponsors.sponsorbenefit": _model(
        "sponsors.sponsorbenefit",
        fks={
            "sponsorship": "sponsors.sponsorship",
            "sponsorship_benefit": "sponsors.sponsorshipbenefit",
            "program": "sponsors.sponsorshipprogram",
        },
    ),
    **_polymorphic(
        "sponsors.benefitfeature",
        {f"sponsors.{kind}": _PACKAGE if kind == "tieredbenefit" else {} for kind in _FEATURE_KINDS},
        {"sponsor_benefit": "sponsors.sponsorbenefit"},
    ),
    # A generic foreign key: content_type (sponsors.sponsor or sponsors.sponsorship) + object_id.
    **_polymorphic(
        "sponsors.genericasset",
        {f"sponsors.{kind}asset": {} for kind in ("img", "text", "file", "response")},
        {"content_type": CONTENT_TYPE},
    ),
    "sponsors.contract": _model("sponsors.contract", fks={"sponsorship": "sponsors.sponsorship"}),
    "sponsors.sponsoremailnotificationtemplate": _model("sponsors.sponsoremailnotificationtemplate"),
}


__all__ = ["CONTENT_TYPE", "LAYOUT", "PERMISSION", "USER", "DjangoTable", "ForeignKey", "ManyToMany"]
