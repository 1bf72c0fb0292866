from __future__ import annotations

import pytest

from shared.x12 import ElementError, FunctionalAcknowledgement, read


@pytest.fixture
def acknowledgements(fixture) -> list[FunctionalAcknowledgement]:
    return read(fixture("999_acknowledgements.x12")).acknowledgements()


def test_a_partially_accepted_group_says_so(acknowledgements) -> None:
    partial = acknowledgements[0]
    assert (partial.group_control_number, partial.status) == ("17", "P")
    assert partial.partially_accepted and not partial.accepted and not partial.rejected
    assert (partial.sets_included, partial.sets_received, partial.sets_accepted) == (3, 3, 2)


def test_each_transaction_set_has_its_own_verdict(acknowledgements) -> None:
    verdicts = [(ack.control_number, ack.status, ack.accepted) for ack in acknowledgements[0].transactions]
    assert verdicts == [("0001", "A", True), ("0002", "R", False), ("0003", "E", True)]


def test_a_rejected_set_carries_its_segment_and_element_errors(acknowledgements) -> None:
    rejected = acknowledgements[0].transactions[1]
    assert rejected.error_codes == ("5",)
    first, second = rejected.segment_errors
    assert (first.segment_id, first.position, first.loop, first.code) == ("NM1", 8, "2010", "8")
    assert first.element_errors == (ElementError(position=9, code="7", element_reference="67"),)
    assert (second.segment_id, second.position, second.loop) == ("CLM", 22, None)
    assert second.element_errors[0].element_reference == "782"


def test_the_copy_of_bad_data_is_not_kept(acknowledgements) -> None:
    assert "BADVALUE" not in repr(acknowledgements)


def test_a_rejected_group_is_rejected(acknowledgements) -> None:
    rejected = acknowledgements[1]
    assert rejected.rejected
    assert [ack.status for ack in rejected.transactions] == ["R"]
