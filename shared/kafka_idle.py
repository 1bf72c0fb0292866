"""Idle back-off for aiokafka's fetcher.

aiokafka sends the next fetch as soon as one returns. A broker that honours fetch.max.wait.ms
holds an empty fetch for up to that long, so an idle consumer costs nothing. The local broker
(noida-db 0.2.3) answers an empty fetch at once, so an idle consumer spins: we measured about 92 %
of a core for one consumer, and the services' 16 consumers starved the two cores. After a fetch
that brought no records, we now wait before the next one: `seconds` after the first empty fetch,
doubling with each further empty fetch in a row up to `max_seconds`, and back to no wait as soon
as a fetch brings records. A busy topic is read as before; a topic that has been quiet for a while
costs one fetch per `max_seconds` (a process has a consumer per subscriber, most of them quiet at
any moment), and its next record waits at most `max_seconds`. On real Kafka it adds at most that
after a long-poll that already waited.
"""

from __future__ import annotations

import asyncio

from aiokafka.consumer import fetcher

_original = fetcher.Fetcher._proc_fetch_request
_idle_seconds = 0.0
_idle_max_seconds = 0.0
_STREAK = "_rcm_empty_fetches"  # per Fetcher: empty fetches in a row


def idle_wait(empty_in_a_row: int, seconds: float, max_seconds: float) -> float:
    """How long to wait after the `empty_in_a_row`-th empty fetch in a row (0 after one with records)."""
    if empty_in_a_row <= 0 or seconds <= 0:
        return 0.0
    return min(seconds * 2 ** min(empty_in_a_row - 1, 16), max(max_seconds, seconds))


async def _fetch_with_idle_backoff(self, assignment, node_id, request):
    has_new_data = await _original(self, assignment, node_id, request)
    streak = 0 if has_new_data else getattr(self, _STREAK, 0) + 1
    setattr(self, _STREAK, streak)
    wait = idle_wait(streak, _idle_seconds, _idle_max_seconds)
    if wait > 0:
        try:
            await asyncio.sleep(wait)
        except asyncio.CancelledError:
            return False  # close() or a rebalance cancels pending fetches; the original returns quietly too
    return has_new_data


def install(seconds: float, max_seconds: float | None = None) -> None:
    """Wait `seconds` after an empty fetch, doubling up to `max_seconds` (default: `seconds`, a
    fixed wait) while fetches stay empty; 0 turns the back-off off. Idempotent."""
    global _idle_seconds, _idle_max_seconds
    _idle_seconds = seconds
    _idle_max_seconds = seconds if max_seconds is None else max_seconds
    fetcher.Fetcher._proc_fetch_request = _fetch_with_idle_backoff
