"""What an encounter costs in a bench run: CPU seconds of each process over the measured window
(from /proc/<pid>/stat, the process and all its descendants), and the events each topic carried
(from the broker's end offsets before and after the window)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
DRIVER = "bench-driver"  # this process: the simulated EHRs' MLLP and HTTP clients, and the progress polls


def _stat_fields(pid: int, proc: Path = PROC) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces), or None if gone."""
    try:
        text = (proc / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return text[text.rindex(")") + 2:].split()


def parent_of(proc: Path = PROC) -> dict[int, int]:
    """Every live process's parent pid."""
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name), proc)
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def cpu_ticks(pid: int, proc: Path = PROC) -> int:
    """utime + stime of `pid`, plus cutime + cstime (its children that ended and were waited for)."""
    fields = _stat_fields(pid, proc)
    if fields is None:
        return 0
    # After the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return sum(int(fields[i]) for i in (11, 12, 13, 14))


def tree_ticks(root: int, parents: Mapping[int, int], proc: Path = PROC) -> int:
    """CPU ticks of `root` and every live descendant of it."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += cpu_ticks(pid, proc)
        todo.extend(children.get(pid, ()))
    return total


@dataclass
class CpuMeter:
    """CPU seconds per named process tree between `begin()` and `end()`, and this process's own
    (without its children: the fleet it started is measured by name) as DRIVER."""

    roots: dict[str, int]  # name -> pid
    proc: Path = PROC
    _before: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def _sample(self) -> dict[str, int]:
        parents = parent_of(self.proc)
        own = os.times()
        return {**{name: tree_ticks(pid, parents, self.proc) for name, pid in self.roots.items()},
                DRIVER: round((own.user + own.system) * TICKS)}

    def begin(self) -> None:
        self._before = self._sample()

    def end(self) -> dict[str, float]:
        after = self._sample()
        self.seconds = {name: round((after[name] - self._before.get(name, 0)) / TICKS, 2) for name in after}
        return self.seconds


def per_encounter_ms(seconds: Mapping[str, float], encounters: int) -> dict[str, float]:
    """CPU milliseconds per encounter, per process and in total (largest first)."""
    if encounters <= 0:
        return {}
    rows = {name: round(value * 1000 / encounters, 2) for name, value in
            sorted(seconds.items(), key=lambda item: -item[1])}
    return {"total": round(sum(seconds.values()) * 1000 / encounters, 2), **rows}


def less_idle(seconds: Mapping[str, float], idle_cores: Mapping[str, float], window: float) -> dict[str, float]:
    """CPU seconds per process over a window of `window` seconds, less what the process burns in
    that time when idle (`idle_cores`, CPU seconds per second): the cost of the work itself."""
    return {name: round(max(0.0, value - idle_cores.get(name, 0.0) * window), 2) for name, value in seconds.items()}


async def end_offsets(bootstrap: str, prefix: str = "rcm.") -> dict[str, int]:
    """The sum over partitions of each topic's end offset (records ever appended), for topics named `prefix`…"""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        names = sorted(name for name in await consumer.topics() if name.startswith(prefix))
        partitions = [TopicPartition(name, p) for name in names for p in sorted(consumer.partitions_for_topic(name) or ())]
        offsets = await consumer.end_offsets(partitions) if partitions else {}
    finally:
        await consumer.stop()
    totals = dict.fromkeys(names, 0)
    for partition, offset in offsets.items():
        totals[partition.topic] += offset
    return totals


def events_per_encounter(before: Mapping[str, int], after: Mapping[str, int], encounters: int) -> dict[str, float]:
    """Records appended per topic in the window, per encounter (topics that carried none left out)."""
    if encounters <= 0:
        return {}
    moved = {name: count - before.get(name, 0) for name, count in after.items()}
    rows = {name: round(count / encounters, 3) for name, count in sorted(moved.items(), key=lambda item: -item[1]) if count}
    return {"total": round(sum(moved.values()) / encounters, 3), **rows}


async def mongo_counters(uri: str) -> dict[str, int]:
    """mongod's own counters since it started: transactions committed, and operations by kind
    (each insert, update and delete counted per document; commands include every transaction's
    commit and every find/getMore is a query or getmore)."""
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        status = await client.admin.command("serverStatus")
    finally:
        await client.close()
    counters = {name: int(value) for name, value in status["opcounters"].items()}
    counters["transactions"] = int(status.get("transactions", {}).get("totalCommitted", 0))
    return counters


def per_encounter(before: Mapping[str, int], after: Mapping[str, int], encounters: int) -> dict[str, float]:
    """Growth of each counter between two readings, per encounter."""
    if encounters <= 0:
        return {}
    return {name: round((after[name] - before.get(name, 0)) / encounters, 2) for name in after}
