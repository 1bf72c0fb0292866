"""End to end with every service as its own OS process, on the real broker and mongod, the visits
sent as the demo sends them (HL7 v2 over MLLP, a share as FHIR Bundles over HTTP): the whole cycle,
what registration passed on, lineage, reconciliation to the cent, replay from offset 0, no PHI in
any log."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections import Counter

import pytest

from cli.cycle import CORRECTED_BY_REGISTRATION, Cycle, Feeds
from shared import topics
from shared.events import CoverageOrder
from simulator.population import build_world
from tests.support.fleet import platform_fleet
from tests.support.ports import SHIFT

pytestmark = pytest.mark.e2e

ENCOUNTERS = 500
FLOW_WITH_ENCOUNTER = (topics.ELIGIBILITY_REQUESTED, topics.ELIGIBILITY_RESPONDED, topics.ENCOUNTER_HELD_FOR_ELIGIBILITY,
                       topics.ENCOUNTER_REGISTERED, topics.ENCOUNTER_CODED, topics.ENCOUNTER_HELD_FOR_CODING,
                       topics.CLAIM_STATUS_CHANGED, topics.CLAIM_SCRUB_FAILED, topics.PAYMENT_POSTED, topics.CLAIM_DENIED,
                       topics.CLAIM_SECONDARY_REQUESTED, topics.DENIAL_WORKED, topics.CLAIM_RESUBMIT_REQUESTED)


@pytest.fixture(scope="module")
async def finished_cycle(stack, tmp_path_factory):
    """One run of 500 encounters through the feeds and all processes, shared by the tests of this module."""
    world = build_world(11)
    feeds, listeners = Feeds.on_loopback(world, port_offset=400 + SHIFT, fhir_share=0.2)
    async with platform_fleet(stack, tmp_path_factory.mktemp("fleet"), port_offset=400,
                              service_environment={"registration": listeners}) as (fleet, settings, kafka):
        cycle = Cycle(settings, seed=11, world=world)
        await cycle.load_chargemasters(f"http://127.0.0.1:{fleet.port('coding')}", fleet.issuer_url())
        visits = cycle.make_visits(ENCOUNTERS)
        await cycle.send_through_feeds(visits, feeds)
        progress = await cycle.wait_until_terminal(timeout=240)
        yield fleet, settings, kafka, cycle, progress
        await cycle.close()


async def test_every_encounter_reaches_a_terminal_state(finished_cycle) -> None:
    _, _, _, cycle, progress = finished_cycle
    assert progress.sent == ENCOUNTERS
    assert progress.terminal == ENCOUNTERS, progress.by_stage
    assert progress.by_stage.get("paid", 0) > ENCOUNTERS * 0.7, progress.by_stage


async def test_the_visits_went_by_both_feeds_and_each_was_acknowledged(finished_cycle) -> None:
    _, _, _, cycle, _ = finished_cycle
    answers = Counter((answer.feed, answer.answer) for answer in cycle.answers)
    assert set(answers) == {("hl7v2", "AA"), ("fhir", "200")}, answers
    assert 50 <= answers[("fhir", "200")] <= 150  # a fifth of 500
    assert len(cycle.delivered) == ENCOUNTERS


async def test_registration_passed_each_visit_on_as_the_ehr_sent_it(finished_cycle) -> None:
    """Note, rendering taxonomy, coverages (subscriber, filing indicator), place of service and the
    time the practice registered the visit all came through the feeds."""
    _, _, kafka, cycle, _ = finished_cycle
    registered = {event.payload.encounter_id: event.payload for event in await kafka.read(topics.ENCOUNTER_REGISTERED)}
    compared = 0
    for visit in cycle.visits:
        if visit.encounter_id not in registered:
            continue  # held for eligibility: never registered on
        arrived, sent = registered[visit.encounter_id], visit.request
        assert (arrived.note, arrived.registered_at, arrived.coverages, arrived.diagnoses) == (
            sent.note, sent.registered_at, sent.coverages, sent.diagnoses)
        assert arrived.visit.model_dump(exclude={"rendering": {"name"}}) == sent.visit.model_dump(exclude={"rendering": {"name"}})
        if visit.injected not in CORRECTED_BY_REGISTRATION:
            assert arrived.services == sent.services
        compared += 1
    assert compared > ENCOUNTERS * 0.9


async def test_what_payments_posted_equals_what_the_payers_paid_to_the_cent(finished_cycle) -> None:
    _, _, _, cycle, _ = finished_cycle
    money = await cycle.reconcile()
    assert money["total_paid_by_payers"] > 0
    assert money["total_posted"] == money["total_paid_by_payers"]
    assert money["unapplied_remittance_claims"] == 0


async def test_every_event_of_an_encounter_carries_its_correlation_id(finished_cycle) -> None:
    _, _, kafka, cycle, _ = finished_cycle
    sent = set(cycle.encounter_ids)
    seen: Counter[str] = Counter()
    for topic in FLOW_WITH_ENCOUNTER:
        for event in await kafka.read(topic):
            assert event.correlation_id == event.payload.encounter_id, (topic.name, event.event_id)
            seen[event.payload.encounter_id] += 1
    assert set(seen) == sent


async def test_no_claim_is_opened_twice_and_no_payment_is_posted_twice(finished_cycle) -> None:
    _, _, kafka, cycle, _ = finished_cycle
    # One claim per encounter and coverage: the primary's, and a COB claim when a secondary follows.
    # An event published again by its owner (a hand-off past its deadline) keeps its event id: the
    # same fact, not a second one. Facts are counted by distinct event id.
    created = Counter((e.payload.encounter_id, e.payload.coverage_order) for e in _distinct(await kafka.read(topics.CLAIM_STATUS_CHANGED))
                      if e.payload.status.value == "created")
    assert created and max(created.values()) == 1
    cob = [encounter for encounter, order in created if order is CoverageOrder.SECONDARY]
    assert cob, "the synthetic world has patients with secondary coverage: some primary left them a balance"
    assert all((encounter, CoverageOrder.PRIMARY) in created for encounter in cob)
    postings = Counter(e.payload.posting_id for e in _distinct(await kafka.read(topics.PAYMENT_POSTED)))
    assert postings and max(postings.values()) == 1
    assert await cycle.database("payments")["postings"].count_documents({}) == len(postings)


def _distinct(events: list) -> list:
    """One of each event id."""
    return list({event.event_id: event for event in events}.values())


async def test_a_denial_corrected_and_resubmitted_is_then_paid(finished_cycle) -> None:
    """Denials asks for a corrected claim; claims sends it as frequency 7 with the payer's claim
    number, through the scrubber again; the payer pays it; payments posts the payment."""
    _, _, kafka, _, _ = finished_cycle
    history: dict[str, list] = {}
    for event in _distinct(await kafka.read(topics.CLAIM_STATUS_CHANGED)):
        history.setdefault(event.payload.claim_id, []).append(event.payload)
    resubmitted = {e.payload.claim_id for e in await kafka.read(topics.CLAIM_RESUBMIT_REQUESTED)}
    assert resubmitted
    paid_after_correction = []
    for claim_id in resubmitted:
        steps = sorted(history[claim_id], key=lambda change: change.version)
        statuses = [change.status.value for change in steps]
        assert statuses.index("denied") < statuses.index("corrected"), statuses
        corrected = statuses.index("corrected")
        if "paid" in statuses[corrected:]:
            paid = steps[statuses.index("paid", corrected)]
            assert paid.frequency_code.value == "7"  # the replacement claim is what the payer paid
            paid_after_correction.append(claim_id)
    assert paid_after_correction
    postings = {e.payload.claim_id for e in await kafka.read(topics.PAYMENT_POSTED) if e.payload.outcome.value == "paid"}
    assert set(paid_after_correction) <= postings


async def test_no_patient_name_birth_date_or_member_id_appears_in_any_log(finished_cycle) -> None:
    fleet, _, _, cycle, _ = finished_cycle
    logs = "\n".join(path.read_text(errors="replace") for path in fleet.log_dir.glob("*.log"))
    assert "register_visits" in logs  # the logs are the ones this run wrote
    secrets = set()
    for visit in cycle.visits:
        patient = visit.request.patient
        secrets |= {patient.first_name, patient.last_name, patient.mrn, patient.birth_date.isoformat(),
                    patient.address.line1}
        secrets |= {coverage.member_id for coverage in visit.request.coverages}
        secrets |= {visit.request.note} if visit.request.note else set()
    leaked = sorted(s for s in secrets if re.search(rf"\b{re.escape(s)}\b", logs))
    assert leaked == []


async def test_replaying_payments_from_offset_zero_changes_nothing(finished_cycle) -> None:
    fleet, settings, kafka, cycle, _ = finished_cycle
    postings_before = await cycle.database("payments")["postings"].count_documents({})
    posted_events_before = len(_distinct(await kafka.read(topics.PAYMENT_POSTED)))
    inputs = len(await kafka.read(topics.CLAIM_BATCH_SUBMITTED, raw=True)) + len(await kafka.read(topics.REMITTANCE_RECEIVED, raw=True))

    fleet.stop("payments")
    fleet.start("payments", extra_environment={"RCM_REPLAY_FROM_BEGINNING": "true"})
    fleet.wait_healthy(["payments"])
    await _wait_for_duplicates(fleet.port("payments"), inputs)

    assert await cycle.database("payments")["postings"].count_documents({}) == postings_before
    assert len(_distinct(await kafka.read(topics.PAYMENT_POSTED))) == posted_events_before


async def _wait_for_duplicates(port: int, expected: int, timeout: float = 60.0) -> None:
    """Until the service's metrics say it has re-read `expected` events and found each handled before."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        text = await asyncio.to_thread(_metrics, port)
        seen = sum(float(v) for v in re.findall(r'rcm_events_consumed_total\{[^}]*outcome="duplicate"[^}]*\} ([0-9.e+]+)', text))
        if seen >= expected:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"replay re-read {seen} of {expected} events within {timeout}s")
        await asyncio.sleep(0.5)


def _metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
        return answer.read().decode()
