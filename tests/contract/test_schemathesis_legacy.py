"""Schemathesis against /api/v1/ and /api/v2/, from their hand-written description
(openapi/legacy.yaml, kept honest by test_legacy_description.py), on python.org's downloads
fixture: no input gets a 5xx, every status is one the description documents and every body
matches its schema. Runs as a guest and with a staff API key in each legacy scheme (only staff
may write to the legacy APIs, so that is the caller whose writes reach the handlers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from pydotorg.app import create_app
from tests.contract.conftest import Fixture

DESCRIPTION = Path(__file__).resolve().parents[2] / "openapi" / "legacy.yaml"
EXAMPLES = 5

EXCLUDED = [
    # Litestar answers OPTIONS itself, listing every method a legacy route accepts; the handlers
    # then answer 405 to the methods the resource does not support, as Tastypie and DRF do.
    allow_header_conformance,
    # Generated "valid" writes collide with the fixture's unique slugs and URLs, or name rows
    # that do not exist: a 400 is the right answer there.
    positive_data_acceptance,
    # The legacy APIs are lenient on purpose, as python.org's were: parameters that are not
    # filters are ignored, numbers are accepted where strings are declared.
    negative_data_rejection,
]
# v2's format-suffix routes (`os.json`) are DRF's list views with a suffix: they take the same
# methods as the list (POST included), while the description documents only their GET.
EXCLUDED_SUFFIX = [*EXCLUDED, unsupported_method]


def _excluded(case: Any) -> list[Any]:
    return EXCLUDED_SUFFIX if case.path.endswith(".json") else EXCLUDED


@pytest.fixture(scope="module")
def legacy_schema(settings: Any, mailer: Any) -> Any:
    # The throttles (tested in test_legacy_downloads.py) would otherwise answer 429 to most
    # generated calls.
    roomy = msgspec.structs.replace(
        settings,
        v1_throttle="1000000/3600",
        v2_throttle_anon="1000000/86400",
        v2_throttle_user="1000000/86400",
    )
    schema = schemathesis.openapi.from_path(DESCRIPTION)
    schema.app = create_app(roomy, mailer=mailer, configure_logs=False)
    return schema


schema = schemathesis.pytest.from_fixture("legacy_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_legacy_anonymous(case: Any, dl: Fixture) -> None:
    case.call_and_validate(excluded_checks=_excluded(case))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_legacy_staff(case: Any, dl: Fixture) -> None:
    headers = dl.staff_v1 if case.path.startswith("/api/v1/") else dl.staff_v2
    case.call_and_validate(headers=headers, excluded_checks=_excluded(case))


async def test_v2_malformed_relation_url_is_400(client: Any, dl: Fixture, db_conn: Any) -> None:
    """Found by this suite: urlsplit() raises on a malformed IPv6 host ("http://a]b/...")."""
    body = {
        "name": "x",
        "os": "http://a]b/api/v2/downloads/os/2/",
        "release": f"/api/v2/downloads/release/{dl.releases['Python 2.7.5']}/",
        "url": "https://www.python.org/ftp/python/x/y.tgz",
    }
    r = await client.post(
        "/api/v2/downloads/release_file/",
        content=json.dumps(body),
        headers={**dl.staff_v2, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json() == {"os": ["Invalid hyperlink - No URL match."]}
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 5
