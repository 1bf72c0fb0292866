"""The machinery behind shared/deadlines.py, in every service that owns hand-offs:

- `HandoffJournal` writes a hand-off beside each tracked event in the transaction that emits it
  (the consumer calls `open` with the outbox rows it writes), and closes hand-offs when the owner
  reads the event that closes them (`close`, in that event's transaction).
- `Reconciler` runs a pass every RCM_RECONCILE_INTERVAL_SECONDS: at most RCM_RECONCILE_BATCH
  hand-offs past their deadline, in one transaction (hand-offs, work items and outbox together),
  then refreshes `rcm_stalled_work`.
- `install(runtime, handoffs)` wires both into a service runtime: one call in a service's app.py.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared import metrics
from shared.clock import Clock
from shared.deadlines import (
    WORK_ITEM, Action, Handoff, counted_as_stalled, deadline_of, first_due, handoff_id, next_step, stalled_reason,
)
from shared.envelope import Envelope, decode
from shared.logging import get_logger
from shared.periodic import Periodic
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import OutboxRelay, outbox_document
from shared.phi import PhiCipher

log = get_logger(__name__)

HANDOFFS = "handoffs"
STALLED_WORK = "stalled_work"
RECONCILED = "reconciled"  # what the passes did, per stage and action (the counter, kept for reports)
_ROW_FIELDS = ("topic", "key", "value", "event_id", "event_type")


class HandoffJournal:
    def __init__(self, service: str, database: AsyncDatabase, handoffs: Sequence[Handoff],
                 overrides: Mapping[str, float] | None = None, *, cipher: PhiCipher) -> None:
        stages = [h.stage for h in handoffs]
        if len(set(stages)) != len(stages):
            raise ValueError(f"{service}: stage names must be unique, got {stages}")
        self.service = service
        self.cipher = cipher  # a kept event may carry PHI (a patient, an 837): sealed at rest
        self.handoffs = {h.stage: h for h in handoffs}
        self._overrides = dict(overrides or {})
        self._by_topic: dict[str, list[Handoff]] = defaultdict(list)
        for handoff in handoffs:
            self._by_topic[handoff.topic.name].append(handoff)
        self._open = database[HANDOFFS]
        self._stalled = database[STALLED_WORK]

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database[HANDOFFS].create_index([("due_at", ASCENDING)])
        await database[HANDOFFS].create_index([("stage", ASCENDING), ("key", ASCENDING)])
        await database[STALLED_WORK].create_index([("stage", ASCENDING), ("key", ASCENDING)])
        await database[STALLED_WORK].create_index([("resolved_at", ASCENDING), ("stage", ASCENDING)])

    def deadline(self, stage: str):
        return deadline_of(self.handoffs[stage], self._overrides)

    def closings(self) -> dict[str, list[tuple[Handoff, Any]]]:
        """Per closing topic name: (hand-off, Closing) pairs."""
        found: dict[str, list[tuple[Handoff, Any]]] = defaultdict(list)
        for handoff in self.handoffs.values():
            for closing in handoff.closed_by:
                found[closing.topic.name].append((handoff, closing))
        return found

    async def open(self, rows: Iterable[Mapping[str, Any]], now: datetime, session: AsyncClientSession) -> None:
        """Track each outbox row on a tracked topic (in the transaction that writes the rows)."""
        writes = []
        for row in rows:
            for handoff in self._by_topic.get(row["topic"], ()):
                event = decode(handoff.topic, row["value"]) if handoff.reads_event() else None
                payload = event.payload if event is not None else None
                if handoff.keyed_by_correlation:
                    key = event.correlation_id
                else:
                    key = handoff.key_of(payload) if payload is not None else row["key"]
                if key is None:
                    continue
                _id = handoff_id(handoff, key, row["event_id"])
                writes.append(ReplaceOne({"_id": _id}, {
                    "_id": _id, "stage": handoff.stage, "key": key, "opened_at": now,
                    "due_at": first_due(now, self.deadline(handoff.stage)), "attempts": 0,
                    "detail": handoff.detail(payload) if handoff.detail is not None else None,
                    "row": self.keep(row),
                }, upsert=True))
        if writes:
            await self._open.bulk_write(writes, ordered=False, session=session)

    def keep(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The outbox row as kept beside its hand-off, its value sealed."""
        kept = {field: row[field] for field in _ROW_FIELDS if field != "value"}
        return {**kept, "sealed_value": self.cipher.seal_bytes(row["value"])}

    def sent(self, kept: Mapping[str, Any]) -> dict[str, Any]:
        """The outbox row again, from what `keep` kept."""
        row = {field: kept[field] for field in _ROW_FIELDS if field != "value"}
        return {**row, "value": self.cipher.open_bytes(kept["sealed_value"])}

    async def close(self, stage_keys: Iterable[tuple[str, str]], now: datetime, session: AsyncClientSession) -> None:
        """The work moved on: forget these (stage, key) hand-offs and resolve their work items."""
        by_stage: dict[str, set[str]] = defaultdict(set)
        for stage, key in stage_keys:
            by_stage[stage].add(key)
        if not by_stage:
            return
        await self._open.bulk_write([DeleteMany({"stage": stage, "key": {"$in": sorted(keys)}})
                                     for stage, keys in by_stage.items()], ordered=False, session=session)
        await self._stalled.bulk_write([UpdateMany({"stage": stage, "key": {"$in": sorted(keys)}, "resolved_at": None},
                                                   {"$set": {"resolved_at": now}})
                                        for stage, keys in by_stage.items()], ordered=False, session=session)


