"""Operator actions on payments' data, run from `rcm payments ...` (and integration tests): load a
contract fee schedule, record a patient payment, run patient statements.

Each runs in one transaction with the events it emits written to payments' outbox, so the running
service's relay publishes them exactly as if a handler had emitted them.
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
from shared.events import AuditRecorded, PatientBalanceChanged, PatientStatementIssued
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import outbox_document
from shared.phi import PhiCipher

PRODUCER = "payments"


async def load_fee_schedule(client: AsyncMongoClient, database: AsyncDatabase, tenant_id: str,
                            entries: tuple[FeeScheduleEntry, ...]) -> int:
    """Replace the tenant's schedule for the payers in `entries`, all or nothing; return the count."""
    ledgers = Ledgers(database)
    return await in_transaction(client, lambda session: ledgers.load_fee_schedule(tenant_id, entries, session))


async def record_patient_payment(client: AsyncMongoClient, database: AsyncDatabase, entry: PatientEntry, *,
                                 actor: str, now: datetime) -> PatientBalanceChanged | None:
    """Record a patient payment and audit it; return the balance change, or None when this payment
    (same reference) was recorded before."""
    ledgers = Ledgers(database)

    async def work(session) -> PatientBalanceChanged | None:
        if await ledgers.recorded_patient_entries([entry.entry_id], session):
            return None
        start = await ledgers.patient_balance(entry.tenant_id, entry.patient_id, session)
        balance, (change,) = apply_entries(start, [entry])
        await ledgers.record_patient_entries([entry], {(entry.tenant_id, entry.patient_id): balance}, session)
        audit = AuditRecorded(actor=actor, action="PATIENT_PAYMENT_RECORDED", subject_type="PATIENT",
                              subject_id=entry.patient_id, at=now)
        await database["outbox"].insert_many([
            outbox_document(topic, new_event(topic, payload, producer=PRODUCER, now=now, tenant_id=entry.tenant_id,
                                             correlation_id=entry.patient_id))
            for topic, payload in ((topics.PATIENT_BALANCE_CHANGED, change), (topics.AUDIT, audit))], session=session)
        return change

    return await in_transaction(client, work)


@dataclass(frozen=True, slots=True)
class StatementRun:
    statements: tuple[Statement, ...]
    files: tuple[Path, ...]


async def run_statements(client: AsyncMongoClient, database: AsyncDatabase, cipher: PhiCipher, tenant_id: str,
                         out: Path, *, statement_date: date, now: datetime, practice_name: str) -> StatementRun:
    """Write `<statement_id>.html` and `.json` into `out` for every patient of `tenant_id` with a
    balance above zero, record each statement and emit PatientStatementIssued. Files are named by
    the opaque statement id, never by patient."""
    payments = PaymentsRepository(database, cipher)
    ledgers = Ledgers(database)
    out.mkdir(parents=True, exist_ok=True)
    statements, files = [], []
    for patient_id in await ledgers.patients_owing(tenant_id):
        entries = await ledgers.patient_entries(tenant_id, patient_id)
        dates = await payments.dates_of_service(e.claim_id for e in entries if e.claim_id)
        statement = build_statement(tenant_id, patient_id, entries, dates, await payments.patient(patient_id),
                                    statement_date)
        if statement.balance <= 0:
            continue
        html_file, data_file = out / f"{statement.statement_id}.html", out / f"{statement.statement_id}.json"
        html_file.write_text(render_html(statement, practice_name), encoding="utf-8")
        data_file.write_text(json.dumps(statement.to_data(), indent=2), encoding="utf-8")
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

        await in_transaction(client, work)
        statements.append(statement)
        files += [html_file, data_file]
    return StatementRun(tuple(statements), tuple(files))
