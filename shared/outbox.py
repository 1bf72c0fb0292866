"""The transactional outbox and its relay.

A consumer writes the events it emits into its process's outbox collection in the same MongoDB
transaction as its state change and inbox record. The relay, a task in the same process, publishes
the outbox with an idempotent producer and deletes what Kafka acknowledged. A crash between publish
and delete publishes an event twice; consumers drop the second copy by event_id (their inbox).
Nothing is lost by the relay, because nothing leaves the outbox unacknowledged.

Order and replicas: each row carries the shard of its key and the time it was written (ms, never
going back within a process); one relay at a time holds a shard (`shared/outbox_leases.py`) and
publishes its rows by that time, so the events of one key leave in the order they were written,
even when the key's work moved to another replica. Replicas share the shards out, so they add
publishing capacity. Each process kind has its own outbox collection and leases (its scope):
registration's feed gateway publishes `outbox_feeds`, its consumers `outbox`.

Recovery: a producer that failed (a broker restart leaves an idempotent producer failing with
OutOfOrderSequenceNumber or UnknownProducerId for good) is closed and a new one made, with a capped
back-off. A row the broker refuses for itself (too large, invalid) or that cannot be serialised is
set aside in `outbox_failed` with a PHI-free reason, counted, and the rows behind it go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException, InvalidTopicError, MessageSizeTooLargeError, RecordListTooLargeError,
)
from bson import ObjectId
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared import metrics
from shared.clock import Clock
from shared.envelope import Envelope, encode
from shared.logging import get_logger
from shared.outbox_leases import LEASE_SECONDS, RENEW_SECONDS, SHARDS, ShardLeases, shard_of
from shared.topics import Topic, check_declared

log = get_logger(__name__)

__all__ = ["DEFAULT_COLLECTION", "OutboxRelay", "RelayHealth", "SHARDS", "outbox_document", "shard_of"]

DEFAULT_COLLECTION = "outbox"
FAILED_COLLECTION = "outbox_failed"
DRAIN_CHUNK = 1000
# A pass must end before a held lease could expire, or another relay might publish the same shard.
PUBLISH_TIMEOUT_SECONDS = LEASE_SECONDS - RENEW_SECONDS - 1
PRODUCER_STOP_SECONDS = 5.0
BACKOFF_FIRST, BACKOFF_CAP = 0.2, 3.0
# Failed passes in a row after which a relay gives its shards to another live replica, if any.
STEP_ASIDE_AFTER_FAILURES = 3
# Refused by the broker (or by the client before sending) for what the record is, not for the
# broker's state: sending it again can never succeed.
REFUSALS: dict[type[Exception], str] = {
    MessageSizeTooLargeError: "too_large", RecordListTooLargeError: "too_large",
    CorruptRecordException: "invalid", InvalidTopicError: "invalid",
}
_last_written_ms = 0


def _written_at_ms() -> int:
    """Wall-clock ms, never going back within this process: the order of rows in their shard."""
    global _last_written_ms
    _last_written_ms = max(_last_written_ms, time.time_ns() // 1_000_000)
    return _last_written_ms


def outbox_document(topic: Topic, event: Envelope) -> dict[str, Any]:
    """The outbox row for `event` on `topic`: what to send, already serialized, with its shard. A
    topic its producer does not declare (shared/topics.py EMITS) is refused: its ACL would refuse
    the write."""
    check_declared(event.producer, topic)
    key = topic.key_of(event.payload)
    return {
        "_id": ObjectId(),
        "topic": topic.name,
        "key": key,
        "shard": shard_of(key),
        "at": _written_at_ms(),
        "value": encode(event),
        "event_id": str(event.event_id),
        "event_type": event.event_type,
    }


def _refusal(failure: BaseException) -> str | None:
    return next((reason for kind, reason in REFUSALS.items() if isinstance(failure, kind)), None)


def _unserialisable(row: dict[str, Any]) -> bool:
    return not (isinstance(row.get("topic"), str) and isinstance(row.get("value"), bytes)
                and isinstance(row.get("key"), (str, type(None))) and isinstance(row.get("event_type"), str)
                and isinstance(row.get("event_id"), str))


class RelayHealth:
    """Whether the relay is publishing: `reason` says why not (no ids, no PHI)."""

    def __init__(self, healthy: bool, reason: str | None = None) -> None:
        self.healthy = healthy
        self.reason = reason


class OutboxRelay:
    def __init__(self, database: AsyncDatabase, producer: Callable[[], AIOKafkaProducer], *, service: str, owner: str,
                 clock: Clock, topic_prefix: str = "", idle_seconds: float = 0.5,
                 collection: str = DEFAULT_COLLECTION, stall_seconds: float = 30.0) -> None:
        self.outbox = database[collection]  # where this process's writers put their rows
        self._failed = database[FAILED_COLLECTION]
        self._leases = ShardLeases(database["leases"], scope=collection, owner=owner, clock=clock)
        self._new_producer = producer  # made in the relay's task: aiokafka clients belong to the running loop
        self._producer: AIOKafkaProducer | None = None
        self._service = service
        self._idle_seconds = idle_seconds
        self._stall_seconds = stall_seconds
        self._topic_prefix = topic_prefix
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._progress_at = time.monotonic()  # the last pass that published, set aside, or found nothing to do
        self._last_error: str | None = None

    async def start(self) -> None:
        await self.outbox.create_index([("shard", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)])
        self._progress_at = time.monotonic()
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-outbox-relay")

    def wake(self) -> None:
        """Tell the relay a transaction just committed new outbox rows."""
        self._wake.set()

    def health(self) -> RelayHealth:
        """Unhealthy when the relay stopped, or has made no progress for `stall_seconds` (a producer
        or MongoDB failing every pass, or a publish that never ends)."""
        if self._task is not None and self._task.done() and not self._stopping:
            return RelayHealth(False, "outbox relay stopped")
        stalled = time.monotonic() - self._progress_at
        if stalled > self._stall_seconds:
            return RelayHealth(False, f"outbox relay made no progress for {stalled:.0f}s"
                                      + (f" (last error: {self._last_error})" if self._last_error else ""))
        return RelayHealth(True)

    async def stop(self) -> None:
        """Publish what is left, give back the leases, then stop (SIGTERM: nothing written is left behind)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):  # noqa: BLE001 - best effort: rows left are sent by the next relay
            await asyncio.wait_for(self._final_drain(), timeout=PUBLISH_TIMEOUT_SECONDS)
        await self._close_producer()

    async def _final_drain(self) -> None:
        await self.drain()
        await self._leases.release()

    async def _run(self) -> None:
        backoff, failures = BACKOFF_FIRST, 0
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_seconds)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.drain()
                backoff, failures = BACKOFF_FIRST, 0
            except Exception as failure:  # noqa: BLE001 - the relay must outlive broker/Mongo outages
                # Nothing is lost: the rows stay in the outbox and are sent on the next pass.
                self._last_error = type(failure).__name__
                failures += 1
                log.warning("outbox relay pass failed, will retry", error=self._last_error)
                if not isinstance(failure, PyMongoError):
                    await self._close_producer()  # a failed idempotent producer never recovers by itself
                    if failures >= STEP_ASIDE_AFTER_FAILURES:
                        with contextlib.suppress(PyMongoError):
                            if await self._leases.step_aside():
                                log.warning("outbox relay gave its shards to another replica", failures=failures)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_CAP)

    async def _open_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._new_producer()
            try:
                await asyncio.wait_for(producer.start(), timeout=PUBLISH_TIMEOUT_SECONDS)
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), timeout=PRODUCER_STOP_SECONDS)
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            metrics.OUTBOX_PRODUCER_RESTARTS.labels(self._service).inc()
            with contextlib.suppress(Exception):  # noqa: BLE001 - a broken producer may fail to stop too
                await asyncio.wait_for(producer.stop(), timeout=PRODUCER_STOP_SECONDS)

    def _query(self, shards: frozenset[int]) -> dict[str, Any]:
        held = {"shard": {"$in": sorted(shards)}}
        # Rows written before rows had shards belong to shard 0's holder.
        return {"$or": [held, {"shard": {"$exists": False}}]} if 0 in shards else held

    async def drain(self) -> int:
        """Publish every row of the shards this relay holds, in written order; return how many were
        sent (set-aside rows not counted). Raise if a publish failed; what was sent is deleted."""
        shards = await self._leases.refresh()
        if not shards:
            self._progress_at = time.monotonic()  # other replicas hold every shard: nothing to do here
            return 0
        sent = 0
        while True:
            rows = await self.outbox.find(self._query(shards), sort=[("at", 1), ("_id", 1)], limit=DRAIN_CHUNK).to_list()
            if not rows:
                metrics.OUTBOX_PENDING.labels(self._service).set(0)
                self._progress_at = time.monotonic()
                return sent
            metrics.OUTBOX_PENDING.labels(self._service).set(len(rows))
            sent += await asyncio.wait_for(self._publish(rows), timeout=PUBLISH_TIMEOUT_SECONDS)
            self._progress_at = time.monotonic()
            if len(rows) < DRAIN_CHUNK:
                # Drained as of the find; rows committed since then woke the relay, which comes back.
                metrics.OUTBOX_PENDING.labels(self._service).set(0)
                return sent

    async def _publish(self, rows: Sequence[dict[str, Any]]) -> int:
        """Send `rows`, delete those delivered, set aside those refused; raise if others failed."""
        producer = await self._open_producer()
        pending: list[tuple[dict[str, Any], asyncio.Future]] = []
        refused: list[tuple[dict[str, Any], str, str]] = []
        for row in rows:
            if _unserialisable(row):
                refused.append((row, "unserialisable", "row fields missing or of the wrong type"))
                continue
            try:
                pending.append((row, await self._send(producer, row)))
            except tuple(REFUSALS) as failure:  # the client knows at once (e.g. over max_request_size)
                refused.append((row, _refusal(failure) or "invalid", type(failure).__name__))
        results = await asyncio.gather(*(future for _, future in pending), return_exceptions=True)
        delivered = [row for (row, _), result in zip(pending, results) if not isinstance(result, BaseException)]
        suspects = [row for (row, _), result in zip(pending, results) if _refusal(result) is not None]
        failure = next((r for r in results if isinstance(r, BaseException) and _refusal(r) is None), None)
        await self._delete(delivered)
        for row, reason, detail in refused:
            await self._set_aside(row, reason, detail)
        if suspects:
            # The broker refused a whole batch, and the refusal left the idempotent producer out of
            # sequence: with a fresh producer, send each of the batch's rows alone to find the bad one.
            await self._close_producer()
            delivered += await self._isolate(suspects)
        if failure is not None:
            raise failure
        return len(delivered)

    async def _isolate(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        delivered = []
        for row in rows:
            producer = await self._open_producer()
            try:
                await (await self._send(producer, row))
            except tuple(REFUSALS) as failure:
                await self._set_aside(row, _refusal(failure) or "invalid", type(failure).__name__)
                await self._close_producer()
                continue
            await self._delete([row])
            delivered.append(row)
        return delivered

    async def _send(self, producer: AIOKafkaProducer, row: dict[str, Any]) -> asyncio.Future:
        headers = [("event_type", row["event_type"].encode()), ("event_id", row["event_id"].encode())]
        return await producer.send(self._topic_prefix + row["topic"], row["value"],
                                   key=row["key"].encode() if row["key"] else None, headers=headers)

    async def _delete(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.outbox.delete_many({"_id": {"$in": [row["_id"] for row in rows]}})
            for row in rows:
                metrics.OUTBOX_PUBLISHED.labels(self._service, row["topic"]).inc()

    async def _set_aside(self, row: dict[str, Any], reason: str, detail: str) -> None:
        """Move `row` to outbox_failed with why (a code and an error type: no values, no PHI)."""
        value = row.get("value")
        with contextlib.suppress(DuplicateKeyError):  # set aside before, by a pass that died before the delete
            await self._failed.insert_one({
                **{k: row.get(k) for k in ("_id", "topic", "key", "shard", "at", "event_id", "event_type", "value")},
                "reason": reason, "detail": detail, "bytes": len(value) if isinstance(value, (bytes, str)) else None,
                "set_aside_at": datetime.now(timezone.utc), "service": self._service})
        await self.outbox.delete_one({"_id": row["_id"]})
        metrics.OUTBOX_SET_ASIDE.labels(self._service, reason).inc()
        log.error("outbox row set aside", reason=reason, detail=detail, topic=row.get("topic"),
                  event_id=row.get("event_id"), event_type=row.get("event_type"))
