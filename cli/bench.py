"""`rcm bench`'s parts beside the run itself: the raw broker rate on the same stack, to put the
end-to-end figure in proportion, and the cost of an encounter (CPU per process, events per topic)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from cli.cost import (
    DRIVER, CpuMeter, end_offsets, events_per_encounter, less_idle, mongo_counters, per_encounter, per_encounter_ms,
)
from shared.profiling import top_entries


async def broker_rate(bootstrap: str, *, messages: int = 20_000, size: int = 1024) -> dict:
    """Produce `messages` records of `size` bytes (idempotent producer, batched), then consume
    them with one consumer; return both rates in messages per second."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    payload = os.urandom(size // 2).hex().encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5,
                                max_batch_size=1 << 20)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = []
        for index in range(messages):
            pending.append(await producer.send(topic, payload, key=str(index % 64).encode()))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        produce_seconds = time.perf_counter() - started
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=8 << 20)
    await consumer.start()
    try:
        started = time.perf_counter()
        seen = 0
        while seen < messages:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(records) for records in batch.values())
        consume_seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return {"broker_produce_msgs_per_s": round(messages / produce_seconds),
            "broker_consume_msgs_per_s": round(messages / consume_seconds), "broker_message_bytes": size}


class CostWindow:
    """CPU per process, events per topic and mongod's work over the bench's measured window (see
    cli/cost.py); then, with every encounter done, the CPU the idle fleet burns for `idle_seconds`
    (consumers polling, the dashboard's KPI refresh), to tell the cost of the encounters from the
    cost of the time they took."""

    def __init__(self, run, idle_seconds: float = 5.0) -> None:
        self._run = run
        self._idle_seconds = idle_seconds
        self._offsets: dict[str, int] = {}
        self._mongo: dict[str, int] = {}
        self._started = 0.0
        self.meter: CpuMeter | None = None
        self.figures: dict = {}

    async def begin(self) -> None:
        roots = {name: process.pid for name, process in self._run.fleet.processes.items()}
        self.meter = CpuMeter({**roots, **self._run.stack.pids()})
        self._offsets = await end_offsets(self._run.stack.kafka_bootstrap)
        self._mongo = await mongo_counters(self._run.stack.mongo_uri)
        self._started = time.perf_counter()
        self.meter.begin()

    async def end(self, encounters: int) -> None:
        seconds = self.meter.end()
        window = time.perf_counter() - self._started
        after = await end_offsets(self._run.stack.kafka_bootstrap)
        mongo = await mongo_counters(self._run.stack.mongo_uri)
        idle = await self._idle_cores()
        self.figures = {"cpu_seconds": dict(sorted(seconds.items(), key=lambda item: -item[1])),
                        "cpu_ms_per_encounter": per_encounter_ms(seconds, encounters),
                        "idle_cpu_cores": {"total": round(sum(idle.values()), 3), **idle},
                        "cpu_ms_per_encounter_less_idle": per_encounter_ms(less_idle(seconds, idle, window), encounters),
                        "events_per_encounter": events_per_encounter(self._offsets, after, encounters),
                        "mongo_per_encounter": per_encounter(self._mongo, mongo, encounters)}

    async def _idle_cores(self) -> dict[str, float]:
        if self._idle_seconds <= 0:
            return {}
        meter = CpuMeter(dict(self.meter.roots))
        meter.begin()
        started = time.perf_counter()
        await asyncio.sleep(self._idle_seconds)
        seconds = meter.end()
        elapsed = time.perf_counter() - started
        return {name: round(value / elapsed, 3) for name, value in seconds.items() if name != DRIVER}


PROJECT_PACKAGES = ("shared/", "services/", "dashboard/", "simulator/", "cli/")


def print_profiles(directory: Path, names, count: int = 25, out=sys.stderr) -> None:
    """For each profiled process's .prof file (named by instance): the functions with the most own
    time, then the project's own functions with the most time including what they call."""
    for name in names:
        path = directory / f"{name}.prof"
        if not path.exists():
            print(f"no profile {path}", file=out)
            continue
        print(f"--- {path}: top {count} by own CPU time (share of busy time, own s, with callees s, calls)", file=out)
        for row in top_entries(path, count):
            print(_profile_line(row), file=out)
        print(f"--- {name}: the project's functions, top {count} by CPU time with callees", file=out)
        ours = [row for row in top_entries(path, 100_000, sort="cumtime")
                if row["function"].startswith(PROJECT_PACKAGES)]
        for row in ours[:count]:
            print(_profile_line(row, share_of="cumtime"), file=out)


def _profile_line(row: dict, share_of: str = "tottime") -> str:
    return (f"{row['share' if share_of == 'tottime' else 'cum_share']:6.1%} {row['tottime_s']:9.3f}s "
            f"{row['cumtime_s']:9.3f}s {row['calls']:>9} {row['function']}")
