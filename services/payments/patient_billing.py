"""Patient balances: what insurance leaves to the patient, less what the patient paid.

Each posting's patient responsibility becomes a charge on the patient's balance (a reversal's
negative share takes it back), unless another payer follows: then the secondary's 835 decides what
the patient owes, and only that posting charges the patient. Patient payments lower the balance.
Every entry has a stable id, so posting it twice moves the balance once. Ids and amounts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.payments.balance import PaymentsError
from services.payments.expected_claims import ExpectedClaim
from shared.events import Patient, PatientBalanceChanged, PaymentPosted
from shared.ids import patient_id_for, stable_id
from shared.money import ZERO


class PatientPaymentRefused(PaymentsError):
    code = "PATIENT_PAYMENT_REFUSED"


@dataclass(frozen=True, slots=True)
class PatientEntry:
    """One movement of a patient's balance, before the balance after it is known."""

    entry_id: str
    tenant_id: str
    patient_id: str
    kind: str  # charge | payment | adjustment
    amount: Decimal  # + the patient owes more
    at: date
    claim_id: str | None = None
    method: str | None = None  # for payments: card, cash, check, ach


def patient_id_of(tenant_id: str, patient: Patient) -> str:
    """The opaque patient id (uuid5 of tenant and MRN), the same registration computes."""
    return patient_id_for(tenant_id, patient.mrn)


def patient_charge(payment: PaymentPosted, expected: ExpectedClaim) -> PatientEntry | None:
    """The charge `payment` puts on the patient's balance, or None: no patient id known, another
    payer follows, or the payer left the patient nothing."""
    if expected.patient_id is None or expected.has_secondary or payment.patient_responsibility == ZERO:
        return None
    return PatientEntry(
        entry_id=stable_id("ptc", payment.posting_id), tenant_id=expected.tenant_id, patient_id=expected.patient_id,
        kind="charge", amount=payment.patient_responsibility, at=payment.payment_date, claim_id=payment.claim_id)


def patient_payment(tenant_id: str, patient_id: str, amount: Decimal, *, reference: str, method: str,
                    received_on: date) -> PatientEntry:
    """A payment from the patient; raise PatientPaymentRefused for an amount that is not a positive
    amount to the cent or a method we do not take. `reference` (receipt or transaction number) makes
    the entry's id, so recording the same payment twice records it once."""
    if amount <= ZERO or amount != amount.quantize(Decimal("0.01")):
        raise PatientPaymentRefused(f"patient payment {reference}: the amount must be positive, to the cent")
    if method not in ("card", "cash", "check", "ach"):
        raise PatientPaymentRefused(f"patient payment {reference}: method must be card, cash, check or ach")
    return PatientEntry(
        entry_id=stable_id("ptp", tenant_id, patient_id, reference), tenant_id=tenant_id, patient_id=patient_id,
        kind="payment", amount=-amount, at=received_on, method=method)


def apply_entries(balance: Decimal, entries: list[PatientEntry]) -> tuple[Decimal, tuple[PatientBalanceChanged, ...]]:
    """Apply `entries` (one patient's, in order) to `balance`; return the new balance and an event
    per entry carrying the balance after it."""
    changes = []
    for entry in entries:
        balance += entry.amount
        changes.append(PatientBalanceChanged(
            entry_id=entry.entry_id, patient_id=entry.patient_id, kind=entry.kind, claim_id=entry.claim_id,
            amount=entry.amount, balance=balance, at=entry.at))
    return balance, tuple(changes)
