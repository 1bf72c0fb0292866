"""Codes that exist on the date of service: ICD-10-CM, HCPCS Level II, CPT format, POS, modifiers."""

from __future__ import annotations

from functools import lru_cache

from shared.codes.procedures import classify

from services.claims.scrubber.context import IcdVersion

from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import first_date_of_service, line_date, line_place


@lru_cache(maxsize=1 << 16)  # the same diagnosis lists come back claim after claim
def _diagnosis_problems(icd: IcdVersion, diagnoses: tuple[str, ...]) -> tuple[tuple[int, str, str], ...]:
    """(position, code, "unknown" | "header") for each diagnosis that may not be billed."""
    problems = []
    for position, code in enumerate(diagnoses, start=1):
        if not icd.is_valid(code):
            problems.append((position, code, "unknown"))
        elif not icd.is_billable(code):
            problems.append((position, code, "header"))
    return tuple(problems)


def _problems(claim, context, kind):
    day = first_date_of_service(claim)
    if day is None:
        return
    icd = context.icd.on(day)
    for position, code, found in _diagnosis_problems(icd, claim.diagnoses):
        if found == kind:
            yield icd, position, code


@rule("COD-001", "code_validity", "DIAGNOSIS_UNKNOWN", "every diagnosis is an ICD-10-CM code on the date of service")
def diagnosis_known(claim, context):
    for icd, position, code in _problems(claim, context, "unknown"):
        yield f"diagnosis {position} ({code}) is not an ICD-10-CM {icd.name} code"


@rule("COD-002", "code_validity", "DIAGNOSIS_NOT_BILLABLE", "every diagnosis is billable (a leaf, not a header)")
def diagnosis_billable(claim, context):
    for _, position, code in _problems(claim, context, "header"):
        yield f"diagnosis {position} ({code}) is a header code; bill a code below it"


@rule("COD-003", "code_validity", "PROCEDURE_CODE_INVALID", "a procedure code has CPT or HCPCS format (required on 837P)")
def procedure_format(claim, context):
    for line in claim.lines:
        code = line.procedure_code
        if code is None:
            if claim.institutional is None:
                yield f"line {line.line_number} has no procedure code"
        elif classify(code) is None:
            yield f"line {line.line_number} procedure {code} is neither CPT nor HCPCS format"


@rule("COD-004", "code_validity", "HCPCS_UNKNOWN", "a HCPCS Level II code exists on the date of service")
def hcpcs_exists(claim, context):
    for line in claim.lines:
        code, day = line.procedure_code, line_date(claim, line)
        if code and day is not None and classify(code) == "hcpcs" and not context.hcpcs.is_valid(code, day):
            yield f"line {line.line_number} HCPCS {code} is not in the HCPCS Level II file on its date"


@rule("COD-005", "code_validity", "PLACE_OF_SERVICE_INVALID", "the place of service exists on the date (required on 837P)")
def place_of_service(claim, context):
    if claim.institutional is None and claim.place_of_service is None:
        yield "professional claim has no place of service"
    for line in claim.lines:
        place, day = line_place(claim, line), line_date(claim, line)
        if place is not None and day is not None and not context.places_of_service.is_valid(place, day):
            yield f"line {line.line_number} place of service {place} is not a CMS place of service on its date"


@rule("COD-006", "code_validity", "MODIFIER_UNKNOWN", "every modifier is on the modifier list on the date")
def modifier_known(claim, context):
    for line in claim.lines:
        day = line_date(claim, line)
        for modifier in line.modifiers:
            if day is not None and not context.modifiers.is_valid(modifier, day):
                yield f"line {line.line_number} modifier {modifier} is not a known modifier"


@rule("COD-007", "code_validity", "TOO_MANY_MODIFIERS", "at most four modifiers per line")
def modifier_count(claim, context):
    for line in claim.lines:
        if len(line.modifiers) > 4:
            yield f"line {line.line_number} has {len(line.modifiers)} modifiers; four fit"


@rule("COD-008", "code_validity", "MODIFIER_REPEATED", "a modifier appears once per line")
def modifier_repeated(claim, context):
    for line in claim.lines:
        if len(line.modifiers) > 1 and len(set(line.modifiers)) != len(line.modifiers):
            yield f"line {line.line_number} repeats a modifier"


@rule("COD-009", "code_validity", "LINE_DATE_MISSING", "every professional line has its date of service")
def line_dates(claim, context):
    if claim.institutional is None:
        for line in claim.lines:
            if line.date_of_service is None:
                yield f"line {line.line_number} has no date of service"


@rule("COD-010", "code_validity", "REVENUE_CODE_INVALID", "every institutional line has a four-digit revenue code", needs="institutional")
def revenue_codes(claim, context):
    if claim.institutional is not None:
        for line in claim.lines:
            code = line.revenue_code or ""
            if len(code) != 4 or not code.isdigit():
                yield f"line {line.line_number} revenue code is missing or not four digits"


@rule("COD-011", "code_validity", "UNITS_INVALID", "units on every line are greater than zero")
def units_positive(claim, context):
    for line in claim.lines:
        if line.units <= 0:
            yield f"line {line.line_number} bills {line.units} units"


RULES = (diagnosis_known, diagnosis_billable, procedure_format, hcpcs_exists, place_of_service, modifier_known,
         modifier_count, modifier_repeated, line_dates, revenue_codes, units_positive)
