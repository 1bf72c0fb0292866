from __future__ import annotations

import pytest

from shared.x12 import (
    MalformedInterchange,
    NotX12,
    TruncatedInterchange,
    X12Error,
    read,
    validate,
)


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", NotX12),
        (b"   \n\t", NotX12),
        (b"\x00\x01\x02\xff\xfe binary", NotX12),
        (b"MSH|^~\\&|EHR|HOSPITAL|...", NotX12),
        (b'{"resourceType": "Claim"}', NotX12),
        (b"ISA", MalformedInterchange),
        (b"ISA*00*", MalformedInterchange),
        (b"ISAA00A", MalformedInterchange),
    ],
)
def test_what_is_not_x12_raises_our_error(data, error) -> None:
    with pytest.raises(error):
        read(data)


def test_our_errors_share_one_base_with_a_short_code() -> None:
    with pytest.raises(X12Error) as raised:
        read(b"not x12 at all")
    assert raised.value.code == "not_x12"


def test_a_truncated_file_says_so(fixture) -> None:
    text = fixture("837p_dependent_and_secondary.x12")
    with pytest.raises(TruncatedInterchange) as raised:
        validate(text[: text.index("CLM*CLAIMP0002")])
    assert "truncated" in str(raised.value)


def test_a_garbled_element_is_an_error_with_a_position_not_a_traceback(fixture) -> None:
    text = fixture("835_remittance.x12").replace("CLP*CLAIMB002*4*150*0*", "CLP*CLAIMB002*4*1#0*0*")
    document = read(text)
    assert document.remittances() == []
    (issue,) = [issue for issue in document.issues if issue.segment == "CLP"]
    assert issue.position == 29 and "CLP03" in issue.message
    assert not validate(document).valid


def test_a_lost_segment_terminator_is_reported_not_raised(fixture) -> None:
    text = fixture("835_remittance.x12").replace("DTM*050*20240305~", "DTM*050*20240305", 1)
    report = validate(text)
    assert not report.valid


def test_an_unknown_transaction_set_is_read_with_a_warning(fixture) -> None:
    text = fixture("999_acknowledgements.x12").replace("ST*999*2002*005010X231A1", "ST*850*2002*005010X231A1")
    report = validate(text)
    assert any("850" in issue.message for issue in report.warnings)


def test_garbage_after_the_last_interchange_is_an_error(fixture) -> None:
    report = validate(fixture("271_eligibility.x12") + "HELLO*WORLD~")
    assert any("outside any transaction set" in issue.message for issue in report.errors)


def test_messages_about_garbage_do_not_quote_it(fixture) -> None:
    text = fixture("271_eligibility.x12").replace("NM1*IL*1*TESTPATIENT*ALPHA", "SECRETNAME*IL*1*TESTPATIENT*ALPHA")
    report = validate(text)
    assert report.errors
    assert all("SECRET" not in str(issue) for issue in report.errors)
