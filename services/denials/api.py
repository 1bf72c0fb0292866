"""The work-queue API, served by the denials process under /api beside /metrics and /health.

Every request needs a bearer token from the identity provider (shared/auth.py): 401 without a valid
one, 403 for a role or tenant outside its scope. Denial specialists, supervisors and admins work the
queue; practice viewers read their own tenants' items. The actor of a take or resolve is the token's
subject. Actions follow shared/api.py: optimistic concurrency (`expected_version`), an idempotent
retry with `Idempotency-Key`, and an audit record of every change and every letter read.

    GET  /api/work-items?category=&payer=&status=   the queue of the caller's tenants, in priority order
    GET  /api/work-items/{id}                        one item
    GET  /api/work-items/{id}/letter[?format=html]   its appeal letter (audited: it is sent to a payer)
    POST /api/work-items/{id}/take      {"expected_version"?}
    POST /api/work-items/{id}/resolve   {"action": resubmit|appeal|write_off, "reason", "expected_version"?}
    GET  /api/trends?since=&until=                   root-cause trends (trends.py) of the caller's tenants

Errors: 404 unknown item, 409 the item's state forbids it (taken by someone else, already done, a
stale version), 422 a request that can never succeed as sent; the body is {"error": code, "message": text}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from services.denials import queue
from services.denials.letters import appeal_letter, as_html
from services.denials.queue import ItemStatus, WorkItem
from services.denials.repository import DenialsRepository, UnknownWorkItem, from_document, to_document
from services.denials.trends import denial_trends, trends_as_json
from shared import topics
from shared.actions import Actions, Outcome
from shared.api import Caller, caller, service_api
from shared.auth import Role, TokenVerifier, check_tenant
from shared.clock import Clock
from shared.events import DenialAction

WORKERS = (Role.DENIAL_SPECIALIST, Role.SUPERVISOR, Role.ADMIN)
READERS = (*WORKERS, Role.PRACTICE_VIEWER)

_STATUS_CODE = {UnknownWorkItem: 404, queue.TakenBySomeoneElse: 409, queue.NotWorkable: 409,
                queue.InvalidRequest: 422}


class TakeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = None


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: DenialAction
    reason: str | None = None
    expected_version: int | None = None


def item_json(item: WorkItem, today: date) -> dict:
    return {
        "id": item.denial_id, "tenant_id": item.tenant_id, "claim_id": item.claim_id, "payer_id": item.payer_id,
        "payer_claim_number": item.payer_claim_number, "category": item.category.value,
        "carc_known": item.carc_known, "deciding_carc": item.deciding_carc, "carcs": list(item.carcs),
        "rarcs": list(item.rarcs), "amount": str(item.amount), "age_days": item.age_days(today),
        "appeal_deadline": item.appeal_deadline.isoformat(), "days_left": item.days_left(today),
        "score": str(item.score(today).quantize(queue.SCORE_PLACES)), "status": item.status.value,
        "action": item.action.value, "assignee": item.assignee,
        "resolution": item.resolution.value if item.resolution else None, "reason": item.reason,
        "has_letter": item.letter is not None,
    }


def build_api(denials: DenialsRepository, *, verifier: TokenVerifier, clock: Clock,
              after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    """The FastAPI app. `after_commit` runs after each committed change (the service wakes its
    outbox relay there, so the events leave at once)."""
    api = service_api("rcm denials work queue", verifier)
    actions = Actions(denials.database, "denials", service="denials", clock=clock, load=from_document,
                      dump=to_document, tenant_of=lambda item: item.tenant_id, subject_type=queue.SUBJECT_TYPE,
                      correlation_of=lambda item: item.encounter_id, after_commit=after_commit)

    @api.exception_handler(queue.QueueError)
    async def refused(request: Request, failure: queue.QueueError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)},
                            status_code=_STATUS_CODE.get(type(failure), 422))

    async def visible(denial_id: str, who: Caller) -> WorkItem:
        item = await denials.get(denial_id)
        check_tenant(who.principal, item.tenant_id)
        return item

    @api.get("/api/work-items")
    async def list_items(category: str | None = None, payer: str | None = None,
                         status: ItemStatus | None = None, limit: int = Query(default=200, ge=1, le=1000),
                         who: Caller = Depends(caller(*READERS))) -> dict:
        today = clock.today()
        statuses = [status.value] if status else [ItemStatus.OPEN.value, ItemStatus.TAKEN.value]
        # Sorted here, over every matching item: the order depends on today, and the open items are
        # the queue (a few thousand at most), not the history.
        items = await denials.items(statuses=statuses, category=category, payer_id=payer, limit=0,
                                    tenants=who.principal.tenant_filter())
        return {"today": today.isoformat(),
                "items": [item_json(item, today) for item in queue.queue_order(items, today)[:limit]]}

    @api.get("/api/work-items/{denial_id}")
    async def get_item(denial_id: str, who: Caller = Depends(caller(*READERS))) -> dict:
        item = await visible(denial_id, who)
        return {**item_json(item, clock.today()), "version": await denials.version(denial_id)}

    @api.get("/api/work-items/{denial_id}/letter", response_model=None)
    async def letter(denial_id: str, format: str = Query(default="text", pattern="^(text|html)$"),
                     who: Caller = Depends(caller(*READERS))):
        item = await visible(denial_id, who)
        await actions.record_read(who, "APPEAL_LETTER_READ", denial_id, item.tenant_id)
        text = item.letter or appeal_letter(item, clock.today())  # a draft for items the rules closed
        return HTMLResponse(as_html(text)) if format == "html" else PlainTextResponse(text)

    @api.post("/api/work-items/{denial_id}/take")
    async def take(denial_id: str, request: TakeRequest | None = None, who: Caller = Depends(caller(*WORKERS))) -> dict:
        now = clock.now()

        def decide(item: WorkItem) -> Outcome[WorkItem]:
            return Outcome(queue.take(item, who.subject, now))

        return await actions.act(denial_id, "WORK_ITEM_TAKEN", who, decide, respond=lambda item: item_json(item, now.date()),
                                 expected_version=request.expected_version if request else None)

    @api.post("/api/work-items/{denial_id}/resolve")
    async def resolve(denial_id: str, request: ResolveRequest, who: Caller = Depends(caller(*WORKERS))) -> dict:
        now = clock.now()

        def decide(item: WorkItem) -> Outcome[WorkItem]:
            letter = appeal_letter(item, now.date()) if request.action is DenialAction.APPEAL else None
            done = queue.resolve(item, who.subject, request.action, request.reason, now, letter=letter)
            emits = [(topics.DENIAL_WORKED, done.worked)]
            if done.resubmit is not None:
                emits.append((topics.CLAIM_RESUBMIT_REQUESTED, done.resubmit))
            return Outcome(done.item, emits)

        return await actions.act(denial_id, f"WORK_ITEM_RESOLVED_{request.action.value.upper()}", who, decide,
                                 respond=lambda item: item_json(item, now.date()),
                                 expected_version=request.expected_version)

    @api.get("/api/trends")
    async def trends(since: date | None = None, until: date | None = None,
                     who: Caller = Depends(caller(*READERS))) -> dict:
        items = await denials.items(paid_from=since, paid_to=until, limit=0, tenants=who.principal.tenant_filter())
        return {"denials": len(items), **trends_as_json(denial_trends(items))}

    return api
