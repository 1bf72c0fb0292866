"""Errors that arise when a claim is built, not in the EHR visit: a replacement without the
payer's claim number (frequency), a secondary claim without the primary's adjudication (cob) and
a total that does not match its lines (balancing). The feed cannot carry them, so they are injected
into the claim (Claim837) at a known rate, chosen from the claim id so a run is reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from shared.x12.models.claim import Claim837


class ClaimError(StrEnum):
    REPLACEMENT_WITHOUT_PAYER_CLAIM_NUMBER = "replacement_without_payer_claim_number"
    SECONDARY_WITHOUT_PRIOR_PAYER = "secondary_without_prior_payer"
    TOTAL_OUT_OF_BALANCE = "total_out_of_balance"


SCRUB_CATEGORY: dict[ClaimError, str] = {
    ClaimError.REPLACEMENT_WITHOUT_PAYER_CLAIM_NUMBER: "frequency",
    ClaimError.SECONDARY_WITHOUT_PRIOR_PAYER: "cob",
    ClaimError.TOTAL_OUT_OF_BALANCE: "balancing",
}


@dataclass(frozen=True, slots=True)
class ClaimErrorRates:
    """Share of claims that get each error; a claim gets at most one."""

    rates: tuple[tuple[ClaimError, float], ...] = tuple((error, 0.004) for error in ClaimError)

    def __post_init__(self) -> None:
        if any(not 0.0 <= rate <= 1.0 for _, rate in self.rates) or sum(rate for _, rate in self.rates) > 1.0:
            raise ValueError("claim error rates must each be within 0..1 and add up to at most 1")


def draw_claim_error(claim_id: str, rates: ClaimErrorRates, seed: int) -> ClaimError | None:
    """The error `claim_id` gets under `rates`, the same on every run with `seed`."""
    digest = hashlib.sha256(f"{seed}|{claim_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    threshold = 0.0
    for error, rate in rates.rates:
        threshold += rate
        if draw < threshold:
            return error
    return None


def inject_claim_error(claim: Claim837, error: ClaimError) -> Claim837:
    """`claim` with `error` in it."""
    if error is ClaimError.REPLACEMENT_WITHOUT_PAYER_CLAIM_NUMBER:
        return replace(claim, frequency_code="7", payer_claim_number=None)
    if error is ClaimError.SECONDARY_WITHOUT_PRIOR_PAYER:
        return replace(claim, subscriber=replace(claim.subscriber, payer_responsibility="S"), prior_payers=())
    return replace(claim, total_charge=claim.total_charge + Decimal("1.00"))
