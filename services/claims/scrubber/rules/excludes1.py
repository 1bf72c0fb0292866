"""ICD-10-CM Excludes1: diagnoses that may not be coded together."""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

from shared.codes.excludes1 import excluded_together

from services.claims.scrubber.engine import rule


@lru_cache(maxsize=1 << 16)  # the same diagnosis lists come back claim after claim
def conflicts(diagnoses: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Every pair of `diagnoses` that Excludes1 forbids together, in claim order."""
    return tuple(pair for pair in combinations(diagnoses, 2) if excluded_together(*pair))


@rule("EXC-001", "excludes1", "EXCLUDES1_CONFLICT", "no two diagnoses where an Excludes1 note of one names the other",
      needs="several_diagnoses")
def excludes1_pairs(claim, facts):
    messages = ()
    for first, second in conflicts(claim.diagnoses):
        messages += (f"diagnoses {first} and {second} exclude each other (Excludes1)",)
    return messages


RULES = (excludes1_pairs,)
