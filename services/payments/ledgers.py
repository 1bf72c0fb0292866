"""Payments' ledgers in MongoDB: contract fee schedules, the provider's account with each payer
(PLB), underpayment items, patient balances with their entries, and statements. Ids, codes, dates
and amounts only; a patient's name lives sealed in `patients` (repository.py).

Every entry has a stable `_id`, so writing it twice is refused by the unique index and a balance
is only moved by an entry that was actually inserted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, InsertOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.payments.fee_schedule import FeeScheduleEntry
from services.payments.patient_billing import PatientEntry
from services.payments.provider_account import ProviderAccount
from shared.events import ProviderAdjustmentPosted, UnderpaymentOpened
from shared.money import ZERO, stored_amount


def _money(value: Decimal) -> Decimal128:
    return Decimal128(value)


class Ledgers:
    def __init__(self, database: AsyncDatabase) -> None:
        self._fees = database["fee_schedules"]
        self._provider_entries = database["provider_account_entries"]
        self._provider_accounts = database["provider_accounts"]
        self._underpayments = database["underpayments"]
        self._patient_entries = database["patient_entries"]
        self._patient_balances = database["patient_balances"]
        self._statements = database["statements"]
        self._held = database["held_remittances"]

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["fee_schedules"].create_index([("tenant_id", ASCENDING), ("payer_id", ASCENDING),
                                                      ("procedure_code", ASCENDING)])
        await database["patient_entries"].create_index([("tenant_id", ASCENDING), ("patient_id", ASCENDING)])
        await database["patient_balances"].create_index([("tenant_id", ASCENDING), ("balance", ASCENDING)])
        await database["underpayments"].create_index([("tenant_id", ASCENDING), ("status", ASCENDING)])

    # --- fee schedules ------------------------------------------------------------------------

    async def load_fee_schedule(self, tenant_id: str, entries: Sequence[FeeScheduleEntry],
                                session: AsyncClientSession) -> int:
        """Replace the tenant's schedule of every payer named in `entries`; return the rows loaded."""
        payers = sorted({e.payer_id for e in entries})
        await self._fees.delete_many({"tenant_id": tenant_id, "payer_id": {"$in": payers}}, session=session)
        if entries:
            await self._fees.insert_many([{
                "tenant_id": tenant_id, "payer_id": e.payer_id, "procedure_code": e.procedure_code,
                "modifiers": list(e.modifiers), "effective_from": e.effective_from.isoformat(),
                "effective_to": e.effective_to.isoformat() if e.effective_to else None,
                "allowed": _money(e.allowed)} for e in entries], session=session)
        return len(entries)

    async def fee_schedule(self, tenant_id: str, payer_ids: Iterable[str],
                           session: AsyncClientSession | None = None) -> list[FeeScheduleEntry]:
        cursor = self._fees.find({"tenant_id": tenant_id, "payer_id": {"$in": list(set(payer_ids))}}, session=session)
        return [FeeScheduleEntry(doc["payer_id"], doc["procedure_code"], tuple(doc["modifiers"]),
                                 date.fromisoformat(doc["effective_from"]),
                                 date.fromisoformat(doc["effective_to"]) if doc["effective_to"] else None,
                                 stored_amount(doc["allowed"])) async for doc in cursor]

    # --- provider account (PLB) -----------------------------------------------------------------

    async def provider_account(self, tenant_id: str, payer_id: str, session: AsyncClientSession) -> ProviderAccount:
        doc = await self._provider_accounts.find_one({"_id": f"{tenant_id}|{payer_id}"}, session=session)
        return ProviderAccount(tenant_id, payer_id, ZERO if doc is None else stored_amount(doc["balance"]))

    async def posted_provider_entries(self, entry_ids: Iterable[str], session: AsyncClientSession) -> set[str]:
        cursor = self._provider_entries.find({"_id": {"$in": list(set(entry_ids))}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def save_provider_entries(self, tenant_id: str, entries: Sequence[ProviderAdjustmentPosted],
                                    account: ProviderAccount, session: AsyncClientSession) -> None:
        if not entries:
            return
        await self._provider_entries.insert_many([{
            "_id": e.entry_id, "tenant_id": tenant_id, "remittance_id": e.remittance_id, "payer_id": e.payer_id,
            "kind": e.kind, "reason": e.reason, "reference": e.reference, "amount": _money(e.amount),
            "account_balance": _money(e.account_balance), "payment_date": e.payment_date.isoformat()}
            for e in entries], session=session)
        await self._provider_accounts.replace_one(
            {"_id": f"{tenant_id}|{account.payer_id}"},
            {"tenant_id": tenant_id, "payer_id": account.payer_id, "balance": _money(account.balance)},
            upsert=True, session=session)

    # --- underpayments --------------------------------------------------------------------------

    async def open_underpayments(self, tenant_id: str, items: Sequence[UnderpaymentOpened],
                                 session: AsyncClientSession) -> None:
        if items:
            await self._underpayments.insert_many([{
                "_id": u.underpayment_id, "tenant_id": tenant_id, "status": "open", "claim_id": u.claim_id,
                "payer_id": u.payer_id, "remittance_id": u.remittance_id, "procedure_code": u.procedure_code,
                "line_item_control_number": u.line_item_control_number, "expected": _money(u.expected),
                "received": _money(u.received), "shortfall": _money(u.shortfall)} for u in items], session=session)

    # --- held remittances -----------------------------------------------------------------------

    async def hold(self, row: dict, session: AsyncClientSession) -> None:
        row = {**row, **{k: _money(v) for k, v in row.items() if isinstance(v, Decimal)}}
        await self._held.replace_one({"_id": row["_id"]}, row, upsert=True, session=session)

    # --- patient balances -----------------------------------------------------------------------

    async def recorded_patient_entries(self, entry_ids: Iterable[str], session: AsyncClientSession) -> set[str]:
        cursor = self._patient_entries.find({"_id": {"$in": list(set(entry_ids))}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def patient_balance(self, tenant_id: str, patient_id: str,
                              session: AsyncClientSession | None = None) -> Decimal:
        doc = await self._patient_balances.find_one({"_id": f"{tenant_id}|{patient_id}"}, session=session)
        return ZERO if doc is None else stored_amount(doc["balance"])

    async def record_patient_entries(self, entries: Sequence[PatientEntry], balances: dict[tuple[str, str], Decimal],
                                     session: AsyncClientSession) -> None:
        """Insert `entries` and set each (tenant, patient) balance to its value after them."""
        if not entries:
            return
        await self._patient_entries.bulk_write([InsertOne({
            "_id": e.entry_id, "tenant_id": e.tenant_id, "patient_id": e.patient_id, "kind": e.kind,
            "amount": _money(e.amount), "at": e.at.isoformat(), "claim_id": e.claim_id, "method": e.method})
            for e in entries], ordered=True, session=session)
        await self._patient_balances.bulk_write([UpdateOne(
            {"_id": f"{tenant}|{patient}"},
            {"$set": {"tenant_id": tenant, "patient_id": patient, "balance": _money(balance)}}, upsert=True)
            for (tenant, patient), balance in balances.items()], ordered=False, session=session)

    async def patients_owing(self, tenant_id: str) -> list[str]:
        cursor = self._patient_balances.find({"tenant_id": tenant_id, "balance": {"$gt": Decimal128("0.00")}},
                                             sort=[("patient_id", 1)])
        return [doc["patient_id"] async for doc in cursor]

    async def patient_entries(self, tenant_id: str, patient_id: str) -> list[PatientEntry]:
        cursor = self._patient_entries.find({"tenant_id": tenant_id, "patient_id": patient_id}, sort=[("at", 1), ("_id", 1)])
        return [PatientEntry(doc["_id"], doc["tenant_id"], doc["patient_id"], doc["kind"], stored_amount(doc["amount"]),
                             date.fromisoformat(doc["at"]), doc.get("claim_id"), doc.get("method"))
                async for doc in cursor]

    async def record_statement(self, document: dict, session: AsyncClientSession | None = None) -> None:
        await self._statements.replace_one({"_id": document["_id"]}, document, upsert=True, session=session)
