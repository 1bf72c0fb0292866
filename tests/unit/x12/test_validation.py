from __future__ import annotations

import pytest

from shared.x12 import InvalidX12, read, validate

PROFESSIONAL = "837p_dependent_and_secondary.x12"


def _errors(text: str) -> list[tuple[str, str | None, str]]:
    return [(issue.segment, issue.loop, issue.message) for issue in validate(text).errors]


def test_the_handwritten_files_are_valid(fixture) -> None:
    for name in (
        PROFESSIONAL,
        "837i_outpatient_and_inpatient.x12",
        "835_remittance.x12",
        "999_acknowledgements.x12",
        "277ca_claim_acknowledgement.x12",
        "271_eligibility.x12",
    ):
        report = validate(fixture(name))
        assert report.valid, (name, report.errors)


def test_a_claim_charge_that_is_not_the_sum_of_its_lines_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("CLM*CLAIMP0002*200*", "CLM*CLAIMP0002*210*"))
    assert ("CLM", "2300", "CLM02 claim charge 210 does not equal the sum of the line charges 200") in errors


def test_a_replacement_claim_without_ref_f8_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("REF*F8*PAYERCLM0001~\n", ""))
    assert [message for segment, loop, message in errors if segment == "CLM"] == [
        "frequency 7 (replacement or void) needs REF*F8 with the payer's claim number"
    ]


def test_ref_f8_on_an_original_claim_is_only_a_warning(fixture) -> None:
    report = validate(fixture(PROFESSIONAL).replace("11:B:7", "11:B:1"))
    assert report.valid
    assert [issue.message for issue in report.warnings] == ["REF*F8 is only sent with frequency 7 or 8"]


def test_errors_name_the_segment_position_segment_id_and_loop(fixture) -> None:
    text = fixture(PROFESSIONAL).replace("SV1*HC:36415*100*UN*2***5:6:7:12", "SV1*HC:36415*100*XX*2***5:6:7:12")
    (error,) = validate(text).errors
    assert (error.position, error.segment, error.loop) == (37, "SV1", "2400")
    assert error.message == "SV103 has code 'XX' which the guide does not allow here"


def test_a_missing_required_element_is_an_error(fixture) -> None:
    errors = _errors(
        fixture(PROFESSIONAL).replace("CLM*CLAIMP0002*200***11:B:1*Y*A*Y*Y", "CLM*CLAIMP0002*200****Y*A*Y*Y")
    )
    assert ("CLM", "2300", "CLM05 is required") in errors


def test_a_pointer_beyond_the_claims_diagnoses_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("SV1*HC:99213*200*UN*1***1", "SV1*HC:99213*200*UN*1***2"))
    assert ("SV1", "2400", "SV107 points at diagnosis 2, but the claim has 1") in errors


def test_an_npi_with_a_wrong_check_digit_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("XX*1007000007", "XX*1007000008"))
    assert ("NM1", "2310B", "NM109 is not a valid NPI (ten digits with a correct check digit)") in errors


def test_a_cob_line_that_does_not_balance_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("CAS*CO*45*10", "CAS*CO*45*11"))
    assert any(segment == "SVD" and "line does not balance" in message for segment, _, message in errors)
    assert any(segment == "SBR" and "prior payer does not balance" in message for segment, _, message in errors)


def test_a_line_result_from_an_unknown_payer_is_an_error(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("SVD*TESTPAYER1*", "SVD*TESTPAYER9*"))
    assert ("SVD", "2430", "SVD01 does not match the payer id (NM109) of any 2330B loop of this claim") in errors


def test_a_secondary_claim_without_other_payer_loops_is_an_error(fixture) -> None:
    lines = fixture(PROFESSIONAL).splitlines(keepends=True)
    start = lines.index("SBR*P*18*GRP0001******CI~\n")
    text = "".join(lines[:start] + lines[start + 7 :]).replace(
        "SVD*TESTPAYER1*160*HC:99213**1~\nCAS*CO*45*10~\nCAS*PR*1*20*1*2*10~\nDTP*573*D8*20240316~\n", ""
    )
    text = text.replace("SE*62*5001", "SE*51*5001")
    errors = _errors(text)
    assert errors == [("CLM", "2300", "a secondary or tertiary claim needs the prior payer's adjudication (loop 2320)")]


def test_when_the_patient_is_the_subscriber_the_subscriber_needs_a_birth_date(fixture) -> None:
    errors = _errors(fixture(PROFESSIONAL).replace("DMG*D8*19550202*M~\n", "").replace("SE*62*5001", "SE*61*5001"))
    assert ("HL", "2000B", "the subscriber is the patient, so 2010BA needs DMG") in errors


def test_a_segment_out_of_place_is_an_error(fixture) -> None:
    text = fixture(PROFESSIONAL).replace("LX*1~\nSV1*HC:99214", "SV1*HC:99214", 1).replace("SE*62*5001", "SE*61*5001")
    errors = _errors(text)
    assert any(message == "SV1 is not expected here" for _, _, message in errors)


def test_a_segment_no_guide_knows_is_an_error(fixture) -> None:
    text = fixture(PROFESSIONAL).replace("HI*ABK:I10~", "HI*ABK:I10~\nZZZ*1~").replace("SE*62*5001", "SE*63*5001")
    assert ("ZZZ", "2300", "ZZZ is not a segment of 005010X222A1") in _errors(text)


def test_messages_never_repeat_names_member_ids_or_addresses(fixture) -> None:
    text = fixture(PROFESSIONAL)
    secrets = {
        "TESTSUBSCRIBER": "SECRETLASTNAMEWHICHISFARTOOLONGFORANYNM103ELEMENTINTHEGUIDE00000",
        "MEM000000010": "SECRETID*X",
        "1 TEST ROAD": "SECRET STREET 1234567890123456789012345678901234567890123456789",
    }
    for plain, secret in secrets.items():
        text = text.replace(plain, secret)
    report = validate(text)
    assert not report.valid
    rendered = " ".join(str(issue) for issue in report.errors + report.warnings)
    assert "SECRET" not in rendered


def test_an_unknown_implementation_version_is_a_warning(fixture) -> None:
    text = fixture("835_remittance.x12").replace("005010X221A1", "005010X221A9")
    report = validate(text)
    assert report.valid
    assert any("005010X221A9" in issue.message for issue in report.warnings)


def test_an_acknowledgement_whose_counts_disagree_is_an_error(fixture) -> None:
    errors = _errors(fixture("999_acknowledgements.x12").replace("AK9*P*3*3*2", "AK9*P*3*3*1"))
    assert ("AK9", "HEADER", "AK904 says 1 sets were accepted, but the IK5 segments accept 2") in errors


def test_a_hierarchy_pointing_at_a_missing_parent_is_an_error(fixture) -> None:
    errors = _errors(fixture("277ca_claim_acknowledgement.x12").replace("HL*6*3*PT", "HL*6*9*PT"))
    assert ("HL", "2000D", "HL02 names a parent HL that does not come before it") in errors


def test_raise_if_invalid_carries_the_errors(fixture) -> None:
    report = validate(fixture("835_remittance.x12").replace("BPR*I*752.5*", "BPR*I*1*"))
    with pytest.raises(InvalidX12) as raised:
        report.raise_if_invalid()
    assert raised.value.issues == report.errors


def test_a_validated_document_keeps_its_reading_issues(fixture) -> None:
    document = read(fixture("835_remittance.x12").replace("DTM*472*20240301", "DTM*472*20240231", 1))
    report = validate(document)
    assert any("not a CCYYMMDD date" in issue.message for issue in report.errors)
