"""COB: a primary 835 that leaves a balance on a patient with secondary coverage asks claims for a
secondary claim carrying the primary's adjudication; the patient is billed only after the last payer."""

from __future__ import annotations

from services.payments.domain import Posted, post_claim
from services.payments.patient_billing import patient_charge
from services.payments.secondary import secondary_request
from shared.events import Coverage, CoverageOrder
from tests.unit.payments.builders import (
    TENANT, a_claim, a_line, expected_from, a_remittance, a_submitted_claim, an_expected_claim, co, money, pr, reversal_of,
)

WITH_SECONDARY = an_expected_claim(has_secondary=True)


def post(claim, expected=WITH_SECONDARY):
    remittance = a_remittance(claim)
    result = post_claim(remittance, claim, expected, posting_id="pst_1", denial_id="dnl_1")
    assert isinstance(result, Posted)
    return remittance, result.payment


def test_a_primary_payment_that_leaves_a_balance_asks_for_a_secondary_claim_with_its_adjudication() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00"), pr("1", "30.00"), pr("2", "10.00")))
    remittance, payment = post(claim)

    request = secondary_request(remittance, claim, payment, WITH_SECONDARY)

    assert request is not None
    assert (request.claim_id, request.payer_id, request.paid) == (WITH_SECONDARY.claim_id, remittance.payer_id,
                                                                  money("40.00"))
    assert request.remaining_patient_liability == money("40.00")
    assert request.payer_claim_number == claim.payer_claim_number
    (line,) = request.lines
    assert (line.line_item_control_number, line.paid, line.paid_units) == ("L1", money("40.00"), 1)
    assert [(a.group, a.carc, a.amount) for a in line.adjustments] == [
        ("CO", "45", money("20.00")), ("PR", "1", money("30.00")), ("PR", "2", money("10.00"))]
    # what the secondary is told reconciles to the billed amount, to the cent
    assert line.paid + sum(a.amount for a in line.adjustments) == claim.billed
    # the patient is not billed yet: the secondary may pay their share
    assert patient_charge(payment, WITH_SECONDARY) is None


def test_a_primary_that_paid_everything_but_the_contract_asks_for_nothing() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00")))
    remittance, payment = post(claim)

    assert secondary_request(remittance, claim, payment, WITH_SECONDARY) is None


def test_without_secondary_coverage_the_balance_goes_to_the_patient() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00"), pr("2", "16.00")))
    expected = an_expected_claim()
    remittance, payment = post(claim, expected)

    assert secondary_request(remittance, claim, payment, expected) is None
    assert patient_charge(payment, expected).amount == money("16.00")


def test_a_reversal_asks_for_no_secondary_claim() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00"), pr("2", "16.00")))
    remittance, payment = post(reversal_of(claim))

    assert secondary_request(remittance, reversal_of(claim), payment, WITH_SECONDARY) is None


def test_the_expected_claim_records_that_a_secondary_coverage_follows() -> None:
    submitted = a_submitted_claim()
    secondary = Coverage(payer_id="SECONDPAY", payer_name="Second Plan", member_id="M-2",
                         order=CoverageOrder.SECONDARY)
    with_other = submitted.model_copy(update={"other_coverages": (secondary,)})

    assert expected_from(TENANT, with_other).has_secondary
    assert not expected_from(TENANT, submitted).has_secondary
