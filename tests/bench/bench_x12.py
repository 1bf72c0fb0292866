"""Benchmark of the X12 codec against pyx12 (not a test; run it by hand).

    python tests/bench/bench_x12.py --claims 10000

Measures, on generated files of N claims: reading and mapping an 835, and generating plus
validating an 837P, ours and pyx12's, and prints one JSON line with the timings and the ratios.
Times are CPU seconds of this process (time.process_time), so other work on a shared machine
disturbs them less than wall-clock time; wall-clock seconds are printed alongside. Our timings
are the best of --repeat runs; pyx12 runs once (it is slow).

pyx12 does not generate X12, so its 837P side is validating the file we generated. Its 835 side
is measured twice, as x12n_document (the validating reader, without building a 999: pyx12 crashes
building one for an 835) and as X12ContextReader walking every claim loop; the ratio is taken
against the faster of the two.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.x12 import InMemoryControlNumbers, read, validate, write_835, write_837p
from shared.x12.samples import (
    CREATED,
    sample_partners,
    sample_professional_claims,
    sample_receiver,
    sample_remittance,
    sample_submitter,
)

GOALS = {"835": 25.0, "837p": 20.0}


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(best CPU seconds, wall seconds of that run, result)."""
    best = (float("inf"), 0.0, None)
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = action()
        elapsed = (time.process_time() - cpu, time.perf_counter() - wall, result)
        if elapsed[0] < best[0]:
            best = elapsed
    return best


def _pyx12_validate(path: str) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    return pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=path, fd_997=None, fd_html=None, fd_xmldoc=None
    )


def _pyx12_read_claims(path: str) -> int:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.err_handler(), path)
    paid = 0
    for claim in reader.iter_segments("2100"):
        paid += 1 if claim.get_value("CLP04") else 0
    return paid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-pyx12", action="store_true", help="time only our codec")
    arguments = parser.parse_args()
    logging.disable(logging.CRITICAL)  # pyx12 logs every finding

    claims = sample_professional_claims(arguments.claims)
    envelope = {
        "partners": sample_partners(),
        "submitter": sample_submitter(),
        "receiver": sample_receiver(),
        "created": CREATED,
    }

    def generate() -> str:
        return write_837p(claims, control_numbers=InMemoryControlNumbers(), **envelope)

    generate_cpu, generate_wall, professional = _timed(generate, arguments.repeat)
    validate_cpu, validate_wall, report = _timed(lambda: validate(professional), arguments.repeat)
    remittance_text = write_835(
        [sample_remittance([claim.to_claim837() for claim in claims])],
        partners=sample_partners("TESTPAYER1", "TESTCLINIC"),
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
    )
    read_cpu, read_wall, document = _timed(lambda: read(remittance_text).remittances(), arguments.repeat)
    result: dict[str, object] = {
        "claims": arguments.claims,
        "clock": "process_time",
        "ours": {
            "read_835_s": round(read_cpu, 4),
            "generate_837p_s": round(generate_cpu, 4),
            "validate_837p_s": round(validate_cpu, 4),
            "generate_validate_837p_s": round(generate_cpu + validate_cpu, 4),
            "wall_read_835_s": round(read_wall, 4),
            "wall_generate_validate_837p_s": round(generate_wall + validate_wall, 4),
            "837p_valid": report.valid,
            "835_claims": sum(len(remittance.claims) for remittance in document),
            "837p_bytes": len(professional),
            "835_bytes": len(remittance_text),
        },
    }
    if not arguments.skip_pyx12:
        with tempfile.TemporaryDirectory() as folder:
            professional_path = os.path.join(folder, "837p.x12")
            remittance_path = os.path.join(folder, "835.x12")
            Path(professional_path).write_text(professional)
            Path(remittance_path).write_text(remittance_text)
            pyx_validate_cpu, pyx_validate_wall, pyx_valid = _timed(lambda: _pyx12_validate(professional_path), 1)
            pyx_read_cpu, pyx_read_wall, _ = _timed(lambda: _pyx12_validate(remittance_path), 1)
            pyx_context_cpu, pyx_context_wall, _ = _timed(lambda: _pyx12_read_claims(remittance_path), 1)
        pyx_835 = min(pyx_read_cpu, pyx_context_cpu)
        ratio_835 = pyx_835 / read_cpu
        ratio_837 = pyx_validate_cpu / (generate_cpu + validate_cpu)
        result["pyx12"] = {
            "read_835_s": round(pyx_read_cpu, 4),
            "read_835_context_s": round(pyx_context_cpu, 4),
            "validate_837p_s": round(pyx_validate_cpu, 4),
            "wall_read_835_s": round(pyx_read_wall, 4),
            "wall_read_835_context_s": round(pyx_context_wall, 4),
            "wall_validate_837p_s": round(pyx_validate_wall, 4),
            "837p_valid": pyx_valid,
        }
        result["ratio_835"] = round(ratio_835, 1)
        result["ratio_837p"] = round(ratio_837, 1)
        result["goals"] = GOALS
        result["goals_met"] = ratio_835 >= GOALS["835"] and ratio_837 >= GOALS["837p"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
