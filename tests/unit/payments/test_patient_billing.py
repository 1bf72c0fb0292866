"""Patient balances and statements: what insurance leaves to the patient is charged, patient
payments lower it, and a statement shows lines that add up to the balance, to the cent."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.payments.domain import Posted, post_claim
from services.payments.patient_billing import PatientPaymentRefused, apply_entries, patient_charge, patient_payment
from services.payments.statements import build_statement, render_html
from shared.money import ZERO, total
from tests.unit.payments.builders import (
    PATIENT_ID, TENANT, a_claim, a_line, a_remittance, a_submitted_claim, an_expected_claim, co, money, pr,
)

EXPECTED = an_expected_claim()


def charge_for(claim):
    result = post_claim(a_remittance(claim), claim, EXPECTED, posting_id="pst_1", denial_id="dnl_1")
    assert isinstance(result, Posted)
    return patient_charge(result.payment, EXPECTED)


def test_deductible_and_coinsurance_become_the_patient_s_balance_and_a_payment_lowers_it() -> None:
    charge = charge_for(a_claim(a_line("200.00", None, co("45", "50.00"), pr("1", "100.00"), pr("2", "10.00"))))
    paid = patient_payment(TENANT, PATIENT_ID, money("60.00"), reference="RCPT-1", method="card",
                           received_on=date(2025, 4, 10))

    balance, changes = apply_entries(ZERO, [charge, paid])

    assert charge.amount == money("110.00")
    assert [c.balance for c in changes] == [money("110.00"), money("50.00")]
    assert balance == money("50.00")


def test_the_same_patient_payment_recorded_twice_has_one_id() -> None:
    once = patient_payment(TENANT, PATIENT_ID, money("10.00"), reference="RCPT-9", method="cash",
                           received_on=date(2025, 4, 10))
    twice = patient_payment(TENANT, PATIENT_ID, money("10.00"), reference="RCPT-9", method="cash",
                            received_on=date(2025, 4, 10))

    assert once.entry_id == twice.entry_id


@pytest.mark.parametrize(("amount", "method"), [("0.00", "card"), ("-5.00", "card"), ("1.005", "card"),
                                                ("5.00", "bitcoin")])
def test_a_patient_payment_that_is_not_a_positive_amount_by_a_method_we_take_is_refused(amount, method) -> None:
    with pytest.raises(PatientPaymentRefused):
        patient_payment(TENANT, PATIENT_ID, money(amount), reference="RCPT-2", method=method,
                        received_on=date(2025, 4, 10))


def test_a_fully_paid_claim_charges_the_patient_nothing() -> None:
    assert charge_for(a_claim(a_line("100.00", None, co("45", "20.00")))) is None


def test_a_statement_shows_each_visit_and_payment_and_its_balance_adds_up() -> None:
    charge = charge_for(a_claim(a_line("100.00", None, co("45", "20.00"), pr("2", "16.00"), pr("3", "25.00"))))
    paid = patient_payment(TENANT, PATIENT_ID, money("15.50"), reference="RCPT-3", method="check",
                           received_on=date(2025, 4, 20))
    patient = a_submitted_claim().patient

    statement = build_statement(TENANT, PATIENT_ID, [paid, charge], {EXPECTED.claim_id: EXPECTED.date_of_service},
                                patient, date(2025, 5, 1))
    page = render_html(statement, "Synthetic Clinic")
    data = json.loads(json.dumps(statement.to_data()))

    assert statement.balance == money("25.50") == total(line.amount for line in statement.lines)
    assert [line.amount for line in statement.lines] == [money("41.00"), money("-15.50")]
    assert statement.lines[0].date_of_service == EXPECTED.date_of_service
    assert data["balance"] == "25.50" and data["due_date"] == "2025-05-31"
    assert "Amount due: 25.50" in page and "Testy Example" in page and "Payment - check" in page
    assert "<script" not in page


def test_a_statement_escapes_what_it_prints() -> None:
    patient = a_submitted_claim().patient.model_copy(update={"last_name": "<b>O'Brien</b>"})
    charge = charge_for(a_claim(a_line("100.00", None, co("45", "20.00"), pr("2", "16.00"))))

    page = render_html(build_statement(TENANT, PATIENT_ID, [charge], {}, patient, date(2025, 5, 1)), "A & B Clinic")

    assert "<b>O" not in page and "&lt;b&gt;O&#x27;Brien&lt;/b&gt;" in page and "A &amp; B Clinic" in page
