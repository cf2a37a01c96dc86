"""The PSF sponsorship programme (inventory 1.16): the configuration of each year (programs,
packages, benefits, legal clauses, feature configurations, the current year), sponsors and their
contacts, sponsorships with their copies of the benefits and the features made from the
configurations, the assets sponsors provide and the PSF gives, contracts, the staff's e-mail
templates and the audit trail of staff actions.

Field names follow python.org's ``sponsors`` models, except ``Sponsorship.submited_by`` [sic],
spelled ``submitted_by_id`` here.

Three of python.org's model families are polymorphic (django-polymorphic: a parent table plus one
table per subclass, joined on every read). Here each family is **one table with a ``kind``
column** (single-table inheritance without ORM subclasses): ``benefit_feature_configurations``
(8 kinds), ``benefit_features`` (the same 8 kinds) and ``sponsor_assets`` (4 kinds). The kinds
differ by a handful of small columns, every read wants all kinds of one benefit or sponsorship at
once (no joins, one index), CHECK constraints say which columns each kind requires, and a kind is
a value the API can filter on. python.org's generic foreign key from an asset to "a Sponsor or a
Sponsorship" becomes two nullable foreign keys with a CHECK that exactly one is set, so the
database cascades and enforces what the content-type pair could not.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK, utcnow
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
SPONSOR_PUBLISHER = register(
    "sponsors.sponsor_publisher", "Can access sponsor placement API (/api/v2/sponsors/)"
)
CHANGE_CONFIGURATION = register(
    "sponsors.change_sponsorshipbenefit",
    "Can change the sponsorship configuration (programs, packages, benefits, legal clauses, "
    "feature configurations, the current year; clone a year)",
)
CHANGE_SPONSOR = register("sponsors.change_sponsor", "Can see and change every sponsor and its contacts")
CHANGE_SPONSORSHIP = register(
    "sponsors.change_sponsorship",
    "Can see every sponsorship and approve, reject, lock, unlock and reopen them; export them",
)
CHANGE_CONTRACT = register("sponsors.change_contract", "Can send, execute and nullify contracts")
CHANGE_ASSETS = register("sponsors.change_genericasset", "Can list and export every sponsor asset")
SEND_NOTIFICATIONS = register(
    "sponsors.change_sponsoremailnotificationtemplate",
    "Can write sponsor e-mail templates and send notifications to sponsor contacts",
)

# Enumerations (python.org's models/enums.py).
PUBLISHERS = {"psf": "Foundation", "pycon": "Pycon", "pypi": "Pypi", "core": "Core Dev"}
LOGO_PLACES = {
    "sidebar": "Sidebar",
    "sponsors": "Sponsors Page",
    "jobs": "Jobs",
    "blogpost": "Blog",
    "footer": "Footer",
    "docs": "Docs",
    "download": "Download Page",
    "devguide": "Dev Guide",
}
RELATED_TO = ("sponsor", "sponsorship")
RESPONSES = {"YES": "Yes", "NO": "No"}
YEAR_MIN, YEAR_MAX = 2022, 2050

# Feature kinds: one row shape for the configuration (on a benefit of the year) and for the feature
# made from it (on a sponsorship's copy of that benefit).
LOGO_PLACEMENT = "logo_placement"
TIERED_BENEFIT = "tiered_benefit"
EMAIL_TARGETABLE = "email_targetable"
REQUIRED_IMG = "required_img_asset"
REQUIRED_TEXT = "required_text_asset"
REQUIRED_RESPONSE = "required_response_asset"
PROVIDED_TEXT = "provided_text_asset"
PROVIDED_FILE = "provided_file_asset"
FEATURE_KINDS = (
    LOGO_PLACEMENT,
    TIERED_BENEFIT,
    EMAIL_TARGETABLE,
    REQUIRED_IMG,
    REQUIRED_TEXT,
    REQUIRED_RESPONSE,
    PROVIDED_TEXT,
    PROVIDED_FILE,
)
REQUIRED_ASSET_KINDS = (REQUIRED_IMG, REQUIRED_TEXT, REQUIRED_RESPONSE)
PROVIDED_ASSET_KINDS = (PROVIDED_TEXT, PROVIDED_FILE)
ASSET_FEATURE_KINDS = REQUIRED_ASSET_KINDS + PROVIDED_ASSET_KINDS

# Asset kinds (python.org's GenericAsset subclasses) and which one each asset feature stores.
IMG_ASSET, TEXT_ASSET, FILE_ASSET, RESPONSE_ASSET = "img", "text", "file", "response"
ASSET_KINDS = (IMG_ASSET, TEXT_ASSET, FILE_ASSET, RESPONSE_ASSET)
ASSET_KIND_OF_FEATURE = {
    REQUIRED_IMG: IMG_ASSET,
    REQUIRED_TEXT: TEXT_ASSET,
    REQUIRED_RESPONSE: RESPONSE_ASSET,
    PROVIDED_TEXT: TEXT_ASSET,
    PROVIDED_FILE: FILE_ASSET,
}

# Sponsorship and contract statuses (the state machines are in services/).
APPLIED, REJECTED, APPROVED, FINALIZED = "applied", "rejected", "approved", "finalized"
SPONSORSHIP_STATUSES = (APPLIED, REJECTED, APPROVED, FINALIZED)
IN_PROGRESS = (APPLIED, APPROVED)
DRAFT, OUTDATED, AWAITING_SIGNATURE, EXECUTED, NULLIFIED = (
    "draft",
    "outdated",
    "awaiting signature",
    "executed",
    "nullified",
)
CONTRACT_STATUSES = (DRAFT, OUTDATED, AWAITING_SIGNATURE, EXECUTED, NULLIFIED)


def _one_of(column: str, values: tuple[str, ...] | list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _year_check(column: str = "year") -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name=column)


class SponsorshipProgram(IntPK, Base):
    """Foundation, PyCon US, PyPI, Core Development: how benefits are grouped."""

    __tablename__ = "sponsorship_programs"
    __change_domain__ = "sponsors"
    __change_kind__ = "program"

    order: Mapped[int] = mapped_column(Integer, default=0, index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class SponsorshipPackage(IntPK, Base):
    """A tier of one year (Visionary, Sustainability …); ``(slug, year)`` is its natural key."""

    __tablename__ = "sponsorship_packages"
    __change_domain__ = "sponsors"
    __change_kind__ = "package"
    __table_args__ = (
        UniqueConstraint("slug", "year"),
        CheckConstraint("sponsorship_amount >= 0", name="sponsorship_amount"),
        CheckConstraint("logo_dimension >= 0", name="logo_dimension"),
        _year_check(),
    )

    order: Mapped[int] = mapped_column(Integer, default=0, index=True)
    name: Mapped[str] = mapped_column(String(64))
    sponsorship_amount: Mapped[int] = mapped_column(Integer)
    advertise: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_dimension: Mapped[int] = mapped_column(Integer, default=175)
    slug: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    allow_a_la_carte: Mapped[bool] = mapped_column(Boolean, default=True)


class LegalClause(IntPK, Base):
    """A clause of the contract; benefits point at the clauses they bring into it."""

    __tablename__ = "sponsorship_legal_clauses"
    __change_domain__ = "sponsors"
    __change_kind__ = "legal_clause"

    order: Mapped[int] = mapped_column(Integer, default=0, index=True)
    internal_name: Mapped[str] = mapped_column(String(1024))
    clause: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")


class SponsorshipBenefit(IntPK, Base):
    """A benefit on offer in one year; sponsorships hold copies (``SponsorBenefit``)."""

    __tablename__ = "sponsorship_benefits"
    __change_domain__ = "sponsors"
    __change_kind__ = "benefit"
    __table_args__ = (
        CheckConstraint("internal_value IS NULL OR internal_value >= 0", name="internal_value"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        _year_check(),
    )

    order: Mapped[int] = mapped_column(Integer, default=0, index=True)
    name: Mapped[str] = mapped_column(String(1024))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("sponsorship_programs.id", ondelete="CASCADE"), index=True
    )
    package_only: Mapped[bool] = mapped_column(Boolean, default=False)
    new: Mapped[bool] = mapped_column(Boolean, default=False)
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    standalone: Mapped[bool] = mapped_column(Boolean, default=False)
    internal_description: Mapped[str] = mapped_column(Text, default="")
    internal_value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    soft_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


def _link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(left[0], ForeignKey(left[1], ondelete="CASCADE"), primary_key=True),
        Column(right[0], ForeignKey(right[1], ondelete="CASCADE"), primary_key=True, index=True),
    )


benefit_packages = _link_table(
    "sponsorship_benefit_packages",
    ("benefit_id", "sponsorship_benefits.id"),
    ("package_id", "sponsorship_packages.id"),
)
benefit_legal_clauses = _link_table(
    "sponsorship_benefit_legal_clauses",
    ("benefit_id", "sponsorship_benefits.id"),
    ("legal_clause_id", "sponsorship_legal_clauses.id"),
)
# Symmetrical, as Django's ``conflicts = ManyToManyField("self")``: both directions are stored.
benefit_conflicts = _link_table(
    "sponsorship_benefit_conflicts",
    ("benefit_id", "sponsorship_benefits.id"),
    ("conflicting_id", "sponsorship_benefits.id"),
)


class SponsorshipCurrentYear(Base):
    """The year whose configuration the application form offers: exactly one row (id 1)."""

    __tablename__ = "sponsorship_current_year"
    __change_domain__ = "sponsors"
    __change_kind__ = "current_year"
    __table_args__ = (
        CheckConstraint("id = 1", name="singleton"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    year: Mapped[int] = mapped_column(Integer)


class _FeatureColumns:
    """The columns of every feature kind (configuration and feature share them); which ones a
    kind needs is said by ``_feature_checks``."""

    kind: Mapped[str] = mapped_column(String(32), index=True)
    # logo_placement
    publisher: Mapped[str | None] = mapped_column(String(32), nullable=True)
    logo_place: Mapped[str | None] = mapped_column(String(32), nullable=True)
    link_to_sponsors_page: Mapped[bool] = mapped_column(Boolean, default=False)
    describe_as_sponsor: Mapped[bool] = mapped_column(Boolean, default=False)
    # tiered_benefit
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    display_label: Mapped[str] = mapped_column(String(32), default="")
    # the asset kinds
    related_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    internal_name: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    label: Mapped[str] = mapped_column(String(256), default="")
    help_text: Mapped[str] = mapped_column(String(256), default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    min_width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_text: Mapped[str] = mapped_column(Text, default="")
    shared_file: Mapped[str] = mapped_column(String(400), default="")  # storage path


def _feature_checks() -> tuple[CheckConstraint, ...]:
    kinds = FEATURE_KINDS
    assets = ASSET_FEATURE_KINDS
    return (
        CheckConstraint(_one_of("kind", kinds), name="kind"),
        CheckConstraint(
            f"kind <> 'logo_placement' OR ({_one_of('publisher', list(PUBLISHERS))} "
            f"AND {_one_of('logo_place', list(LOGO_PLACES))})",
            name="logo_placement",
        ),
        CheckConstraint(
            "kind <> 'tiered_benefit' OR (package_id IS NOT NULL AND quantity >= 0)", name="tiered_benefit"
        ),
        CheckConstraint(
            f"NOT ({_one_of('kind', assets)}) OR ({_one_of('related_to', RELATED_TO)} "
            "AND internal_name IS NOT NULL AND internal_name <> '' AND label <> '')",
            name="asset",
        ),
        CheckConstraint(
            "(min_width IS NULL OR max_width IS NULL OR max_width >= min_width) AND "
            "(min_height IS NULL OR max_height IS NULL OR max_height >= min_height)",
            name="dimensions",
        ),
        CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length"),
    )


class BenefitFeatureConfiguration(IntPK, _FeatureColumns, Base):
    """What a benefit gives each sponsorship that holds it (python.org's polymorphic
    ``BenefitFeatureConfiguration`` and its eight subclasses)."""

    __tablename__ = "benefit_feature_configurations"
    __change_domain__ = "sponsors"
    __change_kind__ = "feature_configuration"
    __table_args__ = (
        *_feature_checks(),
        # python.org's uniq_*_asset_cfg: an asset's internal name is unique per configuration type.
        Index(
            "uq_benefit_feature_configurations_kind_internal_name",
            "kind",
            "internal_name",
            unique=True,
            postgresql_where=text("internal_name IS NOT NULL"),
        ),
    )

    benefit_id: Mapped[int] = mapped_column(
        ForeignKey("sponsorship_benefits.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_packages.id", ondelete="CASCADE"), nullable=True, index=True
    )


class Sponsor(IntPK, ContentManageable, Base):
    """An organisation that sponsors the PSF; its logos are storage paths."""

    __tablename__ = "sponsors"
    __change_domain__ = "sponsors"
    __change_kind__ = "sponsor"

    name: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    landing_page_url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    twitter_handle: Mapped[str | None] = mapped_column(String(32), nullable=True)
    linked_in_page_url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    web_logo: Mapped[str] = mapped_column(String(400), default="")
    white_logo: Mapped[str | None] = mapped_column(String(400), nullable=True)
    print_logo: Mapped[str | None] = mapped_column(String(400), nullable=True)
    primary_phone: Mapped[str] = mapped_column(String(32), default="")
    mailing_address_line_1: Mapped[str] = mapped_column(String(128), default="")
    mailing_address_line_2: Mapped[str] = mapped_column(String(128), default="")
    city: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(64), default="")
    postal_code: Mapped[str] = mapped_column(String(64), default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    country_of_incorporation: Mapped[str | None] = mapped_column(String(2), nullable=True)
    state_of_incorporation: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SponsorContact(IntPK, Base):
    """A person at a sponsor; ``user_id`` links the account whose verified e-mail it is."""

    __tablename__ = "sponsor_contacts"
    __change_domain__ = "sponsors"
    __change_kind__ = "contact"

    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    primary: Mapped[bool] = mapped_column(Boolean, default=False)
    administrative: Mapped[bool] = mapped_column(Boolean, default=False)
    accounting: Mapped[bool] = mapped_column(Boolean, default=False)
    manager: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str] = mapped_column(String(32), default="")


class Sponsorship(IntPK, Base):
    """One application of a sponsor for one year, through approval to a signed contract."""

    __tablename__ = "sponsorships"
    __change_domain__ = "sponsors"
    __change_kind__ = "sponsorship"
    __table_args__ = (
        CheckConstraint(_one_of("status", SPONSORSHIP_STATUSES), name="status"),
        CheckConstraint("start_date IS NULL OR end_date IS NULL OR start_date < end_date", name="dates"),
        CheckConstraint("sponsorship_fee IS NULL OR sponsorship_fee >= 0", name="sponsorship_fee"),
        _year_check(),
        # python.org checks "one application in progress per sponsor" in Python only; here the
        # database refuses a second one too, so two simultaneous applications cannot both pass.
        Index(
            "uq_sponsorships_sponsor_in_progress",
            "sponsor_id",
            unique=True,
            postgresql_where=text("status IN ('applied', 'approved')"),
        ),
    )

    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsors.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=APPLIED, index=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    applied_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rejected_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    finalized_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    for_modified_package: Mapped[bool] = mapped_column(Boolean, default=False)
    level_name_old: Mapped[str] = mapped_column(String(64), default="")
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_packages.id", ondelete="SET NULL"), nullable=True, index=True
    )
    sponsorship_fee: Mapped[int | None] = mapped_column(Integer, nullable=True)
    overlapped_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorships.id", ondelete="SET NULL"), nullable=True, index=True
    )
    renewal: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class SponsorBenefit(IntPK, Base):
    """A sponsorship's copy of a benefit (the benefit may change or go; the copy stays)."""

    __tablename__ = "sponsor_benefits"
    __change_domain__ = "sponsors"
    __change_kind__ = "sponsor_benefit"

    order: Mapped[int] = mapped_column(Integer, default=0, index=True)
    sponsorship_id: Mapped[int] = mapped_column(ForeignKey("sponsorships.id", ondelete="CASCADE"), index=True)
    sponsorship_benefit_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_benefits.id", ondelete="SET NULL"), nullable=True, index=True
    )
    program_name: Mapped[str] = mapped_column(String(1024), default="")
    name: Mapped[str] = mapped_column(String(1024))
    description: Mapped[str] = mapped_column(Text, default="")
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_programs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    benefit_internal_value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    added_by_user: Mapped[bool] = mapped_column(Boolean, default=False)
    standalone: Mapped[bool] = mapped_column(Boolean, default=False)


