"""NCCI procedure-to-procedure edits and medically unlikely edits (units)."""

from __future__ import annotations

from decimal import Decimal

from shared.codes.ncci import NCCI_ASSOCIATED_MODIFIERS

from services.claims.scrubber.engine import rule

ZERO = Decimal("0")


def _find_pairs(claim, facts):
    """(edit, column-1 line, column-2 line) for every PTP edit the claim's lines hit on one date."""
    table = facts.context.ptp
    lines = [(line, day) for line, day, _ in facts.lines if line.procedure_code in table.codes and day is not None]
    pairs = []
    if len(lines) > 1:
        for first, day in lines:
            for second, other_day in lines:
                if first is second or first.procedure_code == second.procedure_code or day != other_day:
                    continue
                edit = table.edit(first.procedure_code, second.procedure_code, day)
                if edit is not None:
                    pairs.append((edit, first, second))
    return pairs


def _find_limits(claim, facts):
    """(line, date of service, MUE limit) for every line whose code has a limit on its date."""
    limits = []
    for line, day, _ in facts.lines:
        if line.procedure_code is not None and day is not None:
            limit = facts.context.mue.limit(line.procedure_code, day)
            if limit is not None:
                limits.append((line, day, limit))
    return limits


@rule("PTP-001", "ncci_ptp", "NCCI_PTP_NOT_ALLOWED", "no code pair an NCCI edit never allows together (indicator 0)",
      needs="several_lines")
def ptp_never(claim, facts):
    messages = ()
    for edit, first, second in facts.shared(_find_pairs, claim):
        if edit.modifier_indicator == "0":
            messages += (f"line {second.line_number} {second.procedure_code} is bundled into line "
                         f"{first.line_number} {first.procedure_code} (NCCI, no modifier allowed)",)
    return messages


@rule("PTP-002", "ncci_ptp", "NCCI_PTP_MODIFIER_REQUIRED",
      "a pair allowed with a modifier (indicator 1) carries an NCCI-associated modifier", needs="several_lines")
def ptp_modifier(claim, facts):
    messages = ()
    for edit, first, second in facts.shared(_find_pairs, claim):
        if edit.modifier_indicator == "1" and not (
            NCCI_ASSOCIATED_MODIFIERS.intersection(first.modifiers)
            or NCCI_ASSOCIATED_MODIFIERS.intersection(second.modifiers)
        ):
            messages += (f"line {second.line_number} {second.procedure_code} with line {first.line_number} "
                         f"{first.procedure_code} needs an NCCI-associated modifier (e.g. 25, 59, XS)",)
    return messages


@rule("MUE-001", "mue", "MUE_LINE_EXCEEDED", "units on one line stay within a line MUE (adjudication indicator 1)")
def mue_line(claim, facts):
    messages = ()
    for line, _, limit in facts.shared(_find_limits, claim):
        if not limit.per_day and line.units > limit.units:
            messages += (f"line {line.line_number} {line.procedure_code} bills {line.units} units; "
                         f"the MUE is {limit.units}",)
    return messages


@rule("MUE-002", "mue", "MUE_DAY_EXCEEDED", "units of one code on one date stay within a date-of-service MUE")
def mue_day(claim, facts):
    units = {}
    limits = {}
    for line, day, limit in facts.shared(_find_limits, claim):
        if limit.per_day:
            key = (line.procedure_code, day)
            units[key] = units.get(key, ZERO) + line.units
            limits[key] = limit
    messages = ()
    for key, total in units.items():
        if total > limits[key].units:
            messages += (f"{key[0]} bills {total} units on one date; the date-of-service MUE is {limits[key].units}",)
    return messages


RULES = (ptp_never, ptp_modifier, mue_line, mue_day)
