"""The claims work-queue API, served by the claims process under /api beside /metrics and /health.

Every request needs a bearer token from the identity provider (401 without a valid one). Billers,
supervisors and admins work the queue; a practice viewer reads its own tenants only; any caller
sees only the tenants in its token (403 for a claim of another tenant). The actor of every action
is the token's subject.

    GET  /api/claims/queue?status=&payer=&reason=&tenant=&sort=value|age&limit=
    GET  /api/claims/{id}                    the claim's editable data and why it is in the queue
    POST /api/claims/{id}/take               {"request_id"?, "revision"?}
    POST /api/claims/{id}/release            {"request_id"?, "revision"?}
    POST /api/claims/{id}/correct            {"request_id"?, "revision"?, "edits": ClaimEdits}
    POST /api/claims/{id}/scrub              scrub again; a clean claim is held for the person
    POST /api/claims/{id}/submit             scrub again if needed; a clean claim goes out now
    POST /api/claims/{id}/close              {"reason": CloseReason}

`revision` is the one the caller saw (409 STALE_REVISION when the claim moved on); `request_id`
makes a retried action idempotent. Errors: 404 unknown claim, 409 the claim's state forbids it,
422 a request that can never succeed as sent; the body is {"error": code, "message": text}.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.claims import domain, queue
from services.claims.corrections import ClaimEdits, CloseReason, InvalidCorrection
from services.claims.desk import ClaimDesk, RequestIdReused
from services.claims.lifecycle import ClaimsError, IllegalTransition
from services.claims.repository import ClaimRepository
from services.claims.work import UnknownClaim
from shared.auth import Principal, Role, TokenVerifier, check_tenant, install_verifier, require
from shared.clock import Clock
from shared.events import ClaimStatus

READERS = (Role.BILLER, Role.SUPERVISOR, Role.ADMIN, Role.PRACTICE_VIEWER)
WORKERS = (Role.BILLER, Role.SUPERVISOR, Role.ADMIN)
_STATUS_CODE = {UnknownClaim: 404, queue.NotWorkable: 409, queue.TakenBySomeoneElse: 409, queue.NotTaken: 409,
                queue.StaleRevision: 409, IllegalTransition: 409, InvalidCorrection: 422, RequestIdReused: 422,
                queue.NoPayerClaimNumber: 422}
RequestId = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{8,80}$")


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str | None = RequestId
    revision: int | None = None


class Correction(Action):
    edits: ClaimEdits


class Closing(Action):
    reason: CloseReason


def item_json(doc: dict, today: date) -> dict:
    """A queue row from the stored document (nothing unsealed)."""
    served = date.fromisoformat(doc["date_of_service"]) if doc.get("date_of_service") else None
    return {
        "id": doc["_id"], "tenant_id": doc["tenant_id"], "encounter_id": doc["encounter_id"],
        "payer_id": doc["payer_id"], "status": doc["status"], "frequency_code": doc["frequency_code"],
        "billed": str(doc["billed"].to_decimal()), "date_of_service": doc.get("date_of_service"),
        "age_days": (today - served).days if served else None, "assignee": doc.get("assignee"),
        "revision": doc.get("revision", 0), "findings": doc.get("findings", []),
    }


def claim_json(claim: domain.Claim, today: date, changed: tuple[str, ...] = ()) -> dict:
    """One claim with the data a person may correct: codes, units, dates and NPIs, no patient."""
    content = claim.content
    visit = content.visit
    return {
        "id": claim.claim_id, "tenant_id": claim.tenant_id, "encounter_id": claim.encounter_id,
        "payer_id": claim.payer_id, "status": claim.status.value, "frequency_code": content.frequency_code.value,
        "payer_claim_number": content.payer_claim_number, "billed": str(claim.billed),
        "date_of_service": visit.date_of_service.isoformat(), "age_days": (today - visit.date_of_service).days,
        "assignee": claim.assignee, "revision": claim.revision,
        "findings": [finding.model_dump(mode="json") for finding in claim.findings],
        "place_of_service": visit.place_of_service, "rendering_npi": visit.rendering.npi,
        "billing_npi": visit.billing.npi, "diagnoses": list(content.diagnoses),
        "lines": [{"line_number": line.line_number, "procedure_code": line.procedure_code,
                   "modifiers": list(line.modifiers), "units": line.units, "charge": str(line.charge),
                   "diagnosis_pointers": list(line.diagnosis_pointers)} for line in content.lines],
        "changed": list(changed),
    }


def build_api(claims: ClaimRepository, desk: ClaimDesk, *, verifier: TokenVerifier, clock: Clock) -> FastAPI:
    api = FastAPI(title="rcm claims work queue", docs_url=None, redoc_url=None, openapi_url=None)
    install_verifier(api, verifier)

    @api.exception_handler(ClaimsError)
    async def refused(request: Request, failure: ClaimsError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)},
                            status_code=_STATUS_CODE.get(type(failure), 422))

    @api.get("/api/openapi.json")
    async def openapi(principal: Principal = Depends(require(*READERS))) -> dict:
        return api.openapi()

    @api.get("/api/claims/queue")
    async def list_queue(principal: Principal = Depends(require(*READERS)), status: ClaimStatus | None = None,
                         payer: str | None = None, reason: str | None = None, tenant: str | None = None,
                         sort: str = Query(default="value", pattern="^(value|age)$"),
                         limit: int = Query(default=200, ge=1, le=1000)) -> dict:
        today = clock.today()
        tenants = principal.tenant_filter()
        if tenant is not None:
            check_tenant(principal, tenant)
            tenants = [tenant]
        statuses = [status.value] if status else [s.value for s in queue.QUEUED]
        # Sorted here, over every match: the queue is the claims only a person can move (hundreds).
        rows = [item_json(doc, today) for doc in await claims.queue(statuses=statuses, tenants=tenants, payer_id=payer,
                                                                    reason=reason, limit=0)]
        if sort == "age":
            rows.sort(key=lambda row: (-(row["age_days"] or 0), row["id"]))
        else:
            rows.sort(key=lambda row: (-Decimal(row["billed"]), row["id"]))
        return {"today": today.isoformat(), "items": rows[:limit]}

    @api.get("/api/claims/{claim_id}")
    async def get_claim(claim_id: str, principal: Principal = Depends(require(*READERS))) -> dict:
        claim = await claims.claim(claim_id)
        if claim is None:
            raise UnknownClaim(f"no claim {claim_id}")
        check_tenant(principal, claim.tenant_id)
        await desk.audit_read(claim, actor=principal.subject, now=clock.now())  # diagnoses and services are PHI
        return claim_json(claim, clock.today())

    async def act(claim_id: str, action: str, body: Action, principal: Principal, decide) -> dict:
        now = clock.now()
        claim, changed = await desk.act(
            claim_id, action, decide, actor=principal.subject, now=now, request_id=body.request_id,
            revision=body.revision, allowed=lambda c: check_tenant(principal, c.tenant_id))
        return claim_json(claim, now.date(), changed)

    @api.post("/api/claims/{claim_id}/take")
    async def take(claim_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        return await act(claim_id, "take", body, principal, lambda c, _: queue.take(c, principal.subject))

    @api.post("/api/claims/{claim_id}/release")
    async def release(claim_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        supervisor = principal.has_any((Role.SUPERVISOR, Role.ADMIN))
        return await act(claim_id, "release", body, principal,
                         lambda c, _: queue.release(c, principal.subject, may_release_others=supervisor))

    @api.post("/api/claims/{claim_id}/correct")
    async def correct(claim_id: str, body: Correction, principal: Principal = Depends(require(*WORKERS))) -> dict:
        return await act(claim_id, "correct", body, principal, lambda c, _: queue.edit(c, principal.subject, body.edits))

    @api.post("/api/claims/{claim_id}/scrub")
    async def scrub(claim_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        today = clock.today()
        return await act(claim_id, "scrub", body, principal,
                         lambda c, audit: queue.scrub(c, principal.subject, today, audit))

    @api.post("/api/claims/{claim_id}/submit")
    async def submit(claim_id: str, body: Action, principal: Principal = Depends(require(*WORKERS))) -> dict:
        today = clock.today()
        return await act(claim_id, "submit", body, principal,
                         lambda c, audit: queue.submit(c, principal.subject, today, audit))

    @api.post("/api/claims/{claim_id}/close")
    async def close(claim_id: str, body: Closing, principal: Principal = Depends(require(*WORKERS))) -> dict:
        return await act(claim_id, "close", body, principal, lambda c, _: queue.close(c, principal.subject, body.reason))

    return api
