"""Coding's subscriber: validate codes and price each registered encounter, or park it for a coder."""

from __future__ import annotations

from collections.abc import Sequence

from services.coding import domain
from services.coding.repository import CodingRepository
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import EncounterRegistered


def subscribe(consumer: Consumer, coding: CodingRepository) -> None:
    async def code_registered_encounters(events: Sequence[Envelope[EncounterRegistered]], unit: UnitOfWork) -> None:
        """Coded encounters go on to claims; held ones wait in the coding review queue."""
        done = await coding.handled([e.payload.encounter_id for e in events], unit.session)
        chargemasters = await coding.chargemasters({e.tenant_id for e in events}, unit.session)
        writes = []
        for event in events:
            encounter = event.payload
            if encounter.encounter_id in done:
                continue
            done.add(encounter.encounter_id)
            result = domain.code_encounter(encounter, chargemasters[event.tenant_id])
            if isinstance(result, domain.Coded):
                writes.append(coding.coded(event.tenant_id, encounter, result.payload.total_charge))
                unit.emit(topics.ENCOUNTER_CODED, result.payload, cause=event)
            else:
                writes.append(coding.held(event.tenant_id, encounter, result.findings))
                unit.emit(topics.ENCOUNTER_HELD_FOR_CODING, result.payload, cause=event)
        await coding.save(writes, unit.session)

    consumer.subscribe(topics.ENCOUNTER_REGISTERED, code_registered_encounters)
