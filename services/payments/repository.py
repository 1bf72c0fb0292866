"""Payments' documents: what was submitted (to match remittances against), postings, unapplied cash
and remittances held for review. No PHI: ids, codes, dates of service and amounts only.

A posting's id is stable per (835 trace number, claim, CLP status), so the same 835 ingested twice
finds its postings already there and posts nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.payments.domain import ExpectedClaim, ExpectedLine
from shared.events import PaymentPosted


def _money(value):
    return Decimal128(value)


class PaymentsRepository:
    def __init__(self, database: AsyncDatabase) -> None:
        self._expected = database["expected_claims"]
        self._postings = database["postings"]
        self._unapplied = database["unapplied"]
        self._held = database["held_remittances"]
        self._matches = database["claim_matches"]

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["postings"].create_index([("claim_id", ASCENDING)])
        await database["postings"].create_index([("tenant_id", ASCENDING), ("payment_date", ASCENDING)])
        await database["unapplied"].create_index([("claim_ref", ASCENDING), ("reason_code", ASCENDING)])

    async def touch(self, claim_ids: Iterable[str], session: AsyncClientSession) -> None:
        """Write one shared document per claim in this transaction.

        Remembering a submission and parking cash for an unknown claim happen in two transactions
        that read each other's collections. Under snapshot isolation both could commit without
        seeing the other (write skew), leaving the cash parked for ever. Both touch the claim's
        match document, so MongoDB aborts one with a write conflict and it is retried, seeing the
        other's result."""
        writes = [UpdateOne({"_id": claim_id}, {"$inc": {"touches": 1}}, upsert=True) for claim_id in set(claim_ids)]
        if writes:
            await self._matches.bulk_write(writes, ordered=False, session=session)

    async def remember(self, claims: Sequence[ExpectedClaim], session: AsyncClientSession) -> None:
        """Keep what was submitted; a corrected claim (same claim id) replaces the original."""
        await self.touch((c.claim_id for c in claims), session)
        writes = [ReplaceOne({"_id": c.claim_id}, {
            "_id": c.claim_id, "encounter_id": c.encounter_id, "tenant_id": c.tenant_id, "payer_id": c.payer_id,
            "billed": _money(c.billed), "date_of_service": c.date_of_service.isoformat(),
            "lines": [{**asdict(line), "charge": _money(line.charge), "modifiers": list(line.modifiers)}
                      for line in c.lines],
        }, upsert=True) for c in claims]
        if writes:
            await self._expected.bulk_write(writes, ordered=False, session=session)

    async def expected(self, claim_ids: Iterable[str], session: AsyncClientSession) -> dict[str, ExpectedClaim]:
        found = {}
        async for doc in self._expected.find({"_id": {"$in": list(set(claim_ids))}}, session=session):
            found[doc["_id"]] = ExpectedClaim(
                claim_id=doc["_id"], encounter_id=doc["encounter_id"], tenant_id=doc["tenant_id"],
                payer_id=doc["payer_id"], billed=doc["billed"].to_decimal(),
                date_of_service=date.fromisoformat(doc["date_of_service"]),
                lines=tuple(ExpectedLine(line_item_control_number=line["line_item_control_number"],
                                         procedure_code=line["procedure_code"], modifiers=tuple(line["modifiers"]),
                                         units=line["units"], charge=line["charge"].to_decimal())
                            for line in doc["lines"]))
        return found

    async def posted_or_parked(self, posting_ids: Iterable[str], session: AsyncClientSession) -> set[str]:
        """Which of these postings exist already, posted or parked as unapplied cash."""
        ids = list(set(posting_ids))
        found = {doc["_id"] async for doc in self._postings.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)}
        found |= {doc["_id"] async for doc in self._unapplied.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)}
        return found

    async def unapplied_for(self, claim_ids: Sequence[str], reason_code: str, session: AsyncClientSession) -> list[dict]:
        cursor = self._unapplied.find({"claim_ref": {"$in": list(claim_ids)}, "reason_code": reason_code},
                                      sort=[("_id", 1)], session=session)
        return [doc async for doc in cursor]

    async def forget_unapplied(self, ids: Sequence[str], session: AsyncClientSession) -> None:
        if ids:
            await self._unapplied.delete_many({"_id": {"$in": list(ids)}}, session=session)

    async def save_postings(self, tenant_of: dict[str, str], postings: Sequence[PaymentPosted],
                            session: AsyncClientSession) -> None:
        if postings:
            await self._postings.insert_many([{
                "_id": p.posting_id, "tenant_id": tenant_of[p.posting_id], "claim_id": p.claim_id,
                "encounter_id": p.encounter_id, "remittance_id": p.remittance_id, "payer_id": p.payer_id,
                "payment_date": p.payment_date.isoformat(), "outcome": p.outcome.value, "billed": _money(p.billed),
                "paid": _money(p.paid), "contractual": _money(p.contractual_adjustment),
                "patient_responsibility": _money(p.patient_responsibility), "other": _money(p.other_adjustment),
                "denied": _money(p.denied_amount)} for p in postings], ordered=False, session=session)

    async def park_unapplied(self, rows: Sequence[dict], session: AsyncClientSession) -> None:
        """Unapplied cash work queue: remittance claims that matched nothing or did not add up."""
        writes = [ReplaceOne({"_id": row["_id"]}, {**row, "amount": _money(row["amount"])}, upsert=True) for row in rows]
        if writes:
            await self.touch((row["claim_ref"] for row in rows), session)
            await self._unapplied.bulk_write(writes, ordered=False, session=session)

    async def hold_remittance(self, row: dict, session: AsyncClientSession) -> None:
        await self._held.replace_one({"_id": row["_id"]}, row, upsert=True, session=session)
