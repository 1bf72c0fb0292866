"""Registration's subscriber: visits from the EHR feeds become registered encounters."""

from __future__ import annotations

from collections.abc import Sequence

from services.registration import domain
from services.registration.repository import RegistrationRepository
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import RegistrationRequested
from shared.ids import encounter_id_for


def subscribe(consumer: Consumer, registrations: RegistrationRepository) -> None:
    async def register_visits(events: Sequence[Envelope[RegistrationRequested]], unit: UnitOfWork) -> None:
        """Register each new visit and pass it on to coding; a visit sent again registers nothing."""
        ids = [encounter_id_for(e.tenant_id, e.payload.visit.visit_number) for e in events]
        known = await registrations.registered(ids, unit.session)
        registered, tenant_of = [], {}
        for event, encounter_id in zip(events, ids):
            if encounter_id in known:
                continue  # the feed re-sent a visit: already registered, nothing to do
            try:
                encounter = domain.register(event.payload, event.tenant_id)
            except domain.RegistrationError as refused:
                unit.dead_letter(event, refused)
                continue
            known.add(encounter_id)
            registered.append(encounter)
            tenant_of[encounter_id] = event.tenant_id
            unit.emit(topics.ENCOUNTER_REGISTERED, encounter, cause=event, correlation_id=encounter_id)
        await registrations.save(tenant_of, registered, unit.session)

    consumer.subscribe(topics.REGISTRATION_REQUESTED, register_visits)
