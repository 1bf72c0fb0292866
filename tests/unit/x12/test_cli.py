from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.x12 import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def _inspect(path: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    return result.exit_code, json.loads(result.output)


def test_a_valid_835_reports_its_payment_and_totals() -> None:
    code, report = _inspect(FIXTURES / "835_remittance.x12")
    assert code == 0
    assert (report["valid"], report["errors"], report["interchanges"]) == (True, [], 1)
    (transaction,) = report["transactions"]
    assert transaction == {
        "set": "835",
        "version": "005010X221A1",
        "control_number": "1001",
        "position": 3,
        "claims": 5,
        "payment_amount": "752.50",
        "paid_total": "770.00",
        "provider_adjustment_total": "17.50",
    }


def test_a_valid_837_reports_claim_count_and_charge_total() -> None:
    code, report = _inspect(FIXTURES / "837p_dependent_and_secondary.x12")
    assert code == 0
    assert [(t["set"], t["version"], t["claims"], t["claim_charge_total"]) for t in report["transactions"]] == [
        ("837", "005010X222A1", 2, "550.00")
    ]


@pytest.mark.parametrize(
    "name, sets",
    [
        ("999_acknowledgements.x12", ["999", "999"]),
        ("277ca_claim_acknowledgement.x12", ["277"]),
        ("271_eligibility.x12", ["271", "271"]),
        ("two_interchanges_different_separators.x12", ["999", "999", "277"]),
    ],
)
def test_every_transaction_type_is_listed(name, sets) -> None:
    code, report = _inspect(FIXTURES / name)
    assert code == 0
    assert [transaction["set"] for transaction in report["transactions"]] == sets


def test_an_invalid_file_exits_1_with_positioned_errors(tmp_path) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text((FIXTURES / "835_remittance.x12").read_text().replace("BPR*I*752.5*", "BPR*I*752*"))
    code, report = _inspect(broken)
    assert code == 1
    assert report["valid"] is False
    (error,) = report["errors"]
    assert (error["position"], error["segment"]) == (4, "BPR")


@pytest.mark.parametrize("content", [b"", b"hello", b"ISA*00*broken"])
def test_a_file_that_is_not_x12_exits_2(tmp_path, content) -> None:
    path = tmp_path / "junk.x12"
    path.write_bytes(content)
    code, report = _inspect(path)
    assert code == 2
    assert report["valid"] is False and report["errors"][0]["message"]


def test_a_missing_file_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path / "absent.x12")])
    assert result.exit_code == 2


def test_without_json_a_readable_summary_is_printed() -> None:
    result = runner.invoke(app, ["inspect", str(FIXTURES / "277ca_claim_acknowledgement.x12")])
    assert result.exit_code == 0
    assert "valid" in result.output and "277" in result.output


def test_a_file_valid_with_warnings_says_so(tmp_path) -> None:
    path = tmp_path / "warned.x12"
    path.write_text((FIXTURES / "835_remittance.x12").read_text().replace("005010X221A1", "005010X221A9"))
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0
    assert "valid with 1 warning" in result.output


def test_generate_writes_sample_files_that_inspect_as_valid(tmp_path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--claims", "12"])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["sample-270.x12", "sample-835.x12", "sample-837i.x12", "sample-837p.x12"]
    for path in tmp_path.iterdir():
        code, report = _inspect(path)
        assert code == 0, (path.name, report["errors"])
    assert _inspect(tmp_path / "sample-837p.x12")[1]["transactions"][0]["claims"] == 12
