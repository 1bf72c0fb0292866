import pytest

from shared.codes.procedures import (
    MODIFIER_MEANINGS,
    classify,
    is_valid_modifier,
    is_valid_procedure_code,
    modifier_meaning,
)


@pytest.mark.parametrize(("code", "kind"), [
    ("99213", "cpt"),
    ("00100", "cpt"),
    ("3074F", "cpt_category_ii"),
    ("0042T", "cpt_category_iii"),
    ("0001U", "cpt_pla"),
    ("0002M", "cpt_maaa"),
    ("J1885", "hcpcs"),
    ("G0438", "hcpcs"),
    ("A0428", "hcpcs"),
    ("V2020", "hcpcs"),
])
def test_a_procedure_code_is_classified_by_its_shape(code: str, kind: str) -> None:
    assert classify(code) == kind
    assert is_valid_procedure_code(code)


@pytest.mark.parametrize("code", [
    "9921",     # too short
    "992131",   # too long
    "D0120",    # dental (CDT), not a HCPCS Level II letter
    "I1234",    # letters CMS does not assign
    "N1234",
    "W1234",
    "1234X",    # not a CPT suffix
    "J188A",
    "ABCDE",
    "j1885",    # codes travel uppercase
    "99 13",
    "\u0669\u0669\u0662\u0661\u0663",  # Arabic-Indic digits are digits to Python, not to a payer
    "",
])
def test_a_code_of_no_known_shape_is_not_a_procedure_code(code: str) -> None:
    assert classify(code) is None
    assert not is_valid_procedure_code(code)


@pytest.mark.parametrize("modifier", ["25", "59", "LT", "XU", "TC", "Q5"])
def test_a_modifier_is_two_uppercase_letters_or_digits(modifier: str) -> None:
    assert is_valid_modifier(modifier)


@pytest.mark.parametrize("modifier", ["2", "255", "lt", "L-", "", " 25", "25\n"])
def test_a_modifier_of_another_shape_is_invalid(modifier: str) -> None:
    assert not is_valid_modifier(modifier)


def test_every_common_modifier_is_explained_in_one_line() -> None:
    expected = {"25", "26", "59", "76", "77", "91", "GT", "95", "TC", "LT", "RT", "XE", "XS", "XP", "XU",
                "GA", "GY", "GZ", "QW", "50", "51", "KX"}
    assert set(MODIFIER_MEANINGS) == expected
    for modifier, meaning in MODIFIER_MEANINGS.items():
        assert is_valid_modifier(modifier)
        assert 0 < len(meaning) <= 100 and "\n" not in meaning


def test_a_modifier_we_do_not_explain_has_no_meaning() -> None:
    assert modifier_meaning("LT") == "Done on the left side of the body"
    assert modifier_meaning("Q5") is None
