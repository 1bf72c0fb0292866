"""Registration's API for the payer crosswalk and the work items, served by the registration process
under /api (shared/api.py), as the signed-in person (shared/auth.py):

    PUT /api/payer-crosswalks/{tenant_id}        a crosswalk CSV (text/csv): supervisors and admins of
                                                 the tenant; every row valid, or nothing loaded (422
                                                 with each bad row); audited; Idempotency-Key honoured
    GET /api/work-items?tenant=&status=open|released|all&limit=
                                                 billers, patient accounts, supervisors, admins and
                                                 practice viewers (read-only), the caller's tenants only

A load replaces the tenant's crosswalk and releases, in the same transaction, the visits it now
resolves (payers.py). Work items hold no PHI (a reason code, a field, an encounter or patient id),
so listing them is not an audited read. Errors: 401 no valid token, 403 a role or tenant outside the
caller's scope, 422 a file that cannot load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pymongo.asynchronous.database import AsyncDatabase

from services.registration import payers, work_items
from services.registration.crosswalk import CrosswalkFileError, parse_crosswalk_csv
from shared.actions import audit_row
from shared.api import Caller, Invalid, caller, service_api
from shared.auth import Role, TokenVerifier, check_tenant
from shared.clock import Clock
from shared.phi import PhiCipher

SERVICE = "registration"
LOADERS = (Role.SUPERVISOR, Role.ADMIN)
READERS = (Role.BILLER, Role.PATIENT_ACCOUNTS, Role.SUPERVISOR, Role.ADMIN, Role.PRACTICE_VIEWER)
MAX_CROSSWALK_BYTES = 8 * 1024 * 1024
PREFIXES = ("/api/payer-crosswalks", "/api/work-items")


def work_item_json(row: dict) -> dict:
    return {**row, **{key: row[key].isoformat() if row.get(key) is not None else None
                      for key in ("opened_at", "released_at", "updated_at")}}


def build_work_api(database: AsyncDatabase, cipher: PhiCipher, *, verifier: TokenVerifier, clock: Clock,
                   after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    api = service_api("rcm registration work", verifier)

    @api.put("/api/payer-crosswalks/{tenant_id}")
    async def load_crosswalk(tenant_id: str, request: Request, who: Caller = Depends(caller(*LOADERS))) -> dict:
        """Replace the tenant's payer crosswalk with the CSV body, releasing the visits it resolves."""
        check_tenant(who.principal, tenant_id)
        body = await request.body()
        if len(body) > MAX_CROSSWALK_BYTES:
            raise Invalid(f"a crosswalk file is at most {MAX_CROSSWALK_BYTES} bytes", code="CROSSWALK_TOO_LARGE")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("the crosswalk must be UTF-8 CSV text", code="CROSSWALK_INVALID") from None
        try:
            entries = parse_crosswalk_csv(text)
        except CrosswalkFileError as refused:
            return JSONResponse({"error": "CROSSWALK_INVALID", "message": str(refused),
                                 "problems": [str(problem) for problem in refused.problems]}, status_code=422)
        now = clock.now()
        audit = audit_row(who, payers.LOADED, "PAYER_CROSSWALK", tenant_id, tenant_id, service=SERVICE, now=now)
        loaded = await payers.load_crosswalk(
            database.client, database, cipher, tenant_id, entries, now, audit=audit,
            request_key=f"{who.subject}:{who.request_id}" if who.request_id else None)
        if after_commit is not None:
            woken = after_commit()
            if woken is not None:
                await woken
        return {"tenant_id": tenant_id, "entries": loaded.entries, "payers": len({e.payer_id for e in entries}),
                "visits_checked": loaded.visits_checked, "released": loaded.released}

    @api.get("/api/work-items")
    async def list_work_items(tenant: str | None = None, status: Literal["open", "released", "all"] = "open",
                              limit: int = Query(default=500, ge=1, le=5000),
                              who: Caller = Depends(caller(*READERS))) -> dict:
        """Work items of the caller's tenants, oldest first."""
        if tenant is not None:
            check_tenant(who.principal, tenant)
        rows = await work_items.listed(database, tenant_id=tenant, tenants=who.principal.tenant_filter(),
                                       status=None if status == "all" else status, limit=limit)
        return {"items": [work_item_json(row) for row in rows]}

    return api
