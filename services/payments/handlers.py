"""Payments' subscribers: remember submitted claims, then post each 835 to them.

An 835 claim that names a claim payments has not heard of goes to the unapplied-cash queue with
the remittance kept. The submission may simply not have been read yet (the two topics are not
ordered with each other): when it arrives, the parked cash is matched and posted then."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.payments import domain
from services.payments.ledgers import Ledgers
from services.payments.posting_unit import DEFAULT_TOLERANCE, Posting, posting_id_of
from services.payments.repository import PaymentsRepository
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.events import ClaimBatchFiled, Patient, RemittanceReceived, Sex, X12FileReceived
from shared.x12 import Claim837, X12Error, read, validate
from shared.x12.errors import Issue, rejection

__all__ = ["Posting", "posting_id_of", "read_remittances", "remittances_in", "subscribe"]


def remittances_in(event: Envelope[X12FileReceived]) -> list[RemittanceReceived]:
    """Every remittance of an 835 file; raises X12Error if the file cannot be read, its money
    does not add up, a set cannot be mapped, or it carries something the contract cannot hold,
    so none of it is posted. Other defects do not stop the money: see `read_remittances`."""
    return read_remittances(event)[0]


MAX_FLAGGED = 20  # defects kept per flagged file; `defect_count` tells the full number


def read_remittances(event: Envelope[X12FileReceived]) -> tuple[list[RemittanceReceived], list[Issue]]:
    """The remittances of an 835 as received (validate(received=True)), with the defects that do
    not change the money (a payee NPI with a wrong check digit, a code the guide does not list):
    the file is posted and those are flagged."""
    document = read(event.payload.x12)
    report = validate(document, received=True)
    report.raise_if_invalid()
    return [remittance.to_event() for remittance in document.remittances()], list(report.warnings)


def flagged_file(event: Envelope[X12FileReceived], defects: list[Issue]) -> dict:
    """What is kept about an 835 posted with defects: PHI-free findings (segment positions, ids, codes)."""
    return {"_id": event.payload.file_id, "payer_id": event.payload.sender_id, "defect_count": len(defects),
            "defects": [str(issue)[:300] for issue in defects[:MAX_FLAGGED]]}


def statement_patient(claim: Claim837, patient_id: str) -> Patient | None:
    """Who a statement goes to, as the 837 named the patient (sealed by the repository). The
    opaque patient id stands as the account number; None when the 837 lacks a name or address."""
    person = claim.patient or claim.subscriber.person
    if person.address is None or person.birth_date is None or not person.first_name:
        return None
    address = person.address
    return Patient(mrn=patient_id, first_name=person.first_name, last_name=person.last_name,
                   birth_date=person.birth_date, sex=Sex(person.sex or "U"),
                   address={"line1": address.line1, "city": address.city, "state": address.state,
                            "postal_code": address.postal_code})


def subscribe(consumer, payments: PaymentsRepository, ledgers: Ledgers | None = None,
              tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
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
            patients = {}
            for claim in (claim for batch in batches for claim in batch.claims):
                record = filed.get(claim.claim_id)
                if record is None:
                    continue
                claims.append(domain.expected_claim(event.tenant_id, claim, record))
                cause_of[claim.claim_id] = event
                if record.patient_id is not None and (patient := statement_patient(claim, record.patient_id)):
                    patients[record.patient_id] = patient
            if patients:
                await payments.remember_patients(event.tenant_id, patients, unit.session)
        await payments.remember(claims, unit.session)
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

    async def post_remittances(events: Sequence[Envelope[X12FileReceived]], unit: UnitOfWork) -> None:
        """Post every claim of every valid, balanced 835 exactly once; hold what does not read,
        add up or match."""
        received: list[tuple[Envelope, RemittanceReceived]] = []
        for event in events:
            try:
                remittances, defects = read_remittances(event)
                received.extend((event, remittance) for remittance in remittances)
                if defects:
                    await payments.flag_remittance_file(flagged_file(event, defects), unit.session)
            except X12Error as refused:
                reason = rejection(refused)
                await payments.hold_remittance({"_id": event.payload.file_id, "reason_code": reason.code,
                                                "reason": str(reason), "payer_id": event.payload.sender_id},
                                               unit.session)
                unit.dead_letter(event, reason)
        expected = await payments.expected((c.claim_id for _, r in received for c in r.claims), unit.session)
        done = await payments.posted_or_parked(
            [posting_id_of(r, c) for _, r in received for c in r.claims], unit.session)
        posting = Posting(payments, unit, ledgers, tolerance)
        for event, remittance in received:
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
