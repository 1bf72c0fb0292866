"""`rcm chaos`: an operator's bad day on a fresh local stack, and whether anything was lost or doubled.

Every process runs as in `rcm demo` (five services, the feed gateway, the dashboard, the simulator).
Visits go through the EHR feeds while a seeded plan (`cli/chaos_plan.py`) kills processes with
`kill -9` and restarts them, and stops the broker and mongod (SIGTERM) and starts them again. Visits
a feed never answered are sent again, as an EHR would. Then the run waits until every delivered
encounter is terminal, or the deadline, and checks the services' databases (`cli/chaos_checks.py`).
One JSON line says what happened; the exit code is non-zero if anything is stuck, doubled or unequal.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pymongo.errors import PyMongoError

from cli import chaos_checks as checks
from cli.chaos_plan import Fault, FaultKind, plan
from cli.cycle import Cycle, Feeds
from cli.processes import FEED_GATEWAY, GATEWAY_ENVIRONMENT, MODULES, RUN_DEADLINES, Fleet
from cli.stack import Stack, StackSettings
from dashboard.kpis import TERMINAL_STAGES
from shared.settings import ServiceSettings
from simulator.feed import ErrorRates, InjectedError
from simulator.population import build_world

PROCESSES = (*MODULES, FEED_GATEWAY)
RESEND_ROUNDS = 5


@dataclass
class ChaosOptions:
    visits: int = 5000
    kills: int = 20
    broker_restarts: int = 1
    mongod_restarts: int = 1
    seed: int = 2026
    timeout: float = 1800.0
    # "load": the broker is stopped while visits are being sent, as a real outage would come.
    # "lull": between two halves of the visits, once the first half is through (no loss expected).
    broker_restart_at: str = "load"
    stack_dir: Path = Path(".rcm/chaos")
    mongo_port: int = 27417
    kafka_port: int = 19492
    port_offset: int = 800
    partitions: int = 3
    stall_limit: float = 180.0  # give up waiting once nothing moved for this long


@dataclass
class Observations:
    """What the run saw while it ran (written from the fault thread and the event loop)."""

    faults: list[dict] = field(default_factory=list)
    restart_to_consuming: dict[str, list[float | None]] = field(default_factory=dict)
    unexpected_exits: dict[str, int] = field(default_factory=dict)
    longest_stall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def consumed_again(self, name: str, seconds: float | None) -> None:
        with self.lock:
            self.restart_to_consuming.setdefault(name, []).append(seconds)


class ChaosRun:
    def __init__(self, options: ChaosOptions) -> None:
        self.options = options
        self.stack = Stack(StackSettings(dir=options.stack_dir, mongo_port=options.mongo_port,
                                         kafka_port=options.kafka_port))
        self.settings = ServiceSettings(kafka_bootstrap=self.stack.kafka_bootstrap, mongo_uri=self.stack.mongo_uri,
                                        topic_partitions=options.partitions)
        self.world = build_world(options.seed)
        self.feeds, listeners = Feeds.on_loopback(self.world, port_offset=options.port_offset)
        self.fleet = Fleet(environment={**self.stack.environment(), "RCM_TOPIC_PARTITIONS": str(options.partitions),
                                        "RCM_REGISTRATION_VERIFY_ELIGIBILITY": "true", **RUN_DEADLINES},
                           log_dir=options.stack_dir / "logs", port_offset=options.port_offset,
                           service_environment={FEED_GATEWAY: {**listeners, **GATEWAY_ENVIRONMENT}})
        self.seen = Observations()
        self._fleet_lock = threading.Lock()  # the fault thread and the supervisor both start processes
        self._draws = random.Random(f"{options.seed}|chaos-pauses")
        self._started = time.monotonic()

    # --- the stack and the processes ----------------------------------------------------------

    def start(self) -> None:
        self.stack.down()
        shutil.rmtree(self.options.stack_dir, ignore_errors=True)
        self.stack.up()
        # Coding reads ICD-10-CM and builds its suggestion index before it answers: on a busy machine
        # that alone can take a minute.
        self.fleet.start_all(PROCESSES, timeout=180.0)

    def stop(self) -> None:
        with self._fleet_lock:
            self.fleet.stop_all()
        self.stack.down()

    def _elapsed(self) -> float:
        return round(time.monotonic() - self._started, 1)

    def _fire(self, fault: Fault) -> None:
        """Run one fault to its end (the victim or server back); measurements go on in threads."""
        record = {"fault": fault.label, "at_s": self._elapsed()}
        if fault.kind is FaultKind.KILL:
            with self._fleet_lock:
                self.fleet.kill(fault.process)
                restarted = time.monotonic()
                self.fleet.start(fault.process)
            self._measure(fault.process, since=restarted)
        else:
            baselines = {name: checks.consumed(self.fleet.port(name)) or 0.0 for name in MODULES}
            stop, start = ((self.stack.stop_kafka, self.stack.start_kafka) if fault.kind is FaultKind.BROKER_RESTART
                           else (self.stack.stop_mongo, self.stack.start_mongo))
            stop()
            time.sleep(self._draws.uniform(0.5, 2.0))
            start()
            back = time.monotonic()
            for name in MODULES:
                self._measure(name, since=back, baseline=baselines[name], label=f"{name} after {fault.kind.value}")
        self.seen.faults.append(record)

    def _measure(self, name: str, *, since: float, baseline: float | None = None, label: str | None = None) -> None:
        port = self.fleet.port(name)

        def ready() -> bool:
            return self.fleet.healthy(name) if name == FEED_GATEWAY else checks.joined(port)

        def watch() -> None:
            seconds = checks.wait_consuming(port, since=since, baseline=baseline, ready=ready)
            self.seen.consumed_again(label or name, seconds)
        threading.Thread(target=watch, name=f"chaos-watch-{name}", daemon=True).start()

    def _supervise(self) -> None:
        """Restart a process that exited by itself (as Kubernetes would), and count it."""
        with self._fleet_lock:
            for name, process in list(self.fleet.processes.items()):
                if process.poll() is not None:
                    self.seen.unexpected_exits[name] = self.seen.unexpected_exits.get(name, 0) + 1
                    self.fleet.processes.pop(name)
                    self.fleet.start(name)

    # --- the run ------------------------------------------------------------------------------

    async def drive(self) -> dict:
        options = self.options
        deadline = time.monotonic() + options.timeout
        cycle = Cycle(self.settings, seed=options.seed, error_rates=ErrorRates(), world=self.world)
        try:
            await cycle.load_chargemasters(f"http://127.0.0.1:{self.fleet.port('coding')}", self.fleet.issuer_url())
            visits = cycle.make_visits(options.visits)
            cycle.begin_sending(self.feeds)
            faults = plan(options.seed, kills=options.kills, broker_restarts=options.broker_restarts,
                          mongod_restarts=options.mongod_restarts)
            lull = [f for f in faults if f.kind is FaultKind.BROKER_RESTART and options.broker_restart_at == "lull"]
            during = [f for f in faults if f not in lull]
            answered = [0]
            # A resent visit (DUPLICATE_VISIT) goes after all others, as in `send_through_feeds`.
            first = [n for n, v in enumerate(visits) if v.injected is not InjectedError.DUPLICATE_VISIT]
            parts = [first[:len(first) // 2], first[len(first) // 2:]] if lull else [first]
            parts[-1] = parts[-1] + [n for n in range(len(visits)) if n not in set(first)]
            monitor = asyncio.create_task(self._monitor(cycle, deadline))
            injector = asyncio.create_task(self._inject(during, lambda: answered[0] / len(visits), deadline))
            for number, part in enumerate(parts):
                if number:
                    await self._wait_terminal(cycle, deadline)
                    for fault in lull:
                        await asyncio.to_thread(self._fire, fault)
                await cycle.send_part(part, on_sent=lambda k: answered.__setitem__(0, answered[0] + k))
            await injector
            for _ in range(RESEND_ROUNDS):
                again = cycle.unanswered()
                if not again or time.monotonic() > deadline:
                    break
                await asyncio.sleep(2.0)
                await cycle.send_part(again)
            progress = await self._wait_terminal(cycle, deadline)
            monitor.cancel()
            await asyncio.sleep(3.0)  # let the last restart measurements finish
            return await self._summary(cycle, progress)
        finally:
            await cycle.close()

    async def _inject(self, faults: list[Fault], share_answered, deadline: float) -> None:
        for fault in faults:
            while share_answered() < fault.at and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.to_thread(self._fire, fault)

    async def _monitor(self, cycle: Cycle, deadline: float) -> None:
        """The longest time nothing moved while encounters were not terminal, and the supervisor."""
        last, changed = None, time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.to_thread(self._supervise)
            try:
                progress = await cycle.progress()
            except PyMongoError:
                progress = None  # mongod is being restarted: time goes on counting as a stall
            if progress is not None and (progress.registered, progress.by_stage) != last:
                last, changed = (progress.registered, progress.by_stage), time.monotonic()
            elif progress is not None and progress.terminal < progress.sent:
                self.seen.longest_stall = max(self.seen.longest_stall, time.monotonic() - changed)
            await asyncio.sleep(0.5)

    async def _wait_terminal(self, cycle: Cycle, deadline: float):
        """Until every delivered encounter is terminal (for 2 s), nothing moved for `stall_limit`, or the deadline."""
        done_since, last, changed = None, None, time.monotonic()
        while True:
            try:
                progress = await cycle.progress()
            except PyMongoError:
                await asyncio.sleep(0.5)
                continue
            now = time.monotonic()
            if (progress.registered, progress.by_stage) != last:
                last, changed = (progress.registered, progress.by_stage), now
            if progress.terminal >= progress.sent:
                done_since = done_since or now
                if now - done_since >= 2.0:
                    return progress
            else:
                done_since = None
            if now > deadline or now - changed > self.options.stall_limit:
                return progress
            await asyncio.sleep(0.5)

    async def _summary(self, cycle: Cycle, progress) -> dict:
        for attempt in range(3):  # a busy machine can keep mongod from answering within one selection
            try:
                money = await cycle.reconcile()
                break
            except PyMongoError:
                if attempt == 2:
                    raise
                await asyncio.sleep(5.0)
        reconciled, counters = checks.reconciled({name: self.fleet.port(name) for name in MODULES})
        not_terminal = {stage: n for stage, n in progress.by_stage.items() if stage not in TERMINAL_STAGES}
        if progress.sent > progress.registered:  # accepted by a feed, never seen by the read model
            not_terminal["not_in_read_model"] = progress.sent - progress.registered
        restarts = {name: (max(s for s in values if s is not None) if any(s is not None for s in values) else None)
                    for name, values in sorted(self.seen.restart_to_consuming.items())}
        summary = {
            "seed": self.options.seed, "visits_sent": len(cycle.visits), "delivered": progress.sent,
            "refused_by_feeds": len(cycle.visits) - progress.sent - len(cycle.unanswered()),
            "never_answered": len(cycle.unanswered()), "terminal": progress.terminal,
            "not_terminal": progress.sent - progress.terminal, "not_terminal_by_stage": dict(sorted(not_terminal.items())),
            "duplicate_claims": await checks.duplicate_claims(cycle),
            "duplicate_postings": await checks.duplicate_postings(cycle),
            "posted_minus_paid": f"{money['posted_minus_paid']:.2f}",
            "dead_letters": await checks.dead_letters(self.settings),
            "kills": sum(1 for f in self.seen.faults if f["fault"].startswith("kill")),
            "faults": self.seen.faults,
            "restart_to_consuming_s": restarts,
            "restarts_not_consuming_within_60s": sorted(n for n, values in self.seen.restart_to_consuming.items()
                                                        if None in values),
            "unexpected_exits": self.seen.unexpected_exits,
            "longest_stall_s": round(self.seen.longest_stall, 1),
            "events_reconciled": reconciled,
            "events_reconciled_from": counters or "no reconciler metric exposed by these processes",
            "broker_restart_at": self.options.broker_restart_at,
            "elapsed_s": self._elapsed(),
        }
        summary["ok"] = (summary["not_terminal"] == 0 and summary["duplicate_claims"] == 0
                         and summary["duplicate_postings"] == 0 and money["posted_minus_paid"] == 0
                         and summary["never_answered"] == 0)
        return summary


def run(options: ChaosOptions) -> dict:
    from cli.demo import _stop_on_sigterm

    _stop_on_sigterm()
    runner = ChaosRun(options)
    try:
        runner.start()
        return asyncio.run(runner.drive())
    finally:
        runner.stop()


def append_line(summary: dict, path: Path) -> None:
    with path.open("a") as lines:
        lines.write(json.dumps(summary, sort_keys=False) + "\n")
