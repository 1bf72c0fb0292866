"""Which HL7 v2 messages registration takes, what each does to registration state, and how a
visit number is found when PV1-19 is empty. Pure: no I/O.

| message | feed kind | what it does |
|---|---|---|
| ADT^A01 admit, A04 register, A05 pre-admit | register | creates or updates the visit (a newer one reopens a cancelled visit) |
| ADT^A06, A07 (patient class changes) | register | updates the visit while it is not handed on |
| ADT^A08 update, A02 transfer, A28/A31 person | update | demographics and coverages; the visit only if it was not known |
| ADT^A03 discharge | discharge | sets the visit's end (discharged) |
| ADT^A11 cancel admit/visit | cancel | cancels a visit not handed on (AE after) |
| ADT^A12 cancel transfer | record | acknowledged; a transfer changed nothing billable |
| ADT^A13 cancel discharge | cancel_discharge | the visit is not ended after all |
| ADT^A40 merge patient (A34 in v2.3) | merge | the MRG-1 MRN now names the PID-3 patient |
| any other ADT event | record | acknowledged (AA), recorded, nothing changed |
| DFT^P03 | charges | adds the FT1 charges to the visit |
"""

from __future__ import annotations

import uuid

from services.registration.feed import FeedKind

_ADT = {"A01": FeedKind.REGISTER, "A04": FeedKind.REGISTER, "A05": FeedKind.REGISTER, "A06": FeedKind.REGISTER,
        "A07": FeedKind.REGISTER, "A02": FeedKind.UPDATE, "A08": FeedKind.UPDATE, "A28": FeedKind.UPDATE,
        "A31": FeedKind.UPDATE, "A03": FeedKind.DISCHARGE, "A11": FeedKind.CANCEL, "A12": FeedKind.RECORD,
        "A13": FeedKind.CANCEL_DISCHARGE, "A40": FeedKind.MERGE, "A34": FeedKind.MERGE}
VISIT_KINDS = (FeedKind.REGISTER, FeedKind.CHARGES)  # what needs a visit, derived if need be


def kind_of(message_type: str, trigger: str) -> FeedKind | None:
    """The feed kind of MSH-9 (type and trigger), or None for a message that is not for registration."""
    if message_type == "ADT":
        return _ADT.get(trigger, FeedKind.RECORD if trigger else None)
    if message_type == "DFT" and trigger == "P03":
        return FeedKind.CHARGES
    return None


def derived_visit_number(kind: FeedKind, account_number: str, sending_facility: str, control_id: str) -> tuple[str, str] | None:
    """The visit number of a message without PV1-19, and where it came from: PID-18 (the patient
    account number, which EHRs keep per visit), else, for a message that brings a visit (register,
    charges), a name-based id of the sending facility and MSH-10: the same message sent again gets
    the same visit. A discharge, cancel or update without either names no visit (None)."""
    if account_number:
        return account_number[:200], "PID-18"
    if kind in VISIT_KINDS:
        name = f"hl7v2|{sending_facility}|{control_id}"
        return f"MSG-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:20].upper()}", "MSH-10"
    return None
