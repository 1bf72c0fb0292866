"""Who may do what through the denials API, against the real broker and mongod: 401 without a valid
token, 403 for a role or tenant outside the token's scope, a practice viewer reads only its own
tenant, a retried action is applied once, a stale version is refused, and reads are audited."""

from __future__ import annotations

import httpx
import pytest

from services.denials.app import build_runtime
from services.denials.settings import DenialsSettings
from shared import topics
from shared.auth import Role
from tests.support.builders import TENANT, a_claim_denied, an_event
from tests.support.identity import auth_headers, issue_token
from tests.support.kafka import eventually

OTHER = "other-clinic"
SPECIALIST = auth_headers("jdoe", [Role.DENIAL_SPECIALIST], [TENANT])


@pytest.fixture
def runtime(settings):
    return build_runtime(DenialsSettings(**settings.model_dump()))


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://denials")


async def _recorded(runtime, *denial_ids: str) -> None:
    async def stored() -> bool:
        return await runtime.db["denials"].count_documents({"_id": {"$in": list(denial_ids)}}) == len(denial_ids)

    await eventually(stored)


async def _outbox_empty(runtime) -> bool:
    return await runtime.db["outbox"].count_documents({}) == 0


async def _two_tenants(runtime, kafka):
    ours, theirs = a_claim_denied("50", amount="300.00"), a_claim_denied("50", amount="900.00")
    await kafka.publish(topics.CLAIM_DENIED, an_event(topics.CLAIM_DENIED, ours, correlation_id=ours.encounter_id),
                        an_event(topics.CLAIM_DENIED, theirs, correlation_id=theirs.encounter_id, tenant_id=OTHER))
    await _recorded(runtime, ours.denial_id, theirs.denial_id)
    await eventually(lambda: _outbox_empty(runtime))
    return ours.denial_id, theirs.denial_id


async def test_without_a_valid_token_every_endpoint_answers_401_and_writes_nothing(runtime, kafka) -> None:
    async with _http(runtime) as http, runtime.running():
        ours, _ = await _two_tenants(runtime, kafka)
        answers = []
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic amRvZTpwdw=="},
                        {"Authorization": "Bearer " + issue_token("jdoe", [Role.ADMIN], ["*"], untrusted_key=True)},
                        {"Authorization": "Bearer " + issue_token("jdoe", [Role.ADMIN], ["*"], expires_in=-300)}):
            for method, path in (("GET", "/api/work-items"), ("GET", f"/api/work-items/{ours}/letter"),
                                 ("POST", f"/api/work-items/{ours}/take"), ("GET", "/api/trends"),
                                 ("GET", "/api/docs"), ("GET", "/api/openapi.json")):
                response = await http.request(method, path, headers=headers, json={})
                answers.append((response.status_code, response.headers.get("www-authenticate")))
        outbox = await runtime.db["outbox"].count_documents({})
        stored = await runtime.db["denials"].find_one({"_id": ours})
    assert set(answers) == {(401, "Bearer")}
    assert outbox == 0 and stored["status"] == "open" and "version" not in stored


async def test_a_practice_viewer_of_one_tenant_sees_nothing_of_another_and_changes_nothing(runtime, kafka) -> None:
    viewer = auth_headers("pat.viewer", [Role.PRACTICE_VIEWER], [TENANT])
    async with _http(runtime) as http, runtime.running():
        ours, theirs = await _two_tenants(runtime, kafka)
        listed = (await http.get("/api/work-items", headers=viewer)).json()["items"]
        trends = (await http.get("/api/trends", headers=viewer)).json()
        own = await http.get(f"/api/work-items/{ours}", headers=viewer)
        foreign = await http.get(f"/api/work-items/{theirs}", headers=viewer)
        foreign_letter = await http.get(f"/api/work-items/{theirs}/letter", headers=viewer)
        take = await http.post(f"/api/work-items/{ours}/take", headers=viewer, json={})
        admin_listed = (await http.get("/api/work-items", headers=auth_headers("root", [Role.ADMIN], ["*"]))).json()
        stored = await runtime.db["denials"].find_one({"_id": ours})
    assert [(item["id"], item["tenant_id"]) for item in listed] == [(ours, TENANT)]
    assert trends["denials"] == 1 and trends["category"]["MEDICAL_NECESSITY"]["amount"] == "300.00"
    assert own.status_code == 200 and own.json()["version"] == 0
    assert (foreign.status_code, foreign_letter.status_code, take.status_code) == (403, 403, 403)
    assert {item["id"] for item in admin_listed["items"]} == {ours, theirs}
    assert stored["status"] == "open"


