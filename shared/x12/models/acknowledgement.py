"""A 999 implementation acknowledgment: did the receiver accept our functional group and its sets?"""

from __future__ import annotations

from shared.x12.models.base import model

ACCEPTED_SET_CODES = frozenset({"A", "E"})  # E: accepted, but errors were noted


@model
class ElementError:
    """IK4. The copy of bad data (IK404) is dropped on purpose: it can hold PHI."""

    position: int  # IK401-1: element position in the segment
    code: str  # IK403: implementation data element syntax error code
    component: int | None = None  # IK401-2
    repetition: int | None = None  # IK401-3
    element_reference: str | None = None  # IK402: data element reference number


@model
class SegmentError:
    """IK3 with its IK4s."""

    segment_id: str  # IK301
    position: int  # IK302: segment position in the transaction set (ST = 1)
    loop: str | None = None  # IK303
    code: str | None = None  # IK304: implementation segment syntax error code
    element_errors: tuple[ElementError, ...] = ()


@model
class TransactionSetAcknowledgement:
    """AK2 ... IK5: the verdict on one transaction set we sent."""

    set_id: str  # AK201, e.g. "837"
    control_number: str  # AK202: our ST02
    status: str  # IK501: A accepted, E accepted with errors, R rejected, M/W/X rejected
    version: str | None = None  # AK203
    error_codes: tuple[str, ...] = ()  # IK502-506
    segment_errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_SET_CODES


@model
class FunctionalAcknowledgement:
    """One 999 transaction set: the verdict on one functional group (AK1 ... AK9)."""

    control_number: str  # ST02 of the 999
    functional_id: str  # AK101, e.g. HC
    group_control_number: str  # AK102: our GS06
    status: str  # AK901: A accepted, E accepted with errors, P partially accepted, R rejected
    sets_included: int  # AK902
    sets_received: int  # AK903
    sets_accepted: int  # AK904
    version: str | None = None  # AK103
    error_codes: tuple[str, ...] = ()  # AK905-909
    transactions: tuple[TransactionSetAcknowledgement, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_SET_CODES

    @property
    def partially_accepted(self) -> bool:
        return self.status == "P"

    @property
    def rejected(self) -> bool:
        return not self.accepted and not self.partially_accepted
