"""The feeds' door into registration: store what a message says, then acknowledge it.

For each mapped feed message, ONE MongoDB transaction:

1. looks up the message key (sending facility + MSH-10 or the FHIR id) in `feed_messages`: a
   message seen before is answered with the outcome it got then, and nothing is applied again;
2. matches the patient by tenant and MRN (`patients`, created or updated) and folds the message
   into its visit (`visit_drafts`, see services/registration/feed.py);
3. when the visit is complete, queues a `RegistrationRequested` in the outbox (the existing
   consumer path registers it);
4. records the message key with its outcome.

Only after the commit does the listener send AA. A message that cannot be used is answered AE/AR and
parked on the registration dead-letter topic with a PHI-free reason, in its own transaction; the
letter keeps a bounded copy sealed with the PHI key (shared/dead_letters.py).

Message keys are stored as keyed hashes (`PhiCipher.fingerprint`): a FHIR id or a control id may
hold an MRN. Every stored message and every refusal writes a `feed_audit` record in the same
transaction: who sent it (certificate name or FHIR client, peer address), the hashed key, the
outcome. A message whose registration event would exceed MAX_EVENT_BYTES is refused (AE), so no
event grows past what the broker takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from services.registration import work_items
from services.registration.crosswalk import EMPTY, Crosswalk, resolve_draft
from services.registration.decide import (
    MAX_EVENT_BYTES, SERVICE, MergedInto, PatientFeedRecord, Result, crosswalks_by_tenant, decide,
)
from services.registration.feed import Area, FeedKind, FeedMessage, Outcome, VisitDraft, VisitStatus
from services.registration.senders import Sender
from shared import metrics, topics
from shared.clock import Clock
from shared.dead_letters import sealed_copy
from shared.envelope import new_event
from shared.events import DeadLetter
from shared.ids import encounter_id_for, patient_id_for
from shared.logging import get_logger
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import OutboxRelay, outbox_document
from shared.phi import PhiCipher

log = get_logger(__name__)

UNKNOWN_TENANT = "unknown"
FEED_MESSAGE_RETENTION_SECONDS = 45 * 24 * 60 * 60
MAX_BATCH = 200  # feed messages committed in one transaction at most


class _Refused(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(result.error_code)
        self.result = result


class FeedIntake:
    def __init__(self, client: AsyncMongoClient, database: AsyncDatabase, cipher: PhiCipher, relay: OutboxRelay | None,
                 clock: Clock) -> None:
        self._client = client
        self._database = database
        self._messages = database["feed_messages"]
        self._drafts = database["visit_drafts"]
        self._patients = database["patients"]
        # The feed gateway's rows go to its own outbox (its relay's scope), the consumers' to theirs.
        self._outbox = relay.outbox if relay is not None else database["outbox"]
        self._audit = database["feed_audit"]
        self.journal = None  # set by the app: tracks each request until registration registers it
        self._cipher = cipher
        self._relay = relay
        self._clock = clock
        self._pending: list[tuple[str, str, FeedMessage, Sender | None, asyncio.Future]] = []
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task | None = None

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        # A sender resends within minutes or hours; 45 days (as the consumers' inbox) is ample.
        await database["feed_messages"].create_index([("at", ASCENDING)], expireAfterSeconds=FEED_MESSAGE_RETENTION_SECONDS)
        await database["visit_drafts"].create_index([("tenant_id", ASCENDING), ("status", ASCENDING)])
        await database["visit_drafts"].create_index([("patient_id", ASCENDING), ("status", ASCENDING)])
        await database["feed_audit"].create_index([("tenant_id", ASCENDING), ("at", ASCENDING)])
        await database["payer_crosswalk"].create_index([("tenant_id", ASCENDING)])
        await work_items.ensure_indexes(database)

    async def accept(self, tenant_id: str, message_key: str, message: FeedMessage, *,
                     sender: Sender | None = None) -> Result:
        """Apply `message` once (see the module docstring) and say how to acknowledge it. A refused
        message (AE) leaves nothing stored, not even its patient update.

        Messages arriving together (from several connections) share one transaction, a group
        commit: each caller still gets its answer only after that transaction committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((tenant_id, message_key, message, sender, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._commit_batches(), name="registration-feed-intake")
        self._arrived.set()
        return await future

    async def _commit_batches(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]

                counted: list[tuple[str, str]] = []

                async def work(session: AsyncClientSession, batch=batch, counted=counted) -> list[Result]:
                    return await self._apply_batch([(t, k, m, s) for t, k, m, s, _ in batch], session, counter=counted)

                try:
                    results = await in_transaction(self._client, work)
                except PyMongoError as failure:  # every waiting caller learns it was not stored
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(failure)
                    continue
                except Exception as failure:  # noqa: BLE001 - one bad message must not fail the others
                    if len(batch) == 1:
                        if not batch[0][4].done():
                            batch[0][4].set_exception(failure)
                        continue
                    self._pending = list(batch) + self._pending
                    await self._one_by_one(len(batch))
                    continue
                work_items.count(counted)
                if any(r.outcome == Outcome.REQUESTED for r in results) and self._relay is not None:
                    self._relay.wake()
                for (_, _, message, _, future), result in zip(batch, results):
                    metrics.STAGE_EVENTS.labels(SERVICE, f"feed.{message.source}.{result.outcome}").inc()
                    if not future.done():
                        future.set_result(result)

    async def _one_by_one(self, count: int) -> None:
        """Commit the next `count` pending messages one transaction each (isolating a failure)."""
        for _ in range(count):
            tenant_id, key, message, sender, future = self._pending.pop(0)
            counted: list[tuple[str, str]] = []
            try:
                result = await in_transaction(
                    self._client, lambda session: self._apply(tenant_id, key, message, sender, session, counted))
            except Exception as failure:  # noqa: BLE001 - handed to the one caller it concerns
                if not future.done():
                    future.set_exception(failure)
                continue
            work_items.count(counted)
            if result.outcome == Outcome.REQUESTED and self._relay is not None:
                self._relay.wake()
            if not future.done():
                future.set_result(result)

    async def close(self) -> None:
        """Stop the commit worker (after the listeners stopped, nothing is waiting)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def accept_all(self, tenant_id: str, messages: list[tuple[str, FeedMessage]], *,
                         sender: Sender | None = None) -> list[Result]:
        """Apply several messages all or nothing (a FHIR transaction Bundle): if one is refused,
        nothing of the others is kept and the refusal is returned alone."""

        counted: list[tuple[str, str]] = []

        async def work(session: AsyncClientSession) -> list[Result]:
            return await self._apply_batch([(tenant_id, key, message, sender) for key, message in messages], session,
                                           all_or_nothing=True, counter=counted)

        try:
            results = await in_transaction(self._client, work)
        except _Refused as refused:
            metrics.STAGE_EVENTS.labels(SERVICE, f"feed.refused.{refused.result.outcome}").inc()
            return [refused.result]
        work_items.count(counted)
        if any(r.outcome == Outcome.REQUESTED for r in results) and self._relay is not None:
            self._relay.wake()
        for (_, message), result in zip(messages, results):
            metrics.STAGE_EVENTS.labels(SERVICE, f"feed.{message.source}.{result.outcome}").inc()
        return results

    async def refuse(self, tenant_id: str | None, origin: str, original: bytes, code: str, reason: str,
                     message_key: str | None, *, sender: Sender | None = None) -> None:
        """Park an unusable message on the registration dead-letter topic (reason without PHI; the
        copy sealed and bounded) and audit the refusal."""
        now = self._clock.now()
        letter = DeadLetter(service=SERVICE, original_topic=origin, partition=-1, offset=-1, original_key=None,
                            reason_code=code, reason=reason[:500], dead_lettered_at=now,
                            **sealed_copy(self._cipher, original))
        hashed_key = self._cipher.fingerprint(f"{tenant_id}|{message_key}") if message_key else None
        letter_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{SERVICE}|{origin}|{hashed_key or uuid.uuid4()}|{code}")
        event = new_event(topics.dead_letter_topic(SERVICE), letter, producer=SERVICE, now=now,
                          tenant_id=tenant_id or UNKNOWN_TENANT, correlation_id=UNKNOWN_TENANT, event_id=letter_id)
        audit = _audit_record(sender, origin, tenant_id, hashed_key, "refused", code, now)

        async def park(session: AsyncClientSession) -> None:
            await self._outbox.insert_one(outbox_document(topics.dead_letter_topic(SERVICE), event), session=session)
            await self._audit.insert_one(audit, session=session)

        await in_transaction(self._client, park)
        metrics.DEAD_LETTERS.labels(SERVICE, origin, code).inc()
        log.warning("feed message refused", origin=origin, reason_code=code)
        if self._relay is not None:
            self._relay.wake()

    async def _apply(self, tenant_id: str, message_key: str, message: FeedMessage, sender: Sender | None,
                     session: AsyncClientSession, counter: list | None = None) -> Result:
        [result] = await self._apply_batch([(tenant_id, message_key, message, sender)], session, counter=counter)
        return result

    async def _apply_batch(self, batch: Sequence[tuple[str, str, FeedMessage, Sender | None]], session: AsyncClientSession,
                           *, all_or_nothing: bool = False, counter: list | None = None) -> list[Result]:
        """Apply messages in order within one transaction: read everything they touch at once, fold
        in memory, write everything at once. A refused message changes nothing (decide, then write);
        with `all_or_nothing`, the first refusal raises _Refused."""
        # Keys are looked up under every key of the keyring (a rotation keeps resends recognised).
        candidates = [self._cipher.fingerprints(f"{t}|{k}") for t, k, _, _ in batch]
        keys = [c[0] for c in candidates]
        patient_ids = {patient_id_for(t, m.mrn or m.patient.mrn) for t, _, m, _ in batch if m.mrn or m.patient}
        patient_ids |= {patient_id_for(t, m.merged_mrn) for t, _, m, _ in batch if m.merged_mrn}
        encounter_ids = {encounter_id_for(t, m.visit_number) for t, _, m, _ in batch if m.visit_number}
        tenants = sorted({t for t, _, _, _ in batch})
        # One round trip reads all three collections (a find each would be three): the driver's cost
        # per operation, not MongoDB's, is what limits a listener.
        cursor = await self._database.aggregate([
            {"$documents": [{}]},
            {"$lookup": {"from": self._messages.name, "as": "seen",
                         "pipeline": [{"$match": {"_id": {"$in": [k for c in candidates for k in c]}}}]}},
            {"$lookup": {"from": self._patients.name, "as": "patients",
                         "pipeline": [{"$match": {"_id": {"$in": list(patient_ids)}}},
                                      {"$project": {"feed": 1, "merged_into": 1, "merged": 1}}]}},
            {"$lookup": {"from": self._drafts.name, "as": "drafts",
                         "pipeline": [{"$match": {"$or": [{"_id": {"$in": list(encounter_ids)}},
                                                          {"patient_id": {"$in": list(patient_ids)},
                                                           "status": str(VisitStatus.OPEN)}]}},
                                      {"$project": {"phi": 1, "patient_id": 1, "status": 1}}]}},
            {"$lookup": {"from": "payer_crosswalk", "as": "crosswalk",
                         "pipeline": [{"$match": {"tenant_id": {"$in": tenants}}}]}},
            {"$lookup": {"from": work_items.COLLECTION, "as": "work_items",
                         "pipeline": [{"$match": {"$or": [{"subject_id": {"$in": list(encounter_ids | patient_ids)}},
                                                          {"patient_id": {"$in": list(patient_ids)}}],
                                                  "status": work_items.OPEN}}]}},
        ], session=session)
        [found] = await cursor.to_list()
        seen = {d["_id"]: d for d in found["seen"]}
        for hashes in candidates:  # a key stored under an older key counts as seen under the newest
            older = next((seen[h] for h in hashes[1:] if h in seen), None)
            if older is not None:
                seen.setdefault(hashes[0], older)
        patients = {d["_id"]: d for d in found["patients"]}
        records = {pid: self._feed_record(doc) for pid, doc in patients.items()}
        drafts = {d["_id"]: self._cipher.open(d["phi"], VisitDraft) for d in found["drafts"]}
        open_drafts_of: dict[str, set[str]] = {}
        for d in found["drafts"]:
            if d.get("patient_id") and d.get("status") == str(VisitStatus.OPEN):
                open_drafts_of.setdefault(d["patient_id"], set()).add(d["_id"])
        crosswalks = crosswalks_by_tenant(found["crosswalk"])
        open_items: dict[str, list[dict]] = {}
        for item in found["work_items"]:
            open_items.setdefault(item["subject_id"], []).append(item)
        now = self._clock.now()
        patient_writes: dict[str, dict] = {}
        draft_writes: dict[str, dict] = {}
        touched: dict[tuple[str, str], tuple[str, tuple, str | None]] = {}  # (subject, id) -> (tenant, issues, patient)
        outbox: list[dict] = []
        applied: list[dict] = []
        audits: list[dict] = []
        results = []
        for (tenant_id, _, message, sender), key in zip(batch, keys):
            if key in seen:
                doc = seen[key]
                results.append(Result(doc["ack_code"], "duplicate", encounter_id=doc.get("encounter_id")))
                continue
            message = self._follow_merge(tenant_id, message, patients)
            if message.kind is FeedKind.MERGE:
                prior, survivor = patient_id_for(tenant_id, message.merged_mrn), patient_id_for(tenant_id, message.mrn)
                if prior != survivor:
                    patients[prior] = {**patients.get(prior, {"_id": prior}), "merged_into": survivor,
                                       "merged": self._cipher.seal(MergedInto(mrn=message.mrn))}
                    patient_writes[prior] = {**patient_writes.get(prior, {}), "tenant_id": tenant_id,
                                             "merged_into": survivor, "merged": patients[prior]["merged"]}
            resolve = self._resolver(crosswalks.get(tenant_id, EMPTY), now)
            targets = [message.visit_number] if message.visit_number else [None]
            pid = patient_id_for(tenant_id, message.mrn) if message.mrn else None
            if not message.visit_number and message.kind is FeedKind.UPDATE and pid in open_drafts_of:
                # An update naming no visit reaches the patient's visits that still wait.
                targets = sorted(open_drafts_of[pid])
            decided = []  # every target decided before any is staged: a refusal of one keeps nothing
            for target in targets:
                result, changes = decide(tenant_id, message, now, records, drafts, resolve=resolve,
                                         encounter_id=target if target in drafts and target != message.visit_number
                                         else None)
                if result.ack_code != "AA":
                    break
                decided.append(changes)
            for patient_update, draft_update, row in decided if result.ack_code == "AA" else ():
                if patient_update is not None:
                    ppid, record = patient_update
                    records[ppid] = record
                    patients.setdefault(ppid, {"_id": ppid})
                    patient_writes[ppid] = {**patient_writes.get(ppid, {}), "tenant_id": tenant_id,
                                            "phi": self._cipher.seal(record.patient), "feed": self._cipher.seal(record)}
                if draft_update is not None:
                    eid, draft = draft_update
                    drafts[eid] = draft
                    draft_writes[eid] = {"tenant_id": tenant_id, "status": str(draft.status),
                                         "missing": list(draft.missing), "discharged": draft.discharged,
                                         "updated_at": now, "phi": self._cipher.seal(draft)}
                    if pid is not None:
                        draft_writes[eid]["patient_id"] = pid
                    touched[("encounter", eid)] = (tenant_id, draft.issues if draft.status is VisitStatus.OPEN else (),
                                                   pid)
                if row is not None:
                    outbox.append(row)
            if result.ack_code != "AA":
                if all_or_nothing:
                    raise _Refused(result)
                results.append(result)
                continue
            if not message.visit_number and pid is not None and targets == [None]:
                touched[("patient", pid)] = (tenant_id, tuple(i for i in message.issues
                                                              if i.area in (Area.PATIENT, Area.COVERAGE)), pid)
            seen[key] = {"_id": key, "ack_code": "AA", "outcome": str(result.outcome), "kind": str(message.kind),
                         "encounter_id": result.encounter_id, "at": now}
            applied.append(seen[key])
            audits.append(_audit_record(sender, message.source, tenant_id, key, "AA", str(result.outcome), now))
            results.append(result)
        if patient_writes:
            await self._patients.bulk_write([UpdateOne({"_id": pid}, {"$set": fields}, upsert=True)
                                             for pid, fields in patient_writes.items()], ordered=False, session=session)
        if draft_writes:
            await self._drafts.bulk_write([UpdateOne({"_id": eid}, {"$set": fields}, upsert=True)
                                           for eid, fields in draft_writes.items()], ordered=False, session=session)
        if outbox:
            await self._outbox.insert_many(outbox, session=session)
            if self.journal is not None:
                await self.journal.open(outbox, now, session)
        if applied:
            await self._messages.insert_many(applied, ordered=False, session=session)
            await self._audit.insert_many(audits, ordered=False, session=session)
        counted = []
        item_writes = []
        for (subject, subject_id), (tenant_id, issues, patient_id) in touched.items():
            writes, counts = work_items.plan(tenant_id, subject, subject_id, issues, open_items.get(subject_id, ()), now,
                                             patient_id=patient_id)
            item_writes += writes
            counted += counts
        if item_writes:
            await self._database[work_items.COLLECTION].bulk_write(item_writes, ordered=False, session=session)
        if counter is not None:
            counter[:] = counted  # counted by the caller once the transaction committed
        return results

    @staticmethod
    def _resolver(crosswalk: Crosswalk, now: datetime):
        return lambda draft: resolve_draft(draft, crosswalk, now.date())

    def _follow_merge(self, tenant_id: str, message: FeedMessage, patients: dict[str, dict]) -> FeedMessage:
        """A message naming a patient merged away (A40) is about the patient it was merged into."""
        if not message.mrn or message.kind is FeedKind.MERGE:
            return message
        document = patients.get(patient_id_for(tenant_id, message.mrn)) or {}
        if not document.get("merged"):
            return message
        mrn = self._cipher.open(document["merged"], MergedInto).mrn  # type: ignore[union-attr]
        patient = message.patient.model_copy(update={"mrn": mrn}) if message.patient else None
        return dataclasses.replace(message, mrn=mrn, patient=patient)

    def _feed_record(self, document: dict | None) -> PatientFeedRecord | None:
        if document is None or "feed" not in document:
            return None
        return self._cipher.open(document["feed"], PatientFeedRecord)  # type: ignore[return-value]

    async def draft(self, encounter_id: str) -> tuple[VisitDraft, str] | None:
        """A visit as the feeds told it so far, and its status (for tests and tools)."""
        document = await self._drafts.find_one({"_id": encounter_id})
        if document is None:
            return None
        return self._cipher.open(document["phi"], VisitDraft), document["status"]  # type: ignore[return-value]


def _audit_record(sender: Sender | None, origin: str, tenant_id: str | None, hashed_key: str | None, answer: str,
                  outcome: str, at: datetime) -> dict:
    """Who sent what and how it was answered: no PHI (a certificate name, an address, a keyed hash)."""
    who = sender.audit() if sender is not None else {"origin": origin, "identity": None, "peer": None}
    return {"at": at, "tenant_id": tenant_id or UNKNOWN_TENANT, "sender": who, "message": hashed_key,
            "answer": answer, "outcome": outcome}


__all__ = ["MAX_EVENT_BYTES", "FeedIntake", "FeedKind", "PatientFeedRecord", "Result"]
