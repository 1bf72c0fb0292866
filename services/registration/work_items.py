"""Registration work items: a well-formed feed message whose visit billing cannot use yet (an
insurer the payer crosswalk does not map, an address that fails USPS rules, a missing member id,
no diagnosis ...) is acknowledged AA and the reason is kept here until a later message or a
crosswalk load supplies what was missing; then the item is released and the visit goes on.

A work item is one reason for one visit (or for one patient, when the message names no visit):
`_id` = subject id | code | field, with the tenant, the reason (PHI-free: a field name, never a
value), `status` open or released, and when. Written in the feed's own transaction; counted by
`rcm_registration_work_items{reason_code, action}`; listed by `GET /api/work-items` (work_api.py,
`rcm registration work-items list`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.registration.feed import Issue
from shared.metrics import REGISTRY

COLLECTION = "work_items"
OPEN, RELEASED = "open", "released"

WORK_ITEMS = Counter("rcm_registration_work_items", "Registration work items opened and released, by reason code",
                     ["reason_code", "action"], registry=REGISTRY)


async def ensure_indexes(database: AsyncDatabase) -> None:
    await database[COLLECTION].create_index([("tenant_id", ASCENDING), ("status", ASCENDING), ("code", ASCENDING)])
    await database[COLLECTION].create_index([("subject_id", ASCENDING), ("status", ASCENDING)])
    await database[COLLECTION].create_index([("patient_id", ASCENDING), ("status", ASCENDING)], sparse=True)


def item_id(subject_id: str, issue: Issue) -> str:
    return f"{subject_id}|{issue.code}|{issue.field}"


def plan(tenant_id: str, subject: str, subject_id: str, issues: Iterable[Issue], open_now: Iterable[dict],
         now: datetime, *, patient_id: str | None = None) -> tuple[list[UpdateOne], list[tuple[str, str]]]:
    """The writes that make `subject_id`'s open work items exactly `issues`, and the
    (reason code, action) pairs to count. `open_now`: its open work item documents. `patient_id`
    (an id, not PHI) lets a message about the patient find the items of its visits."""
    wanted = {item_id(subject_id, i): i for i in issues}
    existing = {d["_id"]: d for d in open_now}
    writes, counted = [], []
    for key, issue in wanted.items():
        fields = {"tenant_id": tenant_id, "subject": subject, "subject_id": subject_id, "code": issue.code,
                  "field": issue.field, "area": str(issue.area), "reason": issue.reason, "status": OPEN,
                  "updated_at": now, **({"patient_id": patient_id} if patient_id else {})}
        if key not in existing:
            fields |= {"opened_at": now, "released_at": None}
            counted.append((issue.code, "opened"))
        writes.append(UpdateOne({"_id": key}, {"$set": fields}, upsert=True))
    for key, document in existing.items():
        if key not in wanted:
            writes.append(UpdateOne({"_id": key, "status": OPEN},
                                    {"$set": {"status": RELEASED, "released_at": now, "updated_at": now}}))
            counted.append((document["code"], "released"))
    return writes, counted


def count(counted: Iterable[tuple[str, str]]) -> None:
    for code, action in counted:
        WORK_ITEMS.labels(code, action).inc()


async def listed(database: AsyncDatabase, *, tenant_id: str | None = None, tenants: list[str] | None = None,
                 status: str | None = OPEN, limit: int = 500) -> list[dict]:
    """Work items, oldest first (no PHI in them); `tenants`: only these (None: every tenant)."""
    query: dict = {}
    if tenants is not None:
        query["tenant_id"] = {"$in": tenants}
    if tenant_id:
        query["tenant_id"] = tenant_id
    if status:
        query["status"] = status
    cursor = database[COLLECTION].find(query, {"_id": 0}).sort("opened_at", ASCENDING).limit(limit)
    return await cursor.to_list()
