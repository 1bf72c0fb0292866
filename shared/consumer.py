"""Batch consumption with exactly-once effects: decode, dedupe, one transaction, then commit.

For each batch of records a subscriber receives:

1. Every record is validated against its topic's envelope. One that does not validate becomes a
   dead letter (reason: the failing field paths and error types, never the values, which may be PHI).
2. Events already in the inbox (a redelivery, a crash before the commit, a replay from offset 0)
   are dropped; so are repeats inside the batch.
3. In ONE MongoDB transaction: the service's handler changes its state and queues the events it
   emits and the dead letters it decides on (`UnitOfWork`), the consumed event ids go into the inbox
   and the queued events into the outbox.
4. Only then does the subscriber return, and FastStream commits the offsets (NACK_ON_ERROR: if
   anything above raised, nothing is committed and the batch is read again).

A handler error that keeps coming back (after `max_handling_attempts`) is isolated: the batch is
handled one event at a time and the event that still fails is dead-lettered with the exception's
type as the reason, so one bad event cannot stop a partition. MongoDB and Kafka errors are never
dead-lettered: they mean "try again", with a backoff.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from bson import ObjectId
from pydantic import BaseModel, ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared import metrics
from shared.clock import Clock
from shared.envelope import Envelope, decode, new_event
from shared.errors import RcmError
from shared.dead_letters import sealed_copy
from shared.events import DeadLetter
from shared.kafka import CONSUMER_HEARTBEAT_INTERVAL_MS, CONSUMER_SESSION_TIMEOUT_MS
from shared.logging import get_logger
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import OutboxRelay, outbox_document
from shared.phi import PhiCipher
from shared.topics import Topic, dead_letter_topic

log = get_logger(__name__)

__all__ = ["Consumer", "Handler", "HandlerValidationError", "RcmError", "Record", "UnitOfWork"]

UNKNOWN_TENANT = "unknown"


class HandlerValidationError(Exception):
    """A handler built an invalid model; the message names fields and error types only."""


@dataclass(frozen=True)
class Record:
    """One consumed Kafka record: where it came from and its bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass
class UnitOfWork:
    """What a handler may do inside the batch transaction: read and write its own collections with
    `session`, queue events to emit and park events it cannot use."""

    session: AsyncClientSession
    now: datetime
    producer: str
    _outbox: list[dict[str, Any]] = field(default_factory=list)
    _dead: list[tuple[Envelope, str, str, Topic | None]] = field(default_factory=list)

    def emit(self, topic: Topic, payload: BaseModel, *, cause: Envelope | None = None,
             tenant_id: str | None = None, correlation_id: str | None = None) -> Envelope:
        event = new_event(topic, payload, producer=self.producer, now=self.now, cause=cause,
                          tenant_id=tenant_id, correlation_id=correlation_id)
        self._outbox.append(outbox_document(topic, event))
        metrics.STAGE_EVENTS.labels(self.producer, event.event_type).inc()
        return event

    def emit_again(self, row: dict[str, Any]) -> None:
        """Queue an outbox row written before (the same envelope, so consumers that saw it drop it),
        e.g. a partner's recorded answer to a request sent again."""
        self._outbox.append({**row, "_id": ObjectId()})

    def dead_letter(self, event: Envelope, error: RcmError, *, topic: Topic | None = None) -> None:
        """Park `event`: it is bad input for this service (the handler goes on with the others).

        `topic` names where `event` came from when it is not one of the batch's own records (a fact
        parked earlier and refused now), so the letter can be replayed to the right topic."""
        self._dead.append((event, error.code, str(error), topic))

    def outbox_rows(self) -> list[dict[str, Any]]:
        """The events queued so far, as outbox rows: for a unit of work run outside a consumer (a
        person's action through an API), which writes them in its own transaction."""
        return list(self._outbox)


Handler = Callable[[Sequence[Envelope], UnitOfWork], Awaitable[None]]


