"""Denials' hand-offs to claims: an appeal or write-off moves the denied claim (appealed, written
off), and a correction request makes a corrected claim. Denials reads claims' status
announcements; a decision claims has not acted on past its deadline is published again."""

from __future__ import annotations

from shared import topics
from shared.deadlines import Action, Closing, Handoff
from shared.events import ClaimStatus, DenialAction


def _moved_to(*statuses: ClaimStatus):
    return lambda changed: changed.claim_id if changed.status in statuses else None


HANDOFFS = (
    # A resubmit decision moves nothing by itself: the correction request that goes with it is tracked.
    Handoff("denial_worked", topics.DENIAL_WORKED, Action.RE_EMIT, deadline_seconds=300,
            key=lambda worked: None if worked.action is DenialAction.RESUBMIT else worked.claim_id,
            closed_by=(Closing(topics.CLAIM_STATUS_CHANGED, _moved_to(ClaimStatus.APPEALED, ClaimStatus.WRITTEN_OFF)),)),
    Handoff("resubmit_requested", topics.CLAIM_RESUBMIT_REQUESTED, Action.RE_EMIT, deadline_seconds=300,
            closed_by=(Closing(topics.CLAIM_STATUS_CHANGED, _moved_to(ClaimStatus.CORRECTED)),)),
)
