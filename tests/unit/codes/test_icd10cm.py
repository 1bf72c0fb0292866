import time

import pytest

from shared.codes import icd10cm


@pytest.mark.parametrize(("sent", "normalized"), [
    ("E11.9", "E119"),
    ("e11.9", "E119"),
    (" S52.521A ", "S52521A"),
    ("I10", "I10"),
])
def test_a_diagnosis_is_normalized_to_uppercase_without_the_dot(sent: str, normalized: str) -> None:
    assert icd10cm.normalize(sent) == normalized


@pytest.mark.parametrize("code", ["E11.9", "E119", "e11.9", "I10", "S52.521A", "Z3A.01", "M1A.0110", "U07.1"])
def test_a_leaf_code_is_billable_dotted_or_not(code: str) -> None:
    assert icd10cm.is_billable(code)


def test_a_code_added_in_fy2026_is_billable() -> None:
    # E11.A (type 2 diabetes in remission) first appeared in the FY2026 code set.
    assert icd10cm.is_billable("E11.A")


@pytest.mark.parametrize("header", ["E11", "S52.521", "Z3A", "X99"])
def test_a_header_code_is_valid_but_not_billable(header: str) -> None:
    assert icd10cm.is_valid(header)
    assert not icd10cm.is_billable(header)


@pytest.mark.parametrize("unknown", [
    "E11.99",       # well formed, not in the code set
    "E11.0000",
    "E1.19",        # the dot in the wrong place
    "E11.",
    "E11..9",
    "A00-A09",      # a block of the tabular list, not a code
    "1",            # a chapter
    "ZZZ",
    "",
])
def test_an_unknown_code_is_neither_valid_nor_billable_and_does_not_raise(unknown: str) -> None:
    assert not icd10cm.is_valid(unknown)
    assert not icd10cm.is_billable(unknown)
    assert icd10cm.description(unknown) is None


def test_a_code_has_the_code_sets_description() -> None:
    assert icd10cm.description("e11.9") == "Type 2 diabetes mellitus without complications"


def test_a_header_code_has_a_description_too() -> None:
    assert icd10cm.description("E11") == "Type 2 diabetes mellitus"


def test_a_hundred_thousand_warm_lookups_take_under_half_a_second() -> None:
    codes = ["E11.9", "I10", "E11", "E11.99", "Z00.00", "s52.521a", "J06.9", "R05.9", "E78.5", "M54.50"]
    for code in codes:
        icd10cm.is_billable(code)

    started = time.perf_counter()
    for _ in range(10_000):
        for code in codes:
            icd10cm.is_billable(code)
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5
