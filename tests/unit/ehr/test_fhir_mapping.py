"""FHIR R4 Bundles and resources map to feed messages; invalid ones are refused naming the location."""

from __future__ import annotations

import copy

import pytest

from services.registration.feed import FeedKind
from services.registration.fhir.mapping import FhirMappingError, map_resource
from shared.events import CoverageOrder, Provider
from tests.unit.ehr.samples import fhir_bundle, fhir_patient

BILLING = Provider(npi="1245319599", name="TEST CLINIC GROUP", tax_id="123456789")


def test_a_transaction_bundle_maps_to_one_registration() -> None:
    [message] = map_resource(fhir_bundle(), BILLING)
    assert message.kind is FeedKind.REGISTER and message.visit_number == "FV1" and message.source == "fhir"
    assert message.patient.mrn == "F001" and message.patient.last_name == "Zzfhir"
    [coverage] = message.coverages
    assert (coverage.payer_id, coverage.member_id, coverage.group_number, coverage.order) == (
        "SIMBLUE01", "FMEMBER1", "GRP9", CoverageOrder.PRIMARY)
    assert message.visit.place_of_service == "11" and message.visit.rendering.npi == "1234567893"
    assert message.visit.billing == BILLING
    assert [(s.procedure_code, s.modifiers, s.diagnosis_pointers) for s in message.services] == [
        ("99213", ("25",), (1,)), ("87880", (), (1,))]
    assert [d.code for d in message.diagnoses] == ["J02.9"]


def test_a_single_patient_is_an_update() -> None:
    [message] = map_resource(fhir_patient(), BILLING)
    assert message.kind is FeedKind.UPDATE and message.visit_number is None and message.patient.mrn == "F001"


def test_a_charge_item_alone_points_at_its_visit_by_identifier() -> None:
    bundle = fhir_bundle()
    charge = copy.deepcopy(bundle["entry"][4]["resource"])
    charge["context"] = {"identifier": {"value": "FV1"}}
    del charge["reason"]
    [message] = map_resource(charge, BILLING)
    assert message.kind is FeedKind.CHARGES and message.visit_number == "FV1"


def test_the_same_content_gets_the_same_message_id() -> None:
    assert map_resource(fhir_bundle(), BILLING)[0].message_id == map_resource(fhir_bundle(), BILLING)[0].message_id
    assert map_resource(fhir_bundle(bundle_id="b7"), BILLING)[0].message_id.startswith("Bundle/b7#")


@pytest.mark.parametrize(("document", "status", "location"), [
    ({"resourceType": "Observation", "status": "final", "code": {}}, 400, "Observation"),
    ([1, 2], 400, "resourceType"),
    (fhir_patient(birthDate="19xx"), 422, "Patient.birthDate"),
    (fhir_patient(bogus=1), 422, "Patient.bogus"),
])
def test_bad_input_is_refused_with_status_and_location(document, status: int, location: str) -> None:
    with pytest.raises(FhirMappingError) as refused:
        map_resource(document, BILLING)
    assert (refused.value.status, refused.value.location) == (status, location)
    assert "Zz" not in str(refused.value) and "19xx" not in str(refused.value)


def issues_of(document) -> set[tuple[str, str]]:
    return {(i.code, i.field) for m in map_resource(document, BILLING) for i in m.issues}


def test_a_patient_without_an_mrn_is_a_work_item_naming_the_identifier() -> None:
    assert issues_of(fhir_patient(identifier=[])) == {("REQUIRED_FIELD_MISSING", "Patient.identifier")}


def test_a_bundle_entry_that_billing_cannot_use_is_a_work_item_naming_the_entry() -> None:
    bundle = fhir_bundle()
    bundle["entry"][2]["resource"]["participant"] = []
    assert issues_of(bundle) == {("REQUIRED_FIELD_MISSING", "Bundle.entry[2].resource.participant")}


def test_a_charge_pointing_at_an_unsent_diagnosis_is_a_work_item() -> None:
    bundle = fhir_bundle()
    bundle["entry"][4]["resource"]["reason"][0]["coding"][0]["code"] = "Z99.9"
    assert issues_of(bundle) == {("DIAGNOSIS_NOT_SENT", "Bundle.entry[4].resource.reason")}
