"""Answers a payer holds back (an 835 sent late): kept with the time they are due, and put on the
outbox by a small loop in the partners process once due."""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.clock import Clock
from shared.envelope import Envelope
from shared.periodic import Periodic
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import OutboxRelay, outbox_document
from shared.topics import Topic

RELEASE_BATCH = 100


class LateAnswers:
    def __init__(self, client: AsyncMongoClient, database: AsyncDatabase, relay: OutboxRelay, clock: Clock, *,
                 poll_seconds: float = 1.0) -> None:
        self._client = client
        self._clock = clock
        self._late = database["late_answers"]
        # What the payers paid counts from when an 835 is sent, not from when it was written.
        self._paid = database["remittances"]
        self._outbox = database["outbox"]
        self._relay = relay
        self._passes = Periodic("simulator-late-answers", poll_seconds, self._pass)

    async def ensure_indexes(self, database: AsyncDatabase) -> None:
        await database["late_answers"].create_index([("due_at", ASCENDING)])
        await database["late_answers"].create_index([("batch_id", ASCENDING)])

    async def hold(self, topic: Topic, event: Envelope, due_at: datetime, session: AsyncClientSession, *,
                   batch_id: str, paid: dict) -> None:
        """Keep `event` back until `due_at` (in the transaction that made it); `paid` is the record of
        what it pays, kept when it is sent."""
        await self._late.insert_one({"_id": str(event.event_id), "due_at": due_at, "batch_id": batch_id,
                                     "row": outbox_document(topic, event), "paid": paid}, session=session)

    async def sent_now(self, batch_ids: list[str], session: AsyncClientSession) -> None:
        """The batches were sent again and their recorded answers go out now, held ones included:
        record what they pay and hold them no longer."""
        held = await self._late.find({"batch_id": {"$in": batch_ids}}, session=session).to_list()
        await self._record_paid(held, session)
        if held:
            await self._late.delete_many({"_id": {"$in": [doc["_id"] for doc in held]}}, session=session)

    async def _record_paid(self, held: list[dict], session: AsyncClientSession) -> None:
        writes = [ReplaceOne({"_id": doc["paid"]["_id"]}, doc["paid"], upsert=True) for doc in held]
        if writes:
            await self._paid.bulk_write(writes, ordered=False, session=session)

    def start(self) -> None:
        self._passes.start()

    async def stop(self) -> None:
        await self._passes.stop()

    async def _pass(self) -> None:
        if await self.release_due(self._clock.now()):
            self._relay.wake()

    async def release_due(self, now: datetime) -> int:
        """Put the answers due by `now` on the outbox; return how many."""
        async def work(session: AsyncClientSession) -> int:
            due = await self._late.find({"due_at": {"$lte": now}}, sort=[("due_at", ASCENDING)], limit=RELEASE_BATCH,
                                        session=session).to_list()
            if due:
                await self._outbox.insert_many([{**doc["row"], "_id": ObjectId()} for doc in due], session=session)
                await self._record_paid(due, session)
                await self._late.delete_many({"_id": {"$in": [doc["_id"] for doc in due]}}, session=session)
            return len(due)
        return await in_transaction(self._client, work)


def due_after(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
