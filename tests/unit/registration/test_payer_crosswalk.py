"""The payer crosswalk file and its loader's answers (validation only: no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from services.registration.crosswalk import CrosswalkFileError, parse_crosswalk_csv

HEADER = "match,sender_code,payer_id,payer_name,effective_from,effective_to\n"


def test_a_valid_file_reads_every_row_normalizing_sender_codes() -> None:
    entries = parse_crosswalk_csv("\ufeff" + HEADER + "code, bcbs-il   00621 ,bcbsil,Blue Cross of Illinois,2026-01-01,\n"
                                  "name,Aetna Health Inc,60054,Aetna,2025-01-01,2025-12-31\n"
                                  "name,Aetna Health Inc,60054,Aetna,2026-01-01,\n")
    assert [(e.match, e.sender_code, e.payer_id, e.effective_to) for e in entries] == [
        ("code", "BCBS-IL 00621", "BCBSIL", None), ("name", "AETNA HEALTH INC", "60054", date(2025, 12, 31)),
        ("name", "AETNA HEALTH INC", "60054", None)]


@pytest.mark.parametrize(("rows", "reason"), [
    ("code,X1,BAD ID!,Name,2026-01-01,\n", "row 3: payer_id must be 2 to 15 letters or digits"),
    ("other,X1,P1,Name,2026-01-01,\n", "row 3: match must be code or name"),
    ("code,X1,P1,Name,01/01/2026,\n", "row 3: effective_from is not a date like 2026-01-31"),
    ("code,X1,P1,Name,2026-02-01,2026-01-01\n", "row 3: effective_to is before effective_from"),
    ("code,X1,P1,Name,2026-01-01,\ncode,x1,P2,Other,2026-06-01,\n", "row 4: effective dates overlap row 3"),
    ("code,X1,P1\n", "row 3: has 3 fields, the header has 6"),
])
def test_one_bad_row_refuses_the_file_naming_the_row(rows: str, reason: str) -> None:
    with pytest.raises(CrosswalkFileError) as refused:
        parse_crosswalk_csv(HEADER + "code,OK,P9,Fine,2020-01-01,\n" + rows)
    assert any(str(p).startswith(reason) for p in refused.value.problems), refused.value.problems


def test_the_cli_exits_0_for_a_valid_dry_run_1_for_a_bad_file_and_2_for_an_unreadable_one(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + "code,BCBS-IL 00621,BCBSIL,Blue Cross of Illinois,2026-01-01,\n")
    bad.write_text(HEADER + "code,BCBS-IL 00621,BCBS IL,Blue Cross of Illinois,2026-01-01,\n")
    runner = CliRunner()
    dry = runner.invoke(app, ["payers", "crosswalk", "load", str(good), "--tenant", "t1", "--dry-run"])
    assert dry.exit_code == 0 and "valid (1 rows, 1 payers); dry run, nothing loaded" in dry.output
    refused = runner.invoke(app, ["payers", "crosswalk", "load", str(bad), "--tenant", "t1"])
    assert refused.exit_code == 1 and "row 2: payer_id must be" in refused.output
    missing = runner.invoke(app, ["payers", "crosswalk", "load", str(tmp_path / "none.csv"), "--tenant", "t1"])
    assert missing.exit_code == 2


def test_the_cli_loads_only_through_the_api_exiting_2_without_a_token_or_a_reachable_api(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "code,BCBS-IL 00621,BCBSIL,Blue Cross of Illinois,2026-01-01,\n")
    runner = CliRunner()
    load = ["payers", "crosswalk", "load", str(good), "--tenant", "t1", "--url", "http://127.0.0.1:1"]
    anonymous = runner.invoke(app, load, env={"RCM_TOKEN": "", "RCM_USER": "", "RCM_PASSWORD": ""})
    unreachable = runner.invoke(app, load, env={"RCM_TOKEN": "x.y.z"})
    listed = runner.invoke(app, ["registration", "work-items", "list", "--url", "http://127.0.0.1:1"],
                           env={"RCM_TOKEN": "x.y.z"})
    assert anonymous.exit_code == 2 and "RCM_TOKEN" in anonymous.output
    assert unreachable.exit_code == 2 and "cannot reach the registration API" in unreachable.output
    assert listed.exit_code == 3 and "cannot reach the registration API" in listed.output
