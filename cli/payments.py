"""`rcm payments`: contract fee schedules, patient payments and statement runs, through payments'
API as the signed-in user (cli/session.py; exit 2 without a token or the role, 3 unreachable).

rcm payments fee-schedule load FILE --tenant T     exit 0 loaded, 1 a bad row (nothing loaded), 2 unreadable
rcm payments fee-schedule demo FILE --tenant T     the simulator's payers' contracts for a demo practice
rcm payments patient-payment --tenant T --patient P --amount 25.00 --method card --reference R
                                                   exit 0 recorded (or already), 1 refused
rcm payments statements run --tenant T --out DIR   exit 0, one .html + .json per patient owing
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from cli import session

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Payments: fee schedules, patient payments, patient statements")
fee_app = typer.Typer(no_args_is_help=True, help="Per-payer contract fee schedules (expected payment)")
statements_app = typer.Typer(no_args_is_help=True, help="Patient statements")
app.add_typer(fee_app, name="fee-schedule")
app.add_typer(statements_app, name="statements")


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def make_client(url: str | None = None):
    """An HTTP client for payments' API (RCM_PAYMENTS_API_URL, default this host's payments port)."""
    import os

    from shared.settings import DEFAULT_HTTP_PORTS, ServiceSettings

    settings = ServiceSettings()
    default = f"http://{settings.http_host}:{settings.http_port or DEFAULT_HTTP_PORTS['payments']}"
    return session.api_client(url or os.environ.get("RCM_PAYMENTS_API_URL") or default)


def _call(method: str, path: str, **kwargs):
    return session.call(make_client, method, path, "payments", **kwargs)


@fee_app.command("load")
def fee_schedule_load(file: Path, tenant: Annotated[str, typer.Option(help="tenant id")]) -> None:
    """Validate every row of a fee schedule CSV and load it; a bad row loads nothing."""
    from services.payments.fee_schedule import FeeScheduleInvalid, parse_fee_schedule_csv

    try:
        text = file.read_text(encoding="utf-8")
        parse_fee_schedule_csv(text)  # every row checked here first: the API refuses the same file
    except FeeScheduleInvalid as refused:
        raise _fail(f"{file.name}: {refused}", 1) from None
    except (OSError, UnicodeDecodeError) as unreadable:
        raise _fail(f"cannot read {file}: {getattr(unreadable, 'strerror', None) or 'not UTF-8 text'}", 2) from None

    loaded = _call("PUT", f"/api/fee-schedules/{tenant}", content=text.encode("utf-8"),
                   headers={"Content-Type": "text/csv"}).json()["loaded"]
    typer.echo(f"loaded {loaded} fee schedule rows for {tenant}")


@fee_app.command("demo")
def fee_schedule_demo(out: Path, tenant: Annotated[str, typer.Option()], seed: int = 2026) -> None:
    """Write the contract fee schedule of the simulator's payers for a demo practice."""
    from simulator.contracts import demo_fee_schedule_csv

    try:
        text = demo_fee_schedule_csv(seed, tenant)
    except KeyError:
        raise _fail(f"the demo world has no practice {tenant}", 1) from None
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command("patient-payment")
def patient_payment(
    tenant: Annotated[str, typer.Option()],
    patient: Annotated[str, typer.Option(help="patient id (pat_...)")],
    amount: Annotated[str, typer.Option(help="dollars, e.g. 25.00")],
    reference: Annotated[str, typer.Option(help="receipt or transaction number; recording it twice records once")],
    method: Annotated[str, typer.Option(help="card, cash, check or ach")] = "card",
    received: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
) -> None:
    """Record a patient payment: it lowers the patient's balance and is audited (as the signed-in user)."""
    from services.payments.patient_billing import PatientPaymentRefused
    from services.payments.patient_billing import patient_payment as a_payment

    now = datetime.now(UTC)
    try:
        entry = a_payment(tenant, patient, Decimal(amount), reference=reference, method=method,
                          received_on=date.fromisoformat(received) if received else now.date())
    except (InvalidOperation, ValueError):
        raise _fail("amount must be dollars like 25.00 and --received a date YYYY-MM-DD", 1) from None
    except PatientPaymentRefused as refused:
        raise _fail(str(refused), 1) from None
    if not patient.startswith("pat_") or len(patient) != 36:
        raise _fail("--patient must be a patient id (pat_ and 32 hex digits)", 1)

    body = {"tenant_id": tenant, "amount": str(entry.amount.copy_negate()), "reference": reference, "method": method,
            "received_on": entry.at.isoformat()}
    answer = _call("POST", f"/api/patients/{patient}/payments", json=body).json()
    if not answer["recorded"]:
        typer.echo(f"payment {reference} was recorded before; nothing changed")
    else:
        typer.echo(f"recorded {amount} for {patient}; balance {Decimal(answer['balance']):.2f}")


@statements_app.command("run")
def statements_run(
    tenant: Annotated[str, typer.Option()],
    out: Annotated[Path, typer.Option(help="directory for the .html and .json statements")],
    statement_date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD, default today")] = None,
    practice: Annotated[str, typer.Option(help="name printed on the statements")] = "Your care provider",
) -> None:
    """Produce a statement (printable HTML + its JSON data) for every patient with a balance."""
    import json

    now = datetime.now(UTC)
    try:
        on = date.fromisoformat(statement_date) if statement_date else now.date()
    except ValueError:
        raise _fail("--date must be YYYY-MM-DD", 1) from None
    answer = _call("POST", "/api/statement-runs", json={"tenant_id": tenant, "statement_date": on.isoformat(),
                                                        "practice_name": practice}).json()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for page in answer["statements"]:  # named by the opaque statement id, never by patient
            (out / f"{page['statement_id']}.html").write_text(page["html"], encoding="utf-8")
            (out / f"{page['statement_id']}.json").write_text(json.dumps(page["data"], indent=2), encoding="utf-8")
    except OSError as unwritable:
        raise _fail(f"cannot write to {out}: {unwritable.strerror}", 2) from None
    typer.echo(f"{len(answer['statements'])} statements in {out}")
