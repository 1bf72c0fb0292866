from __future__ import annotations

import pytest

from shared.x12 import MalformedInterchange, NotX12, Separators, detect_separators, read
from shared.x12.tokenizer import tokenize

STANDARD_ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~"
)


def test_the_standard_separators_are_read_from_a_padded_isa() -> None:
    assert detect_separators(STANDARD_ISA + "GS*...") == Separators("*", "^", ":", "~", "")


def test_a_line_break_after_each_segment_is_noticed() -> None:
    assert detect_separators(STANDARD_ISA + "\r\nGS*").line_break == "\r\n"


def test_other_separators_come_from_the_isa_itself() -> None:
    isa = STANDARD_ISA.replace("*", "|").replace("^", "{").replace(":", ">").replace("~", "!")
    assert detect_separators(isa) == Separators("|", "{", ">", "!", "")


def test_an_isa_without_padding_is_still_understood() -> None:
    isa = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240101*1200*^*00501*000000001*0*T*:~GS*HC"
    assert detect_separators(isa) == Separators("*", "^", ":", "~", "")


def test_a_4010_interchange_has_no_repetition_separator() -> None:
    isa = STANDARD_ISA.replace("*^*00501*", "*U*00401*")
    assert detect_separators(isa).repetition == ""


def test_input_that_does_not_start_with_isa_is_not_x12() -> None:
    with pytest.raises(NotX12):
        detect_separators("GS*HC*A*B~")


def test_a_letter_as_element_separator_is_malformed() -> None:
    with pytest.raises(MalformedInterchange):
        detect_separators("ISAX00X")


def test_separators_that_collide_are_malformed() -> None:
    with pytest.raises(MalformedInterchange):
        detect_separators(STANDARD_ISA.replace("*:~", "*~~"))


def test_trailing_spaces_and_blank_lines_around_segments_are_ignored() -> None:
    text = STANDARD_ISA + "  \n\nGS*HC*A*B*20240101*1200*1*X*005010X222A1~ \r\nGE*0*1~IEA*1*000000001~\n\n"
    tokens = tokenize(text)
    assert [segment[0] for segment in tokens.segments] == ["ISA", "GS", "GE", "IEA"]


def test_a_byte_order_mark_and_leading_whitespace_are_skipped() -> None:
    text = "\ufeff\n " + STANDARD_ISA + "GS*HC*A*B*20240101*1200*1*X*005010X222A1~GE*0*1~IEA*1*000000001~"
    assert len(read(text.encode("utf-8")).interchanges) == 1


def test_the_835_reads_the_same_with_pipes_and_without_line_breaks(fixture) -> None:
    with_breaks = read(fixture("835_remittance.x12")).remittances()
    compact = read(fixture("835_pipes_no_line_breaks.x12")).remittances()
    assert compact == with_breaks
