from decimal import Decimal

from services.payments.domain import Posted, Unapplied, post_claim, unapplied_total
from shared.events import Adjustment, AdjustmentGroup, PaymentOutcome
from tests.unit.payments.builders import (
    DATE_OF_SERVICE,
    PAYER,
    PAYMENT_DATE,
    a_claim,
    a_claim_id,
    a_line,
    a_remittance,
    an_expected_claim,
    an_expected_line,
    co,
    money,
    oa,
    pi,
    pr,
    reversal_of,
    unaccounted,
)

TWO_LINES = (an_expected_line("L1", "99213"), an_expected_line("L2", "96372", charge="50.00"))


def post(claim, *expected_lines, remittance=None) -> Posted:
    result = post_claim(
        remittance or a_remittance(claim),
        claim,
        an_expected_claim(*(expected_lines or TWO_LINES)),
        posting_id="pst_1",
        denial_id="dnl_1",
    )
    assert isinstance(result, Posted)
    return result


def test_a_processed_claim_posts_paid_with_the_contractual_write_off_and_the_patient_share() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "30.00"), pr("2", "14.00"), pr("3", "10.00")))

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.PAID
    assert result.payment.paid == money("46.00")
    assert result.payment.contractual_adjustment == money("30.00")
    assert result.payment.patient_responsibility == money("24.00")
    assert result.payment.other_adjustment == money("0.00")
    assert result.payment.denied_amount == money("0.00")
    assert result.denial is None
    assert unaccounted(result.payment) == 0


def test_claim_level_sequestration_is_a_contractual_adjustment() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00")), adjustments=[co("253", "1.60")])

    result = post(claim)

    assert result.payment.paid == money("78.40")
    assert result.payment.contractual_adjustment == money("21.60")
    assert unaccounted(result.payment) == 0


def test_a_reduction_on_a_paid_line_is_an_other_adjustment_not_a_denial() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00"), co("59", "40.00")))

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.PAID
    assert result.payment.other_adjustment == money("40.00")
    assert result.denial is None
    assert unaccounted(result.payment) == 0


def test_a_line_paid_nothing_because_of_the_deductible_is_not_a_denial() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "30.00"), pr("1", "70.00"), control="L1"),
        a_line("50.00", None, co("45", "10.00"), control="L2", procedure_code="96372"),
    )

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.PAID
    assert result.payment.patient_responsibility == money("70.00")
    assert result.denial is None


def test_a_claim_the_payer_denied_is_posted_denied_with_a_whole_claim_denial() -> None:
    claim = a_claim(a_line("100.00", None, co("197", "100.00")), status="4", rarcs=["N54"])

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.DENIED
    assert result.payment.paid == money("0.00")
    assert result.payment.denied_amount == money("100.00")
    assert result.denial is not None
    assert result.denial.whole_claim is True
    assert result.denial.denied_amount == money("100.00")
    assert result.denial.adjustments == (co("197", "100.00"),)
    assert result.denial.rarcs == ("N54",)
    assert unaccounted(result.payment) == 0


def test_a_denial_carries_the_ids_and_dates_the_denials_team_works_with() -> None:
    claim = a_claim(a_line("100.00", None, co("16", "100.00")), status="4", payer_claim_number="PCN-77")
    remittance = a_remittance(claim, remittance_id="TRN-77")

    result = post(claim, remittance=remittance)

    denial = result.denial
    assert denial is not None
    assert (denial.denial_id, denial.claim_id, denial.payer_id) == ("dnl_1", a_claim_id(), PAYER)
    assert (denial.payer_claim_number, denial.remittance_id) == ("PCN-77", "TRN-77")
    assert denial.encounter_id == result.payment.encounter_id
    assert (denial.date_of_service, denial.payment_date) == (DATE_OF_SERVICE, PAYMENT_DATE)


def test_a_denied_claim_with_patient_responsibility_denies_only_what_the_patient_does_not_owe() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "10.00"), pr("1", "20.00"), co("50", "70.00")), status="4")

    result = post(claim)

    assert result.payment.denied_amount == money("70.00")
    assert result.payment.other_adjustment == money("0.00")
    assert result.denial is not None and result.denial.denied_amount == money("70.00")
    assert unaccounted(result.payment) == 0


