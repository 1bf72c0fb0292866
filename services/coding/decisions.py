"""A coder's decision on a held encounter: bill the chosen diagnoses and release it to claims.

Pure decisions on a held encounter's document: take, release, and decide (review.apply_decision,
then coding again with the tenant's chargemaster). The coding API (api.py) runs each in one MongoDB
transaction through shared/actions.py: on success the encounter is marked coded, the decision is
recorded and EncounterCoded and CodingReviewDecided are queued in coding's outbox with the audit
record. A decision that still leaves an edit failing (an unpriced service) is refused with the
findings, and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from dataclasses import dataclass

from bson.decimal128 import Decimal128
from pymongo.asynchronous.database import AsyncDatabase

from services.coding import domain, review
from services.coding.chargemaster import CodingError
from services.coding.repository import DECISIONS
from shared.codes import icd10cm
from shared.events import CodingDecision, CodingReviewDecided, EncounterCoded, EncounterRegistered

_CODER = re.compile(r"[A-Za-z0-9._@-]{1,64}")  # as CodingReviewDecided.coder


class NotInReviewQueue(CodingError):
    code = "NOT_IN_REVIEW_QUEUE"


class DecisionRefused(CodingError):
    """Coding the encounter with the decided codes still fails an edit."""

    code = "CODING_DECISION_REFUSED"


async def held_encounters(database: AsyncDatabase, *, tenant_id: str | None = None,
                          tenants: Sequence[str] | None = None, limit: int = 100) -> list[dict]:
    """The review queue: id, tenant, findings and suggestions of held encounters (no PHI);
    `tenants` None: every tenant."""
    query: dict = {"status": "held"}
    if tenants is not None:
        query["tenant_id"] = {"$in": list(tenants)}
    if tenant_id:
        query["tenant_id"] = tenant_id if tenants is None or tenant_id in tenants else {"$in": []}
    cursor = database["encounters"].find(query, {"registered": 0}).sort("_id", 1).limit(limit)
    return await cursor.to_list()


async def decision_records(database: AsyncDatabase) -> list[dict]:
    return await database[DECISIONS].find({}, {"_id": 0}).to_list()


class TakenBySomeoneElse(CodingError):
    code = "TAKEN_BY_SOMEONE_ELSE"


def _workable(held: dict, coder: str) -> None:
    if held.get("status") != "held":
        raise NotInReviewQueue(f"{held['_id']} is not in the coding review queue")
    if held.get("assignee") not in (None, coder):
        raise TakenBySomeoneElse(f"{held['_id']} is taken by another coder")


def take(held: dict, coder: str, now: datetime) -> dict:
    """Assign a held encounter to `coder` (again, if it already holds it)."""
    _workable(held, coder)
    return {**held, "assignee": coder, "taken_at": now}


def release(held: dict, coder: str, *, supervisor: bool) -> dict:
    """Put a taken encounter back in the queue: by its coder, or by a supervisor for anyone."""
    if held.get("status") != "held":
        raise NotInReviewQueue(f"{held['_id']} is not in the coding review queue")
    if held.get("assignee") not in (None, coder) and not supervisor:
        raise TakenBySomeoneElse(f"{held['_id']} is taken by another coder")
    return {key: value for key, value in held.items() if key not in ("assignee", "taken_at")}


@dataclass(frozen=True)
class Decided:
    encounter: dict  # the encounter document, now coded (its sealed registration dropped)
    decided: CodingReviewDecided
    coded: EncounterCoded
    record: dict  # the decision as kept in review_decisions (coder QA)


def decide(held: dict, registered: EncounterRegistered, chargemaster, *, coder: str, decision: CodingDecision,
           codes: Sequence[str] = (), now: datetime) -> Decided:
    """Apply `decision` by `coder` to the held encounter (opened as `registered`) and code it again
    with the tenant's chargemaster (the note checks are not repeated: the coder has read the note).
    Raise NotInReviewQueue, TakenBySomeoneElse, review.InvalidDecision or DecisionRefused."""
    if not _CODER.fullmatch(coder):
        raise review.InvalidDecision("the coder must be a user id: letters, digits and . _ @ - (at most 64)")
    _workable(held, coder)
    encounter_id = held["_id"]
    suggestions = held.get("suggestions") or []
    top = suggestions[0] if suggestions else None
    diagnoses = review.apply_decision(registered.diagnoses, decision, top_suggestion=top["code"] if top else None,
                                      codes=codes)
    result = domain.code_encounter(registered.model_copy(update={"diagnoses": diagnoses}), chargemaster)
    if isinstance(result, domain.Held):
        raise DecisionRefused("still held after the decision: " + ", ".join(sorted({f.code for f in result.findings})))
    billed = result.payload.diagnoses
    sent = tuple(icd10cm.normalize(d.code) for d in registered.diagnoses)
    decided = CodingReviewDecided(
        encounter_id=encounter_id, coder=coder, decision=decision, diagnoses=billed,
        top_suggestion=top["code"] if top else None, suggestion_confidence=top["confidence"] if top else None,
        agreed_with_suggestion=review.agrees(billed[0], top["code"] if top else None),
        corrected=billed != sent, finding_codes=tuple(dict.fromkeys(f["code"] for f in held["findings"])),
        decided_at=now)
    coded = {key: value for key, value in held.items() if key not in ("registered", "assignee", "taken_at")}
    coded.update(status="coded", total_charge=Decimal128(result.payload.total_charge), decided_by=coder)
    record = {"_id": encounter_id, "tenant_id": held["tenant_id"], **decided.model_dump(mode="json")}
    return Decided(coded, decided, result.payload, record)
