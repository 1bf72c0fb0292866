"""Payments' subscribers: remember submitted claims, then post each 835 to them.

An 835 claim that names a claim payments has not heard of goes to the unapplied-cash queue with
the remittance kept. The submission may simply not have been read yet (the two topics are not
ordered with each other): when it arrives, the parked cash is matched and posted then."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.payments import domain
from services.payments.ledgers import Ledgers
from services.payments.patient_billing import patient_id_of
from services.payments.posting_unit import DEFAULT_TOLERANCE, Posting, posting_id_of
from services.payments.repository import PaymentsRepository
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.events import ClaimBatchSubmitted, RemittanceReceived

__all__ = ["Posting", "posting_id_of", "subscribe"]


def subscribe(consumer, payments: PaymentsRepository, ledgers: Ledgers | None = None,
              tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
    async def remember_submitted_claims(events: Sequence[Envelope[ClaimBatchSubmitted]], unit: UnitOfWork) -> None:
        """Keep each submitted claim's lines and charges, and post cash that was waiting for it."""
        claims = [domain.expected_claim(e.tenant_id, claim) for e in events for claim in e.payload.claims]
        await payments.remember(claims, unit.session)
        for e in events:
            await payments.remember_patients(e.tenant_id, {patient_id_of(e.tenant_id, c.patient): c.patient
                                                           for c in e.payload.claims}, unit.session)
        cause_of = {claim.claim_id: e for e in events for claim in e.payload.claims}
        waiting = await payments.unapplied_for([c.claim_id for c in claims], domain.UNAPPLIED_CLAIM_NOT_FOUND, unit.session)
        if not waiting:
            return
        expected = {c.claim_id: c for c in claims}
        posting = Posting(payments, unit, ledgers, tolerance)
        parked = [(RemittanceReceived.model_validate_json(row["remittance"]), row) for row in waiting]
        # In the payer's order: an original before the later 835 that reverses it, and within one 835
        # the reversal before its correction, so each reversal finds the posting it takes back.
        parked.sort(key=lambda item: (item[0].payment_date, item[0].remittance_id,
                                      item[0].claims[0].status_code != domain.ClaimPaymentStatus.REVERSAL))
        for remittance, row in parked:
            await posting.post(remittance, remittance.claims[0], expected[row["claim_ref"]], cause=cause_of[row["claim_ref"]])
        await payments.forget_unapplied([row["_id"] for row in waiting], unit.session)
        await posting.save()

    async def post_remittances(events: Sequence[Envelope[RemittanceReceived]], unit: UnitOfWork) -> None:
        """Post every claim of every balanced 835 exactly once; hold what does not add up or match."""
        expected = await payments.expected((c.claim_id for e in events for c in e.payload.claims), unit.session)
        done = await payments.posted_or_parked(
            [posting_id_of(e.payload, c) for e in events for c in e.payload.claims], unit.session)
        posting = Posting(payments, unit, ledgers, tolerance)
        for event in events:
            remittance = event.payload
            try:
                domain.check_balance(remittance)
            except domain.RemittanceOutOfBalance as refused:
                await posting.hold(remittance, refused, event)
                unit.dead_letter(event, refused)
                continue
            await posting.post_provider_adjustments(remittance, cause=event)
            for paid_claim in remittance.claims:
                posting_id = posting_id_of(remittance, paid_claim)
                if posting_id in done:
                    continue  # this 835 (or this claim of it) was posted or parked before
                done.add(posting_id)
                await posting.post(remittance, paid_claim, expected.get(paid_claim.claim_id), cause=event)
        await posting.save()

    consumer.subscribe(topics.CLAIM_BATCH_SUBMITTED, remember_submitted_claims)
    consumer.subscribe(topics.REMITTANCE_RECEIVED, post_remittances)
