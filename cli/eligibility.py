"""`rcm eligibility`: the eligibility review queue (encounters held because the payer did not
confirm the coverage), through the registration service's HTTP API.

It finds the API at RCM_REGISTRATION_API_URL (default http://127.0.0.1:8101) and sends the bearer
token in RCM_API_TOKEN (or --token). Exit codes as `rcm claims queue`: 0 done; 1 refused; 2 the
token was refused or does not allow it; 3 the API could not be reached or failed; 4 no such item.
"""

from __future__ import annotations

import json
import os
import uuid

import typer
from rich.console import Console
from rich.table import Table

from cli import claims_queue

app = typer.Typer(no_args_is_help=True, help="Eligibility review: list, take, coverage, reverify, release, self-pay")
URL = typer.Option(None, "--url", help="the API's base URL (default RCM_REGISTRATION_API_URL or http://127.0.0.1:8101)")
TOKEN = claims_queue.TOKEN
REVISION = claims_queue.REVISION


def _url(url: str | None) -> str:
    return url or os.environ.get("RCM_REGISTRATION_API_URL") or "http://127.0.0.1:8101"


def _act(encounter_id: str, action: str, url, token, revision, **body) -> None:
    payload = {"request_id": f"cli-{uuid.uuid4().hex}", "revision": revision, **body}
    item = claims_queue._call("POST", f"/api/eligibility/{encounter_id}/{action}", _url(url), token,
                              service="registration", json=payload)
    typer.echo(f"{item['encounter_id']} {item['state']} (revision {item['revision']}"
               + (f", held by {item['assignee']}" if item["assignee"] else "") + ")")


@app.command("list")
def list_queue(state: str = typer.Option(None, help="held (default), verifying, released, self_pay"),
               payer: str = typer.Option(None), reason: str = typer.Option(None, help="e.g. COVERAGE_INACTIVE"),
               tenant: str = typer.Option(None), limit: int = typer.Option(50, min=1, max=1000),
               as_json: bool = typer.Option(False, "--json"), url: str = URL, token: str = TOKEN) -> None:
    """Held encounters, oldest date of service first."""
    params = {key: value for key, value in (("state", state), ("payer", payer), ("reason", reason),
                                            ("tenant", tenant), ("limit", limit)) if value}
    body = claims_queue._call("GET", "/api/eligibility/queue", _url(url), token, service="registration",
                              params=params)
    if as_json:
        print(json.dumps(body["items"]))
        return
    table = Table(title=f"Eligibility review ({body['today']})")
    for column in ("encounter", "tenant", "payer", "reason", "age", "state", "assignee"):
        table.add_column(column, justify="right" if column == "age" else "left")
    for item in body["items"]:
        table.add_row(item["encounter_id"], item["tenant_id"], item["payer_id"] or "", item["reason_code"],
                      str(item["age_days"]), item["state"], item["assignee"] or "")
    Console().print(table)


@app.command("take")
def take(encounter_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Assign a held encounter to yourself."""
    _act(encounter_id, "take", url, token, revision)


@app.command("unassign")
def unassign(encounter_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Put it back in the queue."""
    _act(encounter_id, "unassign", url, token, revision)


@app.command("coverage")
def coverage(encounter_id: str, member_id: str = typer.Option(None), group_number: str = typer.Option(None),
             payer_id: str = typer.Option(None), payer_name: str = typer.Option(None),
             revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Correct the primary coverage (then `reverify`)."""
    change = {key: value for key, value in (("member_id", member_id), ("group_number", group_number),
                                            ("payer_id", payer_id), ("payer_name", payer_name)) if value}
    _act(encounter_id, "coverage", url, token, revision, coverage=change)


@app.command("reverify")
def reverify(encounter_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Ask the payer again (a new 270); an active 271 sends the encounter on to coding."""
    _act(encounter_id, "reverify", url, token, revision)


@app.command("release")
def release(encounter_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Coverage confirmed another way: send the encounter on to coding."""
    _act(encounter_id, "release", url, token, revision)


@app.command("self-pay")
def self_pay(encounter_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """No payer is billed for the visit; the patient pays."""
    _act(encounter_id, "self-pay", url, token, revision)
