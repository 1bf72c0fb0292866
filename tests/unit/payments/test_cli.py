"""`rcm payments`: bad input is refused with a clear message and the documented exit code, before
anything connects to a database."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app
from services.payments.fee_schedule import parse_fee_schedule_csv

runner = CliRunner()


def test_a_fee_schedule_with_a_bad_row_loads_nothing_and_names_the_row_and_column(tmp_path) -> None:
    file = tmp_path / "contract.csv"
    file.write_text("payer_id,procedure_code,modifiers,effective_from,effective_to,allowed\n"
                    "SIMBLUE01,99213,,2025-01-01,,82.50\nSIMBLUE01,99214,,2025-01-01,,eighty\n")

    result = runner.invoke(app, ["payments", "fee-schedule", "load", str(file), "--tenant", "northside-family"])

    assert result.exit_code == 1
    assert "row 3, column allowed" in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_fee_schedule_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["payments", "fee-schedule", "load", str(tmp_path / "missing.csv"),
                                 "--tenant", "northside-family"])

    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_the_demo_fee_schedule_is_a_valid_contract_for_every_simulated_payer(tmp_path) -> None:
    out = tmp_path / "demo.csv"

    result = runner.invoke(app, ["payments", "fee-schedule", "demo", str(out), "--tenant", "northside-family"])

    assert result.exit_code == 0
    entries = parse_fee_schedule_csv(out.read_text())
    assert {e.payer_id for e in entries} == {"SIMBLUE01", "SIMACME02", "SIMHDHP03", "SIMMCR04", "SIMMCD05"}
    assert all(e.allowed > 0 for e in entries)


def test_a_patient_payment_that_is_not_an_amount_is_refused() -> None:
    result = runner.invoke(app, ["payments", "patient-payment", "--tenant", "northside-family", "--patient",
                                 "pat_0123456789abcdef0123456789abcdef", "--amount", "-3.00", "--reference", "R1"])

    assert result.exit_code == 1
    assert "positive" in result.output
