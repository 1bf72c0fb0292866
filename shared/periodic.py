"""A background pass repeated every few seconds until the process stops: the reconciler, the
eligibility retrier and the simulator's late answers each run one. A pass that fails is logged by
the exception's type only (no values, no PHI) and the next pass tries again; nothing is lost,
because what a pass works on stays in MongoDB until a pass commits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from shared.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(self, name: str, interval_seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        self._name = name
        self._interval = interval_seconds
        self._work = work
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._work()
            except Exception as failure:  # noqa: BLE001 - the work waits in MongoDB for the next pass
                log.warning("periodic pass failed, will retry", task=self._name, error=type(failure).__name__)
