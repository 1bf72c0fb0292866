"""Registration rules: a visit from an EHR feed becomes a registered encounter.

Pure: no I/O. The encounter and patient ids are name-based (shared/ids.py), so the same visit sent
twice by a feed registers one encounter.
"""

from __future__ import annotations

from shared.errors import RcmError
from shared.events import CoverageOrder, EncounterRegistered, RegistrationRequested
from shared.ids import encounter_id_for, patient_id_for


class RegistrationError(RcmError):
    code = "REGISTRATION_ERROR"


class NoPrimaryCoverage(RegistrationError):
    code = "NO_PRIMARY_COVERAGE"


class ServiceAfterRegistration(RegistrationError):
    code = "DATE_OF_SERVICE_IN_FUTURE"


class DiagnosisPointerOutOfRange(RegistrationError):
    code = "DIAGNOSIS_POINTER_INVALID"


def register(request: RegistrationRequested, tenant_id: str) -> EncounterRegistered:
    """Return the registered encounter for `request`; raise RegistrationError for a visit that
    cannot be billed as sent (no primary coverage, a date of service after the registration,
    a service pointing at a diagnosis that was not sent)."""
    if not any(c.order is CoverageOrder.PRIMARY for c in request.coverages):
        raise NoPrimaryCoverage("visit has no primary coverage")
    if request.visit.date_of_service > request.registered_at.date():
        raise ServiceAfterRegistration("date of service is after the registration time")
    for number, service in enumerate(request.services, start=1):
        if max(service.diagnosis_pointers) > len(request.diagnoses):
            raise DiagnosisPointerOutOfRange(f"service {number} points at a diagnosis that was not sent")
    # Primary first, then secondary, tertiary: claims bill the first, COB the others.
    ordered = tuple(sorted(request.coverages, key=lambda c: list(CoverageOrder).index(c.order)))
    return EncounterRegistered(
        encounter_id=encounter_id_for(tenant_id, request.visit.visit_number),
        patient_id=patient_id_for(tenant_id, request.patient.mrn),
        registered_at=request.registered_at,
        patient=request.patient,
        coverages=ordered,
        visit=request.visit,
        services=request.services,
        diagnoses=request.diagnoses,
        note=request.note,
    )