async def test_a_specialist_cannot_act_on_another_tenants_item_and_a_coder_cannot_write_off(runtime, kafka) -> None:
    coder = auth_headers("cody", [Role.CODER], [TENANT])
    async with _http(runtime) as http, runtime.running():
        ours, theirs = await _two_tenants(runtime, kafka)
        foreign = await http.post(f"/api/work-items/{theirs}/resolve", headers=SPECIALIST,
                                  json={"action": "write_off", "reason": "SMALL_BALANCE"})
        write_off = await http.post(f"/api/work-items/{ours}/resolve", headers=coder,
                                    json={"action": "write_off", "reason": "SMALL_BALANCE"})
        coder_reads = await http.get("/api/work-items", headers=coder)
        outbox = await runtime.db["outbox"].count_documents({})
        statuses = {doc["_id"]: doc["status"] async for doc in runtime.db["denials"].find({})}
    assert (foreign.status_code, foreign.json()["error"]) == (403, "FORBIDDEN")
    assert (write_off.status_code, coder_reads.status_code) == (403, 403)
    assert outbox == 0 and statuses == {ours: "open", theirs: "open"}


async def test_a_retried_action_is_applied_once_and_answers_the_same(runtime, kafka) -> None:
    retry = {**SPECIALIST, "Idempotency-Key": "resolve-7f3a"}
    async with _http(runtime) as http, runtime.running():
        ours, _ = await _two_tenants(runtime, kafka)
        body = {"action": "write_off", "reason": "SMALL_BALANCE"}
        first = await http.post(f"/api/work-items/{ours}/resolve", headers=retry, json=body)
        second = await http.post(f"/api/work-items/{ours}/resolve", headers=retry, json=body)
        reused = await http.post(f"/api/work-items/{ours}/take", headers=retry, json={})
        await eventually(lambda: _outbox_empty(runtime))
        worked = [event for event in await kafka.read(topics.DENIAL_WORKED) if event.payload.by_person]
        audits = await kafka.read(topics.AUDIT)
        stored = await runtime.db["denials"].find_one({"_id": ours})
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert first.json()["version"] == 1 and stored["version"] == 1
    assert (reused.status_code, reused.json()["error"]) == (422, "REQUEST_ID_REUSED")
    assert [(event.payload.denial_id, event.payload.action) for event in worked] == [(ours, "write_off")]
    assert [(a.payload.actor, a.payload.action, a.payload.request_id, a.tenant_id) for a in audits] == [
        ("jdoe", "WORK_ITEM_RESOLVED_WRITE_OFF", "resolve-7f3a", TENANT)]


async def test_an_action_on_a_stale_version_is_refused_with_409(runtime, kafka) -> None:
    other = auth_headers("asmith", [Role.SUPERVISOR], [TENANT])
    async with _http(runtime) as http, runtime.running():
        ours, _ = await _two_tenants(runtime, kafka)
        seen = (await http.get(f"/api/work-items/{ours}", headers=SPECIALIST)).json()["version"]
        taken = await http.post(f"/api/work-items/{ours}/take", headers=other, json={"expected_version": seen})
        stale = await http.post(f"/api/work-items/{ours}/resolve", headers=SPECIALIST,
                                json={"action": "appeal", "expected_version": seen})
        stored = await runtime.db["denials"].find_one({"_id": ours})
    assert taken.status_code == 200 and (stale.status_code, stale.json()["error"]) == (409, "STALE_VERSION")
    assert (stored["status"], stored["assignee"], stored["version"]) == ("taken", "asmith", 1)


async def test_reading_a_letter_is_audited_with_who_which_tenant_and_from_where(runtime, kafka) -> None:
    async with _http(runtime) as http, runtime.running():
        ours, _ = await _two_tenants(runtime, kafka)
        letter = await http.get(f"/api/work-items/{ours}/letter",
                                headers={**SPECIALIST, "X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
        await eventually(lambda: _outbox_empty(runtime))
        audits = await kafka.read(topics.AUDIT)
    assert letter.status_code == 200
    assert [(a.payload.actor, a.payload.action, a.payload.subject_id, a.payload.tenant_id, a.payload.source,
             a.payload.read, a.payload.service) for a in audits] == [
        ("jdoe", "APPEAL_LETTER_READ", ours, TENANT, "203.0.113.9", True, "denials")]
