"""`rcm payers crosswalk load` and `rcm registration work-items list`.

rcm payers crosswalk load FILE --tenant T [--dry-run]   exit 0 loaded (or valid), 1 refused, 2 unreadable
rcm registration work-items list [--tenant T] [--status open|released|all] [--json]

A crosswalk file is validated row by row (every bad row is listed) and loaded all or nothing; it
replaces the tenant's crosswalk, and the visits it now resolves are released in the same
transaction. Work items hold no PHI: a reason code, the field, the encounter or patient id.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer

T = TypeVar("T")
payers_app = typer.Typer(no_args_is_help=True, help="Payers: the per-tenant payer crosswalk")
crosswalk_app = typer.Typer(no_args_is_help=True, help="How a tenant's senders name payers -> our payer ids")
payers_app.add_typer(crosswalk_app, name="crosswalk")
registration_app = typer.Typer(no_args_is_help=True, help="Registration: work items of visits held for missing data")
work_items_app = typer.Typer(no_args_is_help=True, help="Visits held for data billing needs, with the reason")
registration_app.add_typer(work_items_app, name="work-items")


def _with_registration_db(work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(client, database, cipher)` against registration's database (settings from RCM_*)."""
    from shared.mongo import connect
    from shared.phi import PhiCipher
    from shared.settings import ServiceSettings

    settings = ServiceSettings()

    async def run() -> T:
        client = connect(settings.mongo_uri)
        try:
            return await work(client, client[settings.database("registration")],
                              PhiCipher(settings.phi_key.get_secret_value()))
        finally:
            await client.close()

    return asyncio.run(run())


@crosswalk_app.command("load")
def crosswalk_load(file: Path = typer.Argument(..., help="CSV: match,sender_code,payer_id,payer_name,effective_from[,effective_to]"),
                   tenant: str = typer.Option(..., "--tenant", help="the tenant whose crosswalk this is"),
                   dry_run: bool = typer.Option(False, "--dry-run", help="validate and report, load nothing")) -> None:
    """Validate every row, then replace the tenant's crosswalk; one bad row loads nothing."""
    from datetime import UTC, datetime

    from services.registration.crosswalk import CrosswalkFileError, parse_crosswalk_csv

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as unreadable:
        reason = unreadable.strerror if isinstance(unreadable, OSError) else "not UTF-8 text"
        typer.echo(f"cannot read {file}: {reason}")
        raise typer.Exit(2) from None
    try:
        entries = parse_crosswalk_csv(text)
    except CrosswalkFileError as refused:
        typer.echo(f"{file}: refused, nothing loaded; {len({p.row for p in refused.problems})} bad row(s)")
        for problem in refused.problems:
            typer.echo(f"  {problem}")
        raise typer.Exit(1) from None
    summary = f"{len(entries)} rows, {len({e.payer_id for e in entries})} payers"
    if dry_run:
        typer.echo(f"{file}: valid ({summary}); dry run, nothing loaded")
        return

    async def load(client, database, cipher):
        from services.registration.payers import load_crosswalk

        return await load_crosswalk(client, database, cipher, tenant, entries, datetime.now(UTC))

    loaded = _with_registration_db(load)
    typer.echo(f"loaded the payer crosswalk of {tenant} ({summary}); {loaded.visits_checked} visit(s) waited for a "
               f"payer, {loaded.released} released")


@work_items_app.command("list")
def work_items_list(tenant: str = typer.Option(None, "--tenant", help="only this tenant"),
                    status: str = typer.Option("open", "--status", help="open, released or all"),
                    limit: int = typer.Option(500, "--limit"),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Work items, oldest first: the visit (or patient), the reason code, the field and why."""
    from services.registration import work_items

    if status not in ("open", "released", "all"):
        typer.echo("--status must be open, released or all")
        raise typer.Exit(2)
    rows = _with_registration_db(lambda _client, db, _cipher: work_items.listed(
        db, tenant_id=tenant, status=None if status == "all" else status, limit=limit))
    if as_json:
        print(json.dumps(rows, default=str))
        return
    for row in rows:
        typer.echo(f"{row['tenant_id']}  {row['subject']} {row['subject_id']}  {row['status']}  {row['code']}  "
                   f"{row['field']}: {row['reason']}  (opened {row['opened_at']:%Y-%m-%d %H:%M})")
    typer.echo(f"{len(rows)} work item(s)")
