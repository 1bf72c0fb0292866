"""Lost events are healed by the service that owns the hand-off, against the real broker and mongod.

A loss is simulated where it happens: the relay of the publishing process is told the event was
published, and it never reaches the topic (tests/support/loss.py)."""

from __future__ import annotations

from services.claims.app import build_runtime as build_claims
from services.claims.settings import ClaimsSettings
from services.coding.app import build_runtime as build_coding
from services.coding.repository import CodingRepository
from services.payments.app import build_runtime as build_payments
from services.registration.app import build_runtime as build_registration
from services.registration.settings import RegistrationSettings
from shared import topics
from shared.events import ClaimStatus
from shared.ids import encounter_id_for
from simulator.partners import build_runtime as build_simulator
from simulator.settings import SimulatorSettings
from tests.support.builders import TENANT, a_chargemaster_entry, a_coded_event, a_registration_event
from tests.support.kafka import eventually
from tests.support.loss import lose_events
from tests.integration.registration.mllp_client import MllpClient, msa
from tests.unit.ehr.samples import FACILITIES, TENANT as HL7_TENANT, a04
from tests.support.feed_tls import client_tls, mllp_tls_settings

PRICES = (a_chargemaster_entry("99213", "120.00"), a_chargemaster_entry("36415", "15.50"))


def _fast(settings, **deadlines):
    """`settings` with short deadlines for the named stages and a reconciler pass every 0.2 s."""
    return settings.model_copy(update={"deadline_seconds": deadlines, "reconcile_interval_seconds": 0.2})


async def test_a_lost_registered_event_is_published_again_and_the_encounter_is_coded_once(settings, kafka) -> None:
    fast = _fast(settings, registered=1)
    registration, coding = build_registration(fast), build_coding(fast)
    lost = lose_events(registration, topics.ENCOUNTER_REGISTERED)
    event = a_registration_event()
    encounter_id = encounter_id_for(TENANT, event.payload.visit.visit_number)
    async with registration.running(), coding.running():
        await CodingRepository(coding.db, coding.cipher).load_chargemaster(TENANT, PRICES)
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        await eventually(lambda: coding.db["encounters"].find_one({"_id": encounter_id}))
        await eventually(lambda: _none_open(registration))
        registered = await kafka.read(topics.ENCOUNTER_REGISTERED)
        answered = await kafka.read(topics.ENCOUNTER_CODED) + await kafka.read(topics.ENCOUNTER_HELD_FOR_CODING)
    assert len(lost) == 1
    assert [str(e.event_id) for e in registered] == lost  # the same event, published again
    assert [e.payload.encounter_id for e in answered] == [encounter_id]


async def test_a_lost_request_of_an_acknowledged_visit_is_published_again_and_registered_once(settings, kafka) -> None:
    fast = RegistrationSettings(**dict(_fast(settings, requested=1)), registration_mllp_port=0,
                                registration_feed_facilities=FACILITIES, **mllp_tls_settings())
    registration = build_registration(fast)
    lost = lose_events(registration, topics.REGISTRATION_REQUESTED)
    async with registration.running():
        client = await MllpClient.connect(registration.mllp.port, tls=client_tls())
        assert msa(await client.send(a04()))[0] == "AA"  # the EHR is told the visit is ours
        await client.close()
        await eventually(lambda: registration.db["encounters"].find_one({"_id": encounter_id_for(HL7_TENANT, "V1")}))
        await eventually(lambda: _none_open(registration, "requested"))
        requested = await kafka.read(topics.REGISTRATION_REQUESTED)
        registered = await kafka.read(topics.ENCOUNTER_REGISTERED)
    assert len(lost) == 1
    assert [str(e.event_id) for e in requested] == lost
    assert [e.payload.encounter_id for e in registered] == [encounter_id_for(HL7_TENANT, "V1")]


async def test_an_encounter_coding_has_not_answered_becomes_a_work_item_until_it_is_coded(settings, kafka) -> None:
    fast = _fast(settings, registered=0.5).model_copy(update={"reconcile_max_attempts": 1})
    registration = build_registration(fast)
    event = a_registration_event()
    encounter_id = encounter_id_for(TENANT, event.payload.visit.visit_number)
    async with registration.running():
        await kafka.publish(topics.REGISTRATION_REQUESTED, event)
        item = await eventually(lambda: registration.db["stalled_work"].find_one({"key": encounter_id}))
        stalled = await registration.reconciler.refresh_stalled()
        coding = build_coding(fast)
        async with coding.running():
            await CodingRepository(coding.db, coding.cipher).load_chargemaster(TENANT, PRICES)
            await eventually(lambda: registration.db["stalled_work"].find_one(
                {"key": encounter_id, "resolved_at": {"$ne": None}}))
            after = await registration.reconciler.refresh_stalled()
            answered = await kafka.read(topics.ENCOUNTER_CODED) + await kafka.read(topics.ENCOUNTER_HELD_FOR_CODING)
        registered = await kafka.read(topics.ENCOUNTER_REGISTERED)
    assert item["stage"] == "registered"
    assert stalled["registered"] == 1
    assert after["registered"] == 0
    assert len(registered) == 2 and len({e.event_id for e in registered}) == 1  # sent, then re-emitted once
    assert [e.payload.encounter_id for e in answered] == [encounter_id]  # the copy was dropped by coding


