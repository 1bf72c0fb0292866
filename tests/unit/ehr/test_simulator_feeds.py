"""Every simulated visit, sent as HL7 v2 or as a FHIR Bundle, reaches registration as the visit the
simulator meant: registration's own mappings (services/registration/hl7, fhir) read it back, and
the registration request it completes carries the same patient, coverages, visit, services,
diagnoses, note and registration time. Only the injected errors registration corrects differ."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cli.cycle import CORRECTED_BY_REGISTRATION, Cycle, FeedAnswer, fhir_share
from services.registration.feed import FeedKind, FeedMessage, Outcome, VisitDraft, apply, registration_request
from services.registration.fhir.mapping import map_resource
from services.registration.hl7.mapping import map_message
from shared.events import RegistrationRequested
from shared.settings import ServiceSettings
from simulator.feed import SCRUB_ERRORS, ErrorRates, InjectedError, SimulatedVisit, registrations
from simulator.fhir_feed import bundle
from simulator.hl7_feed import ack_answer, encode, facilities, facilities_json
from simulator.population import build_world

SENT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
WORLD = build_world(7, patients_per_practice=40)
TABLE = facilities(WORLD)
# Every injected error class shows up (about 1 % each), beside many clean visits.
VISITS = registrations(WORLD, 1200, start=date(2026, 11, 2), seed=7,
                       error_rates=ErrorRates(0.01, 0.01, 0.01, tuple((error, 0.01) for error in SCRUB_ERRORS)))
# FHIR validation costs milliseconds a Bundle: every injected visit and a few hundred clean ones.
SOME_VISITS = [v for n, v in enumerate(VISITS) if v.injected is not None or n % 4 == 0]


def through_hl7(simulated: SimulatedVisit, n: int, sent: datetime = SENT) -> FeedMessage:
    mapped = map_message(encode(simulated.tenant_id, simulated.request, f"SIM{n}", sent), TABLE)
    assert mapped.facility.tenant_id == simulated.tenant_id
    return mapped.message


def through_fhir(simulated: SimulatedVisit, n: int, sent: datetime = SENT) -> FeedMessage:
    billing = next(f.billing for f in TABLE.values() if f.tenant_id == simulated.tenant_id)
    [message] = map_resource(bundle(simulated.request, f"sim7-{n}", sent), billing)
    return message


def registered(message: FeedMessage) -> RegistrationRequested:
    draft, outcome = apply(VisitDraft(visit_number=message.visit_number), message)
    assert message.kind is FeedKind.REGISTER and outcome is Outcome.REQUESTED
    return registration_request(draft, message.source, message.message_id, SENT)


def as_sent(request: RegistrationRequested) -> dict:
    """What must arrive: everything but the feed's own ids; registration upper-cases the rendering name."""
    sent = request.model_dump(exclude={"source", "source_message_id"})
    sent["visit"]["rendering"]["name"] = sent["visit"]["rendering"]["name"].upper()
    return sent


@pytest.mark.parametrize(("send", "visits"), [(through_hl7, VISITS), (through_fhir, SOME_VISITS)], ids=["hl7v2", "fhir"])
def test_every_simulated_visit_arrives_as_the_simulator_meant_it(send, visits: list[SimulatedVisit]) -> None:
    changed = set()
    for n, simulated in enumerate(visits):
        arrived = registered(send(simulated, n))
        if as_sent(arrived) != as_sent(simulated.request):
            changed.add(simulated.injected)
    assert {v.injected for v in visits} >= set(InjectedError)  # every class was tried
    assert changed == CORRECTED_BY_REGISTRATION


@pytest.mark.parametrize("send", [through_hl7, through_fhir], ids=["hl7v2", "fhir"])
def test_a_repeated_diagnosis_pointer_arrives_once(send) -> None:
    simulated = next(v for v in VISITS if v.injected is InjectedError.REPEATED_DIAGNOSIS_POINTER)
    first_sent, first_arrived = simulated.request.services[0], registered(send(simulated, 0)).services[0]
    assert len(set(first_sent.diagnosis_pointers)) < len(first_sent.diagnosis_pointers)
    assert first_arrived.diagnosis_pointers == tuple(dict.fromkeys(first_sent.diagnosis_pointers))