def _validation_reason(error: ValidationError) -> str:
    """Field paths and error types only: pydantic's own message would quote the (PHI) input."""
    parts = [".".join(str(p) for p in e["loc"]) + ":" + e["type"] for e in error.errors(include_input=False)]
    return ("invalid event: " + ", ".join(parts[:10]))[:500]


class _Assignment(ConsumerRebalanceListener):
    """Counts the partitions a subscriber holds (`rcm_consumer_assigned_partitions`: a restarted
    process has rejoined once every subscriber holds some) and, with RCM_REPLAY_FROM_BEGINNING,
    seeks every partition assigned at start back to offset 0, once per process."""

    def __init__(self, service: str, subscriber: str, replay: bool) -> None:
        self.subscriber = None
        self._gauge = metrics.CONSUMER_ASSIGNED_PARTITIONS.labels(service, subscriber)
        self._replay = replay
        self._done: set = set()

    async def on_partitions_revoked(self, revoked) -> None:
        self._gauge.set(0)

    async def on_partitions_assigned(self, assigned) -> None:
        self._gauge.set(len(assigned))
        fresh = [tp for tp in assigned if tp not in self._done]
        if self._replay and fresh and self.subscriber is not None and self.subscriber.consumer is not None:
            await self.subscriber.consumer.seek_to_beginning(*fresh)
            self._done.update(fresh)
            log.info("replaying from offset 0", partitions=len(fresh))


