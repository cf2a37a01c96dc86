"""The configuration of each sponsorship year (inventory 1.16, "Models — configuration" and the
benefit feature table): programs, packages, legal clauses, benefits with their packages, legal
clauses and conflicts, feature configurations of the eight kinds, the current year, what the
application form offers, benefit capacity, package customisation, a package's revenue split,
cloning a year, and the audit trail's list.

Who sees what: programs, advertised packages and available benefits are public (the application
form shows them); everything internal (internal values and descriptions, capacity, legal clauses,
unavailable benefits, non-advertised packages, feature configurations) only to holders of
``CHANGE_CONFIGURATION``. Every write leaves an audit entry in its transaction.

Decisions where python.org's behaviour was a slip (docs/api/v3-sponsors-configuration.md):
- Remaining capacity is the capacity minus the sponsorships of the benefit's year (applied,
  approved or finalized) holding a copy of it; python.org never decremented it (B.13).
- Cloning a year also copies a package's ``allow_a_la_carte`` and the conflicts between the
  cloned benefits (python.org's ``clone()`` dropped both), and a due date of 29 February moves
  to the 28th in a year without one (python.org raised).
- A benefit's packages and conflicts, and a tiered configuration's package, must be of the
  benefit's year.

One module per part, each building only on those before it: ``rules`` (who sees and
changes what, audit entries, a benefit's link tables, the audit trail), ``catalogue`` (the
current year, programs, legal clauses, packages), ``benefits`` (with capacity and package
customisation), ``features``, ``offer`` and ``cloning``. Callers import from this package, which
re-exports every public name.
"""

from __future__ import annotations

from pydotorg.domains.sponsors.services.configuration.benefits import (
    BenefitView,
    PackageBenefits,
    benefit_has_capacity,
    benefit_views,
    delete_benefit,
    get_benefit,
    has_capacity,
    has_user_customization,
    list_benefits,
    load_benefit,
    package_benefits,
    remaining_capacities,
    save_benefit,
    unavailability_message,
    user_customization,
)
from pydotorg.domains.sponsors.services.configuration.catalogue import (
    delete_legal_clause,
    delete_package,
    delete_program,
    get_current_year,
    get_legal_clause,
    get_package,
    get_program,
    list_legal_clauses,
    list_packages,
    list_programs,
    revenue_split,
    save_legal_clause,
    save_package,
    save_program,
    set_current_year,
)
from pydotorg.domains.sponsors.services.configuration.cloning import (
    ClonedYear,
    clone_year,
    configured_years,
)
from pydotorg.domains.sponsors.services.configuration.features import (
    FEATURE_FIELDS,
    FEATURE_READ_FIELDS,
    REQUIRED_FEATURE_FIELDS,
    delete_feature_configuration,
    get_feature_configuration,
    list_feature_configurations,
    save_feature_configuration,
)
from pydotorg.domains.sponsors.services.configuration.offer import (
    OfferedBenefit,
    OfferView,
    offer,
    program_field,
)
from pydotorg.domains.sponsors.services.configuration.rules import (
    DEFAULT_LOGO_DIMENSION,
    HOLDING_STATUSES,
    NO_CAPACITY_MESSAGE,
    PACKAGE_ONLY_MESSAGE,
    STANDALONE_PACKAGES,
    audit_write,
    changed_message,
    linked_ids,
    list_audit,
    manages_configuration,
    replace_links,
    require_configuration,
)

__all__ = [
    "DEFAULT_LOGO_DIMENSION",
    "FEATURE_FIELDS",
    "FEATURE_READ_FIELDS",
    "HOLDING_STATUSES",
    "NO_CAPACITY_MESSAGE",
    "PACKAGE_ONLY_MESSAGE",
    "REQUIRED_FEATURE_FIELDS",
    "STANDALONE_PACKAGES",
    "BenefitView",
    "ClonedYear",
    "OfferView",
    "OfferedBenefit",
    "PackageBenefits",
    "audit_write",
    "benefit_has_capacity",
    "benefit_views",
    "changed_message",
    "clone_year",
    "configured_years",
    "delete_benefit",
    "delete_feature_configuration",
    "delete_legal_clause",
    "delete_package",
    "delete_program",
    "get_benefit",
    "get_current_year",
    "get_feature_configuration",
    "get_legal_clause",
    "get_package",
    "get_program",
    "has_capacity",
    "has_user_customization",
    "linked_ids",
    "list_audit",
    "list_benefits",
    "list_feature_configurations",
    "list_legal_clauses",
    "list_packages",
    "list_programs",
    "load_benefit",
    "manages_configuration",
    "offer",
    "package_benefits",
    "program_field",
    "remaining_capacities",
    "replace_links",
    "require_configuration",
    "revenue_split",
    "save_benefit",
    "save_feature_configuration",
    "save_legal_clause",
    "save_package",
    "save_program",
    "set_current_year",
    "unavailability_message",
    "user_customization",
]
