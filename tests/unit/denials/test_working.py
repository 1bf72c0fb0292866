from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.denials.domain import (
    Decision,
    DenialCategory,
    resubmit_request,
    work_denial,
    worked_event,
)
from shared.events import ClaimResubmitRequested, DenialAction, DenialWorked, FrequencyCode
from tests.unit.denials.builders import PAYMENT_DATE, a_denial, an_adjustment


def test_missing_information_on_the_whole_claim_is_resubmitted() -> None:
    decision = work_denial(a_denial(an_adjustment("16")))

    assert (decision.category, decision.action) == (DenialCategory.MISSING_INFORMATION, DenialAction.RESUBMIT)


def test_the_appeal_deadline_is_ninety_days_after_the_payment_date() -> None:
    assert work_denial(a_denial()).appeal_deadline == date(2025, 6, 30)


def test_a_payer_with_a_shorter_appeal_window_moves_the_deadline() -> None:
    decision = work_denial(a_denial(), appeal_window_days=60)

    assert decision.appeal_deadline == PAYMENT_DATE + timedelta(days=60)


def test_an_appeal_window_shorter_than_a_day_is_refused() -> None:
    with pytest.raises(ValueError):
        work_denial(a_denial(), appeal_window_days=0)


def test_the_category_is_decided_by_the_rules_in_force_on_the_payment_date() -> None:
    retired_code = a_denial(an_adjustment("62"), payment_date=date(2006, 6, 1))
    same_code_later = a_denial(an_adjustment("62"), payment_date=date(2008, 6, 1))

    assert work_denial(retired_code).category == DenialCategory.AUTHORIZATION
    assert work_denial(same_code_later).category == DenialCategory.OTHER


def test_a_denied_correction_is_left_to_a_person_instead_of_being_resubmitted_again() -> None:
    denial = a_denial(an_adjustment("4")).model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT})

    decision = work_denial(denial)

    assert (decision.category, decision.action) == (DenialCategory.MISSING_INFORMATION, DenialAction.APPEAL)
    assert resubmit_request(denial, decision) is None


def test_a_partial_denial_that_would_be_resubmitted_is_appealed_instead() -> None:
    decision = work_denial(a_denial(an_adjustment("197"), whole_claim=False))

    assert (decision.category, decision.action) == (DenialCategory.AUTHORIZATION, DenialAction.APPEAL)


@pytest.mark.parametrize(("carc", "action"), [("50", DenialAction.APPEAL), ("29", DenialAction.WRITE_OFF)])
def test_a_partial_denial_keeps_an_appeal_or_write_off(carc: str, action: DenialAction) -> None:
    assert work_denial(a_denial(an_adjustment(carc), whole_claim=False)).action == action


def test_the_worked_event_names_the_denial_the_claim_and_the_decision() -> None:
    denial = a_denial(an_adjustment("50", "120.50"))
    decision = work_denial(denial)

    assert worked_event(denial, decision) == DenialWorked(
        denial_id=denial.denial_id,
        claim_id=denial.claim_id,
        encounter_id=denial.encounter_id,
        category="MEDICAL_NECESSITY",
        action=DenialAction.APPEAL,
        amount=Decimal("120.50"),
        appeal_deadline=date(2025, 6, 30),
    )


@pytest.mark.parametrize("carc", ["29", "16"])  # a write-off and a resubmission
def test_only_an_appeal_carries_an_appeal_deadline(carc: str) -> None:
    denial = a_denial(an_adjustment(carc))

    assert worked_event(denial, work_denial(denial)).appeal_deadline is None


def test_a_resubmission_asks_claims_for_a_corrected_claim_with_the_payer_claim_number() -> None:
    denial = a_denial(an_adjustment("197"), payer_claim_number="PCN-42")

    request = resubmit_request(denial, work_denial(denial))

    assert request == ClaimResubmitRequested(
        denial_id=denial.denial_id,
        claim_id=denial.claim_id,
        encounter_id=denial.encounter_id,
        category="AUTHORIZATION",
        payer_claim_number="PCN-42",
        corrections=("AUTHORIZATION",),
    )


@pytest.mark.parametrize(("carc", "whole_claim"), [("50", True), ("29", True), ("16", False)])
def test_nothing_is_resubmitted_for_an_appeal_or_a_write_off(carc: str, whole_claim: bool) -> None:
    denial = a_denial(an_adjustment(carc), whole_claim=whole_claim)

    assert resubmit_request(denial, work_denial(denial)) is None


def test_a_payers_own_appeal_window_from_the_data_sets_its_deadline() -> None:
    denial = a_denial(an_adjustment("50"))  # payer ACMEHEALTH

    assert work_denial(denial, appeal_windows={"ACMEHEALTH": 30}).appeal_deadline == PAYMENT_DATE + timedelta(days=30)
    assert work_denial(denial, appeal_windows={"OTHERPAYER": 30}).appeal_deadline == PAYMENT_DATE + timedelta(days=90)


def test_an_unknown_carc_is_decided_as_other_and_flagged() -> None:
    decision = work_denial(a_denial(an_adjustment("Z9")))

    assert (decision.category, decision.carc_known) == (DenialCategory.OTHER, False)
    assert work_denial(a_denial(an_adjustment("16"))).carc_known is True


def test_decision_amounts_are_decimal_never_float() -> None:
    decision = work_denial(a_denial(an_adjustment("50", "0.10"), an_adjustment("97", "0.20")))

    assert type(decision.amount) is Decimal and decision.amount == Decimal("0.30")
    assert isinstance(decision, Decision)
