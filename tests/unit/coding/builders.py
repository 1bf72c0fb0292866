"""Builders for coding tests: synthetic encounters and chargemasters, valid unless told otherwise.

Every patient here is made up ("Testpatient Alpha"); ids are fixed so results are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from services.coding.chargemaster import Chargemaster, ChargemasterEntry
from shared.events import (
    Address,
    Coverage,
    Diagnosis,
    DocumentedService,
    EncounterRegistered,
    Patient,
    Provider,
    Sex,
    Visit,
)

ENCOUNTER_ID = "enc_" + "0123456789abcdef" * 2
PATIENT_ID = "pat_" + "fedcba9876543210" * 2
DATE_OF_SERVICE = date(2026, 3, 2)
LONG_AGO = date(2020, 1, 1)
# 1234567893 is the example NPI from the CMS NPI check-digit paper: a valid check digit, nobody's.
SYNTHETIC_NPI = "1234567893"


def a_patient() -> Patient:
    return Patient(
        mrn="MRN-TEST-0001",
        first_name="Testpatient",
        last_name="Alpha",
        birth_date=date(1980, 1, 1),
        sex=Sex.UNKNOWN,
        address=Address(line1="1 Synthetic Way", city="Testville", state="ZZ", postal_code="00000"),
    )


def a_visit(date_of_service: date = DATE_OF_SERVICE) -> Visit:
    provider = Provider(npi=SYNTHETIC_NPI, name="Test Clinic Provider")
    return Visit(visit_number="V-TEST-0001", date_of_service=date_of_service, place_of_service="11",
                 rendering=provider, billing=provider)


def a_service(procedure_code: str = "99213", *, modifiers: Sequence[str] = (), units: int = 1,
              diagnosis_pointers: Sequence[int] = (1,)) -> DocumentedService:
    return DocumentedService(procedure_code=procedure_code, modifiers=tuple(modifiers), units=units,
                             diagnosis_pointers=tuple(diagnosis_pointers))


def an_unchecked_service(procedure_code: str = "99213", *, modifiers: Sequence[str] = (), units: int = 1,
                         diagnosis_pointers: Sequence[int] = (1,)) -> DocumentedService:
    """A service that skipped validation, as if a producer bypassed the event contract."""
    return DocumentedService.model_construct(procedure_code=procedure_code, modifiers=tuple(modifiers),
                                             units=units, diagnosis_pointers=tuple(diagnosis_pointers))


def a_registered_encounter(*, diagnoses: Sequence[str] = ("E11.9",),
                           services: Sequence[DocumentedService] | None = None,
                           date_of_service: date = DATE_OF_SERVICE) -> EncounterRegistered:
    return EncounterRegistered(
        encounter_id=ENCOUNTER_ID,
        patient_id=PATIENT_ID,
        registered_at=datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
        patient=a_patient(),
        coverages=(Coverage(payer_id="TESTPAYER1", payer_name="Test Payer", member_id="TEST-MEMBER-1"),),
        visit=a_visit(date_of_service),
        services=tuple(services) if services is not None else (a_service(),),
        diagnoses=tuple(Diagnosis(code=code) for code in diagnoses),
        note="synthetic note",
    )


def an_entry(procedure_code: str = "99213", price: str = "125.00", *, modifier: str | None = None,
             effective_from: date = LONG_AGO, effective_to: date | None = None,
             description: str = "Tenant description") -> ChargemasterEntry:
    return ChargemasterEntry(procedure_code=procedure_code, modifier=modifier, unit_price=Decimal(price),
                             effective_from=effective_from, effective_to=effective_to, description=description)


def a_chargemaster(*entries: ChargemasterEntry) -> Chargemaster:
    """The given entries, or a small default price list when none are given."""
    return Chargemaster(entries or (
        an_entry("99213", "125.00"),
        an_entry("36415", "15.50"),
        an_entry("J1885", "8.25"),
        an_entry("71046", "90.00"),
        an_entry("71046", "30.00", modifier="26"),
        an_entry("3074F", "0.00"),
        an_entry("0042T", "410.00"),
    ))
