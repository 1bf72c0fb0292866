"""Contract fee schedules: every row validated (errors name the row and the column), then the
allowed amount looked up by payer, code, modifiers and date."""

from __future__ import annotations

from datetime import date

import pytest

from services.payments.fee_schedule import FeeScheduleInvalid, allowed_amount, parse_fee_schedule_csv
from tests.unit.payments.builders import money

HEADER = "payer_id,procedure_code,modifiers,effective_from,effective_to,allowed\n"


def test_a_schedule_loads_every_row_with_per_unit_amounts() -> None:
    entries = parse_fee_schedule_csv(HEADER + "ACMEHEALTH,99213,,2025-01-01,,82.50\n"
                                              "ACMEHEALTH,99213,25,2025-01-01,2025-12-31,90.00\n")

    assert [(e.procedure_code, e.modifiers, e.allowed) for e in entries] == [
        ("99213", (), money("82.50")), ("99213", ("25",), money("90.00"))]


@pytest.mark.parametrize(("row", "column"), [
    ("acme,99213,,2025-01-01,,82.50", "payer_id"),
    ("ACMEHEALTH,9921,,2025-01-01,,82.50", "procedure_code"),
    ("ACMEHEALTH,99213,X,2025-01-01,,82.50", "modifiers"),
    ("ACMEHEALTH,99213,,2025-13-01,,82.50", "effective_from"),
    ("ACMEHEALTH,99213,,2025-02-01,2025-01-01,82.50", "effective_to"),
    ("ACMEHEALTH,99213,,2025-01-01,,82.505", "allowed"),
    ("ACMEHEALTH,99213,,2025-01-01,,-1.00", "allowed"),
    ("ACMEHEALTH,99213,,2025-01-01,,abc", "allowed"),
    ("ACMEHEALTH,99213,,2025-01-01", "row"),
])
def test_a_bad_row_is_refused_naming_its_row_and_column(row: str, column: str) -> None:
    with pytest.raises(FeeScheduleInvalid) as refused:
        parse_fee_schedule_csv(HEADER + "ACMEHEALTH,99214,,2025-01-01,,120.00\n" + row + "\n")

    assert (refused.value.row, refused.value.column) == (3, column)
    assert str(refused.value).startswith(f"row 3, column {column}:")


def test_two_rows_of_one_service_that_overlap_in_time_are_refused() -> None:
    with pytest.raises(FeeScheduleInvalid, match="row 3, column effective_from"):
        parse_fee_schedule_csv(HEADER + "ACMEHEALTH,99213,,2025-01-01,,82.50\nACMEHEALTH,99213,,2025-06-01,,85.00\n")


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(FeeScheduleInvalid, match="row 1, column header"):
        parse_fee_schedule_csv("payer,code\n")


def test_the_allowed_amount_is_the_row_for_the_date_and_the_exact_modifiers_first() -> None:
    entries = parse_fee_schedule_csv(HEADER + "ACMEHEALTH,99213,,2024-01-01,2024-12-31,80.00\n"
                                              "ACMEHEALTH,99213,,2025-01-01,,82.50\n"
                                              "ACMEHEALTH,99213,25,2025-01-01,,90.00\n")

    assert allowed_amount(entries, "ACMEHEALTH", "99213", (), date(2024, 6, 1)) == money("80.00")
    assert allowed_amount(entries, "ACMEHEALTH", "99213", (), date(2025, 6, 1)) == money("82.50")
    assert allowed_amount(entries, "ACMEHEALTH", "99213", ("25",), date(2025, 6, 1)) == money("90.00")
    assert allowed_amount(entries, "ACMEHEALTH", "99213", ("59",), date(2025, 6, 1)) == money("82.50")
    assert allowed_amount(entries, "ACMEHEALTH", "99213", ("25", "59"), date(2025, 6, 1)) == money("90.00")
    assert allowed_amount(entries, "ACMEHEALTH", "99213", ("59", "25"), date(2025, 6, 1)) == money("82.50")
    assert allowed_amount(entries, "OTHERPAYER", "99213", (), date(2025, 6, 1)) is None
    assert allowed_amount(entries, "ACMEHEALTH", "99213", (), date(2023, 6, 1)) is None
