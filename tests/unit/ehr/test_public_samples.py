"""Sample messages published by others (tests/samples/SOURCES.md): every one is what the feed
would acknowledge, so `rcm ehr inspect` exits 0 for each."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
HL7 = sorted((SAMPLES / "hl7").glob("*.hl7"))
FHIR = sorted((SAMPLES / "fhir").glob("*.json"))


def test_there_are_public_samples_of_each_kind_and_each_is_named_in_sources() -> None:
    assert len(HL7) >= 15 and len(FHIR) >= 15
    sources = (SAMPLES / "SOURCES.md").read_text()
    assert [f.name for f in HL7 + FHIR if f.name not in sources] == []


@pytest.mark.parametrize("sample", HL7 + FHIR, ids=lambda p: p.name)
def test_every_public_sample_is_acknowledged_by_inspect(sample: Path) -> None:
    result = CliRunner().invoke(app, ["ehr", "inspect", str(sample)])
    assert result.exit_code == 0, result.output
    assert ", 0 refused," in result.output
