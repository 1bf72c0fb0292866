"""Working a denial: which category its reason codes fall in, what to do about it (resubmit a
corrected claim, appeal, or write off), by when, and in what order the work queue takes it.

Pure values and functions: no I/O and no clock. Every date is derived from the denial itself (the
remittance's payment date), so the same denial always gets the same decision. The queue's order and
what a person does with an item are in queue.py.

Glossary: CARC is the payer's claim adjustment reason code (why it did not pay); RARC is a remark
code that adds detail; a corrected claim is frequency 7 and must carry the payer's claim number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.denials.categories import (
    CARC_RULES,
    POLICIES,
    CarcRule,
    CategoryPolicy,
    DenialCategory,
    rule_for,
)
from shared.errors import RcmError
from shared.events import Adjustment, ClaimDenied, ClaimResubmitRequested, DenialAction, DenialWorked, FrequencyCode

__all__ = [
    "CARC_RULES",
    "POLICIES",
    "CarcRule",
    "CategoryPolicy",
    "Decision",
    "DenialCategory",
    "DenialsError",
    "NoDenialAdjustments",
    "categorize",
    "resubmit_request",
    "rule_for",
    "work_denial",
    "worked_event",
]

DEFAULT_APPEAL_WINDOW_DAYS = 90


class DenialsError(RcmError):
    """Base of the denials domain's errors: a denial that cannot be worked as sent."""

    code = "DENIALS_ERROR"


class NoDenialAdjustments(DenialsError):
    """There is no adjustment to tell why the payer denied."""

    code = "NO_DENIAL_ADJUSTMENTS"

    def __init__(self) -> None:
        super().__init__("a denial needs at least one adjustment to be categorized")


def categorize(adjustments: Sequence[Adjustment], on: date, rules: Sequence[CarcRule] = CARC_RULES) -> CarcRule:
    """Return the rule of the largest adjustment (the first listed on a tie), as in force on `on`,
    the date the payer used the codes. An unknown CARC gets an OTHER rule.
    Raises NoDenialAdjustments when `adjustments` is empty."""
    if not adjustments:
        raise NoDenialAdjustments()
    largest = adjustments[0]
    for adjustment in adjustments[1:]:
        if adjustment.amount > largest.amount:
            largest = adjustment
    return rule_for(largest.carc, on, rules)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do about one denial, and where it sits in the work queue."""

    denial_id: str
    category: DenialCategory
    action: DenialAction
    carc: str  # the reason that decided the category
    amount: Decimal
    appeal_deadline: date
    carc_known: bool = True  # False: the deciding CARC has no rule; OTHER, flagged for a person


def work_denial(
    denial: ClaimDenied,
    *,
    appeal_window_days: int = DEFAULT_APPEAL_WINDOW_DAYS,
    rules: Sequence[CarcRule] = CARC_RULES,
    appeal_windows: Mapping[str, int] | None = None,
) -> Decision:
    """Return the decision for `denial`: its category and action from `categorize` on the payment
    date, and an appeal deadline `appeal_window_days` after the payment date (the day the payer told
    us), or the payer's own window from `appeal_windows` (days by payer id, data). Raises ValueError
    for a window shorter than one day, NoDenialAdjustments without adjustments."""
    appeal_window_days = (appeal_windows or {}).get(denial.payer_id, appeal_window_days)
    if appeal_window_days < 1:
        raise ValueError("appeal_window_days must be at least 1")
    rule = categorize(denial.adjustments, denial.payment_date, rules)
    action = rule.action
    if action == DenialAction.RESUBMIT and not denial.whole_claim:
        # A corrected claim (frequency 7) replaces the whole original, so the payer would
        # re-adjudicate the lines it already paid too, and could take that money back or pay it
        # twice. When only some lines were denied, the denied lines are appealed with the fix instead.
        action = DenialAction.APPEAL
    if action == DenialAction.RESUBMIT and denial.frequency_code == FrequencyCode.REPLACEMENT:
        # The payer denied the corrected claim too: sending it again unchanged would loop. A person
        # looks at it (the appeal queue) and corrects the claim's data, or appeals, or writes off.
        action = DenialAction.APPEAL
    return Decision(
        denial_id=denial.denial_id,
        category=rule.category,
        action=action,
        carc=rule.carc,
        amount=denial.denied_amount,
        appeal_deadline=denial.payment_date + timedelta(days=appeal_window_days),
        carc_known=rule.known,
    )


def worked_event(denial: ClaimDenied, decision: Decision) -> DenialWorked:
    """Return the denial.worked payload for `decision`. The appeal deadline is carried only when the
    action is an appeal: a write-off has nothing left to file and a resubmission is bound by the
    payer's filing limit instead."""
    return DenialWorked(
        denial_id=denial.denial_id,
        claim_id=denial.claim_id,
        encounter_id=denial.encounter_id,
        category=decision.category,
        action=decision.action,
        amount=denial.denied_amount,
        appeal_deadline=decision.appeal_deadline if decision.action == DenialAction.APPEAL else None,
    )


def resubmit_request(denial: ClaimDenied, decision: Decision) -> ClaimResubmitRequested | None:
    """Return the request for a corrected claim when `decision` is to resubmit, else None. The payer
    claim number goes with it because a frequency-7 claim without it is rejected as a duplicate."""
    if decision.action != DenialAction.RESUBMIT:
        return None
    return ClaimResubmitRequested(
        denial_id=denial.denial_id,
        claim_id=denial.claim_id,
        encounter_id=denial.encounter_id,
        category=decision.category,
        payer_claim_number=denial.payer_claim_number,
        corrections=(decision.category,),
    )
