"""The payers' eligibility desk: each 270 is answered with a 271.

Deterministic per member: a small, known share of member ids (`inactive_share`) has inactive
coverage, everyone else active with a plan year around the date of service. The answer travels back
on rcm.eligibility.responded.v1 with the inquiry id as key (never the member id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.events import EligibilityRequested, EligibilityResponded
from shared.x12 import InMemoryControlNumbers, read
from simulator.faults import happens
from shared.x12.models.eligibility import EligibilityInquiry
from shared.x12.values import format_date, format_time
from shared.x12.writers.segments import SegmentWriter, TradingPartners, write_interchange

INACTIVE_SHARE = 0.03


def coverage_active(member_id: str, *, inactive_share: float = INACTIVE_SHARE) -> bool:
    """Whether the simulated payer has this member's coverage active (stable per member id)."""
    bucket = int(hashlib.sha256(member_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket >= inactive_share


def answer_270(x12_270: str, created: datetime, *, inactive_share: float = INACTIVE_SHARE) -> str:
    """The 271 answering every inquiry of a 270."""
    requests = read(x12_270).eligibility_requests()
    inquiries: list[EligibilityInquiry] = [i for request in requests for i in request.inquiries]
    payer_id = inquiries[0].payer.identifier or "PAYER"

    def body(writer: SegmentWriter, control_number: str) -> None:
        add = writer.add
        add("BHT", "0022", "11", control_number, format_date(created.date()), format_time(created))
        level = 0
        for inquiry in inquiries:
            level += 1
            payer_level = str(level)
            add("HL", payer_level, "", "20", "1")
            add("NM1", "PR", "2", inquiry.payer.name, "", "", "", "", "PI", inquiry.payer.identifier or "")
            level += 1
            provider_level = str(level)
            add("HL", provider_level, payer_level, "21", "1")
            add("NM1", "1P", "2", inquiry.provider.name, "", "", "", "", "XX", inquiry.provider.identifier or "")
            level += 1
            add("HL", str(level), provider_level, "22", "0")
            add("TRN", "2", inquiry.trace_number, inquiry.originator_id)
            add("NM1", "IL", "1", inquiry.last_name, inquiry.first_name or "", "", "", "", "MI", inquiry.member_id)
            when = inquiry.date_of_service or created.date()
            add("DTP", "346", "D8", format_date(when.replace(month=1, day=1)))
            if coverage_active(inquiry.member_id, inactive_share=inactive_share):
                add("EB", "1", "IND", "30", "", "SIMULATED PLAN")
            else:
                add("EB", "6", "IND", "30")

    partners = TradingPartners(sender_id=payer_id, receiver_id="RCMREGISTRATION", production=False)
    return write_interchange(set_id="271", functional_id="HB", version="005010X279A1", bodies=[body],
                             partners=partners, control_numbers=InMemoryControlNumbers(), created=created)


def subscribe(runtime, *, inactive_share: float = INACTIVE_SHARE, lost_rate: float = 0.0, seed: int = 0) -> None:
    """Answer eligibility inquiries on `runtime`'s consumer (the partners process); about
    `lost_rate` of them are never answered (registration asks again)."""

    async def answer_eligibility_inquiries(events: Sequence[Envelope[EligibilityRequested]], unit: UnitOfWork) -> None:
        """Answer each 270 with a 271 (a share never answered, when RCM_SIM_LOST_271_RATE is set)."""
        for event in events:
            if happens(lost_rate, seed, "271-lost", event.payload.inquiry_id):
                continue
            reply = answer_270(event.payload.x12, unit.now, inactive_share=inactive_share)
            unit.emit(topics.ELIGIBILITY_RESPONDED,
                      EligibilityResponded(inquiry_id=event.payload.inquiry_id, encounter_id=event.payload.encounter_id,
                                           x12=reply), cause=event)

    runtime.consumer.subscribe(topics.ELIGIBILITY_REQUESTED, answer_eligibility_inquiries)
