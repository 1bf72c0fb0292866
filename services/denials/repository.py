"""Denials' documents: every denial with its codes, category, decision and place in the work queue.
No PHI: ids, CARC/RARC codes, dates and amounts."""

from __future__ import annotations

from collections.abc import Sequence

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.denials.domain import Decision
from shared.events import ClaimDenied, DenialAction

# Appeals wait for a person (letter, medical records); resubmissions and write-offs are done.
_QUEUE_STATUS = {DenialAction.APPEAL: "open", DenialAction.RESUBMIT: "resubmitted", DenialAction.WRITE_OFF: "written_off"}


class DenialsRepository:
    def __init__(self, database: AsyncDatabase) -> None:
        self._denials = database["denials"]

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        # The work queue: open items by category and payer, biggest amount and nearest deadline first.
        await database["denials"].create_index([("status", ASCENDING), ("category", ASCENDING), ("payer_id", ASCENDING),
                                                ("amount", DESCENDING), ("appeal_deadline", ASCENDING)])
        await database["denials"].create_index([("claim_id", ASCENDING)])

    async def known(self, denial_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        cursor = self._denials.find({"_id": {"$in": list(denial_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def record(self, tenant_of: dict[str, str], worked: Sequence[tuple[ClaimDenied, Decision]],
                     session: AsyncClientSession) -> None:
        if not worked:
            return
        await self._denials.insert_many([{
            "_id": denial.denial_id, "tenant_id": tenant_of[denial.denial_id], "claim_id": denial.claim_id,
            "encounter_id": denial.encounter_id, "payer_id": denial.payer_id, "remittance_id": denial.remittance_id,
            "whole_claim": denial.whole_claim, "amount": Decimal128(denial.denied_amount),
            "carcs": [f"{a.group.value}-{a.carc}" for a in denial.adjustments], "rarcs": list(denial.rarcs),
            "category": decision.category.value, "deciding_carc": decision.carc, "action": decision.action.value,
            "appeal_deadline": decision.appeal_deadline.isoformat(), "status": _QUEUE_STATUS[decision.action],
            "date_of_service": denial.date_of_service.isoformat(), "payment_date": denial.payment_date.isoformat(),
        } for denial, decision in worked], ordered=False, session=session)
