"""Line-level posting: each SVC tied to its submitted line, its unpaid part split by role, the
patient's share split into deductible, coinsurance and copay; every line and claim to the cent."""

from __future__ import annotations

from datetime import date

from services.payments.domain import Posted, post_claim
from services.payments.expected_claims import match_lines
from services.payments.posting import line_unaccounted
from shared.money import total
from tests.unit.payments.builders import (
    a_claim,
    a_line,
    a_remittance,
    an_expected_claim,
    an_expected_line,
    co,
    money,
    pr,
    unaccounted,
)

TWO_LINES = (an_expected_line("L1", "99213"), an_expected_line("L2", "96372", charge="50.00"))


def post(claim, *lines):
    result = post_claim(a_remittance(claim), claim, an_expected_claim(*(lines or TWO_LINES)),
                        posting_id="pst_1", denial_id="dnl_1")
    assert isinstance(result, Posted)
    return result.payment


def test_a_partial_payment_splits_the_patient_share_into_deductible_and_coinsurance_per_line() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "30.00"), pr("1", "40.00"), pr("2", "6.00"), control="L1"),
        a_line("50.00", None, co("45", "10.00"), pr("2", "8.00"), control="L2", procedure_code="96372"),
    )

    payment = post(claim)

    first, second = payment.lines
    assert (first.paid, first.deductible, first.coinsurance, first.contractual_adjustment) == (
        money("24.00"), money("40.00"), money("6.00"), money("30.00"))
    assert (second.paid, second.deductible, second.coinsurance) == (money("32.00"), money("0.00"), money("8.00"))
    assert (payment.deductible, payment.coinsurance, payment.copay) == (money("40.00"), money("14.00"), money("0.00"))
    assert payment.patient_responsibility == money("54.00")
    assert payment.paid == total(line.paid for line in payment.lines) == money("56.00")
    assert [line_unaccounted(line) for line in payment.lines] == [0, 0]
    assert unaccounted(payment) == 0


def test_a_copay_line_posts_as_copay_and_the_lines_name_the_submitted_lines() -> None:
    claim = a_claim(
        a_line("50.00", None, co("45", "5.00"), control="L2", procedure_code="96372"),
        a_line("100.00", None, co("45", "20.00"), pr("3", "25.00"), control="L1"),
    )

    payment = post(claim)

    assert [line.line_item_control_number for line in payment.lines] == ["L2", "L1"]
    assert payment.lines[1].copay == money("25.00")
    assert payment.copay == money("25.00")
    assert unaccounted(payment) == 0


def test_a_line_without_ref_6r_falls_back_to_code_modifiers_date_and_units() -> None:
    expected = (an_expected_line("L1", "99213"), an_expected_line("L2", "99213", modifiers=("25",)))
    paid = a_claim(a_line("100.00", None, co("45", "10.00"), control=None, modifiers=("25",)))

    payment = post(paid, *expected)

    assert payment.lines[0].line_item_control_number == "L2"


def test_a_line_dated_another_day_than_the_claim_does_not_match_by_fallback() -> None:
    line = a_line("100.00", "100.00", control=None).model_copy(update={"service_date": date(2025, 1, 9)})
    same_day = line.model_copy(update={"service_date": date(2025, 3, 3)})

    assert match_lines([line], TWO_LINES, date(2025, 3, 3)) == (None,)
    assert match_lines([same_day], TWO_LINES, date(2025, 3, 3)) == (TWO_LINES[0],)


def test_an_unmatched_line_is_still_posted_by_amount() -> None:
    paid = a_claim(a_line("80.00", None, co("45", "8.00"), control="ZZ9", procedure_code="97110"))

    payment = post(paid)

    assert payment.lines[0].line_item_control_number is None
    assert payment.lines[0].procedure_code == "97110"
    assert unaccounted(payment) == 0
