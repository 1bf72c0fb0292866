"""Who may work the coding review queue, against the real broker and mongod: 401 without a valid
token, 403 for a role or tenant outside the token's scope, one of two coders taking an item gets
409, and a retried decision is applied once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.coding.app import build_runtime
from services.coding.settings import CodingSettings
from shared import topics
from shared.auth import Role
from tests.support.builders import TENANT, a_registered_encounter, a_registered_event, a_registration_request
from tests.support.identity import auth_headers
from tests.support.kafka import eventually

OTHER = "other-clinic"
ANN = auth_headers("cdr.ann", [Role.CODER], [TENANT])
BO = auth_headers("cdr.bo", [Role.CODER], [TENANT])
NOTE = "Synthetic note for a test visit. Assessment: essential hypertension. Plan: recheck in two weeks."


@pytest.fixture
def runtime(settings):
    return build_runtime(CodingSettings(**{**settings.model_dump(), "coding_review_on_disagreement": "hold"}))


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://coding")


def _held_event(tenant_id: str = TENANT):
    registered = a_registered_encounter(a_registration_request(diagnoses=("J45909",)), tenant_id=tenant_id)
    return a_registered_event(registered.model_copy(update={"note": NOTE}), tenant_id=tenant_id)


async def _held(runtime, kafka, *events) -> None:
    await kafka.publish(topics.ENCOUNTER_REGISTERED, *events)

    async def all_held() -> bool:
        return await runtime.db["encounters"].count_documents({"status": "held"}) == len(events)

    async def outbox_empty() -> bool:
        return await runtime.db["outbox"].count_documents({}) == 0

    await eventually(all_held)
    await eventually(outbox_empty)


async def test_tokens_roles_and_tenants_are_enforced(runtime, kafka) -> None:
    ours, theirs = _held_event(), _held_event(OTHER)
    ours_id, theirs_id = ours.payload.encounter_id, theirs.payload.encounter_id
    viewer = auth_headers("pat.viewer", [Role.PRACTICE_VIEWER], [TENANT])
    biller = auth_headers("bea", [Role.BILLER], [TENANT])
    async with _http(runtime) as http, runtime.running():
        await _held(runtime, kafka, ours, theirs)
        anonymous = await http.get("/api/review")
        docs = await http.get("/api/docs")
        viewed = (await http.get("/api/review", headers=viewer)).json()["items"]
        foreign = await http.get(f"/api/review/{theirs_id}", headers=viewer)
        foreign_tenant = await http.get("/api/review", headers=viewer, params={"tenant": OTHER})
        viewer_take = await http.post(f"/api/review/{ours_id}/take", headers=viewer, json={})
        biller_decides = await http.post(f"/api/review/{ours_id}/decide", headers=biller, json={"decision": "keep"})
        coder_foreign = await http.post(f"/api/review/{theirs_id}/take", headers=ANN, json={})
        outbox = await runtime.db["outbox"].count_documents({})
    assert (anonymous.status_code, docs.status_code) == (401, 401)
    assert [item["encounter_id"] for item in viewed] == [ours_id]
    assert (foreign.status_code, foreign_tenant.status_code, viewer_take.status_code) == (403, 403, 403)
    assert (biller_decides.status_code, coder_foreign.status_code) == (403, 403)
    assert outbox == 0


async def test_two_coders_taking_one_item_one_gets_it_and_the_other_cannot_release_it(runtime, kafka) -> None:
    event = _held_event()
    item = event.payload.encounter_id
    supervisor = auth_headers("sue", [Role.SUPERVISOR], [TENANT])
    async with _http(runtime) as http, runtime.running():
        await _held(runtime, kafka, event)
        first, second = await asyncio.gather(http.post(f"/api/review/{item}/take", headers=ANN, json={}),
                                             http.post(f"/api/review/{item}/take", headers=BO, json={}))
        winner, loser = (ANN, BO) if first.status_code == 200 else (BO, ANN)
        loser_release = await http.post(f"/api/review/{item}/release", headers=loser, json={})
        supervisor_release = await http.post(f"/api/review/{item}/release", headers=supervisor, json={})
        stored = await runtime.db["encounters"].find_one({"_id": item})
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert {first.json().get("error"), second.json().get("error")} == {None, "TAKEN_BY_SOMEONE_ELSE"}
    assert loser_release.status_code == 409 and supervisor_release.status_code == 200
    assert supervisor_release.json()["assignee"] is None and "assignee" not in stored and stored["version"] == 2


async def test_a_retried_decision_is_applied_once(runtime, kafka) -> None:
    from services.coding.repository import CodingRepository
    from tests.support.builders import a_chargemaster_entry

    event = _held_event()
    item = event.payload.encounter_id
    retry = {**ANN, "Idempotency-Key": "decide-1b2c"}
    async with _http(runtime) as http, runtime.running():
        await CodingRepository(runtime.db, runtime.cipher).load_chargemaster(TENANT, (a_chargemaster_entry("99213"),))
        await _held(runtime, kafka, event)
        first = await http.post(f"/api/review/{item}/decide", headers=retry, json={"decision": "keep"})
        second = await http.post(f"/api/review/{item}/decide", headers=retry, json={"decision": "keep"})

        async def outbox_empty() -> bool:
            return await runtime.db["outbox"].count_documents({}) == 0

        await eventually(outbox_empty)
        coded = await kafka.read(topics.ENCOUNTER_CODED)
        decided = await kafka.read(topics.CODING_REVIEW_DECIDED)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert [e.payload.encounter_id for e in coded] == [item]
    assert [(e.payload.coder, e.payload.decision.value) for e in decided] == [("cdr.ann", "kept_provider_codes")]


async def test_a_chargemaster_is_loaded_through_the_api_by_a_supervisor_of_the_tenant_and_audited(runtime, kafka) -> None:
    good = ("procedure_code,modifier,unit_price,effective_from,effective_to,description\n"
            "99213,,125.00,2026-01-01,2026-06-30,Visit\n99213,,130.00,2026-07-01,,Visit\n")
    overlapping = "procedure_code,modifier,unit_price,effective_from,effective_to,description\n99213,,140.00,2026-03-01,,Visit\n"
    supervisor = auth_headers("sue", [Role.SUPERVISOR], [TENANT])
    csv = {"Content-Type": "text/csv"}
    async with _http(runtime) as http, runtime.running():
        coder = await http.put(f"/api/chargemasters/{TENANT}", headers={**ANN, **csv}, content=good)
        foreign = await http.put(f"/api/chargemasters/{OTHER}", headers={**supervisor, **csv}, content=good)
        loaded = await http.put(f"/api/chargemasters/{TENANT}", headers={**supervisor, **csv}, content=good)
        refused = await http.put(f"/api/chargemasters/{TENANT}", headers={**supervisor, **csv}, content=overlapping)
        bad_row = await http.put(f"/api/chargemasters/{TENANT}", headers={**supervisor, **csv},
                                 content=good + "99214,,abc,2026-01-01,,Visit\n")

        async def outbox_empty() -> bool:
            return await runtime.db["outbox"].count_documents({}) == 0

        await eventually(outbox_empty)
        audits = await kafka.read(topics.AUDIT)
        stored = await runtime.db["chargemaster"].count_documents({"tenant_id": TENANT})
    assert (coder.status_code, foreign.status_code) == (403, 403)
    assert loaded.json() == {"tenant_id": TENANT, "loaded": 2} and stored == 2
    assert (refused.status_code, refused.json()["error"]) == (422, "CHARGEMASTER_ENTRY_OVERLAPS")
    assert bad_row.status_code == 422 and bad_row.json()["problems"]
    assert [(a.payload.actor, a.payload.action, a.payload.subject_id) for a in audits] == [
        ("sue", "CHARGEMASTER_LOADED", TENANT)]