class Reconciler:
    """Acts on hand-offs past their deadline, a bounded batch per pass, every `interval` seconds."""

    def __init__(self, client: AsyncMongoClient, database: AsyncDatabase, journal: HandoffJournal,
                 relay: OutboxRelay, clock: Clock, *, interval_seconds: float, batch: int, max_attempts: int) -> None:
        self._client = client
        self._open = database[HANDOFFS]
        self._stalled = database[STALLED_WORK]
        self._tally = database[RECONCILED]
        self._outbox = database["outbox"]
        self._journal = journal
        self._relay = relay
        self._clock = clock
        self._batch = batch
        self._max_attempts = max_attempts
        self._passes = Periodic(f"{journal.service}-reconciler", interval_seconds, self.pass_once)

    def start(self) -> None:
        self._passes.start()

    async def stop(self) -> None:
        await self._passes.stop()

    async def pass_once(self) -> Counter:
        """Act on the hand-offs past their deadline; return how many of each (stage, action)."""
        done = await in_transaction(self._client, self._pass)
        if any(action != "closed" for _, action in done):
            self._relay.wake()
        service = self._journal.service
        for (stage, action), count in done.items():
            if action != "closed":
                metrics.RECONCILED.labels(service, stage, action).inc(count)
                log.info("reconciled", stage=stage, action=action, count=count)
        await self.refresh_stalled()
        return done

    async def _pass(self, session: AsyncClientSession) -> Counter:
        now = self._clock.now()
        due = await self._open.find({"due_at": {"$lte": now}}, sort=[("due_at", ASCENDING)], limit=self._batch,
                                    session=session).to_list()
        done: Counter = Counter()
        by_stage: dict[str, list[dict]] = defaultdict(list)
        for doc in due:
            if doc["stage"] in self._journal.handoffs:
                by_stage[doc["stage"]].append(doc)
        writes, stalled, rows = [], [], []
        for stage, docs in by_stage.items():
            handoff = self._journal.handoffs[stage]
            waiting = await handoff.waiting(docs, session) if handoff.waiting is not None else {d["_id"] for d in docs}
            for doc in docs:
                if doc["_id"] not in waiting:
                    writes.append(DeleteOne({"_id": doc["_id"]}))  # moved on: the owner's state says so
                    done[(stage, "closed")] += 1
                    continue
                step = next_step(handoff.action, doc["attempts"], max_attempts=self._max_attempts, now=now,
                                 deadline=self._journal.deadline(stage))
                if step.action == WORK_ITEM:
                    stalled.append(ReplaceOne({"_id": doc["_id"]}, {
                        "_id": doc["_id"], "stage": stage, "key": doc["key"], "event_id": doc["row"]["event_id"],
                        "reason": stalled_reason(stage, doc["attempts"]), "opened_at": now, "resolved_at": None,
                    }, upsert=True))
                else:
                    rows.append(_again(handoff, self._journal.sent(doc["row"]), now,
                                       fresh_id=step.action == Action.RE_SEND.value))
                if step.next_due is None:
                    writes.append(DeleteOne({"_id": doc["_id"]}))
                else:
                    writes.append(UpdateOne({"_id": doc["_id"]}, {"$set": {"attempts": step.attempt,
                                                                           "due_at": step.next_due}}))
                done[(stage, step.action)] += 1
        if writes:
            await self._open.bulk_write(writes, ordered=False, session=session)
        if stalled:
            await self._stalled.bulk_write(stalled, ordered=False, session=session)
        if rows:
            await self._outbox.insert_many(rows, session=session)
        tally = [UpdateOne({"_id": f"{stage}|{action}"}, {"$set": {"stage": stage, "action": action},
                                                        "$inc": {"count": count}}, upsert=True)
                 for (stage, action), count in done.items() if action != "closed"]
        if tally:
            await self._tally.bulk_write(tally, ordered=False, session=session)
        return done

    async def refresh_stalled(self) -> dict[str, int]:
        """Set rcm_stalled_work per stage: hand-offs past their deadline now, plus open work items."""
        now = self._clock.now()
        counts: Counter = Counter()
        late = self._open.aggregate([
            {"$match": {"$or": [{"due_at": {"$lte": now}}, {"attempts": {"$gte": 1}}]}},
            {"$group": {"_id": "$stage", "n": {"$sum": 1}}}])
        async for row in await late:
            counts[row["_id"]] += row["n"]
        items = self._stalled.aggregate([{"$match": {"resolved_at": None}}, {"$group": {"_id": "$stage", "n": {"$sum": 1}}}])
        async for row in await items:
            counts[row["_id"]] += row["n"]
        figures = {}
        for stage, handoff in self._journal.handoffs.items():
            if counted_as_stalled(handoff):
                figures[stage] = counts.get(stage, 0)
                metrics.STALLED_WORK.labels(self._journal.service, stage).set(figures[stage])
        return figures


