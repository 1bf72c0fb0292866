"""Sample files written by others (tests/samples/x12/SOURCES.md): each is read as a partner's file
would be. `rcm x12 inspect` exits 0 (valid, possibly with warnings) for every one; the defective
ones are refused with a coded reason, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.x12 import app
from shared.x12 import read, validate

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"
GOOD = sorted(
    path for path in SAMPLES.rglob("*")
    if path.is_file() and path.parent.name != "defective" and path.suffix != ".md" and path.name != "LICENSE"
)
DEFECTIVE = sorted((SAMPLES / "defective").iterdir())
runner = CliRunner()


def test_there_are_enough_samples_of_every_kind() -> None:
    assert len(GOOD) >= 30
    kinds = {transaction.set_id for path in GOOD for transaction in read(path.read_bytes()).transactions}
    assert {"835", "837", "999", "277", "270", "271", "276"} <= kinds


@pytest.mark.parametrize("path", GOOD, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_public_sample_is_valid_as_received(path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, report["errors"][:3]
    assert report["valid"] and report["transactions"]


@pytest.mark.parametrize("path", GOOD, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_mapped_set_of_a_public_sample_has_its_model(path: Path) -> None:
    document = read(path.read_bytes())
    for transaction in document.transactions:
        if transaction.set_id in ("835", "837", "999", "270", "271") or transaction.version == "005010X214":
            assert transaction.model is not None, (transaction.set_id, transaction.version)


@pytest.mark.parametrize("path", DEFECTIVE, ids=lambda path: path.name)
def test_a_defective_sample_is_refused_with_a_reason(path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    report = json.loads(result.output)
    assert result.exit_code in (1, 2) and not report["valid"]
    assert report["errors"][0]["message"]


def test_the_derived_samples_read_as_their_public_originals() -> None:
    derived = SAMPLES / "derived"
    pairs = {
        "271_bom_crlf_indented_isa11_is_isa16.271": "imsweb-x12-parser/x271.txt",
        "837i_bom_crlf_indented_isa11_is_isa16.837i": "linuxforhealth-x12/837_005010X223A3_institutional-claim.837i",
        "835_cr_line_endings.835": "linuxforhealth-x12/835_005010X221A1_medicare-part-a.835",
        "277ca_bom_no_line_breaks.277": "imsweb-x12-parser/x12_277CA_accepted.txt",
    }
    for name, original in pairs.items():
        ours = read((derived / name).read_bytes())
        theirs = read((SAMPLES / original).read_bytes())
        assert [t.model for t in ours.transactions] == [t.model for t in theirs.transactions], name
        assert validate(ours, received=True).valid
