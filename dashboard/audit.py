"""The audit trail: every rcm.audit.v1 record (who, tenant, what, when, from where), kept in the
insert-only `audit` collection for the retention period (RCM_AUDIT_RETENTION_DAYS, six years by
default, as HIPAA asks), and searched by supervisors and admins through GET /api/audit.

The store is append-only: a record is inserted once, keyed by its event id (a redelivered event
changes nothing), and this code never updates or deletes one; only the TTL index removes records
past retention. In production the dashboard's MongoDB user is granted insert and find on `audit`
only (deploy/).

    GET /api/audit?actor=&tenant=&action=&subject_id=&since=&until=&reads=&limit=
        newest first, within the caller's tenants
    GET /api/productivity?since=&until=&actor=     per person and day (dashboard/productivity.py)
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Depends, Query
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from dashboard import productivity
from shared import metrics
from shared.api import Caller, caller, service_api
from shared.auth import Role, TokenVerifier, check_tenant
from shared.envelope import Envelope
from shared.events import AuditRecorded

AUDIT = "audit"
SEARCHERS = (Role.SUPERVISOR, Role.ADMIN)
DAY_SECONDS = 24 * 60 * 60


def audit_document(event: Envelope[AuditRecorded]) -> dict:
    record = event.payload
    return {"_id": str(event.event_id), "actor": record.actor, "action": record.action,
            "subject_type": record.subject_type, "subject_id": record.subject_id,
            "tenant_id": record.tenant_id or event.tenant_id, "service": record.service or event.producer,
            "source": record.source, "request_id": record.request_id, "read": record.read, "at": record.at,
            "recorded_at": event.occurred_at}


def audit_write(document: dict) -> UpdateOne:
    """Insert the record once (keyed by event id); an existing record is never changed."""
    return UpdateOne({"_id": document["_id"]}, {"$setOnInsert": document}, upsert=True)


async def keep(database: AsyncDatabase, events, session) -> None:
    """Store a batch of audit records (inside the consumer's transaction) and count the work newly
    recorded: items worked, and the time from a take to the work (shared/metrics.py)."""
    documents = [audit_document(event) for event in events]
    result = await database[AUDIT].bulk_write([audit_write(doc) for doc in documents], ordered=True,
                                              session=session)
    for index in result.upserted_ids:
        document = documents[index]
        if productivity.is_work(document):
            metrics.ITEMS_WORKED.labels(document["service"]).inc()
            seconds = await productivity.seconds_since_take(database[AUDIT], document, session)
            if seconds is not None:
                metrics.TIME_TO_WORK.labels(document["service"]).observe(seconds)


async def ensure_indexes(database: AsyncDatabase, retention_days: int) -> None:
    """Retention by a TTL index on the record's time; searches by tenant, actor or subject, newest first.
    A changed retention replaces the TTL index's expiry in place (collMod)."""
    seconds = retention_days * DAY_SECONDS
    existing = {index["name"]: index async for index in await database[AUDIT].list_indexes()}
    if "at_1" in existing and existing["at_1"].get("expireAfterSeconds") != seconds:
        await database.command({"collMod": AUDIT, "index": {"keyPattern": {"at": 1}, "expireAfterSeconds": seconds}})
    else:
        await database[AUDIT].create_index([("at", ASCENDING)], expireAfterSeconds=seconds)
    await database[AUDIT].create_index([("tenant_id", ASCENDING), ("at", DESCENDING)])
    await database[AUDIT].create_index([("actor", ASCENDING), ("at", DESCENDING)])
    await database[AUDIT].create_index([("subject_id", ASCENDING), ("at", DESCENDING)])


def record_json(doc: dict) -> dict:
    return {"id": doc["_id"], "actor": doc["actor"], "action": doc["action"], "subject_type": doc["subject_type"],
            "subject_id": doc["subject_id"], "tenant_id": doc["tenant_id"], "service": doc.get("service"),
            "source": doc.get("source"), "request_id": doc.get("request_id"), "read": doc.get("read", False),
            "at": doc["at"].isoformat()}


def build_audit_api(database: AsyncDatabase, verifier: TokenVerifier):
    api = service_api("rcm audit trail", verifier)

    @api.get("/api/audit")
    async def search(actor: str | None = None, tenant: str | None = None, action: str | None = None,
                     subject_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
                     reads: bool | None = Query(default=None, description="true: reads only; false: changes only"),
                     limit: int = Query(default=100, ge=1, le=1000),
                     who: Caller = Depends(caller(*SEARCHERS))) -> dict:
        query: dict = {}
        scope = who.principal.tenant_filter()
        if tenant is not None:
            check_tenant(who.principal, tenant)
            query["tenant_id"] = tenant
        elif scope is not None:
            query["tenant_id"] = {"$in": scope}
        for field, value in (("actor", actor), ("action", action), ("subject_id", subject_id), ("read", reads)):
            if value is not None:
                query[field] = value
        if since or until:
            query["at"] = {key: value for key, value in (("$gte", since), ("$lte", until)) if value is not None}
        cursor = database[AUDIT].find(query).sort([("at", DESCENDING), ("_id", ASCENDING)]).limit(limit)
        return {"records": [record_json(doc) async for doc in cursor]}

    @api.get("/api/productivity")
    async def work_done(since: datetime | None = None, until: datetime | None = None, actor: str | None = None,
                        who: Caller = Depends(caller(*SEARCHERS))) -> dict:
        found = productivity.query(who.principal.tenant_filter(), since, until, actor)
        records = database[AUDIT].find(found, {"actor": 1, "action": 1, "subject_id": 1, "read": 1, "at": 1})
        rows = await records.sort(productivity.SORT).limit(productivity.MAX_RECORDS).to_list()
        return {"people": productivity.productivity(rows)}

    return api
