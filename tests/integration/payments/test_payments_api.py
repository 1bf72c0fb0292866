"""Payments' API against the real broker and mongod: a fee schedule loads for a supervisor of the
tenant only, is audited in the same transaction, and a bad row loads nothing."""

from __future__ import annotations

import httpx

from services.payments.app import build_runtime
from shared import topics
from shared.auth import Role
from tests.support.builders import TENANT
from tests.support.identity import auth_headers
from tests.support.kafka import eventually

SCHEDULE = ("payer_id,procedure_code,modifiers,effective_from,effective_to,allowed\n"
            "SIMMCR04,99213,,2026-01-01,,92.50\nSIMMCR04,36415,,2026-01-01,,3.10\n")
CSV = {"Content-Type": "text/csv"}


async def test_a_fee_schedule_is_loaded_by_a_supervisor_of_the_tenant_and_audited(settings, kafka) -> None:
    supervisor = auth_headers("sue", [Role.SUPERVISOR], [TENANT])
    runtime = build_runtime(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()),
                                 base_url="http://payments") as http, runtime.running():
        anonymous = await http.put(f"/api/fee-schedules/{TENANT}", headers=CSV, content=SCHEDULE)
        poster = await http.put(f"/api/fee-schedules/{TENANT}", content=SCHEDULE,
                                headers={**CSV, **auth_headers("pat", [Role.PAYMENT_POSTER], [TENANT])})
        viewer = await http.put(f"/api/fee-schedules/{TENANT}", content=SCHEDULE,
                                headers={**CSV, **auth_headers("v", [Role.PRACTICE_VIEWER], [TENANT])})
        foreign = await http.put("/api/fee-schedules/other-clinic", headers={**CSV, **supervisor}, content=SCHEDULE)
        bad = await http.put(f"/api/fee-schedules/{TENANT}", headers={**CSV, **supervisor},
                             content=SCHEDULE + "SIMMCR04,99214,,2026-01-01,,lots\n")
        loaded = await http.put(f"/api/fee-schedules/{TENANT}", headers={**CSV, **supervisor}, content=SCHEDULE)

        async def outbox_empty() -> bool:
            return await runtime.db["outbox"].count_documents({}) == 0

        await eventually(outbox_empty)
        audits = await kafka.read(topics.AUDIT)
        stored = await runtime.db["fee_schedules"].count_documents({"tenant_id": TENANT})
    assert (anonymous.status_code, poster.status_code, viewer.status_code, foreign.status_code) == (401, 403, 403, 403)
    assert (bad.status_code, bad.json()["error"]) == (422, "FEE_SCHEDULE_INVALID")
    assert loaded.json() == {"tenant_id": TENANT, "loaded": 2} and stored == 2
    assert [(a.payload.actor, a.payload.action, a.tenant_id) for a in audits] == [("sue", "FEE_SCHEDULE_LOADED", TENANT)]
