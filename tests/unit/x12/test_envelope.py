from __future__ import annotations

import pytest

from shared.x12 import TruncatedInterchange, read, validate


def _messages(text: str) -> list[str]:
    return [issue.message for issue in validate(text).errors]


def test_several_groups_and_sets_in_one_interchange_are_all_found(fixture) -> None:
    document = read(fixture("999_acknowledgements.x12"))
    assert [transaction.control_number for transaction in document.transactions] == ["2001", "2002"]
    assert document.interchanges[0].control_number == "000000201"


def test_two_interchanges_with_different_separators_in_one_file_are_both_read(fixture) -> None:
    document = read(fixture("two_interchanges_different_separators.x12"))
    assert [interchange.control_number for interchange in document.interchanges] == ["000000201", "000000302"]
    assert [transaction.set_id for transaction in document.transactions] == ["999", "999", "277"]
    assert document.interchanges[1].separators.element == "|"
    assert validate(document).valid


def test_a_wrong_se_segment_count_is_reported_at_the_se(fixture) -> None:
    text = fixture("835_remittance.x12").replace("SE*58*1001", "SE*57*1001")
    errors = validate(text).errors
    assert [(issue.segment, issue.position) for issue in errors] == [("SE", 60)]
    assert "SE01" in errors[0].message


def test_mismatched_control_numbers_in_trailers_are_reported(fixture) -> None:
    text = fixture("835_remittance.x12").replace("SE*58*1001", "SE*60*1002").replace("GE*1*101", "GE*1*102")
    text = text.replace("IEA*1*000000101", "IEA*1*000000102")
    messages = _messages(text)
    assert any("SE02" in message for message in messages)
    assert any("GE02" in message for message in messages)
    assert any("IEA02" in message for message in messages)


def test_wrong_group_and_interchange_counts_are_reported(fixture) -> None:
    text = fixture("835_remittance.x12").replace("GE*1*101", "GE*2*101").replace("IEA*1*000000101", "IEA*3*000000101")
    messages = _messages(text)
    assert any("GE01" in message for message in messages)
    assert any("IEA01" in message for message in messages)


def test_a_transaction_set_in_the_wrong_functional_group_is_reported(fixture) -> None:
    text = fixture("835_remittance.x12").replace("GS*HP*", "GS*HC*")
    assert any("GS01 HP group" in message for message in _messages(text))


def test_a_duplicate_transaction_set_control_number_in_a_group_is_reported(fixture) -> None:
    text = fixture("999_acknowledgements.x12").replace("ST*999*2002*", "ST*999*2001*").replace("SE*6*2002", "SE*6*2001")
    assert any("used twice" in message for message in _messages(text))


def test_a_missing_se_is_reported_and_the_group_still_closes(fixture) -> None:
    lines = fixture("999_acknowledgements.x12").splitlines()
    text = "\n".join(line for line in lines if not line.startswith("SE*16*2001"))
    messages = _messages(text)
    assert any("no SE trailer" in message for message in messages)


def test_a_file_cut_off_before_its_iea_is_truncated(fixture) -> None:
    text = fixture("835_remittance.x12")
    with pytest.raises(TruncatedInterchange):
        read(text[: len(text) // 2])


def test_segments_after_the_last_transaction_set_are_outside_any_set(fixture) -> None:
    text = fixture("999_acknowledgements.x12").replace("GE*2*201~", "LX*1~\nGE*2*201~")
    assert any("outside any transaction set" in message for message in _messages(text))
