"""A failed scrub becomes a claim.scrub-failed event carrying the edits, keyed by claim id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from shared import topics
from shared.envelope import Envelope, new_event
from shared.events import ClaimScrubFailed, Finding, FrequencyCode
from services.claims.scrubber import Scrubber

from tests.unit.claims.scrubber.builders import a_claim, a_context


def test_the_findings_of_a_failed_scrub_travel_in_the_event() -> None:
    claim = replace(a_claim(), total_charge=Decimal("1.00"))
    result = Scrubber(a_context()).scrub(claim)
    payload = ClaimScrubFailed(claim_id=claim.claim_id, encounter_id="enc_" + "0" * 32,
                               payer_id=claim.payer.payer_id, frequency_code=FrequencyCode(claim.frequency_code),
                               findings=result.findings)
    event = new_event(topics.CLAIM_SCRUB_FAILED, payload, producer="claims", now=datetime(2026, 3, 20, tzinfo=UTC),
                      tenant_id="test-clinic", correlation_id="enc_" + "0" * 32)
    again = Envelope[ClaimScrubFailed].model_validate_json(event.model_dump_json())
    (finding,) = again.payload.findings
    assert (finding.rule, finding.category, finding.severity, finding.code) == (
        "BAL-001", "balancing", "error", "CLAIM_OUT_OF_BALANCE")
    assert topics.CLAIM_SCRUB_FAILED.key == "claim_id" and topics.CLAIM_SCRUB_FAILED in topics.FLOW


def test_a_finding_without_rule_and_category_is_still_valid() -> None:
    finding = Finding(code="RENDERING_NPI_INVALID", message="rendering provider NPI fails the check digit")
    assert (finding.rule, finding.category) == (None, None)
