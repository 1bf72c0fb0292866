"""ICD-10-CM Excludes1: diagnoses that may not be coded together."""

from __future__ import annotations

from itertools import combinations

from shared.codes.excludes1 import excluded_together

from services.claims.scrubber.engine import rule


@rule("EXC-001", "excludes1", "EXCLUDES1_CONFLICT", "no two diagnoses where an Excludes1 note of one names the other")
def excludes1_pairs(claim, context):
    for first, second in combinations(claim.diagnoses, 2):
        if excluded_together(first, second):
            yield f"diagnoses {first} and {second} exclude each other (Excludes1)"


RULES = (excludes1_pairs,)
