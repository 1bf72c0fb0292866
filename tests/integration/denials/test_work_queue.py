"""The work queue against the real broker and mongod: people take and resolve denials through the
service's own HTTP app (the /api mount of its ASGI app), every action is audited on rcm.audit.v1
through the outbox, a person's resubmission reaches claims as a corrected-claim request, and the
appeal deadline orders the queue."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import httpx
import pytest

from services.denials.app import build_runtime
from services.denials.settings import DenialsSettings
from shared import topics
from shared.auth import Role
from shared.events import DenialAction
from tests.support.builders import TENANT, a_claim_denied, an_event
from tests.support.identity import auth_headers
from tests.support.kafka import eventually

JDOE = auth_headers("jdoe", [Role.DENIAL_SPECIALIST], [TENANT])
ASMITH = auth_headers("asmith", [Role.DENIAL_SPECIALIST], [TENANT])


@pytest.fixture
def runtime(settings):
    return build_runtime(DenialsSettings(**settings.model_dump()))


def _http(runtime, headers: dict | None = JDOE) -> httpx.AsyncClient:
    """A client of the process's own ASGI app. Built before the broker starts, as `serve` does: the
    app sets up the broker's context, and doing that to a running broker breaks its subscribers."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://denials",
                             headers=headers or {})


def _denied(denial):
    return an_event(topics.CLAIM_DENIED, denial, correlation_id=denial.encounter_id)


async def _recorded(runtime, *denial_ids: str) -> None:
    await eventually(lambda: _count(runtime, {"_id": {"$in": list(denial_ids)}}, len(denial_ids)))


async def _count(runtime, query: dict, expected: int) -> bool:
    return await runtime.db["denials"].count_documents(query) == expected


async def _outbox_empty(runtime) -> bool:
    return await runtime.db["outbox"].count_documents({}) == 0


async def test_an_unrecognised_denial_taken_and_resubmitted_by_a_person_asks_claims_for_a_corrected_claim(
        runtime, kafka) -> None:
    denial = a_claim_denied("B7", payer_claim_number="PCNB7TEST", amount="420.00")
    async with _http(runtime) as http, runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        await _recorded(runtime, denial.denial_id)
        queue = (await http.get("/api/work-items")).json()["items"]
        taken = await http.post(f"/api/work-items/{denial.denial_id}/take", json={})
        resolved = await http.post(f"/api/work-items/{denial.denial_id}/resolve",
                                   json={"action": "resubmit"})
        await eventually(lambda: _outbox_empty(runtime))
        requests = await kafka.read(topics.CLAIM_RESUBMIT_REQUESTED)
        worked = await kafka.read(topics.DENIAL_WORKED)
        audits = await kafka.read(topics.AUDIT)
        stored = await runtime.db["denials"].find_one({"_id": denial.denial_id})
    assert [(item["id"], item["category"], item["carc_known"]) for item in queue] == [
        (denial.denial_id, "OTHER", False)]
    assert (taken.status_code, resolved.status_code) == (200, 200)
    assert [(r.payload.claim_id, r.payload.payer_claim_number) for r in requests] == [(denial.claim_id, "PCNB7TEST")]
    assert requests[0].correlation_id == denial.encounter_id
    assert [(w.payload.action, w.payload.by_person) for w in worked] == [
        (DenialAction.APPEAL, False), (DenialAction.RESUBMIT, True)]  # the rules queued it; a person decided
    assert [(a.payload.actor, a.payload.action, a.payload.subject_id) for a in audits] == [
        ("jdoe", "WORK_ITEM_TAKEN", denial.denial_id), ("jdoe", "WORK_ITEM_RESOLVED_RESUBMIT", denial.denial_id)]
    assert (stored["status"], stored["assignee"], stored["resolution"]) == ("resolved", "jdoe", "resubmit")


async def test_the_nearer_appeal_deadline_puts_a_smaller_denial_first_in_the_queue(runtime, kafka) -> None:
    today = date.today()
    # Both appealed (not medically necessary); the payers' windows are data: SIMMCD05 60 days, SIMMCR04 120.
    short_window = a_claim_denied("50", amount="700.00").model_copy(update={"payer_id": "SIMMCD05", "payment_date": today})
    long_window = a_claim_denied("50", amount="1000.00").model_copy(update={"payer_id": "SIMMCR04", "payment_date": today})
    async with _http(runtime) as http, runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(long_window), _denied(short_window))
        await _recorded(runtime, short_window.denial_id, long_window.denial_id)
        queue = (await http.get("/api/work-items")).json()["items"]
        by_payer = (await http.get("/api/work-items", params={"payer": "SIMMCR04"})).json()["items"]
    assert [(item["id"], item["days_left"]) for item in queue] == [
        (short_window.denial_id, 60), (long_window.denial_id, 120)]  # 11.66/day before 8.33/day
    assert Decimal(queue[0]["amount"]) < Decimal(queue[1]["amount"])
    assert [item["id"] for item in by_payer] == [long_window.denial_id]


async def test_an_appeal_is_resolved_with_a_letter_from_the_claims_facts(runtime, kafka) -> None:
    denial = a_claim_denied("50", amount="180.00").model_copy(
        update={"billed": Decimal("250.00"), "procedure_codes": ("99214",), "rendering_npi": "1234567893",
                "rarcs": ("N115",)})
    async with _http(runtime) as http, runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        await _recorded(runtime, denial.denial_id)
        draft = (await http.get(f"/api/work-items/{denial.denial_id}/letter")).text
        resolved = await http.post(f"/api/work-items/{denial.denial_id}/resolve",
                                   json={"action": "appeal"}, headers=ASMITH)
        letter = (await http.get(f"/api/work-items/{denial.denial_id}/letter")).text
    assert resolved.status_code == 200 and draft == letter  # the same facts, written the same day
    for fact in (denial.claim_id, "PCNTEST0001", "99214", "$250.00", "$180.00", "1234567893",
                 "CO-50: Not deemed a medical necessity by the payer", "N115:"):
        assert fact in letter


async def test_two_people_taking_the_same_item_at_once_one_gets_it(runtime, kafka) -> None:
    denial = a_claim_denied("50")
    async with _http(runtime) as http, runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        await _recorded(runtime, denial.denial_id)
        first, second = await asyncio.gather(
            http.post(f"/api/work-items/{denial.denial_id}/take", json={}),
            http.post(f"/api/work-items/{denial.denial_id}/take", json={}, headers=ASMITH))
        await eventually(lambda: _outbox_empty(runtime))
        audits = await kafka.read(topics.AUDIT)
        stored = await runtime.db["denials"].find_one({"_id": denial.denial_id})
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner = "jdoe" if first.status_code == 200 else "asmith"
    assert stored["assignee"] == winner
    assert [(a.payload.actor, a.payload.action) for a in audits] == [(winner, "WORK_ITEM_TAKEN")]


