"""The work-queue API, served by the denials process under /api beside /metrics and /health.

Every request needs `Authorization: Bearer <RCM_DENIALS_API_TOKEN>` (401 without). The token is one
shared secret per deployment, so the actor named in a take or resolve is the caller's word; the audit
record keeps it with the time and the action. Work items hold no PHI (ids, codes, dates, amounts).

    GET  /api/work-items?category=&payer=&status=   the queue, in priority order (queue.py)
    GET  /api/work-items/{id}                        one item
    GET  /api/work-items/{id}/letter[?format=html]   its appeal letter
    POST /api/work-items/{id}/take      {"actor"}
    POST /api/work-items/{id}/resolve   {"actor", "action": resubmit|appeal|write_off, "reason"}
    GET  /api/trends?since=&until=                   root-cause trends (trends.py)

Errors: 404 unknown item, 409 the item's state forbids it (taken by someone else, already done),
422 a request that can never succeed as sent; the body is {"error": code, "message": text}.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import date

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from services.denials import queue
from services.denials.letters import appeal_letter, as_html
from services.denials.queue import ItemStatus, WorkItem
from services.denials.repository import DenialsRepository, UnknownWorkItem
from services.denials.trends import denial_trends, trends_as_json
from shared import topics
from shared.clock import Clock
from shared.events import DenialAction

_STATUS_CODE = {UnknownWorkItem: 404, queue.TakenBySomeoneElse: 409, queue.NotWorkable: 409,
                queue.InvalidRequest: 422}


class TakeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str
    action: DenialAction
    reason: str | None = None


def item_json(item: WorkItem, today: date) -> dict:
    return {
        "id": item.denial_id, "claim_id": item.claim_id, "payer_id": item.payer_id,
        "payer_claim_number": item.payer_claim_number, "category": item.category.value,
        "carc_known": item.carc_known, "deciding_carc": item.deciding_carc, "carcs": list(item.carcs),
        "rarcs": list(item.rarcs), "amount": str(item.amount), "age_days": item.age_days(today),
        "appeal_deadline": item.appeal_deadline.isoformat(), "days_left": item.days_left(today),
        "score": str(item.score(today).quantize(queue.SCORE_PLACES)), "status": item.status.value,
        "action": item.action.value, "assignee": item.assignee,
        "resolution": item.resolution.value if item.resolution else None, "reason": item.reason,
        "has_letter": item.letter is not None,
    }


def build_api(denials: DenialsRepository, *, token: str, clock: Clock,
              after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    """The FastAPI app. `after_commit` runs after each committed change (the service wakes its
    outbox relay there, so the events leave at once)."""

    def authorized(authorization: str | None = Header(default=None)) -> None:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.encode(), token.encode()):
            raise _Unauthorized()

    api = FastAPI(title="rcm denials work queue", docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None, dependencies=[Depends(authorized)])

    @api.exception_handler(_Unauthorized)
    async def unauthorized(request: Request, failure: _Unauthorized) -> JSONResponse:
        return JSONResponse({"error": "UNAUTHORIZED", "message": "a valid bearer token is required"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @api.exception_handler(queue.QueueError)
    async def refused(request: Request, failure: queue.QueueError) -> JSONResponse:
        return JSONResponse({"error": failure.code, "message": str(failure)},
                            status_code=_STATUS_CODE.get(type(failure), 422))

    @api.get("/api/work-items")
    async def list_items(category: str | None = None, payer: str | None = None,
                         status: ItemStatus | None = None, limit: int = Query(default=200, ge=1, le=1000)) -> dict:
        today = clock.today()
        statuses = [status.value] if status else [ItemStatus.OPEN.value, ItemStatus.TAKEN.value]
        # Sorted here, over every matching item: the order depends on today, and the open items are
        # the queue (a few thousand at most), not the history.
        items = await denials.items(statuses=statuses, category=category, payer_id=payer, limit=0)
        return {"today": today.isoformat(),
                "items": [item_json(item, today) for item in queue.queue_order(items, today)[:limit]]}

    @api.get("/api/work-items/{denial_id}")
    async def get_item(denial_id: str) -> dict:
        return item_json(await denials.get(denial_id), clock.today())

    @api.get("/api/work-items/{denial_id}/letter", response_model=None)
    async def letter(denial_id: str, format: str = Query(default="text", pattern="^(text|html)$")):
        item = await denials.get(denial_id)
        text = item.letter or appeal_letter(item, clock.today())  # a draft for items the rules closed
        return HTMLResponse(as_html(text)) if format == "html" else PlainTextResponse(text)

    @api.post("/api/work-items/{denial_id}/take")
    async def take(denial_id: str, request: TakeRequest) -> dict:
        now = clock.now()

        def decide(item: WorkItem):
            taken, audit = queue.take(item, request.actor, now)
            return taken, [(topics.AUDIT, audit)]

        return item_json(await denials.change(denial_id, decide, now, after_commit), now.date())

    @api.post("/api/work-items/{denial_id}/resolve")
    async def resolve(denial_id: str, request: ResolveRequest) -> dict:
        now = clock.now()

        def decide(item: WorkItem):
            letter = appeal_letter(item, now.date()) if request.action is DenialAction.APPEAL else None
            done = queue.resolve(item, request.actor, request.action, request.reason, now, letter=letter)
            emits = [(topics.DENIAL_WORKED, done.worked)]
            if done.resubmit is not None:
                emits.append((topics.CLAIM_RESUBMIT_REQUESTED, done.resubmit))
            return done.item, [*emits, (topics.AUDIT, done.audit)]

        return item_json(await denials.change(denial_id, decide, now, after_commit), now.date())

    @api.get("/api/trends")
    async def trends(since: date | None = None, until: date | None = None) -> dict:
        items = await denials.items(paid_from=since, paid_to=until, limit=0)
        return {"denials": len(items), **trends_as_json(denial_trends(items))}

    return api


class _Unauthorized(Exception):
    pass

