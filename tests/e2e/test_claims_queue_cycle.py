"""End to end with every service as its own OS process: a biller works the claims queue through the
claims API, and the partners judge what comes back. Each outcome is proved with its money: what
payments posted for the claim equals what the simulated payer paid.

- a scrub failure corrected through the API is paid and posted;
- a claim the clearinghouse rejected (277CA, principal diagnosis) corrected is accepted and paid;
- a claim denied for a missing modifier (CO-4) corrected with the modifier is paid, and one
  corrected with another change is denied again.

The simulator is restarted between the cases with the partner behaviour each one needs.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from shared import topics
from shared.auth import Role
from shared.events import ClaimStatus, DocumentedService
from shared.mongo import connect
from tests.support.builders import TENANT, a_coded_encounter, a_coded_event, a_registration_request
from tests.support.fleet import platform_fleet
from tests.support.identity import auth_headers, service_environment
from tests.support.kafka import eventually

pytestmark = pytest.mark.e2e

BILLER = auth_headers("biller-e2e", [Role.BILLER], [TENANT], expires_in=3600)
CALM_PARTNERS = {"RCM_SIM_REJECT_RATE": "0", "RCM_SIM_DENY_RATE": "0", "RCM_SIM_PARTIAL_RATE": "0"}


@pytest.fixture(scope="module")
async def fleet(stack, tmp_path_factory):
    auth = service_environment(tmp_path_factory.mktemp("auth"))
    environment = {name: dict(auth) for name in ("claims", "payments", "denials", "coding", "registration")}
    environment["simulator"] = CALM_PARTNERS
    async with platform_fleet(stack, tmp_path_factory.mktemp("fleet"), port_offset=700,
                              service_environment=environment) as (fleet, settings, kafka):
        mongo = connect(settings.mongo_uri)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fleet.port('claims')}", headers=BILLER,
                                     timeout=30) as http:
            yield fleet, settings, kafka, mongo, http
        await mongo.close()


async def _partners(fleet, **environment: str) -> None:
    """Restart the simulator with this partner behaviour."""
    await asyncio.to_thread(fleet.stop, "simulator")
    fleet.start("simulator", extra_environment={**CALM_PARTNERS, **environment})
    await asyncio.to_thread(fleet.wait_healthy, ["simulator"])


async def _claim_of(mongo, settings, encounter_id: str, statuses: tuple[str, ...], *, timeout: float = 90) -> dict:
    claims = mongo[settings.database("claims")]["claims"]

    async def found():
        return await claims.find_one({"encounter_id": encounter_id, "status": {"$in": list(statuses)}})
    return await eventually(found, timeout=timeout)


async def _status(http, claim_id: str, statuses: tuple[str, ...], *, after_version: int = 0, timeout: float = 90) -> dict:
    async def reached():
        claim = (await http.get(f"/api/claims/{claim_id}")).json()
        return claim if claim["status"] in statuses and claim["revision"] > after_version else None
    return await eventually(reached, timeout=timeout)


async def _work(http, claim_id: str, edits: dict) -> dict:
    """Take, correct and submit the claim as a biller does; return the submit answer."""
    taken = await http.post(f"/api/claims/{claim_id}/take", json={})
    assert taken.status_code == 200, taken.text
    corrected = await http.post(f"/api/claims/{claim_id}/correct",
                                json={"revision": taken.json()["revision"], "edits": edits})
    assert corrected.status_code == 200, corrected.text
    submitted = await http.post(f"/api/claims/{claim_id}/submit", json={"revision": corrected.json()["revision"]})
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


async def _postings(mongo, settings, claim_id: str) -> list[dict]:
    cursor = mongo[settings.database("payments")]["postings"].find({"claim_id": claim_id}, sort=[("seq", 1), ("_id", 1)])
    return [doc async for doc in cursor]


def _allowed(posting: dict) -> Decimal:
    """What the payer allowed: its payment and the patient's share (a deductible may take it all)."""
    return posting["paid"].to_decimal() + posting["patient_responsibility"].to_decimal()


async def _paid_by_payers_and_posted(mongo, settings) -> tuple[Decimal, Decimal]:
    paid = sum([row["payment_amount"].to_decimal()
                async for row in mongo[settings.database("simulator")]["remittances"].find()], Decimal("0.00"))
    posted = sum([row["paid"].to_decimal() async for row in mongo[settings.database("payments")]["postings"].find()],
                 Decimal("0.00"))
    return paid, posted


async def _statuses(kafka, claim_id: str) -> list[str]:
    changes = [e.payload for e in await kafka.read(topics.CLAIM_STATUS_CHANGED) if e.payload.claim_id == claim_id]
    return [change.status.value for change in sorted(changes, key=lambda change: change.version)]


