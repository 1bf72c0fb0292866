"""The on-demand HL7 reader answers as python-hl7 does (python-hl7 is the oracle here)."""

from __future__ import annotations

import hl7
from hypothesis import given, settings
from hypothesis import strategies as st

from services.registration.hl7.mapping import normalize, read_header
from services.registration.hl7.text import Hl7Text
from tests.unit.ehr import samples

PATHS = [(field, repetition, component, sub) for field in range(1, 40) for repetition in (1, 2, 3)
         for component in (1, 2, 3, 6) for sub in (1, 2, 3)]


def python_hl7(segment, field: int, repetition: int, component: int, sub: int) -> str:
    """What the mapping read before: python-hl7's extract_field, "" where it refuses the path."""
    try:
        return str(segment.extract_field(1, field, repetition, component, sub)).strip()
    except (IndexError, KeyError, TypeError):
        return ""


def assert_same_answers(text: str) -> int:
    text = normalize(text)
    header = read_header(text)
    ours = Hl7Text(text, header.field_separator, header.encoding_characters)
    theirs = hl7.parse(text)
    assert [s.name for s in ours.segments] == [str(s[0]) for s in theirs]
    compared = 0
    for mine, oracle in zip(ours.segments, theirs):
        for field, repetition, component, sub in PATHS:
            if mine.name == "MSH" and field <= 2:
                continue  # the separators: read_header reads them, never `get`
            assert ours.get(mine, field, repetition, component, sub) == python_hl7(
                oracle, field, repetition, component, sub), (mine.name, field, repetition, component, sub)
            compared += 1
        for field in range(3, 40):
            value = oracle(field) if field < len(oracle) else ""
            expected = (len(value) if value and isinstance(value[0], hl7.Repetition) else (1 if str(value) else 0))
            assert ours.repetitions(mine, field) == expected, (mine.name, field)
    return compared


def test_every_sample_message_reads_as_python_hl7_reads_it() -> None:
    messages = [samples.a04("C1", secondary=True), samples.dft("D1"), samples.a08("U1"), samples.a03("X1"),
                samples.a11("K1"), samples.with_encoding(samples.a04("E1"))]
    assert sum(assert_same_answers(message) for message in messages) > 10_000


def test_escape_sequences_are_unescaped_by_python_hl7_rules() -> None:
    message = samples.msh("ADT^A04^ADT_A01", "C9") + "\r" + r"PID|1||M1^^^F^MR||Zz\T\Fake\S\X^Al\F\pha\E\\R\~Two||\X41\\.br\x"
    text = Hl7Text(message, "|", "^~\\&")
    pid = text.first("PID")
    assert text.get(pid, 5) == "Zz&Fake^X"
    assert text.get(pid, 5, component=2) == "Al|pha\\~"
    assert text.get(pid, 5, repetition=2) == "Two"
    assert text.get(pid, 7) == "A\rx"
    assert_same_answers(message)


def test_msh_fields_are_numbered_from_the_separator() -> None:
    text = Hl7Text(samples.msh("ADT^A04^ADT_A01", "C42"), "|", "^~\\&")
    msh = text.first("MSH")
    assert (text.get(msh, 4), text.get(msh, 9, component=2), text.get(msh, 10)) == ("TESTFAC", "A04", "C42")
    assert text.get(msh, 1) == "|" and text.get(msh, 2) == "^~\\&"


_CHARS = st.sampled_from(["a", "B", "7", " ", "^", "~", "&", "\\F\\", "\\S\\", "\\T\\", "\\R\\", "\\E\\", "\\X4A\\",
                          "\\H\\", "\\.br\\", "-", "."])
_FIELD = st.lists(_CHARS, max_size=12).map("".join)
_SEGMENT = st.tuples(st.sampled_from(["PID", "PV1", "IN1", "FT1", "DG1", "ZXY"]),
                     st.lists(_FIELD, min_size=1, max_size=30)).map(lambda s: "|".join([s[0], *s[1]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(_SEGMENT, min_size=1, max_size=4), st.booleans())
def test_generated_messages_read_as_python_hl7_reads_them(segments: list[str], other_encoding: bool) -> None:
    message = "\r".join([samples.msh("ADT^A04^ADT_A01", "G1"), *segments])
    assert_same_answers(samples.with_encoding(message) if other_encoding else message)
