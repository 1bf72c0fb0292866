from __future__ import annotations

import pytest

from shared.x12 import (
    COMPACT,
    InMemoryControlNumbers,
    UnencodableValue,
    read,
    validate,
    write_837p,
    write_999,
)
from shared.x12.samples import CREATED, sample_partners, sample_professional_claims

ANSWER = {
    "partners": sample_partners("TESTCLEARING", "TESTCLINIC"),
    "created": CREATED,
}


def _claims_file(envelope, count: int = 4, **options) -> str:
    return write_837p(sample_professional_claims(count), **envelope, **options)


def _answer(text: str, **options) -> str:
    return write_999(read(text), control_numbers=InMemoryControlNumbers(), **ANSWER, **options)


def test_a_clean_837_is_accepted_set_by_set(envelope) -> None:
    answer = _answer(_claims_file(envelope, 5, claims_per_set=2))
    assert validate(answer).valid
    (acknowledgement,) = read(answer).acknowledgements()
    assert acknowledgement.accepted and acknowledgement.functional_id == "HC"
    assert [(ack.control_number, ack.status) for ack in acknowledgement.transactions] == [
        ("0001", "A"),
        ("0002", "A"),
        ("0003", "A"),
    ]
    assert (acknowledgement.sets_received, acknowledgement.sets_accepted) == (3, 3)


def test_the_999_names_the_group_and_version_it_answers(envelope) -> None:
    text = _claims_file(envelope)
    claims = read(text)
    (acknowledgement,) = read(_answer(text)).acknowledgements()
    group = claims.interchanges[0].groups[0]
    assert (acknowledgement.group_control_number, acknowledgement.version) == (group.control_number, group.version)


def test_a_set_with_a_bad_code_is_rejected_with_the_segment_and_element(envelope) -> None:
    text = _claims_file(envelope).replace("SV1*HC:", "SV1*HX:", 1)
    answer = _answer(text)
    assert validate(answer).valid
    (acknowledgement,) = read(answer).acknowledgements()
    assert acknowledgement.rejected
    (verdict,) = acknowledgement.transactions
    assert verdict.status == "R" and "5" in verdict.error_codes
    (error,) = verdict.segment_errors
    assert (error.segment_id, error.loop, error.code) == ("SV1", "2400", "8")
    assert [(element.position, element.component, element.code) for element in error.element_errors] == [(1, 1, "7")]
    # the IK302 position counts from ST: it points at the damaged SV1 inside the set
    segments = text.split("~\n")
    start = next(index for index, segment in enumerate(segments) if segment.startswith("ST*"))
    assert segments[start + error.position - 1].startswith("SV1*HX:")


def test_a_segment_error_names_the_claim_it_belongs_to(envelope) -> None:
    text = _claims_file(envelope).replace("SV1*HC:", "SV1*HX:", 1)
    assert "CTX*CLM01:clm_000000000000000000000000~" in _answer(text)


def test_a_missing_required_segment_is_reported_as_missing(envelope) -> None:
    text = _claims_file(envelope).replace("N3*100 TEST PLAZA~\n", "", 1)
    (acknowledgement,) = read(_answer(text)).acknowledgements()
    (error,) = acknowledgement.transactions[0].segment_errors
    assert (error.segment_id, error.code) == ("N3", "3")


def test_one_bad_set_of_three_partially_accepts_the_group(envelope) -> None:
    text = _claims_file(envelope, 5, claims_per_set=2)
    last_set = text.rindex("ST*837")
    text = text[:last_set] + text[last_set:].replace("SV1*HC:", "SV1*HX:", 1)
    answer = _answer(text)
    assert validate(answer).valid
    (acknowledgement,) = read(answer).acknowledgements()
    assert acknowledgement.partially_accepted
    assert [ack.status for ack in acknowledgement.transactions] == ["A", "A", "R"]
    assert acknowledgement.sets_accepted == 2


def test_a_wrong_segment_count_rejects_the_set_with_its_code(envelope) -> None:
    text = _claims_file(envelope).replace("\nSE*", "\nSE*9", 1)
    (acknowledgement,) = read(_answer(text)).acknowledgements()
    assert acknowledgement.transactions[0].error_codes == ("4",)


def test_warnings_do_not_reject(envelope, fixture) -> None:
    document = read(fixture("837p_dependent_and_secondary.x12"))
    assert validate(document).valid
    (acknowledgement,) = read(
        write_999(document, control_numbers=InMemoryControlNumbers(), **ANSWER)
    ).acknowledgements()
    assert acknowledgement.accepted


def test_every_functional_group_gets_its_own_999_set(fixture) -> None:
    answer = write_999(
        read(fixture("two_interchanges_different_separators.x12")),
        control_numbers=InMemoryControlNumbers(),
        **ANSWER,
    )
    document = read(answer)
    answered = read(fixture("two_interchanges_different_separators.x12"))
    groups = [group for interchange in answered.interchanges for group in interchange.groups]
    assert [ack.group_control_number for ack in document.acknowledgements()] == [
        group.control_number for group in groups
    ]
    assert validate(document).valid


def test_compact_separators_write_a_valid_999(envelope) -> None:
    answer = _answer(_claims_file(envelope), separators=COMPACT)
    assert "\n" not in answer
    assert validate(answer).valid


def test_a_document_without_groups_cannot_be_answered(envelope) -> None:
    text = _claims_file(envelope)
    header, _, _ = text.partition("GS*")
    empty = header + "IEA*0*000000001~\n"
    with pytest.raises(UnencodableValue):
        write_999(read(empty), control_numbers=InMemoryControlNumbers(), **ANSWER)


def test_the_999_quotes_no_patient_data(envelope) -> None:
    text = _claims_file(envelope).replace("NM1*IL*1*TESTPATIENT*ALPHA", "NM1*IL*9*TESTPATIENT*ALPHA", 1)
    answer = _answer(text)
    (acknowledgement,) = read(answer).acknowledgements()
    assert acknowledgement.rejected
    assert "TESTPATIENT" not in answer and "MEM0" not in answer


def test_an_envelope_value_holding_our_separator_is_refused(fixture) -> None:
    pipes = fixture("835_pipes_no_line_breaks.x12")
    document = read(pipes.replace("ST|835|", "ST|8*5|", 1))
    with pytest.raises(UnencodableValue):
        write_999(document, control_numbers=InMemoryControlNumbers(), **ANSWER)


def test_the_sample_acknowledgements_are_valid() -> None:
    from shared.x12 import validate
    from shared.x12.samples import sample_acknowledgements

    assert all(validate(text).valid for text in sample_acknowledgements())
