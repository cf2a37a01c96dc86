"""Schemathesis's stateful phase over /api/v3/: sequences of calls where a later call uses what an
earlier one returned (POST creates a row, then GET/PATCH/DELETE it by the returned id), so
generated calls reach real rows instead of 404s. The links between operations are inferred by
schemathesis from the schema (a create's response `id`, or a list item's, feeds the `{..._id}`
path parameter of the same resource). Runs as a superuser over a few resource families."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    status_code_conformance,
)

from pydotorg.app import create_app
from pydotorg.models import metadata

# As in test_schemathesis_v3.py: the point is "never a 5xx" and "bodies match the schema".
EXCLUDED = [
    allow_header_conformance,
    status_code_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
FAMILIES = (
    r"^/api/v3/(pages|downloads/(os|releases|files)|boxes|jobs/(types|categories)"
    r"|events(/categories|/locations|/calendars)?)(/\{[a-z_]+\})?$"
)

FAMILY_TABLES = ("pages", "page_", "downloads_", "boxes", "job", "event", "changes")


@pytest.fixture(scope="module")
def v3_schema(settings: Any, mailer: Any) -> Any:
    app = create_app(settings, mailer=mailer, configure_logs=False)
    return schemathesis.openapi.from_asgi("/api/schema/openapi.json", app).include(path_regex=FAMILIES)


def test_links_reach_real_rows(v3_schema: Any) -> None:
    """Each family has a create whose result feeds a read, an update and a delete (the rules of
    the state machine are named "<source>___<status>_<link>__<target>", slashes as "_")."""
    machine = v3_schema.as_state_machine()
    rules = [name for name in dir(machine) if "___" in name]
    for family, item in (
        ("pages", "page_id"),
        ("downloads/os", "os_id"),
        ("downloads/releases", "release_id"),
        ("downloads/files", "file_id"),
        ("boxes", "box_id"),
        ("jobs/types", "item_id"),
        ("events", "event_id"),
        ("events/categories", "category_id"),
    ):
        name = family.replace("/", "_")
        for method in ("GET", "PATCH", "DELETE"):
            if family == "jobs/types" and method != "PATCH":
                continue  # job types are listed and changed, never fetched or deleted by id
            source = f"POST_api_v3_{name}___201_"
            target = f"__{method}_api_v3_{name}_{item}_"
            assert any(r.startswith(source) and r.endswith(target) for r in rules), (source, target)


def test_stateful_superuser(v3_schema: Any, actors: Any, test_database: str) -> None:
    headers = actors["root"].headers
    # Valid inputs only: invalid ones are the stateless test's job, and here they would only
    # spend the steps on 400s before any row exists.
    v3_schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    # Every scenario starts from the same empty families (users and their tokens stay), so that
    # hypothesis can replay and shrink a failing sequence.
    reached: dict[str, list[str]] = {}
    families = [t.name for t in metadata.sorted_tables if t.name.startswith(FAMILY_TABLES)]
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(asyncpg.connect(test_database.replace("+asyncpg", "")))

    class Workflow(v3_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            loop.run_until_complete(conn.execute(f"TRUNCATE {', '.join(families)} RESTART IDENTITY CASCADE"))

        def before_call(self, case: Any) -> None:
            # The writes' optional If-Match (docs/api/concurrency.md) with a generated tag is a 412
            # before anything is reached: the stateless test covers it, here it would spend the
            # steps on preconditions that cannot hold.
            if case.headers:
                case.headers.pop("If-Match", None)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def after_call(self, response: Any, case: Any) -> None:
            if case.method.upper() in ("GET", "PATCH", "DELETE") and case.path.endswith("}"):
                found = "hit" if response.status_code < 300 else str(response.status_code)
                reached.setdefault(case.operation.label, []).append(found)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=EXCLUDED)

    try:
        Workflow.run(
            settings=settings(
                max_examples=80,
                stateful_step_count=10,
                derandomize=True,  # the same sequences every run: a stable regression check
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
        )
    finally:
        loop.run_until_complete(conn.close())
        loop.close()
    # The point of the phase: calls by id found the rows earlier calls created.
    hits = {label for label, results in reached.items() if "hit" in results}
    assert len(hits) >= 8, reached
