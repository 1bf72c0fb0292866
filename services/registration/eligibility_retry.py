"""Asks a payer again when its 271 does not come in time, with a doubling delay; after the last
attempt the encounter is held (ELIGIBILITY_TIMEOUT). Runs in the registration process."""

from __future__ import annotations


from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.registration import eligibility
from services.registration.repository import RegistrationRepository
from shared import topics
from shared.clock import Clock
from shared.envelope import new_event
from shared.events import EligibilityRequested, EncounterHeldForEligibility
from shared.ids import new_id
from shared.periodic import Periodic
from shared.mongo import AsyncMongoClient, in_transaction
from shared.outbox import OutboxRelay, outbox_document

SERVICE = "registration"


class EligibilityRetrier:
    def __init__(self, client: AsyncMongoClient, database: AsyncDatabase, registrations: RegistrationRepository,
                 relay: OutboxRelay, clock: Clock, *, timeout_seconds: float, max_attempts: int,
                 poll_seconds: float) -> None:
        self._client = client
        self._outbox = database["outbox"]
        self._registrations = registrations
        self._relay = relay
        self._clock = clock
        self._timeout = timeout_seconds
        self._max_attempts = max_attempts
        self._passes = Periodic("registration-eligibility-retry", poll_seconds, self._pass)

    def start(self) -> None:
        self._passes.start()

    async def stop(self) -> None:
        await self._passes.stop()

    async def _pass(self) -> None:
        if await in_transaction(self._client, self.pass_once):
            self._relay.wake()

    async def pass_once(self, session: AsyncClientSession) -> int:
        """Ask again, or hold, every encounter whose answer is overdue; return how many."""
        now = self._clock.now()
        due = await self._registrations.due_for_retry(now, session)
        rows = []
        for tenant_id, attempts, encounter in due:
            encounter_id = encounter.encounter_id
            if attempts >= self._max_attempts:
                finding = eligibility.timed_out(attempts)
                await self._registrations.hold_for_eligibility(tenant_id, encounter_id, finding, now, session,
                                                               encounter=encounter)
                payload = EncounterHeldForEligibility(encounter_id=encounter_id, findings=(finding,))
                topic = topics.ENCOUNTER_HELD_FOR_ELIGIBILITY
            else:
                attempt = attempts + 1
                inquiry_id = new_id("elg")
                await self._registrations.ask_again(encounter_id, inquiry_id, attempt,
                                                    now + eligibility.retry_delay(attempt, self._timeout), session)
                payload = EligibilityRequested(inquiry_id=inquiry_id, encounter_id=encounter_id,
                                               payer_id=encounter.coverages[0].payer_id, attempt=attempt,
                                               x12=eligibility.inquiry_270(encounter, inquiry_id, now))
                topic = topics.ELIGIBILITY_REQUESTED
            event = new_event(topic, payload, producer=SERVICE, now=now, tenant_id=tenant_id, correlation_id=encounter_id)
            rows.append(outbox_document(topic, event))
        if rows:
            await self._outbox.insert_many(rows, session=session)
        return len(rows)
