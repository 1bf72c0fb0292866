"""Reversals (CLP02 22): which earlier posting a reversal takes back.

A payer that re-adjudicates a claim sends, usually in one 835, a reversal (the original
adjudication with every amount negated) and then the corrected claim. The reversal must cancel a
posting we made; the correction is an ordinary posting. The claim's net position is the sum of all
its postings, so original + reversal + correction leaves exactly the correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from shared.events import PaymentOutcome, PaymentPosted, RemittanceClaim
from shared.money import total


@dataclass(frozen=True, slots=True)
class PriorPosting:
    """What a reversal is matched against: an earlier posting of the same claim."""

    posting_id: str
    claim_id: str
    outcome: PaymentOutcome
    paid: Decimal
    billed: Decimal
    reverses: str | None = None


def prior_of(payment: PaymentPosted) -> PriorPosting:
    return PriorPosting(payment.posting_id, payment.claim_id, payment.outcome, payment.paid, payment.billed,
                        payment.reverses)


def reversed_posting(reversal: RemittanceClaim, claim_id: str, prior: Sequence[PriorPosting]) -> str | None:
    """Return the id of the posting of `claim_id` that `reversal` takes back, or None when there is
    none: the latest non-reversal posting, not yet reversed, whose paid and billed amounts are the
    reversal's negated. A reversal without its original is unapplied cash for review."""
    of_claim = [p for p in prior if p.claim_id == claim_id]
    already = {p.reverses for p in of_claim if p.reverses is not None}
    for candidate in reversed(of_claim):
        if (candidate.outcome != PaymentOutcome.REVERSED and candidate.posting_id not in already
                and candidate.paid == -reversal.paid and candidate.billed == -reversal.billed):
            return candidate.posting_id
    return None


@dataclass(frozen=True, slots=True)
class ClaimPosition:
    """The net of every posting of one claim."""

    paid: Decimal
    contractual_adjustment: Decimal
    patient_responsibility: Decimal
    other_adjustment: Decimal
    denied_amount: Decimal


def claim_position(postings: Iterable[PaymentPosted]) -> ClaimPosition:
    """Sum the postings of one claim (reversals carry negative amounts, so they cancel)."""
    items = list(postings)
    return ClaimPosition(
        paid=total(p.paid for p in items),
        contractual_adjustment=total(p.contractual_adjustment for p in items),
        patient_responsibility=total(p.patient_responsibility for p in items),
        other_adjustment=total(p.other_adjustment for p in items),
        denied_amount=total(p.denied_amount for p in items),
    )
