"""The coding review queue against the real broker and mongod, worked through coding's API: a note
that contradicts the principal diagnosis holds the encounter (setting "hold"), a coder's decision
releases it as EncounterCoded with a CodingReviewDecided for the dashboard, and QA figures follow
the decisions. Roles, tenants, concurrency and retries: test_review_api.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from services.coding.app import build_runtime
from services.coding.chargemaster import OverlappingChargemasterEntry
from services.coding.decisions import decision_records, held_encounters
from services.coding.repository import CodingRepository
from services.coding.review import coder_qa
from services.coding.settings import CodingSettings
from shared import topics
from shared.auth import Role
from tests.support.identity import auth_headers
from tests.support.builders import TENANT, a_chargemaster_entry, a_registered_encounter, a_registered_event, \
    a_registration_request
from tests.support.kafka import eventually
from tests.unit.coding.builders import an_entry

ANN = auth_headers("cdr.ann", [Role.CODER], [TENANT])
BO = auth_headers("cdr.bo", [Role.CODER], [TENANT])
HYPERTENSION_NOTE = "Synthetic note for a test visit. Assessment: essential hypertension. Plan: recheck in two weeks."
DECIDED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _http(runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.asgi_app()), base_url="http://coding")


def _hold_settings(settings) -> CodingSettings:
    return CodingSettings(**{**settings.model_dump(), "coding_review_on_disagreement": "hold"})


def _encounter_with_note(diagnoses: tuple[str, ...], note: str = HYPERTENSION_NOTE):
    registered = a_registered_encounter(a_registration_request(diagnoses=diagnoses))
    return a_registered_event(registered.model_copy(update={"note": note}))


async def test_a_contradicted_diagnosis_is_held_and_a_coders_decision_releases_it_to_claims(settings, kafka) -> None:
    contradicted = _encounter_with_note(("J45909",))
    supported = _encounter_with_note(("I10",))
    runtime = build_runtime(_hold_settings(settings))
    async with _http(runtime) as http, runtime.running():
        await CodingRepository(runtime.db, runtime.cipher).load_chargemaster(TENANT, (a_chargemaster_entry("99213"),))
        await kafka.publish(topics.ENCOUNTER_REGISTERED, contradicted, supported)
        held = await _encounter(runtime, contradicted.payload.encounter_id, "held")
        coded = await _encounter(runtime, supported.payload.encounter_id, "coded")
        queue = await held_encounters(runtime.db)
        listed = (await http.get("/api/review", headers=ANN)).json()["items"]
        opened = (await http.get(f"/api/review/{contradicted.payload.encounter_id}", headers=ANN)).json()

        response = await http.post(f"/api/review/{contradicted.payload.encounter_id}/decide", headers=ANN,
                                   json={"decision": "accept"})
        released = await _encounter(runtime, contradicted.payload.encounter_id, "coded")
        coded_events = await kafka.wait_for(topics.ENCOUNTER_CODED, lambda events: len(events) >= 2)
        decisions = await kafka.read(topics.CODING_REVIEW_DECIDED)
        again = await http.post(f"/api/review/{contradicted.payload.encounter_id}/decide", headers=BO,
                                json={"decision": "keep"})
        figures = coder_qa(await decision_records(runtime.db))
        audits = await kafka.read(topics.AUDIT)
        decided = decisions[0].payload

    assert [f["code"] for f in held["findings"]] == ["NOTE_DISAGREES_WITH_DIAGNOSIS"]
    assert held["suggestions"][0]["code"] == "I10" and held["suggestions"][0]["confidence"] >= 0.6
    assert "hypertension" not in str(held["findings"]) + str(held["suggestions"])  # codes, never note text
    assert coded["suggestions"][0]["code"] == "I10" and coded["warnings"] == []
    assert [row["_id"] for row in queue] == [contradicted.payload.encounter_id]
    assert [item["encounter_id"] for item in listed] == [contradicted.payload.encounter_id]
    assert opened["note"] == HYPERTENSION_NOTE and opened["diagnoses"] == ["J45909"]
    assert response.status_code == 200 and response.json()["status"] == "coded"
    assert (again.status_code, again.json()["error"]) == (404, "NOT_IN_REVIEW_QUEUE")
    assert [(a.payload.actor, a.payload.action, a.payload.read) for a in audits] == [
        ("cdr.ann", "CODING_NOTE_READ", True), ("cdr.ann", "CODING_REVIEW_DECIDED_ACCEPT", False)]
    assert "registered" not in queue[0] and "registered" not in released  # the sealed PHI leaves with the decision

    by_encounter = {event.payload.encounter_id: event for event in coded_events}
    assert by_encounter[contradicted.payload.encounter_id].payload.diagnoses == ("I10",)
    assert by_encounter[contradicted.payload.encounter_id].tenant_id == TENANT
    assert len(decisions) == 1 and decided.coder == "cdr.ann"
    assert decided.agreed_with_suggestion and decided.corrected and decided.diagnoses == ("I10",)
    assert decided.finding_codes == ("NOTE_DISAGREES_WITH_DIAGNOSIS",)
    assert [(f.coder, f.decisions, f.agreed, f.corrections) for f in figures] == [("cdr.ann", 1, 1, 1)]


async def test_a_chargemaster_load_overlapping_stored_prices_loads_nothing(settings) -> None:
    runtime = build_runtime(settings)
    async with runtime.running():
        repository = CodingRepository(runtime.db, runtime.cipher)
        await repository.load_chargemaster(TENANT, (an_entry("99213", "125.00", effective_from=date(2026, 1, 1),
                                                             effective_to=date(2026, 6, 30)),))
        with pytest.raises(OverlappingChargemasterEntry):
            await repository.load_chargemaster(TENANT, (
                an_entry("36415", "15.50", effective_from=date(2026, 1, 1)),
                an_entry("99213", "130.00", effective_from=date(2026, 6, 1)),
            ))
        await repository.load_chargemaster(TENANT, (an_entry("99213", "130.00", effective_from=date(2026, 7, 1)),))
        stored = await runtime.db["chargemaster"].find({}, {"_id": 0, "procedure_code": 1, "effective_from": 1}).to_list()

    assert sorted((s["procedure_code"], s["effective_from"]) for s in stored) == [
        ("99213", "2026-01-01"), ("99213", "2026-07-01")]


async def _encounter(runtime, encounter_id: str, status: str) -> dict:
    found = await eventually(lambda: runtime.db["encounters"].find_one({"_id": encounter_id, "status": status}))
    await eventually(lambda: _outbox_empty(runtime))
    return found


async def _outbox_empty(runtime) -> bool:
    return await runtime.db["outbox"].count_documents({}) == 0


async def test_a_decision_that_leaves_an_edit_failing_is_refused_and_the_encounter_stays_held(settings, kafka) -> None:
    unpriced = _encounter_with_note(("I10",))
    runtime = build_runtime(settings)
    async with _http(runtime) as http, runtime.running():
        await kafka.publish(topics.ENCOUNTER_REGISTERED, unpriced)  # no chargemaster at all
        await _encounter(runtime, unpriced.payload.encounter_id, "held")
        refused = await http.post(f"/api/review/{unpriced.payload.encounter_id}/decide", headers=ANN,
                                  json={"decision": "keep"})
        no_codes = await http.post(f"/api/review/{unpriced.payload.encounter_id}/decide", headers=ANN,
                                   json={"decision": "codes"})
        still = await runtime.db["encounters"].find_one({"_id": unpriced.payload.encounter_id})
        recorded = await decision_records(runtime.db)
        outbox = await runtime.db["outbox"].count_documents({})

    assert (refused.status_code, refused.json()["error"]) == (422, "CODING_DECISION_REFUSED")
    assert "CHARGEMASTER_MISSING" in refused.json()["message"]
    assert (no_codes.status_code, no_codes.json()["error"]) == (422, "CODING_DECISION_INVALID")
    assert still["status"] == "held" and "registered" in still and "version" not in still
    assert recorded == [] and outbox == 0
