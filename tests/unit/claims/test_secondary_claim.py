"""The COB secondary claim claims opens from payments' request: the same services billed to the
secondary payer, with the primary's adjudication (2320/2430) that an 837P carries."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

import pytest

from services.claims.secondary import NoSecondaryCoverage, SecondaryRequestMismatch, secondary_claim
from shared.events import (
    Adjustment, AdjustmentGroup, ClaimSecondaryRequested, Coverage, CoverageOrder, FrequencyCode,
    SecondaryLineResult,
)
from shared.ids import stable_id
from shared.x12 import InMemoryControlNumbers, read
from shared.x12.models.claim import ProfessionalClaim
from shared.x12.samples import sample_billing, sample_partners, sample_receiver, sample_submitted_claim, sample_submitter
from shared.x12.writers.professional import write_837p

BILLING = sample_billing()
SECONDARY = Coverage(payer_id="SECONDPAY", payer_name="Second Test Plan", member_id="SEC-0001",
                     order=CoverageOrder.SECONDARY)


def primary_claim():
    claim = sample_submitted_claim(1, random.Random(3), BILLING, lines=2)
    return claim.model_copy(update={"other_coverages": (SECONDARY,)})


def request_for(claim) -> ClaimSecondaryRequested:
    results = []
    for line in claim.lines:
        allowed = (line.charge * Decimal("0.80")).quantize(Decimal("0.01"))
        coinsurance = (allowed * Decimal("0.20")).quantize(Decimal("0.01"))
        results.append(SecondaryLineResult(
            line_item_control_number=line.line_item_control_number, paid=allowed - coinsurance,
            paid_units=line.units, adjustments=(
                Adjustment(group=AdjustmentGroup.CONTRACTUAL, carc="45", amount=line.charge - allowed),
                Adjustment(group=AdjustmentGroup.PATIENT_RESPONSIBILITY, carc="2", amount=coinsurance))))
    return ClaimSecondaryRequested(
        claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.coverage.payer_id,
        payer_claim_number="PAYER-0001", paid=sum((r.paid for r in results), Decimal("0.00")),
        adjudication_date=date(2025, 4, 1),
        remaining_patient_liability=sum((r.adjustments[1].amount for r in results), Decimal("0.00")),
        lines=tuple(results))


def test_the_secondary_claim_bills_the_secondary_payer_with_the_primary_s_adjudication() -> None:
    original = primary_claim()
    request = request_for(original)

    claim, (prior,) = secondary_claim(original, request, claim_id=stable_id("clm", "cob", original.claim_id))

    assert claim.coverage == SECONDARY
    assert claim.other_coverages == (original.coverage,)
    assert claim.frequency_code is FrequencyCode.ORIGINAL and claim.payer_claim_number is None
    assert claim.lines == original.lines and claim.total_charge == original.total_charge
    assert (prior.payer_id, prior.paid, prior.payer_claim_number) == (
        original.coverage.payer_id, request.paid, "PAYER-0001")
    assert prior.member_id == original.coverage.member_id
    assert [line.line_number for line in prior.lines] == [line.line_number for line in original.lines]
    # every line's result accounts for its charge, to the cent
    for line, result in zip(original.lines, prior.lines, strict=True):
        assert result.paid + sum(a.amount for a in result.adjustments) == line.charge


def test_the_secondary_claim_writes_an_837p_whose_2320_and_2430_read_back() -> None:
    original = primary_claim()
    claim, prior = secondary_claim(original, request_for(original), claim_id=stable_id("clm", "cob", "2"))

    text = write_837p([ProfessionalClaim(claim=claim, billing=BILLING, prior_payers=prior)],
                      partners=sample_partners(), submitter=sample_submitter(), receiver=sample_receiver(),
                      control_numbers=InMemoryControlNumbers(), created=datetime(2025, 4, 2, 9, 0))

    (batch,) = read(text).claim_batches()
    (read_claim,) = batch.claims
    (read_prior,) = read_claim.prior_payers
    assert read_prior.paid == prior[0].paid
    assert [line.paid for line in read_prior.lines] == [line.paid for line in prior[0].lines]


def test_a_claim_without_secondary_coverage_cannot_have_a_secondary_claim() -> None:
    original = primary_claim().model_copy(update={"other_coverages": ()})

    with pytest.raises(NoSecondaryCoverage):
        secondary_claim(original, request_for(original), claim_id=stable_id("clm", "cob", "3"))


def test_a_request_naming_a_line_the_claim_does_not_have_is_refused() -> None:
    original = primary_claim()
    request = request_for(original)
    wrong = request.model_copy(update={"lines": (request.lines[0].model_copy(
        update={"line_item_control_number": "NOPE"}),)})

    with pytest.raises(SecondaryRequestMismatch):
        secondary_claim(original, wrong, claim_id=stable_id("clm", "cob", "4"))
