from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.events import RemittanceReceived
from shared.x12 import CasAdjustment, ContractMismatch, Remittance, read, validate


@pytest.fixture
def remittance(fixture) -> Remittance:
    (only,) = read(fixture("835_remittance.x12")).remittances()
    return only


def _claim(remittance: Remittance, payer_claim_number: str):
    (found,) = [claim for claim in remittance.claims if claim.payer_claim_number == payer_claim_number]
    return found


def test_the_payment_amount_method_and_date_come_from_bpr(remittance) -> None:
    assert (remittance.payment_amount, remittance.payment_method, remittance.payment_date) == (
        Decimal("752.5"),
        "ACH",
        date(2024, 4, 2),
    )
    assert (remittance.handling_code, remittance.credit_debit, remittance.payment_format) == ("I", "C", "CCP")


def test_the_trace_number_and_originator_come_from_trn(remittance) -> None:
    assert (remittance.trace_number, remittance.originator_id) == ("EFT0000001", "1999999999")


def test_payer_and_payee_are_identified(remittance) -> None:
    assert remittance.payer.name == "TEST HEALTH PLAN"
    assert remittance.payer_id == "TESTPAYER1"
    assert (remittance.payee.name, remittance.payee.qualifier, remittance.payee.identifier) == (
        "TEST MEDICAL GROUP",
        "XX",
        "1004242420",
    )
    assert remittance.payee_tax_id == "990000000"
    assert remittance.payer_contact == "TEST EDI SUPPORT"
    assert remittance.production_date == date(2024, 4, 1)


def test_every_claim_status_is_kept_in_order(remittance) -> None:
    assert [claim.status_code for claim in remittance.claims] == ["1", "4", "22", "1", "2"]


def test_a_reversal_names_the_payer_claim_it_takes_back(remittance) -> None:
    reversal = _claim(remittance, "PAYERCLM0003")
    assert reversal.is_reversal
    assert reversal.reverses == "PAYERCLM0003"
    assert (reversal.billed, reversal.paid) == (Decimal("-250"), Decimal("-200"))
    assert not _claim(remittance, "PAYERCLM0004").is_reversal


def test_claim_level_adjustments_keep_group_reason_and_amount(remittance) -> None:
    denied = _claim(remittance, "PAYERCLM0002")
    assert denied.adjustments == (CasAdjustment("CO", "197", Decimal("150")),)


def test_a_line_level_cas_with_several_triplets_keeps_each_one(remittance) -> None:
    corrected = _claim(remittance, "PAYERCLM0004")
    (line,) = corrected.lines
    assert line.adjustments == (
        CasAdjustment("CO", "45", Decimal("20"), Decimal("1")),
        CasAdjustment("CO", "253", Decimal("5"), Decimal("1")),
        CasAdjustment("CO", "131", Decimal("5")),
        CasAdjustment("PR", "2", Decimal("30")),
    )


def test_svc_composite_gives_procedure_and_four_modifiers(remittance) -> None:
    (line,) = _claim(remittance, "PAYERCLM0004").lines
    assert (line.procedure_qualifier, line.procedure_code, line.modifiers) == ("HC", "99214", ("25", "59", "LT", "RT"))
    assert (line.billed, line.paid, line.units_paid) == (Decimal("250"), Decimal("190"), Decimal("1"))
    assert line.remark_codes == ("N381",)


def test_lines_keep_their_control_number_date_and_allowed_amount(remittance) -> None:
    first, second = _claim(remittance, "PAYERCLM0001").lines
    assert (first.line_item_control_number, second.line_item_control_number) == ("LINEA001", "LINEA002")
    assert first.service_date == date(2024, 3, 1)
    assert first.allowed == Decimal("160")
    assert first.modifiers == ("25",)


