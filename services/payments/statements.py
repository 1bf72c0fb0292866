"""Patient statements: what a patient owes, per visit, and what they already paid, as data (JSON)
and as printable HTML. The patient's name and address appear only on the statement itself; they are
opened from the sealed copy payments keeps and never logged."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.payments.patient_billing import PatientEntry
from shared.events import Patient
from shared.ids import stable_id
from shared.money import total

DAYS_TO_PAY = 30


@dataclass(frozen=True, slots=True)
class StatementLine:
    claim_id: str | None
    date_of_service: date | None
    description: str  # "Visit" or "Payment - card": no CPT descriptions
    amount: Decimal
    posted_on: date


@dataclass(frozen=True, slots=True)
class Statement:
    statement_id: str
    tenant_id: str
    patient_id: str
    statement_date: date
    due_date: date
    lines: tuple[StatementLine, ...]
    balance: Decimal
    patient: Patient | None  # name and address for the envelope; None when we have no copy

    def to_data(self) -> dict[str, Any]:
        """The data behind the statement, as JSON-ready values (amounts as strings to the cent)."""
        return {
            "statement_id": self.statement_id, "tenant_id": self.tenant_id, "patient_id": self.patient_id,
            "statement_date": self.statement_date.isoformat(), "due_date": self.due_date.isoformat(),
            "balance": f"{self.balance:.2f}",
            "patient": None if self.patient is None else {
                "name": f"{self.patient.first_name} {self.patient.last_name}",
                "address": self.patient.address.model_dump(mode="json")},
            "lines": [{"claim_id": line.claim_id,
                       "date_of_service": line.date_of_service.isoformat() if line.date_of_service else None,
                       "description": line.description, "amount": f"{line.amount:.2f}",
                       "posted_on": line.posted_on.isoformat()} for line in self.lines],
        }


def build_statement(tenant_id: str, patient_id: str, entries: Sequence[PatientEntry],
                    dates_of_service: dict[str, date], patient: Patient | None, statement_date: date) -> Statement:
    """Return the statement of one patient's entries up to `statement_date`; its balance is the sum
    of the lines, to the cent. The id is stable per (tenant, patient, date): a run repeated the same
    day produces the same statement."""
    lines = tuple(
        StatementLine(
            claim_id=entry.claim_id,
            date_of_service=dates_of_service.get(entry.claim_id or ""),
            description=_description(entry),
            amount=entry.amount,
            posted_on=entry.at,
        )
        for entry in sorted(entries, key=lambda e: (e.at, e.entry_id))
        if entry.at <= statement_date
    )
    return Statement(
        statement_id=stable_id("stm", tenant_id, patient_id, statement_date.isoformat()),
        tenant_id=tenant_id, patient_id=patient_id, statement_date=statement_date,
        due_date=statement_date + timedelta(days=DAYS_TO_PAY), lines=lines,
        balance=total(line.amount for line in lines), patient=patient)


def _description(entry: PatientEntry) -> str:
    if entry.kind == "payment":
        return f"Payment - {entry.method or 'received'}"
    if entry.amount < 0:
        return "Insurance reprocessed: patient share taken back"
    return "Visit: your share after insurance"


def render_html(statement: Statement, practice_name: str) -> str:
    """A printable HTML statement (A4/Letter friendly, no scripts, no external resources)."""
    e = html.escape
    who = "Patient " + e(statement.patient_id)
    address = ""
    if statement.patient is not None:
        p = statement.patient
        who = e(f"{p.first_name} {p.last_name}")
        address = e(f"{p.address.line1}, {p.address.city}, {p.address.state} {p.address.postal_code}")
    rows = "\n".join(
        f"<tr><td>{e(line.posted_on.isoformat())}</td>"
        f"<td>{e(line.date_of_service.isoformat()) if line.date_of_service else ''}</td>"
        f"<td>{e(line.description)}</td><td class=\"amount\">{line.amount:.2f}</td></tr>"
        for line in statement.lines
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement {e(statement.statement_id)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
.amount {{ text-align: right; }} .due {{ font-size: 1.3em; font-weight: bold; }}
@media print {{ body {{ margin: 0; }} }}
</style></head>
<body>
<h1>{e(practice_name)}</h1>
<p>Statement {e(statement.statement_id)} &middot; {e(statement.statement_date.isoformat())}</p>
<p>{who}<br>{address}</p>
<table><thead><tr><th>Posted</th><th>Date of service</th><th>Description</th><th class="amount">Amount</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p class="due">Amount due: {statement.balance:.2f} by {e(statement.due_date.isoformat())}</p>
</body></html>
"""
