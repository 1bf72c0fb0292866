"""A payer's reprocessing: the reversal (CLP02 22) takes back the original posting and the
correction that follows posts; the claim and the patient end at the correction, to the cent."""

from __future__ import annotations

from services.payments.domain import Posted, post_claim
from services.payments.patient_billing import apply_entries, patient_charge
from services.payments.reversals import PriorPosting, claim_position, prior_of, reversed_posting
from shared.events import PaymentOutcome
from shared.money import ZERO
from tests.unit.payments.builders import (
    a_claim,
    a_line,
    a_remittance,
    an_expected_claim,
    co,
    money,
    pr,
    reversal_of,
    unaccounted,
)

EXPECTED = an_expected_claim()


def posted(claim, remittance_id, posting_id, reverses=None):
    result = post_claim(a_remittance(claim, remittance_id=remittance_id), claim, EXPECTED,
                        posting_id=posting_id, denial_id="dnl_1", reverses=reverses)
    assert isinstance(result, Posted)
    return result.payment


def test_a_reversal_and_its_correction_leave_the_claim_and_the_patient_at_the_correction() -> None:
    original = a_claim(a_line("100.00", None, co("45", "20.00"), pr("2", "16.00")))
    correction = a_claim(a_line("100.00", None, co("45", "20.00"), pr("1", "30.00"), pr("2", "10.00")))

    first = posted(original, "TRN-1", "pst_orig")
    reverses = reversed_posting(reversal_of(original), EXPECTED.claim_id, [prior_of(first)])
    undo = posted(reversal_of(original), "TRN-2", "pst_rev", reverses)
    redo = posted(correction, "TRN-2", "pst_corr")

    assert reverses == "pst_orig"
    assert undo.outcome == PaymentOutcome.REVERSED and undo.reverses == "pst_orig"
    position = claim_position([first, undo, redo])
    assert position.paid == redo.paid == money("40.00")
    assert position.patient_responsibility == money("40.00")
    assert position.contractual_adjustment == money("20.00")
    assert all(unaccounted(p) == 0 for p in (first, undo, redo))
    charges = [patient_charge(p, EXPECTED) for p in (first, undo, redo)]
    balance, changes = apply_entries(ZERO, charges)
    assert [c.amount for c in changes] == [money("16.00"), money("-16.00"), money("40.00")]
    assert balance == money("40.00")
    assert sum(p.paid for p in (first, undo, redo)) + balance + position.contractual_adjustment == money("100.00")


def test_a_reversal_with_no_posting_to_take_back_pairs_with_nothing() -> None:
    original = a_claim(a_line("100.00", None, co("45", "20.00")))

    assert reversed_posting(reversal_of(original), EXPECTED.claim_id, []) is None


def test_a_posting_is_reversed_only_once() -> None:
    original = a_claim(a_line("100.00", None, co("45", "20.00")))
    prior = [
        PriorPosting("pst_1", EXPECTED.claim_id, PaymentOutcome.PAID, money("80.00"), money("100.00")),
        PriorPosting("pst_2", EXPECTED.claim_id, PaymentOutcome.REVERSED, money("-80.00"), money("-100.00"), "pst_1"),
    ]

    assert reversed_posting(reversal_of(original), EXPECTED.claim_id, prior) is None


def test_a_reversal_takes_back_the_posting_with_its_amounts_not_another() -> None:
    original = a_claim(a_line("100.00", None, co("45", "20.00")))
    prior = [
        PriorPosting("pst_1", EXPECTED.claim_id, PaymentOutcome.PAID, money("80.00"), money("100.00")),
        PriorPosting("pst_2", EXPECTED.claim_id, PaymentOutcome.PAID, money("70.00"), money("100.00")),
    ]

    assert reversed_posting(reversal_of(original), EXPECTED.claim_id, prior) == "pst_1"
