"""Claims' documents. The claim's content (patient, coverage, lines) is stored sealed; status,
version, ids and amounts stay in the clear for work queues and dashboards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.claims.domain import Claim
from services.claims.edi import FiledBatch, SentBatch, control_number
from services.claims.scrubber import BilledService, InMemoryHistory
from shared.events import ClaimSecondaryRequested, ClaimStatus, Finding, SubmittedClaim
from shared.phi import PhiCipher


class ClaimRepository:
    def __init__(self, database: AsyncDatabase, cipher: PhiCipher) -> None:
        self._claims = database["claims"]
        self._deferred = database["deferred"]
        self._batches = database["batches"]
        self._billed = database["billed_services"]
        self._cipher = cipher

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        # One claim per encounter and payer: a coded encounter seen twice never opens a second claim,
        # while a COB claim to the secondary payer bills the same encounter.
        existing = await database["claims"].index_information()
        if existing.get("encounter_id_1", {}).get("unique"):
            await database["claims"].drop_index("encounter_id_1")  # the one-claim-per-encounter index of before
        await database["claims"].create_index([("encounter_id", ASCENDING), ("payer_id", ASCENDING)], unique=True)
        await database["claims"].create_index([("tenant_id", ASCENDING), ("status", ASCENDING)])
        await database["claims"].create_index([("status", ASCENDING), ("payer_id", ASCENDING), ("billed", DESCENDING)])
        await database["deferred"].create_index([("claim_id", ASCENDING)])
        # A 999 names the batch by our GS06, unique per sender id.
        await database["batches"].create_index([("group_control_number", ASCENDING)])
        await database["billed_services"].create_index([("key", ASCENDING)])

    def _to_document(self, claim: Claim) -> dict:
        return {
            "_id": claim.claim_id,
            "tenant_id": claim.tenant_id,
            "encounter_id": claim.encounter_id,
            "status": claim.status.value,
            "version": claim.version,
            "payer_id": claim.payer_id,
            "frequency_code": claim.content.frequency_code.value,
            "billed": Decimal128(claim.billed),
            "content": self._cipher.seal(claim.content),
            "cob": claim.cob.model_dump(mode="json") if claim.cob is not None else None,
            # The claims queue's facts, in the clear (ids, codes, dates, amounts; no PHI).
            "assignee": claim.assignee,
            "revision": claim.revision,
            "findings": [finding.model_dump(mode="json") for finding in claim.findings],
            "date_of_service": claim.content.visit.date_of_service.isoformat(),
        }

    def _from_document(self, document: dict) -> Claim:
        return Claim(claim_id=document["_id"], tenant_id=document["tenant_id"],
                     status=ClaimStatus(document["status"]), version=document["version"],
                     content=self._cipher.open(document["content"], SubmittedClaim),
                     cob=ClaimSecondaryRequested.model_validate(document["cob"]) if document.get("cob") else None,
                     assignee=document.get("assignee"), revision=document.get("revision", 0),
                     findings=tuple(Finding.model_validate(f) for f in document.get("findings", ())))

    async def load(self, claim_ids: Iterable[str], session: AsyncClientSession) -> dict[str, Claim]:
        cursor = self._claims.find({"_id": {"$in": list(set(claim_ids))}}, session=session)
        return {doc["_id"]: self._from_document(doc) async for doc in cursor}

    async def encounters_with_claims(self, encounter_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        cursor = self._claims.find({"encounter_id": {"$in": list(encounter_ids)}}, {"encounter_id": 1}, session=session)
        return {doc["encounter_id"] async for doc in cursor}

    async def save(self, claims: Iterable[Claim], session: AsyncClientSession) -> None:
        writes = [ReplaceOne({"_id": c.claim_id}, self._to_document(c), upsert=True) for c in claims]
        if writes:
            await self._claims.bulk_write(writes, ordered=False, session=session)

    async def claim(self, claim_id: str, session: AsyncClientSession | None = None) -> Claim | None:
        document = await self._claims.find_one({"_id": claim_id}, session=session)
        return self._from_document(document) if document is not None else None

    async def queue(self, *, statuses: Sequence[str], tenants: Sequence[str] | None = None, payer_id: str | None = None,
                    reason: str | None = None, limit: int = 1000) -> list[dict]:
        """The queue's facts (no content, nothing unsealed) of the claims matching every filter:
        `tenants` None means every tenant; `reason` matches a finding's rule id or code."""
        query: dict = {"status": {"$in": list(statuses)}}
        if tenants is not None:
            query["tenant_id"] = {"$in": list(tenants)}
        if payer_id:
            query["payer_id"] = payer_id
        if reason:
            query["$or"] = [{"findings.rule": reason}, {"findings.code": reason}]
        projection = {"content": 0, "cob": 0}
        return [doc async for doc in self._claims.find(query, projection).limit(limit)]

    # --- filed 837 batches --------------------------------------------------------------------

    async def remember_batch(self, tenant_id: str, batch_id: str, filed: FiledBatch,
                             session: AsyncClientSession) -> None:
        """Keep the control numbers a batch went out under (not its text: that is PHI and on the topic)."""
        await self._batches.insert_one({
            "_id": batch_id, "tenant_id": tenant_id, "interchange_control_number": filed.interchange_control_number,
            "group_control_number": control_number(filed.group_control_number),
            "sets": [{"control_number": number, "claim_ids": list(ids)} for number, ids in filed.claims_by_set.items()],
        }, session=session)

    async def sent_batches(self, group_control_numbers: Iterable[str],
                           session: AsyncClientSession) -> dict[str, SentBatch]:
        """The batches we sent under these GS06 numbers, by number."""
        numbers = sorted({control_number(number) for number in group_control_numbers})
        cursor = self._batches.find({"group_control_number": {"$in": numbers}}, session=session)
        return {doc["group_control_number"]: SentBatch(doc["_id"], {s["control_number"]: tuple(s["claim_ids"])
                                                                   for s in doc["sets"]})
                async for doc in cursor}

    # --- services already billed (the duplicate rule) ---------------------------------------------

    async def billed_history(self, services: Iterable[BilledService], session: AsyncClientSession) -> InMemoryHistory:
        """Which claims already billed any of `services`, as a history the scrubber reads."""
        history = InMemoryHistory()
        keys = sorted({_service_key(service) for service in services})
        if keys:
            async for doc in self._billed.find({"key": {"$in": keys}}, session=session):
                history.record(doc["claim_id"], [BilledService(doc["patient_key"], doc["npi"],
                                                               date.fromisoformat(doc["date"]), doc["code"])])
        return history

    async def record_billed(self, billed: dict[str, Sequence[BilledService]], session: AsyncClientSession) -> None:
        """Remember what each claim bills (an opaque patient digest, NPI, date and code; no PHI)."""
        writes = [ReplaceOne({"_id": f"{_service_key(service)}|{claim_id}"},
                             {"key": _service_key(service), "claim_id": claim_id, "patient_key": service.patient_key,
                              "npi": service.rendering_npi, "date": service.date_of_service.isoformat(),
                              "code": service.procedure_code}, upsert=True)
                  for claim_id, services in billed.items() for service in services]
        if writes:
            await self._billed.bulk_write(writes, ordered=False, session=session)

    # --- facts that arrived early --------------------------------------------------------------

    async def defer(self, claim_id: str, topic: str, event_id: str, value: bytes, session: AsyncClientSession) -> None:
        """Park an early fact. The claim document is written too: the transaction that moves the
        claim writes it as well, so the two conflict and one is retried, instead of each missing
        the other under snapshot isolation (the fact would then wait for ever)."""
        await self._claims.update_one({"_id": claim_id}, {"$inc": {"parked_facts": 1}}, session=session)
        await self._deferred.replace_one({"_id": event_id}, {"_id": event_id, "claim_id": claim_id,
                                                             "topic": topic, "value": value},
                                         upsert=True, session=session)

    async def deferred_for(self, claim_ids: Iterable[str], session: AsyncClientSession) -> list[dict]:
        cursor = self._deferred.find({"claim_id": {"$in": list(set(claim_ids))}}, sort=[("_id", 1)], session=session)
        return [doc async for doc in cursor]

    async def forget_deferred(self, event_ids: Sequence[str], session: AsyncClientSession) -> None:
        if event_ids:
            await self._deferred.delete_many({"_id": {"$in": list(event_ids)}}, session=session)


def _service_key(service: BilledService) -> str:
    return f"{service.patient_key}|{service.rendering_npi}|{service.date_of_service.isoformat()}|{service.procedure_code}"
