"""The eligibility review API against the real broker and mongod, with the simulated payer answering
270s: a person corrects an inactive member id and asks again, and the encounter goes on to coding;
tokens, roles and tenants; two people taking one item; a retried action applied once."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.auth import Role
from shared.runtime import ServiceRuntime
from simulator import eligibility as payer
from tests.support.builders import TENANT, a_registration_event, a_registration_request
from tests.support.identity import auth_headers, auth_settings
from tests.support.kafka import eventually

ACTIVE = next(f"SIMMEMBER{n:04d}" for n in range(1000) if payer.coverage_active(f"SIMMEMBER{n:04d}"))
INACTIVE = next(f"SIMMEMBER{n:04d}" for n in range(1000) if not payer.coverage_active(f"SIMMEMBER{n:04d}"))
ACCOUNTS = auth_headers("pa-1", [Role.PATIENT_ACCOUNTS], [TENANT])
OTHER = auth_headers("pa-2", [Role.PATIENT_ACCOUNTS], [TENANT])


def _runtime(settings, tmp_path):
    return build_runtime(RegistrationSettings(**{
        **dict(settings), **auth_settings(tmp_path), "registration_verify_eligibility": True,
        "registration_eligibility_timeout_seconds": 20.0, "registration_eligibility_poll_seconds": 0.2}))


def _payer(settings) -> ServiceRuntime:
    runtime = ServiceRuntime("simulator", settings)
    payer.subscribe(runtime)
    return runtime


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://registration")


async def _held(runtime, kafka) -> str:
    event = a_registration_event(a_registration_request(member_id=INACTIVE))
    await kafka.publish(topics.REGISTRATION_REQUESTED, event)

    async def held():
        return await runtime.db["eligibility_queue"].find_one({"_id": event.correlation_id})
    await eventually(held)
    return event.correlation_id


async def test_a_corrected_member_id_verified_again_sends_the_encounter_on_to_coding(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running(), _payer(settings).running():
        encounter_id = await _held(runtime, kafka)
        listed = (await http.get("/api/eligibility/queue", headers=ACCOUNTS)).json()["items"]
        await http.post(f"/api/eligibility/{encounter_id}/take", json={}, headers=ACCOUNTS)
        corrected = await http.post(f"/api/eligibility/{encounter_id}/coverage", headers=ACCOUNTS,
                                    json={"coverage": {"member_id": ACTIVE}})
        asked = await http.post(f"/api/eligibility/{encounter_id}/reverify", json={}, headers=ACCOUNTS)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        item = (await http.get(f"/api/eligibility/{encounter_id}", headers=ACCOUNTS)).json()
        inquiries = await kafka.read(topics.ELIGIBILITY_REQUESTED)
    assert [(row["encounter_id"], row["reason_code"]) for row in listed] == [(encounter_id, "COVERAGE_INACTIVE")]
    assert (corrected.status_code, asked.status_code, asked.json()["state"]) == (200, 200, "verifying")
    assert [e.correlation_id for e in registered] == [encounter_id]
    assert registered[0].payload.coverages[0].member_id == ACTIVE
    assert len(inquiries) == 2  # the first 270, and the person's
    assert item["state"] == "released"


async def test_roles_tenants_and_tokens_are_enforced(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running(), _payer(settings).running():
        encounter_id = await _held(runtime, kafka)
        anonymous = await http.get("/api/eligibility/queue")
        coder = await http.post(f"/api/eligibility/{encounter_id}/take", json={},
                                headers=auth_headers("coder-1", [Role.CODER], [TENANT]))
        viewer = await http.post(f"/api/eligibility/{encounter_id}/take", json={},
                                 headers=auth_headers("view-1", [Role.PRACTICE_VIEWER], [TENANT]))
        elsewhere = auth_headers("view-2", [Role.PRACTICE_VIEWER], ["other-clinic"])
        foreign_list = (await http.get("/api/eligibility/queue", headers=elsewhere)).json()["items"]
        foreign_get = await http.get(f"/api/eligibility/{encounter_id}", headers=elsewhere)
    assert (anonymous.status_code, coder.status_code, viewer.status_code, foreign_get.status_code) == (401, 403, 403, 403)
    assert foreign_list == []


async def test_two_people_take_one_item_and_a_retried_self_pay_is_applied_once(settings, kafka, tmp_path) -> None:
    runtime = _runtime(settings, tmp_path)
    async with _http(runtime) as http, runtime.running(), _payer(settings).running():
        encounter_id = await _held(runtime, kafka)
        takes = await asyncio.gather(http.post(f"/api/eligibility/{encounter_id}/take", json={}, headers=ACCOUNTS),
                                     http.post(f"/api/eligibility/{encounter_id}/take", json={}, headers=OTHER))
        winner = ACCOUNTS if takes[0].status_code == 200 else OTHER
        body = {"request_id": "req-" + uuid.uuid4().hex}
        first = await http.post(f"/api/eligibility/{encounter_id}/self-pay", json=body, headers=winner)
        again = await http.post(f"/api/eligibility/{encounter_id}/self-pay", json=body, headers=winner)
        encounter = await runtime.db["encounters"].find_one({"_id": encounter_id})

        async def audited():
            records = [a.payload.action for a in await kafka.read(topics.AUDIT)]
            return records if len(records) >= 2 else None
        audits = await eventually(audited)
    assert sorted(answer.status_code for answer in takes) == [200, 409]
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["revision"] == again.json()["revision"]
    assert first.json()["state"] == "self_pay" and encounter["status"] == "self_pay"
    assert sorted(audits) == ["ELIGIBILITY_SELF_PAY", "ELIGIBILITY_TAKE"]
