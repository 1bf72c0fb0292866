"""The claim lifecycle as a pure state machine (DESIGN: claims service owns it).

created -> scrubbed | scrub_failed -> submitted -> accepted | rejected -> paid | partially_paid | denied
-> corrected (frequency 7) and resubmitted | appealed | written_off.

A person works scrub failures and rejections in the claims queue: scrub_failed | rejected ->
corrected -> scrubbed (-> submitted) | scrub_failed, or closed with a reason. A denied (or appealed)
claim a person edits goes the same way as a replacement (frequency 7).

An 835 proves acceptance, so an adjudication may arrive for a claim still `submitted` (the 277CA
can be read after the 835): that is a legal transition, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from shared.errors import RcmError
from shared.events import ClaimStatus as S


class ClaimsError(RcmError):
    code = "CLAIMS_ERROR"


class IllegalTransition(ClaimsError):
    code = "ILLEGAL_TRANSITION"

    def __init__(self, claim_id: str, current: S, wanted: S) -> None:
        super().__init__(f"claim {claim_id} cannot go from {current} to {wanted}")
        self.claim_id, self.current, self.wanted = claim_id, current, wanted


_ADJUDICATED = frozenset({S.PAID, S.PARTIALLY_PAID, S.DENIED})

NEXT: Final[Mapping[S, frozenset[S]]] = {
    S.CREATED: frozenset({S.SCRUBBED, S.SCRUB_FAILED}),
    # A person corrects it in the claims queue (then it is scrubbed again), or closes it.
    S.SCRUB_FAILED: frozenset({S.SCRUBBED, S.CORRECTED, S.CLOSED}),
    S.SCRUBBED: frozenset({S.SUBMITTED, S.SCRUB_FAILED}),  # failed: its 837P did not validate
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED}) | _ADJUDICATED,
    S.ACCEPTED: _ADJUDICATED,
    S.REJECTED: frozenset({S.CORRECTED, S.CLOSED}),
    S.PAID: frozenset({S.CLOSED}),
    S.PARTIALLY_PAID: frozenset({S.APPEALED, S.WRITTEN_OFF, S.CLOSED}),
    S.DENIED: frozenset({S.CORRECTED, S.APPEALED, S.WRITTEN_OFF}),
    S.CORRECTED: frozenset({S.SCRUBBED, S.SCRUB_FAILED}),
    # A person working the appeal in the denials queue may still correct the claim or write it off.
    S.APPEALED: _ADJUDICATED | frozenset({S.CORRECTED, S.WRITTEN_OFF}),
    S.WRITTEN_OFF: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Where the automated cycle is done with a claim: closed out, or parked for a person's decision.
TERMINAL: Final[frozenset[S]] = frozenset({S.PAID, S.WRITTEN_OFF, S.APPEALED, S.SCRUB_FAILED, S.REJECTED, S.CLOSED})


def check_transition(claim_id: str, current: S, wanted: S) -> None:
    """Raise IllegalTransition unless the lifecycle allows current -> wanted."""
    if wanted not in NEXT[current]:
        raise IllegalTransition(claim_id, current, wanted)
