"""`rcm payers crosswalk load` and `rcm registration work-items list`, through registration's API as
the signed-in user (cli/session.py: RCM_TOKEN, or RCM_USER and RCM_PASSWORD). The API is found at
RCM_REGISTRATION_API_URL (or --url), default this host's registration port.

rcm payers crosswalk load FILE --tenant T [--dry-run]   exit 0 loaded (or valid); 1 refused, with every
                                                        bad row; 2 unreadable file, no or refused token,
                                                        or the API unreachable
rcm registration work-items list [--tenant T] [--status open|released|all] [--json]   (exit codes of
                                                        cli/session.py)

A crosswalk file is validated row by row here (every bad row is listed) and again by the service,
which loads it all or nothing (supervisors and admins of the tenant): it replaces the tenant's
crosswalk, and the visits it now resolves are released in the same transaction. Work items hold no
PHI: a reason code, the field, the encounter or patient id.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import typer

from cli import session

payers_app = typer.Typer(no_args_is_help=True, help="Payers: the per-tenant payer crosswalk")
crosswalk_app = typer.Typer(no_args_is_help=True, help="How a tenant's senders name payers -> our payer ids")
payers_app.add_typer(crosswalk_app, name="crosswalk")
registration_app = typer.Typer(no_args_is_help=True, help="Registration: work items of visits held for missing data")
work_items_app = typer.Typer(no_args_is_help=True, help="Visits held for data billing needs, with the reason")
registration_app.add_typer(work_items_app, name="work-items")
URL = typer.Option(None, "--url", help="registration's API base URL (default from RCM_REGISTRATION_API_URL)")
REFUSED, UNUSABLE = 1, 2


def make_client(url: str | None = None):
    """An HTTP client for registration's API (RCM_REGISTRATION_API_URL, default this host's port)."""
    import os

    from shared.settings import DEFAULT_HTTP_PORTS, ServiceSettings

    settings = ServiceSettings()
    default = f"http://{settings.http_host}:{settings.http_port or DEFAULT_HTTP_PORTS['registration']}"
    return session.api_client(url or os.environ.get("RCM_REGISTRATION_API_URL") or default)


def _put_crosswalk(tenant: str, text: str, url: str | None) -> httpx.Response:
    """The load request; anything but an answer from the API exits 2 (no token, unreachable)."""
    try:
        client = make_client(url)
    except typer.Exit as failed:  # no credentials, or the issuer refused or is unreachable
        raise typer.Exit(UNUSABLE) from failed
    try:
        with client:
            return client.request("PUT", f"/api/payer-crosswalks/{tenant}", content=text.encode("utf-8"),
                                  headers={"Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex})
    except httpx.HTTPError as failure:
        typer.echo(f"cannot reach the registration API ({type(failure).__name__}); is the registration service "
                   "running?", err=True)
        raise typer.Exit(UNUSABLE) from None


def _message(response: httpx.Response) -> tuple[str, list[str]]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    problems = body.get("problems") if isinstance(body, dict) else None
    return (message if isinstance(message, str) else f"request refused ({response.status_code})",
            [str(p) for p in problems] if isinstance(problems, list) else [])


@crosswalk_app.command("load")
def crosswalk_load(file: Path = typer.Argument(..., help="CSV: match,sender_code,payer_id,payer_name,effective_from[,effective_to]"),
                   tenant: str = typer.Option(..., "--tenant", help="the tenant whose crosswalk this is"),
                   dry_run: bool = typer.Option(False, "--dry-run", help="validate and report, load nothing"),
                   url: str = URL) -> None:
    """Validate every row, then replace the tenant's crosswalk; one bad row loads nothing."""
    from services.registration.crosswalk import CrosswalkFileError, parse_crosswalk_csv

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as unreadable:
        reason = unreadable.strerror if isinstance(unreadable, OSError) else "not UTF-8 text"
        typer.echo(f"cannot read {file}: {reason}")
        raise typer.Exit(UNUSABLE) from None
    try:
        entries = parse_crosswalk_csv(text)
    except CrosswalkFileError as refused:
        typer.echo(f"{file}: refused, nothing loaded; {len({p.row for p in refused.problems})} bad row(s)")
        for problem in refused.problems:
            typer.echo(f"  {problem}")
        raise typer.Exit(REFUSED) from None
    summary = f"{len(entries)} rows, {len({e.payer_id for e in entries})} payers"
    if dry_run:
        typer.echo(f"{file}: valid ({summary}); dry run, nothing loaded")
        return
    response = _put_crosswalk(tenant, text, url)
    if not response.is_success:
        message, problems = _message(response)
        if response.status_code == 422:
            typer.echo(f"{file}: refused, nothing loaded; {message}")
            for problem in problems:
                typer.echo(f"  {problem}")
            raise typer.Exit(REFUSED)
        if response.status_code in (401, 403):
            typer.echo(f"not allowed: {message}", err=True)
        else:
            typer.echo(f"the registration API failed ({response.status_code})", err=True)
        raise typer.Exit(UNUSABLE)
    loaded = response.json()
    typer.echo(f"loaded the payer crosswalk of {tenant} ({summary}); {loaded['visits_checked']} visit(s) waited for "
               f"a payer, {loaded['released']} released")


@work_items_app.command("list")
def work_items_list(tenant: str = typer.Option(None, "--tenant", help="only this tenant"),
                    status: str = typer.Option("open", "--status", help="open, released or all"),
                    limit: int = typer.Option(500, "--limit", min=1, max=5000),
                    as_json: bool = typer.Option(False, "--json"), url: str = URL) -> None:
    """Work items of your tenants, oldest first: the visit (or patient), the reason code, the field and why."""
    if status not in ("open", "released", "all"):
        typer.echo("--status must be open, released or all")
        raise typer.Exit(2)
    params = {"status": status, "limit": limit, **({"tenant": tenant} if tenant else {})}
    rows = session.call(lambda: make_client(url), "GET", "/api/work-items", "registration",
                        params=params).json()["items"]
    if as_json:
        print(json.dumps(rows))
        return
    for row in rows:
        opened = datetime.fromisoformat(row["opened_at"]) if row.get("opened_at") else None
        typer.echo(f"{row['tenant_id']}  {row['subject']} {row['subject_id']}  {row['status']}  {row['code']}  "
                   f"{row['field']}: {row['reason']}" + (f"  (opened {opened:%Y-%m-%d %H:%M})" if opened else ""))
    typer.echo(f"{len(rows)} work item(s)")
