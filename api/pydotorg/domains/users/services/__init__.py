"""Business rules for accounts: sign-up, verification, log-in, passwords, profiles, keys,
memberships, groups and grants. Controllers call these; nothing here commits (the request's
transaction or ``db.transaction`` does).

One module per responsibility, each building only on those before it: ``_common`` (the call
``Context``, mail after commit), ``lookups`` (reads the others share), ``accounts`` (sign-up,
addresses, log-in, sessions), ``passwords``, ``profiles``, ``administration`` (staff acting on
other accounts), ``grants`` (permissions and groups), ``api_keys`` and ``membership``. Callers
import from this package, which re-exports every public name."""

from pydotorg.domains.users.services._common import Context
from pydotorg.domains.users.services.accounts import (
    create_user,
    login,
    logout,
    open_session,
    request_email_change,
    resend_verification,
    signup,
    verification_token,
    verify_email,
)
from pydotorg.domains.users.services.administration import (
    admin_update_user,
    list_users,
)
from pydotorg.domains.users.services.api_keys import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from pydotorg.domains.users.services.grants import (
    create_group,
    list_groups,
    set_grants,
)
from pydotorg.domains.users.services.lookups import (
    account_for_email,
    any_verified,
    email_verified,
    find_user,
    get_user,
    grants_of,
    has_membership,
    pending_email,
    verified_owner,
)
from pydotorg.domains.users.services.membership import (
    PSF_MEMBERS_LIST,
    VOTE_AFFIRMATION_DAYS,
    affirm_vote,
    create_membership,
    delete_membership,
    get_membership,
    list_memberships,
    to_membership,
    update_membership,
)
from pydotorg.domains.users.services.passwords import (
    change_password,
    confirm_password_reset,
    request_password_reset,
)
from pydotorg.domains.users.services.profiles import (
    delete_user,
    get_profile,
    is_searchable,
    list_profiles,
    public_profile,
    to_private,
    update_user,
    wants_email_change,
)

__all__ = [
    "PSF_MEMBERS_LIST",
    "VOTE_AFFIRMATION_DAYS",
    "Context",
    "account_for_email",
    "admin_update_user",
    "affirm_vote",
    "any_verified",
    "change_password",
    "confirm_password_reset",
    "create_api_key",
    "create_group",
    "create_membership",
    "create_user",
    "delete_membership",
    "delete_user",
    "email_verified",
    "find_user",
    "get_membership",
    "get_profile",
    "get_user",
    "grants_of",
    "has_membership",
    "is_searchable",
    "list_api_keys",
    "list_groups",
    "list_memberships",
    "list_profiles",
    "list_users",
    "login",
    "logout",
    "open_session",
    "pending_email",
    "public_profile",
    "request_email_change",
    "request_password_reset",
    "resend_verification",
    "revoke_api_key",
    "set_grants",
    "signup",
    "to_membership",
    "to_private",
    "update_membership",
    "update_user",
    "verification_token",
    "verified_owner",
    "verify_email",
    "wants_email_change",
]
