from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.denials.queue import (
    InvalidRequest,
    ItemStatus,
    NotWorkable,
    TakenBySomeoneElse,
    WriteOffReason,
    appeal_deadline,
    queue_order,
    resolve,
    take,
)
from shared.events import DenialAction
from tests.unit.denials.builders import PAYMENT_DATE, a_work_item

TODAY = date(2025, 5, 1)
NOW = datetime(2025, 5, 1, 14, 30, tzinfo=UTC)


def test_a_nearer_appeal_deadline_puts_a_smaller_denial_first() -> None:
    due_soon = a_work_item("dnl_soon", amount="1000.00", deadline=date(2025, 5, 11))  # 100.00 a day
    due_late = a_work_item("dnl_late", amount="3000.00", deadline=date(2025, 6, 30))  # 50.00 a day

    assert [item.denial_id for item in queue_order([due_late, due_soon], TODAY)] == ["dnl_soon", "dnl_late"]


def test_with_the_same_deadline_the_larger_amount_comes_first() -> None:
    small = a_work_item("dnl_small", amount="40.00")
    large = a_work_item("dnl_large", amount="900.00")

    assert [item.denial_id for item in queue_order([small, large], TODAY)] == ["dnl_large", "dnl_small"]


def test_an_item_due_today_or_overdue_counts_its_whole_amount() -> None:
    overdue = a_work_item(amount="300.00", deadline=date(2025, 4, 20))
    due_today = a_work_item(amount="300.00", deadline=TODAY)

    assert overdue.score(TODAY) == due_today.score(TODAY) == Decimal("300.00")


def test_equal_scores_go_to_the_nearer_deadline_then_the_denial_id_whatever_the_input_order() -> None:
    items = [a_work_item("dnl_b", amount="100.00", deadline=date(2025, 5, 11)),
             a_work_item("dnl_a", amount="100.00", deadline=date(2025, 5, 11)),
             a_work_item("dnl_c", amount="200.00", deadline=date(2025, 5, 21))]

    ordered = [item.denial_id for item in queue_order(items, TODAY)]

    assert ordered == ["dnl_a", "dnl_b", "dnl_c"]
    assert [item.denial_id for item in queue_order(reversed(items), TODAY)] == ordered


def test_age_counts_days_since_the_payers_decision() -> None:
    assert a_work_item().age_days(TODAY) == (TODAY - PAYMENT_DATE).days == 30


def test_a_payer_without_its_own_window_gets_the_default() -> None:
    assert appeal_deadline(date(2025, 1, 1), "SIMMCR04", {"SIMMCR04": 120}, 90) == date(2025, 5, 1)
    assert appeal_deadline(date(2025, 1, 1), "ACME", {"SIMMCR04": 120}, 90) == date(2025, 4, 1)


def test_taking_an_open_item_assigns_it() -> None:
    taken = take(a_work_item("dnl_7"), "jdoe", NOW)

    assert (taken.status, taken.assignee, taken.updated_at) == (ItemStatus.TAKEN, "jdoe", NOW)


def test_an_item_taken_by_someone_else_cannot_be_taken_or_resolved() -> None:
    item = a_work_item(status="taken", assignee="asmith")

    with pytest.raises(TakenBySomeoneElse):
        take(item, "jdoe", NOW)
    with pytest.raises(TakenBySomeoneElse):
        resolve(item, "jdoe", DenialAction.WRITE_OFF, "SMALL_BALANCE", NOW)


@pytest.mark.parametrize("status", ["resolved", "resubmitted", "written_off"])
def test_a_finished_item_cannot_be_taken_or_resolved(status: str) -> None:
    item = a_work_item(status=status)

    with pytest.raises(NotWorkable):
        take(item, "jdoe", NOW)
    with pytest.raises(NotWorkable):
        resolve(item, "jdoe", DenialAction.APPEAL, None, NOW, letter="...")


@pytest.mark.parametrize("actor", ["", "j doe", "x" * 65, "<script>"])
def test_an_actor_must_be_a_user_name(actor: str) -> None:
    with pytest.raises(InvalidRequest):
        take(a_work_item(), actor, NOW)


def test_a_write_off_carries_its_reason_code_in_the_worked_event() -> None:
    done = resolve(a_work_item("dnl_9", amount="75.00"), "jdoe", DenialAction.WRITE_OFF, "APPEAL_UPHELD", NOW)

    assert (done.item.status, done.item.resolution, done.item.reason) == (
        ItemStatus.RESOLVED, DenialAction.WRITE_OFF, "APPEAL_UPHELD")
    assert (done.worked.action, done.worked.reason, done.worked.by_person, done.worked.amount) == (
        DenialAction.WRITE_OFF, "APPEAL_UPHELD", True, Decimal("75.00"))
    assert done.worked.appeal_deadline is None and done.resubmit is None


@pytest.mark.parametrize("reason", [None, "patient said so", "timely_filing"])
def test_a_write_off_without_a_listed_reason_code_is_refused(reason: str | None) -> None:
    with pytest.raises(InvalidRequest, match="needs a reason"):
        resolve(a_work_item(), "jdoe", DenialAction.WRITE_OFF, reason, NOW)


def test_every_listed_write_off_reason_is_accepted() -> None:
    for reason in WriteOffReason:
        assert resolve(a_work_item(), "jdoe", DenialAction.WRITE_OFF, reason.value, NOW).item.reason == reason


def test_a_reason_on_an_appeal_or_a_resubmission_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="only given with a write-off"):
        resolve(a_work_item(), "jdoe", DenialAction.RESUBMIT, "SMALL_BALANCE", NOW)


def test_a_resubmission_asks_for_a_corrected_claim_with_the_payer_claim_number() -> None:
    item = a_work_item(category="MISSING_INFORMATION", carcs=("CO-16",))

    done = resolve(item, "jdoe", DenialAction.RESUBMIT, None, NOW)

    assert done.resubmit is not None
    assert (done.resubmit.claim_id, done.resubmit.payer_claim_number, done.resubmit.corrections) == (
        item.claim_id, "PCN-0001", ("MISSING_INFORMATION",))
    assert done.worked.action is DenialAction.RESUBMIT


def test_a_partial_denial_cannot_be_replaced_by_a_corrected_claim() -> None:
    with pytest.raises(InvalidRequest, match="replaces the whole claim"):
        resolve(a_work_item(whole_claim=False), "jdoe", DenialAction.RESUBMIT, None, NOW)


def test_an_appeal_stores_its_letter_and_carries_the_deadline() -> None:
    done = resolve(a_work_item(deadline=date(2025, 6, 30)), "jdoe", DenialAction.APPEAL, None, NOW, letter="the letter")

    assert (done.item.letter, done.worked.appeal_deadline) == ("the letter", date(2025, 6, 30))


def test_an_appeal_after_its_deadline_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="deadline 2025-04-30 has passed"):
        resolve(a_work_item(deadline=date(2025, 4, 30)), "jdoe", DenialAction.APPEAL, None, NOW, letter="late")


def test_an_open_item_can_be_resolved_without_being_taken_first() -> None:
    assert resolve(a_work_item(), "jdoe", DenialAction.WRITE_OFF, "SMALL_BALANCE", NOW).item.assignee == "jdoe"
