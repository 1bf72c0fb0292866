"""No damage to a 999 or 277CA we wrote makes the codec raise anything but its own X12Error."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.x12 import (
    InMemoryControlNumbers,
    Party,
    X12Error,
    read,
    rejected,
    validate,
    write_277ca,
    write_837p,
    write_999,
)
from shared.x12.samples import (
    CREATED,
    sample_partners,
    sample_professional_claims,
    sample_receiver,
    sample_submitter,
)
from shared.x12.summary import summarize


def _written_files() -> list[bytes]:
    claims = sample_professional_claims(4)
    text = write_837p(
        claims,
        partners=sample_partners(),
        submitter=sample_submitter(),
        receiver=sample_receiver(),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
        claims_per_set=2,
    )
    damaged = text.replace("SV1*HC:", "SV1*HX:", 1)  # so the 999 carries IK3/IK4/CTX loops
    back = sample_partners("TESTCLEARING", "TESTCLINIC")
    acknowledgement = write_999(read(damaged), partners=back, control_numbers=InMemoryControlNumbers(), created=CREATED)
    status = write_277ca(
        read(text),
        source=Party("TEST HEALTH PLAN", "TESTPAYER1", "PI"),
        verdicts={claims[1].claim.claim_id: rejected("A7", "562", "85", clearinghouse_trace="CH1")},
        partners=back,
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
    )
    return [acknowledgement.encode(), status.encode()]


FILES = _written_files()


def _exercise(data: bytes) -> None:
    try:
        document = read(data)
        validate(document)
        summarize(document)
        for report in document.claim_status_reports():
            with contextlib.suppress(X12Error):
                report.to_events()
        for acknowledgement in document.acknowledgements():
            _ = [transaction.accepted for transaction in acknowledgement.transactions]
    except X12Error:
        pass


def test_the_written_files_are_valid() -> None:
    assert all(validate(data).valid for data in FILES)


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.sampled_from(FILES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_random_byte_damage_raises_nothing_but_x12_errors(original, damage) -> None:
    data = bytearray(original)
    for where, byte in damage:
        data[int(where * len(data))] = byte
    _exercise(bytes(data))


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(FILES), st.floats(0, 1), st.floats(0, 1))
def test_cutting_or_splicing_a_file_raises_nothing_but_x12_errors(original, start, end) -> None:
    low, high = sorted((int(start * len(original)), int(end * len(original))))
    _exercise(original[:low] + original[high:])
    _exercise(original[:high])


CLAIMS = write_837p(
    sample_professional_claims(3),
    partners=sample_partners(),
    submitter=sample_submitter(),
    receiver=sample_receiver(),
    control_numbers=InMemoryControlNumbers(),
    created=CREATED,
).encode()


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(32, 126)), min_size=1, max_size=4))
def test_a_damaged_837_is_answered_by_a_999_or_an_x12_error(damage) -> None:
    data = bytearray(CLAIMS)
    for where, byte in damage:
        data[int(where * len(data))] = byte
    try:
        document = read(bytes(data))
        answer = write_999(
            document,
            partners=sample_partners("TESTCLEARING", "TESTCLINIC"),
            control_numbers=InMemoryControlNumbers(),
            created=CREATED,
        )
    except X12Error:
        return
    assert read(answer).acknowledgements()
