"""What a feed says about a visit beyond its codes reaches the registration request: the note
(HL7 OBX text observations, a FHIR DocumentReference), the rendering provider's taxonomy (HL7 ROL,
a FHIR PractitionerRole) and when the practice registered the visit (PV1-44, Encounter.period.start)."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime

from services.registration.feed import FeedKind, FeedMessage, Outcome, VisitDraft, apply, registration_request
from services.registration.fhir.mapping import map_resource
from services.registration.hl7.mapping import map_message
from shared.events import Provider, RegistrationRequested, Relationship
from tests.unit.ehr.samples import FACILITIES, a04, a08, dft, fhir_bundle, segment

BILLING = Provider(npi="1245319599", name="TEST CLINIC GROUP", tax_id="123456789")
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
OBX_NOTE = segment("OBX", {1: "1", 2: "TX", 3: "11506-3^Progress note^LN",
                           5: r"Synthetic note: cough \T\ fever~Assessment: J02.9\S\pharyngitis", 11: "F"})
ROL_ATTENDING = segment("ROL", {1: "1", 2: "AD", 3: "AT^Attending^HL70443", 4: "1234567893^Zzdoc^Alpha^^^^^^NPI",
                                9: "207Q00000X^^NUCCPT"})


def registered(*messages: FeedMessage) -> RegistrationRequested:
    draft = VisitDraft(visit_number=messages[0].visit_number)
    for message in messages:
        draft, outcome = apply(draft, message)
    assert outcome is Outcome.REQUESTED
    return registration_request(draft, messages[0].source, messages[0].message_id, NOW)


def hl7(text: str) -> FeedMessage:
    return map_message(text, FACILITIES).message


# --- HL7 v2 ----------------------------------------------------------------------------------------

def test_an_obx_text_observation_is_the_visits_note_one_line_per_repetition() -> None:
    message = hl7(a04(extra=(OBX_NOTE,)))
    assert message.note == "Synthetic note: cough & fever\nAssessment: J02.9^pharyngitis"  # unescaped
    assert registered(message).note == message.note


def test_numeric_observations_are_not_the_note() -> None:
    vitals = segment("OBX", {1: "1", 2: "NM", 3: "8302-2^Height^LN", 5: "180", 6: "cm", 11: "F"})
    assert hl7(a04(extra=(vitals,))).note is None


def test_the_notes_of_an_a04_and_its_dft_are_both_kept() -> None:
    dft_note = segment("OBX", {1: "1", 2: "TX", 5: "Knee injected.", 11: "F"})
    request = registered(hl7(a04(charges=False, extra=(OBX_NOTE,))), hl7(dft() + "\r" + dft_note))
    assert request.note.startswith("Synthetic note") and request.note.endswith("\n\nKnee injected.")


def test_an_a08_note_does_not_change_the_visit() -> None:
    draft, _ = apply(VisitDraft(visit_number="V1"), hl7(a04(charges=False)))
    draft, _ = apply(draft, hl7(a08() + "\r" + OBX_NOTE))
    assert draft.note is None


def test_the_attendings_taxonomy_comes_from_its_rol_segment() -> None:
    assert hl7(a04(extra=(ROL_ATTENDING,))).visit.rendering.taxonomy == "207Q00000X"
    assert hl7(a04(extra=(ROL_ATTENDING.replace("1234567893^", "1999999992^"),))).visit.rendering.taxonomy is None
    assert hl7(a04()).visit.rendering.taxonomy is None


def test_a_malformed_taxonomy_is_a_work_item_naming_rol_9() -> None:
    message = map_message(a04(extra=(ROL_ATTENDING.replace("207Q00000X", "FAMILY"),)), FACILITIES).message
    assert message.visit is None
    assert [(i.code, i.field) for i in message.issues] == [("INVALID_FIELD", "ROL-9")]


def test_the_visits_start_time_is_its_registration_time() -> None:
    assert registered(hl7(a04())).registered_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # PV1-44 20261101090000


def test_a_date_of_service_alone_registers_the_visit_now() -> None:
    assert registered(hl7(a04().replace("20261101090000", "20261101"))).registered_at == NOW


def test_a_start_time_after_now_registers_the_visit_now() -> None:
    request = registration_request(apply(VisitDraft(visit_number="V1"), hl7(a04().replace("20261101090000", "20261103090000")))[0],
                                   "hl7v2", "C1", NOW)
    assert request.registered_at == NOW  # registration then refuses the future date of service


# --- FHIR R4 ---------------------------------------------------------------------------------------

def a_bundle_with(*resources: dict) -> dict:
    bundle = fhir_bundle()
    bundle["entry"] += [{"fullUrl": f"urn:uuid:extra-{n}", "resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
                        for n, r in enumerate(resources)]
    return bundle


def document_reference(text: str, *, data: str | None = None) -> dict:
    return {"resourceType": "DocumentReference", "status": "current", "subject": {"reference": "Patient/p1"},
            "context": {"encounter": [{"reference": "Encounter/e1"}]},
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": data or base64.b64encode(text.encode()).decode()}}]}


def test_a_document_reference_is_the_visits_note() -> None:
    [message] = map_resource(a_bundle_with(document_reference("Synthetic note.\nSore throat.")), BILLING)
    assert message.note == "Synthetic note.\nSore throat."
    assert registered(message).note == "Synthetic note.\nSore throat."


def test_a_document_reference_that_is_not_utf_8_text_is_a_work_item_naming_its_data() -> None:
    latin_1 = base64.b64encode("Zzbeta's café".encode("latin-1")).decode()
    [message] = map_resource(a_bundle_with(document_reference("", data=latin_1)), BILLING)
    assert [i.field for i in message.issues] == ["Bundle.entry[6].resource.content[0].attachment.data"]


def test_coverage_type_subscriber_and_encounter_type_and_role_carry_what_the_claim_needs() -> None:
    bundle = fhir_bundle()
    coverage, encounter = bundle["entry"][1]["resource"], bundle["entry"][2]["resource"]
    coverage.update({"relationship": {"coding": [{"code": "child"}]},
                     "type": {"coding": [{"system": "https://codesystem.x12.org/005010/1032", "code": "MC"}]},
                     "contained": [{"resourceType": "RelatedPerson", "id": "holder", "patient": {"reference": "Patient/p1"},
                                    "name": [{"family": "Zzparent", "given": ["Zzgamma"]}], "gender": "female",
                                    "birthDate": "1975-04-05"}],
                     "subscriber": {"reference": "#holder"}})
    encounter["type"] = [{"coding": [{"system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
                                                "Place_of_Service_Code_Set", "code": "24"}]}]
    encounter["period"]["start"] = "2026-11-01T14:30:00+00:00"
    encounter["contained"] = [{"resourceType": "PractitionerRole", "id": "r1",
                               "specialty": [{"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": "207X00000X"}]}]}]
    encounter["participant"][0]["individual"]["reference"] = "#r1"
    [message] = map_resource(bundle, BILLING)
    [coverage] = message.coverages
    assert (coverage.relationship, coverage.claim_filing_indicator) == (Relationship.CHILD, "MC")
    assert (coverage.subscriber.last_name, coverage.subscriber.birth_date.isoformat()) == ("Zzparent", "1975-04-05")
    assert message.visit.place_of_service == "24" and message.visit.rendering.taxonomy == "207X00000X"
    assert message.kind is FeedKind.REGISTER
    assert registered(message).registered_at == datetime(2026, 11, 1, 14, 30, tzinfo=UTC)


def test_without_those_codings_the_encounter_class_and_commercial_filing_apply() -> None:
    [message] = map_resource(fhir_bundle(), BILLING)
    assert message.visit.place_of_service == "11" and message.coverages[0].claim_filing_indicator == "CI"
    assert message.coverages[0].subscriber is None and message.visit.rendering.taxonomy is None
    assert registered(message).registered_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_a_subscriber_with_a_partial_birth_date_is_refused_naming_the_coverage() -> None:
    bundle = copy.deepcopy(fhir_bundle())
    bundle["entry"][1]["resource"].update({
        "relationship": {"coding": [{"code": "spouse"}]}, "subscriber": {"reference": "#holder"},
        "contained": [{"resourceType": "RelatedPerson", "id": "holder", "patient": {"reference": "Patient/p1"},
                       "name": [{"family": "Zzspouse", "given": ["Zzdelta"]}], "birthDate": "1975"}]})
    [message] = map_resource(bundle, BILLING)
    assert [i.field for i in message.issues] == ["Bundle.entry[1].resource.subscriber"] and message.coverages == ()
