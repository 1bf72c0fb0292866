import math
from collections import Counter
from datetime import date, timedelta

import pytest
import simple_icd_10_cm as icd10cm

from shared.codes.npi import is_valid_npi
from shared.ids import encounter_id_for
from simulator.feed import (
    DIAGNOSIS_PHRASES,
    INVALID_DIAGNOSIS_CODES,
    SCRUB_CATEGORY,
    SCRUB_ERRORS,
    UNPRICED_PROCEDURE_CODES,
    ErrorRates,
    InjectedError,
    SimulatedVisit,
    registrations,
)
from simulator.population import World, unit_price

RIGHT_SIDE = {"M25561", "M1711", "S83241A", "M25511", "M19011", "M75101", "M7061", "S93401A", "M79671"}
LEFT_SIDE = {"M25562", "M1712", "S83242A", "M25512", "M19012", "M75102", "M7062", "S93402A", "M79672"}


def billable(code: str) -> bool:
    return icd10cm.is_valid_item(code) and icd10cm.is_leaf(code)


@pytest.fixture(scope="module")
def visits(world: World, start: date) -> list[SimulatedVisit]:
    """Visits with errors injected at a high rate, so every kind shows up."""
    rates = ErrorRates(invalid_diagnosis=0.05, invalid_rendering_npi=0.05, unpriced_procedure=0.05)
    return registrations(world, 1_500, start=start, error_rates=rates, seed=9)


def test_the_same_seed_gives_the_same_visits(world: World, start: date) -> None:
    first = registrations(world, 200, start=start, seed=1)
    again = registrations(world, 200, start=start, seed=1)
    assert first == again


def test_a_different_seed_gives_different_visits(world: World, start: date) -> None:
    first = registrations(world, 200, start=start, seed=1)
    other = registrations(world, 200, start=start, seed=2)
    assert [v.request.services for v in first] != [v.request.services for v in other]


def test_every_diagnosis_the_feed_knows_is_a_billable_icd10cm_code() -> None:
    assert [code for code in DIAGNOSIS_PHRASES if not billable(code)] == []


def test_injected_diagnosis_codes_are_not_billable() -> None:
    assert not any(billable(code) for code in INVALID_DIAGNOSIS_CODES)


def test_every_visit_comes_from_the_simulator_on_a_clinic_day_before_start(
        visits: list[SimulatedVisit], start: date) -> None:
    for visit in visits:
        request = visit.request
        assert request.source == "simulator"
        if visit.injected is not InjectedError.PAST_FILING_LIMIT:  # moved past every filing limit
            assert start - timedelta(days=90) <= request.visit.date_of_service < start
        assert request.registered_at.utcoffset() == timedelta(0)
        assert request.registered_at.date() == request.visit.date_of_service


def test_dates_of_service_spread_over_the_whole_window(visits: list[SimulatedVisit]) -> None:
    assert len({visit.request.visit.date_of_service for visit in visits}) > 60


def test_visit_numbers_and_message_ids_are_unique(visits: list[SimulatedVisit]) -> None:
    assert len({(v.tenant_id, v.request.visit.visit_number) for v in visits}) == len(visits)
    assert len({v.request.source_message_id for v in visits}) == len(visits)


def test_runs_with_different_seeds_never_share_an_encounter(world: World, start: date) -> None:
    first = {v.encounter_id for v in registrations(world, 300, start=start, seed=1)}
    other = {v.encounter_id for v in registrations(world, 300, start=start, seed=2)}
    assert first.isdisjoint(other)


def test_the_encounter_id_is_the_shared_id_of_the_tenants_visit(visits: list[SimulatedVisit]) -> None:
    visit = visits[0]
    assert visit.encounter_id == encounter_id_for(visit.tenant_id, visit.request.visit.visit_number)


def test_every_visit_is_billed_by_its_own_practice(world: World, visits: list[SimulatedVisit]) -> None:
    panels = {p.tenant_id: {s.patient.mrn: s.patient for s in p.patients} for p in world.practices}
    for visit in visits:
        assert visit.request.visit.billing == world.practice(visit.tenant_id).billing
        patient = panels[visit.tenant_id][visit.request.patient.mrn]
        if visit.injected in (InjectedError.PREGNANCY_CODE_ON_MALE, InjectedError.PAST_FILING_LIMIT):
            assert patient.mrn == visit.request.patient.mrn  # sex or birth date changed for this visit only
        else:
            assert patient == visit.request.patient


def test_every_rendering_npi_is_valid_except_where_injected(visits: list[SimulatedVisit]) -> None:
    for visit in visits:
        injected = visit.injected is InjectedError.INVALID_RENDERING_NPI
        assert is_valid_npi(visit.request.visit.rendering.npi) is not injected
        assert is_valid_npi(visit.request.visit.billing.npi)


def test_every_diagnosis_is_billable_except_one_where_injected(visits: list[SimulatedVisit]) -> None:
    for visit in visits:
        unbillable = [d.code for d in visit.request.diagnoses if not billable(d.code)]
        expected = 1 if visit.injected is InjectedError.INVALID_DIAGNOSIS else 0
        assert len(unbillable) == expected


def test_every_procedure_is_priced_by_the_chargemaster_except_where_injected(
        world: World, visits: list[SimulatedVisit]) -> None:
    for visit in visits:
        chargemaster = world.practice(visit.tenant_id).chargemaster
        unpriced = [s.procedure_code for s in visit.request.services
                    if unit_price(chargemaster, s.procedure_code, s.modifiers) is None]
        if visit.injected is InjectedError.UNPRICED_PROCEDURE:
            assert len(unpriced) == 1 and unpriced[0] in UNPRICED_PROCEDURE_CODES
        else:
            assert unpriced == []


