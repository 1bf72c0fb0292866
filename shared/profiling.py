"""Profiling one process in place: with RCM_PROFILE=cprofile a service runs under cProfile and
writes `<RCM_PROFILE_DIR>/<instance>.prof` when it stops cleanly (SIGTERM). Read it with
`python -m pstats FILE` or `rcm bench --profile <process>`, which prints the top entries.

Times are CPU time of the process (time.process_time), not wall time. cProfile costs the
profiled process about as much CPU again as it uses: read shares, not absolute times."""

from __future__ import annotations

import cProfile
import pstats
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
PROFILERS = ("cprofile",)
IDLE = ("<method 'poll' of 'select.epoll' objects>", "<method 'select' of 'select.epoll' objects>")


class Profiler:
    """cProfile over one process: `run(serve)` serves, and once it returns (or raises) writes the
    statistics to `directory/name.prof`. Profiling starts at `start()` (a service calls it once its
    start-up, code sets and indexes, is done) or, if nothing calls it, with `run`."""

    def __init__(self, kind: str, directory: Path, name: str) -> None:
        if kind not in PROFILERS:
            raise ValueError(f"RCM_PROFILE must be one of {', '.join(PROFILERS)}")
        self.path = directory / f"{name}.prof"
        # CPU time, not wall time: on a busy machine a process waits for a core inside any call
        # (a socket send that wakes its peer most of all), and wall time would charge that wait.
        self._profile = cProfile.Profile(time.process_time)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._profile.enable()

    async def start_when_prepared(self, _database=None) -> None:
        """`start`, as a service's on_prepare step."""
        self.start()

    def run(self, serve: Callable[[], T], *, from_start: bool = False) -> T:
        # uvicorn handles SIGTERM itself and, once it has shut down, raises it again with the handler
        # it found: with the default one the process would die before the statistics are written.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        if from_start:
            self.start()
        try:
            return serve()
        finally:
            self._profile.disable()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._profile.dump_stats(str(self.path))


def profiler_from_settings(kind: str | None, directory: str | Path, name: str) -> Profiler | None:
    """The profiler RCM_PROFILE asks for, or None (the default: no profiling)."""
    return Profiler(kind, Path(directory), name) if kind else None


def _exit_cleanly(signum: int, _frame) -> None:
    raise SystemExit(0)


def top_entries(path: Path, count: int = 20, sort: str = "tottime") -> list[dict]:
    """The `count` functions of a .prof file with the most `sort` time ("tottime": own time,
    "cumtime": with what they call), as rows; `share` is of the process's busy time (the event
    loop's wait in epoll left out), `cum_share` the same for the time with callees."""
    stats = pstats.Stats(str(path))
    entries = stats.stats.items()  # type: ignore[attr-defined]
    # Time blocked in the event loop's poll is waiting, not work: shares are of the rest.
    idle = sum(tottime for (_f, _l, function), (_c, _n, tottime, _cum, _callers) in entries if function in IDLE)
    total = max(stats.total_tt - idle, 1e-9)
    rows = []
    for (filename, line, function), (_calls, ncalls, tottime, cumtime, _callers) in entries:
        if function in IDLE:
            continue
        rows.append({"function": f"{_short(filename)}:{line}({function})", "calls": ncalls,
                     "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3),
                     "share": round(tottime / total, 3), "cum_share": round(min(cumtime / total, 1.0), 3)})
    rows.sort(key=lambda row: -row[f"{sort}_s"])
    return rows[:count]


_PROJECT_ROOT = str(Path(__file__).resolve().parents[1]) + "/"


def _short(filename: str) -> str:
    """A path from the project's root or site-packages down, so lines stay readable."""
    if filename.startswith(_PROJECT_ROOT):
        return filename[len(_PROJECT_ROOT):]
    for marker in ("site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    parts = Path(filename).parts
    return "/".join(parts[-2:]) if len(parts) > 1 else filename
