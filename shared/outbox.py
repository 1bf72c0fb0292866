"""The transactional outbox and its relay.

A consumer writes the events it emits into its own `outbox` collection in the same MongoDB
transaction as its state change and inbox record. The relay, a task in the same process, publishes
the outbox in insertion order with an idempotent producer and deletes what Kafka acknowledged.
A crash between publish and delete publishes an event twice; consumers drop the second copy by
event_id (their inbox). Nothing is ever lost, because nothing leaves the outbox unacknowledged.

With several replicas of a service, one relay at a time holds a lease (a document with an expiry in
`leases`), so events keep their order per key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared import metrics
from shared.clock import Clock
from shared.envelope import Envelope, encode
from shared.logging import get_logger
from shared.topics import Topic, check_declared

log = get_logger(__name__)

LEASE_SECONDS = 15
LEASE_RENEW_SECONDS = 5  # a held lease is renewed once this old, well before it expires
DRAIN_CHUNK = 1000


def outbox_document(topic: Topic, event: Envelope) -> dict[str, Any]:
    """The outbox row for `event` on `topic`: what to send, already serialized. A topic its producer
    does not declare (shared/topics.py EMITS) is refused: its ACL would refuse the write."""
    check_declared(event.producer, topic)
    return {
        "_id": ObjectId(),
        "topic": topic.name,
        "key": topic.key_of(event.payload),
        "value": encode(event),
        "event_id": str(event.event_id),
        "event_type": event.event_type,
    }


class OutboxRelay:
    def __init__(self, database: AsyncDatabase, producer: Callable[[], AIOKafkaProducer], *, service: str, owner: str,
                 clock: Clock, topic_prefix: str = "", idle_seconds: float = 0.5) -> None:
        self._outbox = database["outbox"]
        self._leases = database["leases"]
        self._new_producer = producer  # made in start(): aiokafka clients belong to the running loop
        self._producer: AIOKafkaProducer | None = None
        self._service = service
        self._owner = owner
        self._clock = clock
        self._idle_seconds = idle_seconds
        self._topic_prefix = topic_prefix
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._lease_renewed_at: datetime | None = None  # when this relay last took or renewed the lease

    async def start(self) -> None:
        self._producer = self._new_producer()
        await self._producer.start()
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-outbox-relay")

    def wake(self) -> None:
        """Tell the relay a transaction just committed new outbox rows."""
        self._wake.set()

    async def stop(self) -> None:
        """Publish what is left, then stop (SIGTERM path: nothing written is left behind)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(PyMongoError):
            if await self._hold_lease():
                await self.drain()
        await self._producer.stop()

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_seconds)
            self._wake.clear()
            if self._stopping:
                return
            try:
                if await self._hold_lease():
                    await self.drain()
                backoff = 0.1
            except Exception as failure:  # noqa: BLE001 - the relay must outlive broker/Mongo outages
                # Nothing is lost: the rows stay in the outbox and are sent on the next pass.
                log.warning("outbox relay pass failed, will retry", error=type(failure).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _hold_lease(self) -> bool:
        """Take or renew the relay lease. A lease renewed less than LEASE_RENEW_SECONDS ago is still
        ours (it runs for LEASE_SECONDS): no round trip to MongoDB on every pass."""
        now = self._clock.now()
        if self._lease_renewed_at is not None and now - self._lease_renewed_at < timedelta(seconds=LEASE_RENEW_SECONDS):
            return True
        self._lease_renewed_at = None
        try:
            await self._leases.update_one(
                {"_id": "outbox-relay", "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "expires_at": now + timedelta(seconds=LEASE_SECONDS)}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another replica's relay holds the lease
        self._lease_renewed_at = now
        return True

    async def drain(self) -> int:
        """Publish every outbox row in insertion order; return how many were sent."""
        sent = 0
        while True:
            rows = await self._outbox.find({}, sort=[("_id", 1)], limit=DRAIN_CHUNK).to_list()
            if not rows:
                metrics.OUTBOX_PENDING.labels(self._service).set(0)
                return sent
            await self._publish(rows)
            await self._outbox.delete_many({"_id": {"$in": [row["_id"] for row in rows]}})
            sent += len(rows)
            if len(rows) < DRAIN_CHUNK:
                # The outbox was drained as of the find; rows committed since then woke the relay,
                # which comes back for them (one find fewer per pass).
                metrics.OUTBOX_PENDING.labels(self._service).set(0)
                return sent

    async def _publish(self, rows: Sequence[dict[str, Any]]) -> None:
        deliveries = []
        for row in rows:
            headers = [("event_type", row["event_type"].encode()), ("event_id", row["event_id"].encode())]
            deliveries.append(await self._producer.send(
                self._topic_prefix + row["topic"], row["value"], key=row["key"].encode() if row["key"] else None, headers=headers))
        await asyncio.gather(*deliveries)
        for row in rows:
            metrics.OUTBOX_PUBLISHED.labels(self._service, row["topic"]).inc()
