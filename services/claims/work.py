"""ClaimWork: the claims of one consumed batch, changed in memory and saved once.

It applies domain decisions, queues their status events, parks facts that arrived before the fact
they follow (domain.NotYet) and applies them when the claim has moved, and submits the claims that
came out of scrubbing as clearinghouse batches per tenant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.claims import domain, edi
from services.claims.lifecycle import ClaimsError
from services.claims.repository import ClaimRepository
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope, decode, encode
from shared.events import ClaimScrubFailed, ClaimStatus
from shared.ids import new_id
from shared.x12.mongo_control_numbers import MongoControlNumbers
from shared.x12.writers.claim import CLAIMS_PER_TRANSACTION_SET

Decide = Callable[[domain.Claim], domain.Outcome]


# Facts that may be parked, by the event type stored with them: their topic and how to apply them.
_PARKABLE = {
    topics.DENIAL_WORKED.event_type: (topics.DENIAL_WORKED, lambda claim, payload, today: domain.work_denial(claim, payload)),
    topics.CLAIM_RESUBMIT_REQUESTED.event_type: (
        topics.CLAIM_RESUBMIT_REQUESTED, lambda claim, payload, today: domain.correct(claim, payload, today)),
    topics.CLAIM_SECONDARY_REQUESTED.event_type: (
        topics.CLAIM_SECONDARY_REQUESTED, lambda claim, payload, today: domain.open_secondary(
            claim, payload, claim_id=domain.secondary_claim_id(payload.claim_id), today=today)),
}


@dataclass(frozen=True, slots=True)
class Filer:
    """What filing an 837P needs from outside the domain: who we are and the control numbers."""

    submitter: edi.Submitter837
    control_numbers: MongoControlNumbers

    async def reserve(self, claim_count: int):
        return await self.control_numbers.reserve(
            self.submitter.sender_id, transaction_sets=-(-claim_count // CLAIMS_PER_TRANSACTION_SET))


class UnknownClaim(ClaimsError):
    code = "UNKNOWN_CLAIM"


class ClaimWork:
    def __init__(self, repository: ClaimRepository, unit: UnitOfWork, *, claims_per_batch: int,
                 filer: Filer) -> None:
        self._repository = repository
        self._filer = filer
        self._unit = unit
        self._claims: dict[str, domain.Claim] = {}
        self._changed: set[str] = set()
        self._causes: dict[str, Envelope] = {}
        self._claims_per_batch = claims_per_batch

    async def load(self, claim_ids: Iterable[str]) -> None:
        self._claims.update(await self._repository.load(claim_ids, self._unit.session))

    def has(self, claim_id: str) -> bool:
        return claim_id in self._claims

    def get(self, claim_id: str) -> domain.Claim | None:
        return self._claims.get(claim_id)

    def record(self, outcome: domain.Outcome, *, cause: Envelope | None) -> None:
        """Keep the claim as `outcome` left it and queue its status events. `cause` is None for a
        person's action (the claims API): its events have no causing event."""
        claim = outcome.claim
        if outcome.changes or self._claims.get(claim.claim_id) is not claim:
            self._changed.add(claim.claim_id)  # a status change, or a person's (take, edit, release)
        self._claims[claim.claim_id] = claim
        self._causes[claim.claim_id] = cause
        for change in outcome.changes:
            self._unit.emit(topics.CLAIM_STATUS_CHANGED, change, cause=cause, tenant_id=claim.tenant_id,
                            correlation_id=claim.encounter_id)
            if change.status is ClaimStatus.SCRUB_FAILED and change.findings:
                self._unit.emit(topics.CLAIM_SCRUB_FAILED, ClaimScrubFailed(
                    claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.payer_id,
                    frequency_code=claim.content.frequency_code, findings=change.findings),
                    cause=cause, tenant_id=claim.tenant_id, correlation_id=claim.encounter_id)

    async def apply(self, event: Envelope, claim_id: str, decide: Decide) -> bool:
        """Apply `decide` to the claim; False when it was parked for later or refused."""
        claim = self._claims.get(claim_id)
        if claim is None:
            self._unit.dead_letter(event, UnknownClaim(f"no claim {claim_id} in this service"))
            return False
        try:
            outcome = decide(claim)
        except domain.NotYet:
            await self._repository.defer(claim_id, event.event_type, str(event.event_id), encode(event),
                                         self._unit.session)
            return False
        except ClaimsError as refused:
            self._unit.dead_letter(event, refused)
            return False
        self.record(outcome, cause=event)
        return True

    async def finish(self) -> None:
        await self._apply_deferred()
        await self._submit_scrubbed()
        await self._repository.save((self._claims[i] for i in self._changed), self._unit.session)

    async def _apply_deferred(self) -> None:
        today = self._unit.now.date()
        tried: set[str] = set()
        while True:
            parked = [d for d in await self._repository.deferred_for(self._changed, self._unit.session)
                      if d["_id"] not in tried]
            if not parked:
                return
            applied = []
            for row in parked:
                tried.add(row["_id"])
                topic, apply = _PARKABLE[row["topic"]]
                envelope = decode(topic, row["value"])
                decide = lambda claim, p=envelope.payload, apply=apply: apply(claim, p, today)  # noqa: E731
                if await self._apply_parked(envelope, topic, row["claim_id"], decide):
                    applied.append(row["_id"])
            await self._repository.forget_deferred(applied, self._unit.session)
            if not applied:
                return
            tried.difference_update(applied)

    async def _apply_parked(self, envelope: Envelope, topic: topics.Topic, claim_id: str, decide: Decide) -> bool:
        claim = self._claims.get(claim_id)
        try:
            outcome = decide(claim)
        except domain.NotYet:
            return False
        except ClaimsError as refused:
            self._unit.dead_letter(envelope, refused, topic=topic)
            return True  # parked for a person now; nothing left to wait for
        self.record(outcome, cause=envelope)
        return True

    async def _submit_scrubbed(self) -> None:
        ready: dict[str, list[domain.Claim]] = defaultdict(list)
        for claim_id in sorted(self._changed):
            claim = self._claims[claim_id]
            if claim.status is ClaimStatus.SCRUBBED and claim.assignee is None:  # a person holds the others
                ready[claim.tenant_id].append(claim)
        for tenant_id, claims in ready.items():
            for start in range(0, len(claims), self._claims_per_batch):
                await self._file(tenant_id, claims[start:start + self._claims_per_batch])

    async def _file(self, tenant_id: str, claims: list[domain.Claim]) -> None:
        """Send `claims` as one 837P batch; a claim whose 837P does not validate is held instead."""
        batch_id = new_id("bat")
        while claims:
            filing = edi.file_batch([claim.content for claim in claims], batch_id=batch_id,
                                    submitter=self._filer.submitter,
                                    control_numbers=await self._filer.reserve(len(claims)), created=self._unit.now,
                                    prior_payers={c.claim_id: c.prior_payers for c in claims if c.cob is not None})
            for claim_id, findings in filing.held.items():
                self.record(domain.hold_unfileable(self._claims[claim_id], findings), cause=self._causes[claim_id])
            claims = [claim for claim in claims if claim.claim_id not in filing.held]
            if filing.batch is not None:
                break
        else:
            return
        outcomes, batch = domain.submit(claims, filing.batch, batch_id=batch_id)
        for outcome in outcomes:
            self.record(outcome, cause=self._causes[outcome.claim.claim_id])
        await self._repository.remember_batch(tenant_id, batch_id, filing.batch, self._unit.session)
        self._unit.emit(topics.CLAIM_BATCH_SUBMITTED, batch, tenant_id=tenant_id, correlation_id=batch_id)
