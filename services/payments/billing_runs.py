"""People's actions on payments' data, run by payments' API (api.py, which `rcm payments ...`
calls): load a contract fee schedule, record a patient payment, run patient statements.

Each runs in one transaction with the events it emits and the audit record of who did it written
to payments' outbox, so the service's relay publishes them exactly as if a handler had emitted them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bson.decimal128 import Decimal128
from pymongo.asynchronous.database import AsyncDatabase

from services.payments.fee_schedule import FeeScheduleEntry
from services.payments.ledgers import Ledgers
from services.payments.patient_billing import PatientEntry, apply_entries
from services.payments.repository import PaymentsRepository
from services.payments.statements import Statement, build_statement, render_html
from shared import topics
from shared.envelope import new_event
from shared.actions import audit_row
from shared.api import Caller
from shared.events import PatientBalanceChanged, PatientStatementIssued
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import outbox_document
from shared.phi import PhiCipher

PRODUCER = "payments"


async def load_fee_schedule(client: AsyncMongoClient, database: AsyncDatabase, tenant_id: str,
                            entries: tuple[FeeScheduleEntry, ...], *, who: Caller | None = None,
                            now: datetime | None = None) -> int:
    """Replace the tenant's schedule for the payers in `entries`, all or nothing (audited as `who`,
    in the same transaction); return the count."""
    ledgers = Ledgers(database)

    async def work(session) -> int:
        loaded = await ledgers.load_fee_schedule(tenant_id, entries, session)
        if who is not None:
            await database["outbox"].insert_one(audit_row(who, "FEE_SCHEDULE_LOADED", "FEE_SCHEDULE", tenant_id,
                                                          tenant_id, service=PRODUCER, now=now), session=session)
        return loaded

    return await in_transaction(client, work)


async def record_patient_payment(client: AsyncMongoClient, database: AsyncDatabase, entry: PatientEntry, *,
                                 who: Caller, now: datetime) -> PatientBalanceChanged | None:
    """Record a patient payment and audit it; return the balance change, or None when this payment
    (same reference) was recorded before."""
    ledgers = Ledgers(database)

    async def work(session) -> PatientBalanceChanged | None:
        if await ledgers.recorded_patient_entries([entry.entry_id], session):
            return None
        start = await ledgers.patient_balance(entry.tenant_id, entry.patient_id, session)
        balance, (change,) = apply_entries(start, [entry])
        await ledgers.record_patient_entries([entry], {(entry.tenant_id, entry.patient_id): balance}, session)
        await database["outbox"].insert_many([
            outbox_document(topics.PATIENT_BALANCE_CHANGED, new_event(
                topics.PATIENT_BALANCE_CHANGED, change, producer=PRODUCER, now=now, tenant_id=entry.tenant_id,
                correlation_id=entry.patient_id)),
            audit_row(who, "PATIENT_PAYMENT_RECORDED", "PATIENT", entry.patient_id, entry.tenant_id,
                      service=PRODUCER, now=now)], session=session)
        return change

    return await in_transaction(client, work)


@dataclass(frozen=True, slots=True)
class StatementPage:
    statement: Statement
    html: str  # the printable statement (PHI: the patient's name and address)
    data: dict  # its figures, as the .json beside the page


@dataclass(frozen=True, slots=True)
class StatementRun:
    pages: tuple[StatementPage, ...]

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(page.statement for page in self.pages)

    def write(self, out: Path) -> tuple[Path, ...]:
        """`<statement_id>.html` and `.json` in `out`: named by the opaque statement id, never by patient."""
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for page in self.pages:
            html_file, data_file = out / f"{page.statement.statement_id}.html", out / f"{page.statement.statement_id}.json"
            html_file.write_text(page.html, encoding="utf-8")
            data_file.write_text(json.dumps(page.data, indent=2), encoding="utf-8")
            files += [html_file, data_file]
        return tuple(files)


async def run_statements(client: AsyncMongoClient, database: AsyncDatabase, cipher: PhiCipher, tenant_id: str, *,
                         statement_date: date, now: datetime, practice_name: str, who: Caller) -> StatementRun:
    """A statement for every patient of `tenant_id` with a balance above zero: each recorded, with
    PatientStatementIssued and an audit record (the page holds PHI, handed to `who`)."""
    payments = PaymentsRepository(database, cipher)
    ledgers = Ledgers(database)
    pages = []
    for patient_id in await ledgers.patients_owing(tenant_id):
        entries = await ledgers.patient_entries(tenant_id, patient_id)
        dates = await payments.dates_of_service(e.claim_id for e in entries if e.claim_id)
        statement = build_statement(tenant_id, patient_id, entries, dates, await payments.patient(patient_id),
                                    statement_date)
        if statement.balance <= 0:
            continue
        issued = PatientStatementIssued(statement_id=statement.statement_id, patient_id=patient_id,
                                        statement_date=statement_date, balance=statement.balance,
                                        due_date=statement.due_date)

        async def work(session, statement=statement, issued=issued) -> None:
            await ledgers.record_statement({
                "_id": statement.statement_id, "tenant_id": tenant_id, "patient_id": statement.patient_id,
                "statement_date": statement_date.isoformat(), "due_date": statement.due_date.isoformat(),
                "balance": Decimal128(statement.balance), "lines": len(statement.lines)}, session)
            await database["outbox"].insert_one(outbox_document(topics.PATIENT_STATEMENT_ISSUED, new_event(
                topics.PATIENT_STATEMENT_ISSUED, issued, producer=PRODUCER, now=now, tenant_id=tenant_id,
                correlation_id=statement.patient_id)), session=session)
            await database["outbox"].insert_one(audit_row(who, "PATIENT_STATEMENT_ISSUED", "PATIENT", patient_id,
                                                          tenant_id, service=PRODUCER, now=now), session=session)

        await in_transaction(client, work)
        pages.append(StatementPage(statement, render_html(statement, practice_name), statement.to_data()))
    return StatementRun(tuple(pages))
