"""Denials' subscriber: categorize each denial, request corrections, write off or queue appeals."""

from __future__ import annotations

from collections.abc import Sequence

from services.denials import domain
from services.denials.repository import DenialsRepository
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import ClaimDenied


def subscribe(consumer: Consumer, denials: DenialsRepository, *, appeal_window_days: int) -> None:
    async def work_denials(events: Sequence[Envelope[ClaimDenied]], unit: UnitOfWork) -> None:
        """Every denial is categorized by its CARCs and worked: corrected, appealed or written off."""
        known = await denials.known([e.payload.denial_id for e in events], unit.session)
        worked, tenant_of = [], {}
        for event in events:
            denial = event.payload
            if denial.denial_id in known:
                continue
            known.add(denial.denial_id)
            try:
                decision = domain.work_denial(denial, appeal_window_days=appeal_window_days)
            except domain.DenialsError as refused:
                unit.dead_letter(event, refused)
                continue
            worked.append((denial, decision))
            tenant_of[denial.denial_id] = event.tenant_id
            unit.emit(topics.DENIAL_WORKED, domain.worked_event(denial, decision), cause=event)
            request = domain.resubmit_request(denial, decision)
            if request is not None:
                unit.emit(topics.CLAIM_RESUBMIT_REQUESTED, request, cause=event)
        await denials.record(tenant_of, worked, unit.session)

    consumer.subscribe(topics.CLAIM_DENIED, work_denials)
