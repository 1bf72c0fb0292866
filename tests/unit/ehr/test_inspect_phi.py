"""`rcm ehr inspect` without --phi shows no person: not the patient, not a dependent's subscriber."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.unit.ehr.samples import a04, segment

DEPENDENT_IN1 = segment("IN1", {1: "1", 2: "SIMPLAN", 3: "SIMBLUE01", 4: "Synthetic Blue Plan", 8: "GRP100",
                                16: "Zzholder^Zzsubscriber", 17: "SPO", 18: "19650505", 36: "MEMBERDEP1", 43: "M"})


def test_a_dependents_subscriber_name_and_birth_date_and_the_mrn_are_hidden_without_phi(tmp_path: Path) -> None:
    file = tmp_path / "dependent.hl7"
    text = "\r".join(line if not line.startswith("IN1|") else DEPENDENT_IN1 for line in a04(mrn="4711").split("\r"))
    file.write_text(text)
    hidden = CliRunner().invoke(app, ["ehr", "inspect", str(file), "--json"])
    shown = CliRunner().invoke(app, ["ehr", "inspect", str(file), "--json", "--phi"])
    assert hidden.exit_code == 0, hidden.output
    assert json.loads(shown.output)["results"][0]["coverages"][0]["subscriber"]["last_name"] == "Zzholder"
    for value in ("Zzholder", "Zzsubscriber", "1965-05-05", "19650505", "MRN4711", "MEMBERDEP1"):
        assert value not in hidden.output
