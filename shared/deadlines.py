"""Deadlines on work in flight: what a service keeps track of after it hands work on, when that
work is late, and what the owner does then. Declarations and pure decisions only; the journal and
the periodic pass that act on them are in shared/reconciler.py.

A broker can lose a record it acknowledged (the local broker does on a restart under load, Kafka
rarely). Each hand-off is therefore written down in the same transaction as the event that makes
it (the `handoffs` collection), and stays there until the owner sees the work move on: the
downstream event that closes it (read by the owner), or the owner's own state (claims sees its
claims acknowledged). Past its deadline, the owner acts:

- re-emit: publish the same envelope again (same event_id). A consumer that saw it drops the copy
  by its inbox; one that did not handles it now.
- re-send: the same content under a new event id, for a partner whose answer may be what was lost:
  the partner answers a batch it already answered from its record, with the same answers.
- announce: for a read model that never answers, publish the last version again a fixed number of
  times; projections keep the newest version, and the inbox drops what was seen.

What does not heal after the last attempt becomes a stalled work item (`stalled_work`), counted
by stage in `rcm_stalled_work` and closed when the work moves on after all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel

from shared.topics import Topic


class Action(StrEnum):
    RE_EMIT = "re-emitted"
    RE_SEND = "re-sent"
    ANNOUNCE = "announced"


WORK_ITEM = "work-item"
MAX_BACKOFF_FACTOR = 16  # the wait before the next attempt doubles, up to 16 deadlines


@dataclass(frozen=True)
class Closing:
    """An event the owner reads that closes the hand-offs whose key `key(payload)` names (None: it
    closes nothing, e.g. a claim status that is not an adjudication)."""

    topic: Topic
    key: Callable[[Any], str | None]


# Which of the due hand-offs (documents of `handoffs`) still wait, by _id, read from the owner's
# own state in the pass's transaction; the others have moved on and are closed.
Waiting = Callable[[Sequence[Mapping[str, Any]], Any], Awaitable[set[str]]]


@dataclass(frozen=True)
class Handoff:
    """One hand-off a service owns: the event it emits on `topic`, tracked under `stage` until
    closed; `deadline_seconds` is the default, overridden per stage by RCM_DEADLINE_SECONDS."""

    stage: str
    topic: Topic
    action: Action
    deadline_seconds: float
    closed_by: tuple[Closing, ...] = ()
    waiting: Waiting | None = None
    # The key a hand-off is tracked and closed by; None: the topic's Kafka key. A function that
    # returns None leaves that event untracked (e.g. a reversal, which moves no claim).
    key: Callable[[Any], str | None] | None = None
    # What `waiting` needs to know about the hand-off, kept beside it (ids and codes, never PHI).
    detail: Callable[[Any], dict] | None = None
    # One hand-off per key (a newer event replaces the older), or one per event.
    one_per_key: bool = True
    # Tracked by the event's correlation id (the encounter id) instead of a payload field.
    keyed_by_correlation: bool = False

    def key_of(self, payload: BaseModel) -> str | None:
        return self.key(payload) if self.key is not None else self.topic.key_of(payload)

    def reads_event(self) -> bool:
        return self.key is not None or self.detail is not None or self.keyed_by_correlation


class Step(NamedTuple):
    """What the owner does with a hand-off past its deadline."""

    action: str  # an Action value, or WORK_ITEM
    attempt: int  # attempts made once this step is done
    next_due: datetime | None  # None: the hand-off is done with (announced enough, or a work item)


def deadline_of(handoff: Handoff, overrides: Mapping[str, float]) -> timedelta:
    """The stage's deadline: the configured override, else the declared default."""
    return timedelta(seconds=float(overrides.get(handoff.stage, handoff.deadline_seconds)))


def first_due(opened_at: datetime, deadline: timedelta) -> datetime:
    return opened_at + deadline


def is_past_deadline(due_at: datetime, now: datetime) -> bool:
    return due_at <= now


def next_step(action: Action, attempts: int, *, max_attempts: int, now: datetime, deadline: timedelta) -> Step:
    """What to do with a hand-off that is past its deadline and still waiting, after `attempts`
    earlier attempts: act again with a doubling wait, or (after `max_attempts`) open a work item.
    An announcement is repeated `max_attempts` times and then simply done with."""
    attempt = attempts + 1
    wait = deadline * min(2 ** attempt, MAX_BACKOFF_FACTOR)
    if action is Action.ANNOUNCE:
        return Step(action.value, attempt, None if attempt >= max_attempts else now + wait)
    if attempts >= max_attempts:
        return Step(WORK_ITEM, attempts, None)
    return Step(action.value, attempt, now + wait)


def handoff_id(handoff: Handoff, key: str, event_id: str) -> str:
    return f"{handoff.stage}|{key}" if handoff.one_per_key else f"{handoff.stage}|{event_id}"


def stalled_reason(stage: str, attempts: int) -> str:
    """A work item's reason: the stage and the attempts made (codes, never PHI)."""
    return f"{stage}: past its deadline after {attempts} attempts"


def counted_as_stalled(handoff: Handoff) -> bool:
    """Announcements wait on nobody; only work that waits on an answer can stall."""
    return handoff.action is not Action.ANNOUNCE
