"""The eligibility review API, served by the registration process under /api beside /metrics and
/health. Bearer tokens from the identity provider (401 without a valid one); patient accounts,
billers, supervisors and admins work the queue, a practice viewer only reads; every caller sees
only its tenants (403 for another tenant's encounter). The actor is the token's subject.

    GET  /api/eligibility/queue?state=&payer=&reason=&tenant=&limit=   oldest date of service first
    GET  /api/eligibility/{encounter_id}
    POST /api/eligibility/{encounter_id}/take | unassign | reverify | release | self-pay
    POST /api/eligibility/{encounter_id}/coverage   {"coverage": CoverageChange}

Every body may carry `revision` (409 STALE_REVISION when the item moved on) and `request_id` (a
retried action is applied once). Each action is one transaction: the item, the encounter, the
events (a new 270, or the encounter registered on to coding), an audit record and the request id.
Errors: 404 unknown, 409 the item's state forbids it, 422 a request that can never succeed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.registration import eligibility, review
from services.registration.repository import VERIFYING
from shared import topics
from shared.auth import Principal, Role, TokenVerifier, check_tenant, install_verifier, require
from shared.clock import Clock
from shared.envelope import new_event
from shared.events import AuditRecorded, EncounterRegistered
from shared.ids import new_id
from shared.mongo import in_transaction
from shared.outbox import outbox_document
from shared.phi import PhiCipher

READERS = (Role.PATIENT_ACCOUNTS, Role.BILLER, Role.SUPERVISOR, Role.ADMIN, Role.PRACTICE_VIEWER)
WORKERS = (Role.PATIENT_ACCOUNTS, Role.BILLER, Role.SUPERVISOR, Role.ADMIN)
SERVICE = "registration"


class UnknownEncounter(review.ReviewError):
    code = "UNKNOWN_ENCOUNTER"


class RequestIdReused(review.ReviewError):
    code = "REQUEST_ID_REUSED"


_STATUS_CODE = {UnknownEncounter: 404, review.NotHeld: 409, review.TakenBySomeoneElse: 409, review.NotTaken: 409,
                review.StaleRevision: 409, review.InvalidCoverage: 422, RequestIdReused: 422}


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{8,80}$")
    revision: int | None = None


class CoverageUpdate(Action):
    coverage: review.CoverageChange


def _item(doc: dict) -> review.HeldEncounter:
    return review.HeldEncounter(encounter_id=doc["_id"], tenant_id=doc["tenant_id"],
                                state=review.ReviewState(doc.get("state", "held")), reason_code=doc["reason_code"],
                                assignee=doc.get("assignee"), revision=doc.get("revision", 0))


def item_json(doc: dict, today: date) -> dict:
    served = date.fromisoformat(doc["date_of_service"]) if doc.get("date_of_service") else None
    return {"encounter_id": doc["_id"], "tenant_id": doc["tenant_id"], "state": doc.get("state", "held"),
            "reason_code": doc["reason_code"], "reason": doc.get("reason"), "payer_id": doc.get("payer_id"),
            "date_of_service": doc.get("date_of_service"), "age_days": (today - served).days if served else None,
            "held_at": doc["held_at"].isoformat() if doc.get("held_at") else None,
            "assignee": doc.get("assignee"), "revision": doc.get("revision", 0)}


def build_review_api(database: AsyncDatabase, cipher: PhiCipher, *, verifier: TokenVerifier, clock: Clock,
                     eligibility_timeout_seconds: float,
                     after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    queue, encounters, outbox, requests = (database[name] for name in
                                           ("eligibility_queue", "encounters", "outbox", "requests"))
    api = FastAPI(title="rcm eligibility review", docs_url=None, redoc_url=None, openapi_url=None)
    install_verifier(api, verifier)

    @api.exception_handler(review.ReviewError)
    async def refused(request: Request, failure: review.ReviewError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)},
                            status_code=_STATUS_CODE.get(type(failure), 422))

    @api.get("/api/eligibility/queue")
    async def list_queue(principal: Principal = Depends(require(*READERS)), state: review.ReviewState | None = None,
                         payer: str | None = None, reason: str | None = None, tenant: str | None = None,
                         limit: int = Query(default=200, ge=1, le=1000)) -> dict:
        today = clock.today()
        query: dict = {"$or": [{"state": (state or review.ReviewState.HELD).value}]}
        if state in (None, review.ReviewState.HELD):
            query["$or"].append({"state": {"$exists": False}})  # held before the review existed
        tenants = principal.tenant_filter()
        if tenant is not None:
            check_tenant(principal, tenant)
            tenants = [tenant]
        if tenants is not None:
            query["tenant_id"] = {"$in": tenants}
        if payer:
            query["payer_id"] = payer
        if reason:
            query["reason_code"] = reason
        rows = [item_json(doc, today) async for doc in queue.find(query)]
        rows.sort(key=lambda row: (-(row["age_days"] or 0), row["encounter_id"]))  # oldest visit first
        return {"today": today.isoformat(), "items": rows[:limit]}

    @api.get("/api/eligibility/{encounter_id}")
    async def get_item(encounter_id: str, principal: Principal = Depends(require(*READERS))) -> dict:
        doc = await queue.find_one({"_id": encounter_id})
        if doc is None:
            raise UnknownEncounter(f"no encounter {encounter_id} in eligibility review")
        check_tenant(principal, doc["tenant_id"])
        return item_json(doc, clock.today())

    async def act(encounter_id: str, action: str, body: Action, principal: Principal, decide) -> dict:
        """Run `decide(item, encounter, session)` -> (item, encounter to save or None, [(topic, payload)])."""
        now = clock.now()

        async def work(session: AsyncClientSession) -> dict:
            if body.request_id is not None:
                done = await requests.find_one({"_id": body.request_id}, session=session)
                if done is not None:
                    if (done["encounter_id"], done["action"], done["actor"]) != (encounter_id, action, principal.subject):
                        raise RequestIdReused("request id already used for another action")
                    return await queue.find_one({"_id": encounter_id}, session=session)
            doc = await queue.find_one({"_id": encounter_id}, session=session)
            if doc is None:
                raise UnknownEncounter(f"no encounter {encounter_id} in eligibility review")
            check_tenant(principal, doc["tenant_id"])
            item = _item(doc)
            review.check_revision(item, body.revision)
            stored = await encounters.find_one({"_id": encounter_id}, session=session)
            encounter = cipher.open(stored["phi"], EncounterRegistered)
            changed, new_encounter, emits, encounter_set = decide(item, encounter, now)
            await queue.update_one({"_id": encounter_id}, {"$set": {
                "state": changed.state.value, "assignee": changed.assignee, "revision": changed.revision,
                **({"payer_id": new_encounter.coverages[0].payer_id} if new_encounter is not None else {})}},
                session=session)
            if new_encounter is not None or encounter_set:
                sealed = {"phi": cipher.seal(new_encounter), "payer_id": new_encounter.coverages[0].payer_id} \
                    if new_encounter is not None else {}
                await encounters.update_one({"_id": encounter_id}, {"$set": {**sealed, **encounter_set}},
                                            session=session)
            emits = [*emits, (topics.AUDIT, AuditRecorded(actor=principal.subject, action=f"ELIGIBILITY_{action.upper()}",
                                                          subject_type="ENCOUNTER", subject_id=encounter_id, at=now))]
            await outbox.insert_many([outbox_document(topic, new_event(
                topic, payload, producer=SERVICE, now=now, tenant_id=item.tenant_id, correlation_id=encounter_id))
                for topic, payload in emits], session=session)
            if body.request_id is not None:
                await requests.insert_one({"_id": body.request_id, "encounter_id": encounter_id, "action": action,
                                           "actor": principal.subject, "at": now}, session=session)
            return await queue.find_one({"_id": encounter_id}, session=session)

        doc = await in_transaction(database.client, work)
        if after_commit is not None:
            woken = after_commit()
            if woken is not None:
                await woken
        return item_json(doc, now.date())

    def simple(change):
        return lambda item, encounter, now: (change(item), None, [], {})

    @api.post("/api/eligibility/{encounter_id}/take")
    async def take(encounter_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        return await act(encounter_id, "take", body, principal, simple(lambda i: review.take(i, principal.subject)))

    @api.post("/api/eligibility/{encounter_id}/unassign")
    async def unassign(encounter_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        lead = principal.has_any((Role.SUPERVISOR, Role.ADMIN))
        return await act(encounter_id, "unassign", body, principal,
                         simple(lambda i: review.unassign(i, principal.subject, may_unassign_others=lead)))

    @api.post("/api/eligibility/{encounter_id}/coverage")
    async def coverage(encounter_id: str, body: CoverageUpdate, principal: Principal = Depends(require(*WORKERS))) -> dict:
        def decide(item, encounter, now):
            changed, updated = review.update_coverage(item, principal.subject, encounter, body.coverage)
            return changed, updated, [], {}
        return await act(encounter_id, "coverage", body, principal, decide)

    @api.post("/api/eligibility/{encounter_id}/reverify")
    async def reverify(encounter_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        def decide(item, encounter, now):
            inquiry_id = new_id("elg")
            changed, request = review.reverify(item, principal.subject, encounter, inquiry_id=inquiry_id, now=now)
            waiting = {"status": VERIFYING, "eligibility": {
                "inquiry_id": inquiry_id, "attempt": 1,
                "next_attempt_at": now + eligibility.retry_delay(1, eligibility_timeout_seconds)}}
            return changed, None, [(topics.ELIGIBILITY_REQUESTED, request)], waiting
        return await act(encounter_id, "reverify", body, principal, decide)

    @api.post("/api/eligibility/{encounter_id}/release")
    async def release(encounter_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        def decide(item, encounter, now):
            return (review.release(item, principal.subject), None, [(topics.ENCOUNTER_REGISTERED, encounter)],
                    {"status": "registered"})
        return await act(encounter_id, "release", body, principal, decide)

    @api.post("/api/eligibility/{encounter_id}/self-pay")
    async def self_pay(encounter_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        def decide(item, encounter, now):
            return review.self_pay(item, principal.subject), None, [], {"status": "self_pay"}
        return await act(encounter_id, "self_pay", body, principal, decide)

    return api
