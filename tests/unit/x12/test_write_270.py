from __future__ import annotations

from shared.x12 import InMemoryControlNumbers, read, validate, write_270
from shared.x12.samples import CREATED, sample_inquiries, sample_partners


def test_inquiries_become_a_valid_270_that_reads_back_unchanged() -> None:
    inquiries = sample_inquiries(3)
    text = write_270(inquiries, partners=sample_partners(), control_numbers=InMemoryControlNumbers(), created=CREATED)
    assert validate(text).valid
    (request,) = read(text).eligibility_requests()
    assert request.inquiries == tuple(inquiries)


def test_several_service_types_repeat_in_one_eq() -> None:
    inquiry = sample_inquiries(2)[1]
    text = write_270([inquiry], partners=sample_partners(), control_numbers=InMemoryControlNumbers(), created=CREATED)
    assert "EQ*30^98~" in text
