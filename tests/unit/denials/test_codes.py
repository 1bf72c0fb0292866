from datetime import date
from pathlib import Path

import pytest

from services.denials.codes import (
    CodeListError,
    appeal_windows,
    carcs,
    load_appeal_windows,
    load_code_list,
    rarcs,
)
from services.denials.categories import load_rules

TODAY = date(2025, 4, 1)


@pytest.mark.parametrize("code", ["16", "197", "50", "29", "18", "97", "45", "1", "2", "3"])
def test_every_carc_the_simulated_payers_send_is_described(code: str) -> None:
    assert carcs().lookup(code, TODAY) is not None


@pytest.mark.parametrize("code", ["M51", "MA130", "M15", "N290"])
def test_every_rarc_the_simulated_payers_send_is_described(code: str) -> None:
    assert rarcs().lookup(code, TODAY) is not None


def test_a_retired_carc_is_described_only_before_its_stop_date() -> None:
    assert carcs().lookup("125", date(2013, 10, 31)) is not None
    assert carcs().lookup("125", date(2013, 11, 1)) is None


def test_a_carc_is_not_described_before_its_start_date() -> None:
    assert carcs().lookup("252", date(2012, 9, 29)) is None
    assert carcs().describe("252", date(2012, 9, 30)).startswith("An attachment")


def test_an_unknown_code_is_described_as_unrecognised_instead_of_failing() -> None:
    assert carcs().describe("B7", TODAY) == "unrecognised CARC code"
    assert rarcs().describe("ZZ999", TODAY) == "unrecognised RARC code"


def test_the_shipped_lists_have_one_entry_per_code_in_force_on_any_day() -> None:
    for code_list in (carcs(), rarcs()):
        codes = [entry.code for entry in code_list.codes if entry.in_force(TODAY)]
        assert len(codes) == len(set(codes)), code_list.name
        assert len(codes) >= 25


def test_a_code_list_with_a_bad_date_names_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "carc.csv"
    path.write_text("code,description,start,stop\n16,Missing information,1995-01-01,\n18,Duplicate,01/01/1995,\n")

    with pytest.raises(CodeListError, match=r"carc.csv row 3: not a date"):
        load_code_list("CARC", path)


def test_a_code_list_with_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rarc.csv"
    path.write_text("code,text\nM51,Missing procedure code\n")

    with pytest.raises(CodeListError, match="expected the columns"):
        load_code_list("RARC", path)


def test_a_mapping_to_a_category_we_do_not_have_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "carc_categories.csv"
    path.write_text("carc,category,start,stop\n16,FIX_IT_SOMEHOW,1995-01-01,\n")

    with pytest.raises(CodeListError, match="unknown category 'FIX_IT_SOMEHOW' for CARC 16"):
        load_rules(path)


def test_a_tenants_mapping_file_loads_as_rules(tmp_path: Path) -> None:
    path = tmp_path / "carc_categories.csv"
    path.write_text("carc,category,start,stop\n16,AUTHORIZATION,2020-01-01,2021-01-01\n")

    (rule,) = load_rules(path)

    assert (rule.carc, rule.category.value, rule.action.value) == ("16", "AUTHORIZATION", "resubmit")
    assert rule.in_force(date(2020, 12, 31)) and not rule.in_force(date(2021, 1, 1))


def test_payers_appeal_windows_are_data_and_a_bad_row_is_refused(tmp_path: Path) -> None:
    assert appeal_windows()["SIMMCR04"] == 120
    path = tmp_path / "appeal_windows.csv"
    path.write_text("payer_id,days\nACME,0\n")

    with pytest.raises(CodeListError, match="row 2: days must be"):
        load_appeal_windows(path)
