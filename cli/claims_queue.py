"""`rcm claims queue`: the claims work queue (scrub failures, 999/277CA rejections, denied claims to
correct), through the claims service's HTTP API.

The CLI is a client of the API, so the claims service must be running. It finds the API at
RCM_CLAIMS_API_URL (default http://127.0.0.1:8103) and sends the bearer token in RCM_API_TOKEN (or
--token): a token from the identity provider, whose subject is the actor of every action.

Exit codes: 0 done; 1 refused (the claim's state or the request does not allow it); 2 the token was
refused (401) or does not allow it (403); 3 the API could not be reached or failed; 4 no such claim.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from typing import NoReturn

import httpx
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Claims work queue: list, take, correct, scrub, submit, close, release")

REFUSED, UNAUTHORIZED, UNREACHABLE, NOT_FOUND = 1, 2, 3, 4
URL = typer.Option(None, "--url", help="the API's base URL (default RCM_CLAIMS_API_URL or http://127.0.0.1:8103)")
TOKEN = typer.Option(None, "--token", help="bearer token (default RCM_API_TOKEN)")
REVISION = typer.Option(None, "--revision", help="the revision you saw (refused if the claim changed since)")


def make_client(url: str | None, token: str | None) -> httpx.Client:
    """An HTTP client of the claims API (tests replace this)."""
    base = url or os.environ.get("RCM_CLAIMS_API_URL") or "http://127.0.0.1:8103"
    bearer = token or os.environ.get("RCM_API_TOKEN", "")
    return httpx.Client(base_url=base, timeout=30.0, headers={"Authorization": f"Bearer {bearer}"})


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _call(method: str, path: str, url: str | None, token: str | None, *, service: str = "claims", **kwargs) -> dict:
    try:
        with make_client(url, token) as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as failure:
        _fail(f"cannot reach the {service} API ({type(failure).__name__}); is the {service} service running?", UNREACHABLE)
    if response.is_success:
        return response.json()
    try:
        body = response.json()
        message = body.get("message") or body.get("detail")
    except ValueError:
        message = None
    if not isinstance(message, str):
        message = f"request refused ({response.status_code})"
    if response.status_code in (401, 403):
        _fail(f"the {service} API refused the token: {message}", UNAUTHORIZED)
    if response.status_code == 404:
        _fail(message, NOT_FOUND)
    if response.status_code in (409, 422):
        _fail(message, REFUSED)
    _fail(f"the {service} API failed ({response.status_code})", UNREACHABLE)


def _act(claim_id: str, action: str, url, token, revision: int | None, **body) -> dict:
    # A fresh request id per command: the API applies it once even if the HTTP call is retried.
    payload = {"request_id": f"cli-{uuid.uuid4().hex}", "revision": revision, **body}
    claim = _call("POST", f"/api/claims/{claim_id}/{action}", url, token, json=payload)
    typer.echo(f"{claim['id']} {claim['status']} (revision {claim['revision']}"
               + (f", held by {claim['assignee']}" if claim["assignee"] else "") + ")"
               + (f"; changed {', '.join(claim['changed'])}" if claim.get("changed") else ""))
    for finding in claim["findings"] if claim["status"] == "scrub_failed" else ():
        typer.echo(f"  {finding.get('rule') or finding['code']}: {finding['message']}")
    return claim


@app.command("list")
def list_queue(status: str = typer.Option(None, help="default: scrub_failed and rejected"),
               payer: str = typer.Option(None), reason: str = typer.Option(None, help="a rule id or status code"),
               tenant: str = typer.Option(None), sort: str = typer.Option("value", help="value|age"),
               limit: int = typer.Option(50, min=1, max=1000), as_json: bool = typer.Option(False, "--json"),
               url: str = URL, token: str = TOKEN) -> None:
    """The claims only a person can move on, highest billed amount (or oldest) first."""
    params = {key: value for key, value in (("status", status), ("payer", payer), ("reason", reason),
                                            ("tenant", tenant), ("sort", sort), ("limit", limit)) if value}
    body = _call("GET", "/api/claims/queue", url, token, params=params)
    if as_json:
        print(json.dumps(body["items"]))
        return
    table = Table(title=f"Claims work queue ({body['today']})")
    for column in ("id", "tenant", "payer", "status", "billed", "age", "why", "assignee"):
        table.add_column(column, justify="right" if column in ("billed", "age") else "left")
    for item in body["items"]:
        why = ", ".join(f.get("rule") or f["code"] for f in item["findings"] if f.get("severity", "error") == "error")
        table.add_row(item["id"], item["tenant_id"], item["payer_id"], item["status"], item["billed"],
                      str(item["age_days"]), why, item["assignee"] or "")
    Console().print(table)


@app.command("show")
def show(claim_id: str, url: str = URL, token: str = TOKEN) -> None:
    """A claim's correctable data (codes, units, place, NPIs, date) and why it is in the queue, as JSON."""
    print(json.dumps(_call("GET", f"/api/claims/{claim_id}", url, token), indent=2))


