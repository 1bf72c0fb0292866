"""Registration rules."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration import domain
from shared.events import Coverage, CoverageOrder, DocumentedService
from shared.ids import encounter_id_for, patient_id_for
from tests.support.builders import a_registration_request


def test_a_visit_registers_with_name_based_encounter_and_patient_ids() -> None:
    request = a_registration_request("V-1")
    encounter = domain.register(request, "clinic-a")
    assert encounter.encounter_id == encounter_id_for("clinic-a", "V-1")
    assert encounter.patient_id == patient_id_for("clinic-a", request.patient.mrn)


def test_the_same_visit_at_two_tenants_is_two_encounters() -> None:
    request = a_registration_request("V-1")
    assert domain.register(request, "clinic-a").encounter_id != domain.register(request, "clinic-b").encounter_id


def test_coverages_are_ordered_primary_first() -> None:
    request = a_registration_request()
    primary = request.coverages[0]
    secondary = Coverage(payer_id="SIMACME02", payer_name="Acme Test Health HMO", member_id="SIMM2",
                         order=CoverageOrder.SECONDARY)
    encounter = domain.register(request.model_copy(update={"coverages": (secondary, primary)}), "clinic-a")
    assert [c.order for c in encounter.coverages] == [CoverageOrder.PRIMARY, CoverageOrder.SECONDARY]


def test_a_visit_without_primary_coverage_is_refused() -> None:
    request = a_registration_request()
    only_secondary = (request.coverages[0].model_copy(update={"order": CoverageOrder.SECONDARY}),)
    with pytest.raises(domain.NoPrimaryCoverage):
        domain.register(request.model_copy(update={"coverages": only_secondary}), "clinic-a")


def test_a_date_of_service_after_the_registration_is_refused() -> None:
    with pytest.raises(domain.ServiceAfterRegistration):
        domain.register(a_registration_request(date_of_service=date(2026, 12, 25)), "clinic-a")


def test_a_service_pointing_at_a_missing_diagnosis_is_refused_without_naming_the_patient() -> None:
    request = a_registration_request(last_name="Zzprivate", services=(
        DocumentedService(procedure_code="99213", diagnosis_pointers=(2,)),))
    with pytest.raises(domain.DiagnosisPointerOutOfRange) as refused:
        domain.register(request, "clinic-a")
    assert "Zzprivate" not in str(refused.value)
    assert refused.value.code == "DIAGNOSIS_POINTER_INVALID"
