"""A coder's decision on a held encounter: bill the chosen diagnoses and release it to claims.

`decide` runs in one MongoDB transaction: it reads the held encounter, applies the decision
(review.apply_decision), codes it again with the tenant's chargemaster (the note checks are not
repeated: the coder has read the note), and on success marks it coded, records the decision and
queues EncounterCoded and CodingReviewDecided in coding's outbox, which the coding service's relay
publishes. A decision that still leaves an edit failing (an unpriced service) is refused with the
findings, and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bson.decimal128 import Decimal128
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.coding import domain, review
from services.coding.chargemaster import CodingError
from services.coding.repository import DECISIONS, CodingRepository
from shared import topics
from shared.codes import icd10cm
from shared.envelope import new_event
from shared.events import CodingDecision, CodingReviewDecided, EncounterRegistered
from shared.mongo import in_transaction
from shared.outbox import outbox_document
from shared.phi import PhiCipher

PRODUCER = "coding"
_CODER = re.compile(r"[A-Za-z0-9._@-]{1,64}")  # as CodingReviewDecided.coder


class NotInReviewQueue(CodingError):
    code = "NOT_IN_REVIEW_QUEUE"


class DecisionRefused(CodingError):
    """Coding the encounter with the decided codes still fails an edit."""

    code = "CODING_DECISION_REFUSED"


async def held_encounters(database: AsyncDatabase, *, tenant_id: str | None = None, limit: int = 100) -> list[dict]:
    """The review queue: id, tenant, findings and suggestions of held encounters (no PHI)."""
    query = {"status": "held", **({"tenant_id": tenant_id} if tenant_id else {})}
    cursor = database["encounters"].find(query, {"registered": 0}).sort("_id", 1).limit(limit)
    return await cursor.to_list()


async def decision_records(database: AsyncDatabase) -> list[dict]:
    return await database[DECISIONS].find({}, {"_id": 0}).to_list()


async def decide(database: AsyncDatabase, cipher: PhiCipher, encounter_id: str, *, coder: str,
                 decision: CodingDecision, codes: Sequence[str] = (), now: datetime) -> CodingReviewDecided:
    """Apply `decision` by `coder` to held encounter `encounter_id`; see the module docstring.
    Raise NotInReviewQueue, review.InvalidDecision or DecisionRefused (nothing written then)."""
    if not _CODER.fullmatch(coder):
        raise review.InvalidDecision("the coder must be a user id: letters, digits and . _ @ - (at most 64)")
    repository = CodingRepository(database, cipher)

    async def work(session: AsyncClientSession) -> CodingReviewDecided:
        held = await database["encounters"].find_one({"_id": encounter_id, "status": "held"}, session=session)
        if held is None:
            raise NotInReviewQueue(f"{encounter_id} is not in the coding review queue")
        registered = cipher.open(held["registered"], EncounterRegistered)
        suggestions = held.get("suggestions") or []
        top = suggestions[0] if suggestions else None
        diagnoses = review.apply_decision(registered.diagnoses, decision,
                                          top_suggestion=top["code"] if top else None, codes=codes)
        chargemaster = (await repository.chargemasters({held["tenant_id"]}, session))[held["tenant_id"]]
        result = domain.code_encounter(registered.model_copy(update={"diagnoses": diagnoses}), chargemaster)
        if isinstance(result, domain.Held):
            raise DecisionRefused("still held after the decision: "
                                  + ", ".join(sorted({f.code for f in result.findings})))
        billed = result.payload.diagnoses
        sent = tuple(icd10cm.normalize(d.code) for d in registered.diagnoses)
        decided = CodingReviewDecided(
            encounter_id=encounter_id, coder=coder, decision=decision, diagnoses=billed,
            top_suggestion=top["code"] if top else None,
            suggestion_confidence=top["confidence"] if top else None,
            agreed_with_suggestion=review.agrees(billed[0], top["code"] if top else None),
            corrected=billed != sent, finding_codes=tuple(dict.fromkeys(f["code"] for f in held["findings"])),
            decided_at=now)
        events = [new_event(topic, payload, producer=PRODUCER, now=now, tenant_id=held["tenant_id"],
                            correlation_id=encounter_id)
                  for topic, payload in ((topics.ENCOUNTER_CODED, result.payload),
                                         (topics.CODING_REVIEW_DECIDED, decided))]
        await database["encounters"].update_one({"_id": encounter_id}, {
            "$set": {"status": "coded", "total_charge": Decimal128(result.payload.total_charge),
                     "decided_by": coder}, "$unset": {"registered": ""}}, session=session)
        await database[DECISIONS].insert_one({
            "_id": encounter_id, "tenant_id": held["tenant_id"], **decided.model_dump(mode="json")}, session=session)
        await database["outbox"].insert_many([outbox_document(topic, event) for topic, event in zip(
            (topics.ENCOUNTER_CODED, topics.CODING_REVIEW_DECIDED), events)], session=session)
        return decided

    return await in_transaction(database.client, work)
