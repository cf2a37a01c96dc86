"""Election and nomination rules (inventory 1.14): statuses, who sees and changes what, the
self-nomination, the two nomination forms and their acknowledgements, previous service, slugs and
the sanitized statement.

One module per part, each building only on those before it: ``rules`` (the election's state,
the forms, who sees and changes what), ``elections`` (kinds and elections), ``nominees`` and
``nominations``. Callers import from this package, which re-exports every public name.

Nothing here commits; the request's transaction does. ``now`` is taken once per call so every
rule in one answer sees the same moment.

Decisions where python.org's behaviour was a slip (docs/api/v3-nominations.md):
- An election without nomination dates is "Voting Not Yet Begun" before its date and
  "Commenced" from its date on (python.org had the two the other way round, inventory B.9).
- A nomination is public once accepted and approved while nominations are not open, the rule
  python.org applies to nominees (python.org tested ``nominations_open_at`` instead, so a
  nomination of any election with dates was never public, although its nominee's page shows it).
- The nominees list of a logged-in caller before the close holds their own candidacy in *this*
  election (python.org listed their candidacies in every election).
"""

from __future__ import annotations

from pydotorg.domains.nominations.services.elections import (
    delete_election,
    delete_kind,
    get_election,
    get_kind,
    list_elections,
    list_kinds,
    save_election,
    save_kind,
)
from pydotorg.domains.nominations.services.nominations import (
    ElectionPart,
    accept_nomination,
    create_nomination,
    get_nomination,
    list_election_nominations,
    load_nomination,
    my_nominations,
    previous_service,
    review_nomination,
    update_nomination,
)
from pydotorg.domains.nominations.services.nominees import (
    NomineeView,
    get_nominee,
    get_nominee_by_id,
    list_nominees,
    nominee_for,
    review_nominee,
)
from pydotorg.domains.nominations.services.rules import (
    ACKNOWLEDGEMENTS,
    ASKED,
    ELECTION_OPTIONS,
    FIRST_YEAR,
    NEW_MEMBER,
    NOMINATION_OPTIONS,
    NOMINEE_OPTIONS,
    REQUIRED_ACKNOWLEDGEMENTS,
    REQUIRED_TEXT,
    SERVICE_LABEL,
    accent_color,
    acceptable,
    editable,
    form_variant,
    is_nominator,
    is_nominee_user,
    is_self_nomination,
    manages_nominations,
    nomination_visible,
    nominations_complete,
    nominations_open,
    nominee_name,
    nominee_visible,
    previous_service_label,
    render_statement,
    shows_email,
    status,
)

__all__ = [
    "ACKNOWLEDGEMENTS",
    "ASKED",
    "ELECTION_OPTIONS",
    "FIRST_YEAR",
    "NEW_MEMBER",
    "NOMINATION_OPTIONS",
    "NOMINEE_OPTIONS",
    "REQUIRED_ACKNOWLEDGEMENTS",
    "REQUIRED_TEXT",
    "SERVICE_LABEL",
    "ElectionPart",
    "NomineeView",
    "accent_color",
    "accept_nomination",
    "acceptable",
    "create_nomination",
    "delete_election",
    "delete_kind",
    "editable",
    "form_variant",
    "get_election",
    "get_kind",
    "get_nomination",
    "get_nominee",
    "get_nominee_by_id",
    "is_nominator",
    "is_nominee_user",
    "is_self_nomination",
    "list_election_nominations",
    "list_elections",
    "list_kinds",
    "list_nominees",
    "load_nomination",
    "manages_nominations",
    "my_nominations",
    "nomination_visible",
    "nominations_complete",
    "nominations_open",
    "nominee_for",
    "nominee_name",
    "nominee_visible",
    "previous_service",
    "previous_service_label",
    "render_statement",
    "review_nomination",
    "review_nominee",
    "save_election",
    "save_kind",
    "shows_email",
    "status",
    "update_nomination",
]
