"""Eligibility review: encounters held because the payer did not confirm the coverage (inactive,
unknown, unreadable 271, or no answer). A person takes one, then asks the payer again (a new 270),
corrects the coverage, releases the encounter on to coding (coverage confirmed another way, e.g.
on the payer's portal), or marks the visit self-pay (nothing is billed to a payer).

Pure decisions: each returns the item as it is after the action (its `revision` moved on) and what
to emit; none saves, publishes or reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from services.registration import eligibility
from shared.errors import RcmError
from shared.events import EligibilityRequested, EncounterRegistered


class ReviewState(StrEnum):
    HELD = "held"  # waiting for a person
    VERIFYING = "verifying"  # a person asked the payer again; the 271 decides
    RELEASED = "released"  # gone on to coding
    SELF_PAY = "self_pay"  # no payer claim; the patient pays


class ReviewError(RcmError):
    code = "ELIGIBILITY_REVIEW_ERROR"


class NotHeld(ReviewError):
    code = "NOT_HELD"


class TakenBySomeoneElse(ReviewError):
    code = "TAKEN_BY_SOMEONE_ELSE"


class NotTaken(ReviewError):
    code = "NOT_TAKEN"


class StaleRevision(ReviewError):
    code = "STALE_REVISION"


class InvalidCoverage(ReviewError):
    code = "INVALID_COVERAGE"


@dataclass(frozen=True, slots=True)
class HeldEncounter:
    encounter_id: str
    tenant_id: str
    state: ReviewState
    reason_code: str
    assignee: str | None = None
    revision: int = 0


class CoverageChange(BaseModel):
    """New primary coverage facts a person found (member id and group are PHI: never logged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    payer_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,15}$")] | None = None
    payer_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    member_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,80}$")] | None = None
    group_number: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None


def check_revision(item: HeldEncounter, seen: int | None) -> None:
    if seen is not None and seen != item.revision:
        raise StaleRevision(f"encounter {item.encounter_id} changed since revision {seen}; it is at {item.revision}")


def _held_by(item: HeldEncounter, actor: str) -> None:
    if item.state is not ReviewState.HELD:
        raise NotHeld(f"encounter {item.encounter_id} is {item.state}; nothing to review")
    if item.assignee is None:
        raise NotTaken(f"encounter {item.encounter_id} must be taken before it is worked")
    if item.assignee != actor:
        raise TakenBySomeoneElse(f"encounter {item.encounter_id} is being worked by someone else")


def _next(item: HeldEncounter, **changes) -> HeldEncounter:
    return replace(item, revision=item.revision + 1, **changes)


def take(item: HeldEncounter, actor: str) -> HeldEncounter:
    if item.state is not ReviewState.HELD:
        raise NotHeld(f"encounter {item.encounter_id} is {item.state}; nothing to review")
    if item.assignee == actor:
        return item
    if item.assignee is not None:
        raise TakenBySomeoneElse(f"encounter {item.encounter_id} is being worked by someone else")
    return _next(item, assignee=actor)


def unassign(item: HeldEncounter, actor: str, *, may_unassign_others: bool = False) -> HeldEncounter:
    if item.assignee is None:
        return item
    if item.assignee != actor and not may_unassign_others:
        raise TakenBySomeoneElse(f"encounter {item.encounter_id} is being worked by someone else")
    return _next(item, assignee=None)


def update_coverage(item: HeldEncounter, actor: str, encounter: EncounterRegistered,
                    change: CoverageChange) -> tuple[HeldEncounter, EncounterRegistered]:
    """The encounter with its primary coverage corrected; it stays held until re-verified."""
    _held_by(item, actor)
    updates = {key: value for key, value in change.model_dump().items() if value is not None}
    primary = encounter.coverages[0]
    if not updates or all(getattr(primary, key) == value for key, value in updates.items()):
        raise InvalidCoverage(f"the change leaves encounter {item.encounter_id}'s coverage as it was")
    coverage = primary.model_copy(update=updates)
    return _next(item), encounter.model_copy(update={"coverages": (coverage, *encounter.coverages[1:])})


def reverify(item: HeldEncounter, actor: str, encounter: EncounterRegistered, *, inquiry_id: str,
             now: datetime) -> tuple[HeldEncounter, EligibilityRequested]:
    """Ask the payer again: a new 270 for the (possibly corrected) primary coverage."""
    _held_by(item, actor)
    request = EligibilityRequested(inquiry_id=inquiry_id, encounter_id=encounter.encounter_id,
                                   payer_id=encounter.coverages[0].payer_id, attempt=1,
                                   x12=eligibility.inquiry_270(encounter, inquiry_id, now))
    return _next(item, state=ReviewState.VERIFYING), request


def release(item: HeldEncounter, actor: str) -> HeldEncounter:
    """The person confirmed the coverage another way: the encounter goes on to coding."""
    _held_by(item, actor)
    return _next(item, state=ReviewState.RELEASED, assignee=None)


def self_pay(item: HeldEncounter, actor: str) -> HeldEncounter:
    """No payer is billed for the visit; the patient pays."""
    _held_by(item, actor)
    return _next(item, state=ReviewState.SELF_PAY, assignee=None)
