"""Hostile input against the real FHIR endpoint (uvicorn), the real broker and mongod: every
refusal is a 4xx with an OperationOutcome, quickly, and the good requests around it go on."""

from __future__ import annotations

import asyncio
import json

import httpx

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from tests.support.ports import shifted
from tests.unit.ehr.samples import FACILITIES, FHIR_TOKEN, fhir_bundle, fhir_patient

PORT = shifted(18741)
AUTH = {"Authorization": f"Bearer {FHIR_TOKEN}", "Content-Type": "application/fhir+json"}
ANSWER_SECONDS = 10.0


def fhir_settings(settings, **more) -> RegistrationSettings:
    return RegistrationSettings(**dict(settings), registration_fhir_port=PORT, registration_feed_facilities=FACILITIES,
                                registration_fhir_clients={"TESTFAC": FHIR_TOKEN}, **more)


async def raw_request(head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send `head` (and `body`) on a fresh connection; the status and the rest of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    try:
        writer.write(head + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), ANSWER_SECONDS)
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]), answer


async def test_a_60_mb_post_is_a_quick_413_and_a_streamed_one_too(settings) -> None:
    runtime = build_runtime(fhir_settings(settings))
    async with runtime.running():
        declared, answer = await raw_request(
            b"POST /fhir HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + FHIR_TOKEN.encode() +
            b"\r\ncontent-type: application/fhir+json\r\ncontent-length: 62914560\r\n\r\n", b"{" * 1000)

        async def chunks():
            for _ in range(40):  # 40 x 64 KiB, no Content-Length (chunked)
                yield b" " * 65536

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH, timeout=ANSWER_SECONDS) as http:
            streamed = await http.post("/fhir", content=chunks())
            crowded = fhir_bundle("FC1", bundle_id="crowded")
            crowded["entry"] += [crowded["entry"][3]] * 600  # small, but 600 entries to validate
            too_many = await http.post("/fhir", content=json.dumps(crowded))
            good = await http.post("/fhir", content=json.dumps(fhir_bundle()))
        stored = await runtime.db["feed_messages"].count_documents({})
    assert declared == 413 and b"OperationOutcome" in answer
    assert streamed.status_code == 413 and streamed.json()["issue"][0]["code"] == "too-costly"
    assert too_many.status_code == 413 and too_many.json()["issue"][0]["expression"] == ["Bundle.entry"]
    assert good.status_code == 200 and stored == 1


async def test_unbounded_json_and_unmappable_resources_are_4xx_with_a_reason(settings, kafka) -> None:
    coverage_subject = fhir_bundle("FH3", bundle_id="h3")
    encounter = next(e["resource"] for e in coverage_subject["entry"] if e["resource"]["resourceType"] == "Encounter")
    encounter["subject"] = {"reference": "Coverage/c1"}
    leap = fhir_bundle("FH4", bundle_id="h4")
    leap["meta"] = {"lastUpdated": "2016-12-31T23:59:60Z"}
    hostile = {
        "deep": b'{"resourceType":"Patient","extension":' + b"[" * 1500 + b"]" * 1500 + b"}",
        "digits": json.dumps(fhir_patient("FH1")).replace('"gender"', '"x":' + "9" * 5000 + ',"gender"').encode(),
        "nan": json.dumps(fhir_patient("FH2")).replace('"gender"', '"x":NaN,"gender"').encode(),
        "subject": json.dumps(coverage_subject).encode(),
        "leap": json.dumps(leap).encode(),
        "not_json": b"\xff\xfe{",
        "meta_list": json.dumps({**fhir_patient("FH5"), "meta": []}).encode(),
    }
    runtime = build_runtime(fhir_settings(settings))
    async with runtime.running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH, timeout=ANSWER_SECONDS) as http:
            answers = {name: await http.post("/fhir", content=body) for name, body in hostile.items()}
            good = await http.post("/fhir", content=json.dumps(fhir_bundle("FH9")))
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        stored = await runtime.db["feed_messages"].count_documents({})
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert all(400 <= status < 500 for status in statuses.values()), statuses
    assert statuses["deep"] == statuses["digits"] == statuses["nan"] == statuses["not_json"] == 400
    assert all(a.json()["resourceType"] == "OperationOutcome" and a.json()["issue"][0]["diagnostics"]
               for a in answers.values())
    assert good.status_code == 200 and [r.payload.visit.visit_number for r in registered] == ["FH9"]
    assert stored == 1


async def test_idle_and_slow_connections_are_answered_408_and_closed(settings) -> None:
    runtime = build_runtime(fhir_settings(settings, registration_fhir_read_seconds=1.0))
    async with runtime.running():
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)  # says nothing
        idle = await asyncio.wait_for(reader.read(), ANSWER_SECONDS)
        writer.close()
        slow, answer = await raw_request(b"POST /fhir HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                                         + FHIR_TOKEN.encode() + b"\r\ncontent-length: 5000\r\n\r\n", b"{")
    assert idle.startswith(b"HTTP/1.1 408")
    assert slow == 408 and b"OperationOutcome" in answer


async def test_the_tenant_is_the_tokens_and_every_write_is_audited_with_its_client(settings, kafka) -> None:
    runtime = build_runtime(fhir_settings(settings))
    async with runtime.running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH, timeout=ANSWER_SECONDS) as http:
            patient_only = await http.post("/fhir/Patient", content=json.dumps(fhir_patient("FMRN77")))
        audit = await runtime.db["feed_audit"].find({}, {"_id": 0}).to_list()
        keys = await runtime.db["feed_messages"].distinct("_id")
    assert patient_only.status_code == 200
    assert [(a["tenant_id"], a["sender"]["identity"], a["sender"]["origin"]) for a in audit] == [
        (FACILITIES["TESTFAC"].tenant_id, "TESTFAC", "fhir.http")]
    assert audit[0]["sender"]["peer"].startswith("127.0.0.1:")
    assert len(keys) == 1 and "FMRN77" not in keys[0] and "FMRN77" not in str(audit)  # keys are keyed hashes
