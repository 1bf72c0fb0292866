"""The FHIR R4 endpoint over real HTTP, against the real broker and mongod."""

from __future__ import annotations

import asyncio
import json

import httpx

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.ids import encounter_id_for
from tests.support.ports import shifted
from tests.unit.ehr.samples import FACILITIES, FHIR_TOKEN, TENANT, fhir_bundle, fhir_patient

PORT = shifted(18731)
DLQ = topics.dead_letter_topic("registration")
AUTH = {"Authorization": f"Bearer {FHIR_TOKEN}", "Content-Type": "application/fhir+json"}


def fhir_settings(settings) -> RegistrationSettings:
    return RegistrationSettings(**dict(settings), registration_fhir_port=PORT, registration_feed_facilities=FACILITIES,
                                registration_fhir_clients={"TESTFAC": FHIR_TOKEN})


async def test_without_valid_credentials_the_endpoint_answers_401(settings) -> None:
    async with build_runtime(fhir_settings(settings)).running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as http:
            anonymous = await http.post("/fhir", json=fhir_bundle())
            wrong = await http.post("/fhir", json=fhir_bundle(), headers={"Authorization": "Bearer nope"})
    assert anonymous.status_code == 401 and wrong.status_code == 401
    assert anonymous.json()["resourceType"] == "OperationOutcome"


async def test_a_transaction_bundle_is_registered_once_even_if_posted_twice(settings, kafka) -> None:
    async with build_runtime(fhir_settings(settings)).running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH) as http:
            first = await http.post("/fhir", content=json.dumps(fhir_bundle()))
            again = await http.post("/fhir", content=json.dumps(fhir_bundle()))
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await asyncio.sleep(1.0)
        requested = await kafka.read(topics.REGISTRATION_REQUESTED)
    assert first.status_code == 200 and first.json()["type"] == "transaction-response"
    assert again.status_code == 200 and "duplicate" in json.dumps(again.json())
    assert len(requested) == 1 and requested[0].payload.source == "fhir"
    encounter = registered[0].payload
    assert encounter.encounter_id == encounter_id_for(TENANT, "FV1")
    assert [s.procedure_code for s in encounter.services] == ["99213", "87880"]


async def test_bad_input_gets_an_operation_outcome_and_a_dead_letter_and_good_input_still_goes(settings, kafka) -> None:
    async with build_runtime(fhir_settings(settings)).running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH) as http:
            invalid = await http.post("/fhir/Patient", content=json.dumps(fhir_patient(birthDate="19zz")))
            not_json = await http.post("/fhir", content=b"{not json Zzleak")
            unsupported = await http.post("/fhir", content=json.dumps({"resourceType": "Observation", "status": "final",
                                                                         "code": {"text": "x"}}))
            good = await http.post("/fhir", content=json.dumps(fhir_bundle("FV2", "F002")))
        letters = await kafka.wait_for(DLQ, lambda m: len(m) >= 3)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
    assert invalid.status_code == 422 and invalid.json()["issue"][0]["expression"] == ["Patient.birthDate"]
    assert not_json.status_code == 400 and unsupported.status_code == 400
    assert good.status_code == 200
    assert {l.payload.reason_code for l in letters} == {"INVALID_RESOURCE", "UNREADABLE", "UNSUPPORTED_RESOURCE"}
    assert all("Zz" not in l.payload.reason and "19zz" not in l.payload.reason for l in letters)
    assert [r.payload.visit.visit_number for r in registered] == ["FV2"]


async def test_a_patient_update_alone_is_accepted(settings) -> None:
    runtime = build_runtime(fhir_settings(settings))
    async with runtime.running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH) as http:
            response = await http.post("/fhir/Patient", content=json.dumps(fhir_patient("F777")))
        stored = await runtime.db["patients"].count_documents({"tenant_id": TENANT})
    assert response.status_code == 200 and response.json()["resourceType"] == "OperationOutcome"
    assert stored == 1
