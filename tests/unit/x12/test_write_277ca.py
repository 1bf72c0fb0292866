from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.x12 import (
    ClaimVerdict,
    ContractMismatch,
    InMemoryControlNumbers,
    Party,
    StatusCode,
    UnencodableValue,
    read,
    rejected,
    validate,
    write_277ca,
    write_837i,
    write_837p,
)
from shared.x12.samples import (
    CREATED,
    sample_institutional_claims,
    sample_partners,
    sample_professional_claims,
)

PAYER = Party("TEST HEALTH PLAN", "TESTPAYER1", "PI")
FIRST, SECOND = "clm_000000000000000000000000", "clm_000000000000000000000001"


def _answer(claims_text: str, **options) -> str:
    return write_277ca(
        read(claims_text),
        source=PAYER,
        partners=sample_partners("TESTPAYER1", "TESTCLINIC"),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
        **options,
    )


@pytest.fixture
def claims_text(envelope) -> str:
    return write_837p(sample_professional_claims(4), **envelope)


def test_every_claim_of_the_837_is_acknowledged_and_validates(claims_text) -> None:
    answer = _answer(claims_text)
    assert validate(answer).valid
    (report,) = read(answer).claim_status_reports()
    (batch,) = read(claims_text).claim_batches()
    assert [claim.patient_control_number for claim in report.claims] == [claim.claim_id for claim in batch.claims]
    assert all(claim.accepted for claim in report.claims)
    assert report.information_source == PAYER
    assert report.receiver.identifier == batch.submitter.identifier


def test_a_rejected_claim_round_trips_as_rejected_with_its_status_code(claims_text) -> None:
    verdicts = {SECOND: rejected("A7", "562", "85", clearinghouse_trace="CH000002")}
    answer = _answer(claims_text, verdicts=verdicts)
    assert validate(answer).valid
    (report,) = read(answer).claim_status_reports()
    refused = report.claims[1]
    assert not refused.accepted
    assert refused.statuses[0].codes == (StatusCode("A7", "562", "85"),)
    assert refused.statuses[0].action_code == "U"
    assert refused.clearinghouse_trace == "CH000002"
    event = report.to_events()[1]
    assert (event.claim_id, event.accepted, event.status_codes) == (SECOND, False, ("A7_562",))


def test_an_accepted_claim_carries_the_payer_claim_number(claims_text) -> None:
    verdicts = {FIRST: ClaimVerdict(payer_claim_number="PAYERCLM0001", clearinghouse_trace="CH000001")}
    (report,) = read(_answer(claims_text, verdicts=verdicts)).claim_status_reports()
    event = report.to_events()[0]
    assert (event.accepted, event.status_codes, event.payer_claim_number) == (True, ("A2_20",), "PAYERCLM0001")
    assert report.claims[0].clearinghouse_trace == "CH000001"


def test_a_rejection_can_give_a_second_reason(claims_text) -> None:
    verdict = ClaimVerdict(StatusCode("A7", "562", "85"), more=(StatusCode("A6", "128"),))
    answer = _answer(claims_text, verdicts={FIRST: verdict})
    assert validate(answer).valid
    (report,) = read(answer).claim_status_reports()
    assert report.claims[0].status_codes == ("A7_562", "A6_128")


def test_batch_totals_count_accepted_and_rejected_claims(claims_text) -> None:
    (batch,) = read(claims_text).claim_batches()
    (report,) = read(_answer(claims_text, verdicts={SECOND: rejected("A3", "21")})).claim_status_reports()
    charges = {claim.claim_id: claim.total_charge for claim in batch.claims}
    assert (report.accepted_quantity, report.rejected_quantity) == (Decimal(3), Decimal(1))
    assert report.rejected_amount == charges[SECOND]
    assert report.accepted_amount == sum(charges.values()) - charges[SECOND]


def test_each_claim_carries_its_billing_provider_and_service_date(claims_text) -> None:
    (batch,) = read(claims_text).claim_batches()
    (report,) = read(_answer(claims_text)).claim_status_reports()
    claim, status = batch.claims[0], report.claims[0]
    assert status.billing_provider_id == claim.billing.npi
    assert status.service_from == status.service_to == claim.lines[0].date_of_service
    assert status.statuses[0].amount == claim.total_charge


def test_the_receipt_date_defaults_to_the_day_written(claims_text) -> None:
    (report,) = read(_answer(claims_text)).claim_status_reports()
    assert report.receipt_date == report.process_date == CREATED.date()
    (later,) = read(_answer(claims_text, received=date(2024, 3, 14))).claim_status_reports()
    assert later.receipt_date == date(2024, 3, 14)


def test_an_institutional_claim_keeps_its_type_of_bill(envelope) -> None:
    text = write_837i(sample_institutional_claims(2), **envelope)
    answer = _answer(text)
    assert validate(answer).valid
    (batch,) = read(text).claim_batches()
    (report,) = read(answer).claim_status_reports()
    assert [status.type_of_bill for status in report.claims] == [claim.type_of_bill[1:] for claim in batch.claims]


def test_each_837_set_gets_its_own_277ca_set(envelope) -> None:
    text = write_837p(sample_professional_claims(5), claims_per_set=2, **envelope)
    reports = read(_answer(text)).claim_status_reports()
    assert [len(report.claims) for report in reports] == [2, 2, 1]
    assert [report.receiver.identifier for report in reports] == ["TESTSUBMIT01"] * 3


def test_a_clearinghouse_can_be_the_information_source(claims_text) -> None:
    clearinghouse = Party("TEST CLEARINGHOUSE", "TESTCLEARING", "46")
    answer = write_277ca(
        read(claims_text),
        source=clearinghouse,
        source_entity="AY",
        partners=sample_partners("TESTCLEARING", "TESTCLINIC"),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
    )
    assert validate(answer).valid
    assert read(answer).claim_status_reports()[0].information_source == clearinghouse


def test_an_accepting_category_cannot_be_used_to_reject() -> None:
    with pytest.raises(UnencodableValue):
        rejected("A2", "20")


def test_a_status_code_containing_a_separator_is_refused(claims_text) -> None:
    with pytest.raises(UnencodableValue):
        _answer(claims_text, verdicts={FIRST: ClaimVerdict(StatusCode("A7", "5*62"))})


def test_no_claims_cannot_be_acknowledged() -> None:
    with pytest.raises(UnencodableValue):
        write_277ca(
            [],
            source=PAYER,
            partners=sample_partners("TESTPAYER1", "TESTCLINIC"),
            control_numbers=InMemoryControlNumbers(),
            created=CREATED,
        )


def test_the_277ca_answers_the_batch_named_in_the_837(envelope) -> None:
    batch_id = "bat_0123456789abcdef01234567"
    text = write_837p(sample_professional_claims(2), reference=batch_id, **envelope)
    (report,) = read(_answer(text, verdicts={SECOND: rejected("A7", "562", "85")})).claim_status_reports()
    event = report.to_batch_event()
    assert event.batch_id == batch_id
    assert [(ack.claim_id, ack.accepted) for ack in event.acknowledgements] == [(FIRST, True), (SECOND, False)]


def test_a_277ca_for_a_batch_without_our_batch_id_is_a_contract_mismatch(claims_text) -> None:
    (report,) = read(_answer(claims_text)).claim_status_reports()
    with pytest.raises(ContractMismatch):
        report.to_batch_event()