def test_the_note_the_taxonomy_and_a_dependents_subscriber_travel() -> None:
    dependent = next(v for v in VISITS if v.injected is None and v.request.coverages[0].subscriber is not None)
    for send in (through_hl7, through_fhir):
        arrived = registered(send(dependent, 1))
        assert arrived.note and arrived.note == dependent.request.note
        assert arrived.visit.rendering.taxonomy == dependent.request.visit.rendering.taxonomy
        assert arrived.coverages[0].subscriber == dependent.request.coverages[0].subscriber
        assert arrived.registered_at == dependent.request.registered_at < SENT


def test_one_send_time_is_the_same_time_to_registration_on_both_feeds() -> None:
    # Registration keeps a patient's demographics from the newest message: a FHIR Bundle sent with
    # an HL7 message must not look newer because it kept the microseconds MSH-7 drops.
    sent = datetime(2026, 11, 2, 8, 0, 0, 654321, tzinfo=UTC)
    assert through_hl7(VISITS[0], 0, sent).sent_at == through_fhir(VISITS[0], 0, sent).sent_at == sent.replace(microsecond=0)


def test_the_fhir_share_is_the_same_for_the_same_seed_and_about_the_share_asked() -> None:
    assert fhir_share(1000, 0.15, seed=3) == fhir_share(1000, 0.15, seed=3) != fhir_share(1000, 0.15, seed=4)
    assert 100 <= len(fhir_share(1000, 0.15, seed=3)) <= 200
    assert fhir_share(50, 0.0, seed=3) == frozenset() and fhir_share(50, 1.0, seed=3) == frozenset(range(50))


def test_an_error_ack_is_read_as_its_code_and_location() -> None:
    ack = ("MSH|^~\\&|RCM|RCM|SIMEHR|FAC|20261102080000||ACK^A04^ACK|a1|P|2.5.1\r"
           "MSA|AE|SIM1|PV1-7 is not valid (string_pattern_mismatch)\r"
           "ERR||PV1^1^7^1|102^INVALID_FIELD^HL70357|E||||PV1-7 is not valid\r")
    assert ack_answer(ack) == ("AE", "INVALID_FIELD PV1-7")
    assert ack_answer("MSH|^~\\&|RCM\rMSA|AA|SIM2\r") == ("AA", None)


def test_the_facility_table_is_valid_settings_json(monkeypatch) -> None:
    from services.registration.settings import RegistrationSettings

    world = build_world(7, patients_per_practice=5)
    monkeypatch.setenv("RCM_REGISTRATION_FEED_FACILITIES", facilities_json(world))
    settings = RegistrationSettings()
    assert {f.tenant_id for f in settings.registration_feed_facilities.values()} == {p.tenant_id for p in world.practices}


async def test_a_visit_a_feed_refused_is_counted_by_its_reason_and_not_waited_for() -> None:
    cycle = Cycle(ServiceSettings(), seed=7, world=WORLD)  # no server is asked anything here
    try:
        cycle.visits = VISITS[:3]
        cycle.answers = [FeedAnswer("hl7v2", "AA"), FeedAnswer("hl7v2", "AE", "INVALID_FIELD PV1-7"),
                         FeedAnswer("fhir", "200")]
        assert cycle.delivered == [VISITS[0], VISITS[2]]
        assert cycle.encounter_ids == [VISITS[0].encounter_id, VISITS[2].encounter_id]
        summary = cycle.feed_summary()
    finally:
        await cycle.close()
    assert summary["encounters_refused_by_feed"] == {"hl7v2 AE INVALID_FIELD PV1-7": 1}
    assert summary["feeds"] == {"hl7v2_over_mllp": {"visits": 2, "answers": {"AA": 1, "AE": 1}},
                                "fhir_over_http": {"visits": 1, "answers": {"200": 1}}}
