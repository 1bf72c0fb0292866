"""Underpayments: a line whose payment plus patient share falls below the contract's allowed
amount x units by more than the tolerance opens an item for follow-up."""

from __future__ import annotations

from decimal import Decimal

from services.payments.domain import Posted, post_claim
from services.payments.fee_schedule import parse_fee_schedule_csv
from services.payments.underpayments import find_underpayments
from tests.unit.payments.builders import (
    PAYER, a_claim, a_line, a_remittance, an_expected_claim, an_expected_line, co, money, pr,
)

SCHEDULE = parse_fee_schedule_csv(
    "payer_id,procedure_code,modifiers,effective_from,effective_to,allowed\n"
    f"{PAYER},99213,,2025-01-01,,80.00\n{PAYER},96372,,2025-01-01,,20.00\n")
EXPECTED = an_expected_claim(an_expected_line("L1", "99213"), an_expected_line("L2", "96372", units=3, charge="90.00"))
TOLERANCE = Decimal("1.00")


def underpayments(claim):
    result = post_claim(a_remittance(claim), claim, EXPECTED, posting_id="pst_1", denial_id="dnl_1")
    assert isinstance(result, Posted)
    return find_underpayments(result.payment, EXPECTED, SCHEDULE, {"L1": (), "L2": ()}, TOLERANCE)


def test_a_line_paid_below_the_contract_opens_an_underpayment_with_the_shortfall() -> None:
    claim = a_claim(
        a_line("100.00", None, co("45", "30.00"), pr("2", "14.00"), control="L1"),  # 70 received, 80 owed
        a_line("90.00", None, co("45", "30.00"), pr("2", "12.00"), control="L2", procedure_code="96372", units=3),
    )

    (item,) = underpayments(claim)

    assert (item.line_item_control_number, item.expected, item.received, item.shortfall) == (
        "L1", money("80.00"), money("70.00"), money("10.00"))
    assert item.expected - item.received == item.shortfall


def test_a_shortfall_within_the_tolerance_opens_nothing() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "21.00"), pr("2", "15.80"), control="L1"))

    assert underpayments(claim) == ()


def test_a_denied_line_is_a_denial_not_an_underpayment() -> None:
    claim = a_claim(a_line("100.00", None, co("45", "20.00"), control="L1"),
                    a_line("90.00", "0.00", co("97", "90.00"), control="L2", procedure_code="96372", units=3))

    assert underpayments(claim) == ()
