"""NCCI procedure-to-procedure edits and medically unlikely edits (units)."""

from __future__ import annotations

from collections import defaultdict

from shared.codes.ncci import NCCI_ASSOCIATED_MODIFIERS

from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import line_date


# PTP-001 and PTP-002 look at the same pairs of the claim being scrubbed; the reference keeps the
# claim alive, so its identity cannot be reused by another object.
_last: list = [None, ()]


def _pairs(claim, context):
    """(edit, column-1 line, column-2 line) for every PTP edit the claim's lines hit on one date."""
    if _last[0] is not claim:
        _last[0], _last[1] = claim, tuple(_find_pairs(claim, context))
    return _last[1]


def _find_pairs(claim, context):
    table = context.ptp
    lines = [line for line in claim.lines if line.procedure_code in table.codes]
    if len(lines) < 2:
        return
    for first in lines:
        for second in lines:
            if first is second or first.procedure_code == second.procedure_code:
                continue
            day = line_date(claim, first)
            if day is None or day != line_date(claim, second):
                continue
            edit = table.edit(first.procedure_code, second.procedure_code, day)
            if edit is not None:
                yield edit, first, second


@rule("PTP-001", "ncci_ptp", "NCCI_PTP_NOT_ALLOWED", "no code pair an NCCI edit never allows together (indicator 0)")
def ptp_never(claim, context):
    for edit, first, second in _pairs(claim, context):
        if edit.modifier_indicator == "0":
            yield (f"line {second.line_number} {second.procedure_code} is bundled into line {first.line_number} "
                   f"{first.procedure_code} (NCCI, no modifier allowed)")


@rule("PTP-002", "ncci_ptp", "NCCI_PTP_MODIFIER_REQUIRED",
      "a pair allowed with a modifier (indicator 1) carries an NCCI-associated modifier")
def ptp_modifier(claim, context):
    for edit, first, second in _pairs(claim, context):
        if edit.modifier_indicator == "1" and not (
            NCCI_ASSOCIATED_MODIFIERS.intersection(first.modifiers)
            or NCCI_ASSOCIATED_MODIFIERS.intersection(second.modifiers)
        ):
            yield (f"line {second.line_number} {second.procedure_code} with line {first.line_number} "
                   f"{first.procedure_code} needs an NCCI-associated modifier (e.g. 25, 59, XS)")


@rule("MUE-001", "mue", "MUE_LINE_EXCEEDED", "units on one line stay within a line MUE (adjudication indicator 1)")
def mue_line(claim, context):
    for line in claim.lines:
        day = line_date(claim, line)
        if line.procedure_code is None or day is None:
            continue
        limit = context.mue.limit(line.procedure_code, day)
        if limit is not None and not limit.per_day and line.units > limit.units:
            yield f"line {line.line_number} {line.procedure_code} bills {line.units} units; the MUE is {limit.units}"


@rule("MUE-002", "mue", "MUE_DAY_EXCEEDED", "units of one code on one date stay within a date-of-service MUE")
def mue_day(claim, context):
    units = defaultdict(int)
    for line in claim.lines:
        day = line_date(claim, line)
        if line.procedure_code is not None and day is not None:
            units[(line.procedure_code, day)] += line.units
    for (code, day), total in units.items():
        limit = context.mue.limit(code, day)
        if limit is not None and limit.per_day and total > limit.units:
            yield f"{code} bills {total} units on one date; the date-of-service MUE is {limit.units}"


RULES = (ptp_never, ptp_modifier, mue_line, mue_day)
