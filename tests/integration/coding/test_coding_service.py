"""The coding service against the real broker and mongod.

Waits poll the service's database until the outcome is committed and the outbox drained (the relay
deletes a row only after Kafka acknowledged it), then read each topic once: a topic read starts a
Kafka client that fetches the metadata of every topic on the shared test broker."""

from __future__ import annotations

from decimal import Decimal

from services.coding.app import build_runtime
from services.coding.repository import CodingRepository
from shared import topics
from shared.events import DocumentedService
from tests.support.builders import (
    TENANT, a_chargemaster_entry, a_registered_encounter, a_registered_event, a_registration_request,
)
from tests.support.kafka import eventually

PRICES = (a_chargemaster_entry("99213", "120.00"), a_chargemaster_entry("36415", "15.50"))
OFFICE_VISIT_AND_TWO_DRAWS = (DocumentedService(procedure_code="99213", diagnosis_pointers=(1,)),
                              DocumentedService(procedure_code="36415", units=2, diagnosis_pointers=(1,)))


async def test_an_encounter_with_billable_codes_is_priced_from_the_chargemaster_and_sent_to_claims(settings, kafka) -> None:
    event = a_registered_event(a_registered_encounter(a_registration_request(services=OFFICE_VISIT_AND_TWO_DRAWS)))
    runtime = build_runtime(settings)
    async with runtime.running():
        await _load_prices(runtime)
        await kafka.publish(topics.ENCOUNTER_REGISTERED, event)
        await _encounter(runtime, event.payload.encounter_id, "coded")
        coded = await kafka.read(topics.ENCOUNTER_CODED)
    assert len(coded) == 1
    encounter = coded[0].payload
    assert encounter.encounter_id == event.payload.encounter_id
    assert [line.charge for line in encounter.lines] == [Decimal("120.00"), Decimal("31.00")]
    assert encounter.total_charge == Decimal("151.00")
    assert coded[0].correlation_id == event.payload.encounter_id
    assert coded[0].causation_id == event.event_id


async def test_an_encounter_with_a_header_diagnosis_is_held_for_a_coder_with_the_finding(settings, kafka) -> None:
    event = a_registered_event(a_registered_encounter(a_registration_request(diagnoses=("E11",))))
    runtime = build_runtime(settings)
    async with runtime.running():
        await _load_prices(runtime)
        await kafka.publish(topics.ENCOUNTER_REGISTERED, event)
        queued = await _encounter(runtime, event.payload.encounter_id, "held")
        held = await kafka.read(topics.ENCOUNTER_HELD_FOR_CODING)
        coded = await kafka.read(topics.ENCOUNTER_CODED)
    assert [e.payload.encounter_id for e in held] == [event.payload.encounter_id]
    assert [f.code for f in held[0].payload.findings] == ["ICD10_NOT_BILLABLE"]
    assert [f["code"] for f in queued["findings"]] == ["ICD10_NOT_BILLABLE"]
    assert coded == []


async def test_a_service_missing_from_the_chargemaster_holds_the_encounter(settings, kafka) -> None:
    unpriced = (DocumentedService(procedure_code="99214", diagnosis_pointers=(1,)),)
    event = a_registered_event(a_registered_encounter(a_registration_request(services=unpriced)))
    runtime = build_runtime(settings)
    async with runtime.running():
        await _load_prices(runtime)
        await kafka.publish(topics.ENCOUNTER_REGISTERED, event)
        await _encounter(runtime, event.payload.encounter_id, "held")
        held = await kafka.read(topics.ENCOUNTER_HELD_FOR_CODING)
    assert [f.code for f in held[0].payload.findings] == ["CHARGEMASTER_MISSING"]


async def test_a_redelivered_or_resent_registered_encounter_is_coded_once(settings, kafka) -> None:
    event = a_registered_event()
    resent = a_registered_event(event.payload)  # same encounter, new event id: registration ran twice
    runtime = build_runtime(settings)
    async with runtime.running():
        await _load_prices(runtime)
        await kafka.publish(topics.ENCOUNTER_REGISTERED, event, event, resent)
        await eventually(lambda: _consumed(runtime, 2))
        await _encounter(runtime, event.payload.encounter_id, "coded")
        coded = await kafka.read(topics.ENCOUNTER_CODED)
    assert [e.payload.encounter_id for e in coded] == [event.payload.encounter_id]


async def test_a_malformed_message_is_dead_lettered_and_the_encounters_around_it_are_coded(settings, kafka) -> None:
    before, after = a_registered_event(), a_registered_event()
    runtime = build_runtime(settings)
    async with runtime.running():
        await _load_prices(runtime)
        await kafka.publish(topics.ENCOUNTER_REGISTERED, before)
        await kafka.publish_raw(topics.ENCOUNTER_REGISTERED, b'{"event_id": "not-a-uuid", "payload": {"patient": "Zzleak"}}')
        await kafka.publish_raw(topics.ENCOUNTER_REGISTERED, b"\xff\xfe not json")
        await kafka.publish(topics.ENCOUNTER_REGISTERED, after)
        await _encounter(runtime, before.payload.encounter_id, "coded")
        await _encounter(runtime, after.payload.encounter_id, "coded")
        coded = await kafka.read(topics.ENCOUNTER_CODED)
        letters = await kafka.wait_for(topics.dead_letter_topic("coding"), lambda m: len(m) >= 2)
    assert {e.causation_id for e in coded} == {before.event_id, after.event_id}
    assert {letter.payload.reason_code for letter in letters} == {"INVALID_EVENT", "UNREADABLE"}
    assert all(letter.payload.original_topic == topics.ENCOUNTER_REGISTERED.name for letter in letters)
    assert all("Zzleak" not in letter.payload.reason for letter in letters)


async def _load_prices(runtime) -> None:
    await CodingRepository(runtime.db, runtime.cipher).load_chargemaster(TENANT, PRICES)


async def _encounter(runtime, encounter_id: str, status: str) -> dict:
    """The encounter's coding document once it has `status`, after its events reached Kafka."""
    found = await eventually(lambda: runtime.db["encounters"].find_one({"_id": encounter_id, "status": status}))
    await eventually(lambda: _outbox_empty(runtime))
    return found


async def _consumed(runtime, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({}) >= count


async def _outbox_empty(runtime) -> bool:
    """Everything the service committed has been acknowledged by Kafka (the relay deletes after the ack)."""
    return await runtime.db["outbox"].count_documents({}) == 0
