"""`rcm denials`: the denial work queue, through the denials service's HTTP API.

The CLI is a client of the API (the same contract people's tools use), so the service must be
running (`rcm run denials`, or the demo). It finds the API at RCM_DENIALS_API_URL (default
http://<RCM_HTTP_HOST>:<RCM_HTTP_PORT or 8105>) and signs in as cli/session.py says (RCM_TOKEN, or
RCM_USER / RCM_PASSWORD at the local issuer). The actor is the token's subject.

Exit codes: 0 done; 1 refused (the item's state or the request does not allow it); 2 no token, or the
token or its roles refused; 3 the API could not be reached or failed; 4 no such work item.
"""

from __future__ import annotations

import json
import uuid

import httpx
import typer
from rich.console import Console
from rich.table import Table

from cli import session

app = typer.Typer(no_args_is_help=True, help="Denial work queue: list, take, resolve, letters, trends")

ACTIONS = ("resubmit", "appeal", "write_off")


def make_client(url: str | None = None) -> httpx.Client:
    """An HTTP client for the API from the denials settings (tests replace this)."""
    from services.denials.settings import DenialsSettings

    return session.api_client(url or DenialsSettings().api_url())


def _call(method: str, path: str, url: str | None, **kwargs) -> httpx.Response:
    return session.call(lambda: make_client(url), method, path, "denials", **kwargs)


URL = typer.Option(None, "--url", help="the API's base URL (default from RCM_DENIALS_API_URL)")


@app.command("list")
def list_items(category: str = typer.Option(None, help="e.g. MEDICAL_NECESSITY"),
               payer: str = typer.Option(None, help="payer id"),
               status: str = typer.Option(None, help="open|taken|resolved|resubmitted|written_off (default: open and taken)"),
               limit: int = typer.Option(50, min=1, max=1000), as_json: bool = typer.Option(False, "--json"),
               url: str = URL) -> None:
    """The queue in priority order: amount per day left before the appeal deadline."""
    params = {key: value for key, value in (("category", category), ("payer", payer), ("status", status))
              if value}
    body = _call("GET", "/api/work-items", url, params={**params, "limit": limit}).json()
    if as_json:
        print(json.dumps(body["items"]))
        return
    table = Table(title=f"Denial work queue ({body['today']})")
    for column in ("id", "category", "payer", "amount", "age", "deadline", "days left", "status", "assignee"):
        table.add_column(column, justify="right" if column in ("amount", "age", "days left") else "left")
    for item in body["items"]:
        category_cell = item["category"] + ("" if item["carc_known"] else f" (unknown CARC {item['deciding_carc']})")
        table.add_row(item["id"], category_cell, item["payer_id"], item["amount"], str(item["age_days"]),
                      item["appeal_deadline"], str(item["days_left"]), item["status"], item["assignee"] or "")
    Console().print(table)


@app.command("take")
def take(item_id: str, url: str = URL) -> None:
    """Assign a work item to yourself."""
    item = _call("POST", f"/api/work-items/{item_id}/take", url, json={},
                 headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    typer.echo(f"{item['id']} taken by {item['assignee']}")


@app.command("resolve")
def resolve(item_id: str, action: str = typer.Option(..., "--action", help="|".join(ACTIONS)),
            reason: str = typer.Option(None, "--reason", help="write-offs only: a reason code"),
            url: str = URL) -> None:
    """Resolve a work item: resubmit a corrected claim, appeal (letter generated) or write off."""
    if action not in ACTIONS:
        session.fail(f"--action must be one of {', '.join(ACTIONS)}", session.REFUSED)
    body = {"action": action, "reason": reason}
    item = _call("POST", f"/api/work-items/{item_id}/resolve", url, json=body,
                 headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    typer.echo(f"{item['id']} resolved by {item['assignee']}: {item['resolution']}"
               + (f" ({item['reason']})" if item["reason"] else ""))


@app.command("letter")
def letter(item_id: str, html: bool = typer.Option(False, "--html"), url: str = URL) -> None:
    """Print a work item's appeal letter."""
    response = _call("GET", f"/api/work-items/{item_id}/letter", url, params={"format": "html" if html else "text"})
    typer.echo(response.text, nl=False)


@app.command("trends")
def trends(since: str = typer.Option(None, help="payment date from (YYYY-MM-DD)"),
           until: str = typer.Option(None, help="payment date to (YYYY-MM-DD)"),
           as_json: bool = typer.Option(False, "--json"), url: str = URL) -> None:
    """Denial counts and amounts by category, payer, provider, procedure and week."""
    params = {key: value for key, value in (("since", since), ("until", until)) if value}
    body = _call("GET", "/api/trends", url, params=params).json()
    if as_json:
        print(json.dumps(body))
        return
    console = Console()
    console.print(f"{body['denials']} denial(s)")
    for dimension in ("category", "payer", "provider", "procedure", "week"):
        table = Table(title=f"by {dimension}")
        table.add_column(dimension)
        table.add_column("denials", justify="right")
        table.add_column("amount", justify="right")
        for value, bucket in body[dimension].items():
            table.add_row(value, str(bucket["count"]), bucket["amount"])
        console.print(table)
