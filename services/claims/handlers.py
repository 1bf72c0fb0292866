"""Claims' subscribers: open and submit claims for coded encounters, then follow each claim through
acknowledgement, adjudication and denial work. Each handler loads the batch's claims once, applies
the domain, and saves and emits in the batch's transaction (ClaimWork)."""

from __future__ import annotations

from collections.abc import Sequence

from services.claims import checks, domain, edi
from services.claims.repository import ClaimRepository
from services.claims.work import ClaimWork, Filer
from shared import topics
from shared.consumer import Consumer, UnitOfWork
from shared.envelope import Envelope
from shared.events import (
    ClaimResubmitRequested, ClaimSecondaryRequested, DenialWorked, EncounterCoded, PaymentPosted, X12FileReceived,
)
from shared.ids import new_id
from shared.x12 import X12Error, read, validate
from shared.x12.errors import rejection


def subscribe(consumer: Consumer, claims: ClaimRepository, *, claims_per_batch: int, filer: Filer) -> None:
    async def open_claims_for_coded_encounters(events: Sequence[Envelope[EncounterCoded]], unit: UnitOfWork) -> None:
        """Open, scrub and submit a claim for each coded encounter that has none yet. The scrubber
        sees what earlier claims billed (the duplicate rule), and what passes is remembered."""
        work = ClaimWork(claims, unit, claims_per_batch=claims_per_batch, filer=filer)
        opened = await claims.encounters_with_claims([e.payload.encounter_id for e in events], unit.session)
        pending = []
        for event in events:
            if event.payload.encounter_id in opened:
                continue
            opened.add(event.payload.encounter_id)
            pending.append((event, domain.claim_content(event.payload, claim_id=new_id("clm"))))
        history = await claims.billed_history((s for _, c in pending for s in checks.billed(c)), unit.session)
        audit = checks.ClaimChecks(history=history)
        for event, content in pending:
            outcome = domain.open_claim(event.payload, claim_id=content.claim_id, tenant_id=event.tenant_id,
                                        today=unit.now.date(), checks=audit)
            work.record(outcome, cause=event)
        await claims.record_billed(audit.passed, unit.session)
        await work.finish()

    async def apply_to_claims(events: Sequence[Envelope], unit: UnitOfWork, claim_ids_of, decide) -> None:
        """Load the batch's claims once, apply `decide(claim, event, payload_item, today)` to each
        claim an event names, then save, emit and submit in the batch's transaction."""
        work = ClaimWork(claims, unit, claims_per_batch=claims_per_batch, filer=filer)
        await work.load(claim_id for e in events for claim_id, _ in claim_ids_of(e))
        today = unit.now.date()
        for event in events:
            for claim_id, item in claim_ids_of(event):
                await work.apply(event, claim_id, lambda claim, i=item: decide(claim, i, today))
        await work.finish()

    async def record_acknowledgements(events: Sequence[Envelope[X12FileReceived]], unit: UnitOfWork) -> None:
        """Read the clearinghouse's 999 and 277CA files: a rejected set or claim goes to the
        rejection work queue; an accepted claim waits for the 835. A file that cannot be read or
        does not validate is dead-lettered whole: nothing of it is applied."""
        answered = []
        for event in events:
            try:
                document = read(event.payload.x12)
                validate(document, received=True).raise_if_invalid()
                sent = await claims.sent_batches(edi.groups_answered(document), unit.session)
                answered.append((event, edi.answers(document, sent)))
            except X12Error as refused:
                unit.dead_letter(event, rejection(refused))
        work = ClaimWork(claims, unit, claims_per_batch=claims_per_batch, filer=filer)
        await work.load(ack.claim_id for _, pairs in answered for _, ack in pairs)
        for event, pairs in answered:
            for _, ack in pairs:
                await work.apply(event, ack.claim_id, lambda claim, a=ack: domain.acknowledge(claim, a))
        await work.finish()

    async def record_adjudications(events: Sequence[Envelope[PaymentPosted]], unit: UnitOfWork) -> None:
        """A posted remittance claim makes the claim paid, partially paid or denied."""
        await apply_to_claims(events, unit, lambda e: [(e.payload.claim_id, e.payload)],
                              lambda claim, posted, today: domain.adjudicate(claim, posted))

    async def record_denial_work(events: Sequence[Envelope[DenialWorked]], unit: UnitOfWork) -> None:
        """Appealed or written-off denials close the claim's automated cycle."""
        await apply_to_claims(events, unit, lambda e: [(e.payload.claim_id, e.payload)],
                              lambda claim, worked, today: domain.work_denial(claim, worked))

    async def correct_denied_claims(events: Sequence[Envelope[ClaimResubmitRequested]], unit: UnitOfWork) -> None:
        """Send a corrected claim (frequency 7) for a denial the denials team can fix."""
        await apply_to_claims(events, unit, lambda e: [(e.payload.claim_id, e.payload)],
                              lambda claim, request, today: domain.correct(claim, request, today))

    async def open_secondary_claims(events: Sequence[Envelope[ClaimSecondaryRequested]], unit: UnitOfWork) -> None:
        """A primary left a balance and another coverage follows: send the COB claim (837P with the
        primary's adjudication in 2320/2330/2430) to the next payer. Its id is stable per primary
        claim, so a request read twice opens one claim."""
        work = ClaimWork(claims, unit, claims_per_batch=claims_per_batch, filer=filer)
        cob_ids = {e.payload.claim_id: domain.secondary_claim_id(e.payload.claim_id) for e in events}
        await work.load([*cob_ids, *cob_ids.values()])
        today = unit.now.date()
        for event in events:
            cob_id = cob_ids[event.payload.claim_id]
            if work.has(cob_id):
                continue
            await work.apply(event, event.payload.claim_id,
                             lambda primary, e=event, i=cob_id: domain.open_secondary(primary, e.payload, claim_id=i,
                                                                                      today=today))
        await work.finish()

    consumer.subscribe(topics.ENCOUNTER_CODED, open_claims_for_coded_encounters)
    consumer.subscribe(topics.CLAIM_SECONDARY_REQUESTED, open_secondary_claims)
    consumer.subscribe(topics.CLEARINGHOUSE_ACKNOWLEDGED, record_acknowledgements)
    consumer.subscribe(topics.PAYMENT_POSTED, record_adjudications)
    consumer.subscribe(topics.DENIAL_WORKED, record_denial_work)
    consumer.subscribe(topics.CLAIM_RESUBMIT_REQUESTED, correct_denied_claims)
