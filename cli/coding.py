"""`rcm coding ...` and `rcm chargemaster load`: the coding review queue, coder QA, chargemasters.

Exit codes: 0 done; 1 refused (a bad row, a decision that cannot apply); 2 the file is unreadable.
Nothing printed here holds PHI: encounter ids, codes, scores and coder user ids only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Coding: the review queue and coder QA")
review_app = typer.Typer(no_args_is_help=True, help="The coding review queue: held encounters and coders' decisions")
chargemaster_app = typer.Typer(no_args_is_help=True, help="Tenant chargemasters (prices by code, modifier and date)")
app.add_typer(review_app, name="review")
console = Console()
T = TypeVar("T")


def _with_coding_db(work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(database, cipher)` against coding's database (settings from RCM_*)."""
    from shared.mongo import connect
    from shared.phi import PhiCipher
    from shared.settings import ServiceSettings

    settings = ServiceSettings()

    async def run() -> T:
        client = connect(settings.mongo_uri)
        try:
            return await work(client[settings.database("coding")], PhiCipher.from_settings(settings))
        finally:
            await client.close()

    return asyncio.run(run())


@review_app.command("list")
def review_list(tenant: str = typer.Option(None, help="only this tenant"), limit: int = 50,
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Held encounters with their findings and the note's suggestions (codes and confidence)."""
    from services.coding.decisions import held_encounters

    rows = _with_coding_db(lambda db, _cipher: held_encounters(db, tenant_id=tenant, limit=limit))
    if as_json:
        print(json.dumps([{"encounter_id": r["_id"], "tenant_id": r["tenant_id"], "findings": r["findings"],
                           "suggestions": r.get("suggestions", [])} for r in rows]))
        return
    table = Table(title="Coding review queue")
    for column in ("encounter", "tenant", "findings", "suggestions"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["_id"], row["tenant_id"], "\n".join(f"{f['code']}: {f['message']}" for f in row["findings"]),
                      ", ".join(f"{s['code']} {s['confidence']:.2f}" for s in row.get("suggestions", [])[:3]))
    console.print(table)


@review_app.command("decide")
def review_decide(encounter: str, coder: str = typer.Option(..., help="the coder's user id"),
                  accept: bool = typer.Option(False, "--accept", help="bill the top suggestion as principal"),
                  keep: bool = typer.Option(False, "--keep", help="bill the provider's codes"),
                  codes: str = typer.Option(None, help="bill these codes instead, comma-separated, in order")) -> None:
    """Record a coder's decision and release the encounter to claims (exactly one of
    --accept, --keep, --codes)."""
    from services.coding.chargemaster import CodingError
    from services.coding.decisions import decide
    from shared.clock import SystemClock
    from shared.events import CodingDecision

    chosen = [flag for flag, on in (("accept", accept), ("keep", keep), ("codes", codes is not None)) if on]
    if len(chosen) != 1:
        console.print("[red]give exactly one of --accept, --keep, --codes")
        raise typer.Exit(1)
    decision = {"accept": CodingDecision.ACCEPTED_SUGGESTION, "keep": CodingDecision.KEPT_PROVIDER_CODES,
                "codes": CodingDecision.CORRECTED}[chosen[0]]
    try:
        decided = _with_coding_db(lambda db, cipher: decide(
            db, cipher, encounter, coder=coder, decision=decision,
            codes=(codes or "").split(","), now=SystemClock().now()))
    except CodingError as refused:
        console.print(f"[red]{refused}")
        raise typer.Exit(1) from None
    except ValueError as invalid:  # e.g. a coder id the event refuses; pydantic names the field only
        console.print(f"[red]decision refused: {_field_errors(invalid)}")
        raise typer.Exit(1) from None
    console.print(f"{encounter} released by {coder}: {decided.decision.value}, diagnoses "
                  f"{', '.join(decided.diagnoses)}"
                  + (f" (suggestion {decided.top_suggestion}, agreed: {decided.agreed_with_suggestion})"
                     if decided.top_suggestion else ""))


@app.command("qa")
def qa(as_json: bool = typer.Option(False, "--json")) -> None:
    """Per-coder QA: decisions, agreement with the top suggestion, corrections."""
    from services.coding.decisions import decision_records
    from services.coding.review import coder_qa

    figures = coder_qa(_with_coding_db(lambda db, _cipher: decision_records(db)))
    if as_json:
        print(json.dumps([f.as_json() for f in figures]))
        return
    table = Table(title="Coder QA")
    for column in ("coder", "decisions", "agreed with suggestion", "agreement rate", "corrections"):
        table.add_column(column, justify="left" if column == "coder" else "right")
    for f in figures:
        table.add_row(f.coder, str(f.decisions), str(f.agreed),
                      "—" if f.agreement_rate is None else f"{f.agreement_rate:.1%}", str(f.corrections))
    console.print(table)


@chargemaster_app.command("load")
def chargemaster_load(arguments: list[str] = typer.Argument(..., metavar="[TENANT] FILE"),
                      tenant: str = typer.Option(None, "--tenant", help="the tenant (or give it before FILE)"),
                      dry_run: bool = typer.Option(False, "--dry-run", help="validate and report, load nothing")) -> None:
    """Validate every row of a chargemaster CSV, then load it for a tenant; one bad row loads nothing.

    `rcm chargemaster load FILE --tenant T` (or `rcm chargemaster load T FILE`)."""
    from services.coding.chargemaster import CodingError, parse_chargemaster_csv

    if tenant is None and len(arguments) == 2:
        tenant, file_name = arguments
    elif tenant is not None and len(arguments) == 1:
        file_name = arguments[0]
    else:
        typer.echo("usage: rcm chargemaster load FILE --tenant TENANT [--dry-run]")
        raise typer.Exit(2)
    file = Path(file_name)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as unreadable:
        reason = unreadable.strerror if isinstance(unreadable, OSError) else "not UTF-8 text"
        typer.echo(f"cannot read {file}: {reason}")
        raise typer.Exit(2) from None
    try:
        entries = parse_chargemaster_csv(text)
    except CodingError as refused:
        problems = getattr(refused, "problems", ())
        typer.echo(f"{file}: refused, nothing loaded; {len({p.row for p in problems})} bad row(s)")
        for problem in problems:
            typer.echo(f"  {problem}")
        raise typer.Exit(1) from None
    codes = {e.procedure_code for e in entries}
    dated = sum(1 for e in entries if e.effective_to is not None)
    summary = f"{len(entries)} entries, {len(codes)} procedure codes, {dated} with an end date"
    if dry_run:
        typer.echo(f"{file}: valid ({summary}); dry run, nothing loaded")
        return

    async def load(db, cipher) -> int:
        from services.coding.repository import CodingRepository

        return await CodingRepository(db, cipher).load_chargemaster(tenant, entries)

    try:
        loaded = _with_coding_db(load)
    except CodingError as refused:
        typer.echo(f"{file}: refused, nothing loaded: {refused}")
        raise typer.Exit(1) from None
    typer.echo(f"loaded {loaded} chargemaster entries for {tenant} ({summary})")


def _field_errors(error: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return ", ".join(".".join(str(p) for p in e["loc"]) + ":" + e["type"] for e in error.errors(include_input=False))
    return type(error).__name__
