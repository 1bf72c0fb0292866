"""Registration's subscribers: visits from the EHR feeds become registered encounters, after an
eligibility check when RCM_REGISTRATION_VERIFY_ELIGIBILITY is on."""

from __future__ import annotations

from collections.abc import Sequence

from services.registration import domain, eligibility
from services.registration.repository import RegistrationRepository
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import (
    EligibilityRequested, EligibilityResponded, EncounterHeldForEligibility, EncounterRegistered, RegistrationRequested,
)
from shared.ids import encounter_id_for, new_id


def subscribe(consumer: Consumer, registrations: RegistrationRepository, *, verify_eligibility: bool = False,
              eligibility_timeout_seconds: float = 30.0) -> None:
    async def register_visits(events: Sequence[Envelope[RegistrationRequested]], unit: UnitOfWork) -> None:
        """Register each new visit and pass it on to coding (or ask the payer first); a visit sent
        again registers nothing."""
        ids = [encounter_id_for(e.tenant_id, e.payload.visit.visit_number) for e in events]
        known = await registrations.registered(ids, unit.session)
        registered, tenant_of, inquiries = [], {}, {}
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
            if verify_eligibility:
                inquiry_id = new_id("elg")
                inquiries[encounter_id] = (inquiry_id, unit.now + eligibility.retry_delay(1, eligibility_timeout_seconds))
                unit.emit(topics.ELIGIBILITY_REQUESTED, EligibilityRequested(
                    inquiry_id=inquiry_id, encounter_id=encounter_id, payer_id=encounter.coverages[0].payer_id,
                    attempt=1, x12=eligibility.inquiry_270(encounter, inquiry_id, unit.now)),
                    cause=event, correlation_id=encounter_id)
            else:
                unit.emit(topics.ENCOUNTER_REGISTERED, encounter, cause=event, correlation_id=encounter_id)
        await registrations.save(tenant_of, registered, unit.session, inquiries=inquiries)

    async def read_eligibility_answers(events: Sequence[Envelope[EligibilityResponded]], unit: UnitOfWork) -> None:
        """Active coverage: the encounter goes on to coding. Otherwise it is held in the work queue."""
        waiting = await registrations.awaiting_eligibility([e.payload.inquiry_id for e in events], unit.session)
        for event in events:
            found = waiting.pop(event.payload.inquiry_id, None)
            if found is None:
                continue  # an answer to an older attempt, or one already read
            tenant_id, encounter = found
            finding = eligibility.verdict(event.payload.x12, event.payload.inquiry_id)
            await hold_or_release(unit, tenant_id, encounter, finding, cause=event)

    async def hold_or_release(unit: UnitOfWork, tenant_id: str, encounter: EncounterRegistered, finding, *, cause) -> None:
        if finding is None:
            await registrations.set_status(encounter.encounter_id, "registered", unit.session)
            await registrations.released_from_review(encounter.encounter_id, unit.session)
            unit.emit(topics.ENCOUNTER_REGISTERED, encounter, cause=cause, correlation_id=encounter.encounter_id)
        else:
            await registrations.hold_for_eligibility(tenant_id, encounter.encounter_id, finding, unit.now, unit.session,
                                                     encounter=encounter)
            unit.emit(topics.ENCOUNTER_HELD_FOR_ELIGIBILITY,
                      EncounterHeldForEligibility(encounter_id=encounter.encounter_id, findings=(finding,)),
                      cause=cause, correlation_id=encounter.encounter_id)

    consumer.subscribe(topics.REGISTRATION_REQUESTED, register_visits)
    # Always subscribed, even with the check off: answers to inquiries still waiting are read (an
    # answer to nothing is ignored), and the topic map and the Kafka ACLs derived from the
    # subscribers let the check be turned on without a redeploy of the manifests.
    consumer.subscribe(topics.ELIGIBILITY_RESPONDED, read_eligibility_answers)
