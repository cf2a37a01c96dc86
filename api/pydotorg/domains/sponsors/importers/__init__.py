"""Django fixtures -> the sponsorship programme: the 34 labels of python.org's ``sponsors`` app.

The three django-polymorphic families arrive as a parent row plus a child row with the same pk
(``benefitfeatureconfiguration`` + ``logoplacementconfiguration``, ``benefitfeature`` +
``tieredbenefit``, ``genericasset`` + ``imgasset`` …). Each family is one ``ModelImport`` whose
``parts`` are the child labels: the engine merges the child's fields into the parent's and names
the child in ``fields[PART]``, and the child's model becomes our row's ``kind``. The parent's
``polymorphic_ctype`` (``["sponsors", "<child model>"]``, or an id) must agree with the child
found. A parent without its child, or a child without its parent, is a reported row failure.

An asset's generic owner (``content_type`` ``["sponsors", "sponsor" | "sponsorship"]`` plus
``object_id``) becomes ``sponsor_id`` or ``sponsorship_id``. Logos, files and images are storage
paths kept as python.org stored them (an empty optional one is NULL, as for company logos). Rows
the API would refuse (an unknown publisher or logo place, a year outside 2022-2050, a second
application in progress for one sponsor, an asset name taken twice …) are reported and skipped.
Benefit conflicts are symmetrical, as Django's ``ManyToManyField("self")``: both directions are
stored even when the source lists only one.

``values`` reads and checks field values, ``configuration`` converts a year's configuration and
``sponsorships`` the sponsors and all they hold; this module declares ``IMPORTS``.
"""

from __future__ import annotations

from typing import Any

from pydotorg.core.importing import ModelImport
from pydotorg.domains.sponsors.importers.configuration import (
    CONFIGURATION_KINDS,
    FEATURE_KINDS,
    convert_benefit,
    convert_configuration,
    convert_current_year,
    convert_legal_clause,
    convert_package,
    convert_program,
    link_benefit,
    symmetric_conflicts,
)
from pydotorg.domains.sponsors.importers.sponsorships import (
    ASSET_KINDS,
    convert_asset,
    convert_contact,
    convert_contract,
    convert_email_template,
    convert_feature,
    convert_sponsor,
    convert_sponsor_benefit,
    convert_sponsorship,
    referenced_first,
)
from pydotorg.domains.sponsors.importers.values import change_kind
from pydotorg.domains.sponsors.models import (
    BenefitFeature,
    BenefitFeatureConfiguration,
    Contract,
    LegalClause,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    SponsorContact,
    SponsorEmailTemplate,
    Sponsorship,
    SponsorshipBenefit,
    SponsorshipCurrentYear,
    SponsorshipPackage,
    SponsorshipProgram,
)


def _import(label: str, model: Any, convert: Any, order: int, **options: Any) -> ModelImport:
    return ModelImport(
        f"sponsors.{label}", model.__table__, convert, change_kind(model), order=order, **options
    )


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label (the
# polymorphic children as ``parts`` of their parent). After users (order 0): sponsorships and
# contacts point at them.
IMPORTS: tuple[ModelImport, ...] = (
    _import("sponsorshipprogram", SponsorshipProgram, convert_program, 60),
    _import("sponsorshippackage", SponsorshipPackage, convert_package, 60),
    _import("legalclause", LegalClause, convert_legal_clause, 60),
    _import("sponsorshipcurrentyear", SponsorshipCurrentYear, convert_current_year, 60, sequence=False),
    _import("sponsoremailnotificationtemplate", SponsorEmailTemplate, convert_email_template, 60),
    _import(
        "sponsorshipbenefit",
        SponsorshipBenefit,
        convert_benefit,
        61,
        prepare=symmetric_conflicts,
        links=link_benefit,
    ),
    _import(
        "benefitfeatureconfiguration",
        BenefitFeatureConfiguration,
        convert_configuration,
        62,
        parts=tuple(CONFIGURATION_KINDS),
    ),
    _import("sponsor", Sponsor, convert_sponsor, 61),
    _import("sponsorcontact", SponsorContact, convert_contact, 62),
    _import("sponsorship", Sponsorship, convert_sponsorship, 62, prepare=referenced_first("overlapped_by")),
    _import("sponsorbenefit", SponsorBenefit, convert_sponsor_benefit, 63),
    _import("benefitfeature", BenefitFeature, convert_feature, 64, parts=tuple(FEATURE_KINDS)),
    _import("genericasset", SponsorAsset, convert_asset, 63, parts=tuple(ASSET_KINDS)),
    _import("contract", Contract, convert_contract, 63),
)

__all__ = ["ASSET_KINDS", "CONFIGURATION_KINDS", "FEATURE_KINDS", "IMPORTS"]
