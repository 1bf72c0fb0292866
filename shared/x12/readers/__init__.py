"""Readers: one per transaction set, each mapping the segments between ST and SE to a model."""

from __future__ import annotations

from collections.abc import Callable

from shared.x12.envelope import TransactionSet
from shared.x12.readers.acknowledgement import read_acknowledgement
from shared.x12.readers.claim import read_claims
from shared.x12.readers.claim_status import read_claim_status
from shared.x12.readers.eligibility import (
    read_eligibility_request,
    read_eligibility_response,
)
from shared.x12.readers.remittance import read_remittance

Reader = Callable[[list[list[str]], TransactionSet], object]

READERS: dict[str, Reader] = {
    "835": read_remittance,
    "837": read_claims,
    "999": read_acknowledgement,
    "277": read_claim_status,
    "270": read_eligibility_request,
    "271": read_eligibility_response,
}

# Other transactions that share a set id with one we read: the 277 claim status response
# (005010X212) answers a 276 and is not a 277CA. They are left unmapped (validate warns).
NOT_MAPPED: frozenset[tuple[str, str]] = frozenset({("277", "005010X212")})

# The implementation guides this codec knows, by transaction set.
VERSIONS: dict[str, frozenset[str]] = {
    "835": frozenset({"005010X221A1"}),
    "837": frozenset({"005010X222A1", "005010X223A2", "005010X223A1"}),
    "999": frozenset({"005010X231A1"}),
    "277": frozenset({"005010X214"}),
    "270": frozenset({"005010X279A1"}),
    "271": frozenset({"005010X279A1"}),
}
