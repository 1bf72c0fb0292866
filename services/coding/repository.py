"""Coding's documents: per-tenant chargemasters, coded/held encounters (the review queue) and
coders' review decisions. A held encounter keeps what was registered (sealed) so a coder can fix
and release it; suggestions are stored as codes and scores, never with the note."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.coding.chargemaster import (
    Chargemaster,
    ChargemasterEntry,
    OverlappingChargemasterEntry,
    overlapping,
)
from services.coding.suggestions import NoteReading
from shared.events import EncounterRegistered, Finding
from shared.mongo import in_transaction
from shared.phi import PhiCipher

DECISIONS = "review_decisions"


class CodingRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher) -> None:
        self._chargemaster = database["chargemaster"]
        self._encounters = database["encounters"]
        self._cipher = cipher

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["chargemaster"].create_index([("tenant_id", ASCENDING), ("procedure_code", ASCENDING)])
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("status", ASCENDING)])
        await database[DECISIONS].create_index([("coder", ASCENDING)])

    # --- chargemasters ---------------------------------------------------------------------------

    async def load_chargemaster(self, tenant_id: str, entries: Sequence[ChargemasterEntry], *,
                                audit: dict | None = None) -> int:
        """Add or replace a tenant's entries (keyed by code, modifier, effective_from) in one
        transaction: all or nothing. An entry effective from a new date sits beside the older one;
        raise OverlappingChargemasterEntry when explicit date ranges would overlap. Returns how many
        were written. `audit`: an outbox row (who loaded it) written in the same transaction."""
        Chargemaster(entries)  # refuses duplicates before anything is written
        writes = [ReplaceOne({"_id": _entry_key(tenant_id, e)}, {
            "_id": _entry_key(tenant_id, e), "tenant_id": tenant_id, "procedure_code": e.procedure_code,
            "modifier": e.modifier, "unit_price": Decimal128(e.unit_price),
            "effective_from": e.effective_from.isoformat(),
            "effective_to": e.effective_to.isoformat() if e.effective_to else None, "description": e.description,
        }, upsert=True) for e in entries]

        async def work(session: AsyncClientSession) -> int:
            await self._refuse_overlaps(tenant_id, entries, session)
            if writes:
                await self._chargemaster.bulk_write(writes, ordered=False, session=session)
            if audit is not None:
                await self._chargemaster.database["outbox"].insert_one(audit, session=session)
            return len(writes)

        return await in_transaction(self._chargemaster.database.client, work)

    async def _refuse_overlaps(self, tenant_id: str, entries: Sequence[ChargemasterEntry],
                               session: AsyncClientSession) -> None:
        """Raise OverlappingChargemasterEntry when a new entry's dates overlap a stored entry of the
        same code and modifier (one with the same effective_from is replaced, not overlapped)."""
        new_keys = {e.key for e in entries}
        stored = [e for e in (await self._stored_entries(tenant_id, session)) if e.key not in new_keys]
        merged = [*stored, *entries]
        for earlier, later in overlapping(merged):
            if earlier >= len(stored) or later >= len(stored):
                first, second = merged[earlier], merged[later]
                raise OverlappingChargemasterEntry(
                    f"{second.procedure_code} modifier {second.modifier or '(none)'} from "
                    f"{second.effective_from.isoformat()} overlaps the entry from {first.effective_from.isoformat()}"
                    f" to {first.effective_to.isoformat() if first.effective_to else 'open'}")

    async def _stored_entries(self, tenant_id: str, session: AsyncClientSession) -> list[ChargemasterEntry]:
        return [_entry(doc) async for doc in self._chargemaster.find({"tenant_id": tenant_id}, session=session)]

    async def chargemasters(self, tenant_ids: Iterable[str], session: AsyncClientSession) -> dict[str, Chargemaster]:
        rows: dict[str, list[ChargemasterEntry]] = {tenant: [] for tenant in set(tenant_ids)}
        async for doc in self._chargemaster.find({"tenant_id": {"$in": list(rows)}}, session=session):
            rows[doc["tenant_id"]].append(_entry(doc))
        return {tenant: Chargemaster(entries) for tenant, entries in rows.items()}

    # --- encounters ------------------------------------------------------------------------------

    async def handled(self, encounter_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        cursor = self._encounters.find({"_id": {"$in": list(encounter_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    def coded(self, tenant_id: str, encounter: EncounterRegistered, total_charge,
              reading: NoteReading | None = None, warnings: Sequence[Finding] = ()) -> ReplaceOne:
        return ReplaceOne({"_id": encounter.encounter_id}, {
            "_id": encounter.encounter_id, "tenant_id": tenant_id, "status": "coded",
            "total_charge": Decimal128(total_charge), "suggestions": suggestion_documents(reading),
            "warnings": [f.model_dump() for f in warnings]}, upsert=True)

    def held(self, tenant_id: str, encounter: EncounterRegistered, findings: Sequence[Finding],
             reading: NoteReading | None = None, warnings: Sequence[Finding] = ()) -> ReplaceOne:
        return ReplaceOne({"_id": encounter.encounter_id}, {
            "_id": encounter.encounter_id, "tenant_id": tenant_id, "status": "held",
            "findings": [f.model_dump() for f in findings], "suggestions": suggestion_documents(reading),
            "warnings": [f.model_dump() for f in warnings],
            "registered": self._cipher.seal(encounter)}, upsert=True)

    async def save(self, writes: Sequence[ReplaceOne], session: AsyncClientSession) -> None:
        if writes:
            await self._encounters.bulk_write(list(writes), ordered=False, session=session)


def _entry(doc: dict) -> ChargemasterEntry:
    return ChargemasterEntry(
        procedure_code=doc["procedure_code"], modifier=doc["modifier"],
        unit_price=doc["unit_price"].to_decimal(), effective_from=date.fromisoformat(doc["effective_from"]),
        effective_to=date.fromisoformat(doc["effective_to"]) if doc["effective_to"] else None,
        description=doc["description"])


def suggestion_documents(reading: NoteReading | None) -> list[dict]:
    if reading is None:
        return []
    return [{"code": s.code, "score": s.score, "confidence": s.confidence} for s in reading.suggestions]


def _entry_key(tenant_id: str, entry: ChargemasterEntry) -> str:
    return f"{tenant_id}|{entry.procedure_code}|{entry.modifier or '-'}|{entry.effective_from.isoformat()}"
