"""Whole-process X12 timings, as a user runs them (not a test; `make bench-x12` runs it).

    python tests/bench/bench_x12_process.py --claims 10000

Writes a 835 of N synthetic claims, then times three commands on it, each a fresh process with
its start-up included: `rcm x12 inspect FILE` (read, validate, summarize), pyx12's `x12valid
FILE` and oxedi (the Rust 835 parser, through its Python package: parse the file, count the
claims and total the payments). Prints one JSON line with the timings and the ratios. The clock
is the children's CPU time (user + system, from os.wait4), so other work on a shared machine
disturbs it less than wall-clock time, which is printed alongside. Each command runs --repeat
times (pyx12 once: it is slow) and the best run counts. `rcm --help` is timed the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
GOALS = {"ours_vs_pyx12_at_least": 25.0, "ours_vs_oxedi_at_most": 5.0, "start_up_s_at_most": 0.25}
OXEDI = "import sys, oxedi; r = oxedi.parse_file(sys.argv[1]); print(r.count_claims(), r.sum_payments())"


def _run(command: list[str], repeat: int) -> dict[str, float | int]:
    """Best CPU seconds (user + system of the child) over `repeat` runs, with that run's wall seconds."""
    best: dict[str, float | int] = {"cpu_s": float("inf")}
    for _ in range(repeat):
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        cpu = usage.ru_utime + usage.ru_stime
        if cpu < best["cpu_s"]:
            best = {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "exit": os.waitstatus_to_exitcode(status)}
    return best


def _write_835(claims: int, path: Path) -> int:
    from shared.x12 import InMemoryControlNumbers, write_835
    from shared.x12.samples import CREATED, sample_partners, sample_professional_claims, sample_remittance

    professional = sample_professional_claims(claims)
    text = write_835([sample_remittance([claim.to_claim837() for claim in professional])],
                     partners=sample_partners("TESTPAYER1", "TESTCLINIC"), control_numbers=InMemoryControlNumbers(),
                     created=CREATED)
    path.write_text(text)
    return len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remittance.835"
        size = _write_835(arguments.claims, path)
        small = ROOT / "tests" / "unit" / "x12" / "fixtures" / "835_remittance.x12"
        ours = _run([str(BIN / "rcm"), "x12", "inspect", str(path)], arguments.repeat)
        oxedi = _run([sys.executable, "-c", OXEDI, str(path)], arguments.repeat)
        pyx12 = _run([str(BIN / "x12valid"), "--quiet", str(path)], 1)
        help_ = _run([str(BIN / "rcm"), "--help"], arguments.repeat)
        inspect_small = _run([str(BIN / "rcm"), "x12", "inspect", str(small)], arguments.repeat)
    result = {
        "claims": arguments.claims, "bytes": size, "clock": "child CPU (user + system), best run",
        "rcm_x12_inspect": ours, "pyx12_x12valid": pyx12, "oxedi_parse_and_total": oxedi,
        "rcm_help": help_, "rcm_x12_inspect_small": inspect_small,
        "ours_vs_pyx12": round(pyx12["cpu_s"] / ours["cpu_s"], 1),
        "ours_vs_oxedi": round(ours["cpu_s"] / oxedi["cpu_s"], 1),
        "wall_ours_vs_pyx12": round(pyx12["wall_s"] / ours["wall_s"], 1),
        "wall_ours_vs_oxedi": round(ours["wall_s"] / oxedi["wall_s"], 1),
        "goals": GOALS,
    }
    result["goals_met"] = (result["ours_vs_pyx12"] >= GOALS["ours_vs_pyx12_at_least"]
                           and result["ours_vs_oxedi"] <= GOALS["ours_vs_oxedi_at_most"]
                           and max(help_["cpu_s"], inspect_small["cpu_s"]) <= GOALS["start_up_s_at_most"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
