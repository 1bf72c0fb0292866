"""How the flow's side facts become documents of the dashboard's own collections (pure: returns
Mongo updates per collection).

One document per fact, keyed by the fact's own id (PLB entry, underpayment, statement, held 835) or,
for what has a latest value, by what it describes (a patient's balance, an encounter's coding
decision) with the newer value winning. Applying an event twice therefore changes nothing, whatever
the inbox did. Documents hold ids, codes, categories, user ids of coders, dates and amounts: no PHI.
The aggregates (by tenant, payer, category, reason, coder) are computed from them in fact_metrics.py.
"""

from __future__ import annotations

from bson.decimal128 import Decimal128
from pymongo import UpdateOne

from shared.envelope import Envelope
from shared.events import (
    ClaimScrubFailed, CodingReviewDecided, PatientBalanceChanged, PatientStatementIssued, ProviderAdjustmentPosted,
    RemittanceHeld, UnderpaymentOpened,
)

SCRUB_FAILURES = "scrub_failures"
CODING_REVIEWS = "coding_reviews"
PROVIDER_ADJUSTMENTS = "provider_adjustments"
HELD_REMITTANCES = "held_remittances"
UNDERPAYMENTS = "underpayments"
PATIENT_BALANCES = "patient_balances"
PATIENT_STATEMENTS = "patient_statements"
COLLECTIONS = (SCRUB_FAILURES, CODING_REVIEWS, PROVIDER_ADJUSTMENTS, HELD_REMITTANCES, UNDERPAYMENTS,
               PATIENT_BALANCES, PATIENT_STATEMENTS)
UNCATEGORIZED = "uncategorized"

Write = tuple[str, UpdateOne]


def _newer(field: str, value) -> dict:
    """A pipeline condition: `value` is at least the stored `field` (or nothing is stored yet)."""
    return {"$or": [{"$eq": [{"$type": f"${field}"}, "missing"]}, {"$gte": [value, f"${field}"]}]}


def _latest(key: dict, order_field: str, order, fields: dict) -> UpdateOne:
    """Upsert `fields` into the document at `key` unless it already holds a later `order_field`."""
    newer = _newer(order_field, order)
    values = {name: {"$cond": [newer, {"$literal": value}, f"${name}"]} for name, value in fields.items()}
    values[order_field] = {"$cond": [newer, {"$literal": order}, f"${order_field}"]}
    return UpdateOne(key, [{"$set": values}], upsert=True)


def scrub_failed(event: Envelope[ClaimScrubFailed]) -> list[Write]:
    """One document per scrub failure (a claim may fail again after a fix): the rule categories of
    its blocking edits (every edit's when none is marked as an error)."""
    p = event.payload
    errors = [f for f in p.findings if f.severity == "error"] or list(p.findings)
    return [(SCRUB_FAILURES, UpdateOne({"_id": str(event.event_id)}, {"$set": {
        "tenant_id": event.tenant_id, "payer_id": p.payer_id, "claim_id": p.claim_id,
        "frequency_code": p.frequency_code.value,
        "categories": sorted({f.category or UNCATEGORIZED for f in errors}),
        "rules": sorted({f.rule for f in errors if f.rule}),
        "at": event.occurred_at,
    }}, upsert=True))]


def coding_review_decided(event: Envelope[CodingReviewDecided]) -> list[Write]:
    """The coder's decision on an encounter; a later decision on the same encounter replaces it."""
    p = event.payload
    return [(CODING_REVIEWS, _latest({"_id": p.encounter_id}, "decided_at", p.decided_at, {
        "tenant_id": event.tenant_id, "coder": p.coder, "decision": p.decision.value,
        "had_suggestion": p.top_suggestion is not None, "agreed": p.agreed_with_suggestion,
        "corrected": p.corrected,
    }))]


def provider_adjustment_posted(event: Envelope[ProviderAdjustmentPosted]) -> list[Write]:
    p = event.payload
    return [(PROVIDER_ADJUSTMENTS, UpdateOne({"_id": p.entry_id}, {"$set": {
        "tenant_id": event.tenant_id, "payer_id": p.payer_id, "remittance_id": p.remittance_id,
        "kind": p.kind, "reason": p.reason, "amount": Decimal128(p.amount),
        "payment_date": p.payment_date.isoformat(),
    }}, upsert=True))]


def remittance_held(event: Envelope[RemittanceHeld]) -> list[Write]:
    p = event.payload
    return [(HELD_REMITTANCES, UpdateOne({"_id": p.remittance_id}, {"$set": {
        "tenant_id": event.tenant_id, "payer_id": p.payer_id, "payment_amount": Decimal128(p.payment_amount),
        "difference": Decimal128(p.difference), "at": event.occurred_at,
    }}, upsert=True))]


def underpayment_opened(event: Envelope[UnderpaymentOpened]) -> list[Write]:
    p = event.payload
    return [(UNDERPAYMENTS, UpdateOne({"_id": p.underpayment_id}, {"$set": {
        "tenant_id": event.tenant_id, "payer_id": p.payer_id, "claim_id": p.claim_id,
        "expected": Decimal128(p.expected), "received": Decimal128(p.received),
        "shortfall": Decimal128(p.shortfall),
    }}, upsert=True))]


def patient_balance_changed(event: Envelope[PatientBalanceChanged]) -> list[Write]:
    """The patient's balance after the newest change. Changes of one patient share a partition and
    come in order; one read out of order (an older `occurred_at`) is ignored."""
    p = event.payload
    return [(PATIENT_BALANCES, _latest({"_id": p.patient_id}, "changed_at", event.occurred_at, {
        "tenant_id": event.tenant_id, "balance": Decimal128(p.balance), "entry_id": p.entry_id,
    }))]


def patient_statement_issued(event: Envelope[PatientStatementIssued]) -> list[Write]:
    p = event.payload
    return [(PATIENT_STATEMENTS, UpdateOne({"_id": p.statement_id}, {"$set": {
        "tenant_id": event.tenant_id, "balance": Decimal128(p.balance),
        "statement_date": p.statement_date.isoformat(),
    }}, upsert=True))]