def test_claim_dates_references_and_patient_are_mapped(remittance) -> None:
    inpatient = _claim(remittance, "PAYERCLM0005")
    assert (inpatient.statement_from, inpatient.statement_to) == (date(2024, 1, 10), date(2024, 1, 13))
    assert inpatient.references == (("EA", "MRN0004"),)
    assert inpatient.supplemental_amounts == (("AU", Decimal("1000")),)
    assert inpatient.patient.last_name == "TESTPATIENT"
    assert inpatient.insured.identifier == "MEM000000005"
    assert inpatient.rendering_provider.identifier == "1007000015"
    assert (inpatient.drg_code, inpatient.drg_weight) == ("470", Decimal("1.25"))
    assert _claim(remittance, "PAYERCLM0001").received_date == date(2024, 3, 5)


def test_inpatient_and_outpatient_adjudication_are_mapped(remittance) -> None:
    inpatient = _claim(remittance, "PAYERCLM0005").inpatient
    assert (inpatient.covered_days, inpatient.drg_amount, inpatient.remark_codes) == (
        Decimal("3"),
        Decimal("450.5"),
        ("MA01",),
    )
    assert _claim(remittance, "PAYERCLM0002").outpatient.remark_codes == ("N130", "MA01")


def test_provider_level_adjustments_keep_reason_reference_and_sign(remittance) -> None:
    interest, recoupment = remittance.provider_adjustments
    assert (interest.reason, interest.amount, interest.reference) == ("L6", Decimal("-2.5"), None)
    assert (recoupment.reason, recoupment.amount, recoupment.reference) == ("WO", Decimal("20"), "PAYERCLM0009")
    assert recoupment.fiscal_period_end == date(2024, 12, 31)


def test_the_remittance_balances(fixture) -> None:
    assert validate(fixture("835_remittance.x12")).valid


def test_a_payment_that_does_not_match_its_claims_is_an_error(fixture) -> None:
    report = validate(fixture("835_remittance.x12").replace("BPR*I*752.5*", "BPR*I*752.51*"))
    (error,) = report.errors
    assert (error.segment, error.position) == ("BPR", 4)
    assert "752.51" in error.message and "770" in error.message and "17.5" in error.message


def test_a_claim_whose_adjustments_do_not_explain_the_difference_is_an_error(fixture) -> None:
    report = validate(fixture("835_remittance.x12").replace("CAS*CO*197*150", "CAS*CO*197*140"))
    assert [(issue.segment, issue.loop) for issue in report.errors] == [("CLP", "2100")]


def test_an_amount_with_fractions_of_a_cent_is_refused_not_rounded(fixture) -> None:
    document = read(fixture("835_remittance.x12").replace("AMT*B6*160", "AMT*B6*160.005"))
    assert document.remittances() == []
    assert any("fractions of a cent" in issue.message for issue in document.issues)


def test_the_remittance_converts_to_the_platform_event(remittance) -> None:
    event = remittance.to_event()
    assert isinstance(event, RemittanceReceived)
    assert event.payment_amount == Decimal("752.50")
    assert [claim.status_code.value for claim in event.claims] == ["1", "4", "22", "1", "2"]
    assert event.claims[0].lines[0].line_item_control_number == "LINEA001"
    assert [adjustment.reason for adjustment in event.provider_adjustments] == ["L6", "WO"]


def test_a_status_the_contract_does_not_know_is_a_contract_mismatch(fixture) -> None:
    (remittance,) = read(fixture("835_remittance.x12").replace("CLP*CLAIMB002*4*", "CLP*CLAIMB002*99*")).remittances()
    with pytest.raises(ContractMismatch) as raised:
        remittance.to_event()
    assert "claims.1 does not fit RemittanceClaim: status_code" in str(raised.value)


def test_a_claim_processed_as_primary_and_forwarded_keeps_its_status(fixture) -> None:
    (remittance,) = read(fixture("835_remittance.x12").replace("CLP*CLAIMB002*4*", "CLP*CLAIMB002*19*")).remittances()

    assert remittance.to_event().claims[1].status_code == "19"


def test_a_service_line_keeps_its_date_of_service_in_the_event(fixture) -> None:
    (remittance,) = read(fixture("835_remittance.x12")).remittances()

    event = remittance.to_event()

    read_dates = [line.service_date or line.service_period_start for claim in remittance.claims for line in claim.lines]
    assert [line.service_date for claim in event.claims for line in claim.lines] == read_dates
    assert any(read_dates)
