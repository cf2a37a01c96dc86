"""Applying to sponsor the PSF and what a sponsor sees afterwards (inventory 1.16, "Public
application flow" and "Sponsor dashboard"), one module per part:

- ``selection``: step 1, every rule of python.org's ``SponsorshipsBenefitsForm`` and the
  normalised selection with its price;
- ``applications``: step 2 and ``Sponsorship.new`` (an existing sponsor or a new one with contacts
  and logos; the sponsorship and its copies of the benefits, in one transaction);
- ``benefits``: benefit copies, the features their configurations give them and the assets those
  features need; ``reset_sponsorship_benefits``;
- ``dashboard``: who sees which sponsorship, one sponsorship with its benefits and assets,
  providing required assets;
- ``sponsors``: a user's sponsors and the sponsor edit page;
- ``rules``: what they share (limits, countries, contact rules, logo storage).
"""

from __future__ import annotations

from pydotorg.domains.sponsors.services.sponsorships.applications import create_application
from pydotorg.domains.sponsors.services.sponsorships.benefits import (
    FEATURE_COLUMNS,
    AssetOwners,
    ResetResult,
    copy_benefits,
    reset_benefit_copy,
    reset_sponsorship_benefits,
)
from pydotorg.domains.sponsors.services.sponsorships.dashboard import (
    SponsorshipView,
    agreed_fee,
    get_sponsorship,
    image_size,
    is_active,
    is_provided,
    is_required,
    list_my_sponsorships,
    provide_asset_image,
    provide_asset_value,
    provided_value,
    required_value,
    sponsors_and_packages,
    sponsorship_view,
    visible_to,
)
from pydotorg.domains.sponsors.services.sponsorships.rules import (
    ASSET_DIRECTORY,
    ASSET_IMAGE_TYPES,
    LOGO_DIRECTORIES,
    LOGO_TYPES,
    MAX_ASSET_IMAGE_BYTES,
    MAX_LOGO_BYTES,
    PRINT_LOGO_TYPES,
    SPONSORS_EMAIL,
    STANDALONE_NAME,
    STANDALONE_SLUG,
    VISIBLE_STATUSES,
    Logos,
    countries,
    country_errors,
    in_progress_message,
    verified_emails,
)
from pydotorg.domains.sponsors.services.sponsorships.selection import FIELDS, Selection, validate_selection
from pydotorg.domains.sponsors.services.sponsorships.sponsors import (
    get_sponsor,
    my_sponsors,
    replace_logo,
    sponsor_contacts,
    update_sponsor,
)

__all__ = [
    "ASSET_DIRECTORY",
    "ASSET_IMAGE_TYPES",
    "FEATURE_COLUMNS",
    "FIELDS",
    "LOGO_DIRECTORIES",
    "LOGO_TYPES",
    "MAX_ASSET_IMAGE_BYTES",
    "MAX_LOGO_BYTES",
    "PRINT_LOGO_TYPES",
    "SPONSORS_EMAIL",
    "STANDALONE_NAME",
    "STANDALONE_SLUG",
    "VISIBLE_STATUSES",
    "AssetOwners",
    "Logos",
    "ResetResult",
    "Selection",
    "SponsorshipView",
    "agreed_fee",
    "copy_benefits",
    "countries",
    "country_errors",
    "create_application",
    "get_sponsor",
    "get_sponsorship",
    "image_size",
    "in_progress_message",
    "is_active",
    "is_provided",
    "is_required",
    "list_my_sponsorships",
    "my_sponsors",
    "provide_asset_image",
    "provide_asset_value",
    "provided_value",
    "replace_logo",
    "required_value",
    "reset_benefit_copy",
    "reset_sponsorship_benefits",
    "sponsor_contacts",
    "sponsors_and_packages",
    "sponsorship_view",
    "update_sponsor",
    "validate_selection",
    "verified_emails",
    "visible_to",
]
