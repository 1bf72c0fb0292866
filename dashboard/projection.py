"""How each event changes an encounter's row in the read model (pure: returns Mongo updates).

Rows hold ids, statuses, dates and amounts: no PHI. Claim status uses the per-claim version, so an
older status-changed event read late never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence

from bson.decimal128 import Decimal128
from pymongo import UpdateOne

from shared.envelope import Envelope
from shared.events import (
    ClaimStatus, ClaimStatusChanged, CoverageOrder, DenialWorked, EncounterHeldForCoding, EncounterHeldForEligibility, EncounterRegistered,
    FrequencyCode, PaymentPosted,
)

_ADJUDICATED = {ClaimStatus.PAID.value, ClaimStatus.PARTIALLY_PAID.value, ClaimStatus.DENIED.value}
_MILESTONES = {ClaimStatus.CREATED: "claim_created_at", ClaimStatus.SUBMITTED: "submitted_at",
               ClaimStatus.PAID: "paid_at", ClaimStatus.PARTIALLY_PAID: "paid_at"}


def registered(event: Envelope[EncounterRegistered]) -> list[UpdateOne]:
    p = event.payload
    return [UpdateOne({"_id": p.encounter_id}, {"$set": {
        "tenant_id": event.tenant_id, "registered_at": p.registered_at,
        "date_of_service": p.visit.date_of_service.isoformat(), "payer_id": p.coverages[0].payer_id,
    }}, upsert=True)]


def held_for_coding(event: Envelope[EncounterHeldForCoding]) -> list[UpdateOne]:
    return [UpdateOne({"_id": event.payload.encounter_id}, {"$set": {
        "tenant_id": event.tenant_id, "held_for_coding": True,
        "coding_findings": [f.code for f in event.payload.findings],
    }}, upsert=True)]


def held_for_eligibility(event: Envelope[EncounterHeldForEligibility]) -> list[UpdateOne]:
    """Registration parked the encounter: coverage not verified active (the finding codes are the reason)."""
    return [UpdateOne({"_id": event.payload.encounter_id}, {
        "$set": {"tenant_id": event.tenant_id, "held_for_eligibility": True},
        "$addToSet": {"eligibility_findings": {"$each": [f.code for f in event.payload.findings]}},
    }, upsert=True)]


def claim_status_changed(event: Envelope[ClaimStatusChanged]) -> list[UpdateOne]:
    return [UpdateOne({"_id": event.payload.encounter_id}, claim_status_stages(event), upsert=True)]


def claim_status_changes(events: Sequence[Envelope[ClaimStatusChanged]]) -> list[UpdateOne]:
    """One update per encounter for a batch of status changes: the stages of its events in the
    order read, in one pipeline. The claims service emits several changes of one claim at once
    (created, scrubbed, submitted), so a batch usually holds them together."""
    stages: dict[str, list[dict]] = {}
    for event in events:
        stages.setdefault(event.payload.encounter_id, []).extend(claim_status_stages(event))
    return [UpdateOne({"_id": encounter_id}, pipeline, upsert=True) for encounter_id, pipeline in stages.items()]


def claim_status_stages(event: Envelope[ClaimStatusChanged]) -> list[dict]:
    """The update pipeline stages one status change makes to its encounter's row."""
    p = event.payload
    if p.coverage_order is not CoverageOrder.PRIMARY:
        # A COB claim to the next payer bills the same encounter: the row follows the primary claim
        # (its stage and first-pass figures); the secondary's status is kept beside it.
        return [{"$set": {
            "secondary_claim_status": {"$cond": [{"$gt": [p.version, {"$ifNull": ["$secondary_claim_version", 0]}]},
                                                 p.status.value, "$secondary_claim_status"]},
            "secondary_claim_version": {"$max": [p.version, {"$ifNull": ["$secondary_claim_version", 0]}]},
        }}]
    newer = {"$gt": [p.version, {"$ifNull": ["$claim_version", 0]}]}
    versioned = {"$set": {
        "tenant_id": {"$literal": event.tenant_id},
        "claim_id": {"$literal": p.claim_id},
        "billed": Decimal128(p.billed),
        "claim_status": {"$cond": [newer, p.status.value, "$claim_status"]},
        "claim_version": {"$cond": [newer, p.version, "$claim_version"]},
        "status_at": {"$cond": [newer, event.occurred_at, "$status_at"]},
    }}
    facts: dict = {"statuses": _with_each("statuses", [p.status.value])}
    if p.previous_status is ClaimStatus.CREATED:
        facts["first_scrub"] = {"$literal": p.status.value}
    if p.status.value in _ADJUDICATED and p.frequency_code is FrequencyCode.ORIGINAL:
        facts["first_adjudication"] = {"$literal": p.status.value}
    if p.status is ClaimStatus.SCRUB_FAILED:
        facts["scrub_findings"] = _with_each("scrub_findings", [f.code for f in p.findings])
    if p.status is ClaimStatus.SUBMITTED:
        facts["submissions"] = {"$add": [{"$ifNull": ["$submissions", 0]}, 1]}
    # The earliest time of each milestone, whatever order the events are read in: charge lag and
    # the stage latencies are measured from them.
    milestone = _MILESTONES.get(p.status)
    if milestone:
        facts[milestone] = {"$min": [f"${milestone}", {"$literal": event.occurred_at}]}
    return [versioned, {"$set": facts}]


def _with_each(field: str, values: list[str]) -> dict:
    """`field`'s array with each of `values` it lacks appended, in order (what $addToSet with $each
    does in an update document, written as a pipeline expression)."""
    return {"$reduce": {"input": {"$literal": values}, "initialValue": {"$ifNull": [f"${field}", []]},
                        "in": {"$cond": [{"$in": ["$$this", "$$value"]}, "$$value",
                                         {"$concatArrays": ["$$value", ["$$this"]]}]}}}


def payment_posted(event: Envelope[PaymentPosted]) -> list[UpdateOne]:
    p = event.payload
    return [UpdateOne({"_id": p.encounter_id}, {"$set": {
        "tenant_id": event.tenant_id,
        f"postings.{p.posting_id}": {
            "outcome": p.outcome.value, "paid": Decimal128(p.paid),
            "contractual": Decimal128(p.contractual_adjustment),
            "patient_responsibility": Decimal128(p.patient_responsibility),
            "other": Decimal128(p.other_adjustment), "denied": Decimal128(p.denied_amount),
            "payment_date": p.payment_date.isoformat(), "payer_id": p.payer_id,
        },
    }}, upsert=True)]


def denial_worked(event: Envelope[DenialWorked]) -> list[UpdateOne]:
    """The denial's category (CARC group such as eligibility or coding), for denial KPIs by category."""
    return [UpdateOne({"_id": event.payload.encounter_id}, {
        "$set": {"tenant_id": event.tenant_id},
        "$addToSet": {"denial_categories": event.payload.category},
    }, upsert=True)]
