"""`rcm ehr inspect`: what a file maps to, errors named, documented exit codes, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.unit.ehr.samples import a04, dft, with_encoding

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["ehr", "inspect", *args])


def test_a_good_file_of_several_lf_separated_messages_exits_0(tmp_path: Path) -> None:
    file = tmp_path / "feed.hl7"
    file.write_text(a04().replace("\r", "\n") + "\n" + dft().replace("\r", "\n") + "\n" + with_encoding(a04("C2")))
    result = run(str(file), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["messages"] == 3 and report["errors"] == 0
    assert [r["kind"] for r in report["results"]] == ["register", "charges", "register"]
    assert report["results"][0]["patient"]["last_name"] == "[hidden]"
    assert "Zz" not in result.output and "MEMBER001" not in result.output


def test_phi_is_shown_only_when_asked(tmp_path: Path) -> None:
    file = tmp_path / "one.hl7"
    file.write_text(a04())
    assert "Zzalpha" in run(str(file), "--json", "--phi").output


def test_a_file_with_a_refused_message_exits_1_and_names_each_error(tmp_path: Path) -> None:
    file = tmp_path / "bad.hl7"
    file.write_text("\r".join([a04(), a04("C2").replace("ADT^A04^ADT_A01", "ORU^R01"),
                               a04("C3").replace("|C3|P|", "||P|")]))
    result = run(str(file))
    assert result.exit_code == 1
    assert "AR MSH-9" in result.output and "AR MSH-10" in result.output and "2 refused" in result.output


def test_a_file_the_feed_would_accept_with_work_items_exits_0_and_lists_them(tmp_path: Path) -> None:
    file = tmp_path / "held.hl7"
    file.write_text("\r".join([a04(), a04("C2").replace("|V1|", "||"), a04("C3").replace("99213^^CPT", "9^^CPT"),
                               a04("C4").replace("|SIMBLUE01|", "|BCBS-IL 00621|")]))
    result = run(str(file))
    assert result.exit_code == 0, result.output
    assert "work item INVALID_FIELD FT1-25" in result.output
    assert "work item PAYER_UNMAPPED coverage.primary.payer" in result.output
    assert "0 refused, 2 work item(s) would open" in result.output
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text("match,sender_code,payer_id,payer_name,effective_from\n"
                         "code,BCBS-IL 00621,BCBSIL,Blue Cross Blue Shield of Illinois,2020-01-01\n"
                         "code,SIMBLUE01,SIMBLUE01,Synthetic Blue,2020-01-01\n")
    assert "1 work item(s) would open" in run(str(file), "--crosswalk", str(crosswalk)).output


def test_an_unreadable_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01 not hl7")
    for args in ([str(garbage)], [str(tmp_path / "missing.hl7")], [str(garbage), "--json"]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_broken_json_exits_2(tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text('{"resourceType": "Patient",')
    assert run(str(file)).exit_code == 2


def test_a_fhir_bundle_is_inspected(tmp_path: Path) -> None:
    from tests.unit.ehr.samples import fhir_bundle, fhir_patient

    good, bad = tmp_path / "bundle.json", tmp_path / "bad.json"
    good.write_text(json.dumps(fhir_bundle()))
    bad.write_text(json.dumps(fhir_patient(birthDate="19zz")))
    result = run(str(good), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["services"][0]["procedure_code"] == "99213"
    failed = run(str(bad))
    assert failed.exit_code == 1 and "Patient.birthDate" in failed.output
