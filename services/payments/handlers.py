"""Payments' subscribers: remember submitted claims, then post each 835 to them.

An 835 claim that names a claim payments has not heard of goes to the unapplied-cash queue with
the remittance kept. The submission may simply not have been read yet (the two topics are not
ordered with each other): when it arrives, the parked cash is matched and posted then."""

from __future__ import annotations

from collections.abc import Sequence

from services.payments import domain
from services.payments.repository import PaymentsRepository
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.events import ClaimBatchFiled, RemittanceClaim, RemittanceReceived, X12FileReceived
from shared.ids import stable_id
from shared.x12 import X12Error, read, validate
from shared.x12.errors import rejection


def posting_id_of(remittance: RemittanceReceived, paid_claim: RemittanceClaim) -> str:
    return stable_id("pst", remittance.remittance_id, paid_claim.claim_id, paid_claim.status_code.value)


class Posting:
    """Posts remittance claims inside one batch transaction."""

    def __init__(self, payments: PaymentsRepository, unit: UnitOfWork) -> None:
        self._payments = payments
        self._unit = unit
        self.postings: list = []
        self.tenant_of: dict[str, str] = {}
        self.unapplied: list[dict] = []

    def post(self, remittance: RemittanceReceived, paid_claim: RemittanceClaim,
             expected: domain.ExpectedClaim | None, *, cause: Envelope) -> None:
        posting_id = posting_id_of(remittance, paid_claim)
        try:
            result = domain.post_claim(remittance, paid_claim, expected, posting_id=posting_id,
                                       denial_id=stable_id("den", remittance.remittance_id, paid_claim.claim_id))
        except domain.PaymentsError as refused:
            self._park(remittance, paid_claim, refused.code, cause)
            return
        if isinstance(result, domain.Unapplied):
            self._park(remittance, paid_claim, result.reason_code, cause)
            return
        self.postings.append(result.payment)
        self.tenant_of[posting_id] = expected.tenant_id
        self._unit.emit(topics.PAYMENT_POSTED, result.payment, cause=cause, tenant_id=expected.tenant_id,
                        correlation_id=expected.encounter_id)
        if result.denial is not None:
            self._unit.emit(topics.CLAIM_DENIED, result.denial, cause=cause, tenant_id=expected.tenant_id,
                            correlation_id=expected.encounter_id)

    def _park(self, remittance: RemittanceReceived, paid_claim: RemittanceClaim, reason_code: str, cause: Envelope) -> None:
        alone = remittance.model_copy(update={"claims": (paid_claim,), "payment_amount": paid_claim.paid,
                                              "provider_adjustments": ()})
        self.unapplied.append({
            "_id": posting_id_of(remittance, paid_claim), "remittance_id": remittance.remittance_id,
            "claim_ref": paid_claim.claim_id, "reason_code": reason_code, "amount": paid_claim.paid,
            "tenant_id": cause.tenant_id, "remittance": alone.model_dump_json()})

    async def save(self) -> None:
        await self._payments.save_postings(self.tenant_of, self.postings, self._unit.session)
        await self._payments.park_unapplied(self.unapplied, self._unit.session)


def remittances_in(event: Envelope[X12FileReceived]) -> list[RemittanceReceived]:
    """Every remittance of an 835 file; raises X12Error if the file cannot be read, does not
    validate, or carries something the contract cannot hold, so none of it is posted."""
    document = read(event.payload.x12)
    validate(document).raise_if_invalid()
    return [remittance.to_event() for remittance in document.remittances()]


def subscribe(consumer, payments: PaymentsRepository) -> None:
    async def remember_submitted_claims(events: Sequence[Envelope[ClaimBatchFiled]], unit: UnitOfWork) -> None:
        """Keep each submitted claim's lines and charges, read from the 837 that went out, and
        post cash that was waiting for it."""
        claims, cause_of = [], {}
        for event in events:
            try:
                batches = read(event.payload.x12).claim_batches()
            except X12Error as refused:
                unit.dead_letter(event, rejection(refused))
                continue
            filed = {claim.claim_id: claim for claim in event.payload.claims}
            for claim in (claim for batch in batches for claim in batch.claims):
                if claim.claim_id in filed:
                    claims.append(domain.expected_claim(event.tenant_id, claim, filed[claim.claim_id]))
                    cause_of[claim.claim_id] = event
        await payments.remember(claims, unit.session)
        waiting = await payments.unapplied_for([c.claim_id for c in claims], domain.UNAPPLIED_CLAIM_NOT_FOUND, unit.session)
        if not waiting:
            return
        expected = {c.claim_id: c for c in claims}
        posting = Posting(payments, unit)
        for row in waiting:
            remittance = RemittanceReceived.model_validate_json(row["remittance"])
            posting.post(remittance, remittance.claims[0], expected[row["claim_ref"]], cause=cause_of[row["claim_ref"]])
        await payments.forget_unapplied([row["_id"] for row in waiting], unit.session)
        await posting.save()

    async def post_remittances(events: Sequence[Envelope[X12FileReceived]], unit: UnitOfWork) -> None:
        """Post every claim of every valid, balanced 835 exactly once; hold what does not read,
        add up or match."""
        received: list[tuple[Envelope, RemittanceReceived]] = []
        for event in events:
            try:
                received.extend((event, remittance) for remittance in remittances_in(event))
            except X12Error as refused:
                reason = rejection(refused)
                await payments.hold_remittance({"_id": event.payload.file_id, "reason_code": reason.code,
                                                "reason": str(reason), "payer_id": event.payload.sender_id},
                                               unit.session)
                unit.dead_letter(event, reason)
        expected = await payments.expected((c.claim_id for _, r in received for c in r.claims), unit.session)
        done = await payments.posted_or_parked(
            [posting_id_of(r, c) for _, r in received for c in r.claims], unit.session)
        posting = Posting(payments, unit)
        for event, remittance in received:
            try:
                domain.check_balance(remittance)
            except domain.RemittanceOutOfBalance as refused:
                await payments.hold_remittance({"_id": remittance.remittance_id, "reason_code": refused.code,
                                                "reason": str(refused), "payer_id": remittance.payer_id}, unit.session)
                unit.dead_letter(event, refused)
                continue
            for paid_claim in remittance.claims:
                posting_id = posting_id_of(remittance, paid_claim)
                if posting_id in done:
                    continue  # this 835 (or this claim of it) was posted or parked before
                done.add(posting_id)
                posting.post(remittance, paid_claim, expected.get(paid_claim.claim_id), cause=event)
        await posting.save()

    consumer.subscribe(topics.CLAIM_BATCH_SUBMITTED, remember_submitted_claims)
    consumer.subscribe(topics.REMITTANCE_RECEIVED, post_remittances)
