"""Open redirects (issue 12, item 7), the API's side.

The redirect after log-in happens in the browser: the log-in page's script reads ``?next=`` and
sends it through ``safeNext`` in content-theme/static/js/site.js, which tests/e2e/test_csp.py
drives in Chromium with ``/%5Chost``, ``//host``, ``https://host`` and ``javascript:`` values. The
API must give an attacker nothing to bounce through either: no operation takes a ``next`` /
``redirect`` / ``return`` parameter or answers with a redirect, and a ``?next=`` sent to the
log-in endpoint is ignored (JSON, no ``Location``).
"""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import PASSWORD

REDIRECT_PARAMETER = re.compile(
    r"^(next|redirect|redirect_?to|redirect_?uri|redirect_?url|return|return_?to|return_?url|"
    r"continue|goto|callback|destination|dest)$",
    re.IGNORECASE,
)


def test_no_v3_operation_takes_a_redirect_target_or_answers_a_redirect(app: Any) -> None:
    schema = app.openapi_schema.to_schema()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 100  # the whole v3 surface, not an empty document
    for path, method, operation in operations:
        names = [p["name"] for p in operation.get("parameters", [])]
        assert not [n for n in names if REDIRECT_PARAMETER.match(n)], (method, path, names)
        assert not [s for s in operation.get("responses", {}) if s.startswith("3")], (method, path)


async def test_login_ignores_a_next_parameter(client: Any, actors: Any) -> None:
    for target in ("//evil.example", "/%5Cevil.example/phish", "https://evil.example/"):
        client.cookies.clear()  # a fresh browser each time (a session cookie would need CSRF)
        r = await client.post(
            f"/api/v3/auth/login?next={target}",
            json={"login": "ordinary", "password": PASSWORD, "session": "cookie"},
        )
        assert r.status_code == 200, r.text
        assert "location" not in r.headers
        assert r.headers["content-type"].startswith("application/json")
        assert "evil.example" not in r.text
