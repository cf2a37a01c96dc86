"""The command line shared by the modules that generate committed deploy files from one table
(``sitebuilder.redirects``, ``sitebuilder.headers``): print one rendering, or rewrite them all."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

Generate = Callable[[], str]


def run(
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    commands: Mapping[str, Generate],
    deploy_files: Mapping[str, Generate],
) -> int:
    """``<command>`` prints that rendering; ``write`` rewrites every file in ``deploy_files``
    (paths relative to the repository root given by ``--repo``)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("command", choices=[*commands, "write"])
    parser.add_argument(
        "--repo",
        type=Path,
        default=Path(),
        help="repository root for `write` (default: the current directory)",
    )
    args = parser.parse_args(argv)
    if args.command != "write":
        sys.stdout.write(commands[args.command]())
        return 0
    for relative, generate in deploy_files.items():
        target = args.repo / relative
        if not target.parent.is_dir():
            parser.error(f"{target.parent} does not exist; run from the repository root or pass --repo")
        target.write_text(generate())
        print(f"wrote {target}")
    return 0
