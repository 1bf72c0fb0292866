"""Deadlines on work in flight: when a hand-off is late and what its owner does then."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from services.claims.reconcile import batch_members, waiting_batches
from services.denials.reconcile import HANDOFFS as DENIALS
from services.payments.reconcile import HANDOFFS as PAYMENTS
from services.registration.reconcile import handoffs as registration_handoffs
from shared import topics
from shared.deadlines import (
    WORK_ITEM, Action, Handoff, deadline_of, first_due, handoff_id, is_past_deadline, next_step,
)
from shared.events import ClaimStatus, DenialAction, PaymentOutcome
from tests.support.builders import a_batch_filed, a_payment_posted, a_submitted_claim

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
ENCOUNTER = "enc_" + "1" * 32


def a_handoff(action: Action = Action.RE_EMIT, **changes) -> Handoff:
    return Handoff("registered", topics.ENCOUNTER_REGISTERED, action, deadline_seconds=60, **changes)


def test_work_handed_on_is_late_once_its_deadline_has_passed() -> None:
    due = first_due(NOW, MINUTE)
    assert not is_past_deadline(due, NOW + timedelta(seconds=59))
    assert is_past_deadline(due, NOW + MINUTE)


def test_a_configured_deadline_overrides_the_stage_default() -> None:
    assert deadline_of(a_handoff(), {}) == MINUTE
    assert deadline_of(a_handoff(), {"registered": 5}) == timedelta(seconds=5)
    assert deadline_of(a_handoff(), {"coded": 5}) == MINUTE


def test_late_work_is_published_again_with_a_doubling_wait() -> None:
    first = next_step(Action.RE_EMIT, 0, max_attempts=3, now=NOW, deadline=MINUTE)
    second = next_step(Action.RE_EMIT, 1, max_attempts=3, now=NOW, deadline=MINUTE)
    assert first == (Action.RE_EMIT.value, 1, NOW + 2 * MINUTE)
    assert second == (Action.RE_EMIT.value, 2, NOW + 4 * MINUTE)


def test_the_wait_between_attempts_stops_growing() -> None:
    step = next_step(Action.RE_SEND, 9, max_attempts=20, now=NOW, deadline=MINUTE)
    assert step.next_due == NOW + 16 * MINUTE


def test_work_that_does_not_heal_after_the_last_attempt_becomes_a_work_item() -> None:
    step = next_step(Action.RE_SEND, 3, max_attempts=3, now=NOW, deadline=MINUTE)
    assert step.action == WORK_ITEM
    assert step.next_due is None


def test_an_announcement_is_repeated_a_fixed_number_of_times_and_never_becomes_a_work_item() -> None:
    assert next_step(Action.ANNOUNCE, 0, max_attempts=2, now=NOW, deadline=MINUTE).next_due == NOW + 2 * MINUTE
    last = next_step(Action.ANNOUNCE, 1, max_attempts=2, now=NOW, deadline=MINUTE)
    assert last == (Action.ANNOUNCE.value, 2, None)


def test_one_hand_off_per_key_is_replaced_by_the_newer_event_and_one_per_event_is_not() -> None:
    assert handoff_id(a_handoff(), ENCOUNTER, "e1") == handoff_id(a_handoff(), ENCOUNTER, "e2")
    per_event = a_handoff(one_per_key=False)
    assert handoff_id(per_event, "clm-1", "e1") != handoff_id(per_event, "clm-1", "e2")


REGISTRATION = registration_handoffs({"encounters": None})


def test_registered_encounters_are_closed_by_coding_s_answer_either_way() -> None:
    registered = next(h for h in REGISTRATION if h.stage == "registered")
    closing_topics = {closing.topic for closing in registered.closed_by}
    assert closing_topics == {topics.ENCOUNTER_CODED, topics.ENCOUNTER_HELD_FOR_CODING}


def test_a_reversal_posting_is_not_waited_on_but_a_payment_is() -> None:
    posted = next(h for h in PAYMENTS if h.stage == "posted")
    payment = a_payment_posted("clm_" + "a" * 24, ENCOUNTER, outcome="paid")
    reversal = payment.model_copy(update={"outcome": PaymentOutcome.REVERSED})
    assert posted.key_of(payment) == payment.claim_id
    assert posted.key_of(reversal) is None


def test_a_posting_is_closed_only_by_the_claim_s_adjudication() -> None:
    closing = next(h for h in PAYMENTS if h.stage == "posted").closed_by[0]
    change = _status_change(ClaimStatus.PAID)
    assert closing.key(change) == change.claim_id
    assert closing.key(_status_change(ClaimStatus.ACCEPTED)) is None


def test_a_resubmit_decision_is_tracked_by_its_correction_request_only() -> None:
    worked = next(h for h in DENIALS if h.stage == "denial_worked")
    decision = _denial_worked(DenialAction.RESUBMIT)
    assert worked.key_of(decision) is None
    assert worked.key_of(_denial_worked(DenialAction.WRITE_OFF)) == decision.claim_id


def test_a_batch_waits_while_a_claim_it_filed_is_still_submitted() -> None:
    first, second = a_submitted_claim(), a_submitted_claim()
    batch = a_batch_filed(first, second)
    handoff = {"_id": "submitted|b", "detail": batch_members(batch)}
    submitted = {first.claim_id: ("accepted", "1"), second.claim_id: ("submitted", "1")}
    answered = {first.claim_id: ("accepted", "1"), second.claim_id: ("rejected", "1")}
    assert waiting_batches([handoff], submitted, ClaimStatus.SUBMITTED) == {"submitted|b"}
    assert waiting_batches([handoff], answered, ClaimStatus.SUBMITTED) == set()


def test_a_claim_filed_again_as_a_correction_does_not_hold_the_original_batch() -> None:
    claim = a_submitted_claim()
    handoff = {"_id": "submitted|b", "detail": batch_members(a_batch_filed(claim))}
    corrected_and_submitted = {claim.claim_id: ("submitted", "7")}
    assert waiting_batches([handoff], corrected_and_submitted, ClaimStatus.SUBMITTED) == set()


def _status_change(status: ClaimStatus):
    from shared.events import ClaimStatusChanged

    return ClaimStatusChanged(claim_id="clm_" + "b" * 24, encounter_id=ENCOUNTER, version=3, status=status,
                              previous_status=None, payer_id="SIMBLUE01", billed=Decimal("100.00"))


def _denial_worked(action: DenialAction):
    from shared.events import DenialWorked

    return DenialWorked(denial_id="den-1", claim_id="clm_" + "c" * 24, encounter_id=ENCOUNTER, category="CODING",
                        action=action, amount=Decimal("10.00"))


def test_an_event_kept_for_sending_again_is_sealed_at_rest_and_comes_back_whole() -> None:
    from shared.phi import PhiCipher
    from shared.reconciler import HandoffJournal
    from shared.settings import DEV_PHI_KEY

    journal = HandoffJournal("registration", {"handoffs": None, "stalled_work": None}, REGISTRATION,
                             cipher=PhiCipher(DEV_PHI_KEY))
    row = {"topic": topics.ENCOUNTER_REGISTERED.name, "key": ENCOUNTER, "event_id": "e1",
           "event_type": "encounter.registered", "value": b'{"payload": {"patient": "Zzsealed"}}'}
    kept = journal.keep(row)
    assert b"Zzsealed" not in repr(kept).encode()
    assert journal.sent(kept) == row


def test_two_hand_offs_of_one_service_may_not_share_a_stage_name() -> None:
    import pytest

    from shared.phi import PhiCipher
    from shared.reconciler import HandoffJournal
    from shared.settings import DEV_PHI_KEY

    with pytest.raises(ValueError):
        HandoffJournal("claims", {"handoffs": None, "stalled_work": None}, (a_handoff(), a_handoff()),
                       cipher=PhiCipher(DEV_PHI_KEY))
