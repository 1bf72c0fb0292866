"""HCPCS Level II, place of service and modifiers: effective-dated lookups and the loaders."""

from __future__ import annotations

from datetime import date

import pytest

from shared.codes.code_tables import (
    CodeTable,
    CodeTableError,
    hcpcs_level2,
    load_cms_hcpcs,
    modifiers,
    parse_table_csv,
    places_of_service,
)

CMS_QUARTERLY = """HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,PRICE1,ADD DT,ACT EFF DT,TERM DT,ACTION CD
G9990,00100,3,A long description,Synthetic new code,,20270101,20270101,,A
G9990,00200,4,continued,,,,,,
G9991,00100,3,A long description,Synthetic ended code,,20200101,20200101,20261231,T
ZZ,00100,7,A modifier row,Synthetic modifier,,20200101,20200101,,N
"""


def test_every_code_the_simulator_bills_as_hcpcs_is_in_the_shipped_subset() -> None:
    for code in ("G0438", "G0439", "J1100", "J3301"):
        assert hcpcs_level2().is_valid(code, date(2026, 6, 1)), code


def test_the_place_of_service_list_knows_office_and_telehealth_codes_by_date() -> None:
    table = places_of_service()
    assert table.is_valid("11", date(2026, 1, 1))
    assert table.is_valid("02", date(2026, 1, 1))
    assert not table.is_valid("10", date(2021, 12, 31))  # telehealth in the home began in 2022
    assert table.is_valid("10", date(2022, 1, 1))
    assert not table.is_valid("30", date(2026, 1, 1))  # unassigned
    assert len(table) >= 50


def test_modifiers_include_the_ones_the_simulator_uses() -> None:
    for modifier in ("25", "26", "TC", "RT", "LT", "59", "95", "GT"):
        assert modifiers().is_valid(modifier, date(2026, 1, 1)), modifier


def test_a_quarterly_cms_file_loads_beside_the_current_codes() -> None:
    table = CodeTable("hcpcs", parse_table_csv(
        "code,effective_from,effective_to,short_description\nJ1100,2003-01-01,,Dexamethasone\n", name="t"))
    added = table.load(load_cms_hcpcs(CMS_QUARTERLY))
    assert added == 2  # the continuation (4) and modifier (7) rows are not codes
    assert table.is_valid("J1100", date(2026, 6, 1))
    assert not table.is_valid("G9990", date(2026, 12, 31)) and table.is_valid("G9990", date(2027, 1, 1))
    assert table.is_valid("G9991", date(2026, 12, 31)) and not table.is_valid("G9991", date(2027, 1, 1))


def test_a_cms_file_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(CodeTableError, match="columns"):
        list(load_cms_hcpcs("CODE,DESC\nG0439,x\n"))


def test_a_bad_date_names_the_row() -> None:
    with pytest.raises(CodeTableError, match="row 2"):
        list(parse_table_csv("code,effective_from,effective_to,text\nA1,2026-13-01,,x\n", name="t"))
