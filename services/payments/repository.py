"""Payments' documents: what was submitted (to match remittances against), postings, unapplied cash
and remittances held for review. No PHI: ids, codes, dates of service and amounts only.

A posting's id is stable per (835 trace number, claim, CLP status), so the same 835 ingested twice
finds its postings already there and posts nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.payments.domain import ExpectedClaim, ExpectedLine
from services.payments.reversals import PriorPosting
from shared.events import Patient, PaymentOutcome, PaymentPosted
from shared.money import stored_amount
from shared.phi import PhiCipher


def _money(value):
    return Decimal128(value)


def _sequence(now: datetime | None, count: int) -> list[str]:
    stamp = (now or datetime.now(UTC)).isoformat()
    return [f"{stamp}#{index:05d}" for index in range(count)]


def _line_document(line) -> dict:
    document = line.model_dump(mode="json")
    for name in ("billed", "paid", "contractual_adjustment", "deductible", "coinsurance", "copay",
                 "other_patient_responsibility", "other_adjustment"):
        document[name] = _money(getattr(line, name))
    return document


class PaymentsRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher | None = None) -> None:
        self._cipher = cipher
        self._patients = database["patients"]
        self._expected = database["expected_claims"]
        self._postings = database["postings"]
        self._unapplied = database["unapplied"]
        self._held = database["held_remittances"]
        self._flagged = database["flagged_remittance_files"]
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
            "patient_id": c.patient_id, "has_secondary": c.has_secondary, "rendering_npi": c.rendering_npi,
            "lines": [{**asdict(line), "charge": _money(line.charge), "modifiers": list(line.modifiers)}
                      for line in c.lines],
        }, upsert=True) for c in claims]
        if writes:
            await self._expected.bulk_write(writes, ordered=False, session=session)

    async def remember_patients(self, tenant_id: str, patients: dict[str, Patient],
                                session: AsyncClientSession) -> None:
        """Keep each patient's name and address sealed (PHI), for statements only."""
        if self._cipher is None or not patients:
            return
        writes = [ReplaceOne({"_id": patient_id}, {"_id": patient_id, "tenant_id": tenant_id,
                                                   "sealed": self._cipher.seal(patient)}, upsert=True)
                  for patient_id, patient in patients.items()]
        await self._patients.bulk_write(writes, ordered=False, session=session)

    async def patient(self, patient_id: str, session: AsyncClientSession | None = None) -> Patient | None:
        doc = await self._patients.find_one({"_id": patient_id}, session=session)
        if doc is None or self._cipher is None:
            return None
        return self._cipher.open(doc["sealed"], Patient)

    async def dates_of_service(self, claim_ids: Iterable[str], session: AsyncClientSession | None = None) -> dict[str, date]:
        cursor = self._expected.find({"_id": {"$in": list(set(claim_ids))}}, {"date_of_service": 1}, session=session)
        return {doc["_id"]: date.fromisoformat(doc["date_of_service"]) async for doc in cursor}

    async def prior_postings(self, claim_ids: Iterable[str], session: AsyncClientSession) -> list[PriorPosting]:
        """The postings of these claims, oldest first, for pairing a reversal with its original."""
        cursor = self._postings.find({"claim_id": {"$in": list(set(claim_ids))}}, sort=[("seq", 1), ("_id", 1)],
                                     session=session)
        return [PriorPosting(doc["_id"], doc["claim_id"], PaymentOutcome(doc["outcome"]), stored_amount(doc["paid"]),
                             stored_amount(doc["billed"]), doc.get("reverses")) async for doc in cursor]

    async def expected(self, claim_ids: Iterable[str], session: AsyncClientSession) -> dict[str, ExpectedClaim]:
        found = {}
        async for doc in self._expected.find({"_id": {"$in": list(set(claim_ids))}}, session=session):
            found[doc["_id"]] = ExpectedClaim(
                claim_id=doc["_id"], encounter_id=doc["encounter_id"], tenant_id=doc["tenant_id"],
                payer_id=doc["payer_id"], billed=doc["billed"].to_decimal(),
                date_of_service=date.fromisoformat(doc["date_of_service"]),
                patient_id=doc.get("patient_id"), has_secondary=doc.get("has_secondary", False),
                rendering_npi=doc.get("rendering_npi"),
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
                            session: AsyncClientSession, now: datetime | None = None) -> None:
        """Insert `postings`; `seq` orders a claim's postings (batch time, then position) so a
        reversal pairs with the latest original."""
        if postings:
            await self._postings.insert_many([{
                "_id": p.posting_id, "tenant_id": tenant_of[p.posting_id], "claim_id": p.claim_id,
                "encounter_id": p.encounter_id, "remittance_id": p.remittance_id, "payer_id": p.payer_id,
                "payment_date": p.payment_date.isoformat(), "outcome": p.outcome.value, "billed": _money(p.billed),
                "paid": _money(p.paid), "contractual": _money(p.contractual_adjustment),
                "patient_responsibility": _money(p.patient_responsibility), "other": _money(p.other_adjustment),
                "denied": _money(p.denied_amount), "deductible": _money(p.deductible),
                "coinsurance": _money(p.coinsurance), "copay": _money(p.copay), "reverses": p.reverses,
                "seq": seq, "lines": [_line_document(line) for line in p.lines]}
                for seq, p in zip(_sequence(now, len(postings)), postings, strict=True)],
                ordered=False, session=session)

    async def park_unapplied(self, rows: Sequence[dict], session: AsyncClientSession) -> None:
        """Unapplied cash work queue: remittance claims that matched nothing or did not add up."""
        writes = [ReplaceOne({"_id": row["_id"]}, {**row, "amount": _money(row["amount"])}, upsert=True) for row in rows]
        if writes:
            await self.touch((row["claim_ref"] for row in rows), session)
            await self._unapplied.bulk_write(writes, ordered=False, session=session)

    async def flag_remittance_file(self, row: dict, session: AsyncClientSession) -> None:
        """An 835 posted although it has defects that do not change the money (see handlers)."""
        await self._flagged.replace_one({"_id": row["_id"]}, row, upsert=True, session=session)

    async def hold_remittance(self, row: dict, session: AsyncClientSession) -> None:
        await self._held.replace_one({"_id": row["_id"]}, row, upsert=True, session=session)
