"""`rcm claims scrub FILE`: per-claim verdicts and edits from an 837 file, exit 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.claims import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
X12_FIXTURES = Path(__file__).parents[1] / "x12" / "fixtures"


def _scrub(path: Path, *extra: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["scrub", str(path), "--json", "--today", "2026-03-20", *extra])
    return result.exit_code, json.loads(result.output)


def test_a_file_of_clean_claims_passes_with_exit_0() -> None:
    code, report = _scrub(FIXTURES / "837p_clean.x12")
    assert code == 0
    assert report["claims"] == [{"claim_id": "SCRUBOK001", "passed": True, "edits": []},
                                {"claim_id": "SCRUBOK002", "passed": True, "edits": []}]


def test_failing_claims_are_listed_with_their_edits_and_exit_1() -> None:
    code, report = _scrub(FIXTURES / "837p_three_failing.x12")
    assert code == 1
    verdicts = {claim["claim_id"]: claim for claim in report["claims"]}
    assert verdicts["SCRUBOK001"]["passed"] is True
    assert {(e["rule"], e["category"], e["severity"]) for e in verdicts["SCRUBBAD01"]["edits"]} == {
        ("PRV-002", "provider", "error")}
    assert [e["category"] for e in verdicts["SCRUBBAD02"]["edits"]] == ["excludes1"]
    # The third bills what the first already billed in the same file.
    assert {e["rule"] for e in verdicts["SCRUBBAD03"]["edits"]} == {"DUP-002"}
    assert (report["passed_count"], report["failed_count"]) == (1, 3)


def test_an_837i_is_scrubbed_too() -> None:
    result = runner.invoke(app, ["scrub", str(X12_FIXTURES / "837i_outpatient_and_inpatient.x12"), "--json",
                                 "--today", "2024-04-01"])
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert [claim["claim_id"] for claim in report["claims"]] == ["CLAIMI0001", "CLAIMI0002"]
    assert all(edit["severity"] == "warning" for claim in report["claims"] for edit in claim["edits"])


def test_a_file_without_claims_exits_2() -> None:
    code, report = _scrub(X12_FIXTURES / "835_remittance.x12")
    assert code == 2 and "no 837" in report["error"]


def test_a_file_that_is_not_x12_exits_2_without_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.x12"
    junk.write_text("this is not an interchange")
    code, report = _scrub(junk)
    assert code == 2 and report["error"].startswith("not readable as X12")


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scrub", str(tmp_path / "absent.x12")])
    assert result.exit_code == 2
    assert "cannot open the file" in result.output
    assert "Traceback" not in result.output


def test_the_table_output_names_each_claim(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scrub", str(FIXTURES / "837p_three_failing.x12"), "--today", "2026-03-20"])
    assert result.exit_code == 1
    assert "SCRUBBAD01" in result.output and "PRV-002" in result.output
