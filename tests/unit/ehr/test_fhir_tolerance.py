"""FHIR R4 as real senders write it: non-US addresses, payors as Organization references,
Encounters without identifiers, charges for an Encounter sent earlier. Pure rules."""

from __future__ import annotations

import copy
from datetime import date

from services.registration.crosswalk import EMPTY, Crosswalk, CrosswalkEntry, issues_for
from services.registration.fhir.mapping import map_resource
from shared.events import Provider
from tests.unit.ehr.samples import fhir_bundle, fhir_patient

BILLING = Provider(npi="1245319599", name="TEST CLINIC GROUP")
TODAY = date(2026, 11, 2)


def work_items(document, crosswalk: Crosswalk = EMPTY) -> set[tuple[str, str]]:
    return {(i.code, i.field) for m in map_resource(document, BILLING) for i in issues_for(m, crosswalk, TODAY)}


def test_a_patient_with_a_province_instead_of_a_state_is_a_work_item_not_a_refusal() -> None:
    patient = fhir_patient(address=[{"line": ["1 Synthetic Rd"], "city": "Testville", "state": "Ontario",
                                     "postalCode": "K1A 0B1"}])
    assert work_items(patient) == {("ADDRESS_NOT_USPS", "Patient.address")}
    abroad = fhir_patient(address=[{"line": ["1 Rue Fictive"], "city": "Paris", "postalCode": "75001", "country": "FR"}])
    assert work_items(abroad) == {("ADDRESS_NOT_US", "Patient.address")}


def _payor(bundle: dict, payor: dict, *, contained: list | None = None, extra: list | None = None) -> dict:
    bundle = copy.deepcopy(bundle)
    coverage = bundle["entry"][1]["resource"]
    coverage["payor"] = [payor]
    if contained:
        coverage["contained"] = contained
    for resource in extra or ():
        bundle["entry"].append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource,
                                "request": {"method": "POST", "url": resource["resourceType"]}})
    return bundle


ACME = CrosswalkEntry("code", "ACME-77", "ACMEHP", "Acme Health Plan", date(2020, 1, 1))
ACME_NAME = CrosswalkEntry("name", "ACME HEALTH PLAN INC", "ACMEHP", "Acme Health Plan", date(2020, 1, 1))
ORG = {"resourceType": "Organization", "id": "org1", "identifier": [{"value": "ACME-77"}], "name": "Acme Health Plan Inc"}


def test_a_payor_as_an_organization_contained_in_the_bundle_or_only_referenced_goes_through_the_crosswalk() -> None:
    bundle = fhir_bundle()
    contained = _payor(bundle, {"reference": "#org1"}, contained=[ORG])
    in_bundle = _payor(bundle, {"reference": "urn:uuid:org1"}, extra=[ORG])
    only_reference = _payor(bundle, {"reference": "Organization/ACME-77"})
    only_display = _payor(bundle, {"display": "Acme Health Plan Inc"})
    for document in (contained, in_bundle, only_reference):
        assert work_items(document) == {("PAYER_UNMAPPED", "coverage.primary.payer")}
        assert work_items(document, Crosswalk([ACME])) == set()
        assert map_resource(document, BILLING)[0].payer_refs[0].codes[0] == "ACME-77" or document is only_reference
    assert work_items(only_display) == {("PAYER_UNMAPPED", "coverage.primary.payer")}
    assert work_items(only_display, Crosswalk([ACME_NAME])) == set()


def test_a_coverage_without_payor_or_subscriber_id_is_a_work_item() -> None:
    bundle = fhir_bundle()
    del bundle["entry"][1]["resource"]["subscriberId"]
    assert work_items(bundle) == {("REQUIRED_FIELD_MISSING", "Bundle.entry[1].resource.subscriberId")}


def test_an_encounter_without_an_identifier_takes_its_id_then_its_full_url() -> None:
    bundle = fhir_bundle()
    del bundle["entry"][2]["resource"]["identifier"]
    [message] = map_resource(bundle, BILLING)
    assert message.visit_number == "e1" and message.services and work_items(bundle) == set()
    del bundle["entry"][2]["resource"]["id"]
    for entry in bundle["entry"][3:]:
        reference = entry["resource"].get("encounter") or entry["resource"].get("context")
        reference["reference"] = "urn:uuid:Encounter-e1"
    [message] = map_resource(bundle, BILLING)
    assert message.visit_number == "Encounter-e1" and len(message.services) == 2


def test_a_charge_item_for_an_encounter_outside_the_file_names_the_visit_by_its_id() -> None:
    charge = copy.deepcopy(fhir_bundle()["entry"][4]["resource"])
    charge["context"] = {"reference": "Encounter/e1"}
    charge["subject"] = {"reference": "Patient/p1"}
    del charge["reason"]
    [message] = map_resource(charge, BILLING)
    assert (message.visit_number, [s.procedure_code for s in message.services]) == ("e1", ["99213"])


def test_a_condition_coded_only_in_snomed_is_a_work_item_and_optional_data_may_be_missing() -> None:
    bundle = fhir_bundle()
    bundle["entry"][3]["resource"]["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": "43878008"}]}
    del bundle["entry"][4]["resource"]["reason"]
    for optional in ("gender",):
        bundle["entry"][0]["resource"].pop(optional)
    del bundle["entry"][1]["resource"]["class"]
    assert work_items(bundle) == {("REQUIRED_FIELD_MISSING", "Bundle.entry[3].resource.code")}


def test_a_bundle_with_practitioner_and_location_entries_is_taken() -> None:
    bundle = _payor(fhir_bundle(), {"identifier": {"value": "SIMBLUE01"}}, extra=[
        {"resourceType": "Practitioner", "id": "pr9", "name": [{"family": "Zzdoc"}]},
        {"resourceType": "Location", "id": "loc1", "name": "Synthetic clinic"}])
    [message] = map_resource(bundle, BILLING)
    assert message.visit is not None and work_items(bundle) == set()


def test_a_subject_that_is_not_a_patient_is_a_422_not_a_crash() -> None:
    import pytest

    from services.registration.fhir.mapping import FhirMappingError

    bundle = fhir_bundle()
    bundle["entry"][2]["resource"]["subject"] = {"reference": "urn:uuid:Coverage-c1"}
    with pytest.raises(FhirMappingError) as refused:
        map_resource(bundle, BILLING)
    assert refused.value.status == 422


def test_a_coding_list_sent_as_null_is_a_missing_code_not_a_crash() -> None:
    bundle = fhir_bundle()
    bundle["entry"][4]["resource"]["code"] = {"coding": None}
    assert ("REQUIRED_FIELD_MISSING", "Bundle.entry[4].resource.code") in work_items(bundle)
