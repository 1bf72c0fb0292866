"""Idle back-off for aiokafka's fetcher.

aiokafka sends the next fetch as soon as one returns. A broker that honours fetch.max.wait.ms
holds an empty fetch for up to that long, so an idle consumer costs nothing. The local broker
(noida-db 0.2.3) answers an empty fetch at once, so an idle consumer spins: we measured about 92 %
of a core for one consumer, and the services' 16 consumers starved the two cores. After a fetch
that brought no records, we now wait `seconds` before the next one. With data flowing nothing
changes; on real Kafka it adds at most `seconds` after a long-poll that already waited.
"""

from __future__ import annotations

import asyncio

from aiokafka.consumer import fetcher

_original = fetcher.Fetcher._proc_fetch_request
_idle_seconds = 0.0


async def _fetch_with_idle_backoff(self, assignment, node_id, request):
    has_new_data = await _original(self, assignment, node_id, request)
    if not has_new_data and _idle_seconds > 0:
        try:
            await asyncio.sleep(_idle_seconds)
        except asyncio.CancelledError:
            return False  # close() or a rebalance cancels pending fetches; the original returns quietly too
    return has_new_data


def install(seconds: float) -> None:
    """Wait `seconds` after an empty fetch (0 turns the back-off off). Idempotent."""
    global _idle_seconds
    _idle_seconds = seconds
    fetcher.Fetcher._proc_fetch_request = _fetch_with_idle_backoff