async def test_lost_clearinghouse_answers_are_given_again_when_claims_sends_the_batch_again(settings, kafka) -> None:
    claims = build_claims(ClaimsSettings(**_fast(settings, submitted=1).model_dump()))
    simulator = build_simulator(SimulatorSettings(**settings.model_dump(), sim_reject_rate=0))
    lost = lose_events(simulator, topics.CLEARINGHOUSE_ACKNOWLEDGED, count=2)  # the 999 and the 277CA
    event = a_coded_event()
    async with claims.running(), simulator.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        claim = await eventually(lambda: claims.db["claims"].find_one(
            {"encounter_id": event.payload.encounter_id, "status": ClaimStatus.ACCEPTED.value}))
        await eventually(lambda: _none_open(claims, "submitted"))
        batches = await kafka.read(topics.CLAIM_BATCH_SUBMITTED)
        acknowledgements = await kafka.read(topics.CLEARINGHOUSE_ACKNOWLEDGED)
        remittances = await kafka.read(topics.REMITTANCE_RECEIVED)
        paid = await simulator.db["remittances"].count_documents({})
    assert len(lost) == 2
    assert sorted(str(a.event_id) for a in acknowledgements) == sorted(lost)  # the same answers, given again
    assert len({b.payload.batch_id for b in batches}) == 1 and len({b.event_id for b in batches}) == 2
    assert len({r.event_id for r in remittances}) == 1  # the payer paid once; the copy is dropped by payments
    assert paid == 1
    assert claim["status"] == "accepted"


async def _none_open(runtime, stage: str | None = None) -> bool:
    query = {} if stage is None else {"stage": stage}
    return await runtime.db["handoffs"].count_documents(query) == 0


async def test_a_lost_payment_posting_is_published_again_and_the_claim_is_paid_once(settings, kafka) -> None:
    claims = build_claims(ClaimsSettings(**settings.model_dump()))
    payments = build_payments(_fast(settings, posted=1))
    simulator = build_simulator(SimulatorSettings(**settings.model_dump(), sim_reject_rate=0, sim_deny_rate=0,
                                                  sim_partial_rate=0))
    lost = lose_events(payments, topics.PAYMENT_POSTED)
    event = a_coded_event()
    async with claims.running(), payments.running(), simulator.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        claim = await eventually(lambda: claims.db["claims"].find_one(
            {"encounter_id": event.payload.encounter_id, "status": ClaimStatus.PAID.value}))
        await eventually(lambda: _none_open(payments, "posted"))
        posted = await kafka.read(topics.PAYMENT_POSTED)
        postings = await payments.db["postings"].count_documents({})
    assert len(lost) == 1
    assert [str(e.event_id) for e in posted] == lost  # the same posting, published again
    assert postings == 1
    assert claim["version"] == 5  # created, scrubbed, submitted, accepted, paid: paid once


async def test_an_835_sent_twice_and_late_with_interest_is_posted_once_with_its_interest(settings, kafka) -> None:
    claims = build_claims(ClaimsSettings(**settings.model_dump()))
    payments = build_payments(settings)
    simulator = build_simulator(SimulatorSettings(
        **settings.model_dump(), sim_reject_rate=0, sim_deny_rate=0, sim_partial_rate=0, sim_duplicate_835_rate=1,
        sim_late_835_rate=1, sim_late_835_seconds=1, sim_interest_rate=1))
    event = a_coded_event()
    async with claims.running(), payments.running(), simulator.running():
        await kafka.publish(topics.ENCOUNTER_CODED, event)
        claim = await eventually(lambda: claims.db["claims"].find_one(
            {"encounter_id": event.payload.encounter_id, "status": ClaimStatus.PAID.value}))
        remittances = await kafka.wait_for(topics.REMITTANCE_RECEIVED, lambda m: len(m) >= 2)
        await eventually(lambda: payments.db["provider_account_entries"].find_one({}))
        await eventually(lambda: _consumed_all(payments, topics.REMITTANCE_RECEIVED, 2))
        postings = await payments.db["postings"].find({}).to_list()
        plb = await payments.db["provider_account_entries"].find({}).to_list()
        paid = await simulator.db["remittances"].find({}).to_list()
    assert len({r.event_id for r in remittances}) == 2 and len({r.payload.file_id for r in remittances}) == 1
    assert len(postings) == 1 and claim["status"] == "paid"
    assert len(plb) == 1 and plb[0]["reason"] == "L6"
    assert len(paid) == 1
    assert postings[0]["paid"].to_decimal() == paid[0]["claims_paid"].to_decimal()
    assert plb[0]["amount"].to_decimal() == paid[0]["provider_adjustments"].to_decimal() < 0  # interest: added


async def _consumed_all(runtime, topic, count: int) -> bool:
    return await runtime.db["inbox"].count_documents({"topic": topic.name}) >= count
