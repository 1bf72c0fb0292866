"""Who sent a feed message: the authenticated sender, never what the message says about itself.

MLLP senders present a client certificate (mutual TLS); its subject common name is looked up in
RCM_REGISTRATION_MLLP_SENDERS, which lists the facility keys (RCM_REGISTRATION_FEED_FACILITIES) that
certificate may send for. A message whose MSH-4 names a facility outside that list is refused (AR)
and audited, so the tenant always comes from a facility the sender is entitled to. FHIR clients are
known by their bearer token, which names exactly one facility. Plain-text MLLP (development only)
has no authenticated sender: any configured facility is taken at its word there.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sender:
    origin: str  # "hl7v2.mllp" | "fhir.http"
    identity: str | None  # certificate CN, or the FHIR client's facility key; None: unauthenticated
    peer: str | None  # "address:port" as the listener saw it
    facilities: frozenset[str] | None = None  # facility keys it may send for; None: any (development)

    def covers(self, facility_key: str) -> bool:
        return self.facilities is None or facility_key in self.facilities

    def audit(self) -> dict[str, str | None]:
        """The sender as an audit record holds it (no PHI: a certificate name and an address)."""
        return {"origin": self.origin, "identity": self.identity, "peer": self.peer}


def peer_of(address: object) -> str | None:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return None


def certificate_name(ssl_object: ssl.SSLObject | None) -> str | None:
    """The subject common name of a verified client certificate (None without one)."""
    if ssl_object is None:
        return None
    certificate = ssl_object.getpeercert()
    for rdn in (certificate or {}).get("subject", ()):
        for name, value in rdn:
            if name == "commonName":
                return value
    return None


def mllp_sender(peer: object, ssl_object: ssl.SSLObject | None, senders: dict[str, list[str]] | None) -> Sender:
    """The sender of an MLLP connection. `senders` is None on a plain-text (development) listener."""
    if senders is None:
        return Sender("hl7v2.mllp", None, peer_of(peer), None)
    name = certificate_name(ssl_object)
    return Sender("hl7v2.mllp", name, peer_of(peer), frozenset(senders.get(name or "", ())))
