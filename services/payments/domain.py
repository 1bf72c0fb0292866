"""Posting an 835 remittance: each CLP matched to the claim we submitted, and what the payer did not
pay split into contractual adjustment, patient responsibility, other adjustment and denial.

Pure values and functions: no I/O, no clock, no id generation. Posting and denial ids come in as
arguments, so a redelivered remittance can be posted again with the same (stable) ids. The balancing
rules live in balance.py and the expected claims and line matching in expected_claims.py; both are
re-exported here, so handlers import the payments domain from one place.

Glossary: BPR02 is the payment amount of the whole 835; CLP is one claim in it (CLP02 status,
CLP03 billed, CLP04 paid, CLP05 patient responsibility); SVC is a service line; CAS is an adjustment
(group + CARC + amount) at claim or line level; PLB is a provider-level adjustment (interest,
recoupment) that is not tied to one claim; REF*6R echoes our line item control number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeAlias

from services.payments.balance import (
    ClaimOutOfBalance,
    PatientResponsibilityMismatch,
    PaymentsError,
    RemittanceOutOfBalance,
    all_adjustments,
    check_balance,
    check_claim_balance,
)
from services.payments.expected_claims import ExpectedClaim, ExpectedLine, expected_claim, match_lines
from services.payments.posting import patient_share, post_lines
from shared.events import (
    Adjustment,
    AdjustmentGroup,
    ClaimDenied,
    ClaimPaymentStatus,
    PaymentOutcome,
    PaymentPosted,
    RemittanceClaim,
    RemittanceLine,
    RemittanceReceived,
)
from shared.money import ZERO, total

__all__ = [
    "CONTRACTUAL_CARCS",
    "UNAPPLIED_CLAIM_NOT_FOUND",
    "UNAPPLIED_REVERSAL_WITHOUT_ORIGINAL",
    "ClaimOutOfBalance",
    "ClaimPaymentStatus",
    "ExpectedClaim",
    "ExpectedLine",
    "PatientResponsibilityMismatch",
    "PaymentsError",
    "Posted",
    "PostingResult",
    "RemittanceOutOfBalance",
    "Unapplied",
    "check_balance",
    "check_claim_balance",
    "expected_claim",
    "match_lines",
    "post_claim",
    "unapplied_total",
]

# CO adjustments that are the agreed price of the service rather than a refusal to pay it: 45 (charge
# above the fee schedule or contracted rate) and 253 (Medicare sequestration, a legislated cut). They
# are written off against the contract and never worked as denials. Kept deliberately small: any
# other CO reason is either a denial (on an unpaid line) or an "other" adjustment.
CONTRACTUAL_CARCS: Final = frozenset({"45", "253"})

# Groups whose non-contractual reasons mean "the payer refused this" when nothing was paid. PR is
# the patient's share, and CR only corrects a prior adjudication.
_DENIAL_GROUPS: Final = frozenset(
    {AdjustmentGroup.CONTRACTUAL, AdjustmentGroup.PAYER_INITIATED, AdjustmentGroup.OTHER}
)

UNAPPLIED_CLAIM_NOT_FOUND: Final = "CLAIM_NOT_FOUND"
UNAPPLIED_REVERSAL_WITHOUT_ORIGINAL: Final = "REVERSAL_WITHOUT_ORIGINAL"


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posted:
    """A remittance claim posted to its claim; `denial` is set when the payer refused some or all of it.
    `unmatched_lines` counts SVC lines that matched no submitted line (posted anyway, by amount)."""

    payment: PaymentPosted
    denial: ClaimDenied | None = None
    unmatched_lines: int = 0


@dataclass(frozen=True, slots=True)
class Unapplied:
    """Cash that could not be tied to a claim we know: held for review, never dropped."""

    reason_code: str
    claim_ref: str  # CLP01 as the payer sent it
    amount: Decimal


PostingResult: TypeAlias = Posted | Unapplied


# --- posting -----------------------------------------------------------------------------------


def post_claim(
    remittance: RemittanceReceived,
    paid_claim: RemittanceClaim,
    expected: ExpectedClaim | None,
    *,
    posting_id: str,
    denial_id: str,
    reverses: str | None = None,
) -> PostingResult:
    """Post one CLP of `remittance` to `expected`.

    Returns Unapplied when there is no expected claim, otherwise Posted whose amounts satisfy
    billed == paid + contractual + patient responsibility + other + denied, to the cent, and whose
    denial is set for a (whole or partial) denial. A claim denied with nothing left to dispute (all
    of it contractual or the patient's share) is DENIED but opens no denial. A reversal (CLP02 22) is
    posted as REVERSED with the payer's negative amounts and never opens a denial: it takes back an
    earlier posting, which is where any denial was worked. Raises ClaimOutOfBalance or
    PatientResponsibilityMismatch when the CLP does not add up; matching is by `expected`, which the
    caller looked up from CLP01, and `reverses` names the posting a reversal takes back (see
    reversals.py). The posting carries the patient's share by kind and every line's posting.
    """
    check_claim_balance(paid_claim)
    if expected is None:
        return Unapplied(UNAPPLIED_CLAIM_NOT_FOUND, paid_claim.claim_id, paid_claim.paid)

    reversal = paid_claim.status_code == ClaimPaymentStatus.REVERSAL
    # A reversal repeats the original adjudication with every amount negated. Classifying it with the
    # signs flipped back and negating the result makes it cancel the original posting line for line.
    split = _split(paid_claim, reversal)
    share = patient_share(all_adjustments(paid_claim))  # in the payer's signs, like paid

    if reversal:
        outcome = PaymentOutcome.REVERSED
    elif split.whole_claim:
        outcome = PaymentOutcome.DENIED
    elif split.denied > ZERO:
        outcome = PaymentOutcome.PARTIALLY_PAID
    else:
        outcome = PaymentOutcome.PAID

    payment = PaymentPosted(
        posting_id=posting_id,
        claim_id=expected.claim_id,
        encounter_id=expected.encounter_id,
        remittance_id=remittance.remittance_id,
        payer_id=remittance.payer_id,
        payment_date=remittance.payment_date,
        outcome=outcome,
        billed=paid_claim.billed,
        paid=paid_claim.paid,
        contractual_adjustment=_flip(split.contractual, reversal),
        patient_responsibility=_flip(split.patient_responsibility, reversal),
        other_adjustment=_flip(split.other, reversal),
        denied_amount=_flip(split.denied, reversal),
        deductible=share.deductible,
        coinsurance=share.coinsurance,
        copay=share.copay,
        lines=post_lines(paid_claim, expected),
        reverses=reverses if reversal else None,
    )
    denial = None
    if not reversal and split.denied > ZERO:
        denial = ClaimDenied(
            denial_id=denial_id,
            claim_id=expected.claim_id,
            encounter_id=expected.encounter_id,
            payer_id=remittance.payer_id,
            payer_claim_number=paid_claim.payer_claim_number,
            remittance_id=remittance.remittance_id,
            whole_claim=split.whole_claim,
            denied_amount=split.denied,
            adjustments=_merged(split.denial_adjustments),
            rarcs=split.rarcs,
            date_of_service=expected.date_of_service,
            payment_date=remittance.payment_date,
            billed=expected.billed,
            procedure_codes=_denied_procedures(paid_claim, split.whole_claim),
            rendering_npi=expected.rendering_npi,
            frequency_code=paid_claim.frequency_code,
        )
    unmatched = sum(1 for match in match_lines(paid_claim.lines, expected.lines, expected.date_of_service)
                    if match is None)
    return Posted(payment, denial, unmatched_lines=unmatched)


def _denied_procedures(claim: RemittanceClaim, whole_claim: bool) -> tuple[str, ...]:
    """The procedure codes a denial is about: every line of a whole-claim denial, else the lines the
    payer paid nothing on, each code once in the order billed."""
    lines = claim.lines if whole_claim else [line for line in claim.lines if line.paid == ZERO]
    return tuple(dict.fromkeys(line.procedure_code for line in lines))


def unapplied_total(results: Iterable[PostingResult]) -> Decimal:
    """Return the sum of the unapplied cash among `results` (0.00 when everything was posted)."""
    return total(result.amount for result in results if isinstance(result, Unapplied))


# --- the split of one claim ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Split:
    """A claim's unpaid amount by role, in the signs of an original (non-reversal) adjudication."""

    contractual: Decimal
    patient_responsibility: Decimal
    other: Decimal
    denied: Decimal
    whole_claim: bool
    denial_adjustments: tuple[Adjustment, ...]
    rarcs: tuple[str, ...]


def _split(claim: RemittanceClaim, reversal: bool) -> _Split:
    """Split the adjustments of a balanced claim.

    A denied line is one paid nothing that carries a CO/PI/OA reason other than a contractual one.
    The whole claim is denied when CLP02 is 4, or when nothing was paid and every line is a denied
    line (a claim without lines: a claim-level denial reason), because payers also deny with status
    1 and paid 0. A claim paid nothing because one line was denied and the others went to the
    deductible is only partly denied: those other lines were processed, and the patient owes them.
    What the payer refused is every adjustment on the denied claim or lines that is neither
    contractual nor the patient's share; everything else that is neither is "other" (e.g. a CO-59
    reduction on a paid line)."""
    adjustments = [_signed(a, reversal) for a in all_adjustments(claim)]
    contractual = total(a.amount for a in adjustments if _is_contractual(a))
    patient_responsibility = total(a.amount for a in adjustments if _is_patient_responsibility(a))

    if claim.lines:
        nothing_allowed = all(_is_denied_line(line) for line in claim.lines)
    else:
        nothing_allowed = any(_is_denial_reason(a) for a in claim.adjustments)
    whole_claim = claim.status_code == ClaimPaymentStatus.DENIED or (claim.paid == ZERO and nothing_allowed)
    if whole_claim:
        denial_adjustments = tuple(a for a in adjustments if _is_refusal(a))
        rarcs = _unique((*claim.rarcs, *(rarc for line in claim.lines for rarc in line.rarcs)))
    else:
        denied_lines = [line for line in claim.lines if _is_denied_line(line)]
        denial_adjustments = tuple(
            adjustment
            for line in denied_lines
            for adjustment in (_signed(a, reversal) for a in line.adjustments)
            if _is_refusal(adjustment)
        )
        rarcs = _unique((*claim.rarcs, *(rarc for line in denied_lines for rarc in line.rarcs)))

    denied = total(a.amount for a in denial_adjustments)
    other = total(a.amount for a in adjustments) - contractual - patient_responsibility - denied
    return _Split(contractual, patient_responsibility, other, denied, whole_claim, denial_adjustments, rarcs)


def _flip(amount: Decimal, reversal: bool) -> Decimal:
    """`amount` negated for a reversal (unary minus keeps 0.00 positive), unchanged otherwise."""
    return -amount if reversal else amount


def _signed(adjustment: Adjustment, reversal: bool) -> Adjustment:
    if not reversal:
        return adjustment
    return Adjustment(group=adjustment.group, carc=adjustment.carc, amount=-adjustment.amount)


def _is_contractual(adjustment: Adjustment) -> bool:
    return adjustment.group == AdjustmentGroup.CONTRACTUAL and adjustment.carc in CONTRACTUAL_CARCS


def _is_patient_responsibility(adjustment: Adjustment) -> bool:
    return adjustment.group == AdjustmentGroup.PATIENT_RESPONSIBILITY


def _is_refusal(adjustment: Adjustment) -> bool:
    """Part of a denied amount: neither the contract's price nor the patient's share."""
    return not _is_contractual(adjustment) and not _is_patient_responsibility(adjustment)


def _is_denial_reason(adjustment: Adjustment) -> bool:
    """A reason that, on something paid nothing, means the payer refused it (in either sign)."""
    return adjustment.group in _DENIAL_GROUPS and not _is_contractual(adjustment) and adjustment.amount != ZERO


def _is_denied_line(line: RemittanceLine) -> bool:
    return line.paid == ZERO and any(_is_denial_reason(a) for a in line.adjustments)


def _merged(adjustments: Sequence[Adjustment]) -> tuple[Adjustment, ...]:
    """One adjustment per (group, CARC), amounts summed, in first-seen order: CO-50 on three lines is
    one reason for the denials queue, and its total decides which reason dominates."""
    sums: dict[tuple[AdjustmentGroup, str], Decimal] = {}
    for adjustment in adjustments:
        key = (adjustment.group, adjustment.carc)
        sums[key] = sums.get(key, ZERO) + adjustment.amount
    return tuple(Adjustment(group=group, carc=carc, amount=amount) for (group, carc), amount in sums.items())


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))
