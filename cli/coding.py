"""`rcm coding ...` and `rcm chargemaster load`: the coding review queue, coder QA, chargemasters.

`rcm coding review list|take|release|decide` work the queue through coding's API, as the signed-in
user (cli/session.py): exit 0 done; 1 refused (taken by someone else, a decision that cannot apply);
2 no token or not allowed; 3 the service is not reachable; 4 not in the queue.
Chargemaster files: exit 0 done; 1 refused (a bad row); 2 the file is unreadable.
Nothing printed here holds PHI: encounter ids, codes, scores and coder user ids only.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from cli import session

app = typer.Typer(no_args_is_help=True, help="Coding: the review queue and coder QA")
review_app = typer.Typer(no_args_is_help=True, help="The coding review queue: held encounters and coders' decisions")
chargemaster_app = typer.Typer(no_args_is_help=True, help="Tenant chargemasters (prices by code, modifier and date)")
app.add_typer(review_app, name="review")
console = Console()


def make_client(url: str | None = None):
    """An HTTP client for coding's API (RCM_CODING_API_URL, default this host's coding port)."""
    import os

    from shared.settings import DEFAULT_HTTP_PORTS, ServiceSettings

    settings = ServiceSettings()
    default = f"http://{settings.http_host}:{settings.http_port or DEFAULT_HTTP_PORTS['coding']}"
    return session.api_client(url or os.environ.get("RCM_CODING_API_URL") or default)


def _call(method: str, path: str, url: str | None, **kwargs):
    return session.call(lambda: make_client(url), method, path, "coding", **kwargs)


URL = typer.Option(None, "--url", help="coding's API base URL (default from RCM_CODING_API_URL)")


@review_app.command("list")
def review_list(tenant: str = typer.Option(None, help="only this tenant"), limit: int = 50,
                sort: str = typer.Option("age", help="age|value"),
                as_json: bool = typer.Option(False, "--json"), url: str = URL) -> None:
    """Held encounters with their findings and the note's suggestions (codes and confidence)."""
    params = {"limit": limit, "sort": sort, **({"tenant": tenant} if tenant else {})}
    rows = _call("GET", "/api/review", url, params=params).json()["items"]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table(title="Coding review queue")
    for column in ("encounter", "tenant", "findings", "suggestions", "assignee"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["encounter_id"], row["tenant_id"],
                      "\n".join(f"{f['code']}: {f['message']}" for f in row["findings"]),
                      ", ".join(f"{s['code']} {s['confidence']:.2f}" for s in row.get("suggestions", [])[:3]),
                      row["assignee"] or "")
    console.print(table)


@review_app.command("take")
def review_take(encounter: str, url: str = URL) -> None:
    """Take a held encounter (it is yours until you decide or release it)."""
    item = _call("POST", f"/api/review/{encounter}/take", url, json={},
                 headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    console.print(f"{encounter} taken by {item['assignee']}")


@review_app.command("release")
def review_release(encounter: str, url: str = URL) -> None:
    """Put a taken encounter back in the queue undecided."""
    _call("POST", f"/api/review/{encounter}/release", url, json={}, headers={"Idempotency-Key": uuid.uuid4().hex})
    console.print(f"{encounter} released to the queue")


@review_app.command("decide")
def review_decide(encounter: str,
                  accept: bool = typer.Option(False, "--accept", help="bill the top suggestion as principal"),
                  keep: bool = typer.Option(False, "--keep", help="bill the provider's codes"),
                  codes: str = typer.Option(None, help="bill these codes instead, comma-separated, in order"),
                  url: str = URL) -> None:
    """Record your decision and release the encounter to claims (exactly one of --accept, --keep,
    --codes). The coder is the signed-in user."""
    chosen = [flag for flag, on in (("accept", accept), ("keep", keep), ("codes", codes is not None)) if on]
    if len(chosen) != 1:
        console.print("[red]give exactly one of --accept, --keep, --codes")
        raise typer.Exit(1)
    body = {"decision": chosen[0], "codes": [c.strip() for c in (codes or "").split(",") if c.strip()]}
    item = _call("POST", f"/api/review/{encounter}/decide", url, json=body,
                 headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    console.print(f"{encounter} released by {item['decided_by']}: {chosen[0]}"
                  + (f", charge {item['total_charge']}" if item.get("total_charge") else ""))


@app.command("qa")
def qa(as_json: bool = typer.Option(False, "--json"), url: str = URL) -> None:
    """Per-coder QA: decisions, agreement with the top suggestion, corrections."""
    figures = _call("GET", "/api/qa", url).json()["coders"]
    if as_json:
        print(json.dumps(figures))
        return
    table = Table(title="Coder QA")
    for column in ("coder", "decisions", "agreed with suggestion", "agreement rate", "corrections"):
        table.add_column(column, justify="left" if column == "coder" else "right")
    for f in figures:
        rate = f.get("agreement_rate")
        table.add_row(f["coder"], str(f["decisions"]), str(f["agreed_with_suggestion"]), "—" if rate is None else f"{rate:.1%}",
                      str(f["corrections"]))
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

    loaded = _call("PUT", f"/api/chargemasters/{tenant}", None, content=text.encode("utf-8"),
                   headers={"Content-Type": "text/csv"}).json()["loaded"]
    typer.echo(f"loaded {loaded} chargemaster entries for {tenant} ({summary})")


def _field_errors(error: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return ", ".join(".".join(str(p) for p in e["loc"]) + ":" + e["type"] for e in error.errors(include_input=False))
    return type(error).__name__