class BenefitFeature(IntPK, _FeatureColumns, Base):
    """A feature of one sponsorship's benefit, made from a configuration (python.org's
    polymorphic ``BenefitFeature`` and its eight subclasses)."""

    __tablename__ = "benefit_features"
    __change_domain__ = "sponsors"
    __change_kind__ = "feature"
    __table_args__ = (
        *_feature_checks(),
        Index("ix_benefit_features_kind_place", "kind", "publisher", "logo_place"),
    )

    sponsor_benefit_id: Mapped[int] = mapped_column(
        ForeignKey("sponsor_benefits.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_packages.id", ondelete="CASCADE"), nullable=True, index=True
    )


class SponsorAsset(IntPK, Base):
    """A value a sponsor provides or the PSF gives (python.org's polymorphic ``GenericAsset``:
    image, text, file, yes/no response), held by a sponsor (shared across years) or by one
    sponsorship. Images and files are storage paths."""

    __tablename__ = "sponsor_assets"
    __change_domain__ = "sponsors"
    __change_kind__ = "asset"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ASSET_KINDS), name="kind"),
        CheckConstraint("(sponsor_id IS NULL) <> (sponsorship_id IS NULL)", name="owner"),
        CheckConstraint("response IS NULL OR response IN ('YES', 'NO')", name="response"),
        UniqueConstraint("sponsor_id", "internal_name"),
        UniqueConstraint("sponsorship_id", "internal_name"),
    )

    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, default=uuid_module.uuid4, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsors.id", ondelete="CASCADE"), nullable=True, index=True
    )
    sponsorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorships.id", ondelete="CASCADE"), nullable=True, index=True
    )
    internal_name: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text, default="")  # text assets
    file: Mapped[str] = mapped_column(String(400), default="")  # image and file assets
    response: Mapped[str | None] = mapped_column(String(32), nullable=True)  # response assets


