"""Registration's documents: patients and encounters. PHI (the patient, coverages and note) is
stored only sealed (AES-GCM); ids, dates and codes stay in the clear for queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import EncounterRegistered, Finding
from shared.phi import PhiCipher

VERIFYING = "verifying_eligibility"
HELD = "held_for_eligibility"


class RegistrationRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher) -> None:
        self._patients = database["patients"]
        self._encounters = database["encounters"]
        self._queue = database["eligibility_queue"]
        self._cipher = cipher

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database["encounters"].create_index([("tenant_id", ASCENDING), ("registered_at", ASCENDING)])
        await database["encounters"].create_index([("eligibility.inquiry_id", ASCENDING)], sparse=True)
        await database["encounters"].create_index([("status", ASCENDING), ("eligibility.next_attempt_at", ASCENDING)])
        await database["patients"].create_index([("tenant_id", ASCENDING)])
        await database["eligibility_queue"].create_index([("state", ASCENDING), ("tenant_id", ASCENDING)])
        # A person's request id is remembered as long as a client could retry (a week is plenty).
        await database["requests"].create_index("at", expireAfterSeconds=7 * 24 * 60 * 60)

    async def registered(self, encounter_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        """Which of these encounters are registered already."""
        cursor = self._encounters.find({"_id": {"$in": list(encounter_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def save(self, tenant_of: dict[str, str], encounters: Sequence[EncounterRegistered],
                   session: AsyncClientSession, *, inquiries: dict[str, tuple[str, datetime]] | None = None) -> None:
        """Insert the new encounters and upsert their patients (newest demographics win). An
        encounter with an inquiry waits for its eligibility answer."""
        if not encounters:
            return
        inquiries = inquiries or {}
        patients = [
            UpdateOne({"_id": e.patient_id},
                      {"$set": {"tenant_id": tenant_of[e.encounter_id], "phi": self._cipher.seal(e.patient)}},
                      upsert=True)
            for e in encounters
        ]
        await self._patients.bulk_write(patients, ordered=False, session=session)
        documents = []
        for e in encounters:
            document = {
                "_id": e.encounter_id,
                "tenant_id": tenant_of[e.encounter_id],
                "patient_id": e.patient_id,
                "status": "registered",
                "date_of_service": e.visit.date_of_service.isoformat(),
                "registered_at": e.registered_at,
                "payer_id": e.coverages[0].payer_id,
                "phi": self._cipher.seal(e),  # coverages, note and services as sent
            }
            if e.encounter_id in inquiries:
                inquiry_id, next_attempt_at = inquiries[e.encounter_id]
                document["status"] = VERIFYING
                document["eligibility"] = {"inquiry_id": inquiry_id, "attempt": 1, "next_attempt_at": next_attempt_at}
            documents.append(document)
        await self._encounters.insert_many(documents, ordered=False, session=session)

    async def awaiting_eligibility(self, inquiry_ids: Sequence[str],
                                   session: AsyncClientSession) -> dict[str, tuple[str, EncounterRegistered]]:
        """The encounters still waiting for these inquiries' answers: inquiry id -> (tenant, encounter)."""
        cursor = self._encounters.find({"eligibility.inquiry_id": {"$in": list(inquiry_ids)}, "status": VERIFYING},
                                       session=session)
        return {doc["eligibility"]["inquiry_id"]: (doc["tenant_id"], self._cipher.open(doc["phi"], EncounterRegistered))
                async for doc in cursor}

    async def due_for_retry(self, now: datetime, session: AsyncClientSession,
                            limit: int = 100) -> list[tuple[str, int, EncounterRegistered]]:
        """Encounters whose payer has not answered in time: (tenant, attempts so far, encounter)."""
        cursor = self._encounters.find({"status": VERIFYING, "eligibility.next_attempt_at": {"$lte": now}},
                                       session=session).limit(limit)
        return [(doc["tenant_id"], doc["eligibility"]["attempt"], self._cipher.open(doc["phi"], EncounterRegistered))
                async for doc in cursor]

    async def ask_again(self, encounter_id: str, inquiry_id: str, attempt: int, next_attempt_at: datetime,
                        session: AsyncClientSession) -> None:
        await self._encounters.update_one({"_id": encounter_id}, {"$set": {"eligibility": {
            "inquiry_id": inquiry_id, "attempt": attempt, "next_attempt_at": next_attempt_at}}}, session=session)

    async def set_status(self, encounter_id: str, status: str, session: AsyncClientSession) -> None:
        await self._encounters.update_one({"_id": encounter_id}, {"$set": {"status": status}}, session=session)

    async def hold_for_eligibility(self, tenant_id: str, encounter_id: str, finding: Finding, now: datetime,
                                   session: AsyncClientSession, *, encounter: EncounterRegistered | None = None) -> None:
        """Park the encounter in the registration work queue with the reason (no PHI). Held again
        after a person's re-verification, it keeps its assignee and its revision moves on."""
        await self.set_status(encounter_id, HELD, session)
        facts = {"payer_id": encounter.coverages[0].payer_id,
                 "date_of_service": encounter.visit.date_of_service.isoformat()} if encounter is not None else {}
        await self._queue.update_one(
            {"_id": encounter_id},
            {"$set": {"tenant_id": tenant_id, "reason_code": finding.code, "reason": finding.message, "held_at": now,
                      "state": "held", **facts}, "$inc": {"revision": 1}},
            upsert=True, session=session)

    async def released_from_review(self, encounter_id: str, session: AsyncClientSession) -> None:
        """A re-verified encounter whose coverage the payer confirmed leaves the review queue."""
        await self._queue.update_one({"_id": encounter_id, "state": "verifying"},
                                     {"$set": {"state": "released", "assignee": None}, "$inc": {"revision": 1}},
                                     session=session)
