"""Coding's subscriber: validate codes and price each registered encounter, or park it for a coder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from services.coding import domain
from services.coding.repository import CodingRepository
from services.coding.review import documentation_findings
from services.coding.suggestions import NoteReading, SuggestionIndex
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import EncounterRegistered


def subscribe(consumer: Consumer, coding: CodingRepository, index: Callable[[], SuggestionIndex] | None,
              on_disagreement: str = "warn") -> None:
    """`index` gives the suggestion index (built at start); None or `on_disagreement` "off" skips
    the note checks. "hold" makes a note that does not back the principal diagnosis hold the encounter."""
    checks_notes = index is not None and on_disagreement != "off"
    severity = "error" if on_disagreement == "hold" else "warning"

    async def code_registered_encounters(events: Sequence[Envelope[EncounterRegistered]], unit: UnitOfWork) -> None:
        """Coded encounters go on to claims; held ones wait in the coding review queue."""
        done = await coding.handled([e.payload.encounter_id for e in events], unit.session)
        chargemasters = await coding.chargemasters({e.tenant_id for e in events}, unit.session)
        readings = await asyncio.to_thread(_read_notes, index() if checks_notes else None, events)  # type: ignore[misc]
        writes = []
        for event in events:
            encounter = event.payload
            if encounter.encounter_id in done:
                continue
            done.add(encounter.encounter_id)
            reading = readings.get(encounter.encounter_id)
            documentation = () if reading is None else documentation_findings(
                reading, encounter.diagnoses, index(), severity)  # type: ignore[misc]
            result = domain.code_encounter(encounter, chargemasters[event.tenant_id], documentation)
            if isinstance(result, domain.Coded):
                writes.append(coding.coded(event.tenant_id, encounter, result.payload.total_charge, reading,
                                           result.warnings))
                unit.emit(topics.ENCOUNTER_CODED, result.payload, cause=event)
            else:
                writes.append(coding.held(event.tenant_id, encounter, result.findings, reading, result.warnings))
                unit.emit(topics.ENCOUNTER_HELD_FOR_CODING, result.payload, cause=event)
        await coding.save(writes, unit.session)

    consumer.subscribe(topics.ENCOUNTER_REGISTERED, code_registered_encounters)


def _read_notes(index: SuggestionIndex | None, events: Sequence[Envelope[EncounterRegistered]]) -> dict[str, NoteReading]:
    """Suggestions for every encounter with a note (an encounter without one skips the checks)."""
    if index is None:
        return {}
    return {e.payload.encounter_id: index.read(e.payload.note) for e in events if e.payload.note}
