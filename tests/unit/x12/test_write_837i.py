from __future__ import annotations

from decimal import Decimal

from shared.x12 import read, validate, write_837i
from shared.x12.samples import sample_institutional_claims


def _segments(text: str, segment_id: str) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in text.splitlines() if line.startswith(segment_id + "*")]


def test_institutional_claims_become_a_valid_837i(envelope) -> None:
    claims = sample_institutional_claims(5)
    text = write_837i(claims, **envelope)
    report = validate(text)
    assert report.valid, report.errors
    assert _segments(text, "ST")[0][3] == "005010X223A2"


def test_the_type_of_bill_splits_into_facility_type_and_frequency(envelope) -> None:
    outpatient, *_ = sample_institutional_claims(4)
    text = write_837i([outpatient], **envelope)
    assert _segments(text, "CLM")[0][5] == "13:A:1"
    assert outpatient.to_claim837().type_of_bill == "0131"


def test_revenue_codes_go_on_each_service_line(envelope) -> None:
    claim = sample_institutional_claims(1)[0]
    text = write_837i([claim], **envelope)
    assert [sv2[1] for sv2 in _segments(text, "SV2")] == list(claim.revenue_codes)
    assert Decimal(_segments(text, "CLM")[0][2]) == sum(Decimal(sv2[3]) for sv2 in _segments(text, "SV2"))


def test_statement_dates_and_institutional_claim_codes_are_written(envelope) -> None:
    inpatient = sample_institutional_claims(5)[4]
    text = write_837i([inpatient], **envelope)
    assert _segments(text, "DTP*434")[0][2] == "RD8"
    assert _segments(text, "DTP*435")
    assert _segments(text, "CL1") == [["CL1", "1", "7", "01"]]


def test_occurrence_value_and_condition_codes_are_written_as_hi(envelope) -> None:
    claims = sample_institutional_claims(5)
    text = write_837i([claims[0], claims[4]], **envelope)
    qualifiers = [composite.split(":")[0] for hi in _segments(text, "HI") for composite in hi[1:]]
    assert {"BH", "BE", "BG", "ABJ"} <= set(qualifiers)


def test_institutional_claims_read_back_unchanged(envelope) -> None:
    claims = sample_institutional_claims(5)
    (batch,) = read(write_837i(claims, **envelope)).claim_batches()
    assert batch.claims == tuple(claim.to_claim837() for claim in claims)


def test_the_handwritten_837i_reads_revenue_only_lines(fixture) -> None:
    (batch,) = read(fixture("837i_outpatient_and_inpatient.x12")).claim_batches()
    inpatient = batch.claims[1]
    assert [line.revenue_code for line in inpatient.lines] == ["0120", "0250"]
    assert inpatient.lines[0].procedure_code is None and inpatient.lines[0].unit_basis == "DA"
    assert inpatient.institutional.admission_date is not None
