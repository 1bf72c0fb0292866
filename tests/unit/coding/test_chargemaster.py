from datetime import date, datetime
from decimal import Decimal

import pytest

from services.coding.chargemaster import (
    Chargemaster,
    ChargemasterEntry,
    ChargemasterFileError,
    CodingError,
    DuplicateChargemasterEntry,
    InvalidChargemasterEntry,
    parse_chargemaster_csv,
)
from tests.unit.coding.builders import a_chargemaster, an_entry

DOS = date(2026, 3, 2)
HEADER = "procedure_code,modifier,unit_price,effective_from,description\n"


# --- pricing ------------------------------------------------------------------------------------


def test_a_code_is_priced_from_its_entry_without_a_modifier() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00"))

    assert chargemaster.price("99213", (), DOS) == Decimal("125.00")


def test_an_entry_for_the_first_listed_modifier_wins_over_the_code_only_entry() -> None:
    chargemaster = a_chargemaster(an_entry("71046", "90.00"), an_entry("71046", "30.00", modifier="26"))

    assert chargemaster.price("71046", ("26",), DOS) == Decimal("30.00")


def test_a_modifier_listed_second_does_not_pick_the_price() -> None:
    chargemaster = a_chargemaster(an_entry("71046", "90.00"), an_entry("71046", "30.00", modifier="26"))

    assert chargemaster.price("71046", ("59", "26"), DOS) == Decimal("90.00")


def test_a_modifier_without_its_own_entry_is_priced_as_the_code() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00"), an_entry("99213", "100.00", modifier="95"))

    assert chargemaster.price("99213", ("25",), DOS) == Decimal("125.00")


def test_a_modifier_entry_does_not_price_the_code_billed_without_that_modifier() -> None:
    chargemaster = a_chargemaster(an_entry("71046", "30.00", modifier="26"))

    assert chargemaster.price("71046", (), DOS) is None


def test_a_code_missing_from_the_chargemaster_has_no_price() -> None:
    assert a_chargemaster(an_entry("99213", "125.00")).price("99214", (), DOS) is None


def test_a_price_does_not_apply_before_its_effective_from() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00", effective_from=date(2026, 3, 3)))

    assert chargemaster.price("99213", (), DOS) is None


def test_a_price_applies_from_its_effective_from_day() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00", effective_from=DOS))

    assert chargemaster.price("99213", (), DOS) == Decimal("125.00")


def test_a_price_applies_through_its_effective_to_day_and_not_after() -> None:
    chargemaster = a_chargemaster(an_entry("99213", "125.00", effective_to=DOS))

    assert chargemaster.price("99213", (), DOS) == Decimal("125.00")
    assert chargemaster.price("99213", (), date(2026, 3, 3)) is None


def test_the_newest_price_in_effect_wins() -> None:
    chargemaster = a_chargemaster(
        an_entry("99213", "110.00", effective_from=date(2025, 1, 1)),
        an_entry("99213", "125.00", effective_from=date(2026, 1, 1)),
        an_entry("99213", "140.00", effective_from=date(2026, 6, 1)),
    )

    assert chargemaster.price("99213", (), date(2025, 12, 31)) == Decimal("110.00")
    assert chargemaster.price("99213", (), DOS) == Decimal("125.00")
    assert chargemaster.price("99213", (), date(2026, 6, 1)) == Decimal("140.00")


def test_an_expired_newer_price_gives_way_to_an_older_open_ended_one() -> None:
    chargemaster = a_chargemaster(
        an_entry("99213", "110.00", effective_from=date(2025, 1, 1)),
        an_entry("99213", "99.00", effective_from=date(2026, 1, 1), effective_to=date(2026, 2, 28)),
    )

    assert chargemaster.price("99213", (), DOS) == Decimal("110.00")


def test_an_expired_modifier_price_falls_back_to_the_code_price() -> None:
    chargemaster = a_chargemaster(
        an_entry("71046", "90.00"),
        an_entry("71046", "30.00", modifier="26", effective_to=date(2025, 12, 31)),
    )

    assert chargemaster.price("71046", ("26",), DOS) == Decimal("90.00")


def test_two_entries_for_the_same_code_modifier_and_day_are_refused() -> None:
    with pytest.raises(DuplicateChargemasterEntry):
        Chargemaster([an_entry("99213", "125.00"), an_entry("99213", "130.00")])


