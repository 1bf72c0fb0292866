"""What the simulated partners remember of a claim they refused, and how they judge the claim that
comes back: the payer re-adjudicates a corrected claim (frequency 7) against the reason it denied
the original, and the clearinghouse re-reads a rejected claim sent again against the field it
rejected. A correction that changes the wrong thing is refused again for the same reason.

Each memory is a reason and a fingerprint: the value, at refusal, of the claim data that reason is
about (the denied line's modifiers, the diagnosis its first pointer names, the place of service,
the date of service, the principal diagnosis, the member id). Values are kept by the simulator's
own database, as a payer's claim history is; they are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from simulator.claim_view import SimClaim


class CorrectableDenial(StrEnum):
    """Denials whose fix is in the claim's data, with the CARC the payer sends."""

    MISSING_MODIFIER = "missing_modifier"  # CO-4: a required modifier is missing on the line
    DIAGNOSIS_INCONSISTENT = "diagnosis_inconsistent"  # CO-11: the diagnosis does not support the procedure
    INVALID_PLACE_OF_SERVICE = "invalid_place_of_service"  # CO-5: the procedure is not done at that place


@dataclass(frozen=True, slots=True)
class Remembered:
    """Why a partner refused a claim, and the value of the data that reason is about."""

    reason: str  # a CorrectableDenial, or the 277CA status codes joined by "+"
    fingerprint: tuple[str, ...]

    def as_document(self) -> dict:
        return {"reason": self.reason, "fingerprint": list(self.fingerprint)}

    @classmethod
    def from_document(cls, document: dict) -> Remembered:
        return cls(document["reason"], tuple(document["fingerprint"]))


def _first_line_diagnosis(claim: SimClaim) -> str:
    if not claim.lines or not claim.diagnoses:
        return ""
    pointer = claim.lines[0].diagnosis_pointers[0]
    return claim.diagnoses[pointer - 1] if pointer <= len(claim.diagnoses) else ""


def _denial_fingerprint(claim: SimClaim, reason: CorrectableDenial) -> tuple[str, ...]:
    if reason is CorrectableDenial.MISSING_MODIFIER:
        return tuple(claim.lines[0].modifiers) if claim.lines else ()
    if reason is CorrectableDenial.DIAGNOSIS_INCONSISTENT:
        return (_first_line_diagnosis(claim),)
    return (claim.place_of_service or "",)


def remember_denial(claim: SimClaim, reason: CorrectableDenial) -> Remembered:
    return Remembered(reason.value, _denial_fingerprint(claim, reason))


def denial_fixed(claim: SimClaim, remembered: Remembered) -> bool:
    """True when the corrected `claim` removes the reason the payer denied the original for: the
    first line now carries a modifier it lacked, its first pointer names another diagnosis, or the
    place of service changed."""
    reason = CorrectableDenial(remembered.reason)
    if reason is CorrectableDenial.MISSING_MODIFIER:
        return bool(claim.lines) and bool(set(claim.lines[0].modifiers) - set(remembered.fingerprint))
    return _denial_fingerprint(claim, reason) != remembered.fingerprint


# 277CA rejection codes and the claim data each is about.
_REJECTED_FIELD = {
    "A7_187": lambda claim: claim.date_of_service.isoformat() if claim.date_of_service else "",
    "A7_254": lambda claim: claim.diagnoses[0] if claim.diagnoses else "",
    "A7_33_IL": lambda claim: claim.member_id,
    "A7_164_IL": lambda claim: claim.member_id,
    "A3_116": lambda claim: claim.payer_id,
}


def remember_rejection(claim: SimClaim, status_codes: tuple[str, ...]) -> Remembered:
    return Remembered("+".join(status_codes), _rejection_fingerprint(claim, status_codes))


def _rejection_fingerprint(claim: SimClaim, status_codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_REJECTED_FIELD[code](claim) if code in _REJECTED_FIELD else "" for code in status_codes)


def rejection_fixed(claim: SimClaim, remembered: Remembered) -> bool:
    """True when the claim sent again changed the data its rejection was about."""
    codes = tuple(remembered.reason.split("+"))
    return _rejection_fingerprint(claim, codes) != remembered.fingerprint


def status_codes_of(remembered: Remembered) -> tuple[str, ...]:
    return tuple(remembered.reason.split("+"))
