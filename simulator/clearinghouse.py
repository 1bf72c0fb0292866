"""A simulated clearinghouse: the 277CA verdict on each claim of a submitted 837 batch.

Each claim is accepted or rejected by a draw seeded with the run's seed, the claim id and its
frequency code, so the same batch always gets the same answer and a corrected claim gets a fresh
draw. A rejected claim sent again is not drawn again: the clearinghouse remembers which data its
rejection was about (simulator/corrections.py) and accepts the claim only when that data changed. Status codes are 277CA category + status (+ entity) joined by underscores: "A7_562_82" is
category A7 (rejected for invalid information), status 562 (NPI), entity 82 (rendering provider).
"""

from __future__ import annotations

import hashlib
import random

from collections.abc import Mapping, Sequence

from shared.codes.npi import is_valid_npi
from shared.events import ClaimAcknowledgement, FrequencyCode, SubmittedClaim
from simulator.claim_view import SimClaim
from simulator.corrections import Remembered, rejection_fixed, remember_rejection, status_codes_of

ACCEPTED_STATUS = ("A1_19_PR", "A2_20")  # received by the payer; accepted for adjudication
# Rejections a payer front end sends back, with how often each shows up.
REJECTIONS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("A7_33_IL",), 35),  # subscriber and subscriber id not found
    (("A7_164_IL",), 20),  # subscriber's contract/member number invalid
    (("A3_116",), 15),  # claim submitted to the wrong payer
    (("A7_187",), 15),  # date(s) of service
    (("A7_254",), 15),  # principal diagnosis code
)
INVALID_RENDERING_NPI = ("A7_562_82",)
INVALID_BILLING_NPI = ("A7_562_85",)


def acknowledge(claims: Sequence[SimClaim | SubmittedClaim], *, seed: int,
                reject_rate: float = 0.03) -> tuple[ClaimAcknowledgement, ...]:
    """Return the 277CA outcome of every claim of a batch, in batch order.

    A claim whose rendering or billing NPI fails its check digit is always rejected (no front end
    lets one through). Otherwise a corrected claim (frequency 7) is always accepted, and an
    original is rejected at `reject_rate`. Accepted claims get the payer's claim number
    (see payer_claim_number_of).
    """
    return acknowledge_remembering(claims, seed=seed, reject_rate=reject_rate)[0]


def acknowledge_remembering(claims: Sequence[SimClaim | SubmittedClaim], *, seed: int, reject_rate: float = 0.03,
                            rejections: Sequence[tuple[tuple[str, ...], int]] = REJECTIONS,
                            remembered: Mapping[str, Remembered] | None = None,
                            ) -> tuple[tuple[ClaimAcknowledgement, ...], dict[str, Remembered]]:
    """`acknowledge`, drawing rejections from `rejections` (codes, weight), judging a claim it
    `remembered` rejecting (by claim id) by whether the data of that rejection changed, and
    returning what it remembers now of the claims it rejected."""
    remembered = remembered or {}
    answers, memory = [], {}
    for claim in claims:
        view = SimClaim.of(claim)
        ack = _acknowledge_claim(view, seed, reject_rate, rejections, remembered.get(view.claim_id))
        answers.append(ack)
        if not ack.accepted:
            memory[view.claim_id] = remember_rejection(view, ack.status_codes)
    return tuple(answers), memory


def payer_claim_number_for(claim_id: str, frequency_code: FrequencyCode | str) -> str:
    """The payer's claim number (ICN) for one submission of a claim: 'PCN' + 12 digits.

    It depends only on the claim id and frequency, so the clearinghouse and the payer, which run
    with their own seeds, hand out the same number.
    """
    digest = hashlib.sha256(f"{claim_id}|{FrequencyCode(frequency_code).value}".encode()).digest()
    return f"PCN{int.from_bytes(digest[:8], 'big') % 10**12:012d}"


def _acknowledge_claim(claim: SimClaim, seed: int, reject_rate: float,
                       rejections: Sequence[tuple[tuple[str, ...], int]] = REJECTIONS,
                       remembered: Remembered | None = None) -> ClaimAcknowledgement:
    if not is_valid_npi(claim.rendering_npi):
        return ClaimAcknowledgement(claim_id=claim.claim_id, accepted=False, status_codes=INVALID_RENDERING_NPI)
    if not is_valid_npi(claim.billing_npi):
        return ClaimAcknowledgement(claim_id=claim.claim_id, accepted=False, status_codes=INVALID_BILLING_NPI)
    if remembered is not None and remembered.reason not in _NPI_REJECTIONS:
        if not rejection_fixed(claim, remembered):  # sent again with the rejected data unchanged
            return ClaimAcknowledgement(claim_id=claim.claim_id, accepted=False,
                                        status_codes=status_codes_of(remembered))
    else:
        rng = random.Random(f"277ca|{seed}|{claim.claim_id}|{claim.frequency_code.value}")
        # A corrected claim answers an earlier problem; rejecting it again would loop the denial work.
        if claim.frequency_code is not FrequencyCode.REPLACEMENT and rng.random() < reject_rate:
            codes = rng.choices([c for c, _ in rejections], weights=[w for _, w in rejections])[0]
            return ClaimAcknowledgement(claim_id=claim.claim_id, accepted=False, status_codes=codes)
    return ClaimAcknowledgement(claim_id=claim.claim_id, accepted=True, status_codes=ACCEPTED_STATUS,
                                payer_claim_number=payer_claim_number_of(claim))


_NPI_REJECTIONS = frozenset({"+".join(INVALID_RENDERING_NPI), "+".join(INVALID_BILLING_NPI)})


def payer_claim_number_of(claim: SimClaim | SubmittedClaim) -> str:
    """The payer claim number this simulated payer uses for `claim`.

    A replacement or void names the original's number (REF*F8) and this payer keeps it, so the
    acknowledgement, the remittance and the next correction all carry one number.
    """
    if claim.payer_claim_number is not None:
        return claim.payer_claim_number
    return payer_claim_number_for(claim.claim_id, claim.frequency_code)
