from decimal import Decimal

import pytest

from services.payments.domain import (
    ClaimOutOfBalance,
    PatientResponsibilityMismatch,
    PaymentsError,
    RemittanceOutOfBalance,
    check_balance,
    post_claim,
)
from tests.unit.payments.builders import a_claim, a_line, a_plb, a_remittance, an_expected_claim, co, pr


def post(remittance, claim, expected=None):
    return post_claim(remittance, claim, expected or an_expected_claim(), posting_id="pst_1", denial_id="dnl_1")


def test_a_remittance_paying_exactly_what_its_claims_paid_balances() -> None:
    remittance = a_remittance(
        a_claim(a_line("100.00", None, co("45", "20.00"))),
        a_claim(a_line("50.00", None, pr("3", "10.00"))),
        payment_amount="120.00",
    )

    assert check_balance(remittance) is None


def test_a_remittance_paying_less_than_its_claims_is_out_of_balance_and_says_both_totals() -> None:
    remittance = a_remittance(a_claim(a_line("100.00", None, co("45", "20.00"))), payment_amount="79.99")

    with pytest.raises(RemittanceOutOfBalance) as refused:
        check_balance(remittance)

    assert refused.value.code == "REMITTANCE_OUT_OF_BALANCE"
    assert "79.99" in str(refused.value) and "80.00" in str(refused.value)
    assert isinstance(refused.value, PaymentsError)


def test_interest_paid_at_provider_level_adds_to_the_payment() -> None:
    remittance = a_remittance(
        a_claim(a_line("100.00", "100.00")), provider_adjustments=[a_plb("L6", "-1.25")], payment_amount="101.25"
    )

    assert check_balance(remittance) is None


def test_a_recoupment_at_provider_level_reduces_the_payment() -> None:
    remittance = a_remittance(
        a_claim(a_line("100.00", "100.00")), provider_adjustments=[a_plb("WO", "30.00")], payment_amount="70.00"
    )

    assert check_balance(remittance) is None


def test_a_provider_adjustment_left_out_of_the_payment_is_out_of_balance() -> None:
    remittance = a_remittance(
        a_claim(a_line("100.00", "100.00")), provider_adjustments=[a_plb("WO", "30.00")], payment_amount="100.00"
    )

    with pytest.raises(RemittanceOutOfBalance):
        check_balance(remittance)


def test_a_claim_whose_adjustments_do_not_explain_the_unpaid_amount_cannot_be_posted() -> None:
    claim = a_claim(a_line("100.00", "70.00", co("45", "20.00")), billed="100.00", paid="70.00")

    with pytest.raises(ClaimOutOfBalance) as refused:
        post(a_remittance(claim), claim)

    assert refused.value.code == "CLAIM_OUT_OF_BALANCE"
    assert "100.00" in str(refused.value) and "90.00" in str(refused.value)


def test_a_line_out_of_balance_is_refused_even_when_the_claim_adds_up() -> None:
    # Line 1 claims 10.00 too much adjustment and line 2 10.00 too little: the totals still balance.
    claim = a_claim(
        a_line("100.00", "50.00", co("45", "60.00"), control="L1"),
        a_line("100.00", "50.00", co("45", "40.00"), control="L2"),
    )

    with pytest.raises(ClaimOutOfBalance, match="line 1"):
        post(a_remittance(claim), claim)


def test_a_patient_responsibility_that_differs_from_the_pr_adjustments_cannot_be_posted() -> None:
    claim = a_claim(a_line("100.00", None, pr("2", "20.00")), patient_responsibility="25.00")

    with pytest.raises(PatientResponsibilityMismatch) as refused:
        post(a_remittance(claim), claim)

    assert refused.value.code == "PATIENT_RESPONSIBILITY_MISMATCH"


def test_an_unknown_claim_out_of_balance_is_refused_rather_than_held_as_cash() -> None:
    claim = a_claim(a_line("100.00", "70.00"), billed="100.00", paid="70.00")

    with pytest.raises(ClaimOutOfBalance):
        post_claim(a_remittance(claim), claim, None, posting_id="pst_1", denial_id="dnl_1")


def test_balance_is_exact_to_the_cent() -> None:
    remittance = a_remittance(a_claim(a_line("0.03", "0.01", co("45", "0.02"))), payment_amount=Decimal("0.01"))

    assert check_balance(remittance) is None
    with pytest.raises(RemittanceOutOfBalance):
        check_balance(remittance.model_copy(update={"payment_amount": Decimal("0.02")}))