def _again(handoff: Handoff, row: Mapping[str, Any], now: datetime, *, fresh_id: bool) -> dict[str, Any]:
    """The outbox row that publishes a tracked event again: the same envelope, or (re-send) its
    content under a new event id, caused by the original."""
    if not fresh_id:
        return {**row, "_id": ObjectId()}
    original: Envelope = decode(handoff.topic, row["value"])
    resent = original.model_copy(update={"event_id": uuid.uuid4(), "occurred_at": now,
                                         "causation_id": original.event_id})
    return outbox_document(handoff.topic, resent)


def journal_for(runtime, handoffs: Sequence[Handoff]) -> HandoffJournal | None:
    """The journal of `runtime`'s hand-offs, for a writer outside the consumer (registration's feed
    intake); None when switched off (RCM_RECONCILE_ENABLED=false)."""
    settings = runtime.settings
    if not settings.reconcile_enabled:
        return None
    return HandoffJournal(runtime.service, runtime.db, handoffs, settings.deadline_seconds, cipher=runtime.cipher)


def install(runtime, handoffs: Sequence[Handoff], *, journal: HandoffJournal | None = None) -> Reconciler | None:
    """Track `handoffs` in `runtime`'s service: journal every tracked event the consumer emits, read
    the closing events, and run the reconciler while the process runs. None when switched off
    (RCM_RECONCILE_ENABLED=false)."""
    settings = runtime.settings
    journal = journal or journal_for(runtime, handoffs)
    if journal is None:
        return None
    runtime.consumer.journal = journal
    for topic_name, pairs in journal.closings().items():
        topic = pairs[0][1].topic

        async def close_handoffs(events: Sequence[Envelope], unit, pairs=pairs) -> None:
            """The downstream event that shows work handed on has moved: its hand-off is closed."""
            keys = [(handoff.stage, key) for event in events for handoff, closing in pairs
                    if (key := closing.key(event.payload)) is not None]
            await journal.close(keys, unit.now, unit.session)

        close_handoffs.__doc__ = f"Close hand-offs ({', '.join(h.stage for h, _ in pairs)}) that {topic.event_type} shows done."
        runtime.consumer.subscribe(topic, close_handoffs, name=f"deadlines-{topic.event_type}")
    reconciler = Reconciler(runtime.mongo, runtime.db, journal, runtime.relay, runtime.clock,
                            interval_seconds=settings.reconcile_interval_seconds, batch=settings.reconcile_batch,
                            max_attempts=settings.reconcile_max_attempts)

    async def start(database: AsyncDatabase) -> None:
        await HandoffJournal.ensure_indexes(database)
        reconciler.start()

    runtime.on_prepare(start)
    runtime.on_release(reconciler.stop)
    runtime.reconciler = reconciler
    return reconciler
