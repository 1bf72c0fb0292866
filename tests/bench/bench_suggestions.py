"""Coding suggestions per second on one core: BM25 over ICD-10-CM for synthetic notes.

    .venv/bin/python tests/bench/bench_suggestions.py --notes 2000

Notes come from the simulator's feed (its assessment phrases and boilerplate), so the figures
match what the coding service sees in the demo. Prints one JSON line: the index build time, the
rate with the segment cache cleared before every note (each note scored from scratch), the rate
with the cache warm (as in the running service), and how often the top suggestion is the code the
simulator documented first."""

from __future__ import annotations

import argparse
import json
import time
import warnings
from datetime import date


def _notes(count: int, seed: int) -> list[tuple[str, str]]:
    from simulator.feed import ErrorRates, registrations
    from simulator.population import build_world

    world = build_world(seed)
    visits = registrations(world, count, start=date(2026, 3, 2), error_rates=ErrorRates.none(), seed=seed)
    return [(v.request.note or "", v.request.diagnoses[0].code) for v in visits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)

    from services.coding.suggestions import icd10cm_index
    from shared.codes import icd10cm

    started = time.perf_counter()
    icd10cm.load()
    loaded = time.perf_counter() - started
    index = icd10cm_index()
    notes = _notes(arguments.notes, arguments.seed)

    started = time.perf_counter()
    for note, _ in notes:
        index.clear_cache()
        index.read(note)
    cold = time.perf_counter() - started

    index.clear_cache()
    started = time.perf_counter()
    readings = [index.read(note) for note, _ in notes]
    warm = time.perf_counter() - started

    top_is_sent = sum(1 for reading, (_, sent) in zip(readings, notes)
                      if any(s.code[:3] == sent[:3] for s in reading.suggestions[:1]))
    supported = sum(1 for reading, (_, sent) in zip(readings, notes) if index.supports(reading, sent))
    print(json.dumps({
        "notes": len(notes), "codes_indexed": len(index),
        "code_set_load_seconds": round(loaded, 2), "index_build_seconds": round(index.build_seconds, 2),
        "suggestions_per_second_uncached": round(len(notes) / cold, 1),
        "suggestions_per_second": round(len(notes) / warm, 1),
        "top_suggestion_same_category_as_principal": round(top_is_sent / len(notes), 3),
        "principal_supported_by_note": round(supported / len(notes), 3),
    }))


if __name__ == "__main__":
    main()
