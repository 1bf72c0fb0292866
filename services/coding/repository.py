"""Coding's documents: per-tenant chargemasters and coded/held encounters (the review queue).
A held encounter keeps what was registered (sealed) so a coder can fix and release it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.coding.chargemaster import Chargemaster, ChargemasterEntry
from shared.events import EncounterRegistered, Finding
from shared.phi import PhiCipher


class CodingRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher) -> None:
        self._chargemaster = database["chargemaster"]
        self._encounters = database["encounters"]
        self._cipher = cipher

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["chargemaster"].create_index([("tenant_id", ASCENDING), ("procedure_code", ASCENDING)])
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("status", ASCENDING)])

    # --- chargemasters ---------------------------------------------------------------------------

    async def load_chargemaster(self, tenant_id: str, entries: Sequence[ChargemasterEntry]) -> int:
        """Add or replace a tenant's entries (keyed by code, modifier, effective_from); an entry
        effective from a new date sits beside the older one. Returns how many were written."""
        Chargemaster(entries)  # refuses duplicates before anything is written
        writes = [ReplaceOne({"_id": _entry_key(tenant_id, e)}, {
            "_id": _entry_key(tenant_id, e), "tenant_id": tenant_id, "procedure_code": e.procedure_code,
            "modifier": e.modifier, "unit_price": Decimal128(e.unit_price),
            "effective_from": e.effective_from.isoformat(),
            "effective_to": e.effective_to.isoformat() if e.effective_to else None, "description": e.description,
        }, upsert=True) for e in entries]
        if writes:
            await self._chargemaster.bulk_write(writes, ordered=False)
        return len(writes)

    async def chargemasters(self, tenant_ids: Iterable[str], session: AsyncClientSession) -> dict[str, Chargemaster]:
        rows: dict[str, list[ChargemasterEntry]] = {tenant: [] for tenant in set(tenant_ids)}
        async for doc in self._chargemaster.find({"tenant_id": {"$in": list(rows)}}, session=session):
            rows[doc["tenant_id"]].append(ChargemasterEntry(
                procedure_code=doc["procedure_code"], modifier=doc["modifier"],
                unit_price=doc["unit_price"].to_decimal(), effective_from=date.fromisoformat(doc["effective_from"]),
                effective_to=date.fromisoformat(doc["effective_to"]) if doc["effective_to"] else None,
                description=doc["description"]))
        return {tenant: Chargemaster(entries) for tenant, entries in rows.items()}

    # --- encounters ------------------------------------------------------------------------------

    async def handled(self, encounter_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        cursor = self._encounters.find({"_id": {"$in": list(encounter_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    def coded(self, tenant_id: str, encounter: EncounterRegistered, total_charge) -> ReplaceOne:
        return ReplaceOne({"_id": encounter.encounter_id}, {
            "_id": encounter.encounter_id, "tenant_id": tenant_id, "status": "coded",
            "total_charge": Decimal128(total_charge)}, upsert=True)

    def held(self, tenant_id: str, encounter: EncounterRegistered, findings: Sequence[Finding]) -> ReplaceOne:
        return ReplaceOne({"_id": encounter.encounter_id}, {
            "_id": encounter.encounter_id, "tenant_id": tenant_id, "status": "held",
            "findings": [f.model_dump() for f in findings], "registered": self._cipher.seal(encounter)}, upsert=True)

    async def save(self, writes: Sequence[ReplaceOne], session: AsyncClientSession) -> None:
        if writes:
            await self._encounters.bulk_write(list(writes), ordered=False, session=session)


def _entry_key(tenant_id: str, entry: ChargemasterEntry) -> str:
    return f"{tenant_id}|{entry.procedure_code}|{entry.modifier or '-'}|{entry.effective_from.isoformat()}"
