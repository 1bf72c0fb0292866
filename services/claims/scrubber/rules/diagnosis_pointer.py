"""Diagnoses and the pointers service lines use to reach them (837P SV107)."""

from __future__ import annotations

from services.claims.scrubber.engine import rule

PROFESSIONAL_DIAGNOSES = 12  # HI segments of an 837P carry twelve codes
INSTITUTIONAL_DIAGNOSES = 25  # principal plus 24 others on an 837I


@rule("DXP-001", "diagnosis_pointer", "TOO_MANY_DIAGNOSES", "at most 12 diagnoses on an 837P (25 on an 837I)")
def diagnosis_count(claim, facts):
    limit = INSTITUTIONAL_DIAGNOSES if claim.institutional is not None else PROFESSIONAL_DIAGNOSES
    if len(claim.diagnoses) > limit:
        return (f"{len(claim.diagnoses)} diagnoses; this claim type carries {limit}",)
    return ()


@rule("DXP-002", "diagnosis_pointer", "TOO_MANY_POINTERS", "at most four diagnosis pointers per line")
def pointer_count(claim, facts):
    messages = ()
    for line in claim.lines:
        if len(line.diagnosis_pointers) > 4:
            messages += (f"line {line.line_number} has {len(line.diagnosis_pointers)} diagnosis pointers; four fit",)
    return messages


@rule("DXP-003", "diagnosis_pointer", "DIAGNOSIS_POINTER_UNRESOLVED", "every pointer names a diagnosis on the claim")
def pointers_resolve(claim, facts):
    count = min(len(claim.diagnoses), PROFESSIONAL_DIAGNOSES)
    messages = ()
    for line in claim.lines:
        for pointer in line.diagnosis_pointers:
            if not 1 <= pointer <= count:
                messages += (f"line {line.line_number} pointer {pointer} names no diagnosis",)
    return messages


@rule("DXP-004", "diagnosis_pointer", "DIAGNOSIS_POINTER_MISSING", "every professional line points to a diagnosis")
def pointer_present(claim, facts):
    messages = ()
    if claim.institutional is None:
        for line in claim.lines:
            if not line.diagnosis_pointers:
                messages += (f"line {line.line_number} points to no diagnosis",)
    return messages


@rule("DXP-005", "diagnosis_pointer", "DIAGNOSIS_MISSING", "the claim has at least one diagnosis")
def diagnosis_present(claim, facts):
    if not claim.diagnoses:
        return ("the claim has no diagnosis",)
    return ()


@rule("DXP-006", "diagnosis_pointer", "DIAGNOSIS_REPEATED", "each diagnosis code appears once",
      needs="several_diagnoses")
def diagnosis_repeated(claim, facts):
    if len(set(claim.diagnoses)) == len(claim.diagnoses):
        return ()
    messages = ()
    seen: set[str] = set()
    for code in claim.diagnoses:
        if code in seen:
            messages += (f"diagnosis {code} is listed twice",)
        seen.add(code)
    return messages


@rule("DXP-007", "diagnosis_pointer", "DIAGNOSIS_POINTER_REPEATED", "a line does not repeat a pointer")
def pointer_repeated(claim, facts):
    messages = ()
    for line in claim.lines:
        if len(line.diagnosis_pointers) > 1 and len(set(line.diagnosis_pointers)) != len(line.diagnosis_pointers):
            messages += (f"line {line.line_number} repeats a diagnosis pointer",)
    return messages


RULES = (diagnosis_count, pointer_count, pointers_resolve, pointer_present, diagnosis_present, diagnosis_repeated,
         pointer_repeated)
