"""What payments remembers of a submitted claim, and matching a payer's service lines back to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.events import FiledClaim, RemittanceLine
from shared.x12 import Claim837


@dataclass(frozen=True, slots=True)
class ExpectedLine:
    line_item_control_number: str  # LX/REF*6R we sent; the payer echoes it on the SVC
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal


@dataclass(frozen=True, slots=True)
class ExpectedClaim:
    """A submitted claim as payments remembers it, to match and post the payer's answer against.
    Holds no PHI: ids, codes, dates of service and amounts only."""

    claim_id: str
    encounter_id: str
    tenant_id: str
    payer_id: str
    billed: Decimal
    date_of_service: date
    lines: tuple[ExpectedLine, ...]
    patient_id: str | None = None  # opaque (uuid5 of tenant and MRN): the patient balance's key
    has_secondary: bool = False  # another payer follows this one (COB): its balance is not the patient's yet
    rendering_npi: str | None = None  # who rendered the services (the billing provider when none is named)


def expected_claim(tenant_id: str, claim: Claim837, filed: FiledClaim) -> ExpectedClaim:
    """Return what payments keeps of a claim as the 837 sent it (and the submitter's record of
    which encounter it bills), dropping the patient and subscriber."""
    return ExpectedClaim(
        claim_id=claim.claim_id,
        encounter_id=filed.encounter_id,
        tenant_id=tenant_id,
        payer_id=claim.payer.payer_id,
        billed=claim.total_charge,
        date_of_service=min(line.date_of_service for line in claim.lines),
        patient_id=filed.patient_id,
        has_secondary=filed.has_secondary,
        rendering_npi=(claim.rendering or claim.billing).npi,
        lines=tuple(
            ExpectedLine(
                line_item_control_number=line.line_item_control_number or "",
                procedure_code=line.procedure_code or "",
                modifiers=tuple(line.modifiers),
                units=int(line.units),
                charge=line.charge,
            )
            for line in claim.lines
        ),
    )



def match_lines(
    lines: Sequence[RemittanceLine], expected: Sequence[ExpectedLine], date_of_service: date | None = None
) -> tuple[ExpectedLine | None, ...]:
    """Return, for each SVC line in order, the submitted line it answers, or None.

    REF*6R (our line item control number) is tried first for every line, so a line matched by it is
    never taken by another line's fallback; lines without one (or with one we never sent) then fall
    back to procedure code + modifiers + date of service + units. Each submitted line answers at most
    one SVC. Modifiers are compared as a set because payers may reorder them. A line without DTM*472
    inherits the claim's date (the payer sends it at claim level), so only a date that disagrees with
    `date_of_service` stops a match; a reversal's negative units match the units sent."""
    matched: list[ExpectedLine | None] = [None] * len(lines)
    free = list(expected)
    for index, line in enumerate(lines):
        if line.line_item_control_number is not None:
            matched[index] = _take(free, lambda c: c.line_item_control_number == line.line_item_control_number)
    for index, line in enumerate(lines):
        if matched[index] is None:
            matched[index] = _take(
                free,
                lambda c: c.procedure_code == line.procedure_code
                and sorted(c.modifiers) == sorted(line.modifiers)
                and (line.service_date is None or date_of_service is None or line.service_date == date_of_service)
                and c.units == abs(line.units),
            )
    return tuple(matched)


def _take(free: list[ExpectedLine], wanted: Callable[[ExpectedLine], bool]) -> ExpectedLine | None:
    """Remove and return the first line of `free` that is `wanted`, or None."""
    for position, candidate in enumerate(free):
        if wanted(candidate):
            return free.pop(position)
    return None
