"""What a test does when a program it drives (Chromium, nginx) is missing.

On a developer's machine the test is skipped with the reason. In CI (``.ci/run`` exports
``PYDOTORG_CI=1``) it fails instead: CI installs these programs, so a missing one means the
run did not test what it claims to."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("PYDOTORG_CI") == "1"


def missing_program(reason: str) -> NoReturn:
    """Skip the current test for ``reason``, or fail it when running in CI."""
    if IN_CI:
        pytest.fail(f"{reason}; PYDOTORG_CI=1 requires it (.ci/run installs it)", pytrace=False)
    pytest.skip(reason)
