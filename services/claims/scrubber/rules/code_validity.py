"""Codes that exist on the date of service: ICD-10-CM, HCPCS Level II, CPT format, POS, modifiers."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from shared.codes.procedures import classify

from services.claims.scrubber.context import IcdVersion
from services.claims.scrubber.engine import rule

ZERO = Decimal("0")


@lru_cache(maxsize=1 << 16)  # the same diagnosis lists come back claim after claim
def _diagnosis_problems(icd: IcdVersion, diagnoses: tuple[str, ...]) -> dict[str, tuple[tuple[int, str], ...]]:
    """(position, code) of each diagnosis that may not be billed, by problem: "unknown" or "header"."""
    unknown, headers = [], []
    for position, code in enumerate(diagnoses, start=1):
        if not icd.is_valid(code):
            unknown.append((position, code))
        elif not icd.is_billable(code):
            headers.append((position, code))
    return {"unknown": tuple(unknown), "header": tuple(headers)}


def _problems(claim, facts, kind):
    """(position, code) of the diagnoses with problem `kind` in the ICD-10-CM of the date of service."""
    return _diagnosis_problems(facts.icd, claim.diagnoses)[kind] if facts.icd is not None else ()


@lru_cache(maxsize=4096)  # the same few codes on line after line
def _kind(code: str) -> str | None:
    return classify(code)


def _is_revenue_code(code: str | None) -> bool:
    return code is not None and len(code) == 4 and code.isdigit()


@rule("COD-001", "code_validity", "DIAGNOSIS_UNKNOWN", "every diagnosis is an ICD-10-CM code on the date of service")
def diagnosis_known(claim, facts):
    messages = ()
    for position, code in _problems(claim, facts, "unknown"):
        messages += (f"diagnosis {position} ({code}) is not an ICD-10-CM {facts.icd.name} code",)
    return messages


@rule("COD-002", "code_validity", "DIAGNOSIS_NOT_BILLABLE", "every diagnosis is billable (a leaf, not a header)")
def diagnosis_billable(claim, facts):
    messages = ()
    for position, code in _problems(claim, facts, "header"):
        messages += (f"diagnosis {position} ({code}) is a header code; bill a code below it",)
    return messages


@rule("COD-003", "code_validity", "PROCEDURE_CODE_INVALID", "a procedure code has CPT or HCPCS format (required on 837P)")
def procedure_format(claim, facts):
    messages = ()
    for line in claim.lines:
        code = line.procedure_code
        if code is None:
            if claim.institutional is None:
                messages += (f"line {line.line_number} has no procedure code",)
        elif _kind(code) is None:
            messages += (f"line {line.line_number} procedure {code} is neither CPT nor HCPCS format",)
    return messages


@rule("COD-004", "code_validity", "HCPCS_UNKNOWN", "a HCPCS Level II code exists on the date of service")
def hcpcs_exists(claim, facts):
    messages = ()
    for line, day, _ in facts.lines:
        code = line.procedure_code
        if code and day is not None and _kind(code) == "hcpcs" and not facts.context.hcpcs.is_valid(code, day):
            messages += (f"line {line.line_number} HCPCS {code} is not in the HCPCS Level II file on its date",)
    return messages


@rule("COD-005", "code_validity", "PLACE_OF_SERVICE_INVALID", "the place of service exists on the date (required on 837P)")
def place_of_service(claim, facts):
    messages = ()
    if claim.institutional is None and claim.place_of_service is None:
        messages += ("professional claim has no place of service",)
    for line, day, place in facts.lines:
        if place is not None and day is not None and not facts.context.places_of_service.is_valid(place, day):
            messages += (f"line {line.line_number} place of service {place} is not a CMS place of service on its date",)
    return messages


@rule("COD-006", "code_validity", "MODIFIER_UNKNOWN", "every modifier is on the modifier list on the date",
      needs="modifiers")
def modifier_known(claim, facts):
    messages = ()
    for line, day, _ in facts.lines:
        for modifier in line.modifiers:
            if day is not None and not facts.context.modifiers.is_valid(modifier, day):
                messages += (f"line {line.line_number} modifier {modifier} is not a known modifier",)
    return messages


@rule("COD-007", "code_validity", "TOO_MANY_MODIFIERS", "at most four modifiers per line", needs="modifiers")
def modifier_count(claim, facts):
    messages = ()
    for line in claim.lines:
        if len(line.modifiers) > 4:
            messages += (f"line {line.line_number} has {len(line.modifiers)} modifiers; four fit",)
    return messages


@rule("COD-008", "code_validity", "MODIFIER_REPEATED", "a modifier appears once per line", needs="modifiers")
def modifier_repeated(claim, facts):
    messages = ()
    for line in claim.lines:
        if len(line.modifiers) > 1 and len(set(line.modifiers)) != len(line.modifiers):
            messages += (f"line {line.line_number} repeats a modifier",)
    return messages


@rule("COD-009", "code_validity", "LINE_DATE_MISSING", "every professional line has its date of service")
def line_dates(claim, facts):
    messages = ()
    if claim.institutional is None:
        for line in claim.lines:
            if line.date_of_service is None:
                messages += (f"line {line.line_number} has no date of service",)
    return messages


@rule("COD-010", "code_validity", "REVENUE_CODE_INVALID", "every institutional line has a four-digit revenue code", needs="institutional")
def revenue_codes(claim, facts):
    messages = ()
    for line in claim.lines:
        if not _is_revenue_code(line.revenue_code):
            messages += (f"line {line.line_number} revenue code is missing or not four digits",)
    return messages


@rule("COD-011", "code_validity", "UNITS_INVALID", "units on every line are greater than zero")
def units_positive(claim, facts):
    messages = ()
    for line in claim.lines:
        if line.units <= ZERO:
            messages += (f"line {line.line_number} bills {line.units} units",)
    return messages


RULES = (diagnosis_known, diagnosis_billable, procedure_format, hcpcs_exists, place_of_service, modifier_known,
         modifier_count, modifier_repeated, line_dates, revenue_codes, units_positive)
