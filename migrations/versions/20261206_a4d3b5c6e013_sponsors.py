"""sponsors: the PSF sponsorship programme (configuration per year, sponsors, sponsorships,
benefit features, assets, contracts, e-mail templates, the audit trail)

Revision ID: a4d3b5c6e013
Revises: f3c2a4b5d012
Create Date: 2026-12-06 19:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4d3b5c6e013"
down_revision: str | None = "f3c2a4b5d012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sponsor_email_templates",
        sa.Column("internal_name", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_email_templates")),
    )
    op.create_table(
        "sponsorship_current_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_sponsorship_current_year_singleton")),
        sa.CheckConstraint("year BETWEEN 2022 AND 2050", name=op.f("ck_sponsorship_current_year_year")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_current_year")),
    )
    op.create_table(
        "sponsorship_legal_clauses",
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("internal_name", sa.String(length=1024), nullable=False),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_legal_clauses")),
    )
    op.create_index(
        op.f("ix_sponsorship_legal_clauses_order"), "sponsorship_legal_clauses", ["order"], unique=False
    )
    op.create_table(
        "sponsorship_packages",
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sponsorship_amount", sa.Integer(), nullable=False),
        sa.Column("advertise", sa.Boolean(), nullable=False),
        sa.Column("logo_dimension", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("allow_a_la_carte", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint("logo_dimension >= 0", name=op.f("ck_sponsorship_packages_logo_dimension")),
        sa.CheckConstraint(
            "sponsorship_amount >= 0", name=op.f("ck_sponsorship_packages_sponsorship_amount")
        ),
        sa.CheckConstraint(
            "year IS NULL OR year BETWEEN 2022 AND 2050", name=op.f("ck_sponsorship_packages_year")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_packages")),
        sa.UniqueConstraint("slug", "year", name=op.f("uq_sponsorship_packages_slug_year")),
    )
    op.create_index(op.f("ix_sponsorship_packages_order"), "sponsorship_packages", ["order"], unique=False)
    op.create_index(op.f("ix_sponsorship_packages_slug"), "sponsorship_packages", ["slug"], unique=False)
    op.create_index(op.f("ix_sponsorship_packages_year"), "sponsorship_packages", ["year"], unique=False)
    op.create_table(
        "sponsorship_programs",
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_programs")),
    )
    op.create_index(op.f("ix_sponsorship_programs_order"), "sponsorship_programs", ["order"], unique=False)
    op.create_table(
        "sponsors",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("landing_page_url", sa.String(length=200), nullable=True),
        sa.Column("twitter_handle", sa.String(length=32), nullable=True),
        sa.Column("linked_in_page_url", sa.String(length=200), nullable=True),
        sa.Column("web_logo", sa.String(length=400), nullable=False),
        sa.Column("white_logo", sa.String(length=400), nullable=True),
        sa.Column("print_logo", sa.String(length=400), nullable=True),
        sa.Column("primary_phone", sa.String(length=32), nullable=False),
        sa.Column("mailing_address_line_1", sa.String(length=128), nullable=False),
        sa.Column("mailing_address_line_2", sa.String(length=128), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("postal_code", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("country_of_incorporation", sa.String(length=2), nullable=True),
        sa.Column("state_of_incorporation", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("last_modified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_sponsors_creator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["last_modified_by_id"],
            ["users.id"],
            name=op.f("fk_sponsors_last_modified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
    )
    op.create_index(op.f("ix_sponsors_created"), "sponsors", ["created"], unique=False)
    op.create_index(op.f("ix_sponsors_name"), "sponsors", ["name"], unique=False)
    op.create_table(
        "sponsorship_benefits",
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("package_only", sa.Boolean(), nullable=False),
        sa.Column("new", sa.Boolean(), nullable=False),
        sa.Column("unavailable", sa.Boolean(), nullable=False),
        sa.Column("standalone", sa.Boolean(), nullable=False),
        sa.Column("internal_description", sa.Text(), nullable=False),
        sa.Column("internal_value", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("soft_capacity", sa.Boolean(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_sponsorship_benefits_capacity")
        ),
        sa.CheckConstraint(
            "internal_value IS NULL OR internal_value >= 0",
            name=op.f("ck_sponsorship_benefits_internal_value"),
        ),
        sa.CheckConstraint(
            "year IS NULL OR year BETWEEN 2022 AND 2050", name=op.f("ck_sponsorship_benefits_year")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["sponsorship_programs.id"],
            name=op.f("fk_sponsorship_benefits_program_id_sponsorship_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_benefits")),
    )
    op.create_index(op.f("ix_sponsorship_benefits_order"), "sponsorship_benefits", ["order"], unique=False)
    op.create_index(
        op.f("ix_sponsorship_benefits_program_id"), "sponsorship_benefits", ["program_id"], unique=False
    )
    op.create_index(op.f("ix_sponsorship_benefits_year"), "sponsorship_benefits", ["year"], unique=False)
    op.create_table(
        "benefit_feature_configurations",
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("publisher", sa.String(length=32), nullable=True),
        sa.Column("logo_place", sa.String(length=32), nullable=True),
        sa.Column("link_to_sponsors_page", sa.Boolean(), nullable=False),
        sa.Column("describe_as_sponsor", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("display_label", sa.String(length=32), nullable=False),
        sa.Column("related_to", sa.String(length=32), nullable=True),
        sa.Column("internal_name", sa.String(length=128), nullable=True),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("help_text", sa.String(length=256), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("min_width", sa.Integer(), nullable=True),
        sa.Column("max_width", sa.Integer(), nullable=True),
        sa.Column("min_height", sa.Integer(), nullable=True),
        sa.Column("max_height", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("shared_text", sa.Text(), nullable=False),
        sa.Column("shared_file", sa.String(length=400), nullable=False),
        sa.CheckConstraint(
            "NOT (kind IN ('required_img_asset', 'required_text_asset', 'required_response_asset', 'provided_text_asset', 'provided_file_asset')) OR (related_to IN ('sponsor', 'sponsorship') AND internal_name IS NOT NULL AND internal_name <> '' AND label <> '')",
            name=op.f("ck_benefit_feature_configurations_asset"),
        ),
        sa.CheckConstraint(
            "kind <> 'logo_placement' OR (publisher IN ('psf', 'pycon', 'pypi', 'core') AND logo_place IN ('sidebar', 'sponsors', 'jobs', 'blogpost', 'footer', 'docs', 'download', 'devguide'))",
            name=op.f("ck_benefit_feature_configurations_logo_placement"),
        ),
        sa.CheckConstraint(
            "kind <> 'tiered_benefit' OR (package_id IS NOT NULL AND quantity >= 0)",
            name=op.f("ck_benefit_feature_configurations_tiered_benefit"),
        ),
        sa.CheckConstraint(
            "kind IN ('logo_placement', 'tiered_benefit', 'email_targetable', 'required_img_asset', 'required_text_asset', 'required_response_asset', 'provided_text_asset', 'provided_file_asset')",
            name=op.f("ck_benefit_feature_configurations_kind"),
        ),
        sa.CheckConstraint(
            "(min_width IS NULL OR max_width IS NULL OR max_width >= min_width) AND (min_height IS NULL OR max_height IS NULL OR max_height >= min_height)",
            name=op.f("ck_benefit_feature_configurations_dimensions"),
        ),
        sa.CheckConstraint(
            "max_length IS NULL OR max_length > 0", name=op.f("ck_benefit_feature_configurations_max_length")
        ),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_benefit_feature_configurations_benefit_id_sponsorship_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_packages.id"],
            name=op.f("fk_benefit_feature_configurations_package_id_sponsorship_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_feature_configurations")),
    )
    op.create_index(
        op.f("ix_benefit_feature_configurations_benefit_id"),
        "benefit_feature_configurations",
        ["benefit_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_benefit_feature_configurations_internal_name"),
        "benefit_feature_configurations",
        ["internal_name"],
        unique=False,
    )
    op.create_index(
        op.f("ix_benefit_feature_configurations_kind"),
        "benefit_feature_configurations",
        ["kind"],
        unique=False,
    )
    op.create_index(
        op.f("ix_benefit_feature_configurations_package_id"),
        "benefit_feature_configurations",
        ["package_id"],
        unique=False,
    )
    op.create_index(
        "uq_benefit_feature_configurations_kind_internal_name",
        "benefit_feature_configurations",
        ["kind", "internal_name"],
        unique=True,
        postgresql_where=sa.text("internal_name IS NOT NULL"),
    )
    op.create_table(
        "sponsor_contacts",
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("administrative", sa.Boolean(), nullable=False),
        sa.Column("accounting", sa.Boolean(), nullable=False),
        sa.Column("manager", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_sponsor_contacts_sponsor_id_sponsors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sponsor_contacts_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_contacts")),
    )
    op.create_index(op.f("ix_sponsor_contacts_sponsor_id"), "sponsor_contacts", ["sponsor_id"], unique=False)
    op.create_index(op.f("ix_sponsor_contacts_user_id"), "sponsor_contacts", ["user_id"], unique=False)
    op.create_table(
        "sponsorship_benefit_conflicts",
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("conflicting_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_sponsorship_benefit_conflicts_benefit_id_sponsorship_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conflicting_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_sponsorship_benefit_conflicts_conflicting_id_sponsorship_benefits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "benefit_id", "conflicting_id", name=op.f("pk_sponsorship_benefit_conflicts")
        ),
    )
    op.create_index(
        op.f("ix_sponsorship_benefit_conflicts_conflicting_id"),
        "sponsorship_benefit_conflicts",
        ["conflicting_id"],
        unique=False,
    )
    op.create_table(
        "sponsorship_benefit_legal_clauses",
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("legal_clause_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_sponsorship_benefit_legal_clauses_benefit_id_sponsorship_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["legal_clause_id"],
            ["sponsorship_legal_clauses.id"],
            name=op.f("fk_sponsorship_benefit_legal_clauses_legal_clause_id_sponsorship_legal_clauses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "benefit_id", "legal_clause_id", name=op.f("pk_sponsorship_benefit_legal_clauses")
        ),
    )
    op.create_index(
        op.f("ix_sponsorship_benefit_legal_clauses_legal_clause_id"),
        "sponsorship_benefit_legal_clauses",
        ["legal_clause_id"],
        unique=False,
    )
    op.create_table(
        "sponsorship_benefit_packages",
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_sponsorship_benefit_packages_benefit_id_sponsorship_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_packages.id"],
            name=op.f("fk_sponsorship_benefit_packages_package_id_sponsorship_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("benefit_id", "package_id", name=op.f("pk_sponsorship_benefit_packages")),
    )
    op.create_index(
        op.f("ix_sponsorship_benefit_packages_package_id"),
        "sponsorship_benefit_packages",
        ["package_id"],
        unique=False,
    )
    op.create_table(
        "sponsorships",
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("finalized_on", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("for_modified_package", sa.Boolean(), nullable=False),
        sa.Column("level_name_old", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("sponsorship_fee", sa.Integer(), nullable=True),
        sa.Column("overlapped_by_id", sa.Integer(), nullable=True),
        sa.Column("renewal", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "status IN ('applied', 'rejected', 'approved', 'finalized')", name=op.f("ck_sponsorships_status")
        ),
        sa.CheckConstraint(
            "sponsorship_fee IS NULL OR sponsorship_fee >= 0", name=op.f("ck_sponsorships_sponsorship_fee")
        ),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR start_date < end_date",
            name=op.f("ck_sponsorships_dates"),
        ),
        sa.CheckConstraint("year IS NULL OR year BETWEEN 2022 AND 2050", name=op.f("ck_sponsorships_year")),
        sa.ForeignKeyConstraint(
            ["overlapped_by_id"],
            ["sponsorships.id"],
            name=op.f("fk_sponsorships_overlapped_by_id_sponsorships"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_packages.id"],
            name=op.f("fk_sponsorships_package_id_sponsorship_packages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_sponsorships_sponsor_id_sponsors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_sponsorships_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorships")),
    )
    op.create_index(
        op.f("ix_sponsorships_overlapped_by_id"), "sponsorships", ["overlapped_by_id"], unique=False
    )
    op.create_index(op.f("ix_sponsorships_package_id"), "sponsorships", ["package_id"], unique=False)
    op.create_index(op.f("ix_sponsorships_sponsor_id"), "sponsorships", ["sponsor_id"], unique=False)
    op.create_index(op.f("ix_sponsorships_status"), "sponsorships", ["status"], unique=False)
    op.create_index(
        op.f("ix_sponsorships_submitted_by_id"), "sponsorships", ["submitted_by_id"], unique=False
    )
    op.create_index(op.f("ix_sponsorships_year"), "sponsorships", ["year"], unique=False)
    op.create_index(
        "uq_sponsorships_sponsor_in_progress",
        "sponsorships",
        ["sponsor_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('applied', 'approved')"),
    )
    op.create_table(
        "sponsor_assets",
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("sponsorship_id", sa.Integer(), nullable=True),
        sa.Column("internal_name", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file", sa.String(length=400), nullable=False),
        sa.Column("response", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "kind IN ('img', 'text', 'file', 'response')", name=op.f("ck_sponsor_assets_kind")
        ),
        sa.CheckConstraint(
            "response IS NULL OR response IN ('YES', 'NO')", name=op.f("ck_sponsor_assets_response")
        ),
        sa.CheckConstraint(
            "(sponsor_id IS NULL) <> (sponsorship_id IS NULL)", name=op.f("ck_sponsor_assets_owner")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["sponsors.id"],
            name=op.f("fk_sponsor_assets_sponsor_id_sponsors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_id"],
            ["sponsorships.id"],
            name=op.f("fk_sponsor_assets_sponsorship_id_sponsorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_assets")),
        sa.UniqueConstraint(
            "sponsor_id", "internal_name", name=op.f("uq_sponsor_assets_sponsor_id_internal_name")
        ),
        sa.UniqueConstraint(
            "sponsorship_id", "internal_name", name=op.f("uq_sponsor_assets_sponsorship_id_internal_name")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_sponsor_assets_uuid")),
    )
    op.create_index(
        op.f("ix_sponsor_assets_internal_name"), "sponsor_assets", ["internal_name"], unique=False
    )
    op.create_index(op.f("ix_sponsor_assets_sponsor_id"), "sponsor_assets", ["sponsor_id"], unique=False)
    op.create_index(
        op.f("ix_sponsor_assets_sponsorship_id"), "sponsor_assets", ["sponsorship_id"], unique=False
    )
    op.create_table(
        "sponsor_audit_entries",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("sponsorship_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_sponsor_audit_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_id"],
            ["sponsorships.id"],
            name=op.f("fk_sponsor_audit_entries_sponsorship_id_sponsorships"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_audit_entries")),
    )
    op.create_index(
        op.f("ix_sponsor_audit_entries_action"), "sponsor_audit_entries", ["action"], unique=False
    )
    op.create_index(
        op.f("ix_sponsor_audit_entries_actor_id"), "sponsor_audit_entries", ["actor_id"], unique=False
    )
    op.create_index(op.f("ix_sponsor_audit_entries_at"), "sponsor_audit_entries", ["at"], unique=False)
    op.create_index(
        op.f("ix_sponsor_audit_entries_sponsorship_id"),
        "sponsor_audit_entries",
        ["sponsorship_id"],
        unique=False,
    )
    op.create_table(
        "sponsor_benefits",
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("sponsorship_id", sa.Integer(), nullable=False),
        sa.Column("sponsorship_benefit_id", sa.Integer(), nullable=True),
        sa.Column("program_name", sa.String(length=1024), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("benefit_internal_value", sa.Integer(), nullable=True),
        sa.Column("added_by_user", sa.Boolean(), nullable=False),
        sa.Column("standalone", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["sponsorship_programs.id"],
            name=op.f("fk_sponsor_benefits_program_id_sponsorship_programs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_benefit_id"],
            ["sponsorship_benefits.id"],
            name=op.f("fk_sponsor_benefits_sponsorship_benefit_id_sponsorship_benefits"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_id"],
            ["sponsorships.id"],
            name=op.f("fk_sponsor_benefits_sponsorship_id_sponsorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_benefits")),
    )
    op.create_index(op.f("ix_sponsor_benefits_order"), "sponsor_benefits", ["order"], unique=False)
    op.create_index(op.f("ix_sponsor_benefits_program_id"), "sponsor_benefits", ["program_id"], unique=False)
    op.create_index(
        op.f("ix_sponsor_benefits_sponsorship_benefit_id"),
        "sponsor_benefits",
        ["sponsorship_benefit_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sponsor_benefits_sponsorship_id"), "sponsor_benefits", ["sponsorship_id"], unique=False
    )
    op.create_table(
        "sponsorship_contracts",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=400), nullable=False),
        sa.Column("document_docx", sa.String(length=400), nullable=False),
        sa.Column("signed_document", sa.String(length=400), nullable=False),
        sa.Column("sponsorship_id", sa.Integer(), nullable=True),
        sa.Column("sponsor_info", sa.Text(), nullable=False),
        sa.Column("sponsor_contact", sa.Text(), nullable=False),
        sa.Column("benefits_list", sa.Text(), nullable=False),
        sa.Column("legal_clauses", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("last_update", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'outdated', 'awaiting signature', 'executed', 'nullified')",
            name=op.f("ck_sponsorship_contracts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsorship_id"],
            ["sponsorships.id"],
            name=op.f("fk_sponsorship_contracts_sponsorship_id_sponsorships"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_contracts")),
        sa.UniqueConstraint("sponsorship_id", name=op.f("uq_sponsorship_contracts_sponsorship_id")),
    )
    op.create_index(
        op.f("ix_sponsorship_contracts_status"), "sponsorship_contracts", ["status"], unique=False
    )
    op.create_table(
        "benefit_features",
        sa.Column("sponsor_benefit_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("publisher", sa.String(length=32), nullable=True),
        sa.Column("logo_place", sa.String(length=32), nullable=True),
        sa.Column("link_to_sponsors_page", sa.Boolean(), nullable=False),
        sa.Column("describe_as_sponsor", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("display_label", sa.String(length=32), nullable=False),
        sa.Column("related_to", sa.String(length=32), nullable=True),
        sa.Column("internal_name", sa.String(length=128), nullable=True),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("help_text", sa.String(length=256), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("min_width", sa.Integer(), nullable=True),
        sa.Column("max_width", sa.Integer(), nullable=True),
        sa.Column("min_height", sa.Integer(), nullable=True),
        sa.Column("max_height", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("shared_text", sa.Text(), nullable=False),
        sa.Column("shared_file", sa.String(length=400), nullable=False),
        sa.CheckConstraint(
            "NOT (kind IN ('required_img_asset', 'required_text_asset', 'required_response_asset', 'provided_text_asset', 'provided_file_asset')) OR (related_to IN ('sponsor', 'sponsorship') AND internal_name IS NOT NULL AND internal_name <> '' AND label <> '')",
            name=op.f("ck_benefit_features_asset"),
        ),
        sa.CheckConstraint(
            "kind <> 'logo_placement' OR (publisher IN ('psf', 'pycon', 'pypi', 'core') AND logo_place IN ('sidebar', 'sponsors', 'jobs', 'blogpost', 'footer', 'docs', 'download', 'devguide'))",
            name=op.f("ck_benefit_features_logo_placement"),
        ),
        sa.CheckConstraint(
            "kind <> 'tiered_benefit' OR (package_id IS NOT NULL AND quantity >= 0)",
            name=op.f("ck_benefit_features_tiered_benefit"),
        ),
        sa.CheckConstraint(
            "kind IN ('logo_placement', 'tiered_benefit', 'email_targetable', 'required_img_asset', 'required_text_asset', 'required_response_asset', 'provided_text_asset', 'provided_file_asset')",
            name=op.f("ck_benefit_features_kind"),
        ),
        sa.CheckConstraint(
            "(min_width IS NULL OR max_width IS NULL OR max_width >= min_width) AND (min_height IS NULL OR max_height IS NULL OR max_height >= min_height)",
            name=op.f("ck_benefit_features_dimensions"),
        ),
        sa.CheckConstraint(
            "max_length IS NULL OR max_length > 0", name=op.f("ck_benefit_features_max_length")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_packages.id"],
            name=op.f("fk_benefit_features_package_id_sponsorship_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_benefit_id"],
            ["sponsor_benefits.id"],
            name=op.f("fk_benefit_features_sponsor_benefit_id_sponsor_benefits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_features")),
    )
    op.create_index(
        op.f("ix_benefit_features_internal_name"), "benefit_features", ["internal_name"], unique=False
    )
    op.create_index(op.f("ix_benefit_features_kind"), "benefit_features", ["kind"], unique=False)
    op.create_index(
        "ix_benefit_features_kind_place",
        "benefit_features",
        ["kind", "publisher", "logo_place"],
        unique=False,
    )
    op.create_index(op.f("ix_benefit_features_package_id"), "benefit_features", ["package_id"], unique=False)
    op.create_index(
        op.f("ix_benefit_features_sponsor_benefit_id"),
        "benefit_features",
        ["sponsor_benefit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_benefit_features_sponsor_benefit_id"), table_name="benefit_features")
    op.drop_index(op.f("ix_benefit_features_package_id"), table_name="benefit_features")
    op.drop_index("ix_benefit_features_kind_place", table_name="benefit_features")
    op.drop_index(op.f("ix_benefit_features_kind"), table_name="benefit_features")
    op.drop_index(op.f("ix_benefit_features_internal_name"), table_name="benefit_features")
    op.drop_table("benefit_features")
    op.drop_index(op.f("ix_sponsorship_contracts_status"), table_name="sponsorship_contracts")
    op.drop_table("sponsorship_contracts")
    op.drop_index(op.f("ix_sponsor_benefits_sponsorship_id"), table_name="sponsor_benefits")
    op.drop_index(op.f("ix_sponsor_benefits_sponsorship_benefit_id"), table_name="sponsor_benefits")
    op.drop_index(op.f("ix_sponsor_benefits_program_id"), table_name="sponsor_benefits")
    op.drop_index(op.f("ix_sponsor_benefits_order"), table_name="sponsor_benefits")
    op.drop_table("sponsor_benefits")
    op.drop_index(op.f("ix_sponsor_audit_entries_sponsorship_id"), table_name="sponsor_audit_entries")
    op.drop_index(op.f("ix_sponsor_audit_entries_at"), table_name="sponsor_audit_entries")
    op.drop_index(op.f("ix_sponsor_audit_entries_actor_id"), table_name="sponsor_audit_entries")
    op.drop_index(op.f("ix_sponsor_audit_entries_action"), table_name="sponsor_audit_entries")
    op.drop_table("sponsor_audit_entries")
    op.drop_index(op.f("ix_sponsor_assets_sponsorship_id"), table_name="sponsor_assets")
    op.drop_index(op.f("ix_sponsor_assets_sponsor_id"), table_name="sponsor_assets")
    op.drop_index(op.f("ix_sponsor_assets_internal_name"), table_name="sponsor_assets")
    op.drop_table("sponsor_assets")
    op.drop_index(
        "uq_sponsorships_sponsor_in_progress",
        table_name="sponsorships",
        postgresql_where=sa.text("status IN ('applied', 'approved')"),
    )
    op.drop_index(op.f("ix_sponsorships_year"), table_name="sponsorships")
    op.drop_index(op.f("ix_sponsorships_submitted_by_id"), table_name="sponsorships")
    op.drop_index(op.f("ix_sponsorships_status"), table_name="sponsorships")
    op.drop_index(op.f("ix_sponsorships_sponsor_id"), table_name="sponsorships")
    op.drop_index(op.f("ix_sponsorships_package_id"), table_name="sponsorships")
    op.drop_index(op.f("ix_sponsorships_overlapped_by_id"), table_name="sponsorships")
    op.drop_table("sponsorships")
    op.drop_index(
        op.f("ix_sponsorship_benefit_packages_package_id"), table_name="sponsorship_benefit_packages"
    )
    op.drop_table("sponsorship_benefit_packages")
    op.drop_index(
        op.f("ix_sponsorship_benefit_legal_clauses_legal_clause_id"),
        table_name="sponsorship_benefit_legal_clauses",
    )
    op.drop_table("sponsorship_benefit_legal_clauses")
    op.drop_index(
        op.f("ix_sponsorship_benefit_conflicts_conflicting_id"), table_name="sponsorship_benefit_conflicts"
    )
    op.drop_table("sponsorship_benefit_conflicts")
    op.drop_index(op.f("ix_sponsor_contacts_user_id"), table_name="sponsor_contacts")
    op.drop_index(op.f("ix_sponsor_contacts_sponsor_id"), table_name="sponsor_contacts")
    op.drop_table("sponsor_contacts")
    op.drop_index(
        "uq_benefit_feature_configurations_kind_internal_name",
        table_name="benefit_feature_configurations",
        postgresql_where=sa.text("internal_name IS NOT NULL"),
    )
    op.drop_index(
        op.f("ix_benefit_feature_configurations_package_id"), table_name="benefit_feature_configurations"
    )
    op.drop_index(op.f("ix_benefit_feature_configurations_kind"), table_name="benefit_feature_configurations")
    op.drop_index(
        op.f("ix_benefit_feature_configurations_internal_name"), table_name="benefit_feature_configurations"
    )
    op.drop_index(
        op.f("ix_benefit_feature_configurations_benefit_id"), table_name="benefit_feature_configurations"
    )
    op.drop_table("benefit_feature_configurations")
    op.drop_index(op.f("ix_sponsorship_benefits_year"), table_name="sponsorship_benefits")
    op.drop_index(op.f("ix_sponsorship_benefits_program_id"), table_name="sponsorship_benefits")
    op.drop_index(op.f("ix_sponsorship_benefits_order"), table_name="sponsorship_benefits")
    op.drop_table("sponsorship_benefits")
    op.drop_index(op.f("ix_sponsors_name"), table_name="sponsors")
    op.drop_index(op.f("ix_sponsors_created"), table_name="sponsors")
    op.drop_table("sponsors")
    op.drop_index(op.f("ix_sponsorship_programs_order"), table_name="sponsorship_programs")
    op.drop_table("sponsorship_programs")
    op.drop_index(op.f("ix_sponsorship_packages_year"), table_name="sponsorship_packages")
    op.drop_index(op.f("ix_sponsorship_packages_slug"), table_name="sponsorship_packages")
    op.drop_index(op.f("ix_sponsorship_packages_order"), table_name="sponsorship_packages")
    op.drop_table("sponsorship_packages")
    op.drop_index(op.f("ix_sponsorship_legal_clauses_order"), table_name="sponsorship_legal_clauses")
    op.drop_table("sponsorship_legal_clauses")
    op.drop_table("sponsorship_current_year")
    op.drop_table("sponsor_email_templates")
