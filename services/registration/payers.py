"""Loading a tenant's payer crosswalk, and releasing the visits it resolves.

One MongoDB transaction replaces the tenant's crosswalk (`payer_crosswalk`), re-reads every open
visit of the tenant held by a payer work item, resolves its coverages with the new crosswalk, and
for each visit that is now complete queues its `RegistrationRequested` in the outbox (as a feed
message completing it would) and releases its work items. Rules of the crosswalk:
services/registration/crosswalk.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from pydantic import ValidationError
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.registration import feed, work_items
from services.registration.crosswalk import Crosswalk, CrosswalkEntry, resolve_draft
from services.registration.feed import VisitDraft, VisitStatus
from shared import topics
from shared.actions import REQUESTS
from shared.api import Invalid
from shared.envelope import new_event
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import outbox_document
from shared.phi import PhiCipher

SERVICE = "registration"
PAYER_CODES = ("PAYER_UNMAPPED", "PAYER_MISSING")
COLLECTION = "payer_crosswalk"
LOADED = "PAYER_CROSSWALK_LOADED"


@dataclass(frozen=True, slots=True)
class Loaded:
    entries: int
    visits_checked: int  # open visits that waited for a payer mapping
    released: int  # of those, now complete and handed to registration


def request_row(tenant_id: str, encounter_id: str, draft: VisitDraft, message_id: str, now: datetime) -> dict:
    """The outbox row of a complete visit's RegistrationRequested (raises ValidationError)."""
    request = feed.registration_request(draft, draft.source or "hl7v2", message_id, now)
    event = new_event(topics.REGISTRATION_REQUESTED, request, producer=SERVICE, now=now, tenant_id=tenant_id,
                      correlation_id=encounter_id)
    return outbox_document(topics.REGISTRATION_REQUESTED, event)


async def load_crosswalk(client: AsyncMongoClient, database: AsyncDatabase, cipher: PhiCipher, tenant_id: str,
                         entries: Sequence[CrosswalkEntry], now: datetime, *, audit: dict | None = None,
                         request_key: str | None = None) -> Loaded:
    """Replace `tenant_id`'s crosswalk with `entries` and release the visits it now resolves. With
    `audit` (an outbox row), it is written in the same transaction; with `request_key` (the caller
    and its request id), a retry of the same load answers the first one's figures, applied once."""
    crosswalk = Crosswalk(entries)
    counted: list[tuple[str, str]] = []

    async def work(session: AsyncClientSession) -> Loaded:
        counted.clear()
        if request_key is not None:
            done = await database[REQUESTS].find_one({"_id": request_key}, session=session)
            if done is not None:
                if (done["action"], done["subject_id"]) != (LOADED, tenant_id):
                    raise Invalid("this request id was already used for another action", code="REQUEST_ID_REUSED")
                return Loaded(**done["response"])
        await database[COLLECTION].delete_many({"tenant_id": tenant_id}, session=session)
        await database[COLLECTION].insert_many([e.as_document(tenant_id) for e in entries], session=session)
        held = await database[work_items.COLLECTION].find(
            {"tenant_id": tenant_id, "status": work_items.OPEN, "subject": "encounter", "code": {"$in": PAYER_CODES}},
            session=session).to_list()
        encounter_ids = sorted({item["subject_id"] for item in held})
        open_items = await database[work_items.COLLECTION].find(
            {"subject_id": {"$in": encounter_ids}, "status": work_items.OPEN}, session=session).to_list()
        by_subject: dict[str, list[dict]] = {}
        for item in open_items:
            by_subject.setdefault(item["subject_id"], []).append(item)
        drafts = await database["visit_drafts"].find({"_id": {"$in": encounter_ids}, "status": str(VisitStatus.OPEN)},
                                                     session=session).to_list()
        draft_writes, item_writes, outbox = [], [], []
        released = 0
        for document in drafts:
            draft = resolve_draft(cipher.open(document["phi"], VisitDraft), crosswalk, now.date())
            if not draft.missing:
                try:
                    outbox.append(request_row(tenant_id, document["_id"], draft,
                                              (draft.message_ids or ("crosswalk",))[-1], now))
                except ValidationError:
                    pass  # still not billable as a whole: stays open with its work items
                else:
                    draft = draft.model_copy(update={"status": VisitStatus.REQUESTED})
                    released += 1
            draft_writes.append(UpdateOne({"_id": document["_id"]}, {"$set": {
                "status": str(draft.status), "missing": list(draft.missing), "updated_at": now,
                "phi": cipher.seal(draft)}}))
            issues = draft.issues if draft.status is VisitStatus.OPEN else ()
            writes, counts = work_items.plan(tenant_id, "encounter", document["_id"], issues,
                                             by_subject.get(document["_id"], ()), now)
            item_writes += writes
            counted.extend(counts)
        if draft_writes:
            await database["visit_drafts"].bulk_write(draft_writes, ordered=False, session=session)
        if item_writes:
            await database[work_items.COLLECTION].bulk_write(item_writes, ordered=False, session=session)
        if audit is not None:
            outbox.append(audit)
        if outbox:
            await database["outbox"].insert_many(outbox, session=session)
        loaded = Loaded(len(entries), len(drafts), released)
        if request_key is not None:
            await database[REQUESTS].insert_one({"_id": request_key, "action": LOADED, "subject_id": tenant_id,
                                                 "response": asdict(loaded), "at": now}, session=session)
        return loaded

    loaded = await in_transaction(client, work)
    work_items.count(counted)
    return loaded
