"""One batch's posting work inside its transaction: each remittance claim posted (or parked), and
what follows from a posting: a reversal paired with its original, underpayment items, a COB
request, the patient's balance; and each 835's PLB amounts on the provider's account.

Handlers create a Posting per batch, call `post` / `post_provider_adjustments` / `hold`, then `save`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from services.payments import domain
from services.payments.ledgers import Ledgers
from services.payments.patient_billing import PatientEntry, apply_entries, patient_charge
from services.payments.provider_account import plb_entry_id, post_provider_adjustments
from services.payments.repository import PaymentsRepository
from services.payments.reversals import PriorPosting, prior_of, reversed_posting
from services.payments.secondary import secondary_request
from services.payments.underpayments import find_underpayments
from shared import topics
from shared.consumer import UnitOfWork
from shared.envelope import Envelope
from shared.events import PaymentPosted, RemittanceClaim, RemittanceHeld, RemittanceReceived
from shared.ids import stable_id
from shared.money import total

DEFAULT_TOLERANCE = Decimal("1.00")


def posting_id_of(remittance: RemittanceReceived, paid_claim: RemittanceClaim) -> str:
    return stable_id("pst", remittance.remittance_id, paid_claim.claim_id, paid_claim.status_code.value)


class Posting:
    """Posts remittance claims inside one batch transaction."""

    def __init__(self, payments: PaymentsRepository, unit: UnitOfWork, ledgers: Ledgers | None = None,
                 tolerance: Decimal = DEFAULT_TOLERANCE) -> None:
        self._payments = payments
        self._ledgers = ledgers
        self._tolerance = tolerance
        self._unit = unit
        self.postings: list[PaymentPosted] = []
        self.tenant_of: dict[str, str] = {}
        self.unapplied: list[dict] = []
        self._prior: dict[str, list[PriorPosting]] = {}
        self._schedules: dict[tuple[str, str], list] = {}
        self._patient_entries: list[tuple[PatientEntry, Envelope, str]] = []
        self._underpayments: dict[str, list] = defaultdict(list)

    async def post(self, remittance: RemittanceReceived, paid_claim: RemittanceClaim,
                   expected: domain.ExpectedClaim | None, *, cause: Envelope) -> None:
        posting_id = posting_id_of(remittance, paid_claim)
        reverses = None
        if expected is not None and paid_claim.status_code == domain.ClaimPaymentStatus.REVERSAL:
            reverses = reversed_posting(paid_claim, expected.claim_id, await self._prior_of(expected.claim_id))
            if reverses is None:
                self._park(remittance, paid_claim, domain.UNAPPLIED_REVERSAL_WITHOUT_ORIGINAL, cause)
                return
        try:
            result = domain.post_claim(remittance, paid_claim, expected, posting_id=posting_id, reverses=reverses,
                                       denial_id=stable_id("den", remittance.remittance_id, paid_claim.claim_id))
        except domain.PaymentsError as refused:
            self._park(remittance, paid_claim, refused.code, cause)
            return
        if isinstance(result, domain.Unapplied):
            self._park(remittance, paid_claim, result.reason_code, cause)
            return
        payment = result.payment
        self.postings.append(payment)
        self._prior.setdefault(expected.claim_id, []).append(prior_of(payment))
        self.tenant_of[posting_id] = expected.tenant_id
        emit = dict(cause=cause, tenant_id=expected.tenant_id, correlation_id=expected.encounter_id)
        self._unit.emit(topics.PAYMENT_POSTED, payment, **emit)
        if result.denial is not None:
            self._unit.emit(topics.CLAIM_DENIED, result.denial, **emit)
        for item in await self._underpayments_of(payment, expected):
            self._underpayments[expected.tenant_id].append(item)
            self._unit.emit(topics.UNDERPAYMENT_OPENED, item, **emit)
        request = secondary_request(remittance, paid_claim, payment, expected)
        if request is not None:
            self._unit.emit(topics.CLAIM_SECONDARY_REQUESTED, request, **emit)
        charge = patient_charge(payment, expected)
        if charge is not None:
            self._patient_entries.append((charge, cause, expected.encounter_id))

    async def post_provider_adjustments(self, remittance: RemittanceReceived, *, cause: Envelope) -> None:
        """Post the 835's PLB amounts to the provider's account with the payer, once per 835."""
        if self._ledgers is None or not remittance.provider_adjustments:
            return
        ids = [plb_entry_id(remittance.remittance_id, n) for n in range(len(remittance.provider_adjustments))]
        session = self._unit.session
        if await self._ledgers.posted_provider_entries(ids, session):
            return  # this 835's PLB was posted before
        account = await self._ledgers.provider_account(cause.tenant_id, remittance.payer_id, session)
        entries, account = post_provider_adjustments(remittance, account)
        await self._ledgers.save_provider_entries(cause.tenant_id, entries, account, session)
        for entry in entries:
            self._unit.emit(topics.PROVIDER_ADJUSTMENT_POSTED, entry, cause=cause)

    async def hold(self, remittance: RemittanceReceived, refused: domain.RemittanceOutOfBalance,
                   cause: Envelope) -> None:
        """Hold an 835 that does not balance, with the difference, for review."""
        claims_less_plb = total(c.paid for c in remittance.claims) - total(
            p.amount for p in remittance.provider_adjustments)
        held = RemittanceHeld(remittance_id=remittance.remittance_id, payer_id=remittance.payer_id,
                              payment_amount=remittance.payment_amount, claims_less_plb=claims_less_plb,
                              difference=remittance.payment_amount - claims_less_plb)
        row = {"_id": remittance.remittance_id, "reason_code": refused.code, "reason": str(refused),
               "payer_id": remittance.payer_id, "tenant_id": cause.tenant_id,
               "payment_amount": held.payment_amount, "claims_less_plb": claims_less_plb,
               "difference": held.difference, "remittance": remittance.model_dump_json()}
        if self._ledgers is None:
            await self._payments.hold_remittance(row, self._unit.session)
        else:
            await self._ledgers.hold(row, self._unit.session)
        self._unit.emit(topics.REMITTANCE_HELD, held, cause=cause)

    async def _prior_of(self, claim_id: str) -> list[PriorPosting]:
        if claim_id not in self._prior:
            self._prior[claim_id] = await self._payments.prior_postings([claim_id], self._unit.session)
        return self._prior[claim_id]

    async def _underpayments_of(self, payment: PaymentPosted, expected: domain.ExpectedClaim) -> tuple:
        if self._ledgers is None:
            return ()
        key = (expected.tenant_id, payment.payer_id)
        if key not in self._schedules:
            self._schedules[key] = await self._ledgers.fee_schedule(expected.tenant_id, [payment.payer_id], self._unit.session)
        modifiers = {line.line_item_control_number: line.modifiers for line in expected.lines}
        return find_underpayments(payment, expected, self._schedules[key], modifiers, self._tolerance)

    def _park(self, remittance: RemittanceReceived, paid_claim: RemittanceClaim, reason_code: str, cause: Envelope) -> None:
        alone = remittance.model_copy(update={"claims": (paid_claim,), "payment_amount": paid_claim.paid,
                                              "provider_adjustments": ()})
        self.unapplied.append({
            "_id": posting_id_of(remittance, paid_claim), "remittance_id": remittance.remittance_id,
            "claim_ref": paid_claim.claim_id, "reason_code": reason_code, "amount": paid_claim.paid,
            "tenant_id": cause.tenant_id, "remittance": alone.model_dump_json()})

    async def save(self) -> None:
        session = self._unit.session
        await self._payments.save_postings(self.tenant_of, self.postings, session, self._unit.now)
        await self._payments.park_unapplied(self.unapplied, session)
        if self._ledgers is None:
            return
        for tenant_id, items in self._underpayments.items():
            await self._ledgers.open_underpayments(tenant_id, items, session)
        await self._save_patient_entries()

    async def _save_patient_entries(self) -> None:
        session = self._unit.session
        done = await self._ledgers.recorded_patient_entries((e.entry_id for e, _, _ in self._patient_entries), session)
        by_patient: dict[tuple[str, str], list[tuple[PatientEntry, Envelope, str]]] = defaultdict(list)
        for item in self._patient_entries:
            if item[0].entry_id not in done:
                done.add(item[0].entry_id)
                by_patient[(item[0].tenant_id, item[0].patient_id)].append(item)
        balances = {}
        entries = []
        for (tenant_id, patient_id), items in by_patient.items():
            start = await self._ledgers.patient_balance(tenant_id, patient_id, session)
            balances[(tenant_id, patient_id)], changes = apply_entries(start, [e for e, _, _ in items])
            for change, (entry, cause, encounter_id) in zip(changes, items, strict=True):
                entries.append(entry)
                self._unit.emit(topics.PATIENT_BALANCE_CHANGED, change, cause=cause, tenant_id=tenant_id,
                                correlation_id=encounter_id)
        await self._ledgers.record_patient_entries(entries, balances, session)
