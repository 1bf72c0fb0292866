"""Coding: check a registered encounter's codes and price its services from the chargemaster.

`code_encounter` either codes the encounter (every diagnosis billable, every service priced: the
charge lines a claim is built from) or holds it for a coder with every finding at once, so a coder
fixes an encounter in one pass instead of one rejection at a time.

Each edit is a small named function returning Findings. Findings name codes, line numbers and
diagnosis positions only, never patient data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from services.coding.chargemaster import Chargemaster, CodingError
from shared.codes import icd10cm
from shared.codes.procedures import classify, is_valid_modifier
from shared.events import (
    ChargeLine,
    Diagnosis,
    DocumentedService,
    EncounterCoded,
    EncounterHeldForCoding,
    EncounterRegistered,
    Finding,
)
from shared.money import CENT, total

__all__ = [
    "MAX_DIAGNOSES",
    "MAX_SERVICE_LINES",
    "Coded",
    "CodingError",
    "Held",
    "code_encounter",
]

# A professional claim (837P HI segment, CMS-1500 box 21) carries at most 12 diagnoses, and
# diagnosis pointers can only address those 12.
MAX_DIAGNOSES: Final = 12
# The most service lines one 837P claim may carry (and what EncounterCoded accepts).
MAX_SERVICE_LINES: Final = 50

_MAX_MESSAGE_LENGTH: Final = 200
_MAX_CODE_SHOWN: Final = 10


@dataclass(frozen=True, slots=True)
class Coded:
    """The encounter passed every edit; `payload` is the event to emit. `warnings` are findings
    that do not stop it (a note check set to warn), kept with the coded encounter."""

    payload: EncounterCoded
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Held:
    """The encounter needs a coder; `findings` says why (never empty)."""

    encounter_id: str
    findings: tuple[Finding, ...]  # the errors that hold it
    warnings: tuple[Finding, ...] = ()  # kept with the encounter for the coder, not in the event

    @property
    def payload(self) -> EncounterHeldForCoding:
        """The event that parks this encounter in the coding review queue."""
        return EncounterHeldForCoding(encounter_id=self.encounter_id, findings=self.findings)


def code_encounter(registered: EncounterRegistered, chargemaster: Chargemaster,
                   documentation: Sequence[Finding] = ()) -> Coded | Held:
    """Code `registered` with the tenant's `chargemaster`; `documentation` are the note checks'
    findings (review.documentation_findings), which hold only when their severity is "error".

    Return Coded with normalized diagnoses (no dot, uppercase, in the order sent) and one priced
    charge line per documented service, or Held with every finding when any edit fails."""
    date_of_service = registered.visit.date_of_service
    unit_prices = [chargemaster.price(service.procedure_code, service.modifiers, date_of_service)
                   for service in registered.services]
    findings = (
        *diagnoses_are_present(registered.diagnoses),
        *diagnoses_fit_on_a_claim(registered.diagnoses),
        *diagnoses_are_billable(registered.diagnoses),
        *services_are_present(registered.services),
        *services_fit_on_a_claim(registered.services),
        *procedure_codes_are_valid(registered.services),
        *modifiers_are_valid(registered.services),
        *diagnosis_pointers_point_at_diagnoses(registered.services, len(registered.diagnoses)),
        *services_are_priced(registered.services, unit_prices),
        *documentation,
    )
    errors = tuple(f for f in findings if f.severity == "error")
    warnings = tuple(f for f in findings if f.severity != "error")
    if errors:
        return Held(encounter_id=registered.encounter_id, findings=errors, warnings=warnings)

    lines = tuple(
        _charge_line(registered.encounter_id, number, service, unit_price)
        for number, (service, unit_price) in enumerate(zip(registered.services, unit_prices), start=1)
        if unit_price is not None  # always: services_are_priced found none missing
    )
    return Coded(EncounterCoded(
        encounter_id=registered.encounter_id,
        patient_id=registered.patient_id,
        registered_at=registered.registered_at,
        patient=registered.patient,
        coverages=registered.coverages,
        visit=registered.visit,
        diagnoses=tuple(icd10cm.normalize(d.code) for d in registered.diagnoses),
        lines=lines,
        total_charge=total(line.charge for line in lines),
    ), warnings=warnings)


def line_item_control_number(encounter_id: str, line_number: int) -> str:
    """The line's REF*6R: the payer echoes it on the 835, which is how a payment finds its line.

    Derived from the encounter id rather than just 'L1', so it is also unique across claims,
    and stable, so coding the same encounter twice gives the same numbers."""
    return f"{encounter_id.removeprefix('enc_')[:24]}L{line_number}"


# --- edits: each returns the findings of one rule ---------------------------------------------


def diagnoses_are_present(diagnoses: Sequence[Diagnosis]) -> Iterator[Finding]:
    """A claim needs at least one diagnosis."""
    if not diagnoses:
        yield _finding("DIAGNOSIS_MISSING", "the encounter has no diagnosis")


def diagnoses_fit_on_a_claim(diagnoses: Sequence[Diagnosis]) -> Iterator[Finding]:
    """At most 12 diagnoses fit on a professional claim; a coder picks which ones to bill."""
    if len(diagnoses) > MAX_DIAGNOSES:
        yield _finding("TOO_MANY_DIAGNOSES",
                       f"{len(diagnoses)} diagnoses; a claim carries at most {MAX_DIAGNOSES}")


def diagnoses_are_billable(diagnoses: Sequence[Diagnosis]) -> Iterator[Finding]:
    """Every diagnosis is an ICD-10-CM code, and the most specific one (a header is rejected)."""
    for position, diagnosis in enumerate(diagnoses, start=1):
        shown = _code(diagnosis.code)
        if not icd10cm.is_valid(diagnosis.code):
            yield _finding("ICD10_INVALID",
                           f"diagnosis {position} {shown} is not an ICD-10-CM (FY2026) code")
        elif not icd10cm.is_billable(diagnosis.code):
            yield _finding("ICD10_NOT_BILLABLE",
                           f"diagnosis {position} {shown} is a header code; bill one of its more specific codes")


def services_are_present(services: Sequence[DocumentedService]) -> Iterator[Finding]:
    """A claim needs at least one service line."""
    if not services:
        yield _finding("SERVICE_MISSING", "the encounter has no service to bill")


def services_fit_on_a_claim(services: Sequence[DocumentedService]) -> Iterator[Finding]:
    """At most 50 service lines fit on one professional claim."""
    if len(services) > MAX_SERVICE_LINES:
        yield _finding("TOO_MANY_SERVICE_LINES",
                       f"{len(services)} services; a claim carries at most {MAX_SERVICE_LINES} lines")


def procedure_codes_are_valid(services: Sequence[DocumentedService]) -> Iterator[Finding]:
    """Every procedure code has the shape of a CPT (I, II, III, PLA, MAAA) or HCPCS Level II code."""
    for number, service in enumerate(services, start=1):
        if classify(service.procedure_code) is None:
            yield _finding("PROCEDURE_CODE_INVALID",
                           f"line {number} procedure code {_code(service.procedure_code)} "
                           "is not a CPT or HCPCS code")


def modifiers_are_valid(services: Sequence[DocumentedService]) -> Iterator[Finding]:
    """Every modifier is two uppercase letters or digits."""
    for number, service in enumerate(services, start=1):
        for modifier in service.modifiers:
            if not is_valid_modifier(modifier):
                yield _finding("MODIFIER_INVALID",
                               f"line {number} modifier {_code(modifier)} is not two letters or digits")


def diagnosis_pointers_point_at_diagnoses(services: Sequence[DocumentedService],
                                          diagnosis_count: int) -> Iterator[Finding]:
    """Every diagnosis pointer names a diagnosis the encounter has (pointers count from 1)."""
    for number, service in enumerate(services, start=1):
        for pointer in service.diagnosis_pointers:
            if not 1 <= pointer <= diagnosis_count:
                yield _finding("DIAGNOSIS_POINTER_INVALID",
                               f"line {number} points at diagnosis {pointer}; "
                               f"the encounter has {diagnosis_count}")


def services_are_priced(services: Sequence[DocumentedService],
                        unit_prices: Sequence[Decimal | None]) -> Iterator[Finding]:
    """Every service has a chargemaster price on the date of service.

    A line whose code or modifiers are malformed is not reported again here: no price could match."""
    for number, (service, unit_price) in enumerate(zip(services, unit_prices), start=1):
        well_formed = classify(service.procedure_code) is not None and all(
            is_valid_modifier(m) for m in service.modifiers)
        if unit_price is None and well_formed:
            priced_as = service.procedure_code + "".join(f"-{m}" for m in service.modifiers[:1])
            # The date itself stays out: a date of service tied to a person is PHI.
            yield _finding("CHARGEMASTER_MISSING",
                           f"line {number} {priced_as} has no chargemaster price on the date of service")


# --- building the coded encounter ---------------------------------------------------------------


def _charge_line(encounter_id: str, number: int, service: DocumentedService, unit_price: Decimal) -> ChargeLine:
    # Exact: the unit price has at most two places and units are whole, so quantize only pads
    # (12.5 x 2 = 25.0 -> 25.00) and never rounds.
    charge = (unit_price * service.units).quantize(CENT)
    return ChargeLine(
        line_number=number,
        line_item_control_number=line_item_control_number(encounter_id, number),
        procedure_code=service.procedure_code,
        modifiers=service.modifiers,
        units=service.units,
        charge=charge,
        diagnosis_pointers=service.diagnosis_pointers,
    )


def _finding(code: str, message: str) -> Finding:
    return Finding(code=code, message=message[:_MAX_MESSAGE_LENGTH])


def _code(value: object) -> str:
    """A code as it was sent, cut short: a code field may hold anything if the sender erred."""
    text = str(value)
    return text if len(text) <= _MAX_CODE_SHOWN else text[:_MAX_CODE_SHOWN] + "..."
