"""The search benchmark's relevance list as a test (issue 16): on the benchmark's data
(python.org's 600 releases and 15,538 files, 5,000 events, 2,000 jobs, python.org's main pages;
pydotorg/dev/searchbench.py), loaded through the Django importer and indexed from scratch, each
of the 50 queries people type has the expected first result, through ``GET /api/v3/search`` on
the default engine (PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydotorg.core.search import create_engine
from pydotorg.core.search.indexing import reindex
from pydotorg.dev import searchbench
from pydotorg.dev.paths import BENCH_DOWNLOADS
from pydotorg.indexes import SEARCH_SOURCES
from tests.helpers import run_import_django


async def test_every_benchmark_query_has_the_expected_first_result(
    client: Any, settings: Any, sessionmaker: Any, tmp_path: Path
) -> None:
    fixture = tmp_path / "searchbench.json"
    fixture.write_text(json.dumps(searchbench.fixture()))
    result = run_import_django(settings, "--quiet", "--fixtures", str(BENCH_DOWNLOADS), str(fixture))
    assert result.returncode == 0, result.stderr[-2000:]
    documents = await reindex(sessionmaker, create_engine(settings), SEARCH_SOURCES)
    assert documents > 7_500

    answers: dict[str, Any] = {}

    def get(q: str) -> Any:
        return answers[q]

    for q, _, _ in searchbench.QUERIES:
        r = await client.get("/api/v3/search", params={"q": q})
        assert r.status_code == 200, r.text
        answers[q] = r.json()
    assert searchbench.misses(get) == []
    assert len(searchbench.QUERIES) == 50
