"""Benchmark of the claim scrubber (not a test; run it by hand or with `make bench`).

    python tests/bench/bench_scrubber.py --claims 10000

Builds N simulated claims (the demo's visits with its default error rates, through registration
and coding, not timed), then scrubs them all with every rule, recording each claim's services for the duplicate rule, on one
core (the process is pinned to one CPU). Prints one JSON line: claims/s from CPU time
(time.process_time, so other work on a shared machine disturbs it less) and from wall-clock time,
best of --repeat runs, and the share of claims that passed. The code sets are loaded and the
lookup caches warmed before timing, as in a running service.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.claims.scrubber import InMemoryHistory, ScrubContext, Scrubber  # noqa: E402
from services.claims.scrubber.rules import RULES  # noqa: E402
from services.claims.scrubber.rules.duplicate import billed_services  # noqa: E402
from simulator.feed import ErrorRates, registrations  # noqa: E402
from simulator.population import build_world  # noqa: E402
from tests.support.simulated_claims import simulated_claims  # noqa: E402

START = date(2026, 11, 20)


def _claims(count: int):
    world = build_world(2026)
    claims = []
    seed = 1
    while len(claims) < count:
        visits = registrations(world, count, start=START, error_rates=ErrorRates(), seed=seed)
        claims.extend(c.claim for c in simulated_claims(world, visits) if c.claim is not None)
        seed += 1
    return claims[:count]


def _run(scrubber: Scrubber, claims) -> tuple[float, float, int]:
    """Scrub every claim, recording each one's services as billed as the claims service would."""
    history = InMemoryHistory()
    passed = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for claim in claims:
        passed += scrubber.scrub(claim, history=history).passed
        history.record(claim.claim_id, billed_services(claim))
    return time.process_time() - cpu, time.perf_counter() - wall, passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    claims = _claims(options.claims)
    scrubber = Scrubber(ScrubContext(today=START))
    _run(scrubber, claims)  # warm the code set caches, as a running service would be
    runs = [_run(scrubber, claims) for _ in range(options.repeat)]
    cpu = min(run[0] for run in runs)
    wall = min(run[1] for run in runs)
    print(json.dumps({
        "benchmark": "scrubber",
        "claims": len(claims),
        "rules": len(RULES),
        "cores": 1,
        "claims_per_second_cpu": round(len(claims) / cpu),
        "claims_per_second_wall": round(len(claims) / wall),
        "microseconds_per_claim": round(cpu / len(claims) * 1e6, 1),
        "passed_share": round(runs[0][2] / len(claims), 4),
    }))


if __name__ == "__main__":
    main()
