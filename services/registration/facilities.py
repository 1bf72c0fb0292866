"""Which tenant a feed message belongs to: a configured table of sending facilities.

`RCM_REGISTRATION_FEED_FACILITIES` holds JSON such as
`{"SIMFP": {"tenant_id": "sim-family", "billing": {"npi": "...", "name": "...", "tax_id": "..."}}}`.
The key is MSH-4 (sending facility, its first component), or "MSH-4/MSH-6" when one facility sends
for several receiving facilities (the longer key wins). FHIR clients name their facility the same
way. The billing provider is the practice's, set up once here: ADT and DFT messages name who saw
the patient (PV1-7), not who bills.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.events import Provider, TenantId


class Facility(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: TenantId
    billing: Provider


class UnknownFacility(Exception):
    """No configured tenant for this sending facility."""


def facility_key_for(facilities: dict[str, Facility], sending: str, receiving: str = "") -> str:
    """The configuration key of a message's facility ("MSH-4/MSH-6" or "MSH-4"); raise UnknownFacility."""
    for key in (f"{sending}/{receiving}", sending):
        if key in facilities:
            return key
    raise UnknownFacility("sending facility is not configured")


def facility_for(facilities: dict[str, Facility], sending: str, receiving: str = "") -> Facility:
    """The configured facility of a message; raise UnknownFacility."""
    return facilities[facility_key_for(facilities, sending, receiving)]
