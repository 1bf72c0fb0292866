"""Control numbers that survive restarts: one counter document per sender and kind in MongoDB.

The writers are synchronous and call `ControlNumbers` once per envelope, so the Mongo access
happens before a write: `await numbers.reserve(sender, groups=1, transaction_sets=n)` takes every
number that write needs with one atomic `find_one_and_update($inc)` per kind and returns them as a
synchronous `ReservedControlNumbers` to hand to the writer:

    reserved = await numbers.reserve("TESTCLINIC", transaction_sets=sets_needed)
    text = write_837p(claims, control_numbers=reserved, ...)

A reservation that is not used up leaves a gap; receivers only refuse repeats, never gaps.
Counters only grow; the number handed out wraps from 999,999,999 to 1, like InMemoryControlNumbers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.x12.control_numbers import MAX_CONTROL_NUMBER

INTERCHANGE, GROUP, TRANSACTION_SET = "interchange", "group", "transaction_set"


class ControlNumbersExhausted(RuntimeError):
    """A writer asked for more control numbers than were reserved for it: a programming error
    (reserve more), not bad input, so it is not an X12Error."""


def wrapped(counter: int) -> int:
    """The control number for the `counter`-th number ever taken (1-based): 1 ... 999999999, 1 ..."""
    return (counter - 1) % MAX_CONTROL_NUMBER + 1


def reserved_block(last_counter: int, count: int) -> list[int]:
    """The `count` control numbers ending at counter value `last_counter` (after its $inc)."""
    return [wrapped(counter) for counter in range(last_counter - count + 1, last_counter + 1)]


class ReservedControlNumbers:
    """A synchronous ControlNumbers holding the numbers reserved for one write by one sender."""

    def __init__(
        self,
        sender_id: str,
        *,
        interchanges: Iterable[int] = (),
        groups: Iterable[int] = (),
        transaction_sets: Iterable[int] = (),
    ) -> None:
        self.sender_id = sender_id
        self._left = {
            INTERCHANGE: deque(interchanges),
            GROUP: deque(groups),
            TRANSACTION_SET: deque(transaction_sets),
        }

    def _take(self, kind: str, sender_id: str) -> int:
        if sender_id != self.sender_id:
            raise ControlNumbersExhausted(f"these control numbers were reserved for another sender ({kind})")
        left = self._left[kind]
        if not left:
            raise ControlNumbersExhausted(f"no {kind} control number left in this reservation")
        return left.popleft()

    def remaining(self, kind: str) -> int:
        return len(self._left[kind])

    def next_interchange(self, sender_id: str) -> int:
        return self._take(INTERCHANGE, sender_id)

    def next_group(self, sender_id: str) -> int:
        return self._take(GROUP, sender_id)

    def next_transaction_set(self, sender_id: str) -> int:
        return self._take(TRANSACTION_SET, sender_id)


class MongoControlNumbers:
    """Reserves control numbers from counter documents `{_id: {sender, kind}, last: n}` in
    `collection` (a pymongo AsyncCollection). Safe across processes: each reservation is one
    atomic $inc per kind, so two writers never get the same number."""

    def __init__(self, collection: Any) -> None:
        self._counters = collection

    async def _take(self, sender_id: str, kind: str, count: int) -> list[int]:
        if count <= 0:
            return []
        key = {"_id": {"sender": sender_id, "kind": kind}}
        update = {"$inc": {"last": count}}
        try:
            counter = await self._counters.find_one_and_update(
                key, update, upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:
            # Two first reservations raced to insert the counter; the other insert won, so the
            # document exists now and the retry is a plain $inc.
            counter = await self._counters.find_one_and_update(key, update, return_document=ReturnDocument.AFTER)
        return reserved_block(int(counter["last"]), count)

    async def reserve(
        self, sender_id: str, *, interchanges: int = 1, groups: int = 1, transaction_sets: int = 1
    ) -> ReservedControlNumbers:
        """Return the numbers one write from `sender_id` (ISA06) needs, taken from the counters."""
        if min(interchanges, groups, transaction_sets) < 0:
            raise ValueError("a reservation cannot be negative")
        return ReservedControlNumbers(
            sender_id,
            interchanges=await self._take(sender_id, INTERCHANGE, interchanges),
            groups=await self._take(sender_id, GROUP, groups),
            transaction_sets=await self._take(sender_id, TRANSACTION_SET, transaction_sets),
        )
