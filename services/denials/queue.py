"""The denial work queue: items, their order, and what a person does with one (take, resolve).

Pure values and functions: "now" and "today" come in as arguments. The repository stores items and
commits each change with its events (worked, resubmit request) and its audit record in one
transaction (shared/actions.py).

Priority (document of record, also in README.md): an item's score is its denied amount divided by
the days left before the payer's appeal deadline, at least 1:

    score = amount / max(days_left, 1)        days_left = appeal_deadline - today

so $1,000 due in 10 days (100/day) comes before $3,000 due in 60 days (50/day), and anything due
today or overdue counts its whole amount. Ties go to the nearer deadline, then the denial id, so the
order is the same on every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from services.denials.categories import DenialCategory
from services.denials.domain import DenialsError
from shared.events import ClaimResubmitRequested, DenialAction, DenialWorked

SUBJECT_TYPE: Final = "DENIAL_WORK_ITEM"
SCORE_PLACES: Final = Decimal("0.01")  # how a score is shown; the order uses it unrounded
_ACTOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class ItemStatus(StrEnum):
    OPEN = "open"  # waiting for a person
    TAKEN = "taken"  # a person is on it
    RESOLVED = "resolved"  # a person resubmitted, appealed or wrote it off
    RESUBMITTED = "resubmitted"  # the rules asked for a corrected claim; nobody needs to look
    WRITTEN_OFF = "written_off"  # the rules wrote it off; nobody needs to look


class WriteOffReason(StrEnum):
    """Why a balance is written off: codes, so no free text (which could hold PHI) is ever stored."""

    TIMELY_FILING = "TIMELY_FILING"
    DUPLICATE = "DUPLICATE"
    NON_COVERED = "NON_COVERED"
    ELIGIBILITY = "ELIGIBILITY"
    APPEAL_DEADLINE_PASSED = "APPEAL_DEADLINE_PASSED"
    APPEAL_UPHELD = "APPEAL_UPHELD"  # the payer kept its denial on appeal
    SMALL_BALANCE = "SMALL_BALANCE"
    PAID_ELSEWHERE = "PAID_ELSEWHERE"


class QueueError(DenialsError):
    """A take or resolve that the item's state or the request does not allow."""

    code = "QUEUE_ERROR"


class NotWorkable(QueueError):
    code = "NOT_WORKABLE"


class TakenBySomeoneElse(QueueError):
    code = "TAKEN_BY_SOMEONE_ELSE"


