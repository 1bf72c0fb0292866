"""The dashboard's side facts against the real broker and mongod: every write is idempotent on its
own (no inbox needed), the newest balance and coding decision win whatever the order, and the
process consumes the new topics and exports their aggregates on /metrics."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from dashboard import facts, projection
from dashboard.app import _FACTS, build_runtime
from dashboard.settings import DashboardSettings
from shared import metrics, topics
from shared.events import CodingDecision
from tests.support.kafka import eventually
from tests.unit.dashboard.fact_events import (
    ENCOUNTER, PATIENT, a_balance_change, a_coding_decision, a_held_remittance, a_plb, a_scrub_failure, a_statement,
    an_eligibility_hold, an_underpayment,
)


async def _apply(database, writes) -> None:
    for collection, write in writes:
        await database[collection].bulk_write([write], ordered=True)


async def _snapshot(database) -> dict:
    return {name: await database[name].find({}).sort("_id").to_list() for name in (*facts.COLLECTIONS, "encounters")}


async def test_every_fact_applied_twice_leaves_the_same_documents(settings) -> None:
    client = AsyncMongoClient(settings.mongo_uri)
    database = client[settings.database("dashboard")]
    try:
        events = [a_scrub_failure("coding"), a_coding_decision(), a_plb(), a_held_remittance(), an_underpayment(),
                  a_balance_change("30.00"), a_statement()]
        project = {topic.event_type: record for topic, record in _FACTS}
        writes = [w for e in events for w in project[e.event_type](e)]
        writes += [("encounters", w) for w in projection.held_for_eligibility(an_eligibility_hold())]
        await _apply(database, writes)
        once = await _snapshot(database)
        await _apply(database, writes)
        assert await _snapshot(database) == once
        assert all(once[name] for name in facts.COLLECTIONS)
        assert once["encounters"][0]["eligibility_findings"] == ["COVERAGE_INACTIVE"]
    finally:
        await client.drop_database(settings.database("dashboard"))
        await client.close()


async def test_the_newest_balance_and_coding_decision_win_whatever_the_order(settings) -> None:
    client = AsyncMongoClient(settings.mongo_uri)
    database = client[settings.database("dashboard")]
    try:
        newer, older = a_balance_change("45.00", entry="pe-2", seconds=10), a_balance_change("30.00", entry="pe-1")
        await _apply(database, facts.patient_balance_changed(newer) + facts.patient_balance_changed(older))
        balance = await database[facts.PATIENT_BALANCES].find_one({"_id": PATIENT})
        assert (str(balance["balance"]), balance["entry_id"], balance["tenant_id"]) == ("45.00", "pe-2", "t1")
        paid = a_balance_change("0.00", entry="pe-3", amount="-45.00", seconds=20)
        await _apply(database, facts.patient_balance_changed(paid))
        assert str((await database[facts.PATIENT_BALANCES].find_one({"_id": PATIENT}))["balance"]) == "0.00"

        first = a_coding_decision(decision=CodingDecision.CORRECTED, agreed=False, corrected=True, minutes=5)
        earlier = a_coding_decision(coder="coder.two", minutes=1)
        await _apply(database, facts.coding_review_decided(first) + facts.coding_review_decided(earlier))
        review = await database[facts.CODING_REVIEWS].find_one({"_id": ENCOUNTER})
        assert (review["coder"], review["decision"], review["agreed"], review["corrected"]) == \
            ("coder.one", "corrected", False, True)
    finally:
        await client.drop_database(settings.database("dashboard"))
        await client.close()


async def test_the_dashboard_consumes_the_new_topics_and_exports_their_aggregates(settings, kafka) -> None:
    runtime = build_runtime(DashboardSettings(**settings.model_dump(), kpi_metrics_interval=0.2))
    published = {
        topics.CLAIM_SCRUB_FAILED: [a_scrub_failure("coding", "provider")],
        topics.CODING_REVIEW_DECIDED: [a_coding_decision()],
        topics.PROVIDER_ADJUSTMENT_POSTED: [a_plb(amount="-2.50")],
        topics.REMITTANCE_HELD: [a_held_remittance(amount="500.00")],
        topics.UNDERPAYMENT_OPENED: [an_underpayment(expected="100.00", received="80.00")],
        topics.PATIENT_BALANCE_CHANGED: [a_balance_change("30.00", entry="pe-1"),
                                         a_balance_change("42.00", entry="pe-2", amount="12.00", seconds=1)],
        topics.PATIENT_STATEMENT_ISSUED: [a_statement(balance="42.00")],
        topics.ENCOUNTER_HELD_FOR_ELIGIBILITY: [an_eligibility_hold("ELIGIBILITY_TIMEOUT")],
    }
    expected = {
        ("rcm_scrub_failures_by_category_total", (("category", "provider"), ("payer", "P1"), ("tenant", "t1"))): 1,
        ("rcm_coding_review_agreed_total", (("coder", "coder.one"), ("tenant", "t1"))): 1,
        ("rcm_provider_adjustment_dollars", (("kind", "interest"), ("payer", "P1"), ("reason", "L6"),
                                             ("tenant", "t1"))): -2.5,
        ("rcm_remittances_held_dollars", (("payer", "P1"), ("tenant", "t1"))): 500.0,
        ("rcm_underpayment_shortfall_dollars_total", (("payer", "P1"), ("tenant", "t1"))): 20.0,
        ("rcm_patient_balances_outstanding_dollars", (("tenant", "t1"),)): 42.0,
        ("rcm_patient_statements_total", (("tenant", "t1"),)): 1,
        ("rcm_encounters_held_for_eligibility", (("reason", "ELIGIBILITY_TIMEOUT"), ("tenant", "t1"))): 1,
        ("rcm_claims_by_state", (("payer", "unknown"), ("state", "eligibility_review"), ("tenant", "t1"))): 1,
    }

    async def exported():
        found = {(s.name, tuple(sorted(s.labels.items()))): s.value for family in metrics.REGISTRY.collect()
                 for s in family.samples if s.name in {name for name, _ in expected}}
        return found if all(found.get(key) == value for key, value in expected.items()) else None

    async with runtime.running():
        for topic, events in published.items():
            await kafka.publish(topic, *events)
        await eventually(exported, timeout=60)
