from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.x12 import ClaimStatusReport, StatusCode, read


@pytest.fixture
def report(fixture) -> ClaimStatusReport:
    (only,) = read(fixture("277ca_claim_acknowledgement.x12")).claim_status_reports()
    return only


def test_each_claim_is_accepted_or_rejected(report) -> None:
    verdicts = [(claim.patient_control_number[-1], claim.accepted) for claim in report.claims]
    assert verdicts == [("1", True), ("2", False), ("3", True)]


def test_status_codes_keep_category_status_and_entity(report) -> None:
    rejected = report.claims[1]
    assert rejected.statuses[0].codes == (StatusCode("A7", "562", "85"), StatusCode("A6", "128"))
    assert rejected.status_codes == ("A7_562", "A6_128")
    assert rejected.statuses[0].action_code == "U"


def test_payer_claim_numbers_and_service_dates_are_mapped(report) -> None:
    accepted = report.claims[0]
    assert accepted.payer_claim_number == "PAYERCLM0001"
    assert accepted.clearinghouse_trace == "CH000001"
    assert (accepted.service_from, accepted.service_to) == (date(2024, 3, 1), date(2024, 3, 1))
    assert report.claims[2].type_of_bill == "131"
    assert accepted.billing_provider_id == "1004242420"


def test_line_level_statuses_are_kept(report) -> None:
    (line,) = report.claims[1].lines
    assert (line.procedure_code, line.modifiers, line.charge, line.line_item_control_number) == (
        "99213",
        ("25",),
        Decimal("700"),
        "LINEB001",
    )
    assert line.statuses[0].codes == (StatusCode("A7", "453"),)


def test_batch_totals_come_from_the_receiver_level(report) -> None:
    assert (report.accepted_quantity, report.rejected_quantity) == (Decimal("2"), Decimal("1"))
    assert (report.accepted_amount, report.rejected_amount) == (Decimal("1400"), Decimal("700"))
    assert (report.receipt_date, report.process_date) == (date(2024, 3, 17), date(2024, 3, 18))
    assert report.information_source.identifier == "TESTPAYER1"


def test_claim_statuses_convert_to_platform_acknowledgements(report) -> None:
    events = report.to_events()
    assert [(event.accepted, event.payer_claim_number) for event in events] == [
        (True, "PAYERCLM0001"),
        (False, None),
        (True, "PAYERCLM0003"),
    ]
    assert events[1].status_codes == ("A7_562", "A6_128")


def test_the_batch_reference_comes_from_the_receiver_level(report) -> None:
    assert report.batch_reference == "0001"
