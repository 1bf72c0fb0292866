"""Coding's code sets at start-up: ICD-10-CM and the suggestion index are loaded in a worker
thread while the consumers join the group, so a restarted process takes its partitions back in
seconds; each batch waits for them before it reads a code (`wait`).

The index comes from `index_cache` (a file kept between restarts) when it holds this code set's
index, else it is built and the file written. Should loading fail (a broken install), every batch
raises `CodeSetsUnavailable`, an OSError, which the consumer treats as infrastructure: the batch
is read again later and nothing is dead-lettered for it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from services.coding import index_cache
from services.coding.suggestions import SuggestionIndex, build_icd10cm_index
from shared.codes import icd10cm
from shared.logging import get_logger

log = get_logger(__name__)


class CodeSetsUnavailable(OSError):
    """The code sets could not be loaded in this process; no event is at fault."""


class CodeSets:
    """Loads ICD-10-CM and the suggestion index once, off the event loop (`start`, an on_prepare
    step); `wait` until they are there, then `index()`."""

    def __init__(self, cache_directory: Path | None) -> None:
        self._cache_directory = cache_directory
        self._loaded = threading.Event()
        self._index: SuggestionIndex | None = None
        self._failure: str | None = None
        self._task: asyncio.Task[None] | None = None

    def load(self) -> None:
        """Load both now, in this thread (blocks for seconds on a cold start)."""
        started = time.perf_counter()
        try:
            icd10cm.load()
            self._index = index_cache.load_or_build(self._cache_directory, build_icd10cm_index)
            log.info("code sets loaded", codes=len(self._index), seconds=round(time.perf_counter() - started, 2))
        except Exception as failure:  # noqa: BLE001 - reported to every batch through wait()
            self._failure = type(failure).__name__
            log.error("code sets failed to load", error=self._failure)
        finally:
            self._loaded.set()

    async def start(self, _database=None) -> None:
        """Begin loading in a worker thread and return at once."""
        if self._task is None:
            self._task = asyncio.create_task(asyncio.to_thread(self.load))

    async def stop(self) -> None:
        """Let a load still under way finish (a thread cannot be cancelled)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def wait(self) -> None:
        """Return once the code sets are loaded; raise CodeSetsUnavailable if loading failed."""
        if not self._loaded.is_set():
            if self._task is None:
                await self.start()
            assert self._task is not None
            await asyncio.shield(self._task)
        if self._failure is not None:
            raise CodeSetsUnavailable(f"code sets failed to load ({self._failure})")

    def index(self) -> SuggestionIndex:
        """The suggestion index; waits in this (worker) thread if it is still loading."""
        self._loaded.wait()
        if self._index is None:
            raise CodeSetsUnavailable(f"code sets failed to load ({self._failure})")
        return self._index
