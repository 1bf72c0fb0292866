"""The coding review API, served by the coding process under /api (shared/api.py): coders,
supervisors and admins work the queue; practice viewers read their own tenants' items.

    GET  /api/review?tenant=&sort=age|value&limit=   held encounters of the caller's tenants: findings,
                                                     suggestions (codes and scores), assignee, version
    GET  /api/review/{encounter_id}                  one item with its note and diagnoses (PHI: audited)
    POST /api/review/{encounter_id}/take             {"expected_version"?}
    POST /api/review/{encounter_id}/release          {"expected_version"?} its coder, or a supervisor
    POST /api/review/{encounter_id}/decide           {"decision": accept|keep|codes, "codes": [...],
                                                      "expected_version"?} bill and release to claims
    GET  /api/qa                                     per-coder agreement and corrections (caller's tenants)
    PUT  /api/chargemasters/{tenant_id}              a chargemaster CSV (supervisors, admins; audited)

The coder of a decision is the token's subject. Errors: 404 not held here, 409 taken by another coder
or a stale version, 422 a decision that cannot apply (the body names the findings).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.coding import decisions, review
from services.coding.chargemaster import CodingError, parse_chargemaster_csv
from services.coding.repository import DECISIONS, CodingRepository
from shared import topics
from shared.actions import Actions, Outcome, audit_row
from shared.api import Caller, caller, service_api
from shared.auth import Role, TokenVerifier, check_tenant
from shared.clock import Clock
from shared.events import CodingDecision, EncounterRegistered
from shared.phi import PhiCipher

SUBJECT_TYPE = "CODING_REVIEW_ITEM"
WORKERS = (Role.CODER, Role.SUPERVISOR, Role.ADMIN)
READERS = (*WORKERS, Role.PRACTICE_VIEWER)
_DECISIONS = {"accept": CodingDecision.ACCEPTED_SUGGESTION, "keep": CodingDecision.KEPT_PROVIDER_CODES,
              "codes": CodingDecision.CORRECTED}
_STATUS = {decisions.NotInReviewQueue: 404, decisions.TakenBySomeoneElse: 409}


class ItemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = None


class DecideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "keep", "codes"]
    codes: list[str] = Field(default_factory=list, max_length=12)
    expected_version: int | None = None


def item_json(held: dict) -> dict:
    """A queue item without PHI: ids, finding codes and messages, suggested codes and scores."""
    return {"encounter_id": held["_id"], "tenant_id": held["tenant_id"], "status": held.get("status"),
            "findings": held.get("findings", []), "suggestions": held.get("suggestions", []),
            "assignee": held.get("assignee"), "decided_by": held.get("decided_by"),
            "total_charge": str(held["total_charge"].to_decimal()) if held.get("total_charge") is not None else None}


def build_api(database, cipher: PhiCipher, *, verifier: TokenVerifier, clock: Clock,
              after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    api = service_api("rcm coding review", verifier)
    encounters = database["encounters"]
    repository = CodingRepository(database, cipher)
    actions: Actions[dict] = Actions(database, "encounters", service="coding", clock=clock, load=dict, dump=dict,
                                     tenant_of=lambda held: held["tenant_id"], subject_type=SUBJECT_TYPE,
                                     after_commit=after_commit)

    @api.exception_handler(CodingError)
    async def refused(request: Request, failure: CodingError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)},
                            status_code=_STATUS.get(type(failure), 422))

    async def held_item(encounter_id: str, who: Caller) -> dict:
        held = await encounters.find_one({"_id": encounter_id, "status": "held"})
        if held is None:
            raise decisions.NotInReviewQueue(f"{encounter_id} is not in the coding review queue")
        check_tenant(who.principal, held["tenant_id"])
        return held

    @api.get("/api/review")
    async def queue(tenant: str | None = None, sort: Literal["age", "value"] = "age",
                    limit: int = Query(default=100, ge=1, le=1000), who: Caller = Depends(caller(*READERS))) -> dict:
        if tenant is not None:
            check_tenant(who.principal, tenant)
        rows = await decisions.held_encounters(database, tenant_id=tenant, tenants=who.principal.tenant_filter(),
                                               limit=0)
        # Oldest first (ids sort by arrival within a tenant), or the most findings first as a proxy
        # for the work at stake when no charge is known yet (a held encounter is not priced).
        ordered = sorted(rows, key=(lambda r: (-len(r.get("findings", [])), r["_id"])) if sort == "value"
                         else (lambda r: r["_id"]))
        return {"items": [{**item_json(row), "version": row.get("version", 0)} for row in ordered[:limit]]}

    @api.get("/api/review/{encounter_id}")
    async def item(encounter_id: str, who: Caller = Depends(caller(*READERS))) -> dict:
        held = await held_item(encounter_id, who)
        registered = cipher.open(held["registered"], EncounterRegistered)
        await actions.record_read(who, "CODING_NOTE_READ", encounter_id, held["tenant_id"])
        return {**item_json(held), "version": held.get("version", 0), "note": registered.note,
                "diagnoses": [d.code for d in registered.diagnoses],
                "procedures": [s.procedure_code for s in registered.services]}

    @api.post("/api/review/{encounter_id}/take")
    async def take(encounter_id: str, request: ItemRequest | None = None, who: Caller = Depends(caller(*WORKERS))) -> dict:
        now = clock.now()
        return await actions.act(encounter_id, "CODING_REVIEW_TAKEN", who,
                                 lambda held: Outcome(decisions.take(held, who.subject, now)), respond=item_json,
                                 expected_version=request.expected_version if request else None)

    @api.post("/api/review/{encounter_id}/release")
    async def release(encounter_id: str, request: ItemRequest | None = None,
                      who: Caller = Depends(caller(*WORKERS))) -> dict:
        supervisor = who.principal.has_any((Role.SUPERVISOR, Role.ADMIN))
        return await actions.act(encounter_id, "CODING_REVIEW_RELEASED", who,
                                 lambda held: Outcome(decisions.release(held, who.subject, supervisor=supervisor)),
                                 respond=item_json, expected_version=request.expected_version if request else None)

    @api.post("/api/review/{encounter_id}/decide")
    async def decide(encounter_id: str, request: DecideRequest, who: Caller = Depends(caller(*WORKERS))) -> dict:
        now = clock.now()
        if (request.decision == "codes") != bool(request.codes):
            raise review.InvalidDecision("codes are given with the decision \"codes\" only, and it needs them")

        async def chargemaster(held: dict, session):
            if held.get("status") != "held" or "registered" not in held:
                raise decisions.NotInReviewQueue(f"{encounter_id} is not in the coding review queue")
            return (await repository.chargemasters({held["tenant_id"]}, session))[held["tenant_id"]]

        def decide_on(held: dict, tenant_chargemaster) -> Outcome[dict]:
            registered = cipher.open(held["registered"], EncounterRegistered)
            done = decisions.decide(held, registered, tenant_chargemaster, coder=who.subject,
                                    decision=_DECISIONS[request.decision], codes=request.codes, now=now)
            return Outcome(done.encounter, [(topics.ENCOUNTER_CODED, done.coded),
                                            (topics.CODING_REVIEW_DECIDED, done.decided)],
                           inserts=[(DECISIONS, done.record)])

        return await actions.act(encounter_id, f"CODING_REVIEW_DECIDED_{request.decision.upper()}", who, decide_on,
                                 respond=item_json, expected_version=request.expected_version, context=chargemaster)

    @api.get("/api/qa")
    async def qa(who: Caller = Depends(caller(Role.SUPERVISOR, Role.ADMIN, Role.CODER))) -> dict:
        """Per-coder QA figures over the caller's tenants."""
        scope = who.principal.tenant_filter()
        records = await database[DECISIONS].find({} if scope is None else {"tenant_id": {"$in": scope}},
                                                 {"_id": 0}).to_list()
        return {"coders": [figure.as_json() for figure in review.coder_qa(records)]}

    @api.put("/api/chargemasters/{tenant_id}")
    async def load_chargemaster(tenant_id: str, request: Request,
                                who: Caller = Depends(caller(Role.SUPERVISOR, Role.ADMIN))) -> dict:
        """Load a chargemaster CSV (the body, text/csv) for a tenant: every row valid, or nothing loaded.
        Loading the same file again changes nothing."""
        check_tenant(who.principal, tenant_id)
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise review.InvalidDecision("the chargemaster must be UTF-8 CSV text") from None
        try:
            entries = parse_chargemaster_csv(text)
        except CodingError as refused:
            problems = [str(problem) for problem in getattr(refused, "problems", ())]
            return JSONResponse({"error": refused.code, "message": str(refused), "problems": problems},
                                status_code=422)
        audit = audit_row(who, "CHARGEMASTER_LOADED", "CHARGEMASTER", tenant_id, tenant_id, service="coding",
                          now=clock.now())
        loaded = await repository.load_chargemaster(tenant_id, entries, audit=audit)
        if after_commit is not None:
            result = after_commit()
            if result is not None:
                await result
        return {"tenant_id": tenant_id, "loaded": loaded}

    return api
