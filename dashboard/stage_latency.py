"""Stage latencies (pure): registration → first submission, first submission → first payment.

The projection sees the later event and already holds the earlier time on the encounter's row, so
it can observe each latency once, when the milestone is first reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from shared.envelope import Envelope
from shared.events import ClaimStatus, ClaimStatusChanged

REGISTRATION_TO_SUBMITTED = "registration_to_submitted"
SUBMITTED_TO_PAID = "submitted_to_paid"
_PAID = frozenset({ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID})


@dataclass(frozen=True)
class Latency:
    stage: str
    tenant: str
    seconds: float


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def latencies(events: Iterable[Envelope[ClaimStatusChanged]], rows_before: Mapping[str, dict]) -> list[Latency]:
    """The latencies `events` complete, given the encounters' rows before these events were applied.

    A milestone already on the row (a resubmission, a second payment, a redelivered event) observes
    nothing; neither does a later stage whose earlier milestone is unknown."""
    rows = {encounter: dict(row) for encounter, row in rows_before.items()}
    found: list[Latency] = []
    for event in events:
        p = event.payload
        row = rows.setdefault(p.encounter_id, {})
        at = _utc(event.occurred_at)
        if p.status is ClaimStatus.SUBMITTED and not row.get("submitted_at"):
            row["submitted_at"] = at
            if row.get("registered_at"):
                found.append(Latency(REGISTRATION_TO_SUBMITTED, event.tenant_id,
                                     (at - _utc(row["registered_at"])).total_seconds()))
        elif p.status in _PAID and not row.get("paid_at"):
            row["paid_at"] = at
            if row.get("submitted_at"):
                found.append(Latency(SUBMITTED_TO_PAID, event.tenant_id,
                                     (at - _utc(row["submitted_at"])).total_seconds()))
    return found
