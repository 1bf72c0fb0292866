"""Registration's documents: patients and encounters. PHI (the patient, coverages and note) is
stored only sealed (AES-GCM); ids, dates and codes stay in the clear for queries."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import EncounterRegistered
from shared.phi import PhiCipher


class RegistrationRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher) -> None:
        self._patients = database["patients"]
        self._encounters = database["encounters"]
        self._cipher = cipher

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("registered_at", ASCENDING)])
        await database["patients"].create_index([("tenant_id", ASCENDING)])

    async def registered(self, encounter_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        """Which of these encounters are registered already."""
        cursor = self._encounters.find({"_id": {"$in": list(encounter_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def save(self, tenant_of: dict[str, str], encounters: Sequence[EncounterRegistered],
                   session: AsyncClientSession) -> None:
        """Insert the new encounters and upsert their patients (newest demographics win)."""
        if not encounters:
            return
        patients = [
            UpdateOne({"_id": e.patient_id},
                      {"$set": {"tenant_id": tenant_of[e.encounter_id], "phi": self._cipher.seal(e.patient)}},
                      upsert=True)
            for e in encounters
        ]
        await self._patients.bulk_write(patients, ordered=False, session=session)
        await self._encounters.insert_many([
            {
                "_id": e.encounter_id,
                "tenant_id": tenant_of[e.encounter_id],
                "patient_id": e.patient_id,
                "status": "registered",
                "date_of_service": e.visit.date_of_service.isoformat(),
                "registered_at": e.registered_at,
                "payer_id": e.coverages[0].payer_id,
                "phi": self._cipher.seal(e),  # coverages, note and services as sent
            }
            for e in encounters
        ], ordered=False, session=session)