def test_a_denied_claim_that_the_patient_owes_in_full_opens_no_denial() -> None:
    claim = a_claim(a_line("100.00", None, pr("204", "100.00")), status="4")

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.DENIED
    assert result.payment.patient_responsibility == money("100.00")
    assert result.denial is None


def test_a_claim_paid_nothing_for_a_denial_reason_is_a_whole_claim_denial_whatever_its_status() -> None:
    claim = a_claim(
        a_line("100.00", None, co("50", "100.00"), control="L1"),
        a_line("50.00", None, co("50", "50.00"), control="L2", procedure_code="96372"),
        status="1",
    )

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.DENIED
    assert result.denial is not None and result.denial.whole_claim is True
    assert result.denial.denied_amount == money("150.00")


def test_a_denial_carries_what_letters_and_trends_need_billed_procedures_rendering_npi_and_frequency() -> None:
    claim = a_claim(a_line("100.00", None, co("4", "100.00"), control="L1"),
                    a_line("50.00", None, co("4", "50.00"), control="L2", procedure_code="96372"))
    claim = claim.model_copy(update={"frequency_code": "7"})
    expected = an_expected_claim(*TWO_LINES, rendering_npi="1234567893")

    result = post_claim(a_remittance(claim), claim, expected, posting_id="pst_1", denial_id="dnl_1")

    denial = result.denial
    assert (denial.billed, denial.procedure_codes, denial.rendering_npi) == (money("150.00"), ("99213", "96372"),
                                                                             "1234567893")
    assert denial.frequency_code.value == "7"


def test_a_partial_denial_names_only_the_denied_procedure() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "20.00"), control="L1"),
        a_line("50.00", None, co("97", "50.00"), control="L2", procedure_code="96372"),
    )
    assert post(claim).denial.procedure_codes == ("96372",)


def test_an_unpaid_line_with_a_denial_reason_makes_the_claim_partially_paid() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "20.00"), pr("3", "15.00"), control="L1", rarcs=["M15"]),
        a_line("50.00", None, co("45", "5.00"), co("97", "45.00"), control="L2", procedure_code="96372", rarcs=["N19"]),
        rarcs=["MA01"],
    )

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.PARTIALLY_PAID
    assert result.payment.paid == money("65.00")
    assert result.payment.contractual_adjustment == money("25.00")
    assert result.payment.patient_responsibility == money("15.00")
    assert result.payment.denied_amount == money("45.00")
    assert result.denial is not None
    assert result.denial.whole_claim is False
    assert result.denial.adjustments == (co("97", "45.00"),)
    assert result.denial.rarcs == ("MA01", "N19")  # the claim's and the denied line's, not the paid line's
    assert unaccounted(result.payment) == 0


def test_payer_initiated_and_other_adjustment_reasons_also_deny_an_unpaid_line() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "20.00"), control="L1"),
        a_line("30.00", None, pi("204", "30.00"), control="L2", procedure_code="96372"),
        a_line("20.00", None, oa("18", "20.00"), control="L3", procedure_code="81002"),
    )

    result = post(claim, *TWO_LINES, an_expected_line("L3", "81002", charge="20.00"))

    assert result.denial is not None
    assert result.denial.adjustments == (pi("204", "30.00"), oa("18", "20.00"))
    assert result.payment.denied_amount == money("50.00")


def test_the_same_reason_on_several_lines_is_one_adjustment_with_the_summed_amount() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "10.00"), control="L1"),
        a_line("50.00", None, co("16", "50.00"), control="L2", procedure_code="96372"),
        a_line("20.00", None, co("16", "20.00"), control="L3", procedure_code="81002"),
    )

    result = post(claim, *TWO_LINES, an_expected_line("L3", "81002", charge="20.00"))

    assert result.denial is not None
    assert result.denial.adjustments == (co("16", "70.00"),)


def test_a_reversal_posts_reversed_with_negative_amounts_and_opens_no_denial() -> None:
    original = a_claim(
        a_line("100.00", None, co("45", "20.00"), pr("2", "16.00"), control="L1"),
        a_line("50.00", None, co("97", "50.00"), control="L2", procedure_code="96372"),
    )

    result = post(reversal_of(original))

    assert result.payment.outcome == PaymentOutcome.REVERSED
    assert result.payment.billed == money("-150.00")
    assert result.payment.paid == money("-64.00")
    assert result.payment.contractual_adjustment == money("-20.00")
    assert result.payment.patient_responsibility == money("-16.00")
    assert result.payment.denied_amount == money("-50.00")
    assert result.denial is None
    assert unaccounted(result.payment) == 0


