"""The claims work queue: claims the machine could not send (scrub failures) or the clearinghouse
refused (999/277CA rejections), and denied claims a person corrects. A person takes a claim, edits
it, scrubs it again, submits it or closes it with a reason, and releases it.

Pure decisions: each returns the claim as it is after the action (its `revision` moved on) and the
status changes to emit; none saves, publishes or reads a clock. The service answers a refused
action with 409 (the claim's state forbids it) or 422 (the request can never succeed as sent).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.claims import domain
from services.claims.checks import ClaimChecks
from services.claims.corrections import ClaimEdits, CloseReason, apply_edits
from services.claims.lifecycle import ClaimsError
from shared.events import ClaimStatus as S, Finding, FrequencyCode

# What the queue lists by default: the claims only a person can move on.
QUEUED = (S.SCRUB_FAILED, S.REJECTED)
# What a person may take and work: the queue, a denied claim to correct, and a claim they scrubbed
# clean and hold until they submit it.
WORKABLE = frozenset({*QUEUED, S.DENIED, S.APPEALED, S.SCRUBBED})


class QueueError(ClaimsError):
    code = "CLAIMS_QUEUE_ERROR"


class NotWorkable(QueueError):
    code = "NOT_WORKABLE"


class TakenBySomeoneElse(QueueError):
    code = "TAKEN_BY_SOMEONE_ELSE"


class NotTaken(QueueError):
    code = "NOT_TAKEN"


class StaleRevision(QueueError):
    code = "STALE_REVISION"

    def __init__(self, claim_id: str, seen: int, current: int) -> None:
        super().__init__(f"claim {claim_id} changed since revision {seen}; it is at revision {current}")


class NoPayerClaimNumber(QueueError):
    code = "NO_PAYER_CLAIM_NUMBER"


@dataclass(frozen=True, slots=True)
class Acted:
    """A claim after a person's action: the outcome, and what changed in its content (names only)."""

    outcome: domain.Outcome
    changed: tuple[str, ...] = ()

    @property
    def claim(self) -> domain.Claim:
        return self.outcome.claim


def check_revision(claim: domain.Claim, seen: int | None) -> None:
    """Raise StaleRevision when the person acted on an older revision than the stored one."""
    if seen is not None and seen != claim.revision:
        raise StaleRevision(claim.claim_id, seen, claim.revision)


def _workable(claim: domain.Claim) -> None:
    if claim.status not in WORKABLE or (claim.status is S.SCRUBBED and claim.assignee is None):
        raise NotWorkable(f"claim {claim.claim_id} is {claim.status}; nothing for a person to do in the claims queue")


def _held_by(claim: domain.Claim, actor: str) -> None:
    _workable(claim)
    if claim.assignee is None:
        raise NotTaken(f"claim {claim.claim_id} must be taken before it is worked")
    if claim.assignee != actor:
        raise TakenBySomeoneElse(f"claim {claim.claim_id} is being worked by someone else")


def take(claim: domain.Claim, actor: str) -> Acted:
    """The claim, assigned to `actor`. Taking a claim one already holds changes nothing."""
    _workable(claim)
    if claim.assignee == actor:
        return Acted(domain.Outcome(claim))
    if claim.assignee is not None:
        raise TakenBySomeoneElse(f"claim {claim.claim_id} is being worked by someone else")
    return Acted(domain.Outcome(replace(claim, assignee=actor, revision=claim.revision + 1)))


def release(claim: domain.Claim, actor: str, *, may_release_others: bool = False) -> Acted:
    """The claim back in the queue, unassigned. A supervisor may release someone else's claim."""
    if claim.assignee is None:
        return Acted(domain.Outcome(claim))
    if claim.assignee != actor and not may_release_others:
        raise TakenBySomeoneElse(f"claim {claim.claim_id} is being worked by someone else")
    return Acted(domain.Outcome(replace(claim, assignee=None, revision=claim.revision + 1)))


def edit(claim: domain.Claim, actor: str, edits: ClaimEdits) -> Acted:
    """The claim with the person's changes. Its status stays until it is scrubbed again. Raises
    InvalidCorrection for edits that change nothing or make an invalid claim."""
    _held_by(claim, actor)
    if claim.status is S.SCRUBBED:
        raise NotWorkable(f"claim {claim.claim_id} was scrubbed clean: submit it, or scrub it again after a change")
    content, changed = apply_edits(claim.content, edits)
    return Acted(domain.Outcome(replace(claim, content=content, revision=claim.revision + 1)), changed)


def scrub(claim: domain.Claim, actor: str, today: date, checks: ClaimChecks | None = None) -> Acted:
    """The claim scrubbed again after a person's work: `corrected`, then `scrubbed` (held for the
    person to submit) or `scrub_failed` with the new findings. A denied claim becomes the
    replacement (frequency 7 with the payer's claim number); a rejected one never reached the
    payer and stays an original."""
    _held_by(claim, actor)
    if claim.status is S.SCRUBBED:
        return Acted(domain.Outcome(claim))
    if claim.status in (S.DENIED, S.APPEALED):
        if not claim.content.payer_claim_number:
            raise NoPayerClaimNumber(f"claim {claim.claim_id} has no payer claim number to replace")
        claim = replace(claim, content=claim.content.model_copy(update={"frequency_code": FrequencyCode.REPLACEMENT}))
    corrected = domain.move(claim, S.CORRECTED)
    scrubbed = domain.scrub_claim(corrected.claim, today, checks)
    return Acted(domain.Outcome(scrubbed.claim, (*corrected.changes, *scrubbed.changes)))


def submit(claim: domain.Claim, actor: str, today: date, checks: ClaimChecks | None = None) -> Acted:
    """The claim ready for the next batch: scrubbed again unless it already is. The caller files a
    `scrubbed` result; a claim that still fails stays in the queue, with its findings, for the person."""
    acted = scrub(claim, actor, today, checks)
    if acted.claim.status is not S.SCRUBBED:
        return acted
    return Acted(domain.Outcome(replace(acted.claim, assignee=None), acted.outcome.changes), acted.changed)


def close(claim: domain.Claim, actor: str, reason: CloseReason) -> Acted:
    """The claim closed with the person's reason (a code): nothing will be sent for it."""
    _held_by(claim, actor)
    if claim.status not in QUEUED:
        raise NotWorkable(f"claim {claim.claim_id} is {claim.status}; only scrub failures and rejections are closed here")
    closed = domain.move(claim, S.CLOSED, (Finding(code=reason.value, message="closed in the claims queue"),))
    return Acted(domain.Outcome(replace(closed.claim, assignee=None), closed.changes))
