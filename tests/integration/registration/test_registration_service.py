"""The registration service against the real broker and mongod."""

from __future__ import annotations

from services.registration.app import build_runtime
from shared import topics
from shared.consumer import Record
from shared.envelope import encode
from shared.events import CoverageOrder
from shared.ids import encounter_id_for
from tests.support.builders import TENANT, a_registration_event, a_registration_request
from tests.support.kafka import eventually


async def test_a_visit_from_the_feed_becomes_a_registered_encounter_for_coding(settings, kafka) -> None:
    event = a_registration_event()
    async with build_runtime(settings).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
    encounter_id = encounter_id_for(TENANT, event.payload.visit.visit_number)
    assert [e.payload.encounter_id for e in registered] == [encounter_id]
    assert registered[0].correlation_id == encounter_id
    assert registered[0].causation_id == event.event_id


async def test_the_patient_is_stored_encrypted(settings, kafka) -> None:
    event = a_registration_event(a_registration_request(last_name="Zzencryptcheck"))
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        documents = [d async for d in runtime.db["patients"].find({})] + [d async for d in runtime.db["encounters"].find({})]
    assert len(documents) == 2
    assert all(b"Zzencryptcheck" not in repr(d).encode() for d in documents)


async def test_a_redelivered_or_resent_visit_registers_one_encounter(settings, kafka) -> None:
    event = a_registration_event()
    resent = a_registration_event(event.payload)  # same visit, new event id: the EHR sent it again
    runtime = build_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event, event, resent)
        await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        await eventually(lambda: _consumed(runtime, 2))
    registered = await kafka.read(topics.ENCOUNTER_REGISTERED)
    assert len(registered) == 1


async def test_a_malformed_message_is_dead_lettered_and_the_visits_around_it_are_registered(settings, kafka) -> None:
    before, after = a_registration_event(), a_registration_event()
    async with build_runtime(settings).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, before)
        await kafka.publish_raw(topics.REGISTRATION_REQUESTED, b'{"event_id": "not-a-uuid", "payload": {"patient": "Zzleak"}}')
        await kafka.publish_raw(topics.REGISTRATION_REQUESTED, b"\xff\xfe not json")
        await kafka.publish(topics.REGISTRATION_REQUESTED, after)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 2)
        letters = await kafka.wait_for(topics.dead_letter_topic("registration"), lambda m: len(m) >= 2)
    assert {e.causation_id for e in registered} == {before.event_id, after.event_id}
    reasons = {letter.payload.reason_code for letter in letters}
    assert reasons == {"INVALID_EVENT", "UNREADABLE"}
    assert all("Zzleak" not in letter.payload.reason for letter in letters)
    assert all(letter.payload.original_topic == topics.REGISTRATION_REQUESTED.name for letter in letters)


async def test_a_visit_without_primary_coverage_is_dead_lettered_with_the_reason(settings, kafka) -> None:
    request = a_registration_request()
    secondary_only = request.model_copy(update={"coverages": (request.coverages[0].model_copy(update={"order": CoverageOrder.SECONDARY}),)})
    async with build_runtime(settings).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, a_registration_event(secondary_only))
        letters = await kafka.wait_for(topics.dead_letter_topic("registration"), lambda m: len(m) >= 1)
    assert letters[0].payload.reason_code == "NO_PRIMARY_COVERAGE"
    assert await kafka.read(topics.ENCOUNTER_REGISTERED) == []


async def _consumed(runtime, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({}) >= count


async def test_a_handler_that_builds_an_invalid_model_never_logs_the_patient(settings) -> None:
    """A bug that makes a handler build an invalid event must not put PHI in the error log."""
    from pydantic import BaseModel

    from shared.consumer import HandlerValidationError

    class Strict(BaseModel):
        birth_year: int

    async def buggy_handler(events, unit) -> None:
        Strict(birth_year=events[0].payload.patient.last_name)  # raises, quoting the input

    runtime = build_runtime(settings)
    event = a_registration_event(a_registration_request(last_name="Zzleakcheck"))
    record = Record(topics.REGISTRATION_REQUESTED.name, 0, 0, b"k", encode(event))
    async with runtime.running():
        try:
            await runtime.consumer.handle_records(topics.REGISTRATION_REQUESTED, [record], buggy_handler)
        except HandlerValidationError as raised:
            message = str(raised)
        else:
            raise AssertionError("the handler's error should make the batch be read again")
    assert "Zzleakcheck" not in message
    assert "birth_year" in message