def test_the_same_code_with_and_without_a_modifier_is_not_a_duplicate() -> None:
    assert len(Chargemaster([an_entry("71046", "90.00"), an_entry("71046", "30.00", modifier="26")])) == 2


# --- entries --------------------------------------------------------------------------------------


def test_a_unit_price_is_kept_to_the_cent() -> None:
    assert str(an_entry(price="12.5").unit_price) == "12.50"


@pytest.mark.parametrize("price", ["12.345", "-1.00", "10000000.00", "NaN"])
def test_an_entry_with_an_impossible_price_is_refused(price: str) -> None:
    with pytest.raises(InvalidChargemasterEntry):
        an_entry(price=price)


def test_an_entry_priced_with_a_float_is_refused() -> None:
    with pytest.raises(InvalidChargemasterEntry, match="Decimal"):
        ChargemasterEntry("99213", None, 125.0, date(2026, 1, 1), None, "Tenant description")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["9921", "D0120", "99213 ", "j1885"])
def test_an_entry_for_a_malformed_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidChargemasterEntry):
        an_entry(code)


def test_an_entry_with_a_malformed_modifier_is_refused() -> None:
    with pytest.raises(InvalidChargemasterEntry):
        an_entry(modifier="2")


def test_an_entry_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidChargemasterEntry, match="before"):
        an_entry(effective_from=date(2026, 2, 1), effective_to=date(2026, 1, 31))


def test_an_entry_starting_at_an_instant_rather_than_a_day_is_refused() -> None:
    with pytest.raises(InvalidChargemasterEntry):
        an_entry(effective_from=datetime(2026, 1, 1, 8, 0))  # type: ignore[arg-type]


def test_chargemaster_errors_are_coding_errors_with_a_code() -> None:
    with pytest.raises(CodingError) as refused:
        an_entry(price="-1.00")
    assert refused.value.code == "CHARGEMASTER_ENTRY_INVALID"


# --- CSV files --------------------------------------------------------------------------------------


def test_a_chargemaster_file_is_read_into_entries() -> None:
    entries = parse_chargemaster_csv(
        HEADER
        + "99213,,125.00,2026-01-01,Office visit (tenant wording)\n"
        + "71046,26,30,2026-01-01,Chest imaging reading (tenant wording)\n"
    )

    assert entries == [
        ChargemasterEntry("99213", None, Decimal("125.00"), date(2026, 1, 1), None, "Office visit (tenant wording)"),
        ChargemasterEntry("71046", "26", Decimal("30.00"), date(2026, 1, 1), None,
                          "Chest imaging reading (tenant wording)"),
    ]


def test_a_file_may_give_effective_to_and_order_columns_freely() -> None:
    entries = parse_chargemaster_csv(
        "description,effective_to,effective_from,unit_price,modifier,procedure_code\n"
        "Venipuncture (tenant wording),2026-12-31,2026-01-01,15.50,,36415\n"
        "Injection drug (tenant wording),,2026-01-01,8.25,,J1885\n"
    )

    assert [(e.procedure_code, e.effective_to) for e in entries] == [("36415", date(2026, 12, 31)), ("J1885", None)]


def test_a_file_saved_by_a_spreadsheet_with_a_byte_order_mark_and_crlf_is_read() -> None:
    entries = parse_chargemaster_csv("\ufeff" + HEADER.replace("\n", "\r\n") + "99213,,125.00,2026-01-01,Visit\r\n")

    assert [e.procedure_code for e in entries] == ["99213"]


def test_a_file_with_only_a_header_has_no_entries() -> None:
    assert parse_chargemaster_csv(HEADER) == []


def test_blank_lines_in_a_file_are_skipped() -> None:
    entries = parse_chargemaster_csv(HEADER + "\n99213,,125.00,2026-01-01,Visit\n\n")

    assert len(entries) == 1


