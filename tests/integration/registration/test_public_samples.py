"""The feeds over real listeners answer AA (MLLP) and 2xx (FHIR) to every public sample in
tests/samples/ (messages written by others, see SOURCES.md)."""

from __future__ import annotations

import json

import httpx

from services.registration.app import build_runtime
from services.registration.facilities import Facility
from services.registration.hl7.mapping import read_header
from services.registration.settings import RegistrationSettings
from shared.events import Provider
from tests.integration.registration.mllp_client import MllpClient, msa
from tests.support.ports import shifted
from tests.unit.ehr.test_public_samples import FHIR, HL7

PORT = shifted(18741)
TOKEN = "samples-token-not-a-secret"
BILLING = Provider(npi="1245319599", name="SAMPLE PRACTICE", tax_id="123456789")


def sample_settings(settings) -> RegistrationSettings:
    texts = [p.read_text(encoding="utf-8") for p in HL7]
    facilities = {read_header(t).sending_facility or "SAMPLES": Facility(tenant_id="samples", billing=BILLING)
                  for t in texts} | {"SAMPLES": Facility(tenant_id="samples", billing=BILLING)}
    return RegistrationSettings(**dict(settings), registration_mllp_port=0, registration_fhir_port=PORT,
                                registration_feed_facilities=facilities, registration_fhir_clients={"SAMPLES": TOKEN},
                                registration_mllp_plaintext=True)  # samples name many facilities; TLS is tested elsewhere


async def test_every_public_sample_is_acknowledged_by_the_feeds(settings) -> None:
    runtime = build_runtime(sample_settings(settings))
    async with runtime.running():
        client = await MllpClient.connect(runtime.mllp.port)
        answers = {p.name: msa(await client.send(p.read_text(encoding="utf-8")))[0] for p in HL7}
        await client.close()
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/fhir+json"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30) as http:
            statuses = {p.name: (await http.post("/fhir", content=p.read_bytes())).status_code
                        if json.loads(p.read_bytes())["resourceType"] == "Bundle"
                        else (await http.post(f"/fhir/{json.loads(p.read_bytes())['resourceType']}",
                                              content=p.read_bytes())).status_code for p in FHIR}
        held = await runtime.db["work_items"].count_documents({"tenant_id": "samples", "status": "open"})
    assert answers == {p.name: "AA" for p in HL7}
    assert {name: status for name, status in statuses.items() if not 200 <= status < 300} == {}
    assert held > 0  # the samples lack what billing needs (no crosswalk, no CPT codes ...): held, not refused
