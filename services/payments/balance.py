"""The 835 balancing rules, and the errors of the payments domain.

An 835 posts to the cent or is held for review, never rounded: every rule here is an exact Decimal
equality. Messages name the remittance or CLP01 reference and the amounts (not PHI), never a patient.
"""

from __future__ import annotations

from decimal import Decimal

from shared.errors import RcmError
from shared.events import Adjustment, AdjustmentGroup, RemittanceClaim, RemittanceReceived
from shared.money import total


class PaymentsError(RcmError):
    """Base of the payments domain's errors: a remittance that cannot be posted as sent."""

    code = "PAYMENTS_ERROR"


class RemittanceOutOfBalance(PaymentsError):
    """BPR02 differs from the sum of CLP04 minus the sum of PLB amounts."""

    code = "REMITTANCE_OUT_OF_BALANCE"

    def __init__(self, remittance_id: str, payment_amount: Decimal, claims_less_plb: Decimal) -> None:
        super().__init__(
            f"remittance {remittance_id}: payment amount {payment_amount} != "
            f"claims paid less provider adjustments {claims_less_plb}"
        )


class ClaimOutOfBalance(PaymentsError):
    """A claim's (or one of its lines') billed amount differs from paid plus adjustments."""

    code = "CLAIM_OUT_OF_BALANCE"

    def __init__(self, claim_ref: str, billed: Decimal, accounted: Decimal, *, line: int | None = None) -> None:
        where = f"claim {claim_ref}" if line is None else f"claim {claim_ref} line {line}"
        super().__init__(f"{where}: billed {billed} != paid plus adjustments {accounted}")


class PatientResponsibilityMismatch(PaymentsError):
    """CLP05 differs from the sum of the claim's PR adjustments."""

    code = "PATIENT_RESPONSIBILITY_MISMATCH"

    def __init__(self, claim_ref: str, stated: Decimal, adjusted: Decimal) -> None:
        super().__init__(f"claim {claim_ref}: patient responsibility {stated} != PR adjustments {adjusted}")


def check_balance(remittance: RemittanceReceived) -> None:
    """Return None if BPR02 == Σ CLP04 − Σ PLB amounts; raise RemittanceOutOfBalance otherwise.

    A PLB amount is positive when the payer withholds money (a recoupment) and negative when it adds
    some (interest), so it is subtracted."""
    claims_less_plb = total(claim.paid for claim in remittance.claims) - total(
        adjustment.amount for adjustment in remittance.provider_adjustments
    )
    if remittance.payment_amount != claims_less_plb:
        raise RemittanceOutOfBalance(remittance.remittance_id, remittance.payment_amount, claims_less_plb)


def check_claim_balance(claim: RemittanceClaim) -> None:
    """Return None if the claim and each of its lines balance. Raise ClaimOutOfBalance when
    CLP03 != CLP04 + every claim- and line-level CAS amount, or a line's SVC02 != SVC03 + its CAS;
    raise PatientResponsibilityMismatch when CLP05 != the sum of the PR adjustments."""
    adjustments = all_adjustments(claim)
    accounted = claim.paid + total(a.amount for a in adjustments)
    if claim.billed != accounted:
        raise ClaimOutOfBalance(claim.claim_id, claim.billed, accounted)
    for number, line in enumerate(claim.lines, start=1):
        line_accounted = line.paid + total(a.amount for a in line.adjustments)
        if line.billed != line_accounted:
            raise ClaimOutOfBalance(claim.claim_id, line.billed, line_accounted, line=number)
    patient_share = total(a.amount for a in adjustments if a.group == AdjustmentGroup.PATIENT_RESPONSIBILITY)
    if claim.patient_responsibility != patient_share:
        raise PatientResponsibilityMismatch(claim.claim_id, claim.patient_responsibility, patient_share)


def all_adjustments(claim: RemittanceClaim) -> tuple[Adjustment, ...]:
    """The claim-level CAS adjustments followed by every line's, in the order the payer sent them."""
    return (*claim.adjustments, *(a for line in claim.lines for a in line.adjustments))
