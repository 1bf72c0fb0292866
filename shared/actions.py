"""People's actions on one collection: a pure decision, then state, events and audit in one
transaction, with optimistic concurrency and idempotent retries (see shared/api.py).

- **Concurrency.** Every document carries `version`, raised by one at each change. A caller may send
  the version it saw (`expected_version`): another version answers 409. Without it, the decision is
  made on the state read inside the transaction; two people changing one item at once conflict in
  MongoDB, the loser's transaction is run again on the winner's state, and its decision refuses
  (e.g. taken by someone else: 409).
- **Idempotency.** A client request id (`Idempotency-Key` or `X-Request-Id`) is stored with the
  answer in `api_requests`, in the same transaction as the change. The same caller retrying the same
  id gets the stored answer and nothing is applied twice; the same id on another action is refused.
- **Audit.** Every change and every read of PHI writes an AuditRecorded (who, tenant, what, when,
  from where) to the outbox, for rcm.audit.v1. A change is never done without its audit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared import topics
from shared.api import Caller, Conflict, Invalid, NotFound
from shared.auth import check_tenant
from shared.clock import Clock
from shared.envelope import new_event
from shared.events import AuditRecorded
from shared.mongo import in_transaction
from shared.outbox import outbox_document
from shared.topics import Topic

T = TypeVar("T")
REQUESTS = "api_requests"
REQUEST_RETENTION_SECONDS = 7 * 24 * 60 * 60  # how long a retry with the same request id is recognised


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a decision returns: the new state, the events it emits (the audit record is added), and
    documents to insert beside it in the same transaction ((collection, document) pairs)."""

    state: T
    emits: Sequence[tuple[Topic, BaseModel]] = field(default_factory=tuple)
    inserts: Sequence[tuple[str, dict]] = field(default_factory=tuple)


def audit_record(caller: Caller, action: str, subject_type: str, subject_id: str, tenant_id: str | None,
                 service: str, now: datetime, *, read: bool = False) -> AuditRecorded:
    return AuditRecorded(actor=caller.subject, action=action, subject_type=subject_type, subject_id=subject_id,
                         at=now, tenant_id=tenant_id, service=service, source=caller.source,
                         request_id=caller.request_id, read=read)


class Actions(Generic[T]):
    """Runs actions on the documents of `collection` (see the module docstring)."""

    def __init__(self, database: AsyncDatabase, collection: str, *, service: str, clock: Clock,
                 load: Callable[[Mapping[str, Any]], T], dump: Callable[[T], dict], tenant_of: Callable[[T], str],
                 subject_type: str, correlation_of: Callable[[T], str] | None = None,
                 after_commit: Callable[[], Awaitable[None] | None] | None = None) -> None:
        self._database = database
        self._collection = database[collection]
        self._requests = database[REQUESTS]
        self._outbox = database["outbox"]
        self._service, self._clock = service, clock
        self._load, self._dump, self._tenant_of = load, dump, tenant_of
        self._correlation_of = correlation_of
        self.subject_type = subject_type
        self._after_commit = after_commit

    @staticmethod
    async def ensure_indexes(database: AsyncDatabase) -> None:
        await database[REQUESTS].create_index([("at", ASCENDING)], expireAfterSeconds=REQUEST_RETENTION_SECONDS)

    async def act(self, subject_id: str, action: str, caller: Caller, decide: Callable[..., Outcome[T]], *,
                  respond: Callable[[T], dict], expected_version: int | None = None,
                  context: Callable[[T, AsyncClientSession], Awaitable[Any]] | None = None) -> dict:
        """Apply `decide` to the stored document and answer `respond(new state)` plus its version.
        `decide` raises an ActionError (or a domain error mapped by the API) to refuse. With
        `context`, what it reads in the transaction (e.g. a price list) is passed as decide's second
        argument, so the decision itself stays pure."""
        now = self._clock.now()
        request_key = f"{caller.subject}:{caller.request_id}" if caller.request_id else None

        async def work(session: AsyncClientSession) -> dict:
            if request_key is not None:
                done = await self._requests.find_one({"_id": request_key}, session=session)
                if done is not None:
                    if (done["action"], done["subject_id"]) != (action, subject_id):
                        raise Invalid("this request id was already used for another action", code="REQUEST_ID_REUSED")
                    return done["response"]
            doc = await self._collection.find_one({"_id": subject_id}, session=session)
            if doc is None:
                raise NotFound(f"no {self.subject_type.lower()} {subject_id}")
            state = self._load(doc)
            tenant_id = self._tenant_of(state)
            check_tenant(caller.principal, tenant_id)
            version = doc.get("version", 0)
            if expected_version is not None and expected_version != version:
                raise Conflict(f"{subject_id} changed since you read it (version {version}, not {expected_version})",
                               code="STALE_VERSION")
            outcome = decide(state, await context(state, session)) if context is not None else decide(state)
            replaced = await self._collection.replace_one(
                {"_id": subject_id, "version": doc.get("version")} if "version" in doc else
                {"_id": subject_id, "version": {"$exists": False}},
                {**self._dump(outcome.state), "version": version + 1}, session=session)
            if replaced.matched_count != 1:
                raise Conflict(f"{subject_id} changed while you acted", code="STALE_VERSION")
            audit = audit_record(caller, action, self.subject_type, subject_id, tenant_id, self._service, now)
            correlation = self._correlation_of(outcome.state) if self._correlation_of else subject_id
            rows = [outbox_document(topic, new_event(topic, payload, producer=self._service, now=now,
                                                     tenant_id=tenant_id, correlation_id=correlation))
                    for topic, payload in (*outcome.emits, (topics.AUDIT, audit))]
            await self._outbox.insert_many(rows, session=session)
            for collection, document in outcome.inserts:
                await self._database[collection].insert_one(document, session=session)
            response = {**respond(outcome.state), "version": version + 1}
            if request_key is not None:
                await self._requests.insert_one({"_id": request_key, "action": action, "subject_id": subject_id,
                                                 "response": response, "at": now}, session=session)
            return response

        response = await in_transaction(self._database.client, work)
        if self._after_commit is not None:
            result = self._after_commit()
            if result is not None:
                await result
        return response

    async def record_read(self, caller: Caller, action: str, subject_id: str, tenant_id: str | None) -> None:
        """Audit a read of PHI (one outbox row: atomic on its own)."""
        await record_read(self._database, caller, action, self.subject_type, subject_id, tenant_id,
                          service=self._service, now=self._clock.now())


def audit_row(caller: Caller, action: str, subject_type: str, subject_id: str, tenant_id: str | None, *,
              service: str, now: datetime, read: bool = False) -> dict:
    """The outbox row of an audit record, for code that writes its own transaction (a bulk load)."""
    audit = audit_record(caller, action, subject_type, subject_id, tenant_id, service, now, read=read)
    event = new_event(topics.AUDIT, audit, producer=service, now=now, tenant_id=tenant_id or "*",
                      correlation_id=subject_id)
    return outbox_document(topics.AUDIT, event)


async def record_read(database: AsyncDatabase, caller: Caller, action: str, subject_type: str, subject_id: str,
                      tenant_id: str | None, *, service: str, now: datetime) -> None:
    """Audit a read through an API: who read which subject of which tenant, from where."""
    await database["outbox"].insert_one(audit_row(caller, action, subject_type, subject_id, tenant_id,
                                                  service=service, now=now, read=True))
