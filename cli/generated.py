"""Files generated from the code (Grafana dashboards, alert rules, AsyncAPI documents): write them,
or, with --check, say which committed ones differ from what the code generates now."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path


def write_or_check(outputs: Callable[[], Mapping[Path, str]], *, description: str, root: Path, command: str,
                   argv: list[str] | None = None) -> int:
    """Exit status: 0 written (or current), 1 some committed file is out of date (with --check)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for path, content in outputs().items():
        if args.check:
            if not path.exists() or path.read_text() != content:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    for path in stale:
        print(f"out of date: {path.relative_to(root)} (run {command})", file=sys.stderr)
    return 1 if stale else 0
