"""How events become read-model updates."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from dashboard import projection
from shared import topics
from shared.envelope import new_event
from shared.events import ClaimStatus, ClaimStatusChanged, FrequencyCode

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
ENCOUNTER = "enc_" + "1" * 32


def a_status_change(status: ClaimStatus, previous: ClaimStatus | None, version: int, frequency=FrequencyCode.ORIGINAL):
    payload = ClaimStatusChanged(claim_id="clm_" + "2" * 24, encounter_id=ENCOUNTER, version=version, status=status,
                                 previous_status=previous, payer_id="SIMBLUE01", billed=Decimal("10.00"),
                                 frequency_code=frequency)
    return new_event(topics.CLAIM_STATUS_CHANGED, payload, producer="tests", now=NOW, tenant_id="t1", correlation_id=ENCOUNTER)


def _stages(event) -> tuple[dict, dict]:
    (update,) = projection.claim_status_changed(event)
    versioned, facts = update._doc
    return versioned["$set"], facts["$set"]


def test_a_status_only_replaces_an_older_version() -> None:
    versioned, _ = _stages(a_status_change(ClaimStatus.PAID, ClaimStatus.ACCEPTED, 5))
    stage = versioned["claim_status"]
    assert stage["$cond"][0] == {"$gt": [5, {"$ifNull": ["$claim_version", 0]}]}
    assert stage["$cond"][1:] == ["paid", "$claim_status"]


def test_the_first_scrub_is_recorded_from_the_transition_out_of_created() -> None:
    _, facts = _stages(a_status_change(ClaimStatus.SCRUB_FAILED, ClaimStatus.CREATED, 2))
    assert facts["first_scrub"] == {"$literal": "scrub_failed"}


def test_only_the_original_claims_adjudication_counts_as_the_first() -> None:
    _, original = _stages(a_status_change(ClaimStatus.DENIED, ClaimStatus.ACCEPTED, 4))
    _, corrected = _stages(a_status_change(ClaimStatus.PAID, ClaimStatus.SUBMITTED, 9, FrequencyCode.REPLACEMENT))
    assert original["first_adjudication"] == {"$literal": "denied"}
    assert "first_adjudication" not in corrected


def test_milestones_keep_their_earliest_time_whatever_order_events_arrive_in() -> None:
    _, submitted = _stages(a_status_change(ClaimStatus.SUBMITTED, ClaimStatus.SCRUBBED, 3))
    _, accepted = _stages(a_status_change(ClaimStatus.ACCEPTED, ClaimStatus.SUBMITTED, 4))
    assert submitted["submitted_at"] == {"$min": ["$submitted_at", {"$literal": NOW}]}
    assert "submitted_at" not in accepted


def test_a_batch_makes_one_update_per_encounter_with_its_events_stages_in_order() -> None:
    created = a_status_change(ClaimStatus.CREATED, None, 1)
    scrubbed = a_status_change(ClaimStatus.SCRUBBED, ClaimStatus.CREATED, 2)
    other = new_event(topics.CLAIM_STATUS_CHANGED, created.payload.model_copy(update={"encounter_id": "enc_other"}),
                      producer="tests", now=NOW, tenant_id="t1", correlation_id="enc_other")
    first, second = projection.claim_status_changes([created, other, scrubbed])
    assert first._filter == {"_id": ENCOUNTER} and second._filter == {"_id": "enc_other"}
    assert first._doc == projection.claim_status_stages(created) + projection.claim_status_stages(scrubbed)
    assert first._upsert and second._upsert


def test_a_worked_denial_adds_its_category_to_the_encounter() -> None:
    from shared.events import DenialAction, DenialWorked

    worked = DenialWorked(denial_id="den_1", claim_id="clm_" + "2" * 24, encounter_id=ENCOUNTER, category="ELIGIBILITY",
                          action=DenialAction.RESUBMIT, amount=Decimal("10.00"))
    event = new_event(topics.DENIAL_WORKED, worked, producer="tests", now=NOW, tenant_id="t1", correlation_id=ENCOUNTER)
    (update,) = projection.denial_worked(event)
    assert update._doc["$addToSet"] == {"denial_categories": "ELIGIBILITY"}


def test_an_eligibility_hold_marks_the_encounter_with_the_finding_codes() -> None:
    from tests.unit.dashboard.fact_events import an_eligibility_hold

    (update,) = projection.held_for_eligibility(an_eligibility_hold("ELIGIBILITY_TIMEOUT"))
    assert update._filter == {"_id": ENCOUNTER}
    assert update._doc["$set"] == {"tenant_id": "t1", "held_for_eligibility": True}
    assert update._doc["$addToSet"] == {"eligibility_findings": {"$each": ["ELIGIBILITY_TIMEOUT"]}}
