"""Interchange, group and transaction set control numbers: unique per sender, persisted.

A receiver rejects an interchange whose ISA13 it has seen before from the same sender (a duplicate),
so numbers must survive restarts: the lead's Mongo-backed implementation keeps one counter document
per sender and kind and takes the next number with an atomic `find_one_and_update($inc)`.
"""

from __future__ import annotations

import threading
from typing import Protocol

MAX_CONTROL_NUMBER = 999_999_999  # nine digits (ISA13 is exactly nine, GS06 and ST02 at most nine)


class ControlNumbers(Protocol):
    """Source of control numbers. Each call returns a number never returned before for that sender
    and kind (until the nine-digit range wraps around to 1)."""

    def next_interchange(self, sender_id: str) -> int:
        """ISA13 for the next interchange from `sender_id` (the ISA06 value)."""
        ...

    def next_group(self, sender_id: str) -> int:
        """GS06 for the next functional group from `sender_id`."""
        ...

    def next_transaction_set(self, sender_id: str) -> int:
        """ST02 for the next transaction set from `sender_id`."""
        ...


class InMemoryControlNumbers:
    """ControlNumbers for tests and one-off files: counters in a dict, lost when the process ends."""

    def __init__(self, start: int = 1) -> None:
        if not 1 <= start <= MAX_CONTROL_NUMBER:
            raise ValueError("control numbers run from 1 to 999999999")
        self._start = start
        self._last: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def _next(self, kind: str, sender_id: str) -> int:
        with self._lock:
            previous = self._last.get((kind, sender_id), self._start - 1)
            number = previous + 1 if previous < MAX_CONTROL_NUMBER else 1
            self._last[(kind, sender_id)] = number
            return number

    def next_interchange(self, sender_id: str) -> int:
        return self._next("interchange", sender_id)

    def next_group(self, sender_id: str) -> int:
        return self._next("group", sender_id)

    def next_transaction_set(self, sender_id: str) -> int:
        return self._next("transaction_set", sender_id)
