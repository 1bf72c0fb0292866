"""Payments' API, served by the payments process under /api (shared/api.py). Every action is audited
with the token's subject as the actor, in the same transaction as the change.

    PUT  /api/fee-schedules/{tenant_id}          a contract fee schedule CSV (supervisors, admins)
    POST /api/patients/{patient_id}/payments     {"tenant_id", "amount", "reference", "method",
                                                  "received_on"?}: a patient payment; the same reference
                                                  recorded again changes nothing (patient accounts,
                                                  payment posters, supervisors, admins)
    POST /api/statement-runs                     {"tenant_id", "statement_date"?, "practice_name"?}: a
                                                  statement per patient owing, answered with each page
                                                  (PHI: audited per patient; patient accounts,
                                                  supervisors, admins)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.payments.billing_runs import load_fee_schedule, record_patient_payment, run_statements
from services.payments.fee_schedule import FeeScheduleInvalid, parse_fee_schedule_csv
from services.payments.patient_billing import PatientPaymentRefused, patient_payment
from shared.api import Caller, Invalid, caller, service_api
from shared.auth import Role, TokenVerifier, check_tenant
from shared.clock import Clock
from shared.phi import PhiCipher

class PaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str = Field(min_length=1, max_length=64)
    amount: Decimal
    reference: str = Field(min_length=1, max_length=64)
    method: str = "card"
    received_on: date | None = None


class StatementRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str = Field(min_length=1, max_length=64)
    statement_date: date | None = None
    practice_name: str = Field(default="Your care provider", max_length=120)


def build_api(database, cipher: PhiCipher, *, verifier: TokenVerifier, clock: Clock,
              after_commit: Callable[[], Awaitable[None] | None] | None = None) -> FastAPI:
    api = service_api("rcm payments", verifier)
    client = database.client

    async def committed() -> None:
        if after_commit is not None:
            result = after_commit()
            if result is not None:
                await result

    @api.exception_handler(PatientPaymentRefused)
    async def refused(request: Request, failure: PatientPaymentRefused) -> JSONResponse:
        return JSONResponse({"error": "PATIENT_PAYMENT_REFUSED", "message": str(failure)}, status_code=422)

    @api.put("/api/fee-schedules/{tenant_id}")
    async def fee_schedule(tenant_id: str, request: Request,
                           who: Caller = Depends(caller(Role.SUPERVISOR, Role.ADMIN))) -> dict:
        check_tenant(who.principal, tenant_id)
        try:
            entries = parse_fee_schedule_csv((await request.body()).decode("utf-8"))
        except UnicodeDecodeError:
            raise Invalid("the fee schedule must be UTF-8 CSV text") from None
        except FeeScheduleInvalid as invalid:
            raise Invalid(str(invalid), code="FEE_SCHEDULE_INVALID") from None
        loaded = await load_fee_schedule(client, database, tenant_id, entries, who=who, now=clock.now())
        await committed()
        return {"tenant_id": tenant_id, "loaded": loaded}

    @api.post("/api/patients/{patient_id}/payments")
    async def payment(patient_id: str, request: PaymentRequest,
                      who: Caller = Depends(caller(Role.PATIENT_ACCOUNTS, Role.PAYMENT_POSTER, Role.SUPERVISOR,
                                                   Role.ADMIN))) -> dict:
        check_tenant(who.principal, request.tenant_id)
        if not patient_id.startswith("pat_") or len(patient_id) != 36:
            raise Invalid("the patient id is pat_ and 32 hex digits")
        now = clock.now()
        entry = patient_payment(request.tenant_id, patient_id, request.amount, reference=request.reference,
                                method=request.method, received_on=request.received_on or now.date())
        change = await record_patient_payment(client, database, entry, who=who, now=now)
        await committed()
        if change is None:
            return {"patient_id": patient_id, "reference": request.reference, "recorded": False}
        return {"patient_id": patient_id, "reference": request.reference, "recorded": True,
                "balance": str(change.balance)}

    @api.post("/api/statement-runs")
    async def statements(request: StatementRunRequest,
                         who: Caller = Depends(caller(Role.PATIENT_ACCOUNTS, Role.SUPERVISOR, Role.ADMIN))) -> dict:
        check_tenant(who.principal, request.tenant_id)
        now = clock.now()
        run = await run_statements(client, database, cipher, request.tenant_id,
                                   statement_date=request.statement_date or now.date(), now=now,
                                   practice_name=request.practice_name, who=who)
        await committed()
        return {"tenant_id": request.tenant_id,
                "statements": [{"statement_id": page.statement.statement_id, "patient_id": page.statement.patient_id,
                                "balance": str(page.statement.balance), "html": page.html, "data": page.data}
                               for page in run.pages]}

    return api
