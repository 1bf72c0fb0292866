"""Generated hostile input through the real listeners (mutual-TLS MLLP, FHIR over HTTP), with good
messages between them: every message gets an answer, the good ones are all stored, and nothing
is stored for a refused one. The bulk of generated input runs at the mapping level
(tests/unit/hostile/test_generated_inputs.py); this is the same kind of input over the sockets."""

from __future__ import annotations

import json
import random

import httpx

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared.ids import encounter_id_for
from tests.integration.registration.mllp_client import MllpClient
from tests.support.feed_tls import client_tls, mllp_tls_settings
from tests.support.ports import shifted
from tests.unit.ehr.samples import FACILITIES, FHIR_TOKEN, TENANT, a04, fhir_bundle
from tests.unit.hostile.strategies import mutated_fhir, mutated_hl7

PORT = shifted(18751)
HOSTILE, GOOD_EVERY = 240, 12
AUTH = {"Authorization": f"Bearer {FHIR_TOKEN}", "Content-Type": "application/fhir+json"}


async def test_generated_messages_over_mllp_each_get_an_ack_and_the_good_ones_around_them_are_stored(settings) -> None:
    rng = random.Random(20261101)
    runtime = build_runtime(RegistrationSettings(**dict(settings), registration_mllp_port=0,
                                                 registration_feed_facilities=FACILITIES, **mllp_tls_settings()))
    answers: dict[str, str] = {}
    async with runtime.running():
        client = await MllpClient.connect(runtime.mllp.port, tls=client_tls("TESTFAC"))
        for n in range(HOSTILE):
            if n % GOOD_EVERY == 0:
                reply = await client.send(a04(f"G{n}", mrn=f"9{n}", visit=f"VG{n}"), timeout=10)
                answers[f"G{n}"] = str(reply["MSA.F1"])
            reply = await client.send(mutated_hl7(rng, f"M{n}"), timeout=10)
            answers[f"M{n}"] = str(reply["MSA.F1"])
        await client.close()
        drafts = set(await runtime.db["visit_drafts"].distinct("_id"))
        stored = await runtime.db["feed_messages"].count_documents({})
        audited = await runtime.db["feed_audit"].count_documents({"answer": "AA"})
    good = [c for c in answers if c.startswith("G")]
    assert len(answers) == HOSTILE + len(good) and set(answers.values()) <= {"AA", "AE", "AR"}
    assert all(answers[c] == "AA" for c in good)
    assert {encounter_id_for(TENANT, f"V{c}") for c in good} <= drafts
    accepted = sum(code == "AA" for code in answers.values())
    assert stored == audited == accepted  # one key per acknowledged message, none for a refused one
    assert accepted < len(answers)  # the generated input was hostile enough to be refused at times


async def test_generated_bodies_over_http_each_get_200_or_4xx_and_the_good_ones_are_stored(settings) -> None:
    rng = random.Random(20261102)
    runtime = build_runtime(RegistrationSettings(**dict(settings), registration_fhir_port=PORT,
                                                 registration_feed_facilities=FACILITIES,
                                                 registration_fhir_clients={"TESTFAC": FHIR_TOKEN}))
    statuses: dict[str, int] = {}
    async with runtime.running():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=AUTH, timeout=10) as http:
            for n in range(HOSTILE // 2):
                if n % GOOD_EVERY == 0:
                    good = await http.post("/fhir", content=json.dumps(fhir_bundle(f"FG{n}", mrn=f"FG{n}", bundle_id=f"g{n}")))
                    statuses[f"g{n}"] = good.status_code
                answer = await http.post("/fhir", content=mutated_fhir(rng, f"m{n}"))
                assert answer.headers["content-type"].startswith("application/fhir+json")
                statuses[f"m{n}"] = answer.status_code
        drafts = set(await runtime.db["visit_drafts"].distinct("_id"))
    assert all(status == 200 or 400 <= status < 500 for status in statuses.values()), statuses
    assert all(statuses[k] == 200 for k in statuses if k.startswith("g"))
    assert {encounter_id_for(TENANT, f"FG{k[1:]}") for k in statuses if k.startswith("g")} <= drafts
    assert any(400 <= status < 500 for status in statuses.values())
