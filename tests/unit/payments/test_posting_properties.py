"""Properties of posting over random remittance claims built to balance."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payments.domain import Posted, check_balance, post_claim
from shared.events import Adjustment, AdjustmentGroup, PaymentOutcome, RemittanceClaim, RemittanceLine
from tests.unit.payments.builders import a_claim, a_line, a_remittance, an_expected_claim, reversal_of, unaccounted

CENTS = Decimal("0.01")
DENIAL_REASONS = st.sampled_from(
    [("CO", "16"), ("CO", "50"), ("CO", "97"), ("CO", "197"), ("PI", "204"), ("OA", "18"), ("CO", "29")]
)
OTHER_REASONS = st.sampled_from([("CO", "59"), ("CO", "94"), ("OA", "23"), ("CO", "B10")])
PATIENT_REASONS = st.sampled_from(["1", "2", "3"])


def cents(amount: int) -> Decimal:
    return amount * CENTS


@st.composite
def balanced_lines(draw) -> RemittanceLine:
    """A line whose billed amount is cut into paid, contractual, patient share and a remainder that
    is either a denial (the line is then paid nothing) or another reduction."""
    billed = draw(st.integers(min_value=1, max_value=5_000_00))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=billed), min_size=3, max_size=3)))
    paid, contractual, patient, remainder = cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], billed - cuts[2]
    denied = draw(st.booleans())
    if denied:
        remainder, paid = remainder + paid, 0
    group, carc = draw(DENIAL_REASONS if denied else OTHER_REASONS)
    parts = [
        ("CO", "45", contractual),
        ("PR", draw(PATIENT_REASONS), patient),
        (group, carc, remainder),
    ]
    adjustments = [
        Adjustment(group=AdjustmentGroup(g), carc=c, amount=cents(amount)) for g, c, amount in parts if amount
    ]
    return a_line(cents(billed), cents(paid), *adjustments, control=None)


@st.composite
def balanced_claims(draw) -> RemittanceClaim:
    lines = draw(st.lists(balanced_lines(), min_size=1, max_size=5))
    lines_paid = sum((line.paid for line in lines), Decimal("0.00"))
    sequestration = draw(st.integers(min_value=0, max_value=int(lines_paid / CENTS)))
    claim_adjustments = [Adjustment(group=AdjustmentGroup.CONTRACTUAL, carc="253", amount=cents(sequestration))]
    status = draw(st.sampled_from(["1", "2", "4"]))
    return a_claim(*lines, status=status, adjustments=claim_adjustments if sequestration else [])


def post(claim: RemittanceClaim) -> Posted:
    remittance = a_remittance(claim)
    check_balance(remittance)
    result = post_claim(remittance, claim, an_expected_claim(), posting_id="pst_1", denial_id="dnl_1")
    assert isinstance(result, Posted)
    return result


@given(balanced_claims())
def test_every_posting_accounts_for_the_billed_amount_to_the_cent(claim: RemittanceClaim) -> None:
    payment = post(claim).payment

    assert unaccounted(payment) == 0
    assert min(payment.contractual_adjustment, payment.patient_responsibility, payment.other_adjustment,
               payment.denied_amount) >= 0


@given(balanced_claims())
def test_a_denial_is_opened_exactly_when_something_was_denied(claim: RemittanceClaim) -> None:
    result = post(claim)

    assert (result.denial is not None) == (result.payment.denied_amount > 0)
    if result.denial is not None:
        assert result.denial.denied_amount == result.payment.denied_amount
        assert sum((a.amount for a in result.denial.adjustments), Decimal(0)) == result.denial.denied_amount
        assert result.payment.outcome in (PaymentOutcome.DENIED, PaymentOutcome.PARTIALLY_PAID)
        assert result.denial.whole_claim == (result.payment.outcome == PaymentOutcome.DENIED)


@given(balanced_claims())
def test_a_whole_claim_denial_denies_all_that_is_neither_contractual_nor_the_patients(
    claim: RemittanceClaim,
) -> None:
    payment = post(claim).payment

    if payment.outcome == PaymentOutcome.DENIED:
        assert payment.other_adjustment == 0
        assert payment.denied_amount == (
            payment.billed - payment.paid - payment.contractual_adjustment - payment.patient_responsibility
        )


@given(balanced_claims().filter(lambda claim: claim.status_code != "4"))
def test_a_reversal_cancels_its_original_posting_amount_for_amount(claim: RemittanceClaim) -> None:
    original = post(claim)
    reversal = post(reversal_of(claim))

    assert reversal.payment.outcome == PaymentOutcome.REVERSED
    assert reversal.denial is None
    assert unaccounted(reversal.payment) == 0
    for amount in ("billed", "paid", "contractual_adjustment", "patient_responsibility", "other_adjustment",
                   "denied_amount"):
        assert getattr(original.payment, amount) == -getattr(reversal.payment, amount), amount
