"""Stage latencies are observed once, when an encounter first reaches the later milestone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from dashboard.stage_latency import REGISTRATION_TO_SUBMITTED, SUBMITTED_TO_PAID, Latency, latencies
from shared import topics
from shared.envelope import new_event
from shared.events import ClaimStatus, ClaimStatusChanged

ENC = "enc_" + "a" * 32
CLAIM = "clm_" + "b" * 24
T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def a_change(status: ClaimStatus, at: datetime, encounter: str = ENC) -> object:
    change = ClaimStatusChanged(claim_id=CLAIM, encounter_id=encounter, version=3, status=status,
                                previous_status=ClaimStatus.SCRUBBED, payer_id="P1", billed=Decimal("10.00"))
    return new_event(topics.CLAIM_STATUS_CHANGED, change, producer="claims", now=at, tenant_id="t1",
                     correlation_id=encounter, event_id=uuid.uuid4())


def test_first_submission_measures_from_registration() -> None:
    found = latencies([a_change(ClaimStatus.SUBMITTED, T0 + timedelta(minutes=5))], {ENC: {"registered_at": T0}})
    assert found == [Latency(REGISTRATION_TO_SUBMITTED, "t1", 300.0)]


def test_payment_in_the_same_batch_measures_from_that_submission() -> None:
    events = [a_change(ClaimStatus.SUBMITTED, T0 + timedelta(seconds=10)),
              a_change(ClaimStatus.PAID, T0 + timedelta(seconds=70))]
    assert latencies(events, {ENC: {"registered_at": T0}})[1] == Latency(SUBMITTED_TO_PAID, "t1", 60.0)


def test_a_resubmission_or_second_payment_observes_nothing() -> None:
    row = {"registered_at": T0, "submitted_at": T0, "paid_at": T0}
    events = [a_change(ClaimStatus.SUBMITTED, T0 + timedelta(days=1)), a_change(ClaimStatus.PAID, T0 + timedelta(days=2))]
    assert latencies(events, {ENC: row}) == []


def test_a_stage_whose_start_is_unknown_observes_nothing() -> None:
    assert latencies([a_change(ClaimStatus.PAID, T0)], {}) == []
