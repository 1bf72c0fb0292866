"""NCCI PTP and MUE loaders (CMS layouts) and Excludes1 patterns from the ICD-10-CM tabular."""

from __future__ import annotations

from datetime import date

import pytest

from shared.codes.code_tables import CodeTableError
from shared.codes.excludes1 import Exclusion, excluded_together, parse_note
from shared.codes.ncci import MueTable, PtpTable, load_mue, load_ptp, synthetic_mue, synthetic_ptp

PTP = ("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tRationale\n"
       "11111\t22222\t\t20200101\t*\t1\tSynthetic\n"
       "11111\t33333\t\t20200101\t20250101\t0\tSynthetic\n"
       "11111\t44444\t\t20200101\t*\t9\tSynthetic\n")


def test_ptp_edits_apply_from_their_effective_date_until_deleted() -> None:
    table = PtpTable(load_ptp(PTP))
    assert table.edit("11111", "22222", date(2026, 1, 1)).modifier_indicator == "1"
    assert table.edit("11111", "33333", date(2024, 12, 31)) is not None
    assert table.edit("11111", "33333", date(2025, 1, 1)) is None
    assert table.edit("11111", "44444", date(2026, 1, 1)) is None  # indicator 9: no edit
    assert table.edit("22222", "11111", date(2026, 1, 1)) is None  # column order matters


def test_a_ptp_row_with_a_bad_indicator_is_refused() -> None:
    with pytest.raises(CodeTableError, match="line 1"):
        list(load_ptp("11111\t22222\t\t20200101\t*\t5\tx\n"))


def test_mue_line_and_date_of_service_edits_and_a_newer_quarter() -> None:
    text = "HCPCS/CPT Code,MUE Values,MUE Adjudication Indicator,MUE Rationale\n" \
           "11111,2,1 Line Edit,x\n22222,3,3 Date of Service Edit: Clinical,x\n"
    table = MueTable(load_mue(text, effective_from=date(2026, 1, 1)))
    assert table.limit("11111", date(2026, 2, 1)).per_day is False
    assert table.limit("22222", date(2026, 2, 1)).per_day is True
    assert table.limit("11111", date(2025, 12, 31)) is None
    table.load(load_mue("11111,4,1 Line Edit,x\n", effective_from=date(2026, 4, 1)))
    assert table.limit("11111", date(2026, 3, 31)).units == 2 and table.limit("11111", date(2026, 4, 1)).units == 4


def test_the_synthetic_fixtures_load() -> None:
    assert synthetic_ptp().edit("20610", "99213", date(2026, 1, 1)).modifier_indicator == "1"
    assert synthetic_mue().limit("99213", date(2026, 1, 1)).units == 1


def test_excludes1_notes_become_code_patterns() -> None:
    assert parse_note("type 1 diabetes mellitus (E10.-)") == (Exclusion(prefix="E10"),)
    assert parse_note("influenza (J09.X2, J10.1)") == (Exclusion(prefix="J09X2"), Exclusion(prefix="J101"))
    assert parse_note("intestinal infections (A00-A09)") == (Exclusion(first="A00", last="A09"),)


def test_excludes1_pairs_come_from_the_code_and_its_ancestors() -> None:
    assert excluded_together("E119", "E109")  # E11 excludes type 1 diabetes
    assert excluded_together("E109", "E119")  # either order
    assert excluded_together("J302", "J45909")  # allergic rhinitis with asthma is coded as asthma
    assert not excluded_together("I10", "E119")