async def test_a_scrub_failure_corrected_through_the_api_is_paid_and_posted(fleet) -> None:
    fleet_, settings, kafka, mongo, http = fleet
    request = a_registration_request(services=(DocumentedService(procedure_code="99213", diagnosis_pointers=(2,)),))
    event = a_coded_event(a_coded_encounter(request))
    await kafka.publish(topics.ENCOUNTER_CODED, event)
    failed = await _claim_of(mongo, settings, event.payload.encounter_id, ("scrub_failed",))
    listed = (await http.get("/api/claims/queue", params={"reason": "DXP-003"})).json()["items"]
    assert failed["_id"] in {item["id"] for item in listed}

    await _work(http, failed["_id"], {"diagnoses": ["I10", "E119"]})
    paid = await _status(http, failed["_id"], ("paid",))

    postings = await _postings(mongo, settings, failed["_id"])
    assert [p["outcome"] for p in postings] == ["paid"]
    assert _allowed(postings[0]) > 0
    assert Decimal(paid["billed"]) == postings[0]["billed"].to_decimal()
    assert await _statuses(kafka, failed["_id"]) == ["created", "scrub_failed", "corrected", "scrubbed", "submitted",
                                                     "accepted", "paid"]
    paid_by_payers, posted = await _paid_by_payers_and_posted(mongo, settings)
    assert paid_by_payers == posted


async def test_a_rejected_claim_corrected_is_accepted_and_paid(fleet) -> None:
    fleet_, settings, kafka, mongo, http = fleet
    await _partners(fleet_, RCM_SIM_REJECT_RATE="1.0", RCM_SIM_REJECTIONS="A7_254")
    event = a_coded_event(a_coded_encounter(a_registration_request(diagnoses=("I10", "E119"))))
    await kafka.publish(topics.ENCOUNTER_CODED, event)
    rejected = await _claim_of(mongo, settings, event.payload.encounter_id, ("rejected",))
    assert [f["code"] for f in rejected["findings"]] == ["A7_254"]

    await _work(http, rejected["_id"], {"diagnoses": ["E119", "I10"]})  # the principal diagnosis was wrong
    await _status(http, rejected["_id"], ("paid",))

    postings = await _postings(mongo, settings, rejected["_id"])
    assert [p["outcome"] for p in postings] == ["paid"] and _allowed(postings[0]) > 0
    statuses = await _statuses(kafka, rejected["_id"])
    assert statuses == ["created", "scrubbed", "submitted", "rejected", "corrected", "scrubbed", "submitted",
                        "accepted", "paid"]
    paid_by_payers, posted = await _paid_by_payers_and_posted(mongo, settings)
    assert paid_by_payers == posted


async def test_a_denial_corrected_with_the_right_change_is_paid_and_with_the_wrong_one_denied_again(fleet) -> None:
    fleet_, settings, kafka, mongo, http = fleet
    await _partners(fleet_, RCM_SIM_DENY_RATE="1.0", RCM_SIM_DENIAL_REASONS="missing_modifier")
    events = [a_coded_event(a_coded_encounter(a_registration_request())) for _ in range(2)]
    for event in events:
        await kafka.publish(topics.ENCOUNTER_CODED, event)
    # The rules resubmit a missing-information denial once, unchanged; the payer denies it again
    # and the denial is left to a person (appealed).
    right, wrong = [await _claim_of(mongo, settings, e.payload.encounter_id, ("appealed",), timeout=120) for e in events]
    items = {doc["claim_id"]: doc async for doc in mongo[settings.database("denials")]["denials"].find(
        {"claim_id": {"$in": [right["_id"], wrong["_id"]]}})}
    assert {(item["billed"].to_decimal(), tuple(item["procedure_codes"]), item["rendering_npi"])
            for item in items.values()} == {(right["billed"].to_decimal(), ("99213",), "1234567893")}

    await _work(http, right["_id"], {"lines": [{"line_number": 1, "modifiers": ["25"]}]})
    before = await _work(http, wrong["_id"], {"place_of_service": "22"})
    await _status(http, right["_id"], ("paid",))
    await _status(http, wrong["_id"], ("appealed",), after_version=before["revision"])

    right_postings = await _postings(mongo, settings, right["_id"])
    wrong_postings = await _postings(mongo, settings, wrong["_id"])
    assert [p["outcome"] for p in right_postings] == ["denied", "denied", "paid"]
    assert _allowed(right_postings[-1]) > 0
    assert [p["outcome"] for p in wrong_postings] == ["denied", "denied", "denied"]
    assert wrong_postings[-1]["paid"].to_decimal() == 0
    assert wrong_postings[-1]["denied"].to_decimal() == wrong["billed"].to_decimal()
    denied = [e.payload for e in await kafka.read(topics.CLAIM_DENIED) if e.payload.claim_id == wrong["_id"]]
    assert [(d.frequency_code.value, d.adjustments[0].carc) for d in denied] == [("1", "4"), ("7", "4"), ("7", "4")]
    paid_by_payers, posted = await _paid_by_payers_and_posted(mongo, settings)
    assert paid_by_payers == posted
