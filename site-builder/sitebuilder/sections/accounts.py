"""Visitors' own pages under python.org's allauth URLs (``/accounts/...``): sign up, confirm an
address, log in and out, reset and change a password, the inactive-account page, the connected
GitHub/Google accounts and the page a failed GitHub/Google sign-in lands on. Each is a
static shell, the same for everyone and cacheable by the CDN; its script (``app.js``) calls the
API with the visitor's session, so nothing private is ever in a public file. Their URLs are
the ones the API's mails link to (``/accounts/confirm-email/?token=``,
``/accounts/password/reset/key/?token=``) and the OAuth callback redirects to
(``/accounts/social/login/error/?reason=``)."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

# URL under /accounts/ -> template under accounts/.
PAGES = {
    "login": "login.html",
    "logout": "logout.html",
    "signup": "signup.html",
    "confirm-email": "confirm_email.html",
    "inactive": "inactive.html",
    "password/reset": "password_reset.html",
    "password/reset/done": "password_reset_done.html",
    "password/reset/key": "password_reset_key.html",
    "password/reset/key/done": "password_reset_key_done.html",
    "password/change": "password_change.html",
    "social/connections": "social_connections.html",
    "social/login/error": "social_login_error.html",
}


def plan(site: Site) -> list[Output]:
    return [
        Output(f"accounts/{path}/index.html", f"accounts/{template}", {}) for path, template in PAGES.items()
    ]


SECTION = Section("accounts", plan=plan)