@pytest.mark.parametrize(("row", "reason"), [
    ("99213,,12.345,2026-01-01,Visit", "fractions of a cent"),
    ("99213,,-5.00,2026-01-01,Visit", "negative"),
    ("99213,,abc,2026-01-01,Visit", "not an amount"),
    ("99213,,1e3,2026-01-01,Visit", "not an amount"),
    ("99213,,$125.00,2026-01-01,Visit", "not an amount"),
    ("99213,,,2026-01-01,Visit", "not an amount"),
    ("9921,,125.00,2026-01-01,Visit", "procedure_code"),
    ("D0120,,125.00,2026-01-01,Visit", "procedure_code"),
    ("99213,2,125.00,2026-01-01,Visit", "modifier"),
    ("99213,,125.00,01/01/2026,Visit", "effective_from"),
    ("99213,,125.00,2026-02-30,Visit", "effective_from"),
    ("99213,,125.00,,Visit", "effective_from is empty"),
    ("99213,,125.00,2026-01-01,", "description is empty"),
    ("99213,,125.00,2026-01-01,Visit,extra", "has 6 fields"),
])
def test_a_bad_row_is_reported_with_its_row_number_and_reason(row: str, reason: str) -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(HEADER + "36415,,15.50,2026-01-01,Venipuncture\n" + row + "\n")

    [problem] = refused.value.problems
    assert problem.row == 3
    assert reason in problem.reason


def test_an_effective_to_before_effective_from_is_a_bad_row() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv("procedure_code,modifier,unit_price,effective_from,effective_to,description\n"
                               "99213,,125.00,2026-02-01,2026-01-31,Visit\n")

    assert [(p.row, p.reason) for p in refused.value.problems] == [(2, "effective_to is before effective_from")]


def test_a_duplicate_row_is_reported_with_the_row_it_repeats() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(HEADER
                               + "99213,,125.00,2026-01-01,Visit\n"
                               + "99213,25,125.00,2026-01-01,Visit with modifier\n"
                               + "99213,,130.00,2026-01-01,Visit again\n")

    assert [(p.row, p.reason) for p in refused.value.problems] == [
        (4, "same procedure_code, modifier and effective_from as row 2")]


def test_every_bad_row_is_reported_at_once_and_nothing_is_loaded() -> None:
    text = (HEADER
            + "99213,,125.00,2026-01-01,Visit\n"      # row 2: fine
            + "99214,,12.345,2026-01-01,Visit\n"      # row 3: price
            + "36415,,15.50,2026-01-01,Lab draw\n"    # row 4: fine
            + "ABCDE,XX-,-1,2026-13-01,\n"            # row 5: everything
            + "99213,,120.00,2026-01-01,Visit\n")     # row 6: duplicate of row 2

    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(text)

    problems = refused.value.problems
    assert sorted({p.row for p in problems}) == [3, 5, 6]
    assert {p.reason.split(" ")[0] for p in problems if p.row == 5} == {
        "procedure_code", "modifier", "unit_price", "effective_from", "description"}
    assert "3 bad row(s)" in str(refused.value)
    assert "nothing loaded" in str(refused.value)


def test_a_long_list_of_bad_rows_is_shortened_in_the_message_but_kept_in_full() -> None:
    text = HEADER + "".join(f"99213,,bad,2026-01-01,Visit {n}\n" for n in range(30))

    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(text)

    assert len(refused.value.problems) == 30
    assert str(refused.value).endswith("and 10 more")


def test_a_missing_column_is_reported_on_the_header_row() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv("procedure_code,unit_price,effective_from,description\n99213,125.00,2026-01-01,Visit\n")

    assert [(p.row, p.reason) for p in refused.value.problems] == [(1, "missing column modifier")]


def test_a_misspelled_column_is_reported_rather_than_ignored() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(HEADER.rstrip("\n") + ",efective_to\n99213,,125.00,2026-01-01,Visit,2026-12-31\n")

    assert [(p.row, p.reason) for p in refused.value.problems] == [(1, "unknown column 'efective_to'")]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv("")

    assert refused.value.problems[0].row == 1


def test_a_file_that_is_not_csv_is_refused() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(HEADER + '99213,,125.00,2026-01-01,"Visit\n36415,,15.50,2026-01-01,Lab\n')

    assert "not readable as CSV" in refused.value.problems[0].reason


def test_an_entry_without_a_price_or_start_date_is_refused() -> None:
    with pytest.raises(InvalidChargemasterEntry, match="NoneType.*effective_from is not a date"):
        ChargemasterEntry("99213", None, None, None, None, "Tenant description")  # type: ignore[arg-type]


def test_an_unreadable_price_is_reported_once() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(HEADER + "99213,,abc,2026-01-01,Visit\n")

    assert [p.reason for p in refused.value.problems] == ["unit_price 'abc' is not an amount like 125.00"]
