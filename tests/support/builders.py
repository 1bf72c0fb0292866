"""Builders of synthetic events for tests. Every patient is obviously fake."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from shared import topics
from shared.envelope import Envelope, new_event
from shared.events import (
    Address, Coverage, Diagnosis, DocumentedService, Patient, Provider, RegistrationRequested, Sex, Visit,
)
from shared.ids import encounter_id_for

TENANT = "test-clinic"
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)
RENDERING = Provider(npi="1234567893", name="TESTDOC ALPHA")  # a valid check digit
BILLING = Provider(npi="1245319599", name="TEST CLINIC GROUP", tax_id="123456789")


def a_patient(mrn: str = "MRN-TEST-1", last_name: str = "Testpatient") -> Patient:
    return Patient(mrn=mrn, first_name="Zzalpha", last_name=last_name, birth_date=date(1970, 1, 1),
                   sex=Sex.FEMALE, address=Address(line1="1 Synthetic Way", city="Testville", state="ZZ",
                                                   postal_code="00000"))


def a_registration_request(visit_number: str | None = None, *, last_name: str = "Testpatient",
                           diagnoses: tuple[str, ...] = ("I10",), services: tuple[DocumentedService, ...] | None = None,
                           date_of_service: date = date(2026, 11, 1), rendering: Provider = RENDERING,
                           member_id: str = "SIMMEMBER0001") -> RegistrationRequested:
    visit_number = visit_number or "V" + uuid.uuid4().hex[:12]
    return RegistrationRequested(
        source="simulator",
        source_message_id="MSG-" + visit_number,
        registered_at=NOW,
        patient=a_patient(mrn="MRN-" + visit_number, last_name=last_name),
        coverages=(Coverage(payer_id="SIMBLUE01", payer_name="Synthetic Blue Plan", member_id=member_id),),
        visit=Visit(visit_number=visit_number, date_of_service=date_of_service, place_of_service="11",
                    rendering=rendering, billing=BILLING),
        services=services or (DocumentedService(procedure_code="99213", diagnosis_pointers=(1,)),),
        diagnoses=tuple(Diagnosis(code=c) for c in diagnoses),
        note="Synthetic note for a test visit.",
    )


def a_registration_event(request: RegistrationRequested | None = None, tenant_id: str = TENANT) -> Envelope:
    request = request or a_registration_request()
    return new_event(topics.REGISTRATION_REQUESTED, request, producer="tests", now=NOW, tenant_id=tenant_id,
                     correlation_id=encounter_id_for(tenant_id, request.visit.visit_number))


def a_coded_encounter(request: RegistrationRequested | None = None, *, tenant_id: str = TENANT,
                      unit_price: str = "100.00"):
    """The EncounterCoded payload coding would produce for `request`, priced at `unit_price` a unit."""
    from decimal import Decimal

    from shared.events import ChargeLine, EncounterCoded
    from shared.ids import patient_id_for

    request = request or a_registration_request()
    lines = tuple(
        ChargeLine(line_number=n, line_item_control_number=f"L{n}", procedure_code=s.procedure_code,
                   modifiers=s.modifiers, units=s.units, charge=Decimal(unit_price) * s.units,
                   diagnosis_pointers=s.diagnosis_pointers)
        for n, s in enumerate(request.services, start=1))
    return EncounterCoded(
        encounter_id=encounter_id_for(tenant_id, request.visit.visit_number),
        patient_id=patient_id_for(tenant_id, request.patient.mrn), registered_at=request.registered_at,
        patient=request.patient, coverages=request.coverages, visit=request.visit,
        diagnoses=tuple(d.code.replace(".", "").upper() for d in request.diagnoses), lines=lines,
        total_charge=sum((line.charge for line in lines), Decimal("0.00")))


def a_coded_event(coded=None, tenant_id: str = TENANT) -> Envelope:
    coded = coded or a_coded_encounter(tenant_id=tenant_id)
    return new_event(topics.ENCOUNTER_CODED, coded, producer="tests", now=NOW, tenant_id=tenant_id,
                     correlation_id=coded.encounter_id)
