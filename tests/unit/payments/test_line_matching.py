from shared.ids import patient_id_for
from services.payments.domain import ExpectedClaim, Posted, expected_claim, match_lines, post_claim
from shared.events import ChargeLine
from tests.unit.payments.builders import (
    TENANT,
    a_claim,
    a_line,
    a_remittance,
    a_submitted_claim,
    as_sent,
    filed,
    an_expected_claim,
    an_expected_line,
    co,
    money,
)


def test_lines_are_matched_by_the_line_item_control_number_first() -> None:
    office_visit = an_expected_line("L1", "99213")
    same_code_later = an_expected_line("L2", "99213")
    lines = [a_line("100.00", "80.00", control="L2"), a_line("100.00", "80.00", control="L1")]

    assert match_lines(lines, [office_visit, same_code_later]) == (same_code_later, office_visit)


def test_a_line_without_ref_6r_is_matched_by_code_modifiers_and_units() -> None:
    visit = an_expected_line("L1", "99213")
    injection = an_expected_line("L2", "96372", modifiers=("59",), units=2)
    lines = [a_line("50.00", "40.00", control=None, procedure_code="96372", modifiers=("59",), units=2)]

    assert match_lines(lines, [visit, injection]) == (injection,)


def test_a_ref_6r_we_never_sent_falls_back_to_the_procedure_code() -> None:
    visit = an_expected_line("L1", "99213")

    assert match_lines([a_line("100.00", "80.00", control="ZZ9")], [visit]) == (visit,)


def test_modifiers_match_in_any_order() -> None:
    xray = an_expected_line("L1", "73610", modifiers=("26", "RT"))
    lines = [a_line("60.00", "60.00", control=None, procedure_code="73610", modifiers=("RT", "26"))]

    assert match_lines(lines, [xray]) == (xray,)


def test_a_different_unit_count_does_not_match_by_fallback() -> None:
    injection = an_expected_line("L1", "96372", units=2)
    lines = [a_line("50.00", "50.00", control=None, procedure_code="96372", units=1)]

    assert match_lines(lines, [injection]) == (None,)


def test_a_submitted_line_answers_only_one_remittance_line() -> None:
    visit = an_expected_line("L1", "99213")
    lines = [a_line("100.00", "80.00", control="L1"), a_line("100.00", "80.00", control=None)]

    assert match_lines(lines, [visit]) == (visit, None)


def test_a_line_matched_by_ref_6r_is_not_taken_by_an_earlier_fallback() -> None:
    first = an_expected_line("L1", "99213")
    second = an_expected_line("L2", "99213")
    lines = [a_line("100.00", "80.00", control=None), a_line("100.00", "80.00", control="L1")]

    assert match_lines(lines, [first, second]) == (second, first)


def test_a_line_that_matches_nothing_is_counted_and_its_money_still_posted() -> None:
    claim = a_claim(
        a_line("100.00", "80.00", co("45", "20.00"), control="L1"),
        a_line("40.00", "40.00", control=None, procedure_code="81002"),
    )

    result = post_claim(a_remittance(claim), claim, an_expected_claim(), posting_id="pst_1", denial_id="dnl_1")

    assert isinstance(result, Posted)
    assert result.unmatched_lines == 1
    assert result.payment.paid == money("120.00")


def test_the_expected_claim_keeps_ids_codes_and_amounts_but_not_the_patient() -> None:
    submitted = a_submitted_claim(
        ChargeLine(
            line_number=1,
            line_item_control_number="A1",
            procedure_code="99214",
            modifiers=("25",),
            units=1,
            charge=money("150.00"),
            diagnosis_pointers=(1,),
        ),
        ChargeLine(
            line_number=2,
            line_item_control_number="A2",
            procedure_code="96372",
            units=3,
            charge=money("45.00"),
            diagnosis_pointers=(1,),
        ),
    )

    expected = expected_claim(TENANT, as_sent(submitted), filed(submitted))

    assert expected == ExpectedClaim(
        claim_id=submitted.claim_id,
        encounter_id=submitted.encounter_id,
        tenant_id=TENANT,
        payer_id=submitted.coverage.payer_id,
        billed=money("195.00"),
        date_of_service=submitted.visit.date_of_service,
        lines=(
            an_expected_line("A1", "99214", modifiers=("25",), units=1, charge="150.00"),
            an_expected_line("A2", "96372", units=3, charge="45.00"),
        ),
        patient_id=patient_id_for(TENANT, submitted.patient.mrn),
        has_secondary=False,
        rendering_npi=submitted.visit.rendering.npi,
    )
    assert not any(hasattr(expected, name) for name in ("patient", "coverage", "member_id"))