class Contract(IntPK, Base):
    """The statement of work of one sponsorship; its documents are storage paths."""

    __tablename__ = "sponsorship_contracts"
    __change_domain__ = "sponsors"
    __change_kind__ = "contract"
    __table_args__ = (CheckConstraint(_one_of("status", CONTRACT_STATUSES), name="status"),)

    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[str] = mapped_column(String(400), default="")
    document_docx: Mapped[str] = mapped_column(String(400), default="")
    signed_document: Mapped[str] = mapped_column(String(400), default="")
    sponsorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorships.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    sponsor_info: Mapped[str] = mapped_column(Text, default="")
    sponsor_contact: Mapped[str] = mapped_column(Text, default="")
    benefits_list: Mapped[str] = mapped_column(Text, default="")  # markdown
    legal_clauses: Mapped[str] = mapped_column(Text, default="")  # markdown footnotes
    created_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    last_update: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class SponsorEmailTemplate(IntPK, Base):
    """python.org's ``SponsorEmailNotificationTemplate`` (a mailing ``BaseEmailTemplate``):
    subject and content rendered by the mailing domain's sandboxed engine."""

    __tablename__ = "sponsor_email_templates"
    __change_domain__ = "sponsors"
    __change_kind__ = "email_template"

    internal_name: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(128))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SponsorAuditEntry(IntPK, Base):
    """Who did what to which sponsorship object, and when (python.org's admin ``LogEntry``
    rows for approvals, contracts, notifications and year cloning; here for every staff write)."""

    __tablename__ = "sponsor_audit_entries"
    __change_domain__ = "sponsors"
    __change_kind__ = "audit"

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sponsorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorships.id", ondelete="SET NULL"), nullable=True, index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
