"""Claims' hand-offs. A batch goes to the clearinghouse (837P), which answers with a 999 and a
277CA, and each payer then answers the accepted claims with an 835. Claims knows from its own
claims whether a batch was answered: a batch with a claim still `submitted` past the
acknowledgement deadline, or still `accepted` past the payer's window, is sent again under a new
event id. A partner answers a batch it has answered before from its record (the same files), so
nothing is adjudicated twice, and payments keeps one expected claim per claim id.

Every claim status goes to the dashboard, which never answers: the newest status of a claim is
announced again once it has been stable for the deadline (the projection keeps the newest version
and drops a copy it has seen)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared import topics
from shared.deadlines import Action, Handoff
from shared.events import ClaimBatchFiled, ClaimStatus

ACKNOWLEDGEMENT_SECONDS = 4 * 3600  # a clearinghouse answers an 837 within hours
REMITTANCE_SECONDS = 30 * 86400  # the payers' window: an 835 within 30 days of acceptance


def batch_members(batch: ClaimBatchFiled) -> dict:
    """What a batch hand-off keeps: each claim id with the frequency it was filed with (a corrected
    claim filed later in another batch keeps its id, so the frequency tells the filings apart)."""
    return {"claims": {claim.claim_id: claim.frequency_code.value for claim in batch.claims}}


def waiting_batches(handoffs: Sequence[Mapping[str, Any]], statuses: Mapping[str, tuple[str, str]],
                    waiting_status: ClaimStatus) -> set[str]:
    """The hand-offs with at least one claim still in `waiting_status` as filed in that batch;
    `statuses` gives each claim's current (status, frequency code)."""
    still = set()
    for handoff in handoffs:
        for claim_id, frequency in handoff["detail"]["claims"].items():
            if statuses.get(claim_id) == (waiting_status.value, frequency):
                still.add(handoff["_id"])
                break
    return still


def handoffs(database: AsyncDatabase) -> tuple[Handoff, ...]:
    claims = database["claims"]

    def waiting_in(status: ClaimStatus):
        async def waiting(docs: Sequence[Mapping[str, Any]], session: AsyncClientSession) -> set[str]:
            ids = sorted({claim_id for doc in docs for claim_id in doc["detail"]["claims"]})
            cursor = claims.find({"_id": {"$in": ids}}, {"status": 1, "frequency_code": 1}, session=session)
            statuses = {doc["_id"]: (doc["status"], doc["frequency_code"]) async for doc in cursor}
            return waiting_batches(docs, statuses, status)
        return waiting

    return (
        Handoff("submitted", topics.CLAIM_BATCH_SUBMITTED, Action.RE_SEND, deadline_seconds=ACKNOWLEDGEMENT_SECONDS,
                detail=batch_members, waiting=waiting_in(ClaimStatus.SUBMITTED)),
        Handoff("accepted", topics.CLAIM_BATCH_SUBMITTED, Action.RE_SEND, deadline_seconds=REMITTANCE_SECONDS,
                detail=batch_members, waiting=waiting_in(ClaimStatus.ACCEPTED)),
        Handoff("claim_status", topics.CLAIM_STATUS_CHANGED, Action.ANNOUNCE, deadline_seconds=300),
    )
