"""Claims rules: open, scrub, submit, acknowledge, adjudicate, work denials, correct."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dataclasses import replace
from datetime import datetime, timezone

from services.claims import domain, edi
from shared.x12 import InMemoryControlNumbers, read
from services.claims.lifecycle import IllegalTransition
from shared.events import (
    ClaimAcknowledgement, ClaimResubmitRequested, ClaimStatus as S, DenialAction, DenialWorked, FrequencyCode,
    PaymentOutcome, PaymentPosted, Provider,
)
from tests.support.builders import a_coded_encounter, a_registration_request

TODAY = date(2026, 11, 20)
PAYER_CLAIM_NUMBER = "PCN000000000042"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
SUBMITTER = edi.Submitter837(sender_id="RCMTEST", receiver_id="SIMCLEARING", submitter_name="RCM TEST BILLING",
                             contact_name="EDI DESK", contact_phone="8005550100", receiver_name="TEST CLEARINGHOUSE")


def an_open_claim(**request_changes) -> domain.Claim:
    coded = a_coded_encounter(a_registration_request(**request_changes))
    return domain.open_claim(coded, claim_id="clm_" + "a" * 24, tenant_id="test-clinic", today=TODAY).claim


def a_posting(claim: domain.Claim, outcome: PaymentOutcome) -> PaymentPosted:
    zero = Decimal("0.00")
    return PaymentPosted(posting_id="pst_1", claim_id=claim.claim_id, encounter_id=claim.encounter_id,
                         remittance_id="TRN1", payer_id=claim.payer_id, payment_date=TODAY, outcome=outcome,
                         billed=claim.billed, paid=zero, contractual_adjustment=zero, patient_responsibility=zero,
                         other_adjustment=zero, denied_amount=claim.billed)


def a_worked_denial(claim: domain.Claim, action: DenialAction) -> DenialWorked:
    return DenialWorked(denial_id="den_1", claim_id=claim.claim_id, encounter_id=claim.encounter_id,
                        category="MEDICAL_NECESSITY", action=action, amount=claim.billed)


BATCH_ID = "bat_" + "b" * 24


def filed(*claims: domain.Claim) -> edi.FiledBatch:
    filing = edi.file_batch([claim.content for claim in claims], batch_id=BATCH_ID, submitter=SUBMITTER,
                            control_numbers=InMemoryControlNumbers(), created=NOW)
    assert not filing.held
    return filing.batch


def submitted(claim: domain.Claim) -> domain.Claim:
    outcomes, _ = domain.submit([claim], filed(claim), batch_id=BATCH_ID)
    return outcomes[0].claim


def test_a_clean_coded_encounter_opens_a_scrubbed_original_claim() -> None:
    coded = a_coded_encounter()
    outcome = domain.open_claim(coded, claim_id="clm_" + "a" * 24, tenant_id="test-clinic", today=TODAY)
    assert outcome.claim.status is S.SCRUBBED
    assert outcome.claim.content.frequency_code is FrequencyCode.ORIGINAL
    assert [c.status for c in outcome.changes] == [S.CREATED, S.SCRUBBED]
    assert [c.version for c in outcome.changes] == [1, 2]
    assert outcome.claim.billed == coded.total_charge


def test_a_claim_with_a_bad_npi_check_digit_fails_the_scrub_with_the_finding() -> None:
    claim = an_open_claim(rendering=Provider(npi="1234567890", name="TESTDOC BETA"))
    assert claim.status is S.SCRUB_FAILED


def test_submitting_builds_one_batch_with_every_claim_and_the_total() -> None:
    claims = [an_open_claim(), an_open_claim(visit_number="V-SECOND")]
    claims[1] = replace(claims[1], claim_id="clm_" + "e" * 24,
                        content=claims[1].content.model_copy(update={"claim_id": "clm_" + "e" * 24}))
    outcomes, batch = domain.submit(claims, filed(*claims), batch_id=BATCH_ID)
    assert all(o.claim.status is S.SUBMITTED for o in outcomes)
    assert batch.claim_count == 2
    assert batch.total_charge == sum(c.billed for c in claims)
    assert [c.claim_id for c in batch.claims] == [c.claim_id for c in claims]
    assert [c.encounter_id for c in batch.claims] == [c.encounter_id for c in claims]
    sent = read(batch.x12).claim_batches()[0]
    assert sent.reference == BATCH_ID
    assert [c.claim_id for c in sent.claims] == [c.claim_id for c in claims]
    assert sum(c.total_charge for c in sent.claims) == batch.total_charge


def test_an_accepted_claim_keeps_the_payer_claim_number() -> None:
    claim = submitted(an_open_claim())
    outcome = domain.acknowledge(claim, ClaimAcknowledgement(claim_id=claim.claim_id, accepted=True, payer_claim_number="PCN9"))
    assert outcome.claim.status is S.ACCEPTED
    assert outcome.claim.content.payer_claim_number == "PCN9"


def test_a_rejected_claim_carries_the_clearinghouse_codes() -> None:
    claim = submitted(an_open_claim())
    outcome = domain.acknowledge(claim, ClaimAcknowledgement(claim_id=claim.claim_id, accepted=False, status_codes=("A7_562",)))
    assert outcome.claim.status is S.REJECTED
    assert [f.code for f in outcome.changes[0].findings] == ["A7_562"]


def test_an_acknowledgement_read_after_the_835_changes_nothing() -> None:
    claim = domain.adjudicate(submitted(an_open_claim()), a_posting(submitted(an_open_claim()), PaymentOutcome.PAID)).claim
    outcome = domain.acknowledge(claim, ClaimAcknowledgement(claim_id=claim.claim_id, accepted=True))
    assert outcome.claim == claim
    assert outcome.changes == ()


@pytest.mark.parametrize(("posted", "status"), [
    (PaymentOutcome.PAID, S.PAID), (PaymentOutcome.PARTIALLY_PAID, S.PARTIALLY_PAID), (PaymentOutcome.DENIED, S.DENIED)])
def test_a_posting_adjudicates_the_claim(posted, status) -> None:
    claim = submitted(an_open_claim())
    assert domain.adjudicate(claim, a_posting(claim, posted)).claim.status is status


def test_a_second_payment_for_a_paid_claim_is_refused() -> None:
    claim = submitted(an_open_claim())
    paid = domain.adjudicate(claim, a_posting(claim, PaymentOutcome.PAID)).claim
    with pytest.raises(IllegalTransition):
        domain.adjudicate(paid, a_posting(claim, PaymentOutcome.PAID))


@pytest.mark.parametrize(("action", "status"), [(DenialAction.APPEAL, S.APPEALED), (DenialAction.WRITE_OFF, S.WRITTEN_OFF)])
def test_a_worked_denial_appeals_or_writes_off_the_claim(action, status) -> None:
    claim = submitted(an_open_claim())
    denied = domain.adjudicate(claim, a_posting(claim, PaymentOutcome.DENIED)).claim
    assert domain.work_denial(denied, a_worked_denial(denied, action)).claim.status is status


def appealed() -> domain.Claim:
    claim = submitted(an_open_claim())
    denied = domain.adjudicate(claim, a_posting(claim, PaymentOutcome.DENIED)).claim
    return domain.work_denial(denied, a_worked_denial(denied, DenialAction.APPEAL)).claim


def test_a_person_filing_the_appeal_the_rules_started_changes_nothing() -> None:
    claim = appealed()
    by_person = a_worked_denial(claim, DenialAction.APPEAL).model_copy(update={"by_person": True})
    outcome = domain.work_denial(claim, by_person)
    assert outcome.claim.status is S.APPEALED and outcome.changes == ()


def test_a_person_may_write_off_an_appealed_denial_or_correct_it_instead() -> None:
    claim = appealed()
    write_off = a_worked_denial(claim, DenialAction.WRITE_OFF).model_copy(update={"by_person": True})
    assert domain.work_denial(claim, write_off).claim.status is S.WRITTEN_OFF
    request = ClaimResubmitRequested(denial_id="den_1", claim_id=claim.claim_id, encounter_id=claim.encounter_id,
                                     category="MISSING_INFORMATION", payer_claim_number=PAYER_CLAIM_NUMBER)
    corrected = domain.correct(claim, request, TODAY)
    assert [c.status for c in corrected.changes] == [S.CORRECTED, S.SCRUBBED]
    assert corrected.claim.content.frequency_code is FrequencyCode.REPLACEMENT


def test_denial_work_that_arrives_before_the_denial_waits() -> None:
    claim = submitted(an_open_claim())
    with pytest.raises(domain.NotYet):
        domain.work_denial(claim, a_worked_denial(claim, DenialAction.APPEAL))


def test_a_correction_is_a_frequency_7_claim_with_the_payer_claim_number_scrubbed_again() -> None:
    claim = submitted(an_open_claim())
    denied = domain.adjudicate(claim, a_posting(claim, PaymentOutcome.DENIED)).claim
    request = ClaimResubmitRequested(denial_id="den_1", claim_id=claim.claim_id, encounter_id=claim.encounter_id,
                                     category="MISSING_INFORMATION", payer_claim_number="PCN77")
    outcome = domain.correct(denied, request, TODAY)
    assert outcome.claim.status is S.SCRUBBED
    assert outcome.claim.content.frequency_code is FrequencyCode.REPLACEMENT
    assert outcome.claim.content.payer_claim_number == "PCN77"
    assert [c.status for c in outcome.changes] == [S.CORRECTED, S.SCRUBBED]
