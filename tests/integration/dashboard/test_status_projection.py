"""A claim's status changes in the encounter row, against the real mongod: one update per event or
one per encounter for a whole batch make the same row, and a change read late never undoes a newer
one (status by version, milestones at their earliest, first scrub and first adjudication kept)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from pymongo import AsyncMongoClient

from dashboard import projection
from shared import topics
from shared.envelope import new_event
from shared.events import ClaimStatus, ClaimStatusChanged, CoverageOrder, Finding

START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
ENCOUNTER = "enc_" + "3" * 32
CLAIM = "clm_" + "4" * 24
S = ClaimStatus

# A claim's life: scrub fails, fixed, submitted twice (a rejection in between), paid.
LIFE = [(S.CREATED, None), (S.SCRUB_FAILED, S.CREATED), (S.SCRUBBED, S.SCRUB_FAILED), (S.SUBMITTED, S.SCRUBBED),
        (S.REJECTED, S.SUBMITTED), (S.SUBMITTED, S.REJECTED), (S.ACCEPTED, S.SUBMITTED), (S.PAID, S.ACCEPTED)]


def _change(version: int, status: ClaimStatus, previous: ClaimStatus | None, *, secondary: bool = False):
    findings = (Finding(code="PRV_EDIT", message="an edit"), Finding(code="DX_EDIT", message="an edit"),
                Finding(code="PRV_EDIT", message="again")) if status is S.SCRUB_FAILED else ()
    payload = ClaimStatusChanged(
        claim_id=CLAIM if not secondary else "clm_" + "5" * 24, encounter_id=ENCOUNTER, version=version,
        status=status, previous_status=previous, payer_id="SIMBLUE01", billed=Decimal("120.50"), findings=findings,
        coverage_order=CoverageOrder.SECONDARY if secondary else CoverageOrder.PRIMARY)
    return new_event(topics.CLAIM_STATUS_CHANGED, payload, producer="tests", now=START + timedelta(minutes=version),
                     tenant_id="t1", correlation_id=ENCOUNTER)


EVENTS = [_change(version, status, previous) for version, (status, previous) in enumerate(LIFE, start=1)]
SECONDARY = [_change(1, S.CREATED, None, secondary=True), _change(2, S.SCRUBBED, S.CREATED, secondary=True)]


async def _row(database, batches) -> dict:
    encounters = database["encounters"]
    await encounters.delete_many({})
    for writes in batches:
        await encounters.bulk_write(writes, ordered=True)
    row = await encounters.find_one({"_id": ENCOUNTER})
    row.pop("_id")
    return row


async def test_one_update_per_event_or_per_batch_make_the_same_row(settings) -> None:
    client = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    database = client[settings.database("dashboard")]
    try:
        events = EVENTS + SECONDARY
        one_by_one = await _row(database, [projection.claim_status_changed(event) for event in events])
        assert one_by_one["claim_status"] == "paid" and one_by_one["claim_version"] == 8
        assert one_by_one["status_at"] == START + timedelta(minutes=8)
        assert one_by_one["statuses"] == ["created", "scrub_failed", "scrubbed", "submitted", "rejected", "accepted", "paid"]
        assert one_by_one["scrub_findings"] == ["PRV_EDIT", "DX_EDIT"]
        assert one_by_one["submissions"] == 2
        assert one_by_one["first_scrub"] == "scrub_failed"
        assert one_by_one["first_adjudication"] == "paid"
        assert one_by_one["claim_created_at"] == START + timedelta(minutes=1)
        assert one_by_one["submitted_at"] == START + timedelta(minutes=4)
        assert one_by_one["paid_at"] == START + timedelta(minutes=8)
        assert str(one_by_one["billed"]) == "120.50" and one_by_one["tenant_id"] == "t1"
        assert (one_by_one["secondary_claim_status"], one_by_one["secondary_claim_version"]) == ("scrubbed", 2)

        whole_batch = await _row(database, [projection.claim_status_changes(events)])
        in_three = await _row(database, [projection.claim_status_changes(events[:3]),
                                         projection.claim_status_changes(events[3:7]),
                                         projection.claim_status_changes(events[7:])])
        assert whole_batch == one_by_one
        assert in_three == one_by_one
    finally:
        await client.drop_database(settings.database("dashboard"))
        await client.close()


async def test_changes_read_late_do_not_undo_newer_ones(settings) -> None:
    client = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    database = client[settings.database("dashboard")]
    try:
        in_order = await _row(database, [projection.claim_status_changes(EVENTS)])
        late = [EVENTS[7], EVENTS[3], EVENTS[0], EVENTS[6], EVENTS[1], EVENTS[5], EVENTS[2], EVENTS[4]]
        assert await _row(database, [projection.claim_status_changes(late)]) == {
            **in_order, "statuses": ["paid", "submitted", "created", "accepted", "scrub_failed", "scrubbed", "rejected"]}
        replayed = await _row(database, [projection.claim_status_changes(EVENTS), projection.claim_status_changes(EVENTS)])
        assert {key: value for key, value in replayed.items() if key != "submissions"} == \
            {key: value for key, value in in_order.items() if key != "submissions"}
    finally:
        await client.drop_database(settings.database("dashboard"))
        await client.close()
