"""Every simulated visit, sent as HL7 v2, maps back to the visit the simulator meant."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.registration.feed import FeedKind, Outcome, VisitDraft, apply
from services.registration.hl7.mapping import map_message
from simulator.feed import ErrorRates, registrations
from simulator.hl7_feed import encode, facilities, facilities_json
from simulator.population import build_world

SENT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_simulated_visits_round_trip_through_the_hl7_mapping() -> None:
    world = build_world(7, patients_per_practice=40)
    table = facilities(world)
    visits = registrations(world, 300, start=date(2026, 11, 2), error_rates=ErrorRates(), seed=7)
    clean = [v for v in visits if v.injected is None]  # injected errors (e.g. a repeated pointer) are not HL7's to keep
    assert len(clean) > 250
    for n, simulated in enumerate(clean):
        request = simulated.request
        mapped = map_message(encode(simulated.tenant_id, request, f"SIM{n}", SENT), table)
        message = mapped.message
        assert mapped.facility.tenant_id == simulated.tenant_id and message.kind is FeedKind.REGISTER
        assert message.patient == request.patient
        assert message.coverages == request.coverages
        assert message.visit.model_dump(exclude={"rendering"}) == request.visit.model_dump(exclude={"rendering"})
        assert message.visit.rendering.npi == request.visit.rendering.npi
        assert message.services == request.services
        assert message.diagnoses == request.diagnoses
        _, outcome = apply(VisitDraft(visit_number=message.visit_number), message)
        assert outcome is Outcome.REQUESTED


def test_the_facility_table_is_valid_settings_json(monkeypatch) -> None:
    from services.registration.settings import RegistrationSettings

    world = build_world(7, patients_per_practice=5)
    monkeypatch.setenv("RCM_REGISTRATION_FEED_FACILITIES", facilities_json(world))
    settings = RegistrationSettings()
    assert {f.tenant_id for f in settings.registration_feed_facilities.values()} == {p.tenant_id for p in world.practices}