@app.command("take")
def take(claim_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Assign the claim to yourself."""
    _act(claim_id, "take", url, token, revision)


@app.command("release")
def release(claim_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Put the claim back in the queue (a clean claim you held goes out in the next batch)."""
    _act(claim_id, "release", url, token, revision)


def _line_edit(spec: str) -> dict:
    """"1:modifiers=25+59,units=2,pointers=1+2,code=99214" -> a line edit."""
    number, _, fields = spec.partition(":")
    edit: dict = {"line_number": int(number)}
    names = {"modifiers": "modifiers", "units": "units", "pointers": "diagnosis_pointers", "code": "procedure_code"}
    for field in filter(None, fields.split(",")):
        name, _, value = field.partition("=")
        if name not in names:
            raise typer.BadParameter(f"unknown line field {name!r}; use {', '.join(names)}")
        if name == "units":
            edit["units"] = int(value)
        elif name == "code":
            edit["procedure_code"] = value
        else:
            items = [item for item in value.split("+") if item]
            edit[names[name]] = [int(item) for item in items] if name == "pointers" else items
    return edit


@app.command("correct")
def correct(claim_id: str,
            diagnoses: str = typer.Option(None, help="all the claim's diagnoses in order, e.g. I10,E119"),
            place_of_service: str = typer.Option(None, "--pos"), rendering_npi: str = typer.Option(None),
            billing_npi: str = typer.Option(None), date_of_service: str = typer.Option(None, help="YYYY-MM-DD"),
            line: list[str] = typer.Option(None, help='e.g. "1:modifiers=25,units=2,pointers=1+2"'),
            revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Change the claim's data (it is scrubbed again on `scrub` or `submit`)."""
    edits: dict = {"lines": [_line_edit(spec) for spec in line or ()]}
    if diagnoses:
        edits["diagnoses"] = [code.strip().replace(".", "").upper() for code in diagnoses.split(",") if code.strip()]
    if date_of_service:
        edits["date_of_service"] = date.fromisoformat(date_of_service).isoformat()
    for key, value in (("place_of_service", place_of_service), ("rendering_npi", rendering_npi),
                       ("billing_npi", billing_npi)):
        if value:
            edits[key] = value
    _act(claim_id, "correct", url, token, revision, edits=edits)


@app.command("scrub")
def scrub(claim_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Scrub the claim again; a clean claim is held for you to submit."""
    _act(claim_id, "scrub", url, token, revision)


@app.command("submit")
def submit(claim_id: str, revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Scrub again if needed and send a clean claim in the next batch (a denied one as frequency 7)."""
    _act(claim_id, "submit", url, token, revision)


@app.command("close")
def close(claim_id: str, reason: str = typer.Option(..., help="DUPLICATE|NOT_BILLABLE|BILLED_ELSEWHERE|SELF_PAY|"
                                                                "TIMELY_FILING_PASSED|OTHER"),
          revision: int = REVISION, url: str = URL, token: str = TOKEN) -> None:
    """Close a scrub failure or rejection with a reason code: nothing is sent for it."""
    _act(claim_id, "close", url, token, revision, reason=reason)
