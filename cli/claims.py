"""`rcm claims`: work with claims outside the running services.

rcm claims scrub FILE [--json] [--today YYYY-MM-DD]
    Scrub every claim of an 837P/837I file the way a clearinghouse scrubber does, and print per
    claim its claim_id (CLM01), whether it passed and its edits (rule, category, severity,
    message). Claims earlier in the file count as already billed for the duplicate rule.
    Exit 0 when every claim passed, 1 when some failed, 2 when the file is unreadable or holds
    no 837 claims.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.claims_queue import app as queue_app
from shared.x12 import X12Error, read

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Claims: scrub 837 files; the claims work queue")
app.add_typer(queue_app, name="queue")

ALL_PASSED, SOME_FAILED, UNREADABLE = 0, 1, 2


@app.callback()
def claims() -> None:
    """Claims: scrub 837 files."""  # a group, so `rcm claims scrub` keeps its sub-command name


def _today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD") from None


def _fail(as_json: bool, file: Path, reason: str) -> None:
    if as_json:
        typer.echo(json.dumps({"file": file.name, "error": reason, "claims": []}))
    else:
        Console(stderr=True).print(f"[bold red]{file.name}: cannot scrub[/]: {reason}")
    raise typer.Exit(UNREADABLE)


@app.command()
def scrub(
    file: Annotated[Path, typer.Argument(help="an 837P or 837I file")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object instead of a table")] = False,
    today: Annotated[str | None, typer.Option("--today", help="the date filing limits count to (default: today)")] = None,
) -> None:
    """Scrub every claim in FILE; exit 0 all passed, 1 some failed, 2 unreadable."""
    from services.claims.scrubber import InMemoryHistory, ScrubContext, Scrubber
    from services.claims.scrubber.rules.duplicate import billed_services

    scrub_date = _today(today)
    try:
        claims = [claim for batch in read(file.read_bytes()).claim_batches() for claim in batch.claims]
    except OSError as failure:
        _fail(as_json, file, f"cannot open the file: {failure.strerror or 'unreadable'}")
    except X12Error as failure:
        _fail(as_json, file, f"not readable as X12 ({failure.code}): {failure}")
    if not claims:
        _fail(as_json, file, "the file holds no 837P or 837I claims")

    scrubber = Scrubber(ScrubContext(today=scrub_date))
    history = InMemoryHistory()
    results = []
    for claim in claims:
        result = scrubber.scrub(claim, history=history)
        history.record(claim.claim_id, billed_services(claim))
        results.append({
            "claim_id": claim.claim_id,
            "passed": result.passed,
            "edits": [{"rule": f.rule, "category": f.category, "severity": f.severity, "message": f.message}
                      for f in result.findings],
        })
    failed = sum(not result["passed"] for result in results)
    if as_json:
        typer.echo(json.dumps({"file": file.name, "today": scrub_date.isoformat(), "claims": results,
                               "passed_count": len(results) - failed, "failed_count": failed}))
    else:
        _show(file, results, failed)
    raise typer.Exit(SOME_FAILED if failed else ALL_PASSED)


def _show(file: Path, results: list[dict], failed: int) -> None:
    console = Console()
    table = Table(title=f"{file.name}: {len(results) - failed} passed, {failed} failed")
    for column in ("claim_id", "passed", "rule", "category", "severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("message")
    for result in results:
        edits = result["edits"] or [{"rule": "", "category": "", "severity": "", "message": ""}]
        for number, edit in enumerate(edits):
            table.add_row(result["claim_id"] if number == 0 else "", ("yes" if result["passed"] else "NO") if number == 0 else "",
                          edit["rule"], edit["category"], edit["severity"], edit["message"])
    console.print(table)
