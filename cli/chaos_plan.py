"""What `rcm chaos` does to the platform and when: a seeded plan of faults, pure (no I/O).

A fault fires when a share of the visits has been answered by the feeds (`at`, between 0 and 1),
so a plan means the same thing on a fast or a slow machine. Kills are `kill -9` of one process,
followed by its restart; server restarts are a SIGTERM of the broker or mongod, then a start.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from cli.processes import FEED_GATEWAY, MODULES

# Every process that can be killed: the five services, the feed gateway, the dashboard, the simulator.
VICTIMS: tuple[str, ...] = (*MODULES, FEED_GATEWAY)


class FaultKind(StrEnum):
    KILL = "kill"
    BROKER_RESTART = "broker_restart"
    MONGOD_RESTART = "mongod_restart"


@dataclass(frozen=True, slots=True)
class Fault:
    at: float  # share of the visits answered when it fires
    kind: FaultKind
    process: str | None = None  # the victim of a kill

    @property
    def label(self) -> str:
        return f"kill -9 {self.process}" if self.kind is FaultKind.KILL else self.kind.value.replace("_", " ")


def plan(seed: int, *, kills: int, broker_restarts: int, mongod_restarts: int,
         victims: tuple[str, ...] = VICTIMS, window: tuple[float, float] = (0.05, 0.9)) -> list[Fault]:
    """The faults of a run, in firing order. Every victim is killed once before any is killed twice,
    in a seeded order, so a run of 8 or more kills reaches every process."""
    if kills < 0 or broker_restarts < 0 or mongod_restarts < 0:
        raise ValueError("fault counts cannot be negative")
    draws = random.Random(f"{seed}|chaos")
    low, high = window
    order: list[str] = []
    while len(order) < kills:
        round_ = list(victims)
        draws.shuffle(round_)
        order.extend(round_)
    faults = [Fault(draws.uniform(low, high), FaultKind.KILL, name) for name in order[:kills]]
    faults += [Fault(draws.uniform(low, high), FaultKind.BROKER_RESTART) for _ in range(broker_restarts)]
    faults += [Fault(draws.uniform(low, high), FaultKind.MONGOD_RESTART) for _ in range(mongod_restarts)]
    return sorted(faults, key=lambda fault: fault.at)
