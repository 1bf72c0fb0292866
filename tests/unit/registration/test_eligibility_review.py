"""Eligibility review decisions: take, correct the coverage, ask again, release, self-pay."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.registration import review
from services.registration.review import CoverageChange, HeldEncounter, ReviewState
from tests.support.builders import a_registered_encounter

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def a_held(**changes) -> HeldEncounter:
    values = {"encounter_id": "enc_" + "a" * 32, "tenant_id": "test-clinic", "state": ReviewState.HELD,
              "reason_code": "COVERAGE_INACTIVE", **changes}
    return HeldEncounter(**values)


def test_a_held_encounter_taken_by_one_person_cannot_be_taken_by_another() -> None:
    taken = review.take(a_held(), "pa-1")
    assert (taken.assignee, taken.revision) == ("pa-1", 1)
    with pytest.raises(review.TakenBySomeoneElse):
        review.take(taken, "pa-2")


def test_an_action_on_an_older_revision_is_refused() -> None:
    with pytest.raises(review.StaleRevision):
        review.check_revision(a_held(revision=3), 2)


def test_a_corrected_member_id_replaces_the_primary_coverage_only() -> None:
    encounter = a_registered_encounter()
    item, updated = review.update_coverage(a_held(assignee="pa-1"), "pa-1", encounter,
                                           CoverageChange(member_id="SIMNEW0001"))
    assert updated.coverages[0].member_id == "SIMNEW0001"
    assert updated.coverages[0].payer_id == encounter.coverages[0].payer_id
    assert (item.state, item.revision) == (ReviewState.HELD, 1)


def test_a_coverage_change_that_changes_nothing_is_refused() -> None:
    encounter = a_registered_encounter()
    with pytest.raises(review.InvalidCoverage):
        review.update_coverage(a_held(assignee="pa-1"), "pa-1", encounter,
                               CoverageChange(member_id=encounter.coverages[0].member_id))


def test_reverifying_sends_a_new_270_for_the_primary_payer_and_waits_for_it() -> None:
    encounter = a_registered_encounter()
    item, request = review.reverify(a_held(assignee="pa-1"), "pa-1", encounter, inquiry_id="elg_" + "b" * 24, now=NOW)
    assert item.state is ReviewState.VERIFYING
    assert (request.inquiry_id, request.payer_id) == ("elg_" + "b" * 24, encounter.coverages[0].payer_id)
    assert request.x12.startswith("ISA") and "*270*" in request.x12


def test_release_and_self_pay_end_the_review_and_free_the_item() -> None:
    released = review.release(a_held(assignee="pa-1"), "pa-1")
    self_paid = review.self_pay(a_held(assignee="pa-1"), "pa-1")
    assert (released.state, released.assignee) == (ReviewState.RELEASED, None)
    assert (self_paid.state, self_paid.assignee) == (ReviewState.SELF_PAY, None)


def test_an_item_must_be_taken_and_held_before_it_is_worked() -> None:
    with pytest.raises(review.NotTaken):
        review.release(a_held(), "pa-1")
    with pytest.raises(review.NotHeld):
        review.self_pay(a_held(assignee="pa-1", state=ReviewState.VERIFYING), "pa-1")