class Consumer:
    """Subscribes handlers to topics on a broker, with the inbox/outbox transaction around them."""

    def __init__(self, *, service: str, instance: str, broker: KafkaBroker, client: AsyncMongoClient,
                 database: AsyncDatabase, relay: OutboxRelay, clock: Clock, max_records: int = 500,
                 batch_timeout_ms: int = 50, max_attempts: int = 5, topic_prefix: str = "",
                 replay_from_beginning: bool = False, cipher: PhiCipher) -> None:
        self.service = service
        self._cipher = cipher  # seals the copy a dead letter keeps
        self._instance = instance
        self._broker = broker
        self._client = client
        self._db = database
        self._inbox = database["inbox"]
        self._outbox = database["outbox"]
        self._relay = relay
        self._clock = clock
        self._max_records = max_records
        self._batch_timeout_ms = batch_timeout_ms
        self._max_attempts = max_attempts
        self._attempts: dict[tuple[str, int, int], int] = {}
        self._ready: Callable[[], Awaitable[None]] | None = None
        # One batch transaction at a time per process. A service's subscribers touch the same
        # documents (claims move on acks, payments and denial work at once); run concurrently after a
        # restart with a backlog, their large transactions aborted each other on write conflicts
        # again and again and nothing moved. Serialized, they never conflict within a process.
        self._transaction_lock = asyncio.Lock()
        self._dead_letter_topic = dead_letter_topic(service)
        self._topic_prefix = topic_prefix
        self._replay_from_beginning = replay_from_beginning
        # Set by shared/reconciler.install: writes a hand-off beside each tracked event emitted.
        self.journal = None

    def hold_until(self, ready: Callable[[], Awaitable[None]]) -> None:
        """Await `ready()` before each batch, outside its transaction (e.g. code sets still loading
        while the subscribers join their group). An OSError from it is infrastructure: the batch is
        read again later, nothing is dead-lettered."""
        self._ready = ready

    def subscribe(self, topic: Topic, handler: Handler, *, name: str | None = None) -> None:
        """Consume `topic` in batches with `handler`.

        Each subscriber has its own consumer group, `<service>.<name>`: subscribers of one service
        then never rebalance each other (one shared group made every join stall the others for
        seconds). Static membership `<instance>.<name>` lets a restarted pod take its partitions
        back at once (see docs/architecture.md)."""
        subscriber_name = name or handler.__name__
        assignment = _Assignment(self.service, subscriber_name, self._replay_from_beginning)
        metrics.CONSUMER_SUBSCRIPTIONS.labels(self.service).inc()

        subscriber = self._broker.subscriber(
            self._topic_prefix + topic.name,
            batch=True,
            group_id=f"{self._topic_prefix}{self.service}.{subscriber_name}",
            group_instance_id=f"{self._instance}.{subscriber_name}",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            session_timeout_ms=CONSUMER_SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=CONSUMER_HEARTBEAT_INTERVAL_MS,
            max_records=self._max_records,
            batch_timeout_ms=self._batch_timeout_ms,
            title=f"{self.service}.{subscriber_name}",
            description=handler.__doc__,
            listener=assignment,
        )

        async def consume(message: KafkaMessage) -> None:
            records = [Record(r.topic, r.partition, r.offset, r.key, r.value) for r in message.raw_message]
            await self.handle_records(topic, records, handler)

        subscriber(consume)
        assignment.subscriber = subscriber


    async def handle_records(self, topic: Topic, records: Sequence[Record], handler: Handler) -> None:
        """Handle one batch from one partition; raise to have it read again."""
        if not records:
            return
        started = time.perf_counter()
        batch_key = (records[0].topic, records[0].partition, records[0].offset)
        events, unreadable = self._decode(topic, records)
        try:
            if self._ready is not None:
                await self._ready()
            if self._attempts.get(batch_key, 0) >= self._max_attempts:
                await self._handle_one_by_one(topic, events, unreadable, handler)
            else:
                await self._handle_batch(topic, events, unreadable, handler)
        except (PyMongoError, KafkaError, OSError):
            # Infrastructure: never the event's fault. Back off, then let the batch be read again.
            metrics.BATCH_RETRIES.labels(self.service, topic.name).inc()
            await asyncio.sleep(min(0.2 * (self._attempts.get(batch_key, 0) + 1), 5.0))
            raise
        except ValidationError as invalid:
            # pydantic's message quotes the offending input, which may be PHI, and FastStream logs
            # what a handler raises: re-raise with field paths and error types only, unchained.
            self._attempts[batch_key] = self._attempts.get(batch_key, 0) + 1
            metrics.BATCH_RETRIES.labels(self.service, topic.name).inc()
            raise HandlerValidationError(_validation_reason(invalid)) from None
        except Exception:
            self._attempts[batch_key] = self._attempts.get(batch_key, 0) + 1
            metrics.BATCH_RETRIES.labels(self.service, topic.name).inc()
            log.warning("batch handling failed, will be read again", topic=topic.name,
                        partition=records[0].partition, offset=records[0].offset,
                        attempt=self._attempts[batch_key])
            raise
        self._attempts.pop(batch_key, None)
        self._relay.wake()
        metrics.BATCH_SECONDS.labels(self.service, topic.name).observe(time.perf_counter() - started)

    def _decode(self, topic: Topic, records: Sequence[Record]) -> tuple[list[tuple[Record, Envelope]], list[tuple[Record, str, str]]]:
        events: list[tuple[Record, Envelope]] = []
        unreadable: list[tuple[Record, str, str]] = []
        for record in records:
            try:
                events.append((record, decode(topic, record.value)))
            except ValidationError as invalid:
                if any(e["type"] in ("json_invalid", "json_type") for e in invalid.errors(include_input=False)):
                    unreadable.append((record, "UNREADABLE", "message is not a JSON event"))
                else:
                    unreadable.append((record, "INVALID_EVENT", _validation_reason(invalid)))
        return events, unreadable

    async def _handle_batch(self, topic: Topic, events: list[tuple[Record, Envelope]],
                            unreadable: list[tuple[Record, str, str]], handler: Handler) -> None:
        async def work(session: AsyncClientSession) -> tuple[int, int]:
            fresh = await self._fresh(events, session)
            unit = UnitOfWork(session=session, now=self._clock.now(), producer=self.service)
            if fresh:
                await handler([event for _, event in fresh], unit)
            await self._finish(topic, fresh, unreadable, unit, session)
            return len(fresh), len(unit._dead)

        async with self._transaction_lock:
            handled, dead = await in_transaction(self._client, work)
        metrics.EVENTS_CONSUMED.labels(self.service, topic.name, "handled").inc(handled - dead)
        metrics.EVENTS_CONSUMED.labels(self.service, topic.name, "duplicate").inc(len(events) - handled)

    async def _handle_one_by_one(self, topic: Topic, events: list[tuple[Record, Envelope]],
                                 unreadable: list[tuple[Record, str, str]], handler: Handler) -> None:
        log.warning("isolating a failing batch", topic=topic.name, events=len(events))
        await self._handle_batch(topic, [], unreadable, handler)
        for record, event in events:
            try:
                await self._handle_batch(topic, [(record, event)], [], handler)
            except (PyMongoError, KafkaError, OSError):
                raise
            except Exception as failure:  # noqa: BLE001 - isolated: this one event is the poison
                reason = f"handler failed with {type(failure).__name__} after {self._max_attempts} attempts"
                await self._handle_batch(topic, [], [(record, "HANDLER_FAILED", reason)], handler)

    async def _fresh(self, events: list[tuple[Record, Envelope]], session: AsyncClientSession) -> list[tuple[Record, Envelope]]:
        """Events not handled before (inbox) and not repeated earlier in this batch."""
        if not events:
            return []
        ids = list({str(event.event_id) for _, event in events})
        seen = {doc["_id"] async for doc in self._inbox.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)}
        fresh = []
        for record, event in events:
            key = str(event.event_id)
            if key not in seen:
                seen.add(key)
                fresh.append((record, event))
        return fresh

    async def _finish(self, topic: Topic, fresh: list[tuple[Record, Envelope]], unreadable: list[tuple[Record, str, str]],
                      unit: UnitOfWork, session: AsyncClientSession) -> None:
        now = unit.now
        if fresh:
            await self._inbox.insert_many(
                [{"_id": str(event.event_id), "topic": topic.name, "at": now} for _, event in fresh],
                ordered=False, session=session)
        record_of = {id(event): record for record, event in fresh}
        parked = [(record, code, reason, None, topic) for record, code, reason in unreadable]
        parked += [(record_of.get(id(event)), code, reason, event, origin or topic)
                   for event, code, reason, origin in unit._dead]
        rows = list(unit._outbox)
        for record, code, reason, event, origin in parked:
            rows.append(outbox_document(self._dead_letter_topic, self._dead_letter(origin, record, code, reason, event, now)))
            metrics.DEAD_LETTERS.labels(self.service, origin.name, code).inc()
            log.warning("dead-lettered", topic=origin.name, reason_code=code,
                        partition=record.partition if record else None, offset=record.offset if record else None,
                        event_id=str(event.event_id) if event else None)
        if rows:
            await self._outbox.insert_many(rows, session=session)
            if self.journal is not None:
                await self.journal.open(unit._outbox, now, session)

    def _dead_letter(self, topic: Topic, record: Record | None, code: str, reason: str, event: Envelope | None,
                     now: datetime) -> Envelope[DeadLetter]:
        value = record.value if record else (event.model_dump_json().encode() if event else b"")
        if record and record.key:
            key = record.key.decode(errors="replace")
        else:
            key = topic.key_of(event.payload) if event else None
        letter = DeadLetter(
            service=self.service,
            original_topic=topic.name,
            partition=record.partition if record else -1,
            offset=record.offset if record else -1,
            original_key=key or None,
            reason_code=code,
            reason=reason[:500],
            dead_lettered_at=now,
            **sealed_copy(self._cipher, value),
        )
        # A re-read of the same record parks the same letter id, so the DLQ can be de-duplicated. A
        # letter for an event that is not one of the batch's records is identified by its event id.
        position = f"{letter.partition}|{letter.offset}" if record else f"event|{event.event_id if event else ''}"
        letter_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.service}|{topic.name}|{position}|{code}")
        return new_event(self._dead_letter_topic, letter, producer=self.service, now=now,
                         tenant_id=event.tenant_id if event else UNKNOWN_TENANT,
                         correlation_id=event.correlation_id if event else UNKNOWN_TENANT,
                         cause=None, event_id=letter_id)