def test_a_reversal_takes_back_exactly_what_the_original_posted() -> None:
    original = a_claim(a_line("100.00", None, co("45", "20.00"), co("59", "5.00"), pr("3", "10.00")))

    posted = post(original).payment
    reversed_ = post(reversal_of(original)).payment

    for amount in ("billed", "paid", "contractual_adjustment", "patient_responsibility", "other_adjustment",
                   "denied_amount"):
        assert getattr(posted, amount) + getattr(reversed_, amount) == 0, amount


def test_a_reversal_of_nothing_shows_zero_not_negative_zero() -> None:
    original = a_claim(a_line("100.00", "100.00"))

    payment = post(reversal_of(original)).payment

    assert payment.model_dump(mode="json")["contractual_adjustment"] == "0.00"


def test_a_claim_we_never_submitted_is_held_as_unapplied_cash_not_dropped() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00")), claim_id="UNKNOWN-REF-9")

    result = post_claim(a_remittance(claim), claim, None, posting_id="pst_1", denial_id="dnl_1")

    assert result == Unapplied("CLAIM_NOT_FOUND", "UNKNOWN-REF-9", money("80.00"))


def test_unapplied_total_adds_up_only_the_cash_held_for_review() -> None:
    known = a_claim(a_line("100.00", None, co("45", "20.00")))
    unknown = a_claim(a_line("60.00", "60.00"), claim_id="UNKNOWN-REF-1")
    remittance = a_remittance(known, unknown)

    results = [
        post_claim(remittance, known, an_expected_claim(), posting_id="pst_1", denial_id="dnl_1"),
        post_claim(remittance, unknown, None, posting_id="pst_2", denial_id="dnl_2"),
    ]

    assert unapplied_total(results) == money("60.00")
    assert unapplied_total([]) == money("0.00")


def test_the_posting_names_our_claim_the_payers_remittance_and_the_payment_date() -> None:
    claim = a_claim(a_line("100.00", "100.00"))

    payment = post(claim, remittance=a_remittance(claim, remittance_id="TRN-5")).payment

    assert (payment.posting_id, payment.claim_id, payment.remittance_id) == ("pst_1", a_claim_id(), "TRN-5")
    assert (payment.payer_id, payment.payment_date) == (PAYER, PAYMENT_DATE)


def test_posted_amounts_are_decimal_never_float() -> None:
    claim = a_claim(
        a_line("100.10", None, co("45", "20.05"), pr("2", "0.01"), control="L1"),
        a_line("0.30", None, co("97", "0.30"), control="L2", procedure_code="96372"),
    )

    result = post(claim)

    amounts = [result.payment.billed, result.payment.paid, result.payment.contractual_adjustment,
               result.payment.patient_responsibility, result.payment.other_adjustment, result.payment.denied_amount]
    assert all(type(amount) is Decimal for amount in amounts)
    assert result.denial is not None and type(result.denial.denied_amount) is Decimal
    assert result.payment.paid == Decimal("80.04")
    assert all(isinstance(a, Adjustment) and a.group is AdjustmentGroup.CONTRACTUAL for a in result.denial.adjustments)


def test_a_claim_paid_nothing_because_one_line_was_denied_and_the_rest_met_the_deductible_is_partly_denied() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "30.00"), pr("1", "70.00"), control="L1"),
        a_line("50.00", None, co("97", "50.00"), control="L2", procedure_code="96372"),
    )

    result = post(claim)

    assert result.payment.paid == money("0.00")
    assert result.payment.outcome == PaymentOutcome.PARTIALLY_PAID
    assert result.denial is not None and result.denial.whole_claim is False
    assert result.denial.denied_amount == money("50.00")


def test_a_claim_without_lines_paid_nothing_for_a_denial_reason_is_a_whole_claim_denial() -> None:
    claim = a_claim(status="1", adjustments=[co("109", "80.00")], billed="80.00", paid="0.00")

    result = post(claim)

    assert result.payment.outcome == PaymentOutcome.DENIED
    assert result.denial is not None and result.denial.adjustments == (co("109", "80.00"),)
