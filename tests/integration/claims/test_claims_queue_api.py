"""The claims work-queue API against the real broker and mongod, through the service's own HTTP app:
tokens and roles, tenant scopes, two people taking one claim, a retried action applied once, and a
scrub failure corrected, scrubbed and sent in a batch."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from services.claims.app import build_runtime
from services.claims.settings import ClaimsSettings
from shared import topics
from shared.auth import Role
from shared.events import ClaimStatus, DocumentedService
from tests.support.builders import TENANT, a_coded_encounter, a_coded_event, a_registration_request
from tests.support.identity import auth_headers, auth_settings, issue_token
from tests.support.kafka import eventually

BILLER = auth_headers("biller-a", [Role.BILLER], [TENANT])
OTHER_BILLER = auth_headers("biller-b", [Role.BILLER], [TENANT])


def _runtime(settings, tmp_path):
    return build_runtime(ClaimsSettings(**{**settings.model_dump(), **auth_settings(tmp_path)}))


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://claims")


def _failing_event():
    """A coded encounter whose line points to a second diagnosis the claim lacks: the scrubber stops it."""
    request = a_registration_request(services=(DocumentedService(procedure_code="99213", diagnosis_pointers=(2,)),))
    return a_coded_event(a_coded_encounter(request))


async def _scrub_failed(runtime, kafka) -> str:
    event = _failing_event()
    await kafka.publish(topics.ENCOUNTER_CODED, event)

    async def failed():
        return await runtime.db["claims"].find_one({"encounter_id": event.payload.encounter_id,
                                                    "status": "scrub_failed"})
    return (await eventually(failed))["_id"]


def _request_id() -> str:
    return "req-" + uuid.uuid4().hex


async def test_without_a_token_or_with_a_foreign_role_or_tenant_the_queue_is_refused(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running():
        claim_id = await _scrub_failed(runtime, kafka)
        anonymous = await http.get("/api/claims/queue")
        untrusted = await http.get("/api/claims/queue", headers={
            "Authorization": "Bearer " + issue_token("x", [Role.BILLER], [TENANT], untrusted_key=True)})
        coder = await http.post(f"/api/claims/{claim_id}/take", json={},
                                headers=auth_headers("coder-1", [Role.CODER], [TENANT]))
        viewer_here = await http.get("/api/claims/queue", headers=auth_headers("view-1", [Role.PRACTICE_VIEWER], [TENANT]))
        viewer_take = await http.post(f"/api/claims/{claim_id}/take", json={},
                                      headers=auth_headers("view-1", [Role.PRACTICE_VIEWER], [TENANT]))
        viewer_elsewhere = auth_headers("view-2", [Role.PRACTICE_VIEWER], ["other-clinic"])
        foreign_list = await http.get("/api/claims/queue", headers=viewer_elsewhere)
        foreign_get = await http.get(f"/api/claims/{claim_id}", headers=viewer_elsewhere)
        foreign_biller = await http.post(f"/api/claims/{claim_id}/take", json={},
                                         headers=auth_headers("biller-x", [Role.BILLER], ["other-clinic"]))
        docs = await http.get("/api/openapi.json")
    assert (anonymous.status_code, untrusted.status_code, docs.status_code) == (401, 401, 401)
    assert coder.status_code == 403
    assert [item["id"] for item in viewer_here.json()["items"]] == [claim_id]
    assert viewer_take.status_code == 403  # a practice viewer only reads
    assert foreign_list.json()["items"] == []
    assert (foreign_get.status_code, foreign_biller.status_code) == (403, 403)


async def test_of_two_billers_taking_one_claim_at_once_one_gets_it_and_the_other_a_409(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running():
        claim_id = await _scrub_failed(runtime, kafka)
        answers = await asyncio.gather(http.post(f"/api/claims/{claim_id}/take", json={}, headers=BILLER),
                                       http.post(f"/api/claims/{claim_id}/take", json={}, headers=OTHER_BILLER))
        stored = await runtime.db["claims"].find_one({"_id": claim_id})
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    winner = next(answer for answer in answers if answer.status_code == 200).json()["assignee"]
    loser = next(answer for answer in answers if answer.status_code == 409).json()
    assert stored["assignee"] == winner
    assert loser["error"] == "TAKEN_BY_SOMEONE_ELSE"


async def test_a_correction_on_a_stale_revision_is_refused(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running():
        claim_id = await _scrub_failed(runtime, kafka)
        taken = (await http.post(f"/api/claims/{claim_id}/take", json={}, headers=BILLER)).json()
        first = await http.post(f"/api/claims/{claim_id}/correct", headers=BILLER, json={
            "revision": taken["revision"], "edits": {"place_of_service": "22"}})
        stale = await http.post(f"/api/claims/{claim_id}/correct", headers=BILLER, json={
            "revision": taken["revision"], "edits": {"diagnoses": ["I10", "E119"]}})
    assert first.status_code == 200
    assert (stale.status_code, stale.json()["error"]) == (409, "STALE_REVISION")


async def test_a_retried_correction_is_applied_once(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running():
        claim_id = await _scrub_failed(runtime, kafka)
        await http.post(f"/api/claims/{claim_id}/take", json={}, headers=BILLER)
        body = {"request_id": _request_id(), "edits": {"lines": [{"line_number": 1, "modifiers": ["25"]}]}}
        first = await http.post(f"/api/claims/{claim_id}/correct", json=body, headers=BILLER)
        again = await http.post(f"/api/claims/{claim_id}/correct", json=body, headers=BILLER)
        await http.get(f"/api/claims/{claim_id}", headers=BILLER)
        await eventually(lambda: _outbox_empty(runtime))
        audits = [a.payload for a in await kafka.read(topics.AUDIT)]
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["revision"] == again.json()["revision"]
    assert again.json()["lines"][0]["modifiers"] == ["25"]
    assert [(a.actor, a.action) for a in audits] == [("biller-a", "CLAIM_TAKE"), ("biller-a", "CLAIM_CORRECT"),
                                                     ("biller-a", "CLAIM_READ")]


async def test_a_scrub_failure_corrected_through_the_api_is_sent_in_a_batch(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running():
        claim_id = await _scrub_failed(runtime, kafka)
        listed = (await http.get("/api/claims/queue?reason=DXP-003", headers=BILLER)).json()["items"]
        await http.post(f"/api/claims/{claim_id}/take", json={}, headers=BILLER)
        corrected = await http.post(f"/api/claims/{claim_id}/correct", headers=BILLER,
                                    json={"edits": {"diagnoses": ["I10", "E119"]}})
        submitted = await http.post(f"/api/claims/{claim_id}/submit", json={}, headers=BILLER)
        await eventually(lambda: _outbox_empty(runtime))
        batches = [b.payload for b in await kafka.read(topics.CLAIM_BATCH_SUBMITTED)]
        statuses = [c.payload.status for c in await kafka.read(topics.CLAIM_STATUS_CHANGED)]
        queue_after = (await http.get("/api/claims/queue", headers=BILLER)).json()["items"]
    assert [item["id"] for item in listed] == [claim_id]
    assert "DXP-003" in {finding["rule"] for finding in listed[0]["findings"]}
    assert corrected.json()["changed"] == ["diagnoses"]
    assert (submitted.json()["status"], submitted.json()["assignee"]) == ("submitted", None)
    assert [c.claim_id for b in batches for c in b.claims] == [claim_id]
    assert statuses == [ClaimStatus.CREATED, ClaimStatus.SCRUB_FAILED, ClaimStatus.CORRECTED, ClaimStatus.SCRUBBED,
                        ClaimStatus.SUBMITTED]
    assert queue_after == []


async def _outbox_empty(runtime) -> bool:
    return await runtime.db["outbox"].count_documents({}) == 0
