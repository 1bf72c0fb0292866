from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest

from shared.events import CoverageOrder, FrequencyCode, Relationship
from shared.x12 import (
    COMPACT,
    InMemoryControlNumbers,
    Person,
    PostalAddress,
    ProfessionalClaim,
    UnencodableValue,
    read,
    validate,
    write_837p,
)
from shared.x12.samples import (
    primary_adjudication,
    sample_billing,
    sample_submitted_claim,
)


def _claim(index: int = 1, **options) -> ProfessionalClaim:
    billing = sample_billing()
    claim = sample_submitted_claim(index, random.Random(index), billing, **options)
    subscriber = None
    if claim.coverage.relationship is not Relationship.SELF:
        subscriber = Person(
            "TESTSUBSCRIBER", "OSCAR", None, None, PostalAddress("1 TEST ROAD", "TESTVILLE", "CA", "90001")
        )
    prior = (primary_adjudication(claim),) if claim.coverage.order is not CoverageOrder.PRIMARY else ()
    return ProfessionalClaim(claim, billing, subscriber=subscriber, prior_payers=prior)


def _segments(text: str, segment_id: str) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in text.splitlines() if line.startswith(segment_id + "*")]


def test_a_claim_becomes_a_valid_837p(envelope) -> None:
    text = write_837p([_claim()], **envelope)
    assert validate(text).valid
    (clm,) = _segments(text, "CLM")
    assert clm[1] == "clm_000000000000000000000001"
    assert clm[5] == "11:B:1"


def test_the_claim_charge_is_the_sum_of_its_lines(envelope) -> None:
    claim = _claim(lines=3)
    text = write_837p([claim], **envelope)
    (clm,) = _segments(text, "CLM")
    assert Decimal(clm[2]) == sum(Decimal(sv1[2]) for sv1 in _segments(text, "SV1")) == claim.claim.total_charge


@pytest.mark.parametrize("frequency", [FrequencyCode.REPLACEMENT, FrequencyCode.VOID])
def test_a_corrected_or_void_claim_carries_the_payer_claim_number(envelope, frequency) -> None:
    text = write_837p([_claim(frequency=frequency)], **envelope)
    assert _segments(text, "CLM")[0][5] == f"11:B:{frequency.value}"
    assert _segments(text, "REF*F8") == [["REF", "F8", "PCN0000000001"]]
    assert validate(text).valid


def test_twelve_diagnoses_go_in_one_hi_segment_with_the_principal_first(envelope) -> None:
    text = write_837p([_claim(diagnoses=12)], **envelope)
    (hi,) = _segments(text, "HI")
    assert len(hi) == 13
    assert hi[1].startswith("ABK:") and all(composite.startswith("ABF:") for composite in hi[2:])


def test_four_modifiers_and_pointers_travel_on_the_service_line(envelope) -> None:
    text = write_837p([_claim(modifiers=4, diagnoses=4, lines=1)], **envelope)
    (sv1,) = _segments(text, "SV1")
    assert len(sv1[1].split(":")) == 6
    assert sv1[3] == "UN" and sv1[7] == "1:2:3:4"


def test_each_line_carries_its_line_item_control_number(envelope) -> None:
    text = write_837p([_claim(lines=2)], **envelope)
    assert [ref[2] for ref in _segments(text, "REF*6R")] == ["L00000001N01", "L00000001N02"]


def test_a_dependent_gets_a_patient_loop_under_the_subscriber(envelope) -> None:
    text = write_837p([_claim(relationship=Relationship.CHILD)], **envelope)
    assert _segments(text, "PAT") == [["PAT", "19"]]
    assert [hl[3] for hl in _segments(text, "HL")] == ["20", "22", "23"]
    assert _segments(text, "SBR")[0][2] == ""
    assert validate(text).valid


def test_a_dependent_without_subscriber_details_cannot_be_written(envelope) -> None:
    claim = replace(_claim(relationship=Relationship.CHILD), subscriber=None)
    with pytest.raises(UnencodableValue):
        write_837p([claim], **envelope)


def test_a_secondary_claim_carries_the_primary_payers_adjudication(envelope) -> None:
    text = write_837p([_claim(order=CoverageOrder.SECONDARY, lines=2)], **envelope)
    subscriber_sbr, other_sbr = _segments(text, "SBR")
    assert (subscriber_sbr[1], other_sbr[1]) == ("S", "P")
    assert len(_segments(text, "SVD")) == 2
    assert _segments(text, "OI") == [["OI", "", "", "Y", "", "", "Y"]]
    assert validate(text).valid


def test_a_secondary_claim_without_the_primary_adjudication_cannot_be_written(envelope) -> None:
    claim = replace(_claim(order=CoverageOrder.SECONDARY), prior_payers=())
    with pytest.raises(UnencodableValue):
        write_837p([claim], **envelope)


def test_a_name_containing_a_separator_is_refused_without_echoing_it(envelope) -> None:
    claim = _claim()
    patient = claim.claim.patient.model_copy(update={"last_name": "TEST*PATIENT"})
    broken = replace(claim, claim=claim.claim.model_copy(update={"patient": patient}))
    with pytest.raises(UnencodableValue) as raised:
        write_837p([broken], **envelope)
    assert "TEST*PATIENT" not in str(raised.value)


def test_large_batches_are_split_into_transaction_sets(envelope) -> None:
    claims = [_claim(index) for index in range(5)]
    text = write_837p(claims, claims_per_set=2, **envelope)
    document = read(text)
    assert [len(batch.claims) for batch in document.claim_batches()] == [2, 2, 1]
    assert validate(document).valid


def test_control_numbers_come_from_the_control_number_source(envelope) -> None:
    numbers = InMemoryControlNumbers(start=41)
    envelope["control_numbers"] = numbers
    first = read(write_837p([_claim()], **envelope))
    second = read(write_837p([_claim()], **envelope))
    assert [document.interchanges[0].control_number for document in (first, second)] == ["000000041", "000000042"]
    assert second.transactions[0].control_number == "0042"


def test_compact_separators_write_one_line(envelope) -> None:
    text = write_837p([_claim()], separators=COMPACT, **envelope)
    assert "\n" not in text
    assert validate(text).valid


def test_the_written_claim_reads_back_as_the_same_claim(envelope) -> None:
    claim = _claim(order=CoverageOrder.SECONDARY, modifiers=2)
    (batch,) = read(write_837p([claim], **envelope)).claim_batches()
    assert batch.claims == (claim.to_claim837(),)
