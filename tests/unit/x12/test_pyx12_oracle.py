"""Every 837 we generate validates cleanly with pyx12, an independent implementation of the guides.

pyx12 is slow, so these are a handful of files. Only 837s go through it: pyx12 crashes building a
999 for an 835, so no 999 is requested at all (fd_997=None).
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from shared.x12 import COMPACT, validate, write_837i, write_837p
from shared.x12.samples import sample_institutional_claims, sample_professional_claims

pyx12_document = pytest.importorskip("pyx12.x12n_document")
pyx12_params = pytest.importorskip("pyx12.params")


def _pyx12_findings(path: Path) -> tuple[bool, list[str]]:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    errors = io.StringIO()
    valid = pyx12_document.x12n_document(
        param=pyx12_params.params(), src_file=str(path), fd_997=None, fd_html=None, fd_xmldoc=None, fd_json=errors
    )
    findings: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            findings.extend(str(error.get("err_str")) for error in node.get("errors") or [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads(errors.getvalue() or "{}"))
    return valid, findings


def _assert_pyx12_accepts(text: str, tmp_path: Path) -> None:
    assert validate(text).valid
    path = tmp_path / "claims.x12"
    path.write_text(text)
    valid, findings = _pyx12_findings(path)
    assert valid and not findings, findings


def test_pyx12_accepts_our_837p_with_every_awkward_case(envelope, tmp_path) -> None:
    # ten claims cover: 12 diagnoses, four modifiers, a dependent, replacement and void, a secondary with COB
    _assert_pyx12_accepts(write_837p(sample_professional_claims(10), **envelope), tmp_path)


def test_pyx12_accepts_our_837p_without_line_breaks(envelope, tmp_path) -> None:
    _assert_pyx12_accepts(write_837p(sample_professional_claims(3, seed=99), separators=COMPACT, **envelope), tmp_path)


def test_pyx12_accepts_our_837i(envelope, tmp_path) -> None:
    # five claims cover: outpatient and inpatient, occurrence/value/condition codes, 12 diagnoses,
    # a secondary with COB and a replacement claim
    _assert_pyx12_accepts(write_837i(sample_institutional_claims(5), **envelope), tmp_path)


@pytest.mark.parametrize("name", ["837p_dependent_and_secondary.x12", "837i_outpatient_and_inpatient.x12"])
def test_pyx12_accepts_the_handwritten_837_fixtures(fixture, tmp_path, name) -> None:
    _assert_pyx12_accepts(fixture(name), tmp_path)


def test_pyx12_agrees_that_a_broken_837p_is_invalid(fixture, tmp_path) -> None:
    broken = fixture("837p_dependent_and_secondary.x12").replace("N3*100 TEST PLAZA~\n", "")
    path = tmp_path / "broken.x12"
    path.write_text(broken)
    assert not validate(broken).valid
    assert not _pyx12_findings(path)[0]
