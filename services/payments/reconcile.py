"""Payments' hand-offs: a posted remittance claim goes to claims (which adjudicates the claim), a
denial to denials (which works it), and a request for a secondary claim to claims (which files the
COB claim). Payments reads the answers; what is not answered past its deadline is published again
(the same event; consumers drop a copy they saw)."""

from __future__ import annotations

from shared import topics
from shared.deadlines import Action, Closing, Handoff
from shared.events import ClaimStatus, CoverageOrder, PaymentOutcome

ADJUDICATED = (ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED)

HANDOFFS = (
    # A reversal moves no claim (the correction after it does), so it is not tracked.
    Handoff("posted", topics.PAYMENT_POSTED, Action.RE_EMIT, deadline_seconds=300, one_per_key=False,
            key=lambda posted: None if posted.outcome is PaymentOutcome.REVERSED else posted.claim_id,
            closed_by=(Closing(topics.CLAIM_STATUS_CHANGED,
                               lambda changed: changed.claim_id if changed.status in ADJUDICATED else None),)),
    Handoff("denied", topics.CLAIM_DENIED, Action.RE_EMIT, deadline_seconds=300, one_per_key=False,
            closed_by=(Closing(topics.DENIAL_WORKED, lambda worked: worked.claim_id),)),
    Handoff("secondary_requested", topics.CLAIM_SECONDARY_REQUESTED, Action.RE_EMIT, deadline_seconds=300,
            key=lambda requested: requested.encounter_id,
            closed_by=(Closing(topics.CLAIM_STATUS_CHANGED,
                               lambda changed: changed.encounter_id
                               if changed.coverage_order is not CoverageOrder.PRIMARY else None),)),
)
