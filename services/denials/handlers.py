"""Denials' subscriber: categorize each denial, request corrections, write off or queue appeals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from prometheus_client import Counter

from services.denials import domain
from services.denials.letters import appeal_letter
from services.denials.queue import ItemStatus
from services.denials.repository import DenialsRepository, new_item
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import ClaimDenied
from shared.metrics import REGISTRY

# Low cardinality: ten categories times the payers (ids, never names of people). Counted inside the
# batch transaction, so a transaction MongoDB retries (a write conflict) counts its denials again.
DENIALS_TOTAL = Counter("rcm_denials_total", "Denials worked, by reason category and payer", ["category", "payer"],
                        registry=REGISTRY)


def subscribe(consumer: Consumer, denials: DenialsRepository, *, appeal_window_days: int,
              appeal_windows: Mapping[str, int] | None = None) -> None:
    async def work_denials(events: Sequence[Envelope[ClaimDenied]], unit: UnitOfWork) -> None:
        """Every denial is categorized by its CARCs and worked: corrected, appealed or written off."""
        known = await denials.known([e.payload.denial_id for e in events], unit.session)
        items = []
        for event in events:
            denial = event.payload
            if denial.denial_id in known:
                continue
            known.add(denial.denial_id)
            try:
                decision = domain.work_denial(denial, appeal_window_days=appeal_window_days,
                                              appeal_windows=appeal_windows)
            except domain.DenialsError as refused:
                unit.dead_letter(event, refused)
                continue
            item = new_item(event.tenant_id, denial, decision)
            if item.status is ItemStatus.OPEN:
                # A draft for the person who takes it; regenerated with the day it is sent.
                item = replace(item, letter=appeal_letter(item, unit.now.date()))
            items.append(item)
            unit.emit(topics.DENIAL_WORKED, domain.worked_event(denial, decision), cause=event)
            request = domain.resubmit_request(denial, decision)
            if request is not None:
                unit.emit(topics.CLAIM_RESUBMIT_REQUESTED, request, cause=event)
        await denials.record(items, unit.session)
        for item in items:
            DENIALS_TOTAL.labels(item.category.value, item.payer_id).inc()

    consumer.subscribe(topics.CLAIM_DENIED, work_denials)

