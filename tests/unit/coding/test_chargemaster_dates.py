"""Effective-dated chargemaster files: overlapping date ranges are bad rows; price changes work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.coding.chargemaster import Chargemaster, ChargemasterFileError, overlapping, parse_chargemaster_csv

DATED = "procedure_code,modifier,unit_price,effective_from,effective_to,description\n"


def test_two_ranges_of_one_code_and_modifier_that_overlap_are_a_bad_row_naming_the_other() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(DATED
                               + "99213,,125.00,2026-01-01,2026-06-30,Visit\n"
                               + "99213,,130.00,2026-06-30,,Visit\n")

    assert [(p.row, p.reason) for p in refused.value.problems] == [
        (3, "effective dates overlap row 2 (same procedure_code and modifier)")]


def test_an_overlap_is_found_whatever_the_row_order() -> None:
    with pytest.raises(ChargemasterFileError) as refused:
        parse_chargemaster_csv(DATED
                               + "99213,,130.00,2026-03-01,2026-12-31,Visit\n"
                               + "99213,,125.00,2026-01-01,2026-03-15,Visit\n")

    assert [p.row for p in refused.value.problems] == [2]


def test_ranges_of_different_modifiers_may_overlap_and_adjacent_ranges_are_fine() -> None:
    entries = parse_chargemaster_csv(DATED
                                     + "71046,,90.00,2026-01-01,2026-06-30,Chest imaging\n"
                                     + "71046,,95.00,2026-07-01,,Chest imaging\n"
                                     + "71046,26,30.00,2026-01-01,,Chest imaging reading\n"
                                     + "71046,TC,60.00,2026-01-01,,Chest imaging technical\n")
    prices = Chargemaster(entries)

    assert prices.price("71046", (), date(2026, 6, 30)) == Decimal("90.00")
    assert prices.price("71046", (), date(2026, 7, 1)) == Decimal("95.00")
    assert prices.price("71046", ("26",), date(2026, 7, 1)) == Decimal("30.00")
    assert prices.price("71046", ("TC", "RT"), date(2026, 3, 1)) == Decimal("60.00")
    assert prices.price("71046", ("RT",), date(2026, 3, 1)) == Decimal("90.00")  # no RT row: the code's price
    assert prices.price("71046", (), date(2025, 12, 31)) is None


def test_an_open_ended_row_runs_until_the_next_row_of_its_code_starts() -> None:
    entries = parse_chargemaster_csv(DATED
                                     + "99213,,125.00,2025-01-01,,Visit\n"
                                     + "99213,,130.00,2026-01-01,,Visit\n")

    assert overlapping(entries) == []
    assert Chargemaster(entries).price("99213", (), date(2025, 12, 31)) == Decimal("125.00")
    assert Chargemaster(entries).price("99213", (), date(2026, 1, 1)) == Decimal("130.00")


def test_a_file_without_date_columns_is_still_read_as_open_ended_prices() -> None:
    from simulator.population import build_world, chargemaster_csv

    world = build_world(seed=7)
    entries = parse_chargemaster_csv(chargemaster_csv(world.practices[0]))

    assert entries and all(e.effective_to is None for e in entries)