def test_no_chargemaster_prices_an_injected_procedure(world: World) -> None:
    assert not any(unit_price(practice.chargemaster, code) is not None
                   for practice in world.practices for code in UNPRICED_PROCEDURE_CODES)


def test_diagnosis_pointers_point_at_diagnoses_of_the_visit(visits: list[SimulatedVisit]) -> None:
    for visit in visits:
        count = len(visit.request.diagnoses)
        assert all(1 <= pointer <= count for s in visit.request.services for pointer in s.diagnosis_pointers)


def test_every_diagnosis_supports_at_least_one_service(visits: list[SimulatedVisit]) -> None:
    for visit in (v for v in visits if v.injected is None):
        pointed = {pointer for s in visit.request.services for pointer in s.diagnosis_pointers}
        assert pointed >= set(range(1, min(len(visit.request.diagnoses), 4) + 1))


def test_most_visits_have_one_to_four_diagnoses_and_none_more_than_twelve(visits: list[SimulatedVisit]) -> None:
    counts = [len(visit.request.diagnoses) for visit in visits]
    assert max(counts) <= 12
    assert sum(count <= 4 for count in counts) / len(counts) > 0.9
    assert any(count > 4 for count in counts)


def test_most_services_are_one_unit(visits: list[SimulatedVisit]) -> None:
    units = [s.units for visit in visits for s in visit.request.services]
    assert sum(unit == 1 for unit in units) / len(units) > 0.9


def test_the_note_names_every_diagnosis(visits: list[SimulatedVisit]) -> None:
    for visit in (v for v in visits if v.injected is not InjectedError.INVALID_DIAGNOSIS):
        assert all(DIAGNOSIS_PHRASES[d.code] in visit.request.note for d in visit.request.diagnoses)


def test_a_side_modifier_matches_the_side_of_its_diagnosis(visits: list[SimulatedVisit]) -> None:
    for visit in (v for v in visits if v.injected is not InjectedError.INVALID_DIAGNOSIS):
        codes = [d.code for d in visit.request.diagnoses]
        for service in visit.request.services:
            first = codes[service.diagnosis_pointers[0] - 1]
            if "RT" in service.modifiers:
                assert first in RIGHT_SIDE
            if "LT" in service.modifiers:
                assert first in LEFT_SIDE


def test_every_specialty_produces_its_own_services(visits: list[SimulatedVisit]) -> None:
    codes = {tenant: set() for tenant in ("northside-family", "lakeview-ortho", "riverbend-peds")}
    for visit in visits:
        codes[visit.tenant_id].update(s.procedure_code for s in visit.request.services)
    assert {"99213", "36415", "G0439", "81002"} <= codes["northside-family"]
    assert {"20610", "J1100", "J3301", "73562", "29881"} <= codes["lakeview-ortho"]
    assert {"99392", "99393", "90460", "96110"} <= codes["riverbend-peds"]


def test_some_patients_arrive_with_a_secondary_coverage(visits: list[SimulatedVisit]) -> None:
    assert any(len(visit.request.coverages) == 2 for visit in visits)


def test_error_rates_are_honoured_within_binomial_tolerance(world: World, start: date) -> None:
    rates = ErrorRates(invalid_diagnosis=0.02, invalid_rendering_npi=0.05, unpriced_procedure=0.10)
    visits = registrations(world, 2_000, start=start, error_rates=rates, seed=77)
    counts = Counter(visit.injected for visit in visits)
    for error, rate in ((InjectedError.INVALID_DIAGNOSIS, 0.02), (InjectedError.INVALID_RENDERING_NPI, 0.05),
                        (InjectedError.UNPRICED_PROCEDURE, 0.10)):
        expected = 2_000 * rate
        assert abs(counts[error] - expected) <= 4 * math.sqrt(expected * (1 - rate))


def test_zero_error_rates_inject_nothing(clean_visits: list[SimulatedVisit]) -> None:
    assert all(visit.injected is None for visit in clean_visits)


def test_changing_the_error_rates_changes_only_the_injected_visits(world: World, start: date) -> None:
    clean = registrations(world, 500, start=start, error_rates=ErrorRates.none(), seed=3)
    faulty = registrations(world, 500, start=start, error_rates=ErrorRates(0.1, 0.1, 0.1), seed=3)
    for before, after in zip(clean, faulty, strict=True):
        assert (before.request == after.request) is (after.injected is None)


def test_scrubber_error_classes_are_injected_at_their_rates(world: World, start: date) -> None:
    visits = registrations(world, 2_000, start=start, error_rates=ErrorRates.only_scrub_errors(0.02), seed=78)
    counts = Counter(visit.injected for visit in visits)
    expected = 2_000 * 0.02
    for error in SCRUB_ERRORS:
        # A duplicate needs a clean visit before it; every other class lands where drawn.
        assert abs(counts[error] - expected) <= 4 * math.sqrt(expected * 0.98), error
    assert all(SCRUB_CATEGORY[error] for error in SCRUB_ERRORS)


def test_no_two_clean_visits_bill_the_same_patient_clinician_and_day(world: World, start: date) -> None:
    visits = registrations(world, 3_000, start=start, error_rates=ErrorRates.none(), seed=5)
    keys = [(v.tenant_id, v.request.patient.mrn, v.request.visit.rendering.npi, v.request.visit.date_of_service)
            for v in visits]
    assert len(set(keys)) == len(keys)
    assert all(start - timedelta(days=90) <= v.request.visit.date_of_service < start for v in visits)


def test_error_rates_adding_up_to_more_than_one_are_refused() -> None:
    with pytest.raises(ValueError):
        ErrorRates(invalid_diagnosis=0.5, invalid_rendering_npi=0.4, unpriced_procedure=0.2)
