"""The generated modules of pydotorg-client are what openapi/openapi.json generates (the drift
check `make test` runs), and the generator notices a spec that changed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import msgspec

import pydotorg_client
from pydotorg_client import models

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_client", ROOT / "tools" / "generate_client.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_client"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_client_matches_the_spec(tmp_path: Path) -> None:
    gen = _generator()
    spec = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    rendered = gen.render(spec)
    assert gen.drift(rendered) == [], "run `uv run python tools/generate_client.py`"
    assert gen.main(["--check"]) == 0

    # A new field in a schema makes the committed models stale, and --check says so.
    spec["components"]["schemas"]["PageCreate"]["properties"]["subtitle"] = {"type": "string"}
    out = tmp_path / "pkg"
    out.mkdir()
    for name, text in rendered.items():
        (out / name).write_text(text)
    changed = tmp_path / "openapi.json"
    changed.write_text(json.dumps(spec))
    assert gen.main(["--check", "--spec", str(changed), "--out", str(out)]) == 1
    assert gen.main(["--spec", str(changed), "--out", str(out)]) == 0
    assert "subtitle: str | UnsetType = UNSET" in (out / "models.py").read_text()
    assert gen.main(["--check", "--spec", str(changed), "--out", str(out)]) == 0


def test_every_operation_and_model_is_usable() -> None:
    spec = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    ops = {
        op["operationId"]
        for path, item in spec["paths"].items()
        if path.startswith("/api/v3")
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    source = (ROOT / "clients" / "python" / "pydotorg_client" / "_api.py").read_text()
    methods = source.count("\n    def ") + source.count("\n    async def ") - source.count("def __init__")
    assert methods == 2 * len(ops)  # one sync and one async method each
    for name in models.__all__:
        if name not in {"UNSET", "UnsetType"}:
            msgspec.json.Decoder(getattr(models, name))  # msgspec accepts every annotation
    client = pydotorg_client.Client("http://127.0.0.1:9")
    try:
        assert callable(client.downloads.releases.list) and callable(client.jobs.approve)
    finally:
        client.close()
