"""`rcm chargemaster load`: a clear report and exit 0/1/2, without touching a database on --dry-run
or on a refused file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

GOOD = ("procedure_code,modifier,unit_price,effective_from,effective_to,description\n"
        "99213,,125.00,2026-01-01,2026-06-30,Visit\n"
        "99213,,130.00,2026-07-01,,Visit\n"
        "71046,26,30.00,2026-01-01,,Chest imaging reading\n")
runner = CliRunner()


def _file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "prices.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_a_dry_run_of_a_valid_file_reports_what_it_holds_and_exits_0(tmp_path) -> None:
    result = runner.invoke(app, ["chargemaster", "load", str(_file(tmp_path, GOOD)), "--tenant", "t-1", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "valid (3 entries, 2 procedure codes, 1 with an end date)" in result.output
    assert "nothing loaded" in result.output


def test_a_file_with_bad_rows_lists_every_row_and_exits_1(tmp_path) -> None:
    bad = GOOD + "99214,,12.345,2026-01-01,,Visit\n" + "99213,,128.00,2026-06-01,2026-08-01,Visit\n"
    result = runner.invoke(app, ["chargemaster", "load", "t-1", str(_file(tmp_path, bad))])

    assert result.exit_code == 1
    # Row 6 (June to August) overlaps both the January-June row 2 and the July row 3.
    assert "refused, nothing loaded; 3 bad row(s)" in result.output
    assert "row 5: unit_price '12.345' has fractions of a cent" in result.output
    assert "row 6: effective dates overlap row 2 (same procedure_code and modifier)" in result.output
    assert "row 3: effective dates overlap row 6" in result.output
    assert "Traceback" not in result.output


def test_a_missing_or_binary_file_exits_2(tmp_path) -> None:
    missing = runner.invoke(app, ["chargemaster", "load", str(tmp_path / "nope.csv"), "--tenant", "t-1"])
    binary = runner.invoke(app, ["chargemaster", "load", str(_file(tmp_path, b"\xff\xfe\x00bad")), "--tenant", "t-1"])

    assert missing.exit_code == 2 and "cannot read" in missing.output
    assert binary.exit_code == 2 and "not UTF-8 text" in binary.output


def test_a_file_with_no_tenant_is_a_usage_error(tmp_path) -> None:
    result = runner.invoke(app, ["chargemaster", "load", str(_file(tmp_path, GOOD))])

    assert result.exit_code == 2 and "--tenant" in result.output


def test_a_decision_needs_exactly_one_choice() -> None:
    result = runner.invoke(app, ["coding", "review", "decide", "enc_" + "0" * 32, "--accept", "--keep"])

    assert result.exit_code == 1 and "exactly one of" in result.output


def test_the_coder_is_the_signed_in_user_not_an_option() -> None:
    result = runner.invoke(app, ["coding", "review", "decide", "enc_" + "0" * 32, "--coder", "cdr.ann", "--keep"])

    assert result.exit_code == 2 and "--coder" in result.output