class InvalidRequest(QueueError):
    code = "INVALID_REQUEST"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One denial in the queue. Ids, codes, dates and amounts only: no PHI."""

    denial_id: str
    tenant_id: str
    claim_id: str
    encounter_id: str
    payer_id: str
    payer_claim_number: str
    category: DenialCategory
    action: DenialAction  # what the rules decided
    deciding_carc: str
    carc_known: bool  # False: the deciding CARC has no rule, so the item fell into OTHER
    carcs: tuple[str, ...]  # "CO-16": group and code, as the payer sent them
    rarcs: tuple[str, ...]
    whole_claim: bool
    amount: Decimal  # denied
    billed: Decimal | None
    procedure_codes: tuple[str, ...]
    rendering_npi: str | None
    date_of_service: date
    payment_date: date  # the day the payer told us: the denial's age counts from it
    appeal_deadline: date
    status: ItemStatus
    assignee: str | None = None
    resolution: DenialAction | None = None
    reason: str | None = None
    letter: str | None = None
    updated_at: datetime | None = None

    def age_days(self, today: date) -> int:
        """Days since the denial (the remittance's payment date)."""
        return (today - self.payment_date).days

    def days_left(self, today: date) -> int:
        """Days until the appeal deadline; negative once it has passed."""
        return (self.appeal_deadline - today).days

    def score(self, today: date) -> Decimal:
        """Amount at stake per day left before the appeal deadline (see the module docstring)."""
        return self.amount / max(self.days_left(today), 1)


def queue_order(items: Iterable[WorkItem], today: date) -> list[WorkItem]:
    """Return `items` in the order to work them: highest score first, then the nearer deadline,
    then the denial id."""
    return sorted(items, key=lambda item: (-item.score(today), item.appeal_deadline, item.denial_id))


def appeal_deadline(payment_date: date, payer_id: str, windows: dict[str, int] | None, default_days: int) -> date:
    """The payer's appeal deadline: its window from `windows` (data), else `default_days`, counted
    from the payment date."""
    days = (windows or {}).get(payer_id, default_days)
    return payment_date + timedelta(days=days)


def _check_actor(actor: str) -> None:
    if not _ACTOR.match(actor or ""):
        raise InvalidRequest("actor must be a user name: letters, digits and . _ @ - (at most 64)")


def take(item: WorkItem, actor: str, now: datetime) -> WorkItem:
    """Assign an open item to `actor`. Taking an item one already holds changes nothing (the API
    audits it again). Raises NotWorkable (not open), TakenBySomeoneElse, InvalidRequest (actor)."""
    _check_actor(actor)
    if item.status is ItemStatus.TAKEN and item.assignee != actor:
        raise TakenBySomeoneElse(f"work item {item.denial_id} is taken by another user")
    if item.status not in (ItemStatus.OPEN, ItemStatus.TAKEN):
        raise NotWorkable(f"work item {item.denial_id} is {item.status} and cannot be taken")
    return replace(item, status=ItemStatus.TAKEN, assignee=actor, updated_at=now)


@dataclass(frozen=True, slots=True)
class Resolution:
    item: WorkItem
    worked: DenialWorked
    resubmit: ClaimResubmitRequested | None


def resolve(item: WorkItem, actor: str, action: DenialAction, reason: str | None, now: datetime,
            letter: str | None = None) -> Resolution:
    """Resolve an open or taken item: resubmit a corrected claim, appeal (with `letter`), or write
    off with a WriteOffReason. Returns the resolved item and its events.

    Raises InvalidRequest for a write-off without a valid reason, a reason on another action, an
    appeal without a letter or after its deadline, or a corrected claim for a partial denial (a
    replacement claim would re-adjudicate the lines already paid); NotWorkable if the item is done;
    TakenBySomeoneElse if another user holds it."""
    _check_actor(actor)
    if item.status not in (ItemStatus.OPEN, ItemStatus.TAKEN):
        raise NotWorkable(f"work item {item.denial_id} is {item.status} and cannot be resolved")
    if item.status is ItemStatus.TAKEN and item.assignee != actor:
        raise TakenBySomeoneElse(f"work item {item.denial_id} is taken by another user")
    if action is DenialAction.WRITE_OFF:
        if reason not in set(WriteOffReason):
            raise InvalidRequest("a write-off needs a reason: one of " + ", ".join(WriteOffReason))
    elif reason is not None:
        raise InvalidRequest("a reason is only given with a write-off")
    if action is DenialAction.APPEAL:
        if letter is None:
            raise InvalidRequest("an appeal needs its letter")
        if now.date() > item.appeal_deadline:
            raise InvalidRequest(f"the appeal deadline {item.appeal_deadline.isoformat()} has passed")
    if action is DenialAction.RESUBMIT and not item.whole_claim:
        raise InvalidRequest("a corrected claim replaces the whole claim; this denial covers only some lines")
    resolved = replace(item, status=ItemStatus.RESOLVED, assignee=actor, resolution=action, reason=reason,
                       letter=letter if action is DenialAction.APPEAL else item.letter, updated_at=now)
    worked = DenialWorked(
        denial_id=item.denial_id, claim_id=item.claim_id, encounter_id=item.encounter_id,
        category=item.category.value, action=action, amount=item.amount,
        appeal_deadline=item.appeal_deadline if action is DenialAction.APPEAL else None,
        reason=reason, by_person=True)
    resubmit = None
    if action is DenialAction.RESUBMIT:
        resubmit = ClaimResubmitRequested(
            denial_id=item.denial_id, claim_id=item.claim_id, encounter_id=item.encounter_id,
            category=item.category.value, payer_claim_number=item.payer_claim_number,
            corrections=(item.category.value,))
    return Resolution(resolved, worked, resubmit)


def workable(items: Sequence[WorkItem]) -> list[WorkItem]:
    """The items a person still has to look at."""
    return [item for item in items if item.status in (ItemStatus.OPEN, ItemStatus.TAKEN)]
