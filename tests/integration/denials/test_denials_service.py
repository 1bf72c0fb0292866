"""The denials service against the real broker and mongod: every denial categorized by its CARC and
worked once: a corrected claim requested, an appeal queued, or the balance written off.

Waits poll the service's database until the outcome is committed and the outbox drained (the relay
deletes a row only after Kafka acknowledged it), then read each topic once: a topic read starts a
Kafka client that fetches the metadata of every topic on the shared test broker."""

from __future__ import annotations

from datetime import date

from services.denials.app import build_runtime
from services.denials.settings import DenialsSettings
from shared import topics
from shared.events import DenialAction
from tests.support.builders import a_claim_denied, an_event
from tests.support.kafka import eventually


async def test_a_claim_denied_for_missing_information_is_resubmitted_with_the_payer_claim_number(settings, kafka) -> None:
    denial = a_claim_denied("16", payer_claim_number="PCN16TEST")
    runtime = _denials_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        queued = await _worked(runtime, denial.denial_id)
        worked = await kafka.read(topics.DENIAL_WORKED)
        requests = await kafka.read(topics.CLAIM_RESUBMIT_REQUESTED)
    assert [(w.payload.claim_id, w.payload.action) for w in worked] == [(denial.claim_id, DenialAction.RESUBMIT)]
    assert worked[0].payload.category == "MISSING_INFORMATION"
    assert [(r.payload.claim_id, r.payload.payer_claim_number) for r in requests] == [(denial.claim_id, "PCN16TEST")]
    assert requests[0].correlation_id == denial.encounter_id
    assert queued["status"] == "resubmitted"


async def test_a_claim_denied_as_not_medically_necessary_is_queued_for_appeal_before_its_deadline(settings, kafka) -> None:
    denial = a_claim_denied("50")
    runtime = _denials_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        queued = await _worked(runtime, denial.denial_id)
        worked = await kafka.read(topics.DENIAL_WORKED)
        requests = await kafka.read(topics.CLAIM_RESUBMIT_REQUESTED)
    appeal_by = date(2027, 2, 18)  # the payment date, 2026-11-20, plus the default 90 days
    assert worked[0].payload.action is DenialAction.APPEAL
    assert worked[0].payload.appeal_deadline == appeal_by
    assert (queued["status"], queued["category"], queued["appeal_deadline"]) == (
        "open", "MEDICAL_NECESSITY", appeal_by.isoformat())
    assert requests == []


async def test_a_claim_denied_for_timely_filing_is_written_off(settings, kafka) -> None:
    denial = a_claim_denied("29")
    runtime = _denials_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(denial))
        queued = await _worked(runtime, denial.denial_id)
        worked = await kafka.read(topics.DENIAL_WORKED)
    assert worked[0].payload.action is DenialAction.WRITE_OFF
    assert worked[0].payload.appeal_deadline is None
    assert (queued["status"], queued["category"]) == ("written_off", "TIMELY_FILING")


async def test_a_denial_received_twice_is_worked_once(settings, kafka) -> None:
    denial = a_claim_denied("16")
    event, resent = _denied(denial), _denied(denial)  # resent: payments posted the same 835 again
    runtime = _denials_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, event, event, resent)
        await eventually(lambda: _consumed(runtime, 2))
        await _worked(runtime, denial.denial_id)
        worked = await kafka.read(topics.DENIAL_WORKED)
        requests = await kafka.read(topics.CLAIM_RESUBMIT_REQUESTED)
        stored = await runtime.db["denials"].count_documents({"claim_id": denial.claim_id})
    assert [w.payload.denial_id for w in worked] == [denial.denial_id]
    assert len(requests) == 1
    assert stored == 1


async def test_a_malformed_denial_is_dead_lettered_and_the_denials_around_it_are_worked(settings, kafka) -> None:
    before, after = a_claim_denied("50"), a_claim_denied("29")
    runtime = _denials_runtime(settings)
    async with runtime.running():
        await kafka.publish(topics.CLAIM_DENIED, _denied(before))
        await kafka.publish_raw(topics.CLAIM_DENIED, b'{"event_id": "not-a-uuid", "payload": {"carc": "CO-50"}}')
        await kafka.publish_raw(topics.CLAIM_DENIED, b"\xff\xfe not json")
        await kafka.publish(topics.CLAIM_DENIED, _denied(after))
        await _worked(runtime, before.denial_id)
        await _worked(runtime, after.denial_id)
        worked = await kafka.read(topics.DENIAL_WORKED)
        letters = await kafka.wait_for(topics.dead_letter_topic("denials"), lambda m: len(m) >= 2)
    assert {w.payload.denial_id for w in worked} == {before.denial_id, after.denial_id}
    assert {letter.payload.reason_code for letter in letters} == {"INVALID_EVENT", "UNREADABLE"}
    assert all(letter.payload.original_topic == topics.CLAIM_DENIED.name for letter in letters)


def _denials_runtime(settings):
    return build_runtime(DenialsSettings(**settings.model_dump()))


async def _worked(runtime, denial_id: str) -> dict:
    """The denial's work-queue document once it is recorded, after its events reached Kafka."""
    queued = await eventually(lambda: runtime.db["denials"].find_one({"_id": denial_id}))
    await eventually(lambda: _outbox_empty(runtime))
    return queued


def _denied(denial):
    return an_event(topics.CLAIM_DENIED, denial, correlation_id=denial.encounter_id)


async def _consumed(runtime, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({}) >= count


async def _outbox_empty(runtime) -> bool:
    """Everything the service committed has been acknowledged by Kafka (the relay deletes after the ack)."""
    return await runtime.db["outbox"].count_documents({}) == 0
