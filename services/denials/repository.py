"""Denials' documents: every denial with its codes, category, decision and place in the work queue.
No PHI: ids, CARC/RARC codes, dates and amounts.

A person's take or resolve goes through shared/actions.py (api.py): the item's new state, the
events it emits and its audit record are written in one transaction, so an action is never done
without its audit, or audited without being done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from bson.decimal128 import Decimal128
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.denials.categories import DenialCategory
from services.denials.domain import Decision
from services.denials.queue import ItemStatus, QueueError, WorkItem
from shared.envelope import new_event
from shared.events import ClaimDenied, DenialAction
from shared.mongo import in_transaction
from shared.outbox import outbox_document
from shared.topics import Topic

# Appeals wait for a person (letter, medical records); resubmissions and write-offs are done.
_QUEUE_STATUS = {DenialAction.APPEAL: ItemStatus.OPEN, DenialAction.RESUBMIT: ItemStatus.RESUBMITTED,
                 DenialAction.WRITE_OFF: ItemStatus.WRITTEN_OFF}
LIST_LIMIT = 1000


class UnknownWorkItem(QueueError):
    code = "UNKNOWN_WORK_ITEM"


def new_item(tenant_id: str, denial: ClaimDenied, decision: Decision) -> WorkItem:
    """The work item of a denial as the rules decided it."""
    return WorkItem(
        denial_id=denial.denial_id, tenant_id=tenant_id, claim_id=denial.claim_id, encounter_id=denial.encounter_id,
        payer_id=denial.payer_id, payer_claim_number=denial.payer_claim_number, category=decision.category,
        action=decision.action, deciding_carc=decision.carc, carc_known=decision.carc_known,
        carcs=tuple(f"{a.group.value}-{a.carc}" for a in denial.adjustments), rarcs=tuple(denial.rarcs),
        whole_claim=denial.whole_claim, amount=denial.denied_amount, billed=denial.billed,
        procedure_codes=tuple(denial.procedure_codes), rendering_npi=denial.rendering_npi,
        date_of_service=denial.date_of_service, payment_date=denial.payment_date,
        appeal_deadline=decision.appeal_deadline, status=_QUEUE_STATUS[decision.action])


def to_document(item: WorkItem) -> dict:
    return {
        "_id": item.denial_id, "tenant_id": item.tenant_id, "claim_id": item.claim_id,
        "encounter_id": item.encounter_id, "payer_id": item.payer_id, "payer_claim_number": item.payer_claim_number,
        "category": item.category.value, "action": item.action.value, "deciding_carc": item.deciding_carc,
        "carc_known": item.carc_known, "carcs": list(item.carcs), "rarcs": list(item.rarcs),
        "whole_claim": item.whole_claim, "amount": Decimal128(item.amount),
        "billed": Decimal128(item.billed) if item.billed is not None else None,
        "procedure_codes": list(item.procedure_codes), "rendering_npi": item.rendering_npi,
        "date_of_service": item.date_of_service.isoformat(), "payment_date": item.payment_date.isoformat(),
        "appeal_deadline": item.appeal_deadline.isoformat(), "status": item.status.value,
        "assignee": item.assignee, "resolution": item.resolution.value if item.resolution else None,
        "reason": item.reason, "letter": item.letter, "updated_at": item.updated_at,
    }


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value.to_decimal() if isinstance(value, Decimal128) else Decimal(str(value))


def from_document(doc: Mapping) -> WorkItem:
    return WorkItem(
        denial_id=doc["_id"], tenant_id=doc["tenant_id"], claim_id=doc["claim_id"], encounter_id=doc["encounter_id"],
        payer_id=doc["payer_id"], payer_claim_number=doc.get("payer_claim_number", ""),
        category=DenialCategory(doc["category"]), action=DenialAction(doc["action"]),
        deciding_carc=doc["deciding_carc"], carc_known=doc.get("carc_known", True), carcs=tuple(doc["carcs"]),
        rarcs=tuple(doc.get("rarcs", ())), whole_claim=doc["whole_claim"], amount=_decimal(doc["amount"]),
        billed=_decimal(doc.get("billed")), procedure_codes=tuple(doc.get("procedure_codes", ())),
        rendering_npi=doc.get("rendering_npi"), date_of_service=date.fromisoformat(doc["date_of_service"]),
        payment_date=date.fromisoformat(doc["payment_date"]), appeal_deadline=date.fromisoformat(doc["appeal_deadline"]),
        status=ItemStatus(doc["status"]), assignee=doc.get("assignee"),
        resolution=DenialAction(doc["resolution"]) if doc.get("resolution") else None,
        reason=doc.get("reason"), letter=doc.get("letter"), updated_at=doc.get("updated_at"),
    )


class DenialsRepository:
    def __init__(self, database: AsyncDatabase, *, producer: str = "denials") -> None:
        self._database = database
        self._denials = database["denials"]
        self._outbox = database["outbox"]
        self._producer = producer

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        # The work queue: open items by category and payer, biggest amount and nearest deadline first.
        await database["denials"].create_index([("status", ASCENDING), ("category", ASCENDING), ("payer_id", ASCENDING),
                                                ("amount", DESCENDING), ("appeal_deadline", ASCENDING)])
        await database["denials"].create_index([("claim_id", ASCENDING)])
        await database["denials"].create_index([("payment_date", ASCENDING)])

    async def known(self, denial_ids: Sequence[str], session: AsyncClientSession) -> set[str]:
        cursor = self._denials.find({"_id": {"$in": list(denial_ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def record(self, items: Sequence[WorkItem], session: AsyncClientSession) -> None:
        """Insert the work items of newly worked denials (inside the consumer's transaction)."""
        if items:
            await self._denials.insert_many([to_document(item) for item in items], ordered=False, session=session)

    async def get(self, denial_id: str) -> WorkItem:
        """Raise UnknownWorkItem when there is no such item."""
        doc = await self._denials.find_one({"_id": denial_id})
        if doc is None:
            raise UnknownWorkItem(f"no work item {denial_id}")
        return from_document(doc)

    @property
    def database(self) -> AsyncDatabase:
        return self._database

    async def version(self, denial_id: str) -> int:
        """The item's version (raised at each person's change; see shared/actions.py)."""
        doc = await self._denials.find_one({"_id": denial_id}, {"version": 1})
        return (doc or {}).get("version", 0)

    async def items(self, *, statuses: Sequence[str] = (), category: str | None = None, payer_id: str | None = None,
                    paid_from: date | None = None, paid_to: date | None = None, tenants: Sequence[str] | None = None,
                    limit: int = LIST_LIMIT) -> list[WorkItem]:
        """Items matching every given filter (payment date range inclusive; `tenants` None: every
        tenant), unordered; `limit` 0: all."""
        query: dict = {}
        if tenants is not None:
            query["tenant_id"] = {"$in": list(tenants)}
        if statuses:
            query["status"] = {"$in": list(statuses)}
        if category:
            query["category"] = category
        if payer_id:
            query["payer_id"] = payer_id
        if paid_from or paid_to:
            query["payment_date"] = {key: day.isoformat() for key, day in
                                     (("$gte", paid_from), ("$lte", paid_to)) if day is not None}
        return [from_document(doc) async for doc in self._denials.find(query).limit(limit)]
