"""COB: when the primary payer leaves a balance and the patient has another coverage, payments asks
claims for a secondary claim carrying the primary's adjudication (837 2320/2430).

Only a claim the payer processed as primary asks (CLP02 1). CLP02 19 means the payer already
forwarded the claim to the secondary payer (a crossover), so asking for another would bill twice."""

from __future__ import annotations

from services.payments.expected_claims import ExpectedClaim
from shared.events import (
    ClaimPaymentStatus,
    ClaimSecondaryRequested,
    PaymentPosted,
    RemittanceClaim,
    RemittanceReceived,
    SecondaryLineResult,
)
from shared.money import ZERO



def left_balance(payment: PaymentPosted) -> bool:
    """True when the primary left something a secondary may pay: billed less paid less the
    contractual write-off (the patient's share, other adjustments and denied amounts)."""
    return payment.billed - payment.paid - payment.contractual_adjustment > ZERO


def secondary_request(remittance: RemittanceReceived, paid_claim: RemittanceClaim, payment: PaymentPosted,
                      expected: ExpectedClaim) -> ClaimSecondaryRequested | None:
    """Return the request for a secondary claim, or None when there is no other coverage, the
    payer did not process this claim as primary, or the primary left no balance."""
    if not expected.has_secondary or paid_claim.status_code != ClaimPaymentStatus.PROCESSED_AS_PRIMARY or not left_balance(payment):
        return None
    lines = tuple(
        SecondaryLineResult(
            line_item_control_number=line.line_item_control_number,
            paid=line.paid,
            paid_units=line.units if line.paid > ZERO else 0,
            adjustments=line.adjustments,
        )
        for line in payment.lines
        if line.line_item_control_number is not None
    )
    return ClaimSecondaryRequested(
        claim_id=expected.claim_id,
        encounter_id=expected.encounter_id,
        payer_id=remittance.payer_id,
        payer_claim_number=paid_claim.payer_claim_number,
        paid=paid_claim.paid,
        adjudication_date=remittance.payment_date,
        remaining_patient_liability=payment.patient_responsibility,
        adjustments=paid_claim.adjustments,
        lines=lines,
    )
