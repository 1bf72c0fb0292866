"""COB secondary claims: the claim to the secondary payer, opened from payments'
ClaimSecondaryRequested, with the primary's adjudication for the 837's 2320/2330/2430 loops.

Pure: the new claim id comes in as an argument. The handler builds
`ProfessionalClaim(claim=new_claim, prior_payers=prior, ...)` from the result.
"""

from __future__ import annotations

from decimal import Decimal

from services.claims.lifecycle import ClaimsError
from shared.events import ClaimSecondaryRequested, CoverageOrder, FrequencyCode, Relationship, SubmittedClaim
from shared.x12.models.claim import LineAdjudication, PayerAdjudication, Person, person_from_patient
from shared.x12.models.common import CasAdjustment

_NEXT = {CoverageOrder.PRIMARY: CoverageOrder.SECONDARY, CoverageOrder.SECONDARY: CoverageOrder.TERTIARY}


class NoSecondaryCoverage(ClaimsError):
    code = "NO_SECONDARY_COVERAGE"


class SecondaryRequestMismatch(ClaimsError):
    code = "SECONDARY_REQUEST_MISMATCH"


def secondary_claim(original: SubmittedClaim, request: ClaimSecondaryRequested, *, claim_id: str,
                    primary_subscriber: Person | None = None) -> tuple[SubmittedClaim, tuple[PayerAdjudication, ...]]:
    """Return the claim to the next payer (an original, frequency 1, with its own claim id) and the
    prior payer's adjudication to send with it.

    Raises NoSecondaryCoverage when the original names no coverage after its own, and
    SecondaryRequestMismatch when the request is for another claim, names a line the claim does not
    have, or the primary's subscriber is needed (the patient is a dependent) but not given."""
    if request.claim_id != original.claim_id:
        raise SecondaryRequestMismatch(f"request for claim {request.claim_id} applied to claim {original.claim_id}")
    wanted = _NEXT.get(original.coverage.order)
    following = [c for c in original.other_coverages if c.order == wanted]
    if not following:
        raise NoSecondaryCoverage(f"claim {original.claim_id}: no coverage follows the {original.coverage.order} one")
    secondary = following[0]
    rest = tuple(c for c in original.other_coverages if c is not secondary)

    if original.coverage.relationship is Relationship.SELF:
        subscriber = person_from_patient(original.patient)
    elif primary_subscriber is None:
        raise SecondaryRequestMismatch(f"claim {original.claim_id}: the primary's subscriber is a dependent's holder")
    else:
        subscriber = primary_subscriber

    line_number_of = {line.line_item_control_number: line.line_number for line in original.lines}
    procedure_of = {line.line_item_control_number: line for line in original.lines}
    results = []
    for result in request.lines:
        if result.line_item_control_number not in line_number_of:
            raise SecondaryRequestMismatch(
                f"claim {original.claim_id}: the primary's result names line {result.line_item_control_number}")
        line = procedure_of[result.line_item_control_number]
        results.append(LineAdjudication(
            line_number=line_number_of[result.line_item_control_number],
            paid=result.paid,
            paid_units=Decimal(result.paid_units),
            adjudication_date=request.adjudication_date,
            procedure_code=line.procedure_code,
            modifiers=tuple(line.modifiers),
            adjustments=_cas(result.adjustments),
        ))
    prior = PayerAdjudication(
        payer_id=request.payer_id,
        payer_name=original.coverage.payer_name,
        member_id=original.coverage.member_id,
        subscriber=subscriber,
        paid=request.paid,
        adjudication_date=request.adjudication_date,
        responsibility="P" if original.coverage.order is CoverageOrder.PRIMARY else "S",
        relationship=original.coverage.relationship.value,
        group_number=original.coverage.group_number,
        adjustments=_cas(request.adjustments),
        remaining_patient_liability=request.remaining_patient_liability,
        payer_claim_number=request.payer_claim_number,
        lines=tuple(results),
    )
    claim = original.model_copy(update={
        "claim_id": claim_id,
        "frequency_code": FrequencyCode.ORIGINAL,
        "payer_claim_number": None,
        "coverage": secondary,
        "other_coverages": (original.coverage, *rest),
    })
    return SubmittedClaim.model_validate(claim.model_dump()), (prior,)


def _cas(adjustments) -> tuple[CasAdjustment, ...]:
    return tuple(CasAdjustment(group=a.group.value, reason=a.carc, amount=a.amount) for a in adjustments)
