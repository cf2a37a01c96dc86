"""Every v3 write operation has a permission matrix: the table in test_permission_matrices.py names,
for each write operation of the app as built, the test that runs its matrix. A new write endpoint
without a row in the table fails here, and so does a row naming a test that does not exist or that
never calls check_permission_matrix."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from litestar import Litestar

from tests.security.test_permission_matrices import ACCOUNTS, WRITE_MATRICES

REPO = Path(__file__).resolve().parents[2]
WRITE_METHODS = ("post", "put", "patch", "delete")


def write_operations(app: Litestar) -> dict[str, str]:
    """operation_id -> "METHOD /path" of every v3 write in the app's OpenAPI."""
    out: dict[str, str] = {}
    for path, item in (app.openapi_schema.paths or {}).items():
        if not path.startswith("/api/v3/"):
            continue
        for method in WRITE_METHODS:
            operation = getattr(item, method, None)
            if operation is not None:
                assert operation.operation_id, f"{method.upper()} {path} has no operation_id"
                out[operation.operation_id] = f"{method.upper()} {path}"
    return out


def _calls_matrix(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and getattr(n.func, "id", None) == "check_permission_matrix"
        for n in ast.walk(node)
    )


@cache
def matrix_tests(file: str) -> dict[str, str]:
    """The test functions of ``file`` that run a permission matrix (directly, or through a function
    of the same file), each with the source of itself and those functions."""
    text = (REPO / file).read_text()
    tree = ast.parse(text)
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: dict[str, str] = {}
    for name, node in functions.items():
        if not name.startswith("test"):
            continue
        called = {
            n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        parts = [node] + [functions[c] for c in sorted(called) if c in functions and c != name]
        if any(_calls_matrix(part) for part in parts):
            found[name] = "\n".join(ast.get_source_segment(text, part) or "" for part in parts)
    return found


def _mentions(file: str, test: str, operation: str) -> list[str]:
    """What of the operation (its method, its path's fixed segments) the named test (or, with no
    test named, the file's matrix tests) never says."""
    method, path = operation.split(" ", 1)
    source = matrix_tests(file)[test] if test else "\n".join(matrix_tests(file).values())
    absent = [] if f'"{method}"' in source else [f'"{method}"']
    file_text = (REPO / file).read_text()
    segments = [s for s in path.removeprefix("/api/v3/").split("/") if s and not s.startswith("{")]
    return absent + [s for s in segments if s not in file_text]


def test_every_v3_write_has_a_matrix(app: Litestar) -> None:
    operations = write_operations(app)
    missing = sorted(f"{op} ({operations[op]})" for op in operations.keys() - WRITE_MATRICES.keys())
    stale = sorted(WRITE_MATRICES.keys() - operations.keys())
    assert not missing, f"v3 write operations without a permission matrix: {missing}"
    assert not stale, f"the matrix table names operations the app does not have: {stale}"


def test_every_named_matrix_exists(app: Litestar) -> None:
    operations = write_operations(app)
    wrong = []
    for operation, where in sorted(WRITE_MATRICES.items()):
        file, _, test = where.partition("::")
        if not (REPO / file).is_file():
            wrong.append(f"{operation}: {file} does not exist")
        elif test and test not in matrix_tests(file):
            wrong.append(f"{operation}: {where} is not a test that calls check_permission_matrix")
        elif operation in operations and (absent := _mentions(file, test, operations[operation])):
            wrong.append(f"{operation}: {where} never mentions {absent} of {operations[operation]}")
        elif not test and (file != ACCOUNTS or not matrix_tests(file)):
            wrong.append(f"{operation}: {where} names no test that calls check_permission_matrix")
    assert not wrong, "\n".join(wrong)
