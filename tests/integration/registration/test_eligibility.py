"""Eligibility before coding: registration sends a 270, the simulated payer answers a 271; inactive
or unanswered coverage holds the encounter and never reaches coding or claims."""

from __future__ import annotations

from services.registration.app import build_runtime
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.runtime import ServiceRuntime
from simulator import eligibility as payer
from tests.support.builders import a_registration_event, a_registration_request

ACTIVE = next(f"SIMMEMBER{n:04d}" for n in range(1000) if payer.coverage_active(f"SIMMEMBER{n:04d}"))
INACTIVE = next(f"SIMMEMBER{n:04d}" for n in range(1000) if not payer.coverage_active(f"SIMMEMBER{n:04d}"))


def verifying(settings, **changes) -> RegistrationSettings:
    values = {"registration_verify_eligibility": True, "registration_eligibility_timeout_seconds": 0.5,
              "registration_eligibility_max_attempts": 2, "registration_eligibility_poll_seconds": 0.1, **changes}
    return RegistrationSettings(**dict(settings), **values)


def payer_runtime(settings) -> ServiceRuntime:
    runtime = ServiceRuntime("simulator", settings)
    payer.subscribe(runtime)
    return runtime


async def test_active_coverage_goes_on_to_coding_and_inactive_is_held_in_the_work_queue(settings, kafka) -> None:
    active = a_registration_event(a_registration_request(member_id=ACTIVE))
    inactive = a_registration_event(a_registration_request(member_id=INACTIVE))
    # a payer that answers: wait long enough that a loaded machine never asks twice
    registration = build_runtime(verifying(settings, registration_eligibility_timeout_seconds=20.0))
    async with registration.running(), payer_runtime(settings).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, active, inactive)
        held = await kafka.wait_for(topics.ENCOUNTER_HELD_FOR_ELIGIBILITY, lambda m: len(m) >= 1)
        registered = await kafka.wait_for(topics.ENCOUNTER_REGISTERED, lambda m: len(m) >= 1)
        queue = [d async for d in registration.db["eligibility_queue"].find({})]
        inquiries = await kafka.read(topics.ELIGIBILITY_REQUESTED)
    assert registered[0].correlation_id == active.correlation_id
    assert [h.correlation_id for h in held] == [inactive.correlation_id]
    assert held[0].payload.findings[0].code == "COVERAGE_INACTIVE"
    assert [(d["_id"], d["reason_code"]) for d in queue] == [(inactive.correlation_id, "COVERAGE_INACTIVE")]
    assert {i.payload.attempt for i in inquiries} == {1}
    assert len(await kafka.read(topics.ENCOUNTER_REGISTERED)) == 1  # the inactive one never goes to coding


async def test_a_payer_that_does_not_answer_is_asked_again_then_the_encounter_is_held(settings, kafka) -> None:
    event = a_registration_event(a_registration_request(member_id=ACTIVE))
    async with build_runtime(verifying(settings)).running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        held = await kafka.wait_for(topics.ENCOUNTER_HELD_FOR_ELIGIBILITY, lambda m: len(m) >= 1)
        inquiries = await kafka.read(topics.ELIGIBILITY_REQUESTED)
    assert sorted(i.payload.attempt for i in inquiries) == [1, 2]  # read order is not send order (partitions)
    assert len({i.payload.inquiry_id for i in inquiries}) == 2
    assert held[0].payload.findings[0].code == "ELIGIBILITY_TIMEOUT"
    assert await kafka.read(topics.ENCOUNTER_REGISTERED) == []


async def test_a_late_answer_to_a_superseded_inquiry_changes_nothing(settings, kafka) -> None:
    import asyncio
    from datetime import UTC, datetime

    from shared.events import EligibilityResponded
    from tests.support.builders import an_event

    def answer(inquiry):
        reply = payer.answer_270(inquiry.payload.x12, datetime.now(UTC))
        return an_event(topics.ELIGIBILITY_RESPONDED, EligibilityResponded(
            inquiry_id=inquiry.payload.inquiry_id, encounter_id=inquiry.payload.encounter_id, x12=reply),
            correlation_id=inquiry.correlation_id)

    event = a_registration_event(a_registration_request(member_id=ACTIVE))
    registration = build_runtime(verifying(settings, registration_eligibility_max_attempts=6,
                                           registration_eligibility_timeout_seconds=1.0))
    async with registration.running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        inquiries = await kafka.wait_for(topics.ELIGIBILITY_REQUESTED, lambda m: len(m) >= 2)
        # Inquiries are keyed by their own id, so they land on different partitions and a read does
        # not return them in the order they were sent: the first attempt is the superseded one.
        first = min(inquiries, key=lambda inquiry: inquiry.payload.attempt)
        await kafka.publish(topics.ELIGIBILITY_RESPONDED, answer(first))  # superseded by the second
        await asyncio.sleep(1.5)
        assert await kafka.read(topics.ENCOUNTER_REGISTERED) == []
        for _ in range(20):
            latest = max(await kafka.read(topics.ELIGIBILITY_REQUESTED), key=lambda inquiry: inquiry.payload.attempt)
            await kafka.publish(topics.ELIGIBILITY_RESPONDED, answer(latest))
            await asyncio.sleep(0.5)
            if await kafka.read(topics.ENCOUNTER_REGISTERED):
                break
        await asyncio.sleep(1.0)
        registered = await kafka.read(topics.ENCOUNTER_REGISTERED)
    assert len(registered) == 1
